package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// replicaVars are the settings of replicas of one server on srv: one
// Redis, under a prefix of the test's own, and one public BASE_URL (a
// load balancer's) in front of them, which the tests never dial.
func replicaVars(t *testing.T, srv *redistest.Server) map[string]string {
	return map[string]string{
		"STORE_URL": srv.URL() + "?prefix=" + url.QueryEscape(t.Name()+":"),
		"BASE_URL":  "http://127.0.0.1:1",
	}
}

// postForm POSTs a form and returns the status, the JSON body and the
// headers; it is safe to call from several goroutines.
func postForm(u string, form url.Values) (int, map[string]any, http.Header, error) {
	resp, err := http.PostForm(u, form)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header, nil
}

// TestReplicas runs one sign-in across two replicas sharing one Redis:
// each step on the other replica from the one before.
func TestReplicas(t *testing.T) {
	srv := redistest.Start(t)
	vars := replicaVars(t, srv)
	a := newEnv(t, &envOptions{vars: vars})
	b := newEnv(t, &envOptions{vars: vars})
	if !a.auth.store.Shared() || !b.auth.store.Shared() {
		t.Fatal("the replicas' store is not shared")
	}

	c := a.newClient()                        // register on A
	p := newPKCE()                            //
	code := b.code(c, p)                      // authorize and consent on B
	access, refresh := a.exchange(c, code, p) // redeem on A
	b.wantAccepted(access)
	a.wantAccepted(access)

	// Refresh on B.
	status, out := b.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}})
	if status != http.StatusOK {
		t.Fatalf("refresh on B: %d %v", status, out)
	}
	access2, refresh2 := out["access_token"].(string), out["refresh_token"].(string)
	a.wantAccepted(access2)

	// Revoke on A: refused on B.
	status, out, _, err := postForm(a.ts.URL+"/revoke", url.Values{"token": {refresh2}, "client_id": {c.id}})
	if err != nil || status != http.StatusOK {
		t.Fatalf("revoke on A: %d %v %v", status, out, err)
	}
	b.wantRejected(access2)
	b.wantRejected(access)
	status, out = b.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh2}})
	wantError(t, status, out, http.StatusBadRequest, "invalid_grant")

	// One code redeemed on A and B at once: exactly one wins.
	for round := range 10 {
		// Two requests a round to /token from one address: the rounds
		// are two seconds apart on both replicas' clocks, so that they
		// keep to its rate limit.
		a.advance(2 * time.Second)
		b.advance(2 * time.Second)
		p := newPKCE()
		code := a.code(c, p)
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {c.id}, "code": {code},
			"redirect_uri": {c.redirect}, "code_verifier": {p.verifier}}
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		bodies := make([]map[string]any, 2)
		start := make(chan struct{})
		for i, e := range []*env{a, b} {
			wg.Go(func() {
				<-start
				var err error
				statuses[i], bodies[i], _, err = postForm(e.ts.URL+"/token", form)
				if err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for i := range 2 {
			switch {
			case statuses[i] == http.StatusOK && bodies[i]["access_token"] != nil:
				won++
			case statuses[i] == http.StatusBadRequest && bodies[i]["error"] == "invalid_grant":
			default:
				t.Errorf("round %d: redemption %d: %d %v", round, i, statuses[i], bodies[i])
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d redemptions of one code succeeded, want 1", round, won)
		}
	}
}

// TestStoreDown kills Redis under a signed-in server: every endpoint that
// needs the store answers 503, OAuth-style where the client reads JSON,
// and issues nothing; once Redis is back the server works again.
func TestStoreDown(t *testing.T) {
	srv := redistest.Start(t)
	e := newEnv(t, &envOptions{vars: replicaVars(t, srv)})
	c, access, refresh := e.signIn()
	p := newPKCE()
	code := e.code(c, p)
	e.wantAccepted(access)

	srv.Stop()
	wantUnavailable := func(what string, status int, out map[string]any, h http.Header) {
		t.Helper()
		if status != http.StatusServiceUnavailable || out["error"] != "temporarily_unavailable" || h.Get("Retry-After") == "" {
			t.Errorf("%s with the store down: %d %v (Retry-After %q), want 503 temporarily_unavailable", what, status, out, h.Get("Retry-After"))
		}
		if out["access_token"] != nil || out["refresh_token"] != nil || out["client_id"] != nil {
			t.Errorf("%s with the store down issued %v", what, out)
		}
	}
	status, out, h, err := postForm(e.ts.URL+"/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}})
	if err != nil {
		t.Fatal(err)
	}
	wantUnavailable("refresh", status, out, h)
	status, out, h, _ = postForm(e.ts.URL+"/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {c.id}, "code": {code},
		"redirect_uri": {c.redirect}, "code_verifier": {p.verifier}})
	wantUnavailable("code exchange", status, out, h)
	status, out, h, _ = postForm(e.ts.URL+"/revoke", url.Values{"token": {refresh}, "client_id": {c.id}})
	wantUnavailable("revocation", status, out, h)

	resp, err := http.Post(e.ts.URL+"/register", "application/json", strings.NewReader(`{"redirect_uris":["http://127.0.0.1:9999/cb"],"token_endpoint_auth_method":"none"}`))
	if err != nil {
		t.Fatal(err)
	}
	out = nil
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	wantUnavailable("registration", resp.StatusCode, out, resp.Header)

	if status, _ := e.mcpStatus(access); status != http.StatusServiceUnavailable {
		t.Errorf("/mcp with the store down: %d, want 503", status)
	}
	resp, err = e.browser().Get(e.authURL(c, newPKCE(), nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/authorize with the store down: %s, want 503", resp.Status)
	}
	if !strings.Contains(e.logs.String(), "the store is unavailable") {
		t.Error("the outage is not logged")
	}

	// Back (empty: the test server keeps nothing): the same server
	// registers clients again, with no restart.
	srv.Restart()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, out := e.register(map[string]any{"redirect_uris": []string{"http://127.0.0.1:9999/cb"}, "token_endpoint_auth_method": "none"})
		if code == http.StatusCreated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("registration after Redis came back: %d %v", code, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// failingStore fails the Puts of one kind of record as an unreachable
// store would.
type failingStore struct {
	store.Store
	kind string // key prefix
}

func (f *failingStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if f.kind != "" && strings.HasPrefix(key, f.kind) {
		return fmt.Errorf("put: %w", store.ErrUnavailable)
	}
	return f.Store.Put(ctx, key, value, ttl)
}

// TestNoTokenUnstored fails the store between the access token and the
// refresh token: the client gets 503 and neither token.
func TestNoTokenUnstored(t *testing.T) {
	var fs *failingStore
	e := newEnv(t, &envOptions{setup: func(s *Server) {
		fs = &failingStore{Store: s.store}
		s.store = fs
	}})
	c := e.newClient()
	p := newPKCE()
	code := e.code(c, p)
	fs.kind = keyRefresh
	status, out := e.token(url.Values{"grant_type": {"authorization_code"}, "client_id": {c.id}, "code": {code},
		"redirect_uri": {c.redirect}, "code_verifier": {p.verifier}})
	wantError(t, status, out, http.StatusServiceUnavailable, "temporarily_unavailable")
	if out["access_token"] != nil || out["refresh_token"] != nil {
		t.Fatalf("a token was issued that the store did not keep: %v", out)
	}
}

// fakeRefresher is a provider whose tokens expire and whose refresh
// tokens rotate: a refresh token is good once, as with providers that
// detect reuse. It counts the refreshes.
type fakeRefresher struct {
	*httptest.Server
	mu        sync.Mutex
	n         int    // refreshes done
	access    string // the access token the API takes
	refresh   string // the refresh token the token endpoint takes
	revoked   bool   // the user revoked the app at the provider
	refreshes int
}

func newFakeRefresher(t *testing.T) *fakeRefresher {
	f := &fakeRefresher{access: "access-0", refresh: "refresh-0"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("grant_type") != "refresh_token" || f.revoked || r.PostForm.Get("refresh_token") != f.refresh {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		f.refreshes++
		f.n++
		f.access, f.refresh = fmt.Sprintf("access-%d", f.n), fmt.Sprintf("refresh-%d", f.n)
		json.NewEncoder(w).Encode(map[string]any{"access_token": f.access, "refresh_token": f.refresh, "token_type": "Bearer", "expires_in": 3600})
	})
	mux.HandleFunc("GET /octo", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		ok := r.Header.Get("Authorization") == "Bearer "+f.access
		f.mu.Unlock()
		if !ok {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "ok")
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// putGrant stores a grant whose provider token has expired, as a sign-in
// an hour ago would have left it, and returns its ID.
func putGrant(t *testing.T, e *env, tok *oauth2.Token) string {
	t.Helper()
	g := &grant{ID: randomToken(), ClientID: "client", User: User{ID: "1", Login: "octocat"}, Resource: e.auth.resource,
		Scopes: []string{scopeMCP}, Created: e.clock.now().Unix(), Expires: e.clock.now().Add(refreshTokenTTL).Unix()}
	if err := g.setUpstream(e.auth.set.keys, tok); err != nil {
		t.Fatal(err)
	}
	if err := e.auth.putJSON(context.Background(), keyGrant+g.ID, g, refreshTokenTTL); err != nil {
		t.Fatal(err)
	}
	return g.ID
}

// callAPI calls the provider's API as the user of grant id, through
// UpstreamClient, as a tool would.
func callAPI(e *env, api, id string) error {
	req := &mcp.CallToolRequest{Extra: &mcp.RequestExtra{TokenInfo: &auth.TokenInfo{Extra: map[string]any{extraGrant: id}}}}
	hc, err := e.auth.UpstreamClient(context.Background(), req)
	if err != nil {
		return err
	}
	resp, err := hc.Get(api + "/octo")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("API: %s", resp.Status)
	}
	return nil
}

// callAPIWithToken calls the provider's API as the user of grant id, with
// the token UserToken gives, as runtime/upstream does for an OpenAPI tool.
func callAPIWithToken(e *env, api, id string) error {
	req := &mcp.CallToolRequest{Extra: &mcp.RequestExtra{TokenInfo: &auth.TokenInfo{Extra: map[string]any{extraGrant: id}}}}
	tok, err := e.auth.UserToken(context.Background(), req)
	if err != nil {
		return err
	}
	r, err := http.NewRequest("GET", api+"/octo", nil)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("API: %s", resp.Status)
	}
	return nil
}

// The two ways a tool calls the provider's API as its user.
var apiCallers = []struct {
	name string
	call func(e *env, api, id string) error
}{{"UpstreamClient", callAPI}, {"UserToken", callAPIWithToken}}

// TestUpstreamRefreshOnce has replicas on one Redis need the same
// expired provider token at once: it is refreshed once, and every call
// goes through with the new token. Refreshing twice would fail here, as
// the provider takes each refresh token once.
func TestUpstreamRefreshOnce(t *testing.T) {
	for _, c := range apiCallers {
		t.Run(c.name, func(t *testing.T) { testUpstreamRefreshOnce(t, c.call) })
	}
}

func testUpstreamRefreshOnce(t *testing.T, callAPI func(e *env, api, id string) error) {
	srv := redistest.Start(t)
	f := newFakeRefresher(t)
	vars := replicaVars(t, srv)
	vars["GITHUB_TOKEN_URL"], vars["GITHUB_API_URL"] = f.URL+"/token", f.URL
	a := newEnv(t, &envOptions{vars: vars})
	b := newEnv(t, &envOptions{vars: vars})
	id := putGrant(t, a, &oauth2.Token{AccessToken: "access-0", RefreshToken: "refresh-0", Expiry: time.Now().Add(-time.Minute)})

	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 8 {
		e := []*env{a, b}[i%2]
		wg.Go(func() {
			<-start
			if err := callAPI(e, f.URL, id); err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	f.mu.Lock()
	n := f.refreshes
	f.mu.Unlock()
	if n != 1 {
		t.Fatalf("the provider token was refreshed %d times, want once", n)
	}
	// The refreshed token is kept, sealed: later calls need no refresh.
	if err := callAPI(b, f.URL, id); err != nil {
		t.Fatal(err)
	}
	if f.refreshes != 1 {
		t.Errorf("a later call refreshed again")
	}
	sealed, err := a.auth.store.Get(context.Background(), keyUpstream+id)
	if err != nil || strings.Contains(string(sealed), "access-1") {
		t.Errorf("the refreshed token is not kept sealed: %v", err)
	}
	if logs := a.logs.String() + b.logs.String(); strings.Contains(logs, "access-1") || strings.Contains(logs, "refresh-1") {
		t.Error("a provider token appears in the logs")
	}
}

// TestUpstreamInvalidGrant: a provider that refuses the refresh (the user
// revoked the app there) revokes the grant, and the tool's error says to
// sign in again.
func TestUpstreamInvalidGrant(t *testing.T) {
	for _, c := range apiCallers {
		t.Run(c.name, func(t *testing.T) { testUpstreamInvalidGrant(t, c.call) })
	}
}

func testUpstreamInvalidGrant(t *testing.T, callAPI func(e *env, api, id string) error) {
	f := newFakeRefresher(t)
	f.revoked = true
	e := newEnv(t, &envOptions{vars: map[string]string{"GITHUB_TOKEN_URL": f.URL + "/token", "GITHUB_API_URL": f.URL}})
	id := putGrant(t, e, &oauth2.Token{AccessToken: "access-0", RefreshToken: "refresh-0", Expiry: time.Now().Add(-time.Minute)})
	err := callAPI(e, f.URL, id)
	if err == nil || !errors.Is(err, errSignInAgain) || !strings.Contains(err.Error(), "sign in again") {
		t.Fatalf("API call with a refused refresh: %v, want one saying to sign in again", err)
	}
	if _, err := e.auth.loadGrant(context.Background(), id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the grant survived the provider's invalid_grant: %v", err)
	}
	// Another grant, whose refresh works, is untouched by that.
	f.mu.Lock()
	f.revoked = false
	f.mu.Unlock()
	id2 := putGrant(t, e, &oauth2.Token{AccessToken: "access-0", RefreshToken: "refresh-0", Expiry: time.Now().Add(-time.Minute)})
	if err := callAPI(e, f.URL, id2); err != nil {
		t.Fatalf("a refresh the provider takes: %v", err)
	}
}
