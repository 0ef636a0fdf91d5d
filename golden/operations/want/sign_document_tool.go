package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// SignDocument serves the "sign_document" tool: Sign a document with the
// caller's key.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) SignDocument(ctx context.Context, req *mcp.CallToolRequest, in SignDocumentInput) (*mcp.CallToolResult, error) {
	// TODO: implement. An error returned here reaches the client as a tool error.
	return nil, errNotImplemented("sign_document")
}
