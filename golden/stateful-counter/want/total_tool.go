package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Total serves the "total" tool: the sum of every increment, kept in the
// server's store next to the counters.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) Total(ctx context.Context, req *mcp.CallToolRequest, in TotalInput) (TotalOutput, error) {
	total, err := t.State.Total().Get(ctx)
	if err != nil {
		return TotalOutput{}, err
	}
	return TotalOutput{Total: int64(total)}, nil
}
