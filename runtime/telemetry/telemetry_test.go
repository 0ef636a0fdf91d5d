package telemetry

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/telemetry/otlp"
	"github.com/mcpgen/mcpgen/runtime/upstream"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// env is a lookupEnv over a map.
func env(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// quiet is a logger for what the tests do not look at.
var quiet = slog.New(slog.DiscardHandler)

// receiver is an OTLP/HTTP collector on loopback that keeps the spans it
// is sent.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	spans []*tracepb.Span
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			t.Errorf("receiver: %v", err)
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		switch req.URL.Path {
		case "/v1/traces":
			var msg coltracepb.ExportTraceServiceRequest
			if err := proto.Unmarshal(body, &msg); err != nil {
				t.Errorf("receiver: decoding spans: %v", err)
			}
			r.mu.Lock()
			for _, rs := range msg.ResourceSpans {
				for _, ss := range rs.ScopeSpans {
					r.spans = append(r.spans, ss.Spans...)
				}
			}
			r.mu.Unlock()
			out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
			w.Write(out)
		case "/v1/metrics":
			// Metrics are checked through Prometheus. An empty body is an
			// empty ExportMetricsServiceResponse.
		default:
			t.Errorf("receiver: unexpected %s %s", req.Method, req.URL.Path)
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

// span returns the one span named name.
func (r *receiver) span(t *testing.T, name string) *tracepb.Span {
	t.Helper()
	return r.spansNamed(t, name, 1)[0]
}

// spansNamed returns the n spans named name.
func (r *receiver) spansNamed(t *testing.T, name string, n int) []*tracepb.Span {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var found []*tracepb.Span
	var names []string
	for _, s := range r.spans {
		if s.Name == name {
			found = append(found, s)
		}
		names = append(names, s.Name)
	}
	if len(found) != n {
		t.Fatalf("%d spans named %q among %q, want %d", len(found), name, names, n)
	}
	return found
}

// attrs returns the string and integer attributes of s.
func attrs(s *tracepb.Span) map[string]string {
	m := make(map[string]string)
	for _, kv := range s.Attributes {
		switch v := kv.Value.GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			m[kv.Key] = v.StringValue
		case *commonpb.AnyValue_IntValue:
			m[kv.Key] = strconv.FormatInt(v.IntValue, 10)
		}
	}
	return m
}

// newServer returns an MCP server with the tools the tests call: add,
// which answers; fail, a tool error; and item, an API call to api through
// the upstream client, with an API key in the query.
func newServer(t *testing.T, api string) *mcp.Server {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	type addIn struct{ A, B int }
	type addOut struct{ Sum int }
	mcp.AddTool(s, &mcp.Tool{Name: "add"}, func(ctx context.Context, req *mcp.CallToolRequest, in addIn) (*mcp.CallToolResult, addOut, error) {
		return nil, addOut{in.A + in.B}, nil
	})
	s.AddTool(&mcp.Tool{Name: "fail", InputSchema: map[string]any{"type": "object"}}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "no"}}}, nil
	})
	if api != "" {
		c, err := upstream.New(&upstream.API{
			Name:    "Items",
			BaseURL: api,
			Schemes: []upstream.SecurityScheme{{Name: "key", Type: "apiKey", In: "query", ParamName: "api_key", Env: []string{"ITEMS_KEY"}}},
		}, env(map[string]string{"ITEMS_KEY": secretKey}), nil)
		if err != nil {
			t.Fatal(err)
		}
		upstream.AddTool(s, &mcp.Tool{Name: "item", InputSchema: map[string]any{
			"type":       "object",
			"properties": map[string]any{"id": map[string]any{"type": "string"}},
		}}, c, &upstream.Operation{
			Tool: "item", Method: "GET", Path: "/items/{id}",
			Params:   []upstream.Param{{Name: "id", In: "path", Style: "simple", Required: true}},
			Security: [][]string{{"key"}},
		})
	}
	return s
}

const secretKey = "sk-test-0123456789abcdef"

// connect serves s over streamable HTTP on loopback and connects a client.
func connect(t *testing.T, s *mcp.Server, stateless bool) *mcp.ClientSession {
	t.Helper()
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: stateless})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, nil)
	cs, err := client.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: srv.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// scrape gets h's metrics and parses them as Prometheus' text format.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	if h == nil {
		t.Fatal("no metrics handler")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parsing the metrics: %v", err)
	}
	return fams
}

