// Package telemetry is the OpenTelemetry side of a generated server: a
// span and a duration for every MCP request, as the OpenTelemetry MCP
// semantic conventions name them, sent over OTLP, kept for a Prometheus
// scrape, or both. Nothing is recorded, exported or installed until the
// environment or the options ask for it; until then the middleware is the
// identity and costs nothing.
//
// A server wires it up like this:
//
//	cfg, err := telemetry.FromEnv(os.LookupEnv)
//	if err != nil { ... } // one line per bad OTEL_* variable
//	t, err := telemetry.Start(ctx, cfg, telemetry.Options{
//		ServiceName: "petstore", ServiceVersion: "1.2.0",
//		Prometheus: metricsFlag, Stateful: cfg.Stateful, Logger: logger,
//	})
//	if err != nil { ... }
//	defer t.Shutdown(context.Background()) // flushes what is buffered
//	s.AddReceivingMiddleware(t.Middleware(), audit.Middleware(auditOpts), limits...)
//	if h := t.MetricsHandler(); h != nil {
//		mux.Handle("GET /metrics", h)
//	}
//
// # Order of middleware
//
// [Telemetry.Middleware] must be the outermost receiving middleware, with
// audit.Middleware right inside it and everything else (rate limits,
// timeouts, sign-in checks) inside that: the span is then open while the
// audit record is written, so the record carries the trace ID, and both
// see a call that an inner layer refused. The go-sdk's
// AddReceivingMiddleware(m1, m2, m3) runs m1 first; a later call to it
// wraps what was added before, so add the inner layers first when adding
// them one at a time.
//
// For tools/call the outermost of telemetry and audit puts a call record
// (see runtime/internal/callinfo) in the context, which inner layers fill
// in: the API client records the status of the upstream call there.
//
// # What is recorded
//
// Traces: one server span per MCP request or notification, named
// "{mcp.method.name} {target}" (such as "tools/call add"; the target is
// the tool or prompt name, and other requests, resources/read among them,
// are named by the method alone, as the conventions keep URIs out of
// names by default), with
// mcp.method.name, gen_ai.tool.name and gen_ai.operation.name=execute_tool
// for tool calls, gen_ai.prompt.name, mcp.resource.uri, mcp.protocol.version,
// mcp.session.id when the call is part of a session, and error.type:
// tool_error for a tool result with isError set, the JSON-RPC error code
// for a protocol error, "timeout" for a deadline, else the Go type of the
// error. The parent is the W3C trace context in the request's
// params._meta (traceparent, tracestate, baggage) or, failing that, in its
// HTTP headers. The API client in runtime/upstream adds a client span per
// HTTP request it sends and passes the context on in its headers.
//
// Metrics: mcp.server.operation.duration (seconds, with the conventions'
// buckets) per request, with the attributes above except the session ID
// and resource URI, and with a tool or prompt name of "_OTHER" for calls
// refused as invalid (-32602), such as those naming a tool the server does
// not have, so that clients cannot make up label values; with
// [Options.Stateful], mcp.server.session.duration
// per session; http.client.request.duration per API call (runtime/upstream);
// and whatever other packages record through the global MeterProvider
// (otel.Meter), such as the OAuth server's counters. The Prometheus
// handler adds the Go runtime's and the process's own metrics.
//
// # Configuration
//
// See [FromEnv] for the variables. OTLP export needs [Options.OTLP], from
// package runtime/telemetry/otlp: its exporters bring gRPC and protobuf,
// which slow every call of a server that links them, so only servers that
// export by OTLP link them. When tracing is on, [Start] installs
// the TracerProvider and the W3C trace context and baggage propagators as
// OpenTelemetry's globals; when metrics are on, the MeterProvider. When
// neither is on it installs nothing, and otel.Tracer and otel.Meter stay
// the no-op defaults.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/semconv/v1.41.0/mcpconv"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of what this package and
// runtime/upstream record.
const ScopeName = "github.com/mcpgen/mcpgen/runtime/telemetry"

