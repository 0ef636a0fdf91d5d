//go:build !mcpgen_nootlp

package telemetry

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

// otlpBuiltIn says whether OTLP export is linked in. The OTLP exporters
// bring gRPC and protobuf with them, most of what telemetry adds to a
// binary; the build tag mcpgen_nootlp leaves them out, for servers that
// are only scraped.
const otlpBuiltIn = true

func traceExporter(ctx context.Context, e *Exporter) (sdktrace.SpanExporter, error) {
	var (
		exp sdktrace.SpanExporter
		err error
	)
	if e.Protocol == ProtocolGRPC {
		var o []otlptracegrpc.Option
		if e.URL != "" {
			o = append(o, otlptracegrpc.WithEndpointURL(e.URL))
		}
		exp, err = otlptracegrpc.New(ctx, o...)
	} else {
		var o []otlptracehttp.Option
		if e.URL != "" {
			o = append(o, otlptracehttp.WithEndpointURL(e.URL))
		}
		exp, err = otlptracehttp.New(ctx, o...)
	}
	if err != nil {
		return nil, fmt.Errorf("telemetry: trace exporter: %w", err)
	}
	return exp, nil
}

func metricExporter(ctx context.Context, e *Exporter) (sdkmetric.Exporter, error) {
	var (
		exp sdkmetric.Exporter
		err error
	)
	if e.Protocol == ProtocolGRPC {
		var o []otlpmetricgrpc.Option
		if e.URL != "" {
			o = append(o, otlpmetricgrpc.WithEndpointURL(e.URL))
		}
		exp, err = otlpmetricgrpc.New(ctx, o...)
	} else {
		var o []otlpmetrichttp.Option
		if e.URL != "" {
			o = append(o, otlpmetrichttp.WithEndpointURL(e.URL))
		}
		exp, err = otlpmetrichttp.New(ctx, o...)
	}
	if err != nil {
		return nil, fmt.Errorf("telemetry: metric exporter: %w", err)
	}
	return exp, nil
}
