package oauth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"
)

func toolText(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func toolNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

// TestFlow runs the whole flow with the go-sdk's own OAuth client:
// discovery from a 401, dynamic registration, authorization with PKCE and
// the consent page, sign-in at the provider, the token exchange, and MCP
// calls that use the provider token; then refresh and revocation. The
// provider's token must appear in no response and no log line.
func TestFlow(t *testing.T) {
	e := newEnv(t, nil)
	browser := e.browser()
	handler, err := auth.NewAuthorizationCodeHandler(&auth.AuthorizationCodeHandlerConfig{
		DynamicClientRegistrationConfig: &auth.DynamicClientRegistrationConfig{
			Metadata: &oauthex.ClientRegistrationMetadata{
				RedirectURIs:            []string{"http://127.0.0.1:33418/callback"},
				TokenEndpointAuthMethod: "none",
				GrantTypes:              []string{"authorization_code", "refresh_token"},
				ClientName:              "SDK Client",
			},
		},
		AuthorizationCodeFetcher: e.fetcher(),
		Client:                   browser,
	})
	if err != nil {
		t.Fatal(err)
	}
	mcpHTTP := &http.Client{Transport: &recorder{next: http.DefaultTransport, buf: e.traffic}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "sdk", Version: "1"}, nil).Connect(context.Background(),
		&mcp.StreamableClientTransport{Endpoint: e.ts.URL + "/mcp", OAuthHandler: handler, HTTPClient: mcpHTTP}, nil)
	if err != nil {
		t.Fatalf("connect: %v\nlogs:\n%s", err, e.logs)
	}
	defer cs.Close()

	// octocat is among ADMINS (case-insensitively), lacks the repo scope
	// (which a call would step up to), and is not "someone-else".
	if got, want := toolNames(t, cs), []string{"admin", "repo", "whoami"}; !slices.Equal(got, want) {
		t.Errorf("tools/list = %v, want %v", got, want)
	}
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "whoami", Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := toolText(t, res), "octocat <octo@example.com>: hello from the API"; got != want || res.IsError {
		t.Errorf("whoami = %q (error %v), want %q", got, res.IsError, want)
	}

	ts, err := handler.TokenSource(context.Background())
	if err != nil || ts == nil {
		t.Fatalf("no token source: %v", err)
	}
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token issued")
	}

	// Refresh, as the SDK's token source would once the token expires.
	clientID := registeredClientID(t, e)
	cfg := &oauth2.Config{ClientID: clientID, Endpoint: oauth2.Endpoint{TokenURL: e.ts.URL + "/token", AuthStyle: oauth2.AuthStyleInParams}}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, browser)
	expired := *tok
	expired.Expiry = expired.Expiry.Add(-2 * accessTokenTTL)
	fresh, err := cfg.TokenSource(ctx, &expired).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken || fresh.RefreshToken == "" {
		t.Fatal("refresh did not rotate both tokens")
	}
	cs2 := e.session(fresh.AccessToken)
	if res, err := cs2.CallTool(context.Background(), &mcp.CallToolParams{Name: "whoami", Arguments: map[string]any{}}); err != nil || !strings.HasPrefix(toolText(t, res), "octocat") {
		t.Fatalf("whoami with the refreshed token: %v %v", res, err)
	}
	// The previous access token stays valid until it expires; rotation
	// retires refresh tokens only.
	e.wantAccepted(tok.AccessToken)

	// Revoke the access token: it stops working at once.
	resp, err := browser.PostForm(e.ts.URL+"/revoke", url.Values{"token": {fresh.AccessToken}, "client_id": {clientID}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	resp.Body.Close()
	e.wantRejected(fresh.AccessToken)
	// Revoking the refresh token revokes the grant: every token of it.
	resp, _ = browser.PostForm(e.ts.URL+"/revoke", url.Values{"token": {fresh.RefreshToken}, "client_id": {clientID}})
	resp.Body.Close()
	e.wantRejected(tok.AccessToken)
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token(); err == nil {
		t.Error("a revoked refresh token still works")
	}

	// What a metrics hook heard: the sign-in's tokens, the refresh, and
	// the revoked refresh token refused.
	want := []Event{
		{Kind: EventTokenIssued, Endpoint: "token"},
		{Kind: EventTokenRefreshed, Endpoint: "token"},
		{Kind: EventRefused, Endpoint: "token", Reason: "invalid_grant"},
	}
	if got := e.events.since(0); !slices.Equal(got, want) {
		t.Errorf("events %+v, want %+v", got, want)
	}

	// The provider's token went nowhere but the provider.
	for what, text := range map[string]string{"responses": e.traffic.String(), "logs": e.logs.String()} {
		if strings.Contains(text, upstreamToken) {
			t.Errorf("the provider's token appears in the %s", what)
		}
	}
	// ...and those records hold what they should, so the check means something.
	if !strings.Contains(e.traffic.String(), "hello from the API") || !strings.Contains(e.traffic.String(), "Location: ") {
		t.Error("the recorded traffic lacks the redirects and tool results it should hold")
	}
	if !strings.Contains(e.logs.String(), "signed in") {
		t.Error("the logs lack the sign-in")
	}
}

// registeredClientID finds the one client registered in e's store.
func registeredClientID(t *testing.T, e *env) string {
	t.Helper()
	m := regexp.MustCompile(`registered a client" client_id=(\S+)`).FindStringSubmatch(e.logs.String())
	if m == nil {
		t.Fatalf("no registration in the logs:\n%s", e.logs)
	}
	var c client
	if err := e.auth.getJSON(context.Background(), keyClient+m[1], &c); err != nil {
		t.Fatalf("client %q: %v", m[1], err)
	}
	return m[1]
}

// TestMetadata checks the discovery documents.
func TestMetadata(t *testing.T) {
	e := newEnv(t, nil)
	get := func(path string) map[string]any {
		resp, err := http.Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&m) != nil {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return m
	}
	for _, path := range []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"} {
		m := get(path)
		if m["resource"] != e.ts.URL+"/mcp" || !slices.Equal(anyStrings(m["authorization_servers"]), []string{e.ts.URL}) {
			t.Errorf("%s = %v", path, m)
		}
	}
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		m := get(path)
		want := map[string]any{
			"issuer":                                         e.ts.URL,
			"authorization_endpoint":                         e.ts.URL + "/authorize",
			"token_endpoint":                                 e.ts.URL + "/token",
			"registration_endpoint":                          e.ts.URL + "/register",
			"revocation_endpoint":                            e.ts.URL + "/revoke",
			"client_id_metadata_document_supported":          true,
			"authorization_response_iss_parameter_supported": true,
		}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s: %s = %v, want %v", path, k, m[k], v)
			}
		}
		if got := anyStrings(m["code_challenge_methods_supported"]); !slices.Equal(got, []string{"S256"}) {
			t.Errorf("%s: code_challenge_methods_supported = %v", path, got)
		}
		if got := anyStrings(m["token_endpoint_auth_methods_supported"]); !slices.Contains(got, "none") {
			t.Errorf("%s: token_endpoint_auth_methods_supported = %v", path, got)
		}
		if got := anyStrings(m["grant_types_supported"]); !slices.Equal(got, []string{"authorization_code", "refresh_token"}) {
			t.Errorf("%s: grant_types_supported = %v", path, got)
		}
	}
	// A request without a token starts discovery.
	status, www := e.mcpStatus("")
	if want := `Bearer resource_metadata="` + e.ts.URL + `/.well-known/oauth-protected-resource/mcp", scope="mcp"`; status != http.StatusUnauthorized || www != want {
		t.Errorf("no token: %d %q, want 401 %q", status, www, want)
	}
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
