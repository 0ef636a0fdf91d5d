package serve

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The runtime must cost nothing measurable over a bare SDK handler: these
// benchmarks make the same stateless tools/call through each, in process.
//
//	go test -run '^$' -bench Handler -benchmem ./serve

const toolsCall = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`

func benchmarkCall(b *testing.B, h http.Handler) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "/mcp", strings.NewReader(toolsCall))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"echo":"hi"`) {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

func BenchmarkHandlerSDK(b *testing.B) {
	s := testServer(nil, nil)
	benchmarkCall(b, mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true}))
}

func BenchmarkHandlerServe(b *testing.B) {
	h, _, _ := newHandler(testServer(nil, nil), &Config{}, (*Options)(nil).orDefault(), NewLogger(&Config{}, io.Discard), nil)
	benchmarkCall(b, h)
}
