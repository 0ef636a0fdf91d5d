package main

import (
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/store"
)

// TestCountPerUser checks that each signed-in user counts on their own,
// and that a call without a signed-in user is refused.
func TestCountPerUser(t *testing.T) {
	tools := &Tools{State: NewState(store.NewMemory())}
	as := func(user string) *mcp.CallToolRequest {
		return &mcp.CallToolRequest{Extra: &mcp.RequestExtra{TokenInfo: &auth.TokenInfo{UserID: user}}}
	}
	for _, want := range []int64{1, 2, 3} {
		out, err := tools.Count(t.Context(), as("github:1"), CountInput{})
		if err != nil || out.Count != want {
			t.Fatalf("count for the first user = %d, %v; want %d", out.Count, err, want)
		}
	}
	if out, err := tools.Count(t.Context(), as("github:2"), CountInput{}); err != nil || out.Count != 1 {
		t.Errorf("count for the second user = %d, %v; want 1, a count of their own", out.Count, err)
	}
	if _, err := tools.Count(t.Context(), &mcp.CallToolRequest{}, CountInput{}); err == nil {
		t.Error("count without a signed-in user succeeded")
	}
}
