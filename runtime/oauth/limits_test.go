package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/clientip"
	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
	"github.com/mcpgen/mcpgen/runtime/ratelimit"
	"github.com/mcpgen/mcpgen/runtime/store"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// clientAddrHeader names the client address the test server puts in a
// request's context, as serve does from the connection and trusted
// proxies.
const clientAddrHeader = "X-Test-Client-Addr"

// withClientAddr mounts a's endpoints behind the HTTP layer's clientip.
func withClientAddr(a *Server, _ *mcp.Server) http.Handler {
	mux := http.NewServeMux()
	a.Mount(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if addr, err := netip.ParseAddr(r.Header.Get(clientAddrHeader)); err == nil {
			r = r.WithContext(clientip.With(r.Context(), addr))
		}
		mux.ServeHTTP(w, r)
	})
}

// reply is an endpoint's answer.
type reply struct {
	status     int
	retryAfter string
	body       map[string]any
}

// send makes a request to an endpoint, from addr if it is set (else from
// 127.0.0.1, the connection's address).
func (e *env) send(method, path, addr, contentType, body string) reply {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if addr != "" {
		req.Header.Set(clientAddrHeader, addr)
	}
	resp, err := e.browser().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	json.NewDecoder(resp.Body).Decode(&r.body)
	return r
}

const registration = `{"redirect_uris":["http://127.0.0.1:9999/callback"],"token_endpoint_auth_method":"none"}`

func (e *env) registerFrom(addr string) reply {
	e.t.Helper()
	return e.send(http.MethodPost, "/register", addr, "application/json", registration)
}

func (e *env) registerFromLocal() reply { return e.registerFrom("") }

// badToken is a token request from an unknown client: refused, and
// counted.
func (e *env) badToken(addr string) reply {
	e.t.Helper()
	return e.send(http.MethodPost, "/token", addr, "application/x-www-form-urlencoded", "grant_type=authorization_code&client_id=nobody")
}

// count makes n requests and returns how many got want.
func count(n, want int, do func() reply) int {
	got := 0
	for range n {
		if do().status == want {
			got++
		}
	}
	return got
}

// wantLimited checks a 429 for exceeding a limit.
func wantLimited(t *testing.T, r reply, retryAfter string) {
	t.Helper()
	if r.status != http.StatusTooManyRequests || r.retryAfter != retryAfter || r.body["error"] != "temporarily_unavailable" ||
		!strings.HasPrefix(fmt.Sprint(r.body["error_description"]), "rate limit exceeded: ") {
		t.Fatalf("got %+v, want 429 temporarily_unavailable with Retry-After %s", r, retryAfter)
	}
}

// TestRateLimits checks the default limits on each endpoint, per client
// address.
func TestRateLimits(t *testing.T) {
	e := newEnv(t, &envOptions{handler: withClientAddr})

	// /register: 5 at once, then one each 6s.
	if got := count(5, http.StatusCreated, func() reply { return e.registerFrom("") }); got != 5 {
		t.Fatalf("%d of 5 registrations accepted", got)
	}
	before := e.events.len()
	wantLimited(t, e.registerFrom(""), "6")
	if got, want := e.events.since(before), []Event{{Kind: EventRefused, Endpoint: "register", Reason: ReasonRateLimited}}; !slices.Equal(got, want) {
		t.Errorf("events %+v, want %+v", got, want)
	}
	// Preflights are neither limited nor counted.
	if r := e.send(http.MethodOptions, "/register", "", "", ""); r.status != http.StatusNoContent {
		t.Errorf("a preflight over the limit: %d, want 204", r.status)
	}
	// Another address has its own budget; so has each endpoint.
	if r := e.registerFrom("192.0.2.1"); r.status != http.StatusCreated {
		t.Errorf("another address: %+v", r)
	}
	if r := e.badToken(""); r.status != http.StatusUnauthorized {
		t.Errorf("/token after /register's limit: %+v, want 401", r)
	}
	e.advance(6 * time.Second)
	if got := count(2, http.StatusCreated, e.registerFromLocal); got != 1 {
		t.Errorf("6s later, %d of 2 registrations accepted, want 1", got)
	}

	// /token: 20 at once (the one made 6s ago has come back), then one a
	// second; refused requests count.
	if got := count(21, http.StatusUnauthorized, func() reply { return e.badToken("") }); got != 20 {
		t.Fatalf("%d of 21 token requests answered, want 20", got)
	}
	wantLimited(t, e.badToken(""), "1")
	// /revoke has a budget of its own.
	if r := e.send(http.MethodPost, "/revoke", "", "application/x-www-form-urlencoded", "token=x&client_id=nobody"); r.status != http.StatusUnauthorized {
		t.Errorf("/revoke after /token's limit: %+v, want 401", r)
	}

	// /authorize: 20 at once, whatever the method.
	c := e.newClientFrom("192.0.2.2")
	authURL := strings.TrimPrefix(e.authURL(c, newPKCE(), nil), e.ts.URL)
	if got := count(20, http.StatusOK, func() reply { return e.send(http.MethodGet, authURL, "", "", "") }); got != 20 {
		t.Fatalf("%d of 20 authorization requests shown the consent page", got)
	}
	wantLimited(t, e.send(http.MethodGet, authURL, "", "", ""), "1")
	path, query, _ := strings.Cut(authURL, "?")
	wantLimited(t, e.send(http.MethodPost, path, "", "application/x-www-form-urlencoded", query), "1")
	// /consent and /callback count on their own.
	if r := e.send(http.MethodPost, "/consent", "", "application/x-www-form-urlencoded", "request=x"); r.status != http.StatusBadRequest {
		t.Errorf("/consent after /authorize's limit: %d, want 400", r.status)
	}
	if r := e.send(http.MethodGet, "/callback?state=x", "", "", ""); r.status != http.StatusBadRequest {
		t.Errorf("/callback after /authorize's limit: %d, want 400", r.status)
	}
}

