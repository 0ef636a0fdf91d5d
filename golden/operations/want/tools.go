package main

// Tools implements ToolHandler: one method per tool of mcpgen.yaml, each in
// the tool's handler file (<tool>_tool.go).
//
// Add fields for what the tools share: clients, configuration, stores.
type Tools struct{}

var _ ToolHandler = (*Tools)(nil)
