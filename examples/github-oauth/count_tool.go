package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Count serves the "count" tool: one more for the signed-in user, in a
// count of their own kept in the server's store, so that it survives
// restarts and every replica sees the same count. Update retries when two
// calls land at once, so none is lost.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) Count(ctx context.Context, req *mcp.CallToolRequest, in CountInput) (CountOutput, error) {
	count, err := t.State.Count(req)
	if err != nil {
		return CountOutput{}, err
	}
	n, err := count.Update(ctx, func(n CountState) (CountState, error) { return n + 1, nil })
	if err != nil {
		return CountOutput{}, err
	}
	return CountOutput{Count: int64(n)}, nil
}
