package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CreateWidget serves the "create_widget" tool: Create a widget
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) CreateWidget(ctx context.Context, req *mcp.CallToolRequest, in CreateWidgetInput) (*mcp.CallToolResult, error) {
	// The generated call; reshape its response, add checks, or make other
	// calls with t.API.
	resp, err := CallCreateWidget(ctx, t.API, in)
	if err != nil {
		return nil, err
	}
	return resp.Result(), nil
}