// newClientFrom registers a public client from addr.
func (e *env) newClientFrom(addr string) *testClient {
	e.t.Helper()
	r := e.registerFrom(addr)
	if r.status != http.StatusCreated {
		e.t.Fatalf("register: %+v", r)
	}
	return &testClient{id: r.body["client_id"].(string), redirect: "http://127.0.0.1:9999/callback"}
}

// TestRateLimitSettings checks Options.RateLimits, and the settings that
// override them.
func TestRateLimitSettings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		limits   *RateLimits
		vars     map[string]string
		register int // registrations accepted at once; -1 for no limit
		token    int
	}{
		{"defaults", nil, nil, 5, 20},
		{"off", &RateLimits{Off: true}, nil, -1, -1},
		{"env-off", nil, map[string]string{"OAUTH_RATE_LIMIT": "0"}, -1, -1},
		{"options", &RateLimits{Register: ratelimit.Limit{PerMinute: 1}, Token: ratelimit.Limit{PerMinute: 60, Burst: 3}}, nil, 1, 3},
		{"env", &RateLimits{Register: ratelimit.Limit{PerMinute: 1}}, map[string]string{"OAUTH_RATE_LIMIT": " 7 "}, 7, 7},
		{"env-on-again", &RateLimits{Off: true}, map[string]string{"OAUTH_RATE_LIMIT": "2"}, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts *Options
			if tc.limits != nil {
				opts = &Options{Provider: "github", RateLimits: tc.limits}
			}
			e := newEnv(t, &envOptions{opts: opts, vars: tc.vars})
			for _, ep := range []struct {
				name   string
				want   int
				status int
				do     func() reply
			}{
				{"register", tc.register, http.StatusCreated, e.registerFromLocal},
				{"token", tc.token, http.StatusUnauthorized, func() reply { return e.badToken("") }},
			} {
				n := ep.want
				if n < 0 {
					n = 30
				}
				if got := count(n, ep.status, ep.do); got != n {
					t.Errorf("%s: %d of %d requests served", ep.name, got, n)
				}
				r := ep.do()
				if limited := r.status == http.StatusTooManyRequests; limited != (ep.want >= 0) {
					t.Errorf("%s: request %d got %d", ep.name, n+1, r.status)
				}
			}
		})
	}
}

