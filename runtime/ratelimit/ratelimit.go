// Package ratelimit limits how often a user or a client address may call a
// server, with limits that every replica of the server shares.
//
// A [Limiter] keeps its state in a [store.Store]: on a bbolt file or in
// memory it limits one process, and on Redis every replica that shares the
// store counts against one budget. Each (scope, subject) pair, such as one
// user calling one tool, has one key in the store, holding the time at
// which its budget will be whole again (the generic cell rate algorithm),
// and expires once that time has passed, when it would say nothing an
// absent key does not. A call allowed costs a read and a compare-and-swap
// ([store.Update]), and a call refused a read.
//
// [Limiter.Middleware] limits tools/call on an MCP server, per user when
// the call is signed in and per client address otherwise;
// [Limiter.HTTP] limits an HTTP endpoint per client address.
//
// # Limits
//
// A [Limit] of PerMinute calls a minute with a Burst of B lets a subject
// make up to B calls at once, and then one more each minute/PerMinute. A
// zero Burst is PerMinute: a subject that keeps to PerMinute calls in every
// minute is never refused, and one that does not is held to PerMinute
// calls a minute after its first burst. A smaller Burst spreads the calls
// out.
//
// Replicas compare their clocks through the store: their clocks should
// agree to well within the time between two calls of a limit.
//
// # Failures
//
// When the store cannot be reached, a limit cannot be checked. Each
// middleware then either lets calls through (fail open) or refuses them
// (fail closed), as configured; the limiter logs the first failure and
// the recovery, not every call in between.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
)

// A Limit is a rate: PerMinute calls a minute, of which up to Burst at
// once.
type Limit struct {
	// PerMinute is how many calls a minute a subject may make on average.
	PerMinute int
	// Burst is how many calls a subject may make at once after a quiet
	// spell; 0 means PerMinute.
	Burst int
}

// maxRate bounds PerMinute and Burst, so that the interval between calls
// stays many nanoseconds long and a whole burst's time fits in a Duration.
const maxRate = 1_000_000

// Validate reports whether l is a usable limit.
func (l Limit) Validate() error {
	switch {
	case l.PerMinute <= 0:
		return fmt.Errorf("ratelimit: %d calls a minute: want at least 1", l.PerMinute)
	case l.PerMinute > maxRate:
		return fmt.Errorf("ratelimit: %d calls a minute: want at most %d", l.PerMinute, maxRate)
	case l.Burst < 0:
		return fmt.Errorf("ratelimit: a burst of %d: want 0 (as many as a minute's calls) or more", l.Burst)
	case l.Burst > maxRate:
		return fmt.Errorf("ratelimit: a burst of %d: want at most %d", l.Burst, maxRate)
	}
	return nil
}

func (l Limit) burst() int {
	if l.Burst == 0 {
		return l.PerMinute
	}
	return l.Burst
}

// describe says what l allows, as refusals quote it: "60 calls a minute",
// and the burst when it is not the default.
func (l Limit) describe(noun string) string {
	s := fmt.Sprintf("%d %s a minute", l.PerMinute, noun)
	if l.Burst != 0 && l.Burst != l.PerMinute {
		s += fmt.Sprintf(" (at most %d at once)", l.Burst)
	}
	return s
}

// A Decision is the answer to one call's check.
type Decision struct {
	// Allowed is whether the call may go ahead. It has been counted.
	Allowed bool
	// RetryAfter, for a call refused, is how long until a call would be
	// allowed.
	RetryAfter time.Duration
	// Remaining is how many more calls would be allowed at once now.
	Remaining int
}

// Options configure a Limiter. The zero value (or nil) means defaults.
type Options struct {
	// Prefix is put before every key the limiter keeps in the store, so
	// that its keys do not clash with others there. Default "ratelimit/".
	Prefix string
	// Now is the clock; nil means time.Now. Tests set it to move time.
	Now func() time.Time
	// Logger logs the store failing and recovering; nil means
	// slog.Default().
	Logger *slog.Logger
	// OnRefused, if set, is called for every call or request that
	// [Limiter.Middleware] or [Limiter.HTTP] refuses: with a nil error when
	// a limit was exceeded, or with the error when a limit could not be
	// checked and the limit fails closed. Scope is the tool's name, "tools"
	// for the limit on all tools, or the name given to HTTP. It runs on the
	// request's goroutine, so it must be quick.
	OnRefused func(ctx context.Context, scope string, err error)
}

