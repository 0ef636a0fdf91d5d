package main

import (
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// connect starts the server with its real handlers and connects an
// in-memory client to it. The in-memory connection has no OAuth in front of
// it: no user is signed in, and no tool is hidden. What signed-in users see
// is tested end to end, over HTTP, by mcpgen's own tests.
func connect(t *testing.T) *mcp.ClientSession {
	t.Helper()
	serverTransport, clientTransport := mcp.NewInMemoryTransports()
	ss, err := NewServer(&Tools{}, nil).Connect(t.Context(), serverTransport, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(t.Context(), clientTransport, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool and returns its result; a protocol error fails the test.
func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return res
}

func text(res *mcp.CallToolResult) string {
	if len(res.Content) == 0 {
		return ""
	}
	if tc, ok := res.Content[0].(*mcp.TextContent); ok {
		return tc.Text
	}
	return ""
}

func TestAdd(t *testing.T) {
	cs := connect(t)
	res := call(t, cs, "add", map[string]any{"a": 2, "b": 3.5})
	if res.IsError {
		t.Fatalf("add: tool error %q", text(res))
	}
	got, ok := res.StructuredContent.(map[string]any)
	if !ok || got["sum"] != 5.5 {
		t.Errorf("add(2, 3.5) structuredContent = %v, want {sum: 5.5}", res.StructuredContent)
	}
}

func TestUserInfoNeedsSignIn(t *testing.T) {
	cs := connect(t)
	res := call(t, cs, "userInfo", map[string]any{})
	if !res.IsError || !strings.Contains(text(res), "not signed in") {
		t.Errorf("userInfo without a signed-in user = %q (isError %v), want a \"not signed in\" tool error", text(res), res.IsError)
	}
}

func TestServerStatus(t *testing.T) {
	cs := connect(t)
	res := call(t, cs, "serverStatus", map[string]any{})
	if res.IsError {
		t.Fatalf("serverStatus: tool error %q", text(res))
	}
	got, ok := res.StructuredContent.(map[string]any)
	if !ok || got["version"] != ServerVersion {
		t.Errorf("serverStatus structuredContent = %v, want version %s", res.StructuredContent, ServerVersion)
	}
	if n, _ := got["goroutines"].(float64); n < 1 {
		t.Errorf("serverStatus goroutines = %v, want at least 1", got["goroutines"])
	}
}
