package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CountItems serves the "count_items" tool: Count the items that match a
// filter.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) CountItems(ctx context.Context, req *mcp.CallToolRequest, in CountItemsInput) (*mcp.CallToolResult, error) {
	// The generated call; reshape its response, add checks, or make other
	// calls with t.API.
	resp, err := CallCountItems(ctx, t.API, in)
	if err != nil {
		return nil, err
	}
	return resp.Result(), nil
}
