package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// TestEndToEndGitHubOAuth generates the github-oauth template, builds it,
// starts it on a loopback port against a stand-in GitHub, and signs in with
// the MCP Go SDK's own OAuth client (auth.AuthorizationCodeHandler): it
// discovers the server's metadata, registers dynamically, goes through the
// consent page and GitHub, exchanges the code, calls the tools as the
// signed-in user, refreshes, and revokes. GitHub's tokens must never reach
// the client, nor the server's log.
func TestEndToEndGitHubOAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated server")
	}
	dir := newFromTemplate(t, "gh", "github-oauth")
	binary := buildServer(t, dir, "gh-server")

	gh := newFakeGitHub(t)
	base := "http://" + freeLoopbackAddr(t)
	settings := gh.serverSettings(base,
		"STORE_PATH="+filepath.Join(t.TempDir(), "oauth.db"),
		"ALLOWED_USERS=octocat",
		// Debug logging logs every request: more places for a token to leak.
		"LOG_LEVEL=debug",
	)
	gh.callback = base + "/callback"
	srv := startAuthServer(t, binary, dir, base, settings)
	servers := []*authServer{srv}
	rec := &recorder{base: http.DefaultTransport}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("unauthenticated", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := (&http.Client{Transport: rec}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("POST /mcp without a token: status %d, want 401", resp.StatusCode)
		}
		challenge := resp.Header.Get("WWW-Authenticate")
		m := regexp.MustCompile(`^Bearer .*resource_metadata="([^"]+)"`).FindStringSubmatch(challenge)
		if m == nil {
			t.Fatalf("WWW-Authenticate = %q, want a Bearer challenge with resource_metadata", challenge)
		}
		if !strings.HasPrefix(m[1], base+"/.well-known/oauth-protected-resource") {
			t.Errorf("resource_metadata = %q, want it under %s/.well-known/oauth-protected-resource", m[1], base)
		}
		var prm oauthex.ProtectedResourceMetadata
		getJSON(t, ctx, rec, m[1], &prm)
		if prm.Resource != base+"/mcp" || !slices.Contains(prm.AuthorizationServers, base) {
			t.Errorf("protected resource metadata: resource %q, authorization servers %q; want %q and %q", prm.Resource, prm.AuthorizationServers, base+"/mcp", base)
		}
		var asm oauthex.AuthServerMeta
		getJSON(t, ctx, rec, base+"/.well-known/oauth-authorization-server", &asm)
		if asm.Issuer != base || !slices.Contains(asm.CodeChallengeMethodsSupported, "S256") || slices.Contains(asm.CodeChallengeMethodsSupported, "plain") {
			t.Errorf("authorization server metadata: issuer %q, PKCE methods %q; want issuer %q and S256 only", asm.Issuer, asm.CodeChallengeMethodsSupported, base)
		}
	})

	// octocat is in ALLOWED_USERS.
	octo := signInAs(t, ctx, gh, rec, base, "octocat")
	if octo == nil {
		t.Fatal("the sign-in failed; the rest depends on it")
	}

	t.Run("tools-as-allowed-user", func(t *testing.T) {
		if got := listNames(t, ctx, octo.session); !slices.Equal(got, []string{"add", "count", "serverStatus", "userInfo"}) {
			t.Errorf("tools/list for octocat = %q, want add, count, serverStatus and userInfo", got)
		}
		res := callTool(t, ctx, octo.session, "userInfo", map[string]any{})
		var who struct {
			Login     string `json:"login"`
			Email     string `json:"email"`
			Followers int    `json:"followers"`
		}
		structured(t, res, &who)
		// followers comes only from GET /user, which the tool calls with
		// the user's GitHub token; email only from sign-in's /user/emails.
		if who.Login != "octocat" || who.Followers != 42 || who.Email != "octocat@users.example" {
			t.Errorf("userInfo = %+v, want octocat, 42 followers, octocat@users.example", who)
		}
		res = callTool(t, ctx, octo.session, "serverStatus", map[string]any{})
		var status struct{ Version string }
		structured(t, res, &status)
		if status.Version != "0.1.0" {
			t.Errorf("serverStatus version = %q, want 0.1.0", status.Version)
		}
		res = callTool(t, ctx, octo.session, "add", map[string]any{"a": 2, "b": 40})
		var sum struct{ Sum float64 }
		structured(t, res, &sum)
		if sum.Sum != 42 {
			t.Errorf("add(2, 40) = %v, want 42", sum.Sum)
		}
		res = callTool(t, ctx, octo.session, "add", map[string]any{"a": "two"})
		if !res.IsError {
			t.Errorf("add with bad arguments succeeded, want a tool error")
		}
	})

	// mallory is not.
	mallory := signInAs(t, ctx, gh, rec, base, "mallory")
	if mallory == nil {
		t.Fatal("the second sign-in failed")
	}
	t.Run("tools-as-other-user", func(t *testing.T) {
		if got := listNames(t, ctx, mallory.session); !slices.Equal(got, []string{"add", "count", "userInfo"}) {
			t.Errorf("tools/list for mallory = %q, want add, count and userInfo (serverStatus hidden)", got)
		}
		res := callTool(t, ctx, mallory.session, "serverStatus", map[string]any{})
		if !res.IsError || strings.Contains(toolText(res), "uptime") {
			t.Errorf("serverStatus called by mallory = %q (isError %v), want it refused", toolText(res), res.IsError)
		}
		var who struct{ Login string }
		structured(t, callTool(t, ctx, mallory.session, "userInfo", map[string]any{}), &who)
		if who.Login != "mallory" {
			t.Errorf("userInfo for mallory = %q", who.Login)
		}
	})

	var refreshed *oauth2.Token
	t.Run("refresh", func(t *testing.T) {
		old := octo.token()
		if old.RefreshToken == "" {
			t.Fatal("the token response has no refresh token")
		}
		var err error
		refreshed, err = octo.refresh(ctx, rec, old.RefreshToken)
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if refreshed.AccessToken == old.AccessToken || refreshed.RefreshToken == "" || refreshed.RefreshToken == old.RefreshToken {
			t.Errorf("refresh did not rotate the tokens")
		}
		cs := connectWithToken(t, ctx, rec, base, refreshed.AccessToken)
		var who struct{ Login string }
		structured(t, callTool(t, ctx, cs, "userInfo", map[string]any{}), &who)
		if who.Login != "octocat" {
			t.Errorf("userInfo with the refreshed token = %q, want octocat", who.Login)
		}
		if _, err := octo.refresh(ctx, rec, old.RefreshToken); err == nil {
			t.Error("a refresh token was accepted a second time")
		} else if re := (*oauth2.RetrieveError)(nil); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Errorf("replayed refresh token: %v, want an invalid_grant error response", err)
		}
	})

	t.Run("revoke", func(t *testing.T) {
		// A fresh grant: the replay above may have revoked the last one.
		s := signInAs(t, ctx, gh, rec, base, "octocat")
		if s == nil {
			t.FailNow()
		}
		tok := s.token()
		if status := postMCP(t, ctx, rec, base, tok.AccessToken); status != http.StatusOK {
			t.Fatalf("tools/list with a fresh token: status %d", status)
		}
		s.revoke(t, ctx, rec, base, tok.AccessToken, "access_token")
		if status := postMCP(t, ctx, rec, base, tok.AccessToken); status != http.StatusUnauthorized {
			t.Errorf("tools/list with a revoked token: status %d, want 401", status)
		}
	})

	t.Run("sse", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/sse", nil)
		req.Header.Set("Accept", "text/event-stream")
		resp, err := (&http.Client{Transport: rec}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "resource_metadata=") {
			t.Errorf("GET /sse without a token: %d, WWW-Authenticate %q; want 401 with resource_metadata", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		hc := &http.Client{Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(mallory.token()), Base: rec}}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, nil).Connect(ctx, &mcp.SSEClientTransport{Endpoint: base + "/sse", HTTPClient: hc}, nil)
		if err != nil {
			t.Fatalf("connect over SSE with a token: %v", err)
		}
		defer cs.Close()
		if got := listNames(t, ctx, cs); !slices.Equal(got, []string{"add", "count", "userInfo"}) {
			t.Errorf("tools/list for mallory over SSE = %q, want add, count and userInfo", got)
		}
	})

	t.Run("grants-survive-a-restart", func(t *testing.T) {
		tok := mallory.token()
		srv.stop()
		again := startAuthServer(t, binary, dir, base, settings)
		servers = append(servers, again)
		cs := connectWithToken(t, ctx, rec, base, tok.AccessToken)
		// followers comes from GitHub's API, called with the GitHub token
		// the first process stored encrypted and the second decrypted.
		var who struct {
			Login     string `json:"login"`
			Followers int    `json:"followers"`
		}
		structured(t, callTool(t, ctx, cs, "userInfo", map[string]any{}), &who)
		if who.Login != "mallory" || who.Followers != 42 {
			t.Errorf("userInfo after a restart = %+v, want mallory with 42 followers", who)
		}
	})

	t.Run("github-token-stays-on-the-server", func(t *testing.T) {
		issued := gh.issuedTokens()
		if len(issued) == 0 {
			t.Fatal("the stand-in GitHub issued no token")
		}
		if gh.apiCalls() == 0 {
			t.Error("no call reached GitHub's API with a user's token")
		}
		seen := rec.String()
		var stderr string
		for _, s := range servers {
			stderr += s.stderr()
		}
		for _, tok := range issued {
			if strings.Contains(seen, tok) {
				t.Errorf("a GitHub access token reached the MCP client")
			}
			if strings.Contains(stderr, tok) {
				t.Errorf("a GitHub access token is in the server's log")
			}
		}
		// The records hold what they should, or the checks above prove
		// nothing: the server's own token reached the client in a /token
		// response, and the log names the users who signed in.
		if !strings.Contains(seen, octo.token().AccessToken) {
			t.Error("the recorded responses lack the server's access token: the client's traffic was not recorded")
		}
		if !strings.Contains(stderr, "octocat") {
			t.Error("the server's log does not mention octocat: it was not captured")
		}
	})
}

