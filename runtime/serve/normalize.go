package serve

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// NormalizeRequests adds to s what the MCP SDK (v1.8.0) needs to take every
// request a client may send without failing: a tools/call whose arguments
// are null is taken as one without arguments, which is what null means
// there. Without it, such a call to a tool whose input schema has a default
// panics inside the SDK and ends the server process. Generated servers call
// it in NewServer.
func NormalizeRequests(s *mcp.Server) {
	s.AddReceivingMiddleware(normalize)
}

func normalize(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if r, ok := req.(*mcp.CallToolRequest); ok && r.Params != nil && isNull(r.Params.Arguments) {
			r.Params.Arguments = json.RawMessage("{}")
		}
		return next(ctx, method, req)
	}
}

// isNull reports whether raw is the JSON null (or nothing at all).
func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}
