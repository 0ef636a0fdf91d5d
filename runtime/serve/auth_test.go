package serve

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// fakeAuth accepts the bearer token "good" and serves /login.
type fakeAuth struct{}

func (fakeAuth) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("login page")) })
}

func (fakeAuth) Protect(h http.Handler) http.Handler {
	return auth.RequireBearerToken(func(_ context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		if token != "good" {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{Expiration: time.Now().Add(time.Hour)}, nil
	}, &auth.RequireBearerTokenOptions{ResourceMetadataURL: "http://example.test/.well-known/oauth-protected-resource"})(h)
}

func TestAuthHook(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{}, &Options{Auth: fakeAuth{}})

	if code, body := get(t, srv.base+"/login"); code != http.StatusOK || body != "login page" {
		t.Errorf("GET /login = %d %q; Mount's routes are not served", code, body)
	}
	if code, _ := get(t, srv.base+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz = %d; it should not need a token", code)
	}
	for _, path := range []string{"/mcp", "/sse"} {
		resp := post(t, srv.base+path, "", map[string]string{"Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "resource_metadata=") {
			t.Errorf("POST %s without a token = %d, WWW-Authenticate %q; want 401 from Protect", path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}

	// With the token, both transports work.
	hc := oauth2.NewClient(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "good"}))
	callEcho(t, connect(t, &mcp.StreamableClientTransport{Endpoint: srv.base + "/mcp", HTTPClient: hc}, nil, nil), "hi")
	callEcho(t, connect(t, &mcp.SSEClientTransport{Endpoint: srv.base + "/sse", HTTPClient: hc}, nil, nil), "hi")

	// A wrong token is refused.
	bad := oauth2.NewClient(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "bad"}))
	if _, err := mcp.NewClient(&mcp.Implementation{Name: "c"}, nil).Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.base + "/mcp", HTTPClient: bad}, nil); err == nil {
		t.Error("connected with a bad token")
	}
}
