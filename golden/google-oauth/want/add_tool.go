package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Add serves the "add" tool: it returns the sum of its arguments.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) Add(ctx context.Context, req *mcp.CallToolRequest, in AddInput) (AddOutput, error) {
	return AddOutput{Sum: in.A + in.B}, nil
}
