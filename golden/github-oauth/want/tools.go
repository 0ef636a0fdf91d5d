package main

import "github.com/mcpgen/mcpgen/runtime/oauth"

// Tools implements ToolHandler: one method per tool of mcpgen.yaml, each in
// the tool's handler file (<tool>_tool.go).
//
// Add fields for what the tools share: clients, configuration, stores.
type Tools struct {
	// Auth is the server's OAuth side: oauth.UserOf(req) is the signed-in user
	// of a call, and Auth.UpstreamClient(ctx, req) calls GitHub as that user.
	Auth *oauth.Server
	// State holds the values declared under state: in mcpgen.yaml.
	State *State
}

var _ ToolHandler = (*Tools)(nil)