// TestEndToEndOIDC does the same with the oidc template against a stand-in
// OpenID Connect issuer, found through discovery: users are known by their
// email address, and only a verified one counts for the allow-list.
func TestEndToEndOIDC(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated server")
	}
	dir := newFromTemplate(t, "idp", "oidc")
	binary := buildServer(t, dir, "idp-server")
	idp := newFakeOIDC(t)
	base := "http://" + freeLoopbackAddr(t)
	idp.callback = base + "/callback"
	srv := startAuthServer(t, binary, dir, base, []string{
		"OIDC_ISSUER=" + idp.srv.URL,
		"OIDC_CLIENT_ID=" + idp.clientID,
		"OIDC_CLIENT_SECRET=" + idp.clientSecret,
		"BASE_URL=" + base,
		"STORE_PATH=" + filepath.Join(t.TempDir(), "oauth.db"),
		"ENCRYPTION_KEY=" + base64.StdEncoding.EncodeToString(randomBytes(t, 32)),
		"ALLOWED_USERS=ada@example.com, unverified@example.com",
		"LOG_LEVEL=debug",
	})
	rec := &recorder{base: http.DefaultTransport}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	for _, tc := range []struct {
		login   string
		want    []string
		allowed bool
	}{
		{"ada", []string{"add", "serverStatus", "userInfo"}, true},
		{"bob", []string{"add", "userInfo"}, false},
		// Listed, but the issuer has not verified the address: it could be
		// anyone's.
		{"unverified", []string{"add", "userInfo"}, false},
	} {
		t.Run(tc.login, func(t *testing.T) {
			s := signInAs(t, ctx, idp, rec, base, tc.login)
			if s == nil {
				t.FailNow()
			}
			if got := listNames(t, ctx, s.session); !slices.Equal(got, tc.want) {
				t.Errorf("tools/list for %s = %q, want %q", tc.login, got, tc.want)
			}
			var who struct {
				Subject string `json:"subject"`
				Email   string `json:"email"`
			}
			structured(t, callTool(t, ctx, s.session, "userInfo", map[string]any{}), &who)
			wantEmail := tc.login + "@example.com"
			if tc.login == "unverified" {
				wantEmail = ""
			}
			if who.Subject != "sub-"+tc.login || who.Email != wantEmail {
				t.Errorf("userInfo = %+v, want subject sub-%s and email %q", who, tc.login, wantEmail)
			}
			res := callTool(t, ctx, s.session, "serverStatus", map[string]any{})
			if res.IsError == tc.allowed {
				t.Errorf("serverStatus for %s: %q (isError %v)", tc.login, toolText(res), res.IsError)
			}
		})
	}

	t.Run("provider-token-stays-on-the-server", func(t *testing.T) {
		seen, stderr := rec.String(), srv.stderr()
		if len(idp.issuedTokens()) < 3 || !strings.Contains(stderr, "ada") {
			t.Fatalf("%d provider tokens issued, log %d bytes: nothing to check", len(idp.issuedTokens()), len(stderr))
		}
		for _, tok := range idp.issuedTokens() {
			if strings.Contains(seen, tok) || strings.Contains(stderr, tok) {
				t.Errorf("a provider access token reached the MCP client or the log")
			}
		}
	})
}

