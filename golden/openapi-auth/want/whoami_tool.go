package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Whoami serves the "whoami" tool: Return the signed-in user's GitHub login.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) Whoami(ctx context.Context, req *mcp.CallToolRequest, in WhoamiInput) (*mcp.CallToolResult, error) {
	// TODO: implement. An error returned here reaches the client as a tool error.
	// oauth.UserOf(req) is the signed-in user; t.Auth.UpstreamClient(ctx, req)
	// calls GitHub as them.
	return nil, errNotImplemented("whoami")
}