// A Limiter checks limits against one store. It is safe for concurrent
// use.
type Limiter struct {
	st        store.Store
	prefix    string
	now       func() time.Time
	logger    *slog.Logger
	onRefused func(context.Context, string, error)

	// failing is whether the last check failed, so that an outage of the
	// store is logged once rather than on every call.
	failing atomic.Bool
}

// New returns a Limiter that keeps its state in st. Opts may be nil.
func New(st store.Store, opts *Options) *Limiter {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Prefix == "" {
		o.Prefix = "ratelimit/"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Limiter{st: st, prefix: o.Prefix, now: o.Now, logger: o.Logger, onRefused: o.OnRefused}
}

// errRefused stops store.Update without a write: a refused call changes
// nothing.
var errRefused = errors.New("refused")

// conflictRetries is how many times Allow runs store.Update, which itself
// retries a few times, when writers racing for one key keep beating it:
// a hot key under a limit is expected, not a failure.
const conflictRetries = 3

// Allow counts a call against lim under key (prefixed with Options.Prefix
// in the store) and decides whether it may go ahead. A call refused is
// not counted. The error is for a check that could not be made: an
// invalid limit, or the store failing, which Allow logs once per outage
// (the first failure, and the first success after it).
func (l *Limiter) Allow(ctx context.Context, key string, lim Limit) (Decision, error) {
	if err := lim.Validate(); err != nil {
		return Decision{}, err
	}
	if key == "" {
		return Decision{}, errors.New("ratelimit: empty key")
	}
	interval := time.Minute / time.Duration(lim.PerMinute)
	// capacity is how far ahead of now the budget's refill may run: a
	// whole burst's worth.
	capacity := time.Duration(lim.burst()) * interval
	// Once the refill time has passed, a key holds nothing an absent key
	// does not: it may expire then. A second's slack keeps the store's
	// rounding from dropping it early.
	ttl := capacity + time.Second
	var d Decision
	fn := func(old []byte, exists bool) ([]byte, error) {
		now := l.now()
		tat := now // when the budget is whole again
		if exists {
			// A value that does not parse (not written by a limiter)
			// counts as a whole budget, and is overwritten.
			if n, err := strconv.ParseInt(string(old), 10, 64); err == nil {
				if t := time.Unix(0, n); t.After(now) {
					tat = t
				}
			}
		}
		next := tat.Add(interval)
		ahead := next.Sub(now)
		if ahead > capacity {
			d = Decision{RetryAfter: ahead - capacity}
			return nil, errRefused
		}
		d = Decision{Allowed: true, Remaining: int((capacity - ahead) / interval)}
		return strconv.AppendInt(nil, next.UnixNano(), 10), nil
	}
	var err error
	for range conflictRetries {
		_, err = store.Update(ctx, l.st, l.prefix+key, ttl, fn)
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	switch {
	case err == nil || errors.Is(err, errRefused):
		if l.failing.Load() && l.failing.Swap(false) {
			l.logger.Info("ratelimit: the store answers again; checking rate limits")
		}
		return d, nil
	case ctx.Err() != nil:
		// The caller gave up: that says nothing about the store.
		return Decision{}, err
	}
	if !l.failing.Swap(true) {
		l.logger.Error("ratelimit: cannot check rate limits; calls are let through or refused as each limit is set to fail, until the store answers", "err", err)
	}
	return Decision{}, fmt.Errorf("ratelimit: checking %q: %w", key, err)
}

// refused reports a refusal to Options.OnRefused.
func (l *Limiter) refused(ctx context.Context, scope string, err error) {
	if l.onRefused != nil {
		l.onRefused(ctx, scope, err)
	}
}

// seconds rounds d up to whole seconds, at least 1, as Retry-After and
// the tool error's hint give it.
func seconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