// signIn is one signed-in MCP client.
type signIn struct {
	session *mcp.ClientSession
	handler *auth.AuthorizationCodeHandler
	// config is the client's OAuth configuration, as the handler built it
	// after registering: client ID and secret, endpoints.
	config *oauth2.Config
}

// revoke revokes token at base's /revoke as the signed-in client
// (RFC 7009), and fails the test unless the server answers 200.
func (s *signIn) revoke(t testing.TB, ctx context.Context, rt http.RoundTripper, base, token, hint string) {
	t.Helper()
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/revoke", nil)
	if s.config.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(s.config.ClientID), url.QueryEscape(s.config.ClientSecret))
	} else {
		form.Set("client_id", s.config.ClientID)
	}
	req.Body = io.NopCloser(strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /revoke: %d %s", resp.StatusCode, body)
	}
}

// token is the handler's current token.
func (s *signIn) token() *oauth2.Token {
	ts, err := s.handler.TokenSource(context.Background())
	if err != nil || ts == nil {
		return &oauth2.Token{}
	}
	tok, err := ts.Token()
	if err != nil {
		return &oauth2.Token{}
	}
	return tok
}

// refresh runs the refresh_token grant as the client.
func (s *signIn) refresh(ctx context.Context, rt http.RoundTripper, refreshToken string) (*oauth2.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: rt})
	return s.config.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
}

