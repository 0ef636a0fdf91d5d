package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// SearchNotes serves the "search-notes" tool: Search notes by text; returns
// matching note ids.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) SearchNotes(ctx context.Context, req *mcp.CallToolRequest, in SearchNotesInput) (SearchNotesOutput, error) {
	// TODO: implement. An error returned here reaches the client as a tool error.
	return SearchNotesOutput{}, errNotImplemented("search-notes")
}
