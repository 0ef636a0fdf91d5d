package main

import (
	"context"
	"errors"

	"github.com/mcpgen/mcpgen/runtime/oauth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// UserInfo serves the "userInfo" tool: the signed-in user, as the identity
// provider described them at sign-in. To call the provider's API as the
// user instead, use t.Auth.UpstreamClient(ctx, req).
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) UserInfo(ctx context.Context, req *mcp.CallToolRequest, in UserInfoInput) (UserInfoOutput, error) {
	user, ok := oauth.UserOf(req)
	if !ok {
		// Only a server without OAuth in front of it (an in-memory test)
		// gets here: over HTTP, a call without a valid token never does.
		return UserInfoOutput{}, errors.New("not signed in")
	}
	return UserInfoOutput{
		Subject: user.ID,
		Name:    optional(user.Name),
		Email:   optional(user.Email),
		Scopes:  user.Scopes,
	}, nil
}

// optional is s, or nil when s is empty, for the optional fields of a result.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