// signInAs connects a new MCP client that signs in, through the consent
// page and the stand-in GitHub, as login.
func signInAs(t testing.TB, ctx context.Context, gh *fakeIdP, rec http.RoundTripper, base, login string) *signIn {
	t.Helper()
	gh.setLogin(login)
	// Nothing listens there: the fetcher stops at the redirect to it, as a
	// native client's loopback listener would receive it.
	redirectURL := "http://" + freeLoopbackAddr(t) + "/callback"
	s := &signIn{}
	var consentSeen string
	fetcher := func(ctx context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Transport: rec, Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), redirectURL) {
				return http.ErrUseLastResponse
			}
			return nil
		}}
		resp, err := browser.Get(args.URL)
		if err != nil {
			return nil, err
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("authorization page: %d %s", resp.StatusCode, page)
		}
		consentSeen = string(page)
		action, form, err := consentForm(consentSeen)
		if err != nil {
			return nil, err
		}
		target, err := resp.Request.URL.Parse(action)
		if err != nil {
			return nil, err
		}
		resp, err = browser.PostForm(target.String(), form)
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil || !strings.HasPrefix(loc.String(), redirectURL) {
			return nil, fmt.Errorf("after consent and GitHub: %d %s, not a redirect to the client (%s)", resp.StatusCode, body, loc)
		}
		q := loc.Query()
		if q.Get("error") != "" {
			return nil, fmt.Errorf("authorization error %s: %s", q.Get("error"), q.Get("error_description"))
		}
		return &auth.AuthorizationResult{Code: q.Get("code"), State: q.Get("state"), Iss: q.Get("iss")}, nil
	}
	h, err := auth.NewAuthorizationCodeHandler(&auth.AuthorizationCodeHandlerConfig{
		DynamicClientRegistrationConfig: &auth.DynamicClientRegistrationConfig{Metadata: &oauthex.ClientRegistrationMetadata{
			ClientName:    "e2e client of " + login,
			RedirectURIs:  []string{redirectURL},
			GrantTypes:    []string{"authorization_code", "refresh_token"},
			ResponseTypes: []string{"code"},
		}},
		RedirectURL:              redirectURL,
		AuthorizationCodeFetcher: fetcher,
		RequestRefreshToken:      true,
		Client:                   &http.Client{Transport: rec},
		NewTokenSource: func(ctx context.Context, cfg *oauth2.Config, tok *oauth2.Token) (oauth2.TokenSource, error) {
			s.config = cfg
			return cfg.TokenSource(ctx, tok), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.handler = h
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, nil).Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:     base + "/mcp",
		HTTPClient:   &http.Client{Transport: rec},
		OAuthHandler: h,
	}, nil)
	if err != nil {
		t.Errorf("connect and sign in as %s: %v", login, err)
		return nil
	}
	t.Cleanup(func() { cs.Close() })
	s.session = cs
	// The consent page names the client and where it will send the user.
	if !strings.Contains(consentSeen, "e2e client of "+login) || !strings.Contains(consentSeen, "127.0.0.1") {
		t.Errorf("the consent page names neither the client nor the redirect host:\n%s", consentSeen)
	}
	return s
}

