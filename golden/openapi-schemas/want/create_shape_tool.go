package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CreateShape serves the "create_shape" tool: Create a shape
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) CreateShape(ctx context.Context, req *mcp.CallToolRequest, in CreateShapeInput) (*mcp.CallToolResult, error) {
	// The generated call; reshape its response, add checks, or make other
	// calls with t.API.
	resp, err := CallCreateShape(ctx, t.API, in)
	if err != nil {
		return nil, err
	}
	return resp.Result(), nil
}
