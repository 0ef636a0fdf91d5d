package oauth

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/runtime/serve"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// Server is what serve.Options.Auth takes.
var _ interface {
	Mount(*http.ServeMux)
	Protect(http.Handler) http.Handler
} = (*Server)(nil)

// TestServe runs a Server as a generated main does, through
// serve.Options.Auth: both HTTP transports want a token and work with
// one, and the OAuth endpoints are served.
func TestServe(t *testing.T) {
	e := newEnv(t, &envOptions{handler: func(a *Server, s *mcp.Server) http.Handler {
		return serve.Handler(s, &serve.Config{}, &serve.Options{Name: "test", Auth: a, Transports: []string{serve.TransportStreamable, serve.TransportSSE}})
	}})
	_, access, _ := e.signIn()
	e.wantAccepted(access)
	e.wantRejected(randomToken())

	for _, path := range []string{"/mcp", "/sse"} {
		resp, err := http.Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "resource_metadata=") {
			t.Errorf("GET %s without a token: %s %q", path, resp.Status, resp.Header.Get("WWW-Authenticate"))
		}
	}
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access}))
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(context.Background(),
		&mcp.SSEClientTransport{Endpoint: e.ts.URL + "/sse", HTTPClient: hc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if res := callTool(t, cs, "whoami"); res.IsError || !strings.HasPrefix(toolText(t, res), "octocat") {
		t.Fatalf("whoami over SSE: %q", toolText(t, res))
	}
	if res := callTool(t, cs, "nobody"); !res.IsError {
		t.Error("a gated tool ran over SSE")
	}
	if got := toolNames(t, cs); !slices.Contains(got, "admin") || slices.Contains(got, "nobody") {
		t.Errorf("tools/list over SSE = %v", got)
	}

	// Another user's valid token cannot post into octocat's SSE session.
	e.setUser("mallory", "read:user")
	_, malloryToken, _ := e.signIn()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.ts.URL+"/sse", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	line, err := events.ReadString('\n') // event: endpoint
	if err != nil || line != "event: endpoint\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	line, _ = events.ReadString('\n')
	endpoint := strings.TrimSpace(strings.TrimPrefix(line, "data: "))
	if !strings.Contains(endpoint, "sessionid=") {
		t.Fatalf("no endpoint in %q", line)
	}
	post := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+endpoint, strings.NewReader(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(malloryToken); code != http.StatusForbidden {
		t.Errorf("another user's post into the session: %d, want 403", code)
	}
	if code := post(access); code != http.StatusAccepted {
		t.Errorf("the owner's post into the session: %d, want 202", code)
	}
}

// TestOtherAudienceHTTP presents a token of one server to another that
// shares its store but has another public URL.
func TestOtherAudienceHTTP(t *testing.T) {
	e := newEnv(t, nil)
	_, access, _ := e.signIn()
	set := *e.auth.set
	set.baseURL = "http://127.0.0.1:1"
	other, err := newServer(&e.auth.opts, &set, e.auth.store, e.lookup, e.auth.logger)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(other.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a token for another resource got through")
	})))
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodPost, ts.URL, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if www := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(www, `error="invalid_token"`) {
		t.Fatalf("got %s %q", resp.Status, www)
	}
	e.wantAccepted(access) // still good where it belongs
}
