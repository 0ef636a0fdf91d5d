package telemetry

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/telemetry/otlp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
)

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want Config
	}{
		{name: "nothing set", want: Config{SamplerRatio: 1}},
		{name: "empty values are unset", env: map[string]string{"OTEL_TRACES_EXPORTER": " ", "OTEL_EXPORTER_OTLP_ENDPOINT": ""}, want: Config{SamplerRatio: 1}},
		{
			name: "endpoint turns both on",
			env:  map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"},
			want: Config{
				Traces:       &Exporter{Protocol: ProtocolHTTP, URL: "http://collector:4318/v1/traces"},
				Metrics:      &Exporter{Protocol: ProtocolHTTP, URL: "http://collector:4318/v1/metrics"},
				SamplerRatio: 1,
			},
		},
		{
			name: "signal endpoint as it is",
			env:  map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://collector/otlp/traces"},
			want: Config{Traces: &Exporter{Protocol: ProtocolHTTP, URL: "https://collector/otlp/traces"}, SamplerRatio: 1},
		},
		{
			name: "grpc",
			env: map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT":         "http://collector:4317",
				"OTEL_EXPORTER_OTLP_PROTOCOL":         "grpc",
				"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/protobuf",
			},
			want: Config{
				Traces:       &Exporter{Protocol: ProtocolGRPC, URL: "http://collector:4317"},
				Metrics:      &Exporter{Protocol: ProtocolHTTP, URL: "http://collector:4317/v1/metrics"},
				SamplerRatio: 1,
			},
		},
		{
			name: "exporters chosen",
			env: map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
				"OTEL_TRACES_EXPORTER":        "none",
				"OTEL_METRICS_EXPORTER":       "prometheus",
			},
			want: Config{Prometheus: true, SamplerRatio: 1},
		},
		{
			name: "otlp without an endpoint",
			env:  map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_METRICS_EXPORTER": "otlp,prometheus"},
			want: Config{Traces: &Exporter{Protocol: ProtocolHTTP}, Metrics: &Exporter{Protocol: ProtocolHTTP}, Prometheus: true, SamplerRatio: 1},
		},
		{
			name: "sampler and resource",
			env: map[string]string{
				"OTEL_TRACES_SAMPLER":      "parentbased_traceidratio",
				"OTEL_TRACES_SAMPLER_ARG":  "0.25",
				"OTEL_RESOURCE_ATTRIBUTES": "service.name=a, deployment.environment=prod%20eu,",
				"OTEL_SERVICE_NAME":        "b",
				"OTEL_SDK_DISABLED":        "false",
			},
			want: Config{
				Sampler: "parentbased_traceidratio", SamplerRatio: 0.25, ServiceName: "b",
				Resource: []attribute.KeyValue{attribute.String("deployment.environment", "prod eu")},
			},
		},
		{name: "disabled", env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"},
			want: Config{
				Disabled:     true,
				Traces:       &Exporter{Protocol: ProtocolHTTP, URL: "http://c:4318/v1/traces"},
				Metrics:      &Exporter{Protocol: ProtocolHTTP, URL: "http://c:4318/v1/metrics"},
				SamplerRatio: 1,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromEnv(env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			// TestWithoutOTLP checks the variables named.
			for _, e := range []*Exporter{got.Traces, got.Metrics} {
				if e != nil {
					e.Variable = ""
				}
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("FromEnv = %+v\nwant %+v", describeConfig(got), describeConfig(&tc.want))
			}
		})
	}
}

func describeConfig(c *Config) string {
	e := func(x *Exporter) string {
		if x == nil {
			return "nil"
		}
		return fmt.Sprintf("%+v", *x)
	}
	return fmt.Sprintf("%+v (traces %s, metrics %s)", *c, e(c.Traces), e(c.Metrics))
}

