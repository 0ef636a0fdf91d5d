package ratelimit

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/mcpgen/mcpgen/runtime/internal/clientip"
)

// unavailableRetry is the Retry-After, in seconds, of a request refused
// because its limit could not be checked: long enough for a store that
// blipped to be back.
const unavailableRetry = "5"

// HTTP wraps next so that each client address may make lim requests to it,
// counted under name (which must differ between endpoints with budgets of
// their own). The address is the one the HTTP layer put in the request's
// context with clientip (which knows about trusted proxies), or else the
// host of the request's RemoteAddr.
//
// A request over the limit gets 429 Too Many Requests (RFC 6585) with
// Retry-After in whole seconds. When the limit cannot be checked, the
// request goes through if failOpen is set, and otherwise gets 503 Service
// Unavailable with Retry-After. Both bodies are JSON in the shape of an
// OAuth error (RFC 6749 §5.2), {"error":"temporarily_unavailable",
// "error_description":"…"}: OAuth defines no code for rate limits, and
// temporarily_unavailable, "due to a temporary overloading", is the one
// that tells an OAuth client to try again later; the status tells the two
// cases apart.
func (l *Limiter) HTTP(name string, lim Limit, failOpen bool, next http.Handler) (http.Handler, error) {
	if err := lim.Validate(); err != nil {
		return nil, fmt.Errorf("the limit on %s: %w", name, err)
	}
	if name == "" {
		return nil, fmt.Errorf("ratelimit: an HTTP limit needs a name")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sub := local
		if a, ok := clientip.From(r.Context()); ok {
			sub = addrSubject(a)
		} else if a, ok := remoteAddr(r.RemoteAddr); ok {
			sub = addrSubject(a)
		}
		d, err := l.Allow(r.Context(), "http/"+name+"/"+sub.key, lim)
		switch {
		case err != nil && failOpen:
		case err != nil:
			l.refused(r.Context(), name, err)
			w.Header().Set("Retry-After", unavailableRetry)
			writeError(w, http.StatusServiceUnavailable, "the rate limit could not be checked, as the server cannot reach its store; try again shortly")
			return
		case !d.Allowed:
			l.refused(r.Context(), name, nil)
			secs := seconds(d.RetryAfter)
			what := lim.describe("requests")
			if sub.per != "" {
				what += " " + sub.per
			}
			w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
			writeError(w, http.StatusTooManyRequests, fmt.Sprintf("rate limit exceeded: %s; retry in %ds", what, secs))
			return
		}
		next.ServeHTTP(w, r)
	}), nil
}

func writeError(w http.ResponseWriter, status int, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": "temporarily_unavailable", "error_description": desc})
}
