// Package callinfo carries what the layers around a tool call learn about
// it back to the layer that records it: the audit record and the metrics
// are written once, outside, from facts that the rate limiter, the timeout
// and the API client find out inside.
package callinfo

import (
	"context"
	"sync"
)

// Outcomes of a tool call, as audit records and metrics name them.
const (
	OK            = "ok"             // the tool returned a result
	ToolError     = "tool_error"     // the tool returned a result with isError set
	Refused       = "refused"        // not allowed: no such tool, not signed in, not permitted, not confirmable
	RateLimited   = "rate_limited"   // a rate limit refused the call
	Timeout       = "timeout"        // the call ran past its time limit
	InputRequired = "input_required" // the call asked the user to confirm it and ran nothing yet
	Declined      = "declined"       // the user declined to confirm the call
	Error         = "error"          // a JSON-RPC error
)

// Info is the record of one call. Its methods are safe for concurrent use
// and do nothing on a nil *Info, so that code running outside a recorded
// call need not check.
type Info struct {
	mu             sync.Mutex
	outcome        string
	upstreamStatus int
}

type key struct{}

// With returns a context carrying a new Info, and that Info.
func With(ctx context.Context) (context.Context, *Info) {
	i := &Info{}
	return context.WithValue(ctx, key{}, i), i
}

// From returns the Info ctx carries, or nil.
func From(ctx context.Context) *Info {
	i, _ := ctx.Value(key{}).(*Info)
	return i
}

// SetOutcome records why the call ended the way it did, when the result
// alone does not say (a rate-limit refusal is a tool error too). The first
// outcome set wins.
func (i *Info) SetOutcome(o string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	if i.outcome == "" {
		i.outcome = o
	}
	i.mu.Unlock()
}

// Outcome returns the outcome set, or "".
func (i *Info) Outcome() string {
	if i == nil {
		return ""
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.outcome
}

// SetUpstreamStatus records the HTTP status of the API call the tool made;
// the last one wins.
func (i *Info) SetUpstreamStatus(code int) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.upstreamStatus = code
	i.mu.Unlock()
}

// UpstreamStatus returns the status set, or 0.
func (i *Info) UpstreamStatus() int {
	if i == nil {
		return 0
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.upstreamStatus
}
