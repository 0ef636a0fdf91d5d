package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// schemes are one security scheme of each kind.
var schemes = []SecurityScheme{
	{Name: "header_key", Type: "apiKey", In: "header", ParamName: "X-API-Key", Env: []string{"HEADER_KEY"}},
	{Name: "query_key", Type: "apiKey", In: "query", ParamName: "api_key", Env: []string{"QUERY_KEY"}},
	{Name: "cookie_key", Type: "apiKey", In: "cookie", ParamName: "session", Env: []string{"COOKIE_KEY"}},
	{Name: "bearer", Type: "http", Scheme: "bearer", Env: []string{"BEARER_TOKEN"}},
	{Name: "basic", Type: "http", Scheme: "basic", Env: []string{"BASIC_USER", "BASIC_PASSWORD"}},
	{Name: "token", Type: "http", Scheme: "Token", Env: []string{"TOKEN"}},
}

var secrets = map[string]string{
	"HEADER_KEY":     "hk-0123456789",
	"QUERY_KEY":      "qk 0123/456789",
	"COOKIE_KEY":     "ck-0123456789",
	"BEARER_TOKEN":   "bt-0123456789",
	"BASIC_USER":     "ann",
	"BASIC_PASSWORD": "pw-0123456789",
	"TOKEN":          "tk-0123456789",
}

func TestCredentials(t *testing.T) {
	srv, got := recorder(t)
	c := newClient(t, &API{Name: "test", Schemes: schemes}, srv, secrets)
	for _, tc := range []struct {
		security [][]string
		check    func(r request) string // what is wrong, if anything
	}{
		{[][]string{{"header_key"}}, func(r request) string {
			return expect("X-API-Key", r.Header.Get("X-API-Key"), "hk-0123456789")
		}},
		{[][]string{{"query_key"}}, func(r request) string {
			return expect("request URI", r.URI, "/op?q=1&api_key=qk%200123%2F456789")
		}},
		{[][]string{{"cookie_key"}}, func(r request) string {
			return expect("Cookie", r.Header.Get("Cookie"), "c=2; session=ck-0123456789")
		}},
		{[][]string{{"bearer"}}, func(r request) string {
			return expect("Authorization", r.Header.Get("Authorization"), "Bearer bt-0123456789")
		}},
		{[][]string{{"basic"}}, func(r request) string {
			return expect("Authorization", r.Header.Get("Authorization"), "Basic YW5uOnB3LTAxMjM0NTY3ODk=")
		}},
		{[][]string{{"token"}}, func(r request) string {
			return expect("Authorization", r.Header.Get("Authorization"), "Token tk-0123456789")
		}},
		// All the schemes of an alternative apply together.
		{[][]string{{"header_key", "bearer"}}, func(r request) string {
			return expect("X-API-Key", r.Header.Get("X-API-Key"), "hk-0123456789") +
				expect("Authorization", r.Header.Get("Authorization"), "Bearer bt-0123456789")
		}},
		// Security nil: nothing is sent.
		{nil, func(r request) string {
			return expect("Authorization", r.Header.Get("Authorization"), "") + expect("X-API-Key", r.Header.Get("X-API-Key"), "")
		}},
	} {
		op := &Operation{Method: "GET", Path: "/op", Security: tc.security, Params: []Param{
			{Name: "q", In: "query", Style: "form", Explode: true},
			{Name: "c", In: "cookie", Style: "form", Explode: true},
		}}
		if _, err := c.Do(context.Background(), op, map[string]any{"q": "1", "c": "2"}); err != nil {
			t.Fatalf("%v: %v", tc.security, err)
		}
		if problem := tc.check(got()); problem != "" {
			t.Errorf("%v: %s", tc.security, problem)
		}
	}
}

func expect(what, got, want string) string {
	if got != want {
		return fmt.Sprintf("%s = %q, want %q; ", what, got, want)
	}
	return ""
}

