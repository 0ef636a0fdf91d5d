package ratelimit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"

	"github.com/mcpgen/mcpgen/runtime/internal/clientip"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// addrHeader tells the test server which client address to put in a
// request's context, as the HTTP layer would from the connection.
const addrHeader = "X-Test-Client-Addr"

// withAddr is the HTTP layer of the tests: it puts the address the
// request names in its context with clientip.
func withAddr(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, err := netip.ParseAddr(r.Header.Get(addrHeader)); err == nil {
			r = r.WithContext(clientip.With(r.Context(), a))
		}
		h.ServeHTTP(w, r)
	})
}

// addrTransport sends each request with the address currently set.
type addrTransport struct {
	mu   sync.Mutex
	addr string
}

func (t *addrTransport) set(a string) {
	t.mu.Lock()
	t.addr = a
	t.mu.Unlock()
}

func (t *addrTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	a := t.addr
	t.mu.Unlock()
	r = r.Clone(r.Context())
	r.Header.Set(addrHeader, a)
	return http.DefaultTransport.RoundTrip(r)
}

// TestCallContextAddr finds out which HTTP request's context values a
// tools/call reaches receiving middleware with, on each HTTP transport of
// the go-sdk: the session opens from one address and calls from another.
// Middleware limits by the address it sees, so this pins what it sees.
func TestCallContextAddr(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(*mcp.Server) http.Handler
		sse     bool
		want    string // the address the call's middleware sees
	}{
		// Each request connects a session of its own, on its context.
		{"streamable-stateless", func(s *mcp.Server) http.Handler {
			return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true})
		}, false, "192.0.2.2"},
		// Calls run on the context of the request that initialized the
		// session (without its cancellation).
		{"streamable-stateful", func(s *mcp.Server) http.Handler {
			return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil)
		}, false, "192.0.2.1"},
		// Calls run on the context of the GET that opened the stream,
		// whichever POST carries them.
		{"sse", func(s *mcp.Server) http.Handler {
			return mcp.NewSSEHandler(func(*http.Request) *mcp.Server { return s }, nil)
		}, true, "192.0.2.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mcp.NewServer(&mcp.Implementation{Name: "probe", Version: "v1"}, nil)
			s.AddTool(&mcp.Tool{Name: "probe", InputSchema: json.RawMessage(`{"type":"object"}`)},
				func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					return &mcp.CallToolResult{}, nil
				})
			var mu sync.Mutex
			var seen []string
			s.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
				return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
					if method == "tools/call" {
						a, _ := clientip.From(ctx)
						mu.Lock()
						seen = append(seen, a.String())
						mu.Unlock()
					}
					return next(ctx, method, req)
				}
			})
			ts := httptest.NewServer(withAddr(tc.handler(s)))
			defer ts.Close()
			at := &addrTransport{addr: "192.0.2.1"}
			hc := &http.Client{Transport: at}
			var tr mcp.Transport = &mcp.StreamableClientTransport{Endpoint: ts.URL, HTTPClient: hc}
			if tc.sse {
				tr = &mcp.SSEClientTransport{Endpoint: ts.URL, HTTPClient: hc}
			}
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(context.Background(), tr, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			at.set("192.0.2.2")
			if _, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "probe", Arguments: map[string]any{}}); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 1 || seen[0] != tc.want {
				t.Errorf("the call's middleware saw the address %v, want %s", seen, tc.want)
			}
		})
	}
}
