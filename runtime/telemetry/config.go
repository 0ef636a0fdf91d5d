package telemetry

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// The OTLP protocols a [Exporter] may use.
const (
	ProtocolHTTP = "http/protobuf"
	ProtocolGRPC = "grpc"
)

// Config is what the OTEL_* variables ask for; [FromEnv] reads it. The
// zero Config (and a nil *Config) turns everything off.
type Config struct {
	// Disabled is OTEL_SDK_DISABLED=true: nothing is recorded, exported
	// or served, whatever else is set.
	Disabled bool
	// Traces is where spans go; nil means no tracing.
	Traces *Exporter
	// Metrics is where metrics are pushed over OTLP; nil means they are
	// not pushed (they may still be served to Prometheus).
	Metrics *Exporter
	// Prometheus is OTEL_METRICS_EXPORTER listing prometheus: metrics are
	// kept for scraping, as with [Options.Prometheus].
	Prometheus bool
	// Sampler is OTEL_TRACES_SAMPLER, or "" for parentbased_always_on;
	// SamplerRatio is the ratio of the traceidratio samplers.
	Sampler      string
	SamplerRatio float64
	// ServiceName is OTEL_SERVICE_NAME, or service.name in
	// OTEL_RESOURCE_ATTRIBUTES; it overrides [Options.ServiceName].
	ServiceName string
	// Resource holds the other OTEL_RESOURCE_ATTRIBUTES.
	Resource []attribute.KeyValue
}

// An Exporter says where one signal is sent over OTLP.
type Exporter struct {
	// Protocol is ProtocolHTTP or ProtocolGRPC.
	Protocol string
	// URL is the endpoint, as the exporter is given it: for http/protobuf
	// the full URL it posts to (…/v1/traces), for grpc the server's
	// address. Empty means the exporter's default (localhost).
	URL string
	// Variable is the setting that turned this export on, for errors.
	Variable string
}

// The samplers OTEL_TRACES_SAMPLER may name.
var samplers = []string{
	"always_on", "always_off", "traceidratio",
	"parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio",
}