func TestFromEnvErrors(t *testing.T) {
	for _, tc := range []struct {
		name, variable, value string
		want                  string // in the line naming the variable
	}{
		{"disabled", "OTEL_SDK_DISABLED", "yes please", "want true or false"},
		{"traces exporter", "OTEL_TRACES_EXPORTER", "zipkin", `"zipkin" is not supported; want otlp or none`},
		{"console", "OTEL_TRACES_EXPORTER", "otlp,console", `"console" is not supported`},
		{"metrics exporter", "OTEL_METRICS_EXPORTER", "statsd", "want otlp, prometheus, none"},
		{"none and more", "OTEL_METRICS_EXPORTER", "none,otlp", "none cannot be listed with other exporters"},
		{"protocol", "OTEL_EXPORTER_OTLP_PROTOCOL", "thrift", "want http/protobuf or grpc"},
		{"json", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json", "not supported by this server"},
		{"metrics protocol", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "udp", "want http/protobuf or grpc"},
		{"endpoint not absolute", "OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "want an absolute http or https URL"},
		{"endpoint scheme", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://collector", "want an absolute http or https URL"},
		{"endpoint query", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://collector/?x=1", "without a query"},
		{"endpoint unparsable", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1", "not a valid URL"},
		{"sampler", "OTEL_TRACES_SAMPLER", "jaeger_remote", "want one of always_on"},
		{"resource", "OTEL_RESOURCE_ATTRIBUTES", "team", `"team" is not key=value`},
		{"resource escape", "OTEL_RESOURCE_ATTRIBUTES", "a=%zz", "not percent-encoded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromEnv(env(map[string]string{tc.variable: tc.value}))
			if err == nil {
				t.Fatalf("%s=%q accepted", tc.variable, tc.value)
			}
			if !strings.HasPrefix(err.Error(), tc.variable) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s and say %q", err, tc.variable, tc.want)
			}
		})
	}

	t.Run("sampler arg", func(t *testing.T) {
		_, err := FromEnv(env(map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"}))
		if err == nil || !strings.Contains(err.Error(), `OTEL_TRACES_SAMPLER_ARG="2": want a ratio from 0 to 1`) {
			t.Errorf("error %v, want one about OTEL_TRACES_SAMPLER_ARG", err)
		}
	})
	t.Run("one line per problem", func(t *testing.T) {
		_, err := FromEnv(env(map[string]string{
			"OTEL_TRACES_EXPORTER":        "zipkin",
			"OTEL_EXPORTER_OTLP_ENDPOINT": "http://user:hunter22@[::1",
			"OTEL_SDK_DISABLED":           "maybe",
		}))
		if err == nil {
			t.Fatal("accepted")
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != 3 {
			t.Errorf("%d lines, want 3: %q", len(lines), lines)
		}
		if strings.Contains(err.Error(), "hunter22") {
			t.Errorf("the error shows the endpoint's password: %v", err)
		}
	})
}

// TestNothingConfigured checks the default: no variable set, no provider
// installed, and a middleware that is the identity.
func TestNothingConfigured(t *testing.T) {
	for _, vars := range []map[string]string{
		nil,
		{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_METRICS_EXPORTER": "prometheus"},
	} {
		cfg, err := FromEnv(env(vars))
		if err != nil {
			t.Fatal(err)
		}
		tp, mp, prop := otel.GetTracerProvider(), otel.GetMeterProvider(), otel.GetTextMapPropagator()
		tel, err := Start(context.Background(), cfg, Options{Prometheus: vars != nil, Stateful: true, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if otel.GetTracerProvider() != tp || otel.GetMeterProvider() != mp || otel.GetTextMapPropagator() != prop {
			t.Errorf("%v: Start installed a global provider or propagator", vars)
		}
		if tel.MetricsHandler() != nil {
			t.Errorf("%v: a metrics handler", vars)
		}
		assertIdentity(t, tel.Middleware())
		if err := tel.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}

	var none *Telemetry
	assertIdentity(t, none.Middleware())
	if none.MetricsHandler() != nil || none.Shutdown(context.Background()) != nil {
		t.Error("a nil *Telemetry does something")
	}
}

// assertIdentity checks that mw returns the handler it is given.
func assertIdentity(t *testing.T, mw mcp.Middleware) {
	t.Helper()
	next := func(context.Context, string, mcp.Request) (mcp.Result, error) { return nil, nil }
	if reflect.ValueOf(mw(next)).Pointer() != reflect.ValueOf(next).Pointer() {
		t.Error("the middleware wraps its handler")
	}
}

// TestStartGRPC checks that the gRPC exporters start without a collector
// to talk to: they connect lazily.
func TestStartGRPC(t *testing.T) {
	cfg, err := FromEnv(env(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1",
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
	}))
	if err != nil {
		t.Fatal(err)
	}
	tel, err := Start(context.Background(), cfg, Options{Logger: quiet, OTLP: otlp.Exporters{}})
	if err != nil {
		t.Fatal(err)
	}
	if tel.tracer == nil || !tel.metrics {
		t.Errorf("tracing %v, metrics %v; want both on", tel.tracer != nil, tel.metrics)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	// With no collector the metrics flush fails at the deadline; that is fine.
	tel.Shutdown(ctx)
}

// TestWithoutOTLP checks that a server without OTLP exporters refuses the
// settings that ask for them, one line per variable, and that Prometheus
// still works.
func TestWithoutOTLP(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, []string{"OTEL_EXPORTER_OTLP_ENDPOINT"}},
		{map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://collector:4318/v1/metrics"}, []string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"}},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_METRICS_EXPORTER": "otlp"}, []string{"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER"}},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"}},
	} {
		cfg, err := FromEnv(env(tc.env))
		if err != nil {
			t.Fatal(err)
		}
		err = cfg.RefuseOTLP("add it")
		if err == nil {
			t.Errorf("%v: refused nothing", tc.env)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != len(tc.want) {
			t.Errorf("%v: %q, want one line for each of %v", tc.env, lines, tc.want)
			continue
		}
		for i, name := range tc.want {
			if !strings.HasPrefix(lines[i], name+": ") || !strings.HasSuffix(lines[i], "built without OTLP export; add it") {
				t.Errorf("%v: line %q, want one naming %s", tc.env, lines[i], name)
			}
		}
		if _, err := Start(context.Background(), cfg, Options{Logger: quiet}); err == nil {
			t.Errorf("%v: Start without Options.OTLP accepted a config that exports by OTLP", tc.env)
		}
	}
	for _, vars := range []map[string]string{nil, {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}} {
		cfg, err := FromEnv(env(vars))
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.RefuseOTLP("add it"); err != nil {
			t.Errorf("%v: %v", vars, err)
		}
	}
	cfg, err := FromEnv(env(map[string]string{"OTEL_METRICS_EXPORTER": "prometheus", "OTEL_TRACES_EXPORTER": "none"}))
	if err != nil {
		t.Fatal(err)
	}
	tel, err := Start(context.Background(), cfg, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	if tel.MetricsHandler() == nil {
		t.Error("no metrics handler")
	}
}