var (
	formTag   = regexp.MustCompile(`(?is)<form[^>]*\baction="([^"]*)"`)
	inputTag  = regexp.MustCompile(`(?is)<input[^>]*>`)
	buttonTag = regexp.MustCompile(`(?is)<button[^>]*>`)
	attr      = regexp.MustCompile(`(?is)\b(name|value|type)="([^"]*)"`)
)

// consentForm reads the consent page's form, as a browser would submit it
// when the user presses the approving button: its action, its hidden
// fields (the CSRF token among them) and the button's name and value.
func consentForm(page string) (action string, form url.Values, err error) {
	m := formTag.FindStringSubmatch(page)
	if m == nil {
		return "", nil, fmt.Errorf("no form on the consent page:\n%s", page)
	}
	action = html.UnescapeString(m[1])
	attrs := func(tag string) map[string]string {
		out := make(map[string]string)
		for _, a := range attr.FindAllStringSubmatch(tag, -1) {
			out[strings.ToLower(a[1])] = html.UnescapeString(a[2])
		}
		return out
	}
	form = url.Values{}
	for _, tag := range inputTag.FindAllString(page, -1) {
		if a := attrs(tag); a["name"] != "" {
			form.Set(a["name"], a["value"])
		}
	}
	approved := false
	for _, tag := range buttonTag.FindAllString(page, -1) {
		if a := attrs(tag); a["name"] != "" && strings.Contains(strings.ToLower(a["value"]), "approve") {
			form.Set(a["name"], a["value"])
			approved = true
		}
	}
	if !approved {
		return "", nil, fmt.Errorf("no approve button on the consent page:\n%s", page)
	}
	return action, form, nil
}

