// Package confirm asks the user of an MCP client to confirm a tool call
// before it runs: a DELETE of an OpenAPI tool, or any tool the manifest
// says must be confirmed. It is receiving middleware for an mcp.Server, so
// it serves the tools of the manifest and of an OpenAPI document alike.
//
// The question is asked through MCP elicitation, in the way the client
// speaks:
//
//   - a client of protocol 2026-07-28 (stateless, multi-round) gets the
//     answer "input required": an elicitation request and a requestState
//     sealed by a [requeststate.Codec], bound to the user, the tool and the
//     call's exact arguments, expiring, and single-use. The call runs when
//     the client calls the tool again with the user's acceptance and that
//     state, on whichever replica it lands.
//   - a client of an older protocol that holds a session and declared the
//     elicitation capability is asked with elicitation/create, and the call
//     waits for the answer.
//
// Declined or cancelled, the call is a tool error that says nothing was
// done. A client that cannot be asked (no elicitation capability, or an
// older client without a session to ask it in) gets a tool error that
// says the tool needs confirmation: the tool fails closed.
//
// A generated server gets the middleware from [ForTools], which
// serve.Options.Confirmations starts with the server.
//
// A confirmed tool's handler must not ask for input of its own with a
// requestState: the client's next call would carry the handler's state,
// which this package refuses as a confirmation.
package confirm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"github.com/mcpgen/mcpgen/runtime/requeststate"
)

// DefaultTTL is how long the user has to answer a multi-round
// confirmation, and how long a session client is waited for.
const DefaultTTL = 5 * time.Minute

// Rule says how the calls of one tool are confirmed.
type Rule struct {
	// Summary says in one line what a call with these arguments will do,
	// such as "DELETE /repos/octo/hello/labels/bug"; it is the question
	// the user reads. An error is a tool error, and nothing runs. Nil:
	// "Run TOOL with ARGUMENTS", the arguments as JSON.
	Summary func(args map[string]any) (string, error)
	// Ask, if set, reports whether a call needs confirmation at all, for a
	// tool that serves several operations (call_operation of an OpenAPI
	// server in dynamic mode). Nil: every call does.
	Ask func(args map[string]any) bool
}

// Options configure [Middleware].
type Options struct {
	// Tools are the tools whose calls are confirmed, by name; the calls of
	// others pass untouched.
	Tools map[string]Rule
	// States seals the state a multi-round client carries between the
	// question and its answer. Across replicas, its key and its store must
	// be shared. Nil: multi-round clients cannot confirm, and the tools
	// refuse them.
	States *requeststate.Codec
	// TTL is how long a question may wait for its answer (default
	// DefaultTTL).
	TTL time.Duration
}

// multiRoundVersion is the first protocol version whose clients answer
// "input required" rather than elicitation/create.
const multiRoundVersion = "2026-07-28"

// inputKey names the question in InputRequests and its answer in
// InputResponses.
const inputKey = "confirm"

// purpose is the payload of every state this package seals, so that a
// state the tool's own code sealed with the same codec, for the same call,
// is not taken for a confirmation.
var purpose = []byte("mcpgen/confirm")

// maxSummary bounds the question, in runes: arguments are the model's to
// choose, and the user must be able to read the question whole.
const maxSummary = 300

// Middleware returns receiving middleware (for mcp.Server's
// AddReceivingMiddleware) that confirms the calls of opts.Tools.
func Middleware(opts *Options) mcp.Middleware {
	c := &confirmer{ttl: DefaultTTL, inputRequired: inputRequired()}
	if opts != nil {
		c.tools, c.states = opts.Tools, opts.States
		if opts.TTL > 0 {
			c.ttl = opts.TTL
		}
	}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			r, ok := req.(*mcp.CallToolRequest)
			if method != "tools/call" || !ok || r.Params == nil {
				return next(ctx, method, req)
			}
			rule, ok := c.tools[r.Params.Name]
			if !ok {
				return next(ctx, method, req)
			}
			return c.call(ctx, r, rule, next)
		}
	}
}

type confirmer struct {
	tools  map[string]Rule
	states *requeststate.Codec
	ttl    time.Duration
	// inputRequired is the template of the first round's result.
	inputRequired mcp.CallToolResult
}