func TestSecurityAlternatives(t *testing.T) {
	srv, got := recorder(t)
	api := &API{Name: "test", Schemes: schemes}
	c := newClient(t, api, srv, map[string]string{"BEARER_TOKEN": "bt-0123456789", "BASIC_USER": "ann"})

	// The first alternative whose credentials are all set is used.
	op := &Operation{Method: "GET", Path: "/", Security: [][]string{{"header_key"}, {"basic"}, {"bearer"}, {"query_key"}}}
	if _, err := c.Do(context.Background(), op, nil); err != nil {
		t.Fatal(err)
	}
	if auth := got().Header.Get("Authorization"); auth != "Bearer bt-0123456789" {
		t.Errorf("Authorization = %q, want the bearer token", auth)
	}

	// An empty alternative allows anonymous calls.
	op = &Operation{Method: "GET", Path: "/", Security: [][]string{{"header_key"}, {}}}
	if _, err := c.Do(context.Background(), op, nil); err != nil {
		t.Fatal(err)
	}
	if r := got(); r.Header.Get("X-API-Key") != "" || r.Header.Get("Authorization") != "" {
		t.Errorf("anonymous call sent credentials: %v", r.Header)
	}

	// None set: the call goes without credentials, and the API decides.
	op = &Operation{Method: "GET", Path: "/secret", Security: [][]string{{"header_key"}, {"basic", "query_key"}, {"nowhere"}}}
	res, err := c.Call(context.Background(), op, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := got(); r.Header.Get("X-API-Key") != "" || r.Header.Get("Authorization") != "" || r.URI != "/secret" {
		t.Errorf("a call without its credentials sent some: %s %v", r.URI, r.Header)
	}
	if res.IsError || structured(t, res) != `{"ok":true}` {
		t.Errorf("result %q (IsError %v), want the API's answer", resultText(res), res.IsError)
	}
}

// TestAnonymousRejected calls operations whose credentials are not set
// against an API that rejects anonymous calls: the tool error carries the
// API's message and names the variables to set.
func TestAnonymousRejected(t *testing.T) {
	var calls []string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls = append(calls, r.URL.Path+" "+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("Authorization") == "Bearer bt-0123456789":
			_, _ = io.WriteString(w, `{"ok":true}`)
		case r.URL.Path == "/forbidden":
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"message":"sign in to see this"}`)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_token","error_description":"no token"}`)
		}
	})
	api := &API{Name: "test", Schemes: append(slices.Clip(schemes),
		SecurityScheme{Name: "oauth", Type: "oauth2", TokenURL: "/token", Env: []string{"CLIENT_ID", "CLIENT_SECRET"}, AccessTokenEnv: "OAUTH_ACCESS_TOKEN"},
		SecurityScheme{Name: "mtls", Type: "mutualTLS"},
	)}
	c := newClient(t, api, srv, map[string]string{"BASIC_USER": "ann", "CLIENT_ID": "client-0123456789"})
	for _, tc := range []struct {
		path     string
		security [][]string
		want     string
	}{
		{"/secret", [][]string{{"header_key"}, {"basic", "query_key"}, {"nowhere"}},
			`test answered 401 Unauthorized to GET /secret: invalid_token: no token. GET /secret was sent without credentials, as none of those it accepts are set: set HEADER_KEY, or BASIC_USER, BASIC_PASSWORD and QUERY_KEY in the server's environment (security scheme "nowhere" is not defined)`},
		{"/forbidden", [][]string{{"oauth"}, {"mtls"}},
			`test answered 403 Forbidden to GET /forbidden: sign in to see this. GET /forbidden was sent without credentials, as none of those it accepts are set: set OAUTH_ACCESS_TOKEN, or CLIENT_ID and CLIENT_SECRET in the server's environment (security scheme "mtls" cannot be used: its type "mutualTLS" is not supported)`},
		// The anonymous alternative is taken, and the others are named.
		{"/maybe", [][]string{{}, {"bearer", "oauth"}},
			`test answered 401 Unauthorized to GET /maybe: invalid_token: no token. GET /maybe was sent without credentials, as none of those it accepts are set: set BEARER_TOKEN and OAUTH_ACCESS_TOKEN, or BEARER_TOKEN, CLIENT_ID and CLIENT_SECRET in the server's environment`},
		// Security nil: nothing to name.
		{"/open", nil, `test answered 401 Unauthorized to GET /open: invalid_token: no token`},
	} {
		res, err := c.Call(context.Background(), &Operation{Method: "GET", Path: tc.path, Security: tc.security}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !res.IsError || resultText(res) != tc.want {
			t.Errorf("%s: result %q (IsError %v), want a tool error %q", tc.path, resultText(res), res.IsError, tc.want)
		}
		if strings.Contains(resultText(res), "client-0123456789") {
			t.Errorf("%s: the error shows a credential: %s", tc.path, resultText(res))
		}
	}
	if want := []string{"/secret ", "/forbidden ", "/maybe ", "/open "}; !slices.Equal(calls, want) {
		t.Errorf("the API got %q, want %q: every call, none with credentials", calls, want)
	}

	// With credentials the call was sent with, a 401 names no variables.
	c = newClient(t, api, srv, map[string]string{"BEARER_TOKEN": "bt-0123456788"})
	res, err := c.Call(context.Background(), &Operation{Method: "GET", Path: "/secret", Security: [][]string{{"bearer"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "test answered 401 Unauthorized to GET /secret: invalid_token: no token"; resultText(res) != want {
		t.Errorf("result %q, want %q", resultText(res), want)
	}
}

// TestAccessToken calls with access tokens obtained elsewhere, for oauth2
// schemes of any flow and openIdConnect ones: each is sent as a bearer
// token, wins over client credentials, and never shows in a result.
func TestAccessToken(t *testing.T) {
	tokens := &tokenServer{}
	mux := http.NewServeMux()
	mux.Handle("POST /oauth/token", tokens)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusUnauthorized)
		}
		echo, _ := json.Marshal(map[string]any{"message": "got " + r.Header.Get("Authorization")})
		_, _ = w.Write(echo)
	})
	srv := serve(t, mux.ServeHTTP)
	api := &API{Name: "test", Schemes: []SecurityScheme{
		{Name: "implicit", Type: "oauth2", Scopes: []string{"read"}, AccessTokenEnv: "IMPLICIT_ACCESS_TOKEN"},
		{Name: "oidc", Type: "openIdConnect", AccessTokenEnv: "OIDC_ACCESS_TOKEN"},
		{Name: "both", Type: "oauth2", TokenURL: "/oauth/token", Scopes: []string{"pets:read", "pets:write"},
			Env: []string{"CLIENT_ID", "CLIENT_SECRET"}, AccessTokenEnv: "BOTH_ACCESS_TOKEN"},
	}}
	vars := map[string]string{
		"IMPLICIT_ACCESS_TOKEN": "implicit-token-1",
		"OIDC_ACCESS_TOKEN":     "oidc-token-1",
		"BOTH_ACCESS_TOKEN":     "both-token-1",
		"CLIENT_ID":             "client-1",
		"CLIENT_SECRET":         "client-secret-1",
	}
	c := newClient(t, api, srv, vars)
	for _, tc := range []struct{ scheme, token string }{
		{"implicit", "implicit-token-1"}, {"oidc", "oidc-token-1"}, {"both", "both-token-1"},
	} {
		for _, path := range []string{"/ok", "/fail"} {
			op := &Operation{Method: "GET", Path: path, Security: [][]string{{tc.scheme}}}
			resp, err := c.Do(context.Background(), op, nil)
			if err != nil {
				t.Fatal(err)
			}
			res := resp.Result()
			out := resultText(res) + structured(t, res)
			if strings.Contains(out, tc.token) || !strings.Contains(out, "got Bearer [REDACTED]") {
				t.Errorf("%s %s: result %s, want the token sent as a bearer token, and redacted", tc.scheme, path, out)
			}
			if res.IsError != (path == "/fail") {
				t.Errorf("%s %s: IsError %v", tc.scheme, path, res.IsError)
			}
		}
	}
	if n := tokens.count(); n != 0 {
		t.Errorf("%d tokens fetched, want none: the access token wins", n)
	}

	// Without the access token, client credentials are used.
	delete(vars, "BOTH_ACCESS_TOKEN")
	c = newClient(t, api, srv, vars)
	res, err := c.Call(context.Background(), &Operation{Method: "GET", Path: "/ok", Security: [][]string{{"both"}}}, nil)
	if err != nil || res.IsError {
		t.Fatalf("Call: %v %s", err, resultText(res))
	}
	if n := tokens.count(); n != 1 {
		t.Errorf("%d tokens fetched, want 1", n)
	}
}