// connectWithToken connects an MCP client that sends a fixed access token.
func connectWithToken(t *testing.T, ctx context.Context, rec *recorder, base, token string) *mcp.ClientSession {
	t.Helper()
	hc := &http.Client{Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}), Base: rec}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, nil).Connect(ctx, &mcp.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: hc}, nil)
	if err != nil {
		t.Fatalf("connect with a token: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// postMCP sends a ping to /mcp with the access token and returns the status.
func postMCP(t *testing.T, ctx context.Context, rec http.RoundTripper, base, token string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Transport: rec}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func listNames(t *testing.T, ctx context.Context, cs *mcp.ClientSession) []string {
	t.Helper()
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

func callTool(t *testing.T, ctx context.Context, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error %v", name, err)
	}
	return res
}

// structured decodes a successful result's structured content into v.
func structured(t *testing.T, res *mcp.CallToolResult, v any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("tool error: %s", toolText(res))
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("structured content %s: %v", b, err)
	}
}

func getJSON(t *testing.T, ctx context.Context, rt http.RoundTripper, u string, v any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// recorder is the MCP client's HTTP transport: it keeps every response
// header and body the client received, to check what reached it.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen bytes.Buffer
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	fmt.Fprintf(&r.seen, "%s %s → %d\n", req.Method, req.URL, resp.StatusCode)
	resp.Header.Write(&r.seen)
	r.mu.Unlock()
	resp.Body = &recordedBody{ReadCloser: resp.Body, r: r}
	return resp, nil
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen.String()
}

type recordedBody struct {
	io.ReadCloser
	r *recorder
}

func (b *recordedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.r.mu.Lock()
	b.r.seen.Write(p[:n])
	b.r.mu.Unlock()
	return n, err
}

// fakeIdP is a stand-in identity provider. As GitHub, it plays
// github.com's OAuth endpoints and the two API calls the server makes (GET
// /user, GET /user/emails); as an OpenID Connect issuer, discovery, the
// authorization and token endpoints, and userinfo. Either way it checks the
// server's client credentials, redirect URI and PKCE, and signs in whoever
// setLogin named, at once.
type fakeIdP struct {
	t                      testing.TB
	srv                    *httptest.Server
	oidc                   bool
	clientID, clientSecret string
	callback               string

	mu     sync.Mutex
	login  string            // who signs in next
	codes  map[string]grant  // code → who, and the PKCE challenge
	tokens map[string]string // access token → login
	scopes map[string]string // access token → the scope it was granted
	asked  []string          // the scope parameter of each authorization
	calls  int               // API calls with a valid token
}

// grant is an authorization in progress: who, the PKCE challenge and the
// scopes asked for, all of which the user grants.
type grant struct{ login, challenge, scope string }

func newFakeGitHub(t testing.TB) *fakeIdP {
	g := newFakeIdP(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", g.authorize)
	mux.HandleFunc("POST /login/oauth/access_token", g.accessToken)
	mux.HandleFunc("GET /user", g.user)
	mux.HandleFunc("GET /user/emails", g.emails)
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func newFakeOIDC(t testing.TB) *fakeIdP {
	g := newFakeIdP(t)
	g.oidc = true
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                           g.srv.URL,
			"authorization_endpoint":           g.srv.URL + "/authorize",
			"token_endpoint":                   g.srv.URL + "/token",
			"userinfo_endpoint":                g.srv.URL + "/userinfo",
			"code_challenge_methods_supported": []string{"S256"},
		})
	})
	mux.HandleFunc("GET /authorize", g.authorize)
	mux.HandleFunc("POST /token", g.accessToken)
	mux.HandleFunc("GET /userinfo", g.userinfo)
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func newFakeIdP(t testing.TB) *fakeIdP {
	return &fakeIdP{
		t:            t,
		clientID:     "fake-client-id",
		clientSecret: "fake-client-secret-" + rand.Text(),
		codes:        make(map[string]grant),
		tokens:       make(map[string]string),
		scopes:       make(map[string]string),
	}
}

func (g *fakeIdP) setLogin(login string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.login = login
}

func (g *fakeIdP) issuedTokens() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for tok := range g.tokens {
		out = append(out, tok)
	}
	return out
}

// askedScopes are the scope parameters of the authorizations so far.
func (g *fakeIdP) askedScopes() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.asked)
}

func (g *fakeIdP) apiCalls() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls
}

// authorize signs the next user in at once and sends the browser back.
func (g *fakeIdP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != g.clientID || q.Get("state") == "" || q.Get("redirect_uri") != g.callback ||
		q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" {
		g.t.Errorf("provider authorize: unexpected request %s", r.URL.RawQuery)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	code := "idpcode-" + rand.Text()
	g.mu.Lock()
	g.codes[code] = grant{login: g.login, challenge: q.Get("code_challenge"), scope: q.Get("scope")}
	g.asked = append(g.asked, q.Get("scope"))
	g.mu.Unlock()
	http.Redirect(w, r, g.callback+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
}

func (g *fakeIdP) accessToken(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	g.mu.Lock()
	gr, known := g.codes[r.PostForm.Get("code")]
	delete(g.codes, r.PostForm.Get("code"))
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if id != g.clientID || secret != g.clientSecret || !known || base64.RawURLEncoding.EncodeToString(sum[:]) != gr.challenge {
		g.t.Errorf("provider token: bad client credentials, code or PKCE verifier")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	// GitHub reports the granted scopes comma-separated, OpenID providers
	// space-separated.
	tok, scope := "gho_"+rand.Text(), strings.Join(strings.Fields(gr.scope), ",")
	if g.oidc {
		tok, scope = "oidc-at-"+rand.Text(), gr.scope
	}
	g.mu.Lock()
	g.tokens[tok] = gr.login
	g.scopes[tok] = scope
	g.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]string{"access_token": tok, "token_type": "Bearer", "scope": scope})
}

