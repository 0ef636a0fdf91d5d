package main

import (
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// connect starts the server with its real handlers and connects an
// in-memory client to it.
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

func TestCalculate(t *testing.T) {
	cs := connect(t)
	for _, tc := range []struct {
		op   string
		a, b float64
		want string
	}{
		{"add", 1, 2, "3"},
		{"subtract", 1, 2, "-1"},
		{"multiply", 3, 4, "12"},
		{"divide", 1, 4, "0.25"},
	} {
		res := call(t, cs, "calculate", map[string]any{"operation": tc.op, "a": tc.a, "b": tc.b})
		if res.IsError || text(res) != tc.want {
			t.Errorf("calculate(%s, %v, %v) = %q (isError %v), want %q", tc.op, tc.a, tc.b, text(res), res.IsError, tc.want)
		}
	}
}

func TestCalculateErrors(t *testing.T) {
	cs := connect(t)
	for _, tc := range []struct {
		name string
		args map[string]any
	}{
		{"division by zero", map[string]any{"operation": "divide", "a": 1, "b": 0}},
		{"unknown operation", map[string]any{"operation": "power", "a": 2, "b": 8}},
		{"missing operand", map[string]any{"operation": "add", "a": 1}},
		{"operand of the wrong type", map[string]any{"operation": "add", "a": "one", "b": 2}},
	} {
		res := call(t, cs, "calculate", tc.args)
		if !res.IsError || text(res) == "" {
			t.Errorf("%s: got %q (isError %v), want a tool error with a message", tc.name, text(res), res.IsError)
		}
	}
}
