package serve

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Config is everything Main reads from flags and the environment.
type Config struct {
	// Addr is the address to listen on (host:port).
	Addr string
	// Stdio serves over stdin and stdout instead of HTTP.
	Stdio bool
	// Stateful keeps streamable HTTP sessions between requests. The default,
	// stateless, is what the MCP 2026-07-28 revision serves and scales
	// behind any load balancer; older clients still work.
	Stateful bool
	// AllowedOrigins are the browser origins allowed to call the server
	// ("https://app.example.com"); "*" allows any.
	AllowedOrigins []string
	// DisableHostCheck turns off the MCP SDK's DNS-rebinding protection, which
	// refuses requests that arrive on a loopback address with a non-loopback
	// Host header: needed behind a reverse proxy on the same machine.
	DisableHostCheck bool
	// MaxBodyBytes limits request bodies; zero means the SDK's default.
	MaxBodyBytes int64
	// SessionTimeout closes a stateful session after this long without a
	// request, so abandoned sessions do not pile up; zero keeps them open.
	SessionTimeout time.Duration
	// ShutdownTimeout is how long in-flight calls may take to finish after a
	// shutdown signal.
	ShutdownTimeout time.Duration
	// LogLevel and LogFormat ("text" or "json") configure the logger.
	LogLevel  slog.Level
	LogFormat string
}

// setting is one flag and the environment variables it falls back to.
type setting struct {
	flag  string
	env   []string
	usage string
}

var settings = []setting{
	{"addr", []string{"ADDR", "PORT"}, "address to listen on, host:port (PORT alone sets the port on all interfaces)"},
	{"stdio", nil, "serve over stdin/stdout instead of HTTP"},
	{"stateful", []string{"MCP_STATEFUL"}, "keep streamable HTTP sessions between requests (default: stateless)"},
	{"allowed-origins", []string{"MCP_ALLOWED_ORIGINS"}, "comma-separated browser origins allowed to call the server; * for any"},
	{"disable-host-check", []string{"MCP_DISABLE_HOST_CHECK"}, "accept non-loopback Host headers on loopback connections (behind a local reverse proxy)"},
	{"max-body-bytes", []string{"MCP_MAX_BODY_BYTES"}, "largest request body accepted"},
	{"session-timeout", []string{"MCP_SESSION_TIMEOUT"}, "with --stateful, close sessions idle this long (0 keeps them)"},
	{"shutdown-timeout", []string{"SHUTDOWN_TIMEOUT"}, "time in-flight calls get to finish on shutdown"},
	{"log-level", []string{"LOG_LEVEL"}, "debug, info, warn or error"},
	{"log-format", []string{"LOG_FORMAT"}, "text or json"},
}