// caller is the login whose token the request bears.
func (g *fakeIdP) caller(w http.ResponseWriter, r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	tok := strings.TrimPrefix(strings.TrimPrefix(h, "Bearer "), "token ")
	g.mu.Lock()
	login, ok := g.tokens[tok]
	if ok {
		g.calls++
	}
	g.mu.Unlock()
	if !ok {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
	}
	return login, ok
}

func (g *fakeIdP) user(w http.ResponseWriter, r *http.Request) {
	login, ok := g.caller(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	// email is null: the user keeps it private, as many do.
	fmt.Fprintf(w, `{"login":%q,"id":%d,"name":"The %s","email":null,"public_repos":8,"followers":42,"html_url":"https://github.example/%s"}`,
		login, 1000+len(login), login, login)
}

func (g *fakeIdP) emails(w http.ResponseWriter, r *http.Request) {
	login, ok := g.caller(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `[{"email":"%s@old.example","primary":false,"verified":true},{"email":"%s@users.example","primary":true,"verified":true}]`, login, login)
}

// userinfo describes the OIDC user: login@example.com, verified, except
// for a login starting with "unverified".
func (g *fakeIdP) userinfo(w http.ResponseWriter, r *http.Request) {
	login, ok := g.caller(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"sub":            "sub-" + login,
		"email":          login + "@example.com",
		"email_verified": !strings.HasPrefix(login, "unverified"),
		"name":           "The " + login,
	})
}

// authServer is a generated OAuth server process.
type authServer struct {
	cmd *exec.Cmd
	// stop interrupts the server and waits for it to exit.
	stop func()
	// log is what the process writes to stderr.
	log testkit.LockedBuffer
}

func (s *authServer) stderr() string { return s.log.String() }

