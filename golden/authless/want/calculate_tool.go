package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Calculate serves the "calculate" tool: it applies one of the four basic
// operations and answers with the result as text.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) Calculate(ctx context.Context, req *mcp.CallToolRequest, in CalculateInput) (*mcp.CallToolResult, error) {
	var result float64
	switch in.Operation {
	case CalculateInputOperationAdd:
		result = in.A + in.B
	case CalculateInputOperationSubtract:
		result = in.A - in.B
	case CalculateInputOperationMultiply:
		result = in.A * in.B
	case CalculateInputOperationDivide:
		if in.B == 0 {
			return nil, errors.New("cannot divide by zero")
		}
		result = in.A / in.B
	default:
		// The input schema allows only the four operations above.
		return nil, fmt.Errorf("unknown operation %q", in.Operation)
	}
	return &mcp.CallToolResult{
		Content: []mcp.Content{&mcp.TextContent{Text: strconv.FormatFloat(result, 'g', -1, 64)}},
	}, nil
}
