package main

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// UploadPhotos serves the "upload_photos" tool: Upload photos, with a caption
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) UploadPhotos(ctx context.Context, req *mcp.CallToolRequest, in UploadPhotosInput) (*mcp.CallToolResult, error) {
	// The generated call; reshape its response, add checks, or make other
	// calls with t.API.
	resp, err := CallUploadPhotos(ctx, t.API, in)
	if err != nil {
		return nil, err
	}
	return resp.Result(), nil
}
