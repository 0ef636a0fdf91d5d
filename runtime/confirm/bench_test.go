package confirm

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkMiddleware measures what the middleware adds to a tools/call:
// for a tool it does not confirm (against the tool without it), and for
// both rounds of a multi-round
// confirmation (seal, then open and take the single-use record from a
// memory store), the tool itself doing nothing.
func BenchmarkMiddleware(b *testing.B) {
	mw := Middleware(&Options{States: newCodec(b), Tools: map[string]Rule{"delete": {Summary: Template("Delete thing {{id}}")}}})
	tool := func(context.Context, string, mcp.Request) (mcp.Result, error) { return &mcp.CallToolResult{}, nil }
	h := mw(tool)
	meta := mcp.Meta{
		mcp.MetaKeyProtocolVersion:    "2026-07-28",
		mcp.MetaKeyClientCapabilities: map[string]any{"elicitation": map[string]any{}},
	}
	args := json.RawMessage(`{"id":"42"}`)
	ctx := context.Background()

	for name, h := range map[string]mcp.MethodHandler{"without": tool, "unconfirmed": h} {
		b.Run(name, func(b *testing.B) {
			req := &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Meta: meta, Name: "list", Arguments: args}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h(ctx, "tools/call", req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("confirmed", func(b *testing.B) {
		accept := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}}
		b.ReportAllocs()
		for b.Loop() {
			res, err := h(ctx, "tools/call", &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Meta: meta, Name: "delete", Arguments: args}})
			if err != nil {
				b.Fatal(err)
			}
			state := res.(*mcp.CallToolResult).RequestState
			res, err = h(ctx, "tools/call", &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Meta: meta, Name: "delete", Arguments: args, RequestState: state, InputResponses: accept}})
			if err != nil || res.(*mcp.CallToolResult).IsError {
				b.Fatal(err, res)
			}
		}
	})
}
