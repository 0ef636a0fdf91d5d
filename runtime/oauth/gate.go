package oauth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"github.com/mcpgen/mcpgen/runtime/internal/pages"
)

// User is a user signed in through the identity provider.
type User struct {
	ID    string `json:"id"`
	Login string `json:"login"` // GitHub login; preferred_username or email elsewhere
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// Scopes are the scopes the provider granted.
	Scopes []string `json:"scopes,omitempty"`
}

// rule is a Rule with its users read and folded to lower case.
type rule struct {
	users  []string // nil: any signed-in user
	scopes []string
}

func compileRules(tools map[string]Rule, lookupEnv func(string) (string, bool)) map[string]rule {
	rules := make(map[string]rule, len(tools))
	for name, r := range tools {
		var users []string
		for _, u := range r.Users {
			users = append(users, strings.ToLower(strings.TrimSpace(u)))
		}
		restricted := len(r.Users) > 0
		if r.UsersEnv != "" {
			// A rule that names a variable restricts the tool even when
			// the variable is unset: unset means nobody, not everybody.
			restricted = true
			v, _ := lookupEnv(r.UsersEnv)
			for _, u := range strings.Split(v, ",") {
				if u = strings.ToLower(strings.TrimSpace(u)); u != "" {
					users = append(users, u)
				}
			}
		}
		if restricted && users == nil {
			users = []string{}
		}
		rules[name] = rule{users: users, scopes: r.Scopes}
	}
	return rules
}

// allows reports whether the user (nil: nobody signed in) may call the
// tool.
func (s *Server) allows(tool string, u *User) bool {
	r, gated := s.rules[tool]
	if !gated {
		return true
	}
	if u == nil {
		return false
	}
	if r.users != nil {
		// Rules name GitHub users by login, others by email address.
		who := u.Login
		if s.set.provider.name != "github" {
			who = u.Email
		}
		if who == "" || !slices.Contains(r.users, strings.ToLower(who)) {
			return false
		}
	}
	for _, sc := range r.scopes {
		if !slices.Contains(u.Scopes, sc) {
			return false
		}
	}
	return true
}

// lists reports whether tools/list shows tool to u: when u may call it, or
// lacks only scopes, which calling it lets the client step up to (or names
// them).
func (s *Server) lists(tool string, u *User) bool {
	if s.allows(tool, u) {
		return true
	}
	_, only := s.missingScopes(tool, u)
	return only
}

// refusal says why u may not call tool. Only a missing scope is named:
// the user can do something about it (sign in again and grant it), and the
// scopes a tool needs are no secret; who else may call it is.
func (s *Server) refusal(tool string, u *User) string {
	missing, only := s.missingScopes(tool, u)
	if !only {
		return "not allowed"
	}
	msg := fmt.Sprintf("not allowed: this tool needs the %s scope %s, which your sign-in did not grant; ", providerTitle(s.set.provider.name), strings.Join(missing, ", "))
	for _, sc := range missing {
		if !slices.Contains(s.provider.scopes, sc) {
			// Sign-in asks for it only when a client steps up.
			return msg + "a client that supports step-up authorization (MCP 2025-11-25 or later) asks for it when the tool is called"
		}
	}
	return msg + "sign in again and grant it"
}

// Gate installs middleware on srv that applies Options.Tools: tools/list
// shows each caller only the tools it may call, or could once it grants a
// scope, and calling another tool fails with a tool error that says no more
// than that it is not allowed (or which scope is missing).
//
// It also makes [UserOf] and [Server.UpstreamClient] work over the legacy
// SSE transport, whose requests carry no TokenInfo of their own: there the
// user is the one who opened the session, whom every post must match (see
// [Server.Protect]).
func (s *Server) Gate(srv *mcp.Server) {
	// The consent page names the tools a grant opens, which it asks srv
	// for when it is first shown.
	s.tools.Store(pages.NewDescriber(srv))
	srv.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			withTokenInfo(ctx, req)
			switch method {
			case "tools/call":
				if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok {
					u, _ := UserOf(req)
					if !s.allows(p.Name, u) {
						callinfo.From(ctx).SetOutcome(callinfo.Refused)
						res := &mcp.CallToolResult{IsError: true}
						res.Content = []mcp.Content{&mcp.TextContent{Text: s.refusal(p.Name, u)}}
						return res, nil
					}
				}
			case "tools/list":
				res, err := next(ctx, method, req)
				if lr, ok := res.(*mcp.ListToolsResult); ok && err == nil && len(s.rules) > 0 {
					u, _ := userFrom(ctx, req)
					filtered := *lr
					filtered.Tools = slices.DeleteFunc(slices.Clone(lr.Tools), func(t *mcp.Tool) bool { return !s.lists(t.Name, u) })
					// The list now depends on who asks.
					filtered.CacheScope = "private"
					return &filtered, nil
				}
				return res, err
			}
			return next(ctx, method, req)
		}
	})
}

// withTokenInfo gives a request that has no TokenInfo (one over the
// legacy SSE transport) the one of its context, for the request types
// whose handlers call UserOf.
func withTokenInfo(ctx context.Context, req mcp.Request) {
	if extra := req.GetExtra(); extra != nil && extra.TokenInfo != nil {
		return
	}
	ti := auth.TokenInfoFromContext(ctx)
	if ti == nil {
		return
	}
	set := func(extra **mcp.RequestExtra) {
		if *extra == nil {
			*extra = &mcp.RequestExtra{}
		}
		(*extra).TokenInfo = ti
	}
	switch r := req.(type) {
	case *mcp.CallToolRequest:
		set(&r.Extra)
	case *mcp.ListToolsRequest:
		set(&r.Extra)
	case *mcp.GetPromptRequest:
		set(&r.Extra)
	case *mcp.ReadResourceRequest:
		set(&r.Extra)
	case *mcp.CompleteRequest:
		set(&r.Extra)
	}
}

// userFrom is UserOf, falling back to the context's TokenInfo.
func userFrom(ctx context.Context, req mcp.Request) (*User, bool) {
	if u, ok := UserOf(req); ok {
		return u, true
	}
	if ti := auth.TokenInfoFromContext(ctx); ti != nil {
		u, ok := ti.Extra[extraUser].(*User)
		return u, ok
	}
	return nil, false
}