// FromEnv reads the standard OpenTelemetry variables through lookupEnv
// (os.LookupEnv in a generated main; nil means none is set) and checks
// them. The error, if any, has one line per problem, each naming the
// variable and its value.
//
// Tracing is on when OTEL_TRACES_EXPORTER is otlp, or when it is unset and
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is
// set; OTLP metrics likewise with OTEL_METRICS_EXPORTER and
// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT. Unlike the OpenTelemetry default,
// an unset exporter with no endpoint means off, so that a server nobody
// configured sends nothing anywhere.
//
// The exporters read the rest of their settings (OTEL_EXPORTER_OTLP_HEADERS,
// _TIMEOUT, _COMPRESSION, _CERTIFICATE and their per-signal forms, and
// OTEL_METRIC_EXPORT_INTERVAL) from the process environment themselves.
func FromEnv(lookupEnv func(string) (string, bool)) (*Config, error) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	// An empty variable is the same as an unset one, as the
	// OpenTelemetry specification says.
	get := func(name string) string {
		v, _ := lookupEnv(name)
		return strings.TrimSpace(v)
	}
	cfg := &Config{}
	var errs []error
	bad := func(name, v, want string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s: %s", name, want))
			return
		}
		errs = append(errs, fmt.Errorf("%s=%q: %s", name, v, want))
	}

	if v := get("OTEL_SDK_DISABLED"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("OTEL_SDK_DISABLED", v, "want true or false")
		}
		cfg.Disabled = b
	}

	traces, tracesSet := exporters(get, "OTEL_TRACES_EXPORTER", []string{"otlp"}, bad)
	metrics, metricsSet := exporters(get, "OTEL_METRICS_EXPORTER", []string{"otlp", "prometheus"}, bad)
	cfg.Prometheus = metrics["prometheus"]

	protocol := func(name, fallback string) string {
		v := get(name)
		switch v {
		case "":
			return fallback
		case ProtocolHTTP, ProtocolGRPC:
			return v
		case "http/json":
			bad(name, v, "not supported by this server; want http/protobuf or grpc")
		default:
			bad(name, v, "want http/protobuf or grpc")
		}
		return fallback
	}
	common := protocol("OTEL_EXPORTER_OTLP_PROTOCOL", ProtocolHTTP)
	base := endpoint(get, "OTEL_EXPORTER_OTLP_ENDPOINT", bad)

	signal := func(kind, path string, on map[string]bool, set bool) *Exporter {
		upper := strings.ToUpper(kind)
		e := &Exporter{Protocol: protocol("OTEL_EXPORTER_OTLP_"+upper+"_PROTOCOL", common)}
		own := endpoint(get, "OTEL_EXPORTER_OTLP_"+upper+"_ENDPOINT", bad)
		switch {
		case own != nil:
			// A signal's own endpoint is used as it is.
			e.URL = own.String()
		case base != nil && e.Protocol == ProtocolHTTP:
			u := *base
			u.Path = strings.TrimSuffix(u.Path, "/") + path
			u.RawPath = ""
			e.URL = u.String()
		case base != nil:
			e.URL = base.String()
		}
		if !on["otlp"] && (set || (own == nil && base == nil)) {
			return nil
		}
		// Name the variable that asked for OTLP.
		switch {
		case on["otlp"]:
			e.Variable = "OTEL_" + upper + "_EXPORTER"
		case own != nil:
			e.Variable = "OTEL_EXPORTER_OTLP_" + upper + "_ENDPOINT"
		default:
			e.Variable = "OTEL_EXPORTER_OTLP_ENDPOINT"
		}
		return e
	}
	cfg.Traces = signal("traces", "/v1/traces", traces, tracesSet)
	cfg.Metrics = signal("metrics", "/v1/metrics", metrics, metricsSet)

	if v := get("OTEL_TRACES_SAMPLER"); v != "" {
		name := strings.ToLower(v)
		known := false
		for _, s := range samplers {
			known = known || s == name
		}
		if !known {
			bad("OTEL_TRACES_SAMPLER", v, "want one of "+strings.Join(samplers, ", "))
		}
		cfg.Sampler = name
	}
	cfg.SamplerRatio = 1
	if arg := get("OTEL_TRACES_SAMPLER_ARG"); arg != "" && strings.HasSuffix(cfg.Sampler, "traceidratio") {
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			bad("OTEL_TRACES_SAMPLER_ARG", arg, "want a ratio from 0 to 1, such as 0.25")
		}
		cfg.SamplerRatio = r
	}

	if v := get("OTEL_RESOURCE_ATTRIBUTES"); v != "" {
		attrs, err := resourceAttributes(v)
		if err != nil {
			bad("OTEL_RESOURCE_ATTRIBUTES", v, err.Error())
		}
		for _, kv := range attrs {
			if kv.Key == "service.name" {
				cfg.ServiceName = kv.Value.AsString()
				continue
			}
			cfg.Resource = append(cfg.Resource, kv)
		}
	}
	if v := get("OTEL_SERVICE_NAME"); v != "" {
		cfg.ServiceName = v
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

// RefuseOTLP is for a server that cannot export by OTLP (its [Options]
// have no OTLP): it returns an error naming each setting that asks for
// it, followed by how, or nil when none does. A server that let them pass
// would run with its operator believing it exported.
func (c *Config) RefuseOTLP(how string) error {
	if c == nil || c.Disabled {
		return nil
	}
	var errs []error
	for i, e := range []*Exporter{c.Traces, c.Metrics} {
		// One line for a variable that asks for both signals.
		if e != nil && (i == 0 || c.Traces == nil || c.Traces.Variable != e.Variable) {
			errs = append(errs, fmt.Errorf("%s: this server was built without OTLP export; %s", e.Variable, how))
		}
	}
	return errors.Join(errs...)
}

// exporters reads a comma-separated list of exporters from the variable
// name, allowing "none" alone or any of allowed; set reports whether the
// variable was set at all.
func exporters(get func(string) string, name string, allowed []string, bad func(string, string, string)) (on map[string]bool, set bool) {
	v := get(name)
	if v == "" {
		return nil, false
	}
	want := "want " + strings.Join(append(allowed, "none"), ", ")
	if len(allowed) == 1 {
		want = "want " + allowed[0] + " or none"
	}
	on = make(map[string]bool)
	for _, e := range strings.Split(v, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		ok := e == "none"
		for _, a := range allowed {
			ok = ok || e == a
		}
		if !ok {
			bad(name, v, fmt.Sprintf("%q is not supported; %s", e, want))
			continue
		}
		on[e] = true
	}
	if on["none"] && len(on) > 1 {
		bad(name, v, "none cannot be listed with other exporters")
	}
	return on, true
}

// endpoint reads an OTLP endpoint from the variable name, which must be
// an absolute http or https URL; nil means unset or bad.
func endpoint(get func(string) string, name string, bad func(string, string, string)) *url.URL {
	v := get(name)
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		// The parse error quotes the URL, which may carry a password.
		bad(name, "", "not a valid URL; want an absolute http or https URL, such as http://localhost:4318")
		return nil
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad(name, u.Redacted(), "want an absolute http or https URL, such as http://localhost:4318")
		return nil
	}
	if u.RawQuery != "" || u.Fragment != "" {
		bad(name, u.Redacted(), "want a URL without a query or fragment")
		return nil
	}
	return u
}

// resourceAttributes parses key1=value1,key2=value2 with percent-encoded
// values, as OTEL_RESOURCE_ATTRIBUTES holds them.
func resourceAttributes(v string) ([]attribute.KeyValue, error) {
	var attrs []attribute.KeyValue
	for _, pair := range strings.Split(v, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, val, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", strings.TrimSpace(pair))
		}
		d, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("the value of %s is not percent-encoded properly", k)
		}
		attrs = append(attrs, attribute.String(k, d))
	}
	return attrs, nil
}
