package ratelimit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"github.com/mcpgen/mcpgen/runtime/internal/clientip"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ToolLimits are the limits on tool calls that [Limiter.Middleware]
// applies, each counted per subject: the signed-in user, or else the
// client address, or else (on stdio) everyone at once.
type ToolLimits struct {
	// Server, if not nil, limits a subject's requests to the server: tool
	// calls and every other request but the protocol's own (see counted).
	Server *Limit
	// Tools limit a subject's calls to one tool each. Tools absent from
	// the map have no limit of their own.
	Tools map[string]Limit
	// FailOpen lets calls through when a limit cannot be checked (the
	// store is unreachable); otherwise they are refused with a tool error
	// that says so.
	FailOpen bool
}

// Middleware returns receiving middleware (for mcp.Server's
// AddReceivingMiddleware) that applies tl. The limit on all requests,
// tl.Server, counts every request but the protocol's own traffic, which
// must not be refused (see counted); the tools'
// limits count their calls.
//
// A tool call over a limit gets a tool error (a result with isError set,
// not a JSON-RPC error, so that the model reads it) naming the limit and
// when to retry, and its callinfo outcome is rate_limited. Another request
// over the limit on all requests gets a JSON-RPC error, code
// [CodeRateLimited], whose data holds retryAfter in seconds. A tool's own limit is
// checked before the limit on all tools, so that calls refused by a busy
// tool's limit leave the subject's other tools their budget.
//
// The subject is the user of the call's token (its TokenInfo's UserID),
// or else the client address that the HTTP layer put in the request's
// context with clientip, or else everyone. The address is read from the
// context the MCP SDK runs the call with: over streamable HTTP without
// sessions that is each HTTP request's; with sessions, and over the legacy
// SSE transport, it is the request's that opened the session.
func (l *Limiter) Middleware(tl *ToolLimits) (mcp.Middleware, error) {
	if tl == nil {
		tl = &ToolLimits{}
	}
	if tl.Server != nil {
		if err := tl.Server.Validate(); err != nil {
			return nil, fmt.Errorf("the limit on all tools: %w", err)
		}
	}
	tools := make(map[string]Limit, len(tl.Tools))
	for name, lim := range tl.Tools {
		if err := lim.Validate(); err != nil {
			return nil, fmt.Errorf("the limit on tool %q: %w", name, err)
		}
		tools[name] = lim
	}
	var server *Limit
	if tl.Server != nil {
		s := *tl.Server
		server = &s
	}
	failOpen := tl.FailOpen
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != "tools/call" {
				if server != nil && counted(method) {
					if err := l.checkRequest(ctx, method, *server, callSubject(ctx, req), failOpen); err != nil {
						return nil, err
					}
				}
				return next(ctx, method, req)
			}
			p, ok := req.GetParams().(*mcp.CallToolParamsRaw)
			if !ok {
				return next(ctx, method, req)
			}
			sub := callSubject(ctx, req)
			if lim, ok := tools[p.Name]; ok {
				if res := l.check(ctx, "tool/"+p.Name+"/"+sub.key, p.Name, lim, sub, failOpen); res != nil {
					return res, nil
				}
			}
			if server != nil {
				if res := l.check(ctx, "tools/"+sub.key, "tools", *server, sub, failOpen); res != nil {
					return res, nil
				}
			}
			return next(ctx, method, req)
		}
	}, nil
}

// check checks one limit on a tool call, and returns the tool error to
// answer with, or nil to go on. Scope is the tool's name, or "tools" for
// the limit on all of them.
func (l *Limiter) check(ctx context.Context, key, scope string, lim Limit, sub subject, failOpen bool) *mcp.CallToolResult {
	d, err := l.Allow(ctx, key, lim)
	if err != nil {
		if failOpen {
			return nil
		}
		l.refused(ctx, scope, err)
		// The limiter refused the call, but because the server failed,
		// not because the caller did too much.
		callinfo.From(ctx).SetOutcome(callinfo.Error)
		return toolError("the rate limit could not be checked, as the server cannot reach its store; try again shortly")
	}
	if d.Allowed {
		return nil
	}
	l.refused(ctx, scope, nil)
	callinfo.From(ctx).SetOutcome(callinfo.RateLimited)
	noun := "calls"
	if scope == "tools" {
		noun = "requests"
	}
	what := lim.describe(noun)
	if sub.per != "" {
		what += " " + sub.per
	}
	if scope == "tools" {
		what += " to this server"
	} else {
		what += " for tool " + scope
	}
	return toolError(fmt.Sprintf("rate limit exceeded: %s; retry in %ds", what, seconds(d.RetryAfter)))
}

// counted reports whether the limit on all requests counts method: every
// request but the protocol's own (initialize and, from 2026-07-28,
// server/discover, which start a session; ping; subscriptions/listen,
// which holds the stream of notifications open) and notifications, which
// have no answer to refuse with.
func counted(method string) bool {
	switch method {
	case "initialize", "server/discover", "ping", "subscriptions/listen":
		return false
	}
	return !strings.HasPrefix(method, "notifications/")
}

// CodeRateLimited is the JSON-RPC error code of a request other than a
// tool call refused by the limit on all requests: the implementation-defined
// server error range of JSON-RPC 2.0, as MCP defines no code for it. The
// error's data holds retryAfter, in seconds.
const CodeRateLimited = -32029

// checkRequest checks the limit on all requests for a request other than
// a tool call, and returns the JSON-RPC error to answer with, or nil.
func (l *Limiter) checkRequest(ctx context.Context, method string, lim Limit, sub subject, failOpen bool) error {
	d, err := l.Allow(ctx, "tools/"+sub.key, lim)
	if err != nil {
		if failOpen {
			return nil
		}
		l.refused(ctx, "tools", err)
		return &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "the rate limit could not be checked, as the server cannot reach its store; try again shortly"}
	}
	if d.Allowed {
		return nil
	}
	l.refused(ctx, "tools", nil)
	what := lim.describe("requests")
	if sub.per != "" {
		what += " " + sub.per
	}
	retry := seconds(d.RetryAfter)
	data, _ := json.Marshal(map[string]int64{"retryAfter": retry})
	return &jsonrpc.Error{Code: CodeRateLimited, Data: data,
		Message: fmt.Sprintf("rate limit exceeded: %s to this server; retry %s in %ds", what, method, retry)}
}

func toolError(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}

// callSubject finds whom a tool call counts against.
func callSubject(ctx context.Context, req mcp.Request) subject {
	if extra := req.GetExtra(); extra != nil && extra.TokenInfo != nil && extra.TokenInfo.UserID != "" {
		return userSubject(extra.TokenInfo.UserID)
	}
	// Over the legacy SSE transport the call carries no TokenInfo, but
	// the context of the stream it came on does.
	if ti := auth.TokenInfoFromContext(ctx); ti != nil && ti.UserID != "" {
		return userSubject(ti.UserID)
	}
	if a, ok := clientip.From(ctx); ok {
		return addrSubject(a)
	}
	return local
}
