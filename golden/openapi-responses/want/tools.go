package main

import "github.com/mcpgen/mcpgen/runtime/upstream"

// Tools implements ToolHandler: one method per tool of mcpgen.yaml, each in
// the tool's handler file (<tool>_tool.go).
//
// Add fields for what the tools share: clients, configuration, stores.
type Tools struct {
	// API calls the HTTP API of tracker.yaml, for tools of your own.
	API *upstream.Client
}

var _ ToolHandler = (*Tools)(nil)