// durationBuckets are the bucket boundaries, in seconds, that the MCP
// semantic conventions give for the operation and session durations.
var durationBuckets = []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300}

// Options describe the server to [Start].
type Options struct {
	// ServiceName and ServiceVersion identify the server in what it
	// exports, as service.name and service.version; OTEL_SERVICE_NAME
	// overrides the name. An empty name is the program's.
	ServiceName, ServiceVersion string
	// Prometheus keeps metrics for [Telemetry.MetricsHandler] to serve.
	Prometheus bool
	// Stateful says that the server keeps sessions (stateful streamable
	// HTTP, SSE or stdio), so that their durations mean something.
	Stateful bool
	// Logger is told what is on at start and about failed exports; nil
	// means slog.Default().
	Logger *slog.Logger
	// OTLP makes the OTLP exporters: otlp.Exporters{} from package
	// runtime/telemetry/otlp. Without it, Start refuses a Config that asks
	// for OTLP export.
	OTLP OTLP
}

// OTLP makes OTLP exporters; package runtime/telemetry/otlp has the one
// to use. protocol is [ProtocolHTTP] or [ProtocolGRPC], endpointURL
// [Exporter.URL].
type OTLP interface {
	TraceExporter(ctx context.Context, protocol, endpointURL string) (sdktrace.SpanExporter, error)
	MetricExporter(ctx context.Context, protocol, endpointURL string) (sdkmetric.Exporter, error)
}

// Telemetry is what [Start] started. A nil *Telemetry is valid: its
// middleware is the identity, it serves no metrics and Shutdown does
// nothing.
type Telemetry struct {
	tp      *sdktrace.TracerProvider
	mp      *sdkmetric.MeterProvider
	tracer  trace.Tracer // nil when tracing is off
	metrics bool
	// operations and sessions are nil when metrics are off; sessions also
	// when the server keeps none.
	operations metric.Float64Histogram
	sessions   metric.Float64Histogram
	handler    http.Handler

	shutdown    sync.Once
	shutdownErr error
}

// Start sets up what cfg and opts ask for; a nil cfg means nothing is
// configured. It returns a nil error and a Telemetry that does nothing
// when nothing is on. The exporters connect lazily, so Start does not
// fail for a collector that is down; failed exports are logged.
func Start(ctx context.Context, cfg *Config, opts Options) (*Telemetry, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	t := &Telemetry{}
	if cfg.Disabled {
		return t, nil
	}
	prom := opts.Prometheus || cfg.Prometheus
	if cfg.Traces == nil && cfg.Metrics == nil && !prom {
		return t, nil
	}
	if opts.OTLP == nil {
		if err := cfg.RefuseOTLP("give Options.OTLP"); err != nil {
			return nil, err
		}
	}

	res, err := newResource(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	// Export failures surface here rather than on stderr through the
	// standard logger, in the server's own log format.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		logger.Warn("telemetry: export failed", "err", err)
	}))

	if cfg.Traces != nil {
		exp, err := opts.OTLP.TraceExporter(ctx, cfg.Traces.Protocol, cfg.Traces.URL)
		if err != nil {
			return nil, err
		}
		t.trace(sdktrace.NewTracerProvider(
			sdktrace.WithBatcher(exp),
			sdktrace.WithResource(res),
			sdktrace.WithSampler(sampler(cfg)),
		))
	}

	var readers []sdkmetric.Option
	if cfg.Metrics != nil {
		exp, err := opts.OTLP.MetricExporter(ctx, cfg.Metrics.Protocol, cfg.Metrics.URL)
		if err != nil {
			t.Shutdown(ctx)
			return nil, err
		}
		readers = append(readers, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
	}
	if prom {
		// A registry of our own rather than the default one, so that
		// nothing else linked into the program adds to what is served.
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		exp, err := otelprom.New(otelprom.WithRegisterer(reg))
		if err != nil {
			t.Shutdown(ctx)
			return nil, fmt.Errorf("telemetry: prometheus: %w", err)
		}
		readers = append(readers, sdkmetric.WithReader(exp))
		t.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{
			ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
			ErrorHandling: promhttp.ContinueOnError,
		})
	}
	if len(readers) > 0 {
		t.mp = sdkmetric.NewMeterProvider(append(readers, sdkmetric.WithResource(res))...)
		otel.SetMeterProvider(t.mp)
		t.metrics = true
		meter := t.mp.Meter(ScopeName)
		ops, err := mcpconv.NewServerOperationDuration(meter, metric.WithExplicitBucketBoundaries(durationBuckets...))
		if err != nil {
			t.Shutdown(ctx)
			return nil, fmt.Errorf("telemetry: %w", err)
		}
		t.operations = ops.Inst()
		if opts.Stateful {
			ss, err := mcpconv.NewServerSessionDuration(meter, metric.WithExplicitBucketBoundaries(durationBuckets...))
			if err != nil {
				t.Shutdown(ctx)
				return nil, fmt.Errorf("telemetry: %w", err)
			}
			t.sessions = ss.Inst()
		}
	}

	logger.Info("telemetry", "traces", describe(cfg.Traces), "metrics", describe(cfg.Metrics), "prometheus", prom)
	return t, nil
}