func TestRateLimitConfigErrors(t *testing.T) {
	base := map[string]string{"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "ENCRYPTION_KEY": testKey}
	for _, tc := range []struct {
		name   string
		limits *RateLimits
		vars   map[string]string
		want   []string
	}{
		{"word", nil, map[string]string{"OAUTH_RATE_LIMIT": "ten"}, []string{`OAUTH_RATE_LIMIT="ten" is not a whole number of requests a minute (0 turns the limits off)`}},
		{"negative", nil, map[string]string{"OAUTH_RATE_LIMIT": "-1"}, []string{`OAUTH_RATE_LIMIT="-1" is not a whole number`}},
		{"huge", nil, map[string]string{"OAUTH_RATE_LIMIT": "2000000"}, []string{`OAUTH_RATE_LIMIT="2000000": 2000000 calls a minute: want at most`}},
		{"fail", nil, map[string]string{"OAUTH_RATE_LIMIT_FAIL": "maybe"}, []string{`OAUTH_RATE_LIMIT_FAIL="maybe" is neither open nor closed`}},
		{"options", &RateLimits{Token: ratelimit.Limit{PerMinute: 10, Burst: -1}}, nil, []string{"RateLimits.Token: ratelimit: a burst of -1"}},
		{"all-at-once", &RateLimits{Register: ratelimit.Limit{Burst: 3}}, map[string]string{"OAUTH_RATE_LIMIT_FAIL": "sometimes", "BASE_URL": "nope"},
			[]string{"RateLimits.Register", "OAUTH_RATE_LIMIT_FAIL", "BASE_URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"STORE_URL": "memory:"}
			for k, v := range base {
				vars[k] = v
			}
			for k, v := range tc.vars {
				vars[k] = v
			}
			s, err := New(&Options{Provider: "github", RateLimits: tc.limits}, lookupMap(vars), slog.New(slog.DiscardHandler))
			if err == nil {
				s.Close()
				t.Fatal("New succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	// Both spellings of the failure modes are accepted.
	for _, v := range []string{"open", "closed", "OPEN"} {
		vars := map[string]string{"STORE_URL": "memory:", "OAUTH_RATE_LIMIT_FAIL": v}
		for k, v := range base {
			vars[k] = v
		}
		s, err := New(&Options{Provider: "github"}, lookupMap(vars), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Errorf("OAUTH_RATE_LIMIT_FAIL=%s: %v", v, err)
			continue
		}
		if got := s.set.limits.failOpen; got != strings.EqualFold(v, "open") {
			t.Errorf("OAUTH_RATE_LIMIT_FAIL=%s: fail open %v", v, got)
		}
		s.Close()
	}
}

// downStore fails every call while down is set, as a store whose backend
// cannot be reached.
type downStore struct {
	store.Store
	down atomic.Bool
}

func (d *downStore) err() error {
	return fmt.Errorf("dial tcp: connection refused: %w", store.ErrUnavailable)
}

func (d *downStore) Get(ctx context.Context, key string) ([]byte, error) {
	if d.down.Load() {
		return nil, d.err()
	}
	return d.Store.Get(ctx, key)
}

func (d *downStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if d.down.Load() {
		return d.err()
	}
	return d.Store.Put(ctx, key, value, ttl)
}

func (d *downStore) CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	if d.down.Load() {
		return false, d.err()
	}
	return d.Store.CompareAndSwap(ctx, key, old, new, ttl)
}

// TestRateLimitFailure checks both ways to fail when the limits cannot be
// checked: closed, the limiter answers 503 itself; open, the request goes
// on, to fail on its own for want of the store.
func TestRateLimitFailure(t *testing.T) {
	for _, tc := range []struct {
		fail string
		desc string
	}{
		{"", "the rate limit could not be checked"},
		{"open", "the server cannot reach its store"},
	} {
		t.Run("fail="+tc.fail, func(t *testing.T) {
			ds := &downStore{}
			e := newEnv(t, &envOptions{
				vars: map[string]string{"OAUTH_RATE_LIMIT_FAIL": tc.fail},
				setup: func(s *Server) {
					ds.Store = s.store
					s.store = ds
				},
			})
			e.newClient()
			ds.down.Store(true)
			before := e.events.len()
			r := e.registerFrom("")
			if r.status != http.StatusServiceUnavailable || r.retryAfter != "5" || r.body["error"] != "temporarily_unavailable" ||
				!strings.HasPrefix(fmt.Sprint(r.body["error_description"]), tc.desc) {
				t.Fatalf("got %+v, want 503 temporarily_unavailable: %s…", r, tc.desc)
			}
			if got, want := e.events.since(before), []Event{{Kind: EventRefused, Endpoint: "register", Reason: "temporarily_unavailable"}}; !slices.Equal(got, want) {
				t.Errorf("events %+v, want %+v", got, want)
			}
			ds.down.Store(false)
			e.newClient()
		})
	}
}

// TestRateLimitReplicas checks that replicas sharing a Redis share each
// address's budget.
func TestRateLimitReplicas(t *testing.T) {
	srv := redistest.Start(t)
	vars := replicaVars(t, srv)
	a := newEnv(t, &envOptions{vars: vars})
	b := newEnv(t, &envOptions{vars: vars})
	// Three on A and two on B use up the burst of five; the next, on
	// either, is refused.
	got := count(3, http.StatusCreated, a.registerFromLocal) + count(2, http.StatusCreated, b.registerFromLocal)
	if got != 5 {
		t.Fatalf("%d of 5 registrations accepted", got)
	}
	wantLimited(t, a.registerFrom(""), "6")
	wantLimited(t, b.registerFrom(""), "6")
}