// ParseConfig parses args (without the program name) and the environment,
// looked up with lookupEnv (os.LookupEnv in Main). Flags win over the
// environment. It returns flag.ErrHelp after printing usage to out for -h.
func ParseConfig(args []string, lookupEnv func(string) (string, bool), opts *Options, out io.Writer) (*Config, error) {
	opts = opts.orDefault()
	fs := flag.NewFlagSet(opts.Name, flag.ContinueOnError)
	fs.SetOutput(out)
	var (
		addr, origins, level, format, maxBody, shutdown, session string
		stdio, stateful, noHostCheck                             bool
	)
	fs.StringVar(&addr, "addr", ":8080", usageOf("addr"))
	fs.BoolVar(&stdio, "stdio", false, usageOf("stdio"))
	fs.BoolVar(&stateful, "stateful", false, usageOf("stateful"))
	fs.StringVar(&origins, "allowed-origins", "", usageOf("allowed-origins"))
	fs.BoolVar(&noHostCheck, "disable-host-check", false, usageOf("disable-host-check"))
	fs.StringVar(&maxBody, "max-body-bytes", strconv.Itoa(mcp.DefaultMaxRequestBodyBytes), usageOf("max-body-bytes"))
	fs.StringVar(&session, "session-timeout", "30m", usageOf("session-timeout"))
	fs.StringVar(&shutdown, "shutdown-timeout", "20s", usageOf("shutdown-timeout"))
	fs.StringVar(&level, "log-level", "info", usageOf("log-level"))
	fs.StringVar(&format, "log-format", "text", usageOf("log-format"))
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s [flags]\n\n%s %s, an MCP server.\n\nFlags (and the environment variables they fall back to):\n", opts.Name, opts.Name, opts.Version)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// from records which environment variable a value came from, so that
	// an error names what the user actually set.
	from := make(map[string]string)
	source := func(name string) string {
		if e, ok := from[name]; ok {
			return e
		}
		return "--" + name
	}
	env := func(name string, value *string) {
		if set[name] {
			return
		}
		for _, e := range envOf(name) {
			if v, ok := lookupEnv(e); ok && v != "" {
				if e == "PORT" {
					v = ":" + v
				}
				*value = v
				from[name] = e
				return
			}
		}
	}
	envBool := func(name string, value *bool) error {
		if set[name] {
			return nil
		}
		for _, e := range envOf(name) {
			if v, ok := lookupEnv(e); ok && v != "" {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return fmt.Errorf("%s=%q: want true or false", e, v)
				}
				*value = b
			}
		}
		return nil
	}

	cfg := &Config{Stdio: stdio}
	var errs []error
	env("addr", &addr)
	if host, port, err := net.SplitHostPort(addr); err != nil {
		errs = append(errs, fmt.Errorf("%s=%q: want host:port", source("addr"), addr))
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		errs = append(errs, fmt.Errorf("%s=%q: port must be a number from 0 to 65535", source("addr"), addr))
	} else {
		cfg.Addr = net.JoinHostPort(host, port)
	}
	for _, b := range []struct {
		name string
		v    *bool
	}{{"stateful", &stateful}, {"disable-host-check", &noHostCheck}} {
		if err := envBool(b.name, b.v); err != nil {
			errs = append(errs, err)
		}
	}
	cfg.Stateful, cfg.DisableHostCheck = stateful, noHostCheck

	env("allowed-origins", &origins)
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.AllowedOrigins = append(cfg.AllowedOrigins, strings.TrimSuffix(o, "/"))
		}
	}

	env("max-body-bytes", &maxBody)
	if n, err := strconv.ParseInt(maxBody, 10, 64); err != nil || n <= 0 {
		errs = append(errs, fmt.Errorf("%s=%q: want a positive number of bytes", source("max-body-bytes"), maxBody))
	} else {
		cfg.MaxBodyBytes = n
	}

	env("session-timeout", &session)
	if d, err := time.ParseDuration(session); err != nil || d < 0 {
		errs = append(errs, fmt.Errorf("%s=%q: want a duration such as 30m, or 0", source("session-timeout"), session))
	} else {
		cfg.SessionTimeout = d
	}

	env("shutdown-timeout", &shutdown)
	if d, err := time.ParseDuration(shutdown); err != nil || d < 0 {
		errs = append(errs, fmt.Errorf("%s=%q: want a duration such as 20s", source("shutdown-timeout"), shutdown))
	} else {
		cfg.ShutdownTimeout = d
	}

	env("log-level", &level)
	if err := cfg.LogLevel.UnmarshalText([]byte(level)); err != nil {
		errs = append(errs, fmt.Errorf("%s=%q: want debug, info, warn or error", source("log-level"), level))
	}
	env("log-format", &format)
	if format != "text" && format != "json" {
		errs = append(errs, fmt.Errorf("%s=%q: want text or json", source("log-format"), format))
	}
	cfg.LogFormat = format

	if cfg.Stdio && !opts.has("stdio") {
		errs = append(errs, errors.New("--stdio: this server does not serve stdio (see transports in mcpgen.yaml)"))
	}
	if !cfg.Stdio && !opts.has("streamable") && !opts.has("sse") {
		errs = append(errs, errors.New("this server serves only stdio: run it with --stdio"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

func usageOf(name string) string {
	for _, s := range settings {
		if s.flag == name {
			if len(s.env) > 0 {
				return s.usage + " [$" + strings.Join(s.env, ", $") + "]"
			}
			return s.usage
		}
	}
	return ""
}

func envOf(name string) []string {
	for _, s := range settings {
		if s.flag == name {
			return s.env
		}
	}
	return nil
}
