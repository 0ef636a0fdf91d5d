package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// PurgeCache serves the "purge_cache" tool: Empty the server's cache.
// Operators only.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) PurgeCache(ctx context.Context, req *mcp.CallToolRequest, in PurgeCacheInput) (*mcp.CallToolResult, error) {
	// TODO: implement. An error returned here reaches the client as a tool error.
	// oauth.UserOf(req) is the signed-in user; t.Auth.UpstreamClient(ctx, req)
	// calls Google as them.
	return nil, errNotImplemented("purge_cache")
}