// TestCredentialsNotEchoed calls an API that echoes everything it gets,
// in successes and errors, and checks that no credential reaches a result.
func TestCredentialsNotEchoed(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		echo, _ := json.Marshal(map[string]any{"url": r.URL.String(), "headers": r.Header})
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusForbidden)
			echo, _ = json.Marshal(map[string]any{"message": fmt.Sprintf("bad credentials: %s %v", r.URL, r.Header)})
		}
		_, _ = w.Write(echo)
	})
	c := newClient(t, &API{Name: "test", Schemes: schemes}, srv, secrets)
	all := [][]string{{"header_key", "query_key", "cookie_key", "basic"}}
	for _, path := range []string{"/ok", "/fail"} {
		for _, sec := range [][][]string{all, {{"bearer"}}, {{"token"}}} {
			res, err := c.Call(context.Background(), &Operation{Method: "GET", Path: path, Security: sec}, nil)
			if err != nil {
				t.Fatal(err)
			}
			out := resultText(res) + structured(t, res)
			if !strings.Contains(out, "[REDACTED]") {
				t.Errorf("%s %v: the echo shows no redacted credential: %s", path, sec, out)
			}
			for name, v := range secrets {
				if name == "BASIC_USER" {
					continue // a user name is no secret
				}
				for _, form := range []string{v, escape(v)} {
					if strings.Contains(out, form) {
						t.Errorf("%s %v: the result shows %s: %s", path, sec, name, out)
					}
				}
			}
		}
	}
}

