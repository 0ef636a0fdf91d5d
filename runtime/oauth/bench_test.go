package oauth

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mcpgen/mcpgen/runtime/store"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// benchServer is the same kind of server both ways: one cheap tool,
// stateless streamable HTTP.
func benchServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "bench", Version: "v1"}, nil)
	s.AddTool(&mcp.Tool{Name: "echo", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ok"}}}, nil
	})
	return s
}

func benchCalls(b *testing.B, endpoint string, hc *http.Client) {
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "b", Version: "1"}, nil).Connect(context.Background(),
		&mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	params := &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := cs.CallTool(context.Background(), params)
		if err != nil || res.IsError {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkToolCall compares a tools/call over HTTP without auth with the
// same call bearing an access token: Protect's token check and grant
// lookup (bbolt, the default store, and memory), and Gate's middleware
// with one gated tool. Client and server run in the same process, so
// allocations count both.
func BenchmarkToolCall(b *testing.B) {
	b.Run("open", func(b *testing.B) {
		srv := benchServer()
		ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Stateless: true}))
		defer ts.Close()
		benchCalls(b, ts.URL, &http.Client{})
	})
	for _, kind := range []string{"bolt", "memory"} {
		b.Run("oauth-"+kind, func(b *testing.B) {
			e := newEnv(b, &envOptions{setup: func(s *Server) {
				if kind == "memory" {
					s.store.Close()
					s.store = store.NewMemory()
				}
			}})
			e.auth.logger = slog.New(slog.DiscardHandler)
			_, access, _ := e.signIn()
			srv := benchServer()
			e.auth.Gate(srv)
			ts := httptest.NewServer(e.auth.Protect(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Stateless: true})))
			defer ts.Close()
			benchCalls(b, ts.URL, oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access})))
		})
	}
}

// BenchmarkVerify is the token check alone: two store reads, two JSON
// decodes and a SHA-256.
func BenchmarkVerify(b *testing.B) {
	e := newEnv(b, nil)
	_, access, _ := e.signIn()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.auth.verify(ctx, access); err != nil {
			b.Fatal(err)
		}
	}
}
