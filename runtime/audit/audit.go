// Package audit writes one structured log record per tool call: who
// called which tool, how it ended, how long it took, what the API it
// called answered, and, for the tools that opt in, with which arguments.
//
// A server sets it up from AUDIT_LOG and the tools' rules:
//
//	w, closeLog, err := audit.Open(os.Getenv("AUDIT_LOG"))
//	if err != nil { ... } // names AUDIT_LOG
//	defer closeLog()
//	var logger *slog.Logger
//	if w != nil {
//		logger = slog.New(slog.NewJSONHandler(w, nil))
//	}
//	mw := audit.Middleware(audit.Options{Logger: logger, Tools: rules})
//	s.AddReceivingMiddleware(t.Middleware(), mw, limits...)
//
// # Order of middleware
//
// The middleware goes right inside the telemetry middleware
// (runtime/telemetry), whose span is then open, so that each record
// carries its trace ID, and outside every other layer, so that it records
// the calls that a rate limit, a timeout or a sign-in check refused. When
// it is the outermost layer that keeps a call record (runtime/internal/callinfo)
// it puts one in the context; inner layers set the outcome there.
//
// # Records
//
// Each record is logged at level Info with the message "audit" and these
// attributes, the empty ones left out:
//
//	tool             the tool's name
//	outcome          ok, tool_error, refused, rate_limited, timeout or error
//	duration         how long the call took
//	user             the signed-in user (TokenInfo.UserID), if any
//	login            TokenInfo.Extra["login"], if it is a string
//	client_id        TokenInfo.Extra["client_id"], if it is a string
//	client           the MCP client's name, as it introduced itself
//	session          the MCP session ID, if any
//	upstream_status  the HTTP status of the tool's last API call, if any
//	trace_id         the trace the call is part of, if telemetry is on
//	arguments        the arguments, only for tools whose Rule says so
//
// A record never holds a token or a credential: arguments are left out
// unless a tool's rule asks for them, and then the values of keys that
// name credentials are replaced by "[redacted]" (see [Rule]).
package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/trace"
)

// Options configure [Middleware].
type Options struct {
	// Logger is where records go; nil means nowhere, and the middleware
	// is the identity. Give it a handler of its own (see [Open]) so that
	// the server's log level does not hide records.
	Logger *slog.Logger
	// Tools holds the rules of the tools that have any, by tool name.
	Tools map[string]Rule
}

// A Rule says what the records of one tool's calls hold.
type Rule struct {
	// Arguments puts the call's arguments in its records.
	Arguments bool
	// Redact lists further argument names whose values are replaced by
	// "[redacted]", at any depth and in any case, besides those always
	// replaced: password, passwd, secret, token, access_token,
	// refresh_token, id_token, api_key, apikey, authorization,
	// client_secret and cookie.
	Redact []string
}

// Redacted is what an argument's value is replaced by.
const Redacted = "[redacted]"

// alwaysRedacted are the argument names that hold credentials in most
// APIs.
var alwaysRedacted = []string{
	"password", "passwd", "secret", "token", "access_token", "refresh_token",
	"id_token", "api_key", "apikey", "authorization", "client_secret", "cookie",
}

// Middleware returns the receiving middleware that writes a record for
// every tools/call. See the package documentation for where it goes.
func Middleware(opts Options) mcp.Middleware {
	if opts.Logger == nil {
		return func(next mcp.MethodHandler) mcp.MethodHandler { return next }
	}
	a := &auditor{logger: opts.Logger, redact: make(map[string]map[string]bool)}
	for tool, r := range opts.Tools {
		if !r.Arguments {
			continue
		}
		keys := make(map[string]bool)
		for _, k := range alwaysRedacted {
			keys[k] = true
		}
		for _, k := range r.Redact {
			keys[strings.ToLower(k)] = true
		}
		a.redact[tool] = keys
	}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != "tools/call" {
				return next(ctx, method, req)
			}
			return a.call(ctx, req, next)
		}
	}
}

type auditor struct {
	logger *slog.Logger
	// redact holds, for each tool whose arguments are recorded, the
	// lower-case names of the arguments to redact.
	redact map[string]map[string]bool
}

