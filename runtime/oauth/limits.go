package oauth

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mcpgen/mcpgen/runtime/ratelimit"
)

// RateLimits limit how often one client address may call the endpoints.
// A zero Limit is the endpoint's default; see the package documentation.
type RateLimits struct {
	// Off turns the limits off, unless OAUTH_RATE_LIMIT turns them on.
	Off bool
	// Register limits /register.
	Register ratelimit.Limit
	// Authorize limits each of the steps of a sign-in in the browser:
	// /authorize, /consent and /callback, each on its own.
	Authorize ratelimit.Limit
	// Token limits /token and /revoke, each on its own.
	Token ratelimit.Limit
	// FailOpen lets requests through when the limits cannot be checked
	// (the store is unreachable); otherwise they get 503.
	FailOpen bool
}

// The default limits, per client address and endpoint; the package
// documentation says why these.
var (
	defaultRegisterLimit  = ratelimit.Limit{PerMinute: 10, Burst: 5}
	defaultAuthorizeLimit = ratelimit.Limit{PerMinute: 60, Burst: 20}
	defaultTokenLimit     = ratelimit.Limit{PerMinute: 60, Burst: 20}
)

// limitSettings are the limits in force, from Options.RateLimits and the
// environment.
type limitSettings struct {
	register, authorize, token ratelimit.Limit
	failOpen                   bool
}

// readLimits settles the rate limits, nil when they are off, and reports
// every problem with them.
func readLimits(rl *RateLimits, get func(string) string) (*limitSettings, []string) {
	var problems []string
	l := &limitSettings{register: defaultRegisterLimit, authorize: defaultAuthorizeLimit, token: defaultTokenLimit}
	off := false
	if rl != nil {
		off, l.failOpen = rl.Off, rl.FailOpen
		for _, f := range []struct {
			name string
			set  ratelimit.Limit
			dst  *ratelimit.Limit
		}{{"Register", rl.Register, &l.register}, {"Authorize", rl.Authorize, &l.authorize}, {"Token", rl.Token, &l.token}} {
			if f.set == (ratelimit.Limit{}) {
				continue
			}
			if err := f.set.Validate(); err != nil {
				problems = append(problems, fmt.Sprintf("RateLimits.%s: %v", f.name, err))
			}
			*f.dst = f.set
		}
	}
	if v := get("OAUTH_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 0:
			problems = append(problems, fmt.Sprintf("OAUTH_RATE_LIMIT=%q is not a whole number of requests a minute (0 turns the limits off)", v))
		case n == 0:
			off = true
		default:
			lim := ratelimit.Limit{PerMinute: n}
			if err := lim.Validate(); err != nil {
				problems = append(problems, fmt.Sprintf("OAUTH_RATE_LIMIT=%q: %s", v, strings.TrimPrefix(err.Error(), "ratelimit: ")))
			}
			l.register, l.authorize, l.token = lim, lim, lim
			off = false
		}
	}
	switch v := get("OAUTH_RATE_LIMIT_FAIL"); strings.ToLower(v) {
	case "":
	case "closed":
		l.failOpen = false
	case "open":
		l.failOpen = true
	default:
		problems = append(problems, fmt.Sprintf("OAUTH_RATE_LIMIT_FAIL=%q is neither open nor closed", v))
	}
	if off {
		return nil, problems
	}
	return l, problems
}

// limiter returns a function that wraps an endpoint in its rate limit,
// counted under the endpoint's name, or leaves it alone when the limits
// are off. The limiter counts in the server's own store, under keys of its
// own, on the server's clock.
func (s *Server) limiter() func(name string, lim ratelimit.Limit, h http.HandlerFunc) http.Handler {
	set := s.set.limits
	if set == nil {
		return func(_ string, _ ratelimit.Limit, h http.HandlerFunc) http.Handler { return h }
	}
	l := ratelimit.New(s.store, &ratelimit.Options{
		Prefix: "ratelimit/oauth/",
		Now:    func() time.Time { return s.now() },
		Logger: s.logger,
		OnRefused: func(ctx context.Context, endpoint string, err error) {
			reason := ReasonRateLimited
			if err != nil {
				reason = "temporarily_unavailable"
			}
			s.emitCtx(ctx, endpoint, EventRefused, reason)
		},
	})
	return func(name string, lim ratelimit.Limit, h http.HandlerFunc) http.Handler {
		limited, err := l.HTTP(name, lim, set.failOpen, h)
		if err != nil {
			// New checked every limit.
			panic("oauth: " + err.Error())
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// CORS preflights carry no credentials and do nothing: a
			// browser-based client sends one before each request, which
			// must not halve its budget.
			if r.Method == http.MethodOptions {
				h(w, r)
				return
			}
			limited.ServeHTTP(w, r)
		})
	}
}
