package telemetry

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Attribute keys of the MCP conventions that semconv has no constants for.
const (
	keyMethod          = attribute.Key("mcp.method.name")
	keySession         = attribute.Key("mcp.session.id")
	keyProtocol        = attribute.Key("mcp.protocol.version")
	keyResource        = attribute.Key("mcp.resource.uri")
	keyTool            = attribute.Key("gen_ai.tool.name")
	keyPrompt          = attribute.Key("gen_ai.prompt.name")
	keyOperation       = attribute.Key("gen_ai.operation.name")
	keyErrorType       = attribute.Key("error.type")
	keyRPCStatus       = attribute.Key("rpc.response.status_code")
	errorTypeToolError = "tool_error"
	errorTypeOther     = "_OTHER" // also a name or version kept out of metric labels
)

// invalidParams is the JSON-RPC code of a call with bad parameters, such
// as one naming a tool the server does not have.
var invalidParams = strconv.Itoa(jsonrpc.CodeInvalidParams)

// knownVersions are the protocol versions the go-sdk speaks. A session
// keeps the version its client asked for, which may be any string: only
// these are used as metric labels.
var knownVersions = func() map[string]bool {
	m := make(map[string]bool)
	for _, v := range mcp.SupportedProtocolVersions() {
		m[v] = true
	}
	return m
}()

// Middleware returns the receiving middleware that records a span and a
// duration for every MCP request. With neither tracing nor metrics on it
// returns its handler unchanged, so that it costs nothing. See the package
// documentation for where it goes among the others.
func (t *Telemetry) Middleware() mcp.Middleware {
	if t == nil || (t.tracer == nil && !t.metrics) {
		return func(next mcp.MethodHandler) mcp.MethodHandler { return next }
	}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			return t.handle(ctx, method, req, next)
		}
	}
}

func (t *Telemetry) handle(ctx context.Context, method string, req mcp.Request, next mcp.MethodHandler) (mcp.Result, error) {
	start := time.Now()
	c := describeCall(method, req)

	var span trace.Span
	if t.tracer != nil {
		ctx = extract(ctx, req)
		name := method
		if c.target != "" {
			name += " " + c.target
		}
		attrs := c.attrs(make([]attribute.KeyValue, 0, 8), true)
		ctx, span = t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	}
	if method == "tools/call" && callinfo.From(ctx) == nil {
		ctx, _ = callinfo.With(ctx)
	}

	res, err := next(ctx, method, req)

	// The version initialize asked for may not be the one agreed on.
	if r, ok := res.(*mcp.InitializeResult); ok && r != nil && r.ProtocolVersion != "" {
		c.protocol = r.ProtocolVersion
		if span != nil {
			span.SetAttributes(keyProtocol.String(c.protocol))
		}
	}
	errType, rpcCode, msg := classify(res, err)
	if span != nil {
		if errType != "" {
			span.SetAttributes(keyErrorType.String(errType))
			span.SetStatus(codes.Error, msg)
		}
		if rpcCode != "" {
			span.SetAttributes(keyRPCStatus.String(rpcCode))
		}
		span.End()
	}
	if t.operations != nil {
		// A name the client made up is not a tool: keep it out of the
		// metric's labels, which would otherwise grow with every one.
		if rpcCode == invalidParams {
			c.name = errorTypeOther
		}
		if c.protocol != "" && !knownVersions[c.protocol] {
			c.protocol = errorTypeOther
		}
		attrs := c.attrs(make([]attribute.KeyValue, 0, 8), false)
		if errType != "" {
			attrs = append(attrs, keyErrorType.String(errType))
		}
		if rpcCode != "" {
			attrs = append(attrs, keyRPCStatus.String(rpcCode))
		}
		t.operations.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(attrs...))
	}
	if t.sessions != nil && method == "initialize" && err == nil {
		t.watchSession(ctx, req, res, start)
	}
	return res, err
}

// watchSession records the session's duration when it ends. The go-sdk
// has no hook for the end of a session, but ServerSession.Wait returns
// when its connection closes; one goroutine per session waits for that.
func (t *Telemetry) watchSession(ctx context.Context, req mcp.Request, res mcp.Result, start time.Time) {
	ss, ok := req.GetSession().(*mcp.ServerSession)
	if !ok || ss == nil {
		return
	}
	var attrs []attribute.KeyValue
	if r, ok := res.(*mcp.InitializeResult); ok && r != nil && r.ProtocolVersion != "" {
		attrs = append(attrs, keyProtocol.String(r.ProtocolVersion))
	}
	ctx = context.WithoutCancel(ctx)
	go func() {
		ss.Wait()
		t.sessions.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(attrs...))
	}()
}