// startAuthServer starts binary in dir at base (http://127.0.0.1:PORT) with
// only the given settings in its environment, and waits until it answers.
func startAuthServer(t testing.TB, binary, dir, base string, settings []string) *authServer {
	t.Helper()
	s := &authServer{cmd: exec.Command(binary, "--addr", strings.TrimPrefix(base, "http://"))}
	s.cmd.Dir = dir
	s.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, settings...)
	s.cmd.Stderr = &s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { s.cmd.Wait(); close(exited) }()
	s.stop = sync.OnceFunc(func() {
		s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			s.cmd.Process.Kill()
			<-exited
		}
	})
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server log:\n%s", s.stderr())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("the server exited:\n%s", s.stderr())
		default:
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not answer at %s:\n%s", base, s.stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeLoopbackAddr returns a loopback address with a port that was free a
// moment ago: the server's BASE_URL must be known before it starts.
func freeLoopbackAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEndToEndAuthAddedLater adds an auth section to an existing open
// project. Regeneration refuses it alongside stdio, then rewrites the
// generated files; the user's main.go is not rewritten, so until it wires
// the OAuth server in, the server must fail closed rather than serve its
// tools to anyone.
func TestEndToEndAuthAddedLater(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated server")
	}
	dir, _ := newProject(t)
	manifestPath := filepath.Join(dir, "mcpgen.yaml")
	manifest := strings.Replace(readString(t, manifestPath), "\ntools:", "\nauth: {provider: github}\n\ntools:", 1)
	if err := os.WriteFile(manifestPath, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := mcpgen(t, dir, "generate")
	if code != 1 || !strings.Contains(stderr, `transport "stdio" cannot be protected by auth`) {
		t.Fatalf("generate with auth and stdio: exit %d, stderr %q; want 1 and the stdio error", code, stderr)
	}

	manifest = strings.Replace(manifest, "transports: [streamable, sse, stdio]", "transports: [streamable, sse]", 1)
	if err := os.WriteFile(manifestPath, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	mainBefore := readString(t, filepath.Join(dir, "main.go"))
	code, out, stderr := mcpgen(t, dir, "generate")
	if code != 0 || !strings.Contains(out, "updated   server_gen.go") {
		t.Fatalf("generate with auth: exit %d\n%s%s", code, out, stderr)
	}
	// go.mod is the user's, but OAuth needs bbolt, which an authless
	// project's go.mod does not require: generate adds it and its
	// checksums, as go get would, so the project builds as it is.
	if !regexp.MustCompile(`(?m)^updated   go\.mod \(now requires .*go\.etcd\.io/bbolt v1\.5\.0.*, which the generated code needs\)$`).MatchString(out) ||
		!strings.Contains(out, "updated   go.sum (") {
		t.Errorf("generate with auth does not add go.etcd.io/bbolt to go.mod and go.sum:\n%s", out)
	}
	if readString(t, filepath.Join(dir, "main.go")) != mainBefore {
		t.Fatal("generate rewrote the user's main.go")
	}
	binary := filepath.Join(dir, "calc-server")
	for _, args := range [][]string{{"build", "-o", binary, "."}, {"vet", "./..."}, {"test", "-count=1", "./..."}} {
		if out, err := goCmd(t, dir, args...); err != nil {
			t.Fatalf("go %s: %v\n%s", args[0], err, out)
		}
	}
	// What generate added is exactly what go mod tidy would have.
	tidy := exec.Command("go", "mod", "tidy", "-diff")
	tidy.Dir = dir
	tidy.Env = testkit.OfflineEnv("GOFLAGS=-mod=mod")
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Errorf("go mod tidy -diff after generate: %v\n%s", err, out)
	}
	base := "http://" + freeLoopbackAddr(t)
	srv := startAuthServer(t, binary, dir, base, nil)
	if status := postMCP(t, t.Context(), http.DefaultTransport, base, "any-token"); status != http.StatusServiceUnavailable {
		t.Errorf("POST /mcp on a server whose main does not wire auth: status %d, want 503", status)
	}
	req, _ := http.NewRequest("POST", base+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("POST /mcp without a token: status %d, want 503", resp.StatusCode)
	}
	if log := srv.stderr(); !strings.Contains(log, "does not set serve.Options.Auth") {
		t.Errorf("the server's log does not say why it refuses requests:\n%s", log)
	}
}

// TestOAuthTemplatesListed checks that mcpgen templates lists the OAuth
// templates, and that mcpgen new names the settings each needs.
func TestOAuthTemplatesListed(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"mcpgen", "templates"}, &out, &errb); code != 0 {
		t.Fatalf("templates: exit %d\n%s", code, errb.String())
	}
	t.Setenv("MCPGEN_RUNTIME_DIR", "none")
	for tmpl, settings := range map[string]string{
		"github-oauth": "GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET",
		"google-oauth": "GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET",
		"oidc":         "OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET",
	} {
		if !regexp.MustCompile(`(?m)^` + tmpl + ` +\S`).MatchString(out.String()) {
			t.Errorf("mcpgen templates does not list %s:\n%s", tmpl, out.String())
		}
		code, stdout, stderr := mcpgen(t, "", "new", "x", "--template="+tmpl, "--out", filepath.Join(t.TempDir(), "x"))
		if code != 0 || !strings.Contains(stdout, "cp .env.example .env   # "+settings) {
			t.Errorf("mcpgen new --template=%s: exit %d, output:\n%s%s", tmpl, code, stdout, stderr)
		}
	}
}

// serverSettings are the settings of a generated github-oauth server that
// signs users in with this stand-in GitHub at base, its own URL, with a
// fresh encryption key; more are appended.
func (g *fakeIdP) serverSettings(base string, more ...string) []string {
	return append([]string{
		"GITHUB_CLIENT_ID=" + g.clientID,
		"GITHUB_CLIENT_SECRET=" + g.clientSecret,
		"GITHUB_AUTHORIZE_URL=" + g.srv.URL + "/login/oauth/authorize",
		"GITHUB_TOKEN_URL=" + g.srv.URL + "/login/oauth/access_token",
		"GITHUB_API_URL=" + g.srv.URL,
		"BASE_URL=" + base,
		"ENCRYPTION_KEY=" + base64.StdEncoding.EncodeToString(randomBytes(g.t, 32)),
	}, more...)
}
