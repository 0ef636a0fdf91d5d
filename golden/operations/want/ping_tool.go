package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Ping serves the "ping" tool: Answer pong.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) Ping(ctx context.Context, req *mcp.CallToolRequest, in PingInput) (*mcp.CallToolResult, error) {
	// TODO: implement. An error returned here reaches the client as a tool error.
	return nil, errNotImplemented("ping")
}
