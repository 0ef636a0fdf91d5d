package telemetry

import (
	"context"
	"net/http"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// discard is a span exporter that drops what it is given.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// BenchmarkMiddleware measures what the middleware adds to a tools/call
// whose handler does nothing: with nothing on, with metrics kept for
// Prometheus, with every span sampled and exported to nowhere, and both.
func BenchmarkMiddleware(b *testing.B) {
	req := &mcp.CallToolRequest{
		Params: &mcp.CallToolParamsRaw{Name: "add", Meta: mcp.Meta{
			"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		}},
		Extra: &mcp.RequestExtra{Header: http.Header{"Mcp-Protocol-Version": {"2025-11-25"}}},
	}
	result := &mcp.CallToolResult{}
	next := func(context.Context, string, mcp.Request) (mcp.Result, error) { return result, nil }

	for _, bc := range []struct {
		name           string
		metrics, trace bool
	}{
		{"off", false, false},
		{"metrics", true, false},
		{"tracing", false, true},
		{"both", true, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			tel, err := Start(ctx, nil, Options{Prometheus: bc.metrics, Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			if bc.trace {
				tel.trace(sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}), sdktrace.WithSampler(sdktrace.AlwaysSample())))
			}
			defer tel.Shutdown(ctx)
			h := tel.Middleware()(next)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h(ctx, "tools/call", req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