// tokenServer is an OAuth authorization server for the client credentials
// grant, counting the tokens it issues.
type tokenServer struct {
	mu     sync.Mutex
	issued int
}

func (ts *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if r.ParseForm() != nil || !ok || id != "client-1" || secret != "client-secret-1" ||
		r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != "pets:read pets:write" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	ts.mu.Lock()
	ts.issued++
	n := ts.issued
	ts.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":"access-token-%d","token_type":"Bearer","expires_in":3600}`, n)
}

func (ts *tokenServer) count() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.issued
}

func TestOAuthClientCredentials(t *testing.T) {
	tokens := &tokenServer{}
	// The API accepts the newest token only, and rejects the first once.
	var (
		mu      sync.Mutex
		seen    []string
		revoked = map[string]bool{}
	)
	mux := http.NewServeMux()
	mux.Handle("POST /oauth/token", tokens)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		auth := r.Header.Get("Authorization")
		seen = append(seen, auth)
		if revoked[auth] {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	srv := serve(t, mux.ServeHTTP)
	api := &API{Name: "test", Schemes: []SecurityScheme{{
		Name: "oauth", Type: "oauth2", TokenURL: "/oauth/token", // relative: resolved against the base URL
		Scopes: []string{"pets:read", "pets:write"}, Env: []string{"CLIENT_ID", "CLIENT_SECRET"},
	}}}
	c := newClient(t, api, srv, map[string]string{"CLIENT_ID": "client-1", "CLIENT_SECRET": "client-secret-1"})
	op := &Operation{Method: "GET", Path: "/pets", Security: [][]string{{"oauth"}}}

	for range 3 {
		res, err := c.Call(context.Background(), op, nil)
		if err != nil || res.IsError {
			t.Fatalf("Call: %v %s", err, resultText(res))
		}
	}
	if n := tokens.count(); n != 1 {
		t.Errorf("%d tokens fetched for 3 calls, want 1 kept for all", n)
	}

	// A 401 drops the token; the next call gets a new one.
	mu.Lock()
	revoked["Bearer access-token-1"] = true
	mu.Unlock()
	if res, _ := c.Call(context.Background(), op, nil); !res.IsError || !strings.Contains(resultText(res), "401 Unauthorized") {
		t.Errorf("revoked token: %s, want a 401 tool error", resultText(res))
	}
	if res, err := c.Call(context.Background(), op, nil); err != nil || res.IsError {
		t.Fatalf("Call after the 401: %v %s", err, resultText(res))
	}
	if n := tokens.count(); n != 2 {
		t.Errorf("%d tokens fetched, want 2", n)
	}
	mu.Lock()
	if last := seen[len(seen)-1]; last != "Bearer access-token-2" {
		t.Errorf("the last call sent %q, want the new token", last)
	}
	mu.Unlock()

	// Wrong client credentials: a tool error that names the token URL and
	// shows no secret.
	bad := newClient(t, api, srv, map[string]string{"CLIENT_ID": "client-1", "CLIENT_SECRET": "wrong-secret-1"})
	res, err := bad.Call(context.Background(), op, nil)
	if err != nil {
		t.Fatal(err)
	}
	text := resultText(res)
	if !res.IsError || !strings.Contains(text, "getting an access token from "+srv.URL+"/oauth/token failed") {
		t.Errorf("result %q, want a tool error about the token", text)
	}
	if strings.Contains(text, "wrong-secret-1") {
		t.Errorf("the error shows the client secret: %s", text)
	}
}
