package main

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ReadCounter reads the resources counter://{name}: the value of the
// counter called name, as JSON, from the same store the tools update.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) ReadCounter(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	name, err := url.PathUnescape(strings.TrimPrefix(req.Params.URI, "counter://"))
	if err != nil || name == "" {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	value, err := t.State.Counter(name).Get(ctx)
	if err != nil {
		return nil, err
	}
	text, err := json.Marshal(map[string]any{"name": name, "value": value})
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{
		{URI: req.Params.URI, MIMEType: "application/json", Text: string(text)},
	}}, nil
}