// call confirms one call of a tool that has a rule, then runs it.
func (c *confirmer) call(ctx context.Context, r *mcp.CallToolRequest, rule Rule, next mcp.MethodHandler) (mcp.Result, error) {
	tool := r.Params.Name
	var args map[string]any
	if raw := bytes.TrimSpace(r.Params.Arguments); len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
		if err := json.Unmarshal(raw, &args); err != nil {
			return refuse(ctx, "the arguments of %s are not a JSON object; nothing was done", tool), nil
		}
	}
	if rule.Ask != nil && !rule.Ask(args) {
		return next(ctx, "tools/call", r)
	}
	summary, err := c.summary(tool, rule, args)
	if err != nil {
		return refuse(ctx, "%s cannot run: %v; nothing was done", tool, err), nil
	}

	switch {
	case r.Params.RequestState != "":
		// The second round of a multi-round confirmation, whatever
		// protocol the client says it speaks: only a genuine state for
		// this very call proves the question was asked.
		return c.answered(ctx, r, summary, next)
	case r.ProtocolVersion() >= multiRoundVersion:
		return c.ask(ctx, r, summary)
	default:
		return c.askSession(ctx, r, summary, next)
	}
}

// ask answers the first round of a multi-round call: "input required",
// with the question and a sealed state.
func (c *confirmer) ask(ctx context.Context, r *mcp.CallToolRequest, summary string) (mcp.Result, error) {
	tool := r.Params.Name
	if !canElicit(r.ClientCapabilities()) {
		return cannotAsk(ctx, tool, "it does not support elicitation"), nil
	}
	if c.states == nil {
		return refuse(ctx, "%s needs the user's confirmation, which this server is not set up to ask for; nothing was done", tool), nil
	}
	state, err := c.states.Seal(ctx, binding(ctx, r), purpose, requeststate.SealOptions{TTL: c.ttl, SingleUse: true})
	if err != nil {
		callinfo.From(ctx).SetOutcome(callinfo.Error)
		return toolError("%s needs the user's confirmation, which cannot be asked for now (%v); nothing was done, try again later", tool, err), nil
	}
	// A copy of the template keeps its result type; see inputRequired.
	res := c.inputRequired
	res.InputRequests = mcp.InputRequestMap{inputKey: question(tool, summary)}
	res.RequestState = state
	callinfo.From(ctx).SetOutcome(callinfo.InputRequired)
	return &res, nil
}

// inputRequired returns an empty result marked "input required". The SDK
// marks a result so (its resultType, which clients read) only when a tool
// handler returns it, and this middleware answers before the handler runs:
// decoding the result from JSON is the one way the SDK leaves to mark it,
// and copies of the result keep the mark.
func inputRequired() mcp.CallToolResult {
	var res mcp.CallToolResult
	if err := json.Unmarshal([]byte(`{"resultType":"input_required"}`), &res); err != nil {
		panic("confirm: " + err.Error()) // not reached: the JSON is fixed
	}
	return res
}

// answered checks the second round of a multi-round call, and runs the
// call if the state is genuine and the user accepted.
func (c *confirmer) answered(ctx context.Context, r *mcp.CallToolRequest, summary string, next mcp.MethodHandler) (mcp.Result, error) {
	tool := r.Params.Name
	if c.states == nil {
		return refuse(ctx, "%s needs the user's confirmation, which this server is not set up to check; nothing was done", tool), nil
	}
	payload, err := c.states.Open(ctx, r.Params.RequestState, binding(ctx, r))
	switch {
	case err == nil && !bytes.Equal(payload, purpose):
		err = requeststate.ErrMalformed
	case err != nil && !isRefusal(err):
		callinfo.From(ctx).SetOutcome(callinfo.Error)
		return toolError("the confirmation of %s cannot be checked now (%v); nothing was done, try again later", tool, err), nil
	}
	if err != nil {
		return refuse(ctx, "nothing was done: %v", err), nil
	}
	answer, _ := r.Params.InputResponses[inputKey].(*mcp.ElicitResult)
	if res := declined(ctx, tool, summary, answer); res != nil {
		return res, nil
	}
	// The round is used up: the tool sees the call as it was first made.
	params := *r.Params
	params.InputResponses, params.RequestState = nil, ""
	again := *r
	again.Params = &params
	return next(ctx, "tools/call", &again)
}

