// Package otlp exports a server's traces and metrics by OTLP, over HTTP
// (protobuf) or gRPC. It is apart from package telemetry because the
// exporters bring gRPC and protobuf with them: linked into a server, their
// initialised state is marked by every garbage collection and slows every
// call, whether or not anything is exported. A generated server links this
// package only when its manifest asks for OTLP (telemetry.otlp), and hands
// it to the runtime as serve.Options.OTLP:
//
//	serve.Options{..., OTLP: otlp.Exporters{}}
//
// The exporters read the rest of their settings (OTEL_EXPORTER_OTLP_HEADERS,
// _TIMEOUT, _COMPRESSION, _CERTIFICATE and their per-signal forms, and
// OTEL_METRIC_EXPORT_INTERVAL) from the process environment themselves.
package otlp

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// ProtocolGRPC is the OTEL_EXPORTER_OTLP_PROTOCOL value for gRPC; any
// other protocol given to the exporters means HTTP with protobuf.
const ProtocolGRPC = "grpc"

// Exporters makes the OTLP exporters; it satisfies telemetry.OTLP.
type Exporters struct{}

// TraceExporter returns a span exporter by protocol to endpointURL (the
// exporter's own default when empty).
func (Exporters) TraceExporter(ctx context.Context, protocol, endpointURL string) (sdktrace.SpanExporter, error) {
	var (
		exp sdktrace.SpanExporter
		err error
	)
	if protocol == ProtocolGRPC {
		var o []otlptracegrpc.Option
		if endpointURL != "" {
			o = append(o, otlptracegrpc.WithEndpointURL(endpointURL))
		}
		exp, err = otlptracegrpc.New(ctx, o...)
	} else {
		var o []otlptracehttp.Option
		if endpointURL != "" {
			o = append(o, otlptracehttp.WithEndpointURL(endpointURL))
		}
		exp, err = otlptracehttp.New(ctx, o...)
	}
	if err != nil {
		return nil, fmt.Errorf("telemetry: trace exporter: %w", err)
	}
	return exp, nil
}

// MetricExporter returns a metric exporter by protocol to endpointURL (the
// exporter's own default when empty).
func (Exporters) MetricExporter(ctx context.Context, protocol, endpointURL string) (sdkmetric.Exporter, error) {
	var (
		exp sdkmetric.Exporter
		err error
	)
	if protocol == ProtocolGRPC {
		var o []otlpmetricgrpc.Option
		if endpointURL != "" {
			o = append(o, otlpmetricgrpc.WithEndpointURL(endpointURL))
		}
		exp, err = otlpmetricgrpc.New(ctx, o...)
	} else {
		var o []otlpmetrichttp.Option
		if endpointURL != "" {
			o = append(o, otlpmetrichttp.WithEndpointURL(endpointURL))
		}
		exp, err = otlpmetrichttp.New(ctx, o...)
	}
	if err != nil {
		return nil, fmt.Errorf("telemetry: metric exporter: %w", err)
	}
	return exp, nil
}
