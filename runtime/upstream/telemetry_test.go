package upstream

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// withTracing installs a recording TracerProvider and the W3C propagator
// as OpenTelemetry's globals until the test ends.
func withTracing(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetTextMapPropagator(prevProp)
		tp.Shutdown(context.Background())
	})
	return rec
}

var tracedAPI = &API{Name: "Pets", Schemes: []SecurityScheme{
	{Name: "query_key", Type: "apiKey", In: "query", ParamName: "api_key", Env: []string{"QUERY_KEY"}},
	{Name: "bearer", Type: "http", Scheme: "bearer", Env: []string{"TOKEN"}},
}}

var tracedOp = &Operation{Tool: "get_pet", Method: "GET", Path: "/pets/{petId}",
	Params:   []Param{{Name: "petId", In: "path", Style: "simple", Required: true}},
	Security: [][]string{{"query_key", "bearer"}},
}

const (
	queryKey    = "query-key-0123456789"
	bearerToken = "bearer-token-0123456789"
)

// TestCallUntraced checks that with no telemetry installed a call sends
// no trace context, and still notes its status.
func TestCallUntraced(t *testing.T) {
	// OpenTelemetry's globals cannot be uninstalled: this test runs
	// before those that install them.
	if len(otel.GetTextMapPropagator().Fields()) > 0 {
		t.Skip("an earlier test installed a propagator")
	}
	srv, got := recorder(t)
	api := *tracedAPI
	c := newClient(t, &api, srv, nil)
	ctx, info := callinfo.With(context.Background())
	if _, err := c.Do(ctx, tracedOp, map[string]any{"petId": "42"}); err != nil {
		t.Fatal(err)
	}
	if tp := got().Header.Get("Traceparent"); tp != "" {
		t.Errorf("the API got traceparent %q with no telemetry installed", tp)
	}
	if info.UpstreamStatus() != http.StatusOK {
		t.Errorf("call record: upstream status %d, want 200", info.UpstreamStatus())
	}
}

func TestCallTraced(t *testing.T) {
	spans := withTracing(t)
	srv, got := recorder(t)
	api := *tracedAPI
	c := newClient(t, &api, srv, map[string]string{"QUERY_KEY": queryKey, "TOKEN": bearerToken})

	ctx, parent := otel.Tracer("test").Start(context.Background(), "tools/call get_pet")
	ctx, info := callinfo.With(ctx)
	resp, err := c.Do(ctx, tracedOp, map[string]any{"petId": "42"})
	parent.End()
	if err != nil {
		t.Fatal(err)
	}
	req := got()
	if !strings.Contains(req.URI, queryKey) || req.Header.Get("Authorization") == "" {
		t.Fatalf("the API got %s %v, without the credentials: the test does not test what it should", req.URI, req.Header)
	}

	if info.UpstreamStatus() != resp.Status || resp.Status != http.StatusOK {
		t.Errorf("call record: upstream status %d, want %d", info.UpstreamStatus(), resp.Status)
	}
	ended := spans.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans, want the API call's and its parent", len(ended))
	}
	s := ended[0]
	if s.Name() != "GET /pets/{petId}" || s.SpanKind() != trace.SpanKindClient {
		t.Errorf("span %q of kind %v, want a client span GET /pets/{petId}", s.Name(), s.SpanKind())
	}
	if s.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("the API call's span is not a child of the tool's")
	}
	want := "00-" + s.SpanContext().TraceID().String() + "-" + s.SpanContext().SpanID().String() + "-01"
	if tp := req.Header.Get("Traceparent"); tp != want {
		t.Errorf("the API got traceparent %q, want %q", tp, want)
	}
	a := attribute.NewSet(s.Attributes()...)
	for k, v := range map[attribute.Key]string{
		"http.request.method": "GET",
		"url.full":            srv.URL + "/pets/42",
		"url.template":        "/pets/{petId}",
		"server.address":      "127.0.0.1",
	} {
		if got, _ := a.Value(k); got.Emit() != v {
			t.Errorf("%s=%q, want %q", k, got.Emit(), v)
		}
	}
	if got, _ := a.Value("http.response.status_code"); got.AsInt64() != 200 {
		t.Errorf("http.response.status_code=%v, want 200", got.Emit())
	}
	for _, kv := range s.Attributes() {
		if v := kv.Value.Emit(); strings.Contains(v, queryKey) || strings.Contains(v, bearerToken) {
			t.Errorf("attribute %s holds a credential: %s", kv.Key, v)
		}
	}
}

func TestCallTracedError(t *testing.T) {
	spans := withTracing(t)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusNotFound)
	})
	api := *tracedAPI
	c := newClient(t, &api, srv, nil)
	ctx, info := callinfo.With(context.Background())
	if _, err := c.Do(ctx, tracedOp, map[string]any{"petId": "42"}); err != nil {
		t.Fatal(err)
	}
	if info.UpstreamStatus() != http.StatusNotFound {
		t.Errorf("call record: upstream status %d, want 404", info.UpstreamStatus())
	}
	s := spans.Ended()[0]
	a := attribute.NewSet(s.Attributes()...)
	if got, _ := a.Value("error.type"); got.Emit() != "404" {
		t.Errorf("error.type=%q, want 404", got.Emit())
	}
	if s.Status().Code != codes.Error {
		t.Errorf("status %v, want error", s.Status())
	}
}

// TestHTTPClientTimeout checks that the timeout of a caller's http.Client
// still bounds calls now that the call's context carries it instead.
func TestHTTPClientTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c, err := New(&API{Name: "Slow API", BaseURL: srv.URL}, nil, &http.Client{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if c.hc.Timeout != 0 {
		t.Errorf("the client's own http.Client has Timeout %v; its transport would start a goroutine per request", c.hc.Timeout)
	}
	res, err := c.Call(context.Background(), &Operation{Tool: "slow", Method: "GET", Path: "/slow"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Slow API did not answer GET /slow within 50ms"; !res.IsError || !strings.Contains(resultText(res), want) {
		t.Errorf("Call = %q (IsError %v), want a tool error saying %q", resultText(res), res.IsError, want)
	}
}
