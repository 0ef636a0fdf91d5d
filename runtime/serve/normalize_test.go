package serve

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestNormalizeNullArguments sends, over HTTP on loopback, the tools/call
// that makes the SDK panic without NormalizeRequests: arguments null, to a
// tool whose input schema has a default. The call must be answered as one
// without arguments, the default filled in.
func TestNormalizeNullArguments(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	NormalizeRequests(s)
	type in struct {
		Greeting string `json:"greeting"`
	}
	tool := &mcp.Tool{
		Name:        "greet",
		Description: "Greet.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"greeting":{"type":"string","default":"hello"}}}`),
	}
	mcp.AddTool(s, tool, func(_ context.Context, _ *mcp.CallToolRequest, args in) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: args.Greeting}}}, nil, nil
	})
	srv := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}))
	defer srv.Close()

	for _, args := range []string{`null`, `{}`} {
		body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"greet","arguments":` + args + `}}`
		req, err := http.NewRequest("POST", srv.URL, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var msg struct {
			Result *mcp.CallToolResult `json:"result"`
			Error  *struct{ Message string }
		}
		if err := json.Unmarshal(data, &msg); err != nil {
			t.Fatalf("arguments %s: %v: %s", args, err, data)
		}
		if msg.Result == nil || msg.Result.IsError || len(msg.Result.Content) != 1 {
			t.Fatalf("arguments %s: got %s, want a result", args, data)
		}
		if got := msg.Result.Content[0].(*mcp.TextContent).Text; got != "hello" {
			t.Errorf("arguments %s: greeting %q, want the default %q", args, got, "hello")
		}
	}
}