// call is what the attributes of a request are made of.
type call struct {
	method   string
	target   string // the span name's target: tool or prompt name
	name     string // gen_ai.tool.name or gen_ai.prompt.name
	nameKey  attribute.Key
	uri      string
	protocol string
	session  string
}

func describeCall(method string, req mcp.Request) call {
	c := call{method: method}
	switch p := req.GetParams().(type) {
	case *mcp.CallToolParamsRaw:
		if p != nil {
			c.name, c.nameKey = p.Name, keyTool
		}
	case *mcp.GetPromptParams:
		if p != nil {
			c.name, c.nameKey = p.Name, keyPrompt
		}
	case *mcp.ReadResourceParams:
		if p != nil {
			c.uri = p.URI
		}
	case *mcp.SubscribeParams:
		if p != nil {
			c.uri = p.URI
		}
	case *mcp.UnsubscribeParams:
		if p != nil {
			c.uri = p.URI
		}
	case *mcp.InitializeParams:
		if p != nil {
			c.protocol = p.ProtocolVersion
		}
	}
	c.target = c.name
	if ss, ok := req.GetSession().(*mcp.ServerSession); ok && ss != nil {
		c.session = ss.ID()
	}
	if pv, ok := req.(interface{ ProtocolVersion() string }); ok {
		if v := pv.ProtocolVersion(); v != "" {
			c.protocol = v
		}
	}
	if c.protocol == "" {
		if extra := req.GetExtra(); extra != nil && extra.Header != nil {
			c.protocol = extra.Header.Get("Mcp-Protocol-Version")
		}
	}
	return c
}

// attrs appends c's attributes to a: for a span (all of them) or for the
// duration metric (those of low cardinality).
func (c *call) attrs(a []attribute.KeyValue, span bool) []attribute.KeyValue {
	a = append(a, keyMethod.String(c.method))
	if c.name != "" {
		a = append(a, c.nameKey.String(c.name))
	}
	if c.nameKey == keyTool {
		a = append(a, keyOperation.String("execute_tool"))
	}
	if c.protocol != "" {
		a = append(a, keyProtocol.String(c.protocol))
	}
	if span {
		if c.uri != "" {
			a = append(a, keyResource.String(c.uri))
		}
		if c.session != "" {
			a = append(a, keySession.String(c.session))
		}
	}
	return a
}

// classify returns the error.type of how a call ended ("" for success),
// the JSON-RPC error code if there is one, and the message for the span's
// status.
func classify(res mcp.Result, err error) (errType, rpcCode, msg string) {
	if err == nil {
		if r, ok := res.(*mcp.CallToolResult); ok && r != nil && r.IsError {
			return errorTypeToolError, "", ""
		}
		return "", "", ""
	}
	var rpcErr *jsonrpc.Error
	switch {
	case errors.As(err, &rpcErr):
		code := strconv.FormatInt(rpcErr.Code, 10)
		return code, code, rpcErr.Message
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout", "", err.Error()
	}
	return reflect.TypeOf(err).String(), "", err.Error()
}

// extract returns ctx with the trace context the client sent: from the
// request's params._meta, where the MCP conventions put it, or else from
// the HTTP headers.
func extract(ctx context.Context, req mcp.Request) context.Context {
	prop := otel.GetTextMapPropagator()
	if m := meta(req.GetParams()); m != nil {
		if _, ok := m["traceparent"].(string); ok {
			return prop.Extract(ctx, metaCarrier(m))
		}
	}
	if extra := req.GetExtra(); extra != nil && extra.Header != nil {
		return prop.Extract(ctx, propagation.HeaderCarrier(extra.Header))
	}
	return ctx
}

// meta returns the _meta of p, which may be a typed nil.
func meta(p mcp.Params) map[string]any {
	if p == nil {
		return nil
	}
	if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil
	}
	return p.GetMeta()
}

// metaCarrier reads the string entries of a _meta object.
type metaCarrier map[string]any

func (m metaCarrier) Get(key string) string {
	s, _ := m[key].(string)
	return s
}

// Set is never called: the server only extracts.
func (m metaCarrier) Set(key, value string) {}

func (m metaCarrier) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// redactURL returns raw with any password masked, for logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}