// askSession asks a client of an older protocol with elicitation/create,
// in its session, and runs the call if the user accepts.
func (c *confirmer) askSession(ctx context.Context, r *mcp.CallToolRequest, summary string, next mcp.MethodHandler) (mcp.Result, error) {
	tool := r.Params.Name
	if r.Session == nil || !canElicit(r.ClientCapabilities()) {
		return cannotAsk(ctx, tool, "it does not support elicitation"), nil
	}
	// The user's time to answer is bounded as a multi-round client's is;
	// the tool's own time limit starts once it runs.
	askCtx, cancel := context.WithTimeout(ctx, c.ttl)
	answer, err := r.Session.Elicit(askCtx, question(tool, summary))
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Once expired, askCtx says so even after cancel.
		if errors.Is(askCtx.Err(), context.DeadlineExceeded) {
			return refuse(ctx, "the user did not answer within %s whether to run %s; nothing was done", c.ttl, tool), nil
		}
		// A stateless server cannot send a request to a client of an
		// older protocol: there is no session to carry it.
		return cannotAsk(ctx, tool, err.Error()), nil
	}
	if res := declined(ctx, tool, summary, answer); res != nil {
		return res, nil
	}
	return next(ctx, "tools/call", r)
}

// question is the elicitation that asks the user: the summary, and a box
// to tick, so that a client that accepts a form without showing it to
// anyone does not confirm by accident.
func question(tool, summary string) *mcp.ElicitParams {
	return &mcp.ElicitParams{
		Mode:    "form",
		Message: summary,
		RequestedSchema: &jsonschema.Schema{
			Type: "object",
			Properties: map[string]*jsonschema.Schema{
				"confirm": {
					Type:        "boolean",
					Title:       "Run " + tool,
					Description: "Tick to let " + tool + " do this. It runs only after you confirm.",
				},
			},
			Required: []string{"confirm"},
		},
	}
}

// declined returns the tool error for an answer that is not a
// confirmation, or nil for one that is.
func declined(ctx context.Context, tool, summary string, answer *mcp.ElicitResult) *mcp.CallToolResult {
	switch {
	case answer == nil:
		return refuse(ctx, "%s was not confirmed (no answer came with the call); nothing was done", tool)
	case answer.Action == "accept" && answer.Content["confirm"] == true:
		return nil
	case answer.Action == "cancel":
		callinfo.From(ctx).SetOutcome(callinfo.Declined)
		return toolError("the user cancelled: %s; nothing was done", summary)
	}
	callinfo.From(ctx).SetOutcome(callinfo.Declined)
	return toolError("the user declined: %s; nothing was done", summary)
}

// summary is the one line the user reads.
func (c *confirmer) summary(tool string, rule Rule, args map[string]any) (string, error) {
	var s string
	if rule.Summary != nil {
		var err error
		if s, err = rule.Summary(args); err != nil {
			return "", err
		}
	} else {
		s = "Run " + tool
		if len(args) > 0 {
			data, err := json.Marshal(args)
			if err != nil {
				return "", err
			}
			s += " with " + string(data)
		}
	}
	return oneLine(s), nil
}

// oneLine makes s one line of at most maxSummary runes: control characters
// become spaces, and a longer line is cut with an ellipsis.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= maxSummary {
		return s
	}
	return string([]rune(s)[:maxSummary-1]) + "…"
}

// binding is the call a state belongs to.
func binding(ctx context.Context, r *mcp.CallToolRequest) requeststate.Binding {
	b := requeststate.Binding{Tool: r.Params.Name, Arguments: r.Params.Arguments}
	ti := auth.TokenInfoFromContext(ctx)
	if r.Extra != nil && r.Extra.TokenInfo != nil {
		ti = r.Extra.TokenInfo
	}
	if ti != nil {
		b.User = ti.UserID
	}
	return b
}

// canElicit reports whether a client with caps can show a form.
func canElicit(caps *mcp.ClientCapabilities) bool {
	if caps == nil || caps.Elicitation == nil {
		return false
	}
	// An empty elicitation capability means forms, as the SDK reads it.
	e := caps.Elicitation
	return e.Form != nil || e.URL == nil
}

// isRefusal reports whether err is requeststate's verdict on the state,
// rather than a failure to check it.
func isRefusal(err error) bool {
	for _, e := range []error{requeststate.ErrMalformed, requeststate.ErrExpired, requeststate.ErrReplayed, requeststate.ErrMismatch} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func cannotAsk(ctx context.Context, tool, why string) *mcp.CallToolResult {
	return refuse(ctx, "%s runs only after the user confirms it, and this client cannot ask for that (%s); nothing was done", tool, why)
}

// refuse is a tool error for a call that was not allowed to run.
func refuse(ctx context.Context, format string, args ...any) *mcp.CallToolResult {
	callinfo.From(ctx).SetOutcome(callinfo.Refused)
	return toolError(format, args...)
}

func toolError(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{
		Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}},
		IsError: true,
	}
}
