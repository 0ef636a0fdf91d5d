package oauth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func callTool(t *testing.T, cs *mcp.ClientSession, name string) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: map[string]any{}})
	if err != nil {
		t.Fatalf("tools/call %s: %v (a refusal must be a tool error, not a protocol error)", name, err)
	}
	return res
}

func TestGate(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		login, scope string
		want         []string
	}{
		// ADMINS is "Admin-One, OCTOCAT"; repo needs the repo scope.
		{"octocat", "read:user,user:email", []string{"admin", "whoami"}},
		{"admin-one", "read:user,repo", []string{"admin", "repo", "whoami"}},
		{"mallory", "read:user,user:email", []string{"whoami"}},
	} {
		t.Run(tc.login, func(t *testing.T) {
			e.setUser(tc.login, tc.scope)
			_, access, _ := e.signIn()
			cs := e.session(access)
			// A tool that needs only a scope is listed: calling it is
			// how the client learns to step up.
			listed := tc.want
			if !slices.Contains(listed, "repo") {
				listed = append(slices.Clone(listed), "repo")
				slices.Sort(listed)
			}
			if got := toolNames(t, cs); !slices.Equal(got, listed) {
				t.Errorf("tools/list for %s = %v, want %v", tc.login, got, listed)
			}
			for _, name := range []string{"admin", "nobody", "repo", "whoami"} {
				allowed := slices.Contains(tc.want, name)
				if name == "repo" && !allowed {
					// Only the scope is missing: this client speaks a
					// revision that steps up (see TestStepUp), and is
					// answered 403.
					// A client that cannot step up closes on a 403: this
					// one is alone in its session.
					_, err := e.session(access).CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: map[string]any{}})
					if err == nil || !strings.Contains(err.Error(), "Forbidden") {
						t.Errorf("%s calling %s without its scope: %v, want 403 Forbidden", tc.login, name, err)
					}
					continue
				}
				res := callTool(t, cs, name)
				if allowed && res.IsError {
					t.Errorf("%s calling %s: refused: %s", tc.login, name, toolText(t, res))
				}
				// Who else may call a tool is not told.
				want := "not allowed"
				if !allowed && (!res.IsError || toolText(t, res) != want) {
					t.Errorf("%s calling %s: %v %q, want the tool error %q", tc.login, name, res.IsError, toolText(t, res), want)
				}
			}
		})
	}
}

// TestGateUnsetEnv checks that a rule naming an unset variable lets
// nobody in, rather than everybody.
func TestGateUnsetEnv(t *testing.T) {
	rules := compileRules(map[string]Rule{"admin": {UsersEnv: "UNSET"}, "open": {}}, lookupMap(nil))
	s := &Server{rules: rules, set: &settings{provider: providerSettings{name: "github"}}}
	u := &User{Login: "octocat"}
	if s.allows("admin", u) {
		t.Error("a rule with an unset UsersEnv allowed a user")
	}
	if !s.allows("open", u) || !s.allows("unlisted", u) {
		t.Error("an empty rule or no rule refused a signed-in user")
	}
	if s.allows("open", nil) || !s.allows("unlisted", nil) {
		t.Error("a gated tool is open to nobody signed in, an ungated one stays open")
	}
}

// oidcProvider is a fake OpenID provider on 127.0.0.1 for one user. Its
// first tokens expire at once (x/oauth2 counts a token as expired 10 s
// early) and come with a refresh token; refreshed ones last an hour.
type oidcProvider struct {
	*httptest.Server
	refreshes atomic.Int32
}

const refreshedUpstreamToken = "ya29_REFRESHED_UPSTREAM_SECRET"

func fakeOIDC(t *testing.T, email string, verified bool) *oidcProvider {
	p := &oidcProvider{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": p.URL, "authorization_endpoint": p.URL + "/auth", "token_endpoint": p.URL + "/token",
			"userinfo_endpoint": p.URL + "/userinfo", "code_challenge_methods_supported": []string{"S256"},
		})
	})
	mux.HandleFunc("GET /auth", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge") == "" || q.Get("scope") != "openid email profile" {
			http.Error(w, "want PKCE and the default scopes", http.StatusBadRequest)
			return
		}
		ru, _ := url.Parse(q.Get("redirect_uri"))
		ru.RawQuery = url.Values{"code": {"oidc-code"}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, ru.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("grant_type") == "refresh_token" {
			if r.PostForm.Get("refresh_token") != "upstream-refresh" {
				w.WriteHeader(http.StatusBadRequest)
				json.NewEncoder(w).Encode(map[string]any{"error": "invalid_grant"})
				return
			}
			p.refreshes.Add(1)
			json.NewEncoder(w).Encode(map[string]any{"access_token": refreshedUpstreamToken, "token_type": "Bearer", "expires_in": 3600})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": upstreamToken, "token_type": "Bearer", "expires_in": 1,
			"refresh_token": "upstream-refresh", "scope": "openid email profile"})
	})
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if a := r.Header.Get("Authorization"); a != "Bearer "+upstreamToken && a != "Bearer "+refreshedUpstreamToken {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /userinfo", authed(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"sub": "u-1", "email": email, "email_verified": verified, "name": "Octo"})
	}))
	mux.HandleFunc("GET /octo", authed(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from the API")
	}))
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

// TestOIDC signs in through an OpenID provider, found by discovery; rules
// match the verified email address, case-insensitively.
func TestOIDC(t *testing.T) {
	for _, tc := range []struct {
		name     string
		verified bool
		want     []string
	}{
		{"verified", true, []string{"mail", "whoami"}},
		{"unverified", false, []string{"whoami"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp := fakeOIDC(t, "Octo@Example.com", tc.verified)
			e := newEnv(t, &envOptions{
				opts: &Options{Provider: "oidc", Tools: map[string]Rule{"mail": {Users: []string{"octo@example.COM"}}}},
				vars: map[string]string{"OIDC_ISSUER": idp.URL, "OIDC_CLIENT_ID": "oidc-client", "OIDC_CLIENT_SECRET": "oidc-secret"},
			})
			e.mcp.AddTool(&mcp.Tool{Name: "mail", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "mailed"}}}, nil
			})
			e.gh.URL = idp.URL // the consent helper follows redirects to the provider
			_, access, _ := e.signIn()
			cs := e.session(access)
			var names []string
			for _, n := range toolNames(t, cs) {
				if n == "mail" || n == "whoami" {
					names = append(names, n)
				}
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("tools/list = %v, want %v", names, tc.want)
			}
			if e.auth.APIURL() != idp.URL {
				t.Errorf("APIURL = %s", e.auth.APIURL())
			}
			// The provider's token had expired: the first call refreshes
			// it, and the refreshed token is kept for the next.
			for range 3 {
				if res := callTool(t, cs, "whoami"); res.IsError || !strings.HasSuffix(toolText(t, res), "hello from the API") {
					t.Fatalf("whoami: %q", toolText(t, res))
				}
			}
			if n := idp.refreshes.Load(); n != 1 {
				t.Errorf("the provider token was refreshed %d times for 3 calls, want once", n)
			}
			for what, text := range map[string]string{"responses": e.traffic.String(), "logs": e.logs.String()} {
				if strings.Contains(text, upstreamToken) || strings.Contains(text, refreshedUpstreamToken) {
					t.Errorf("a provider token appears in the %s", what)
				}
			}
		})
	}
}
