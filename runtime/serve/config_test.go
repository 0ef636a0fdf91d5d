package serve

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/telemetry/otlp"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		opts *Options
		want func(*Config) bool
	}{
		{"defaults", nil, nil, nil, func(c *Config) bool {
			return c.Addr == ":8080" && !c.Stateful && !c.Stdio && !c.DisableHostCheck && c.AllowedOrigins == nil &&
				c.LogLevel == slog.LevelInfo && c.LogFormat == "text" && c.ShutdownTimeout == 20*time.Second &&
				c.MaxBodyBytes == mcp.DefaultMaxRequestBodyBytes && c.SessionTimeout == 30*time.Minute
		}},
		{"PORT", nil, map[string]string{"PORT": "9000"}, nil, func(c *Config) bool { return c.Addr == ":9000" }},
		{"operations defaults", nil, nil, nil, func(c *Config) bool {
			return c.MetricsAddr == "" && c.MetricsToken == "" && c.AuditLog == "stderr" && c.ToolTimeout == 0 &&
				c.TrustedProxies == nil && c.DrainDelay == 0 && c.RateLimitFailOpen && c.GCFloor == 32<<20
		}},
		{"gc floor", nil, map[string]string{"GC_FLOOR": "256MiB"}, nil, func(c *Config) bool { return c.GCFloor == 256<<20 }},
		{"gc floor in bytes", []string{"--gc-floor=1048576"}, nil, nil, func(c *Config) bool { return c.GCFloor == 1<<20 }},
		{"gc floor off", nil, map[string]string{"GC_FLOOR": "0"}, nil, func(c *Config) bool { return c.GCFloor == 0 }},
		{"operations", []string{"--metrics-addr=127.0.0.1:9090", "--rate-limit-fail=closed"}, map[string]string{
			"METRICS_TOKEN": " t0ken ", "AUDIT_LOG": "/var/log/audit.log", "TOOL_TIMEOUT": "45s",
			"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5", "SHUTDOWN_DRAIN_DELAY": "5s"}, nil, func(c *Config) bool {
			return c.MetricsAddr == "127.0.0.1:9090" && c.MetricsToken == "t0ken" && c.AuditLog == "/var/log/audit.log" &&
				c.ToolTimeout == 45*time.Second && c.DrainDelay == 5*time.Second && !c.RateLimitFailOpen &&
				slices.Equal(c.TrustedProxies, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.5/32")})
		}},
		{"ADDR", nil, map[string]string{"ADDR": "127.0.0.1:7000"}, nil, func(c *Config) bool { return c.Addr == "127.0.0.1:7000" }},
		{"ADDR wins over PORT", nil, map[string]string{"ADDR": "127.0.0.1:7000", "PORT": "9000"}, nil, func(c *Config) bool { return c.Addr == "127.0.0.1:7000" }},
		{"flag wins over PORT", []string{"--addr", "127.0.0.1:1234"}, map[string]string{"PORT": "9000"}, nil, func(c *Config) bool { return c.Addr == "127.0.0.1:1234" }},
		{"flag equal to the default still wins", []string{"-addr=:8080"}, map[string]string{"PORT": "9000"}, nil, func(c *Config) bool { return c.Addr == ":8080" }},
		{"empty env is unset", nil, map[string]string{"PORT": "", "MCP_STATEFUL": "", "MCP_ALLOWED_ORIGINS": ""}, nil, func(c *Config) bool {
			return c.Addr == ":8080" && !c.Stateful && c.AllowedOrigins == nil
		}},
		{"IPv6", []string{"--addr=[::1]:0"}, nil, nil, func(c *Config) bool { return c.Addr == "[::1]:0" }},
		{"stateful from env", nil, map[string]string{"MCP_STATEFUL": "true"}, nil, func(c *Config) bool { return c.Stateful }},
		{"stateful flag", []string{"--stateful"}, nil, nil, func(c *Config) bool { return c.Stateful }},
		{"stateful flag wins", []string{"--stateful=false"}, map[string]string{"MCP_STATEFUL": "true"}, nil, func(c *Config) bool { return !c.Stateful }},
		{"host check from env", nil, map[string]string{"MCP_DISABLE_HOST_CHECK": "1"}, nil, func(c *Config) bool { return c.DisableHostCheck }},
		{"landing page by default", nil, nil, nil, func(c *Config) bool { return !c.DisableLandingPage }},
		{"landing page off from env", nil, map[string]string{"LANDING_PAGE": "false"}, nil, func(c *Config) bool { return c.DisableLandingPage }},
		{"landing page flag wins", []string{"--landing-page=true"}, map[string]string{"LANDING_PAGE": "false"}, nil, func(c *Config) bool { return !c.DisableLandingPage }},
		{"host check flag", []string{"-disable-host-check"}, nil, nil, func(c *Config) bool { return c.DisableHostCheck }},
		{"origins normalized", []string{"--allowed-origins", "https://a.example, https://B.example/ ,http://c.example:80,https://d.example:8443"}, nil, nil, func(c *Config) bool {
			return slices.Equal(c.AllowedOrigins, []string{"https://a.example", "https://b.example", "http://c.example", "https://d.example:8443"})
		}},
		{"origins from env", nil, map[string]string{"MCP_ALLOWED_ORIGINS": "*"}, nil, func(c *Config) bool { return slices.Equal(c.AllowedOrigins, []string{"*"}) }},
		{"origins flag wins", []string{"--allowed-origins=https://a.example"}, map[string]string{"MCP_ALLOWED_ORIGINS": "*"}, nil, func(c *Config) bool {
			return slices.Equal(c.AllowedOrigins, []string{"https://a.example"})
		}},
		{"logging", []string{"-log-level=debug", "--log-format=json"}, nil, nil, func(c *Config) bool { return c.LogLevel == slog.LevelDebug && c.LogFormat == "json" }},
		{"logging from env", nil, map[string]string{"LOG_LEVEL": "WARN", "LOG_FORMAT": "JSON"}, nil, func(c *Config) bool { return c.LogLevel == slog.LevelWarn && c.LogFormat == "json" }},
		{"log level flag wins", []string{"--log-level", "error"}, map[string]string{"LOG_LEVEL": "debug"}, nil, func(c *Config) bool { return c.LogLevel == slog.LevelError }},
		{"timeouts", []string{"--shutdown-timeout=1m30s"}, map[string]string{"SHUTDOWN_TIMEOUT": "5s", "MCP_SESSION_TIMEOUT": "0"}, nil, func(c *Config) bool {
			return c.ShutdownTimeout == 90*time.Second && c.SessionTimeout == 0
		}},
		{"shutdown timeout from env", nil, map[string]string{"SHUTDOWN_TIMEOUT": "5s"}, nil, func(c *Config) bool { return c.ShutdownTimeout == 5*time.Second }},
		{"body limit", []string{"--max-body-bytes", "1024"}, map[string]string{"MCP_MAX_BODY_BYTES": "99"}, nil, func(c *Config) bool { return c.MaxBodyBytes == 1024 }},
		{"body limit from env", nil, map[string]string{"MCP_MAX_BODY_BYTES": "99"}, nil, func(c *Config) bool { return c.MaxBodyBytes == 99 }},
		{"stdio", []string{"--stdio"}, nil, nil, func(c *Config) bool { return c.Stdio }},
		{"stdio only server", []string{"--stdio"}, nil, &Options{Transports: []string{"stdio"}}, func(c *Config) bool { return c.Stdio }},
		{"sse only server", nil, nil, &Options{Transports: []string{"sse"}}, func(c *Config) bool { return !c.Stdio }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig(tc.args, env(tc.env), tc.opts.orDefault(), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(cfg) {
				t.Errorf("config = %+v", cfg)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		opts *Options
		want string
	}{
		{"bad PORT", nil, map[string]string{"PORT": "abc"}, nil, `PORT="abc": want a port number`},
		{"PORT out of range", nil, map[string]string{"PORT": "70000"}, nil, `PORT="70000"`},
		{"bad ADDR", nil, map[string]string{"ADDR": "localhost"}, nil, `ADDR="localhost": want host:port`},
		{"bad addr", []string{"--addr", "nonsense"}, nil, nil, `--addr="nonsense": want host:port`},
		{"bad addr port", []string{"--addr", ":http"}, nil, nil, `--addr=":http": the port must be a number`},
		{"bad level", []string{"--log-level", "loud"}, nil, nil, `--log-level="loud": want debug, info, warn or error`},
		{"bad level env", nil, map[string]string{"LOG_LEVEL": "loud"}, nil, `LOG_LEVEL="loud"`},
		{"bad format", []string{"--log-format", "xml"}, nil, nil, `--log-format="xml": want text or json`},
		{"bad format env", nil, map[string]string{"LOG_FORMAT": "xml"}, nil, `LOG_FORMAT="xml"`},
		{"bad bool env", nil, map[string]string{"MCP_STATEFUL": "maybe"}, nil, `MCP_STATEFUL="maybe": want true or false`},
		{"bad host check env", nil, map[string]string{"MCP_DISABLE_HOST_CHECK": "yes please"}, nil, `MCP_DISABLE_HOST_CHECK="yes please"`},
		{"bad bool flag", []string{"--stateful=maybe"}, nil, nil, `invalid boolean value "maybe" for -stateful`},
		{"bad timeout", []string{"--shutdown-timeout", "soon"}, nil, nil, `--shutdown-timeout="soon": want a positive duration`},
		{"zero shutdown timeout", []string{"--shutdown-timeout", "0"}, nil, nil, `--shutdown-timeout="0"`},
		{"bad timeout env", nil, map[string]string{"SHUTDOWN_TIMEOUT": "20"}, nil, `SHUTDOWN_TIMEOUT="20"`},
		{"bad session timeout", nil, map[string]string{"MCP_SESSION_TIMEOUT": "-1s"}, nil, `MCP_SESSION_TIMEOUT="-1s"`},
		{"bad body limit", []string{"--max-body-bytes", "-1"}, nil, nil, `--max-body-bytes="-1": want a positive number`},
		{"bad body limit env", nil, map[string]string{"MCP_MAX_BODY_BYTES": "4MB"}, nil, `MCP_MAX_BODY_BYTES="4MB"`},
		{"origin without scheme", []string{"--allowed-origins", "app.example.com"}, nil, nil, `--allowed-origins: "app.example.com" is not an origin`},
		{"origin with path", nil, map[string]string{"MCP_ALLOWED_ORIGINS": "https://ok.example,https://app.example/path"}, nil, `MCP_ALLOWED_ORIGINS: "https://app.example/path" is not an origin`},
		{"bad metrics addr", nil, map[string]string{"METRICS_ADDR": "9090"}, nil, `METRICS_ADDR="9090": want host:port`},
		{"bad tool timeout", []string{"--tool-timeout=-1s"}, nil, nil, `--tool-timeout="-1s": want a duration`},
		{"bad tool timeout env", nil, map[string]string{"TOOL_TIMEOUT": "10"}, nil, `TOOL_TIMEOUT="10"`},
		{"bad proxy", nil, map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"}, nil, `TRUSTED_PROXIES="proxy.internal": want an IP address or a CIDR`},
		{"bad drain", []string{"--shutdown-drain-delay=later"}, nil, nil, `--shutdown-drain-delay="later"`},
		{"bad gc floor", nil, map[string]string{"GC_FLOOR": "32MB"}, nil, `GC_FLOOR="32MB": want a size such as 32MiB`},
		{"huge gc floor", []string{"--gc-floor=2048GiB"}, nil, nil, `--gc-floor="2048GiB": want a size`},
		{"bad fail mode", nil, map[string]string{"RATE_LIMIT_FAIL": "sometimes"}, nil, `RATE_LIMIT_FAIL="sometimes": want open or closed`},
		{"unknown flag", []string{"--bogus"}, nil, nil, "flag provided but not defined: -bogus"},
		{"missing value", []string{"--addr"}, nil, nil, "flag needs an argument: -addr"},
		{"stray argument", []string{"serve"}, nil, nil, `unexpected argument "serve"`},
		{"bool with a separate value", []string{"--stateful", "false"}, nil, nil, `unexpected argument "false"`},
		{"stdio not offered", []string{"--stdio"}, nil, &Options{Transports: []string{"streamable"}}, "--stdio: this server does not serve stdio"},
		{"stdio only", nil, nil, &Options{Transports: []string{"stdio"}}, "this server serves only stdio: run it with --stdio"},
		{"unknown transport", nil, nil, &Options{Transports: []string{"streamable", "websocket"}}, `unknown transport "websocket"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig(tc.args, env(tc.env), tc.opts.orDefault(), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v (config %+v), want one containing %q", err, cfg, tc.want)
			}
		})
	}
}

// Every problem is reported at once, not just the first.
func TestParseConfigAllErrors(t *testing.T) {
	_, err := parseConfig([]string{"--log-level=loud"}, env(map[string]string{"PORT": "abc", "LOG_FORMAT": "xml"}), (*Options)(nil).orDefault(), io.Discard)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"PORT", "--log-level", "LOG_FORMAT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// A server generated without OTLP export refuses the settings that ask
// for it and says how to get it; one with it takes them.
func TestParseConfigOTLP(t *testing.T) {
	vars := env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
	_, err := parseConfig(nil, vars, (*Options)(nil).orDefault(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_ENDPOINT: this server was built without OTLP export") ||
		!strings.Contains(err.Error(), "telemetry: {otlp: true}") {
		t.Errorf("without Options.OTLP: error %v, want one naming the variable and the manifest setting", err)
	}
	opts := (&Options{OTLP: otlp.Exporters{}}).orDefault()
	cfg, err := parseConfig(nil, vars, opts, io.Discard)
	if err != nil {
		t.Fatalf("with Options.OTLP: %v", err)
	}
	if cfg.Telemetry.Traces == nil || cfg.Telemetry.Traces.URL != "http://127.0.0.1:4318/v1/traces" {
		t.Errorf("with Options.OTLP: traces %+v, want them exported", cfg.Telemetry.Traces)
	}
}

func TestParseConfigNilEnv(t *testing.T) {
	cfg, err := ParseConfig([]string{"--addr", "127.0.0.1:0"}, nil, nil)
	if err != nil || cfg.Addr != "127.0.0.1:0" {
		t.Errorf("ParseConfig with nil lookupEnv: %+v, %v", cfg, err)
	}
}

func TestParseConfigHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		var out strings.Builder
		opts := &Options{Name: "demo", Version: "1.0", Settings: []Setting{
			{Env: "DEMO_CLIENT_SECRET", Usage: "the demo app's secret", Secret: true},
			{Env: "DEMO_BASE_URL", Usage: "where the demo API is"},
		}}
		_, err := parseConfig([]string{arg}, env(nil), opts.orDefault(), &out)
		if !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%s: err = %v, want flag.ErrHelp", arg, err)
		}
		usage := out.String()
		for _, want := range []string{"demo 1.0", "/mcp", "/sse", "/readyz", "--stdio", "$ADDR, $PORT", `(default :8080)`,
			"--landing-page\n    \tserve browsers a page at / that says what the server is and how to connect to it (default true)\n    \tenv: $LANDING_PAGE\n",
			"  $DEMO_CLIENT_SECRET (secret)\n    \tthe demo app's secret\n", "  $DEMO_BASE_URL\n", "Telemetry and metrics, from the environment:\n  $METRICS_TOKEN (secret)\n"} {
			if !strings.Contains(usage, want) {
				t.Errorf("%s: usage lacks %q:\n%s", arg, want, usage)
			}
		}
		// Every flag is listed, with its environment variables.
		for _, s := range settings {
			if !strings.Contains(usage, "--"+s.name) {
				t.Errorf("usage lacks --%s", s.name)
			}
			for _, e := range s.env {
				if !strings.Contains(usage, "$"+e) {
					t.Errorf("usage lacks $%s", e)
				}
			}
		}
	}
	// A bad flag does not print the usage: Main prints the error alone.
	var out strings.Builder
	if _, err := parseConfig([]string{"--bogus"}, env(nil), (*Options)(nil).orDefault(), &out); err == nil || out.Len() > 0 {
		t.Errorf("bad flag: err %v, output %q", err, out.String())
	}
}
