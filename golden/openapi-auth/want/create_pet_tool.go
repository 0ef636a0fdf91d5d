package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CreatePet serves the "create_pet" tool: Create a pet
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) CreatePet(ctx context.Context, req *mcp.CallToolRequest, in CreatePetInput) (*mcp.CallToolResult, error) {
	// The generated call; reshape its response, add checks, or make other
	// calls with t.API.
	resp, err := CallCreatePet(ctx, t.API, in)
	if err != nil {
		return nil, err
	}
	return resp.Result(), nil
}