func (a *auditor) call(ctx context.Context, req mcp.Request, next mcp.MethodHandler) (mcp.Result, error) {
	start := time.Now()
	info := callinfo.From(ctx)
	if info == nil {
		ctx, info = callinfo.With(ctx)
	}
	res, err := next(ctx, "tools/call", req)
	d := time.Since(start)

	var tool string
	var rawArgs json.RawMessage
	if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p != nil {
		tool, rawArgs = p.Name, p.Arguments
	}
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs,
		slog.String("tool", tool),
		slog.String("outcome", outcome(info, res, err)),
		slog.Duration("duration", d),
	)
	if extra := req.GetExtra(); extra != nil && extra.TokenInfo != nil {
		ti := extra.TokenInfo
		if ti.UserID != "" {
			attrs = append(attrs, slog.String("user", ti.UserID))
		}
		if s, ok := ti.Extra["login"].(string); ok && s != "" {
			attrs = append(attrs, slog.String("login", s))
		}
		if s, ok := ti.Extra["client_id"].(string); ok && s != "" {
			attrs = append(attrs, slog.String("client_id", s))
		}
	}
	if name := clientName(req); name != "" {
		attrs = append(attrs, slog.String("client", name))
	}
	if ss, ok := req.GetSession().(*mcp.ServerSession); ok && ss != nil {
		if id := ss.ID(); id != "" {
			attrs = append(attrs, slog.String("session", id))
		}
	}
	if s := info.UpstreamStatus(); s != 0 {
		attrs = append(attrs, slog.Int("upstream_status", s))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
	}
	if keys, ok := a.redact[tool]; ok && len(rawArgs) > 0 {
		if args, ok := redacted(rawArgs, keys); ok {
			attrs = append(attrs, slog.Any("arguments", args))
		} else {
			attrs = append(attrs, slog.String("arguments", "(not JSON)"))
		}
	}
	// The context is the call's, which may be cancelled by now; the
	// record is written all the same.
	a.logger.LogAttrs(context.WithoutCancel(ctx), slog.LevelInfo, "audit", attrs...)
	return res, err
}

// outcome names how a call ended. An inner layer that knows more (a
// refusal, a rate limit, a timeout) has said so in info.
func outcome(info *callinfo.Info, res mcp.Result, err error) string {
	if o := info.Outcome(); o != "" {
		return o
	}
	if err != nil {
		var rpcErr *jsonrpc.Error
		if !errors.As(err, &rpcErr) && errors.Is(err, context.DeadlineExceeded) {
			return callinfo.Timeout
		}
		return callinfo.Error
	}
	if r, ok := res.(*mcp.CallToolResult); ok && r != nil && r.IsError {
		return callinfo.ToolError
	}
	return callinfo.OK
}

// redacted decodes raw arguments and replaces the values of the keys in
// redact, at any depth; ok is false when raw is not JSON.
func redacted(raw json.RawMessage, redact map[string]bool) (v any, ok bool) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber() // numbers as they were sent, not rounded through float64
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	return redactValue(v, redact), true
}

func redactValue(v any, redact map[string]bool) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if redact[strings.ToLower(k)] {
				v[k] = Redacted
			} else {
				v[k] = redactValue(x, redact)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = redactValue(x, redact)
		}
	}
	return v
}

// Open opens the audit log that value, the value of AUDIT_LOG, names:
// "stderr" (and "") for standard error, "off" for none, in which case w
// is nil, and otherwise the path of a file, created with mode 0600 if it
// does not exist and appended to. The error names AUDIT_LOG.
//
// Records written to w are batched: each reaches the log within a tenth
// of a second, and closeLog, which is never nil, writes those still
// waiting and closes the file, if one was opened. A server calls it as
// it exits; one killed outright loses at most that last tenth of a second.
func Open(value string) (w io.Writer, closeLog func() error, err error) {
	none := func() error { return nil }
	path := strings.TrimSpace(value)
	switch path {
	case "", "stderr":
		b := newBatch(os.Stderr)
		return b, b.Flush, nil
	case "off":
		return nil, none, nil
	case "stdout", "-":
		return nil, none, fmt.Errorf("AUDIT_LOG=%q: standard output carries the protocol over stdio; want stderr, off or the path of a file", value)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, none, fmt.Errorf("AUDIT_LOG=%q: cannot open the file: %v; want stderr, off or the path of a file", value, err)
	}
	b := newBatch(f)
	return b, func() error { return errors.Join(b.Flush(), f.Close()) }, nil
}

// clientName is the name the MCP client gave itself. The SDK's
// ClientInfo re-encodes the whole value out of _meta on every call, a cost
// that showed in the server's profile; the name alone is read here, from
// _meta (MCP 2026-07-28) or else the session's initialize parameters.
func clientName(req mcp.Request) string {
	if p := req.GetParams(); p != nil {
		switch ci := p.GetMeta()[mcp.MetaKeyClientInfo].(type) {
		case map[string]any:
			name, _ := ci["name"].(string)
			return name
		case *mcp.Implementation:
			return ci.Name
		}
	}
	if ss, ok := req.GetSession().(*mcp.ServerSession); ok && ss != nil {
		if ip := ss.InitializeParams(); ip != nil && ip.ClientInfo != nil {
			return ip.ClientInfo.Name
		}
	}
	return ""
}
