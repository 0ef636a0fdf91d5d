package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Search serves the "search" tool: Search the catalogue.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) Search(ctx context.Context, req *mcp.CallToolRequest, in SearchInput) (*mcp.CallToolResult, error) {
	// TODO: implement. An error returned here reaches the client as a tool error.
	return nil, errNotImplemented("search")
}
