package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CreateNote serves the "create_note" tool: Create a note with a title, a body
// and tags.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) CreateNote(ctx context.Context, req *mcp.CallToolRequest, in CreateNoteInput) (CreateNoteOutput, error) {
	// TODO: implement. An error returned here reaches the client as a tool error.
	return CreateNoteOutput{}, errNotImplemented("create_note")
}