// trace makes tp the provider of t's spans and OpenTelemetry's global one,
// with the W3C propagators.
func (t *Telemetry) trace(tp *sdktrace.TracerProvider) {
	t.tp = tp
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	t.tracer = tp.Tracer(ScopeName)
}

// describe says where an exporter sends, for the log; its URL is shown
// without any password.
func describe(e *Exporter) string {
	if e == nil {
		return "off"
	}
	to := "the default endpoint"
	if e.URL != "" {
		to = redactURL(e.URL)
	}
	return "otlp " + e.Protocol + " to " + to
}

func newResource(ctx context.Context, cfg *Config, opts Options) (*resource.Resource, error) {
	name := opts.ServiceName
	if cfg.ServiceName != "" {
		name = cfg.ServiceName
	}
	if name == "" {
		name = filepath.Base(os.Args[0])
	}
	attrs := append([]attribute.KeyValue{}, cfg.Resource...)
	attrs = append(attrs, attribute.String("service.name", name))
	if opts.ServiceVersion != "" {
		attrs = append(attrs, attribute.String("service.version", opts.ServiceVersion))
	}
	// The SDK's own detectors would read OTEL_RESOURCE_ATTRIBUTES from the
	// process environment; cfg has it already, read through lookupEnv.
	res, err := resource.New(ctx, resource.WithTelemetrySDK(), resource.WithAttributes(attrs...))
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	return res, nil
}

func sampler(cfg *Config) sdktrace.Sampler {
	switch cfg.Sampler {
	case "always_on":
		return sdktrace.AlwaysSample()
	case "always_off":
		return sdktrace.NeverSample()
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(cfg.SamplerRatio)
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SamplerRatio))
	}
	return sdktrace.ParentBased(sdktrace.AlwaysSample())
}

// MetricsHandler serves the metrics in the Prometheus text format, or is
// nil when Prometheus was not asked for.
func (t *Telemetry) MetricsHandler() http.Handler {
	if t == nil {
		return nil
	}
	return t.handler
}

// Shutdown flushes buffered spans and metrics to their exporters and stops
// them, within ctx. It is safe on a nil *Telemetry, and a second call
// returns what the first did.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	t.shutdown.Do(func() {
		var errs []error
		if t.tp != nil {
			errs = append(errs, t.tp.Shutdown(ctx))
		}
		if t.mp != nil {
			errs = append(errs, t.mp.Shutdown(ctx))
		}
		t.shutdownErr = errors.Join(errs...)
	})
	return t.shutdownErr
}

// TraceID returns the ID of the trace ctx is part of, in hex, or "".
func TraceID(ctx context.Context) string {
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		return sc.TraceID().String()
	}
	return ""
}
