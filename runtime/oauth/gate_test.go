package oauth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
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
			if got := toolNames(t, cs); !slices.Equal(got, tc.want) {
				t.Errorf("tools/list for %s = %v, want %v", tc.login, got, tc.want)
			}
			for _, name := range []string{"admin", "nobody", "repo", "whoami"} {
				res := callTool(t, cs, name)
				allowed := slices.Contains(tc.want, name)
				if allowed && res.IsError {
					t.Errorf("%s calling %s: refused: %s", tc.login, name, toolText(t, res))
				}
				if !allowed && (!res.IsError || toolText(t, res) != "not allowed") {
					t.Errorf("%s calling %s: %v %q, want the tool error \"not allowed\"", tc.login, name, res.IsError, toolText(t, res))
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

// fakeOIDC is an OpenID provider on 127.0.0.1 for one user.
func fakeOIDC(t *testing.T, email string, verified bool) *httptest.Server {
	var ts *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": ts.URL, "authorization_endpoint": ts.URL + "/auth", "token_endpoint": ts.URL + "/token",
			"userinfo_endpoint": ts.URL + "/userinfo", "code_challenge_methods_supported": []string{"S256"},
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
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": upstreamToken, "token_type": "Bearer", "expires_in": 3600, "scope": "openid email profile"})
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+upstreamToken {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"sub": "u-1", "email": email, "email_verified": verified, "name": "Octo"})
	})
	ts = httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
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
		})
	}
}