// histogramCount returns the sample count of the series of family name
// whose labels include want.
func histogramCount(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) uint64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		return 0
	}
	var n uint64
	for _, m := range f.Metric {
		labels := make(map[string]string)
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && labels[k] == v
		}
		if match && m.Histogram != nil {
			n += m.Histogram.GetSampleCount()
		}
	}
	return n
}

func TestTracesAndMetrics(t *testing.T) {
	recv := newReceiver(t)
	var upstreamHeader http.Header
	var upstreamURI string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamHeader, upstreamURI = r.Header.Clone(), r.RequestURI
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"7"}`)
	}))
	t.Cleanup(api.Close)

	cfg, err := FromEnv(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": recv.URL}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tel, err := Start(ctx, cfg, Options{ServiceName: "test", ServiceVersion: "1", Prometheus: true, Logger: quiet, OTLP: otlp.Exporters{}})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(ctx)

	s := newServer(t, api.URL)
	s.AddReceivingMiddleware(tel.Middleware())
	cs := connect(t, s, true)

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	meta := mcp.Meta{"traceparent": "00-" + traceID + "-" + parentID + "-01"}
	const adds = 3
	for range adds {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"A": 1, "B": 2}, Meta: meta})
		if err != nil || res.IsError {
			t.Fatalf("add: %v %+v", err, res)
		}
	}
	if res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "fail", Arguments: map[string]any{}}); err != nil || !res.IsError {
		t.Fatalf("fail: %v %+v", err, res)
	}
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "nonesuch", Arguments: map[string]any{}}); err == nil {
		t.Fatal("calling an unknown tool succeeded")
	}
	const itemTrace, itemParent = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "item", Arguments: map[string]any{"id": "7"},
		Meta: mcp.Meta{"traceparent": "00-" + itemTrace + "-" + itemParent + "-01"}})
	if err != nil || res.IsError {
		t.Fatalf("item: %v %+v", err, res)
	}

	// Metrics, while the provider still runs.
	fams := scrape(t, tel.MetricsHandler())
	const opName = "mcp_server_operation_duration_seconds"
	if got := histogramCount(t, fams, opName, map[string]string{"mcp_method_name": "tools/call", "gen_ai_tool_name": "add"}); got != adds {
		t.Errorf("%s for add: count %d, want %d", opName, got, adds)
	}
	if got := histogramCount(t, fams, opName, map[string]string{"gen_ai_tool_name": "fail", "error_type": "tool_error"}); got != 1 {
		t.Errorf("%s for fail with error_type=tool_error: count %d, want 1", opName, got)
	}
	if got := histogramCount(t, fams, opName, map[string]string{"gen_ai_tool_name": "nonesuch"}); got != 0 {
		t.Errorf("%s has a series for the unknown tool's name", opName)
	}
	if got := histogramCount(t, fams, opName, map[string]string{"gen_ai_tool_name": "_OTHER", "error_type": "-32602"}); got != 1 {
		t.Errorf("%s for the unknown tool, as _OTHER: count %d, want 1", opName, got)
	}
	if got := histogramCount(t, fams, "http_client_request_duration_seconds", map[string]string{"http_request_method": "GET", "url_template": "/items/{id}", "http_response_status_code": "200"}); got != 1 {
		t.Errorf("http_client_request_duration_seconds: count %d, want 1", got)
	}
	if f := fams[opName]; f != nil && f.GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("%s is a %v, want a histogram", opName, f.GetType())
	}
	for _, m := range fams[opName].GetMetric() {
		var bounds []float64
		for _, b := range m.GetHistogram().GetBucket() {
			if !math.IsInf(b.GetUpperBound(), 1) {
				bounds = append(bounds, b.GetUpperBound())
			}
		}
		if !slices.Equal(bounds, durationBuckets) {
			t.Errorf("%s has buckets %v, want the convention's %v", opName, bounds, durationBuckets)
			break
		}
	}

	// Flushing sends the spans.
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := tel.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}

	for _, add := range recv.spansNamed(t, "tools/call add", adds) {
		if got := hex.EncodeToString(add.TraceId); got != traceID {
			t.Errorf("tools/call add: trace %s, want %s from _meta", got, traceID)
		}
		if got := hex.EncodeToString(add.ParentSpanId); got != parentID {
			t.Errorf("tools/call add: parent %s, want %s from _meta", got, parentID)
		}
	}
	add := recv.spansNamed(t, "tools/call add", adds)[0]
	if add.Kind != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("tools/call add: kind %v, want server", add.Kind)
	}
	a := attrs(add)
	for k, v := range map[string]string{
		"mcp.method.name":       "tools/call",
		"gen_ai.tool.name":      "add",
		"gen_ai.operation.name": "execute_tool",
	} {
		if a[k] != v {
			t.Errorf("tools/call add: %s=%q, want %q", k, a[k], v)
		}
	}
	if a["mcp.protocol.version"] == "" {
		t.Errorf("tools/call add: no mcp.protocol.version in %v", a)
	}
	if _, ok := a["error.type"]; ok {
		t.Errorf("tools/call add: error.type set on a success: %v", a)
	}

	fail := recv.span(t, "tools/call fail")
	if got := attrs(fail)["error.type"]; got != "tool_error" {
		t.Errorf("tools/call fail: error.type=%q, want tool_error", got)
	}
	if fail.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("tools/call fail: status %v, want error", fail.Status)
	}
	unknown := recv.span(t, "tools/call nonesuch")
	if got := attrs(unknown)["error.type"]; got != "-32602" {
		t.Errorf("tools/call nonesuch: error.type=%q, want the JSON-RPC code -32602", got)
	}

	item := recv.span(t, "tools/call item")
	get := recv.span(t, "GET /items/{id}")
	if get.Kind != tracepb.Span_SPAN_KIND_CLIENT {
		t.Errorf("API call: kind %v, want client", get.Kind)
	}
	if got := hex.EncodeToString(get.TraceId); got != itemTrace {
		t.Errorf("API call: trace %s, want %s", got, itemTrace)
	}
	if hex.EncodeToString(get.ParentSpanId) != hex.EncodeToString(item.SpanId) {
		t.Errorf("API call: parent %x, want the tool span %x", get.ParentSpanId, item.SpanId)
	}
	g := attrs(get)
	for k, v := range map[string]string{
		"http.request.method":       "GET",
		"http.response.status_code": "200",
		"url.full":                  api.URL + "/items/7",
		"server.address":            "127.0.0.1",
	} {
		if g[k] != v {
			t.Errorf("API call: %s=%q, want %q", k, g[k], v)
		}
	}
	if !strings.Contains(upstreamURI, secretKey) {
		t.Fatalf("the API got %s, without its key: the test does not test what it should", upstreamURI)
	}
	want := "00-" + itemTrace + "-" + hex.EncodeToString(get.SpanId) + "-01"
	if got := upstreamHeader.Get("Traceparent"); got != want {
		t.Errorf("the API got traceparent %q, want %q", got, want)
	}

	recv.mu.Lock()
	defer recv.mu.Unlock()
	for _, s := range recv.spans {
		if strings.Contains(s.String(), secretKey) {
			t.Errorf("span %q holds the API key: %v", s.Name, s)
		}
	}
}

// TestTraceFromHeaders checks that without a traceparent in _meta, the
// one in the HTTP request's headers is the parent.
func TestTraceFromHeaders(t *testing.T) {
	recv := newReceiver(t)
	cfg, err := FromEnv(env(map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": recv.URL + "/v1/traces"}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tel, err := Start(ctx, cfg, Options{Logger: quiet, OTLP: otlp.Exporters{}})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(ctx)
	if tel.MetricsHandler() != nil {
		t.Error("a metrics handler without Prometheus asked for")
	}
	s := newServer(t, "")
	s.AddReceivingMiddleware(tel.Middleware())

	const traceID, parentID = "11112222333344445555666677778888", "aaaabbbbccccdddd"
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true})
	srv := httptest.NewServer(h)
	defer srv.Close()
	hc := &http.Client{Transport: headerTransport{"Traceparent": "00-" + traceID + "-" + parentID + "-01"}}
	client := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: hc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"A": 1, "B": 2}}); err != nil {
		t.Fatal(err)
	}
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	add := recv.span(t, "tools/call add")
	if got := hex.EncodeToString(add.TraceId); got != traceID {
		t.Errorf("trace %s, want %s from the header", got, traceID)
	}
	if got := hex.EncodeToString(add.ParentSpanId); got != parentID {
		t.Errorf("parent %s, want %s from the header", got, parentID)
	}
}

// headerTransport adds headers to every request.
type headerTransport map[string]string

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestSessionDuration checks that a stateful server records the duration
// of a session once it ends, and metrics without tracing.
func TestSessionDuration(t *testing.T) {
	ctx := context.Background()
	tel, err := Start(ctx, nil, Options{Prometheus: true, Stateful: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(ctx)
	s := newServer(t, "")
	var (
		mu       sync.Mutex
		traceIDs []string
	)
	s.AddReceivingMiddleware(tel.Middleware(), func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			mu.Lock()
			traceIDs = append(traceIDs, TraceID(ctx))
			mu.Unlock()
			return next(ctx, method, req)
		}
	})
	cs := connect(t, s, false)
	if cs.ID() == "" {
		t.Fatal("no session: the test does not test what it should")
	}
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"A": 1, "B": 2}}); err != nil {
		t.Fatal(err)
	}
	const name = "mcp_server_session_duration_seconds"
	if n := histogramCount(t, scrape(t, tel.MetricsHandler()), name, nil); n != 0 {
		t.Fatalf("%s counts %d sessions while the only one is open", name, n)
	}
	if err := cs.Close(); err != nil {
		t.Fatal(err)
	}
	// The session ends on the server once the client's DELETE is handled;
	// wait for that, within bounds.
	var n uint64
	for i := 0; i < 500 && n == 0; i++ {
		time.Sleep(10 * time.Millisecond)
		n = histogramCount(t, scrape(t, tel.MetricsHandler()), name, nil)
	}
	if n != 1 {
		t.Errorf("%s counts %d sessions, want 1", name, n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(traceIDs) == 0 {
		t.Error("the inner middleware saw no call")
	}
	for _, id := range traceIDs {
		if id != "" {
			t.Errorf("trace ID %q with tracing off", id)
		}
	}
	if histogramCount(t, scrape(t, tel.MetricsHandler()), "mcp_server_operation_duration_seconds", map[string]string{"gen_ai_tool_name": "add"}) != 1 {
		t.Error("no operation duration for the call to add")
	}
}

// TestMetricLabelsBounded checks that what a client makes up (a protocol
// version) does not become a metric label, and that initialize is
// labelled with the version agreed on rather than the one asked for.
func TestMetricLabelsBounded(t *testing.T) {
	ctx := context.Background()
	tel, err := Start(ctx, nil, Options{Prometheus: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(ctx)
	mw := tel.Middleware()

	call := mw(func(context.Context, string, mcp.Request) (mcp.Result, error) {
		return &mcp.CallToolResult{}, nil
	})
	req := &mcp.CallToolRequest{
		Params: &mcp.CallToolParamsRaw{Name: "add"},
		Extra:  &mcp.RequestExtra{Header: http.Header{"Mcp-Protocol-Version": {"made-up-1"}}},
	}
	if _, err := call(ctx, "tools/call", req); err != nil {
		t.Fatal(err)
	}
	agreed := mcp.SupportedProtocolVersions()[0]
	initialize := mw(func(context.Context, string, mcp.Request) (mcp.Result, error) {
		return &mcp.InitializeResult{ProtocolVersion: agreed}, nil
	})
	if _, err := initialize(ctx, "initialize", &mcp.InitializeRequest{Params: &mcp.InitializeParams{ProtocolVersion: "made-up-2"}}); err != nil {
		t.Fatal(err)
	}

	fams := scrape(t, tel.MetricsHandler())
	const name = "mcp_server_operation_duration_seconds"
	for _, v := range []string{"made-up-1", "made-up-2"} {
		if n := histogramCount(t, fams, name, map[string]string{"mcp_protocol_version": v}); n != 0 {
			t.Errorf("a series labelled with the made-up version %q", v)
		}
	}
	if n := histogramCount(t, fams, name, map[string]string{"gen_ai_tool_name": "add", "mcp_protocol_version": "_OTHER"}); n != 1 {
		t.Errorf("tools/call with a made-up version: %d under _OTHER, want 1", n)
	}
	if n := histogramCount(t, fams, name, map[string]string{"mcp_method_name": "initialize", "mcp_protocol_version": agreed}); n != 1 {
		t.Errorf("initialize: %d under the agreed version %s, want 1", n, agreed)
	}
}
