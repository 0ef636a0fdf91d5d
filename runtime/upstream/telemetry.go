package upstream

import (
	"context"
	"errors"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/semconv/v1.41.0/httpconv"
	"go.opentelemetry.io/otel/trace"
)

// scopeName is the instrumentation scope of the API calls' spans and
// metrics.
const scopeName = "github.com/mcpgen/mcpgen/runtime/upstream"

// httpBuckets are the bucket boundaries, in seconds, that the HTTP
// semantic conventions give for http.client.request.duration.
var httpBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// tracing is the http.RoundTripper of every Client: it records a client
// span for every request, and for the calls to the API (not those that
// get a token or a file to upload) the request's duration, the trace
// context passed on in the request's headers, and the status noted in the
// call's record (see runtime/internal/callinfo).
//
// It reads OpenTelemetry's globals on every request, so that it works
// whether telemetry starts before or after the client is made; while none
// is installed they are no-ops, and so is this apart from the call
// record. Nothing from the request's query, headers or body is recorded:
// they may carry credentials.
type tracing struct {
	next http.RoundTripper
	inst atomic.Pointer[instruments]
}

// instruments are those of one MeterProvider.
type instruments struct {
	mp       metric.MeterProvider
	duration metric.Float64Histogram
}

func instrument(next http.RoundTripper) *tracing {
	if next == nil {
		next = http.DefaultTransport
	}
	return &tracing{next: next}
}

// routeKey is the context key of the operation's path template. It
// marks the request as the call to the API, as opposed to getting an
// OAuth token or a file to upload: only that call names its span after
// the operation, passes the trace context on and has its status noted.
type routeKey struct{}

// apiRequest returns req, the request of op, marked as the call to the
// API.
func apiRequest(req *http.Request, op *Operation) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), routeKey{}, op.Path))
}

// duration returns the histogram of the global MeterProvider, made again
// only when the provider changes.
func (t *tracing) duration() metric.Float64Histogram {
	mp := otel.GetMeterProvider()
	if in := t.inst.Load(); in != nil && in.mp == mp {
		return in.duration
	}
	h, err := httpconv.NewClientRequestDuration(mp.Meter(scopeName), metric.WithExplicitBucketBoundaries(httpBuckets...))
	if err != nil {
		otel.Handle(err)
	}
	in := &instruments{mp: mp, duration: h.Inst()}
	t.inst.Store(in)
	return in.duration
}

func (t *tracing) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	ctx := req.Context()
	route, isAPI := ctx.Value(routeKey{}).(string)
	method := req.Method
	known := knownMethod(method)
	if !known {
		method = "_OTHER"
	}
	name := method
	if route != "" {
		name += " " + route
	}
	ctx, span := otel.GetTracerProvider().Tracer(scopeName).Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient))
	// Files to upload come from anywhere: their hosts would make the
	// metric's labels grow without bound.
	var duration metric.Float64Histogram
	if isAPI {
		if h := t.duration(); h.Enabled(ctx) {
			duration = h
		}
	}
	// With no telemetry installed neither records: skip the attributes.
	recording := span.IsRecording()
	var attrs []attribute.KeyValue
	if recording || duration != nil {
		attrs = requestAttributes(req, method, route)
	}
	if recording {
		span.SetAttributes(attrs...)
		if !known {
			span.SetAttributes(semconv.HTTPRequestMethodOriginal(req.Method))
		}
		span.SetAttributes(semconv.URLFull(fullURL(req)))
	}

	// The request is the caller's: the trace context goes on a copy. It
	// goes to the API only, not to where a file to upload is fetched from.
	prop := otel.GetTextMapPropagator()
	if isAPI && len(prop.Fields()) > 0 {
		req = req.Clone(ctx)
		prop.Inject(ctx, propagation.HeaderCarrier(req.Header))
	}

	resp, err := t.next.RoundTrip(req)

	var errType string
	switch {
	case err != nil:
		errType = transportErrorType(err)
		span.SetStatus(codes.Error, errType)
	default:
		if isAPI {
			callinfo.From(ctx).SetUpstreamStatus(resp.StatusCode)
		}
		status := semconv.HTTPResponseStatusCode(resp.StatusCode)
		if recording {
			span.SetAttributes(status)
		}
		attrs = append(attrs, status)
		if resp.StatusCode >= 400 {
			errType = strconv.Itoa(resp.StatusCode)
			span.SetStatus(codes.Error, "")
		}
	}
	if errType != "" {
		e := semconv.ErrorTypeKey.String(errType)
		if recording {
			span.SetAttributes(e)
		}
		attrs = append(attrs, e)
	}
	span.End()
	if duration != nil {
		duration.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(attrs...))
	}
	return resp, err
}

// requestAttributes are the attributes of req that both its span and the
// duration metric have.
func requestAttributes(req *http.Request, method, route string) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs,
		semconv.HTTPRequestMethodKey.String(method),
		semconv.ServerAddress(req.URL.Hostname()),
		semconv.URLScheme(req.URL.Scheme),
	)
	if p, err := strconv.Atoi(req.URL.Port()); err == nil {
		attrs = append(attrs, semconv.ServerPort(p))
	} else if req.URL.Scheme == "https" {
		attrs = append(attrs, semconv.ServerPort(443))
	} else if req.URL.Scheme == "http" {
		attrs = append(attrs, semconv.ServerPort(80))
	}
	if route != "" {
		attrs = append(attrs, semconv.URLTemplate(route))
	}
	return attrs
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// transport underneath.
func (t *tracing) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// fullURL is the request's URL without its query, fragment or user
// information, any of which may hold a credential.
func fullURL(req *http.Request) string {
	u := *req.URL
	u.User = nil
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}

func knownMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace, "QUERY":
		return true
	}
	return false
}

// transportErrorType names why no response came back, with few enough
// values to be a metric's label.
func transportErrorType(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return reflect.TypeOf(err).String()
}
