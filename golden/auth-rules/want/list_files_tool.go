package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ListFiles serves the "list_files" tool: List the user's Drive files.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) ListFiles(ctx context.Context, req *mcp.CallToolRequest, in ListFilesInput) (*mcp.CallToolResult, error) {
	// TODO: implement. An error returned here reaches the client as a tool error.
	// oauth.UserOf(req) is the signed-in user; t.Auth.UpstreamClient(ctx, req)
	// calls Google as them.
	return nil, errNotImplemented("list_files")
}
