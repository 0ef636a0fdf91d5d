package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Increment serves the "increment" tool: it adds amount to the counter
// called name and returns the counter's new value. Counters live in the
// server's store, so every replica sees the same value, and Update retries
// when two increments land at once, so none is lost.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) Increment(ctx context.Context, req *mcp.CallToolRequest, in IncrementInput) (IncrementOutput, error) {
	amount := int64(1)
	if in.Amount != nil {
		amount = *in.Amount
	}
	value, err := t.State.Counter(in.Name).Update(ctx, func(n CounterState) (CounterState, error) {
		return n + CounterState(amount), nil
	})
	if err != nil {
		return IncrementOutput{}, err
	}
	if _, err := t.State.Total().Update(ctx, func(n TotalState) (TotalState, error) {
		return n + TotalState(amount), nil
	}); err != nil {
		return IncrementOutput{}, err
	}
	return IncrementOutput{Name: in.Name, Value: int64(value)}, nil
}
