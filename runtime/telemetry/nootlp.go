//go:build mcpgen_nootlp

package telemetry

import (
	"context"
	"errors"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// otlpBuiltIn is false: this build leaves the OTLP exporters out, and
// FromEnv refuses settings that ask for them.
const otlpBuiltIn = false

var errNoOTLP = errors.New("telemetry: built without OTLP export (build tag mcpgen_nootlp)")

func traceExporter(context.Context, *Exporter) (sdktrace.SpanExporter, error) { return nil, errNoOTLP }

func metricExporter(context.Context, *Exporter) (sdkmetric.Exporter, error) { return nil, errNoOTLP }
