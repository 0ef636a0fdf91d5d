package serve

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/telemetry"
)

// Defaults, also used for the zero fields of a Config built by hand.
const (
	defaultAddr            = ":8080"
	defaultShutdownTimeout = 20 * time.Second
	defaultSessionTimeout  = 30 * time.Minute
)

// Config is everything Main reads from flags and the environment.
// ParseConfig fills in every field. In a Config built by hand, a zero field
// means the default, except SessionTimeout, where zero keeps idle sessions
// open.
type Config struct {
	// Addr is the address to listen on, host:port; port 0 picks a free
	// port. Default ":8080".
	Addr string
	// Stdio serves over stdin and stdout instead of HTTP.
	Stdio bool
	// Stateful keeps streamable HTTP sessions between requests. The
	// default, stateless, is what the MCP 2026-07-28 revision needs, and
	// scales behind any load balancer; older clients work either way.
	Stateful bool
	// AllowedOrigins are the browser origins, scheme://host[:port], that
	// may call the server besides its own and loopback ones; "*" allows
	// any.
	AllowedOrigins []string
	// DisableHostCheck turns off the MCP SDK's DNS-rebinding protection,
	// which refuses requests that arrive on a loopback address with a
	// non-loopback Host header: a reverse proxy on the same machine sends
	// those.
	DisableHostCheck bool
	// MaxBodyBytes limits request bodies; zero means the SDK's default,
	// mcp.DefaultMaxRequestBodyBytes.
	MaxBodyBytes int64
	// SessionTimeout closes a stateful session after this long without a
	// request, so that abandoned sessions do not pile up; zero keeps them.
	SessionTimeout time.Duration
	// ShutdownTimeout is how long in-flight calls may take to finish once
	// shutdown begins. Default 20s.
	ShutdownTimeout time.Duration
	// LogLevel is the least level logged. Debug also logs every request.
	LogLevel slog.Level
	// LogFormat is "text" (the default) or "json".
	LogFormat string

	// MetricsAddr, if set, is a second listener that serves /metrics
	// alone, for a scraper on a private network.
	MetricsAddr string
	// MetricsToken, if set, opens /metrics on the main listener to
	// requests that bear it. With neither this nor MetricsAddr, no metrics
	// are served (nor recorded, unless exported by OTLP): they name tools
	// and count users, which is not for anyone who can reach /mcp.
	MetricsToken string
	// AuditLog is where the audit records of tool calls go: "stderr" (the
	// default), "off", or the path of a file to append to.
	AuditLog string
	// ToolTimeout bounds every tool call that has no time limit of its own
	// in the manifest; zero means the manifest's toolTimeout, or none.
	ToolTimeout time.Duration
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For header is believed when working out a client's
	// address (for limits per client); other requests are taken to come
	// from their peer address.
	TrustedProxies []netip.Prefix
	// DrainDelay is how long /readyz answers 503 before the listener
	// closes on shutdown, so that a load balancer stops sending new
	// requests first. Zero closes it at once.
	DrainDelay time.Duration
	// RateLimitFailOpen allows tool calls when the store that keeps their
	// rate limits fails; false refuses them. Default true.
	RateLimitFailOpen bool
	// DisableLandingPage turns off the page that browsers get at /, which
	// says what the server is and how to connect to it.
	DisableLandingPage bool
	// GCFloor is the heap size, in bytes, below which the garbage
	// collector does not run (see gcfloor.go); zero leaves Go's own.
	// Main applies it to the process.
	GCFloor uint64
	// Telemetry is the OpenTelemetry configuration, read from the
	// standard OTEL_* variables; nil means nothing is exported.
	Telemetry *telemetry.Config
}

// setting describes one flag: the environment variables it falls back to,
// its default and its help.
type setting struct {
	name  string
	env   []string
	arg   string // what the value is, for --help; empty for booleans
	def   string
	usage string
}

var settings = []setting{
	{"addr", []string{"ADDR", "PORT"}, "host:port", defaultAddr,
		"address to listen on; PORT=n alone means \":n\""},
	{"stdio", nil, "", "false", "serve over stdin/stdout instead of HTTP"},
	{"stateful", []string{"MCP_STATEFUL"}, "", "false",
		"keep streamable HTTP sessions between requests (default: stateless)"},
	{"allowed-origins", []string{"MCP_ALLOWED_ORIGINS"}, "origins", "",
		"comma-separated browser origins, scheme://host[:port], allowed to call the server; * allows any"},
	{"disable-host-check", []string{"MCP_DISABLE_HOST_CHECK"}, "", "false",
		"accept any Host header on loopback connections (behind a reverse proxy on this machine)"},
	{"max-body-bytes", []string{"MCP_MAX_BODY_BYTES"}, "bytes", strconv.Itoa(mcp.DefaultMaxRequestBodyBytes),
		"largest request body accepted"},
	{"session-timeout", []string{"MCP_SESSION_TIMEOUT"}, "duration", defaultSessionTimeout.String(),
		"with --stateful, close sessions idle this long; 0 keeps them"},
	{"shutdown-timeout", []string{"SHUTDOWN_TIMEOUT"}, "duration", defaultShutdownTimeout.String(),
		"time in-flight calls get to finish when the server is stopped"},
	{"log-level", []string{"LOG_LEVEL"}, "level", "info",
		"debug, info, warn or error; debug also logs every request"},
	{"log-format", []string{"LOG_FORMAT"}, "format", "text", "text or json"},
	{"metrics-addr", []string{"METRICS_ADDR"}, "host:port", "",
		"serve /metrics (Prometheus) on this second address; with $METRICS_TOKEN instead, on the main one to bearers of the token"},
	{"audit-log", []string{"AUDIT_LOG"}, "where", "stderr",
		"audit records of tool calls: stderr, off, or a file to append to"},
	{"tool-timeout", []string{"TOOL_TIMEOUT"}, "duration", "",
		"time limit of a tool call without one of its own (default: the manifest's toolTimeout, or none)"},
	{"trusted-proxies", []string{"TRUSTED_PROXIES"}, "cidrs", "",
		"comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For names the client"},
	{"shutdown-drain-delay", []string{"SHUTDOWN_DRAIN_DELAY"}, "duration", "0s",
		"on shutdown, answer /readyz with 503 this long before closing the listener, so a load balancer drains first"},
	{"rate-limit-fail", []string{"RATE_LIMIT_FAIL"}, "open|closed", "open",
		"when the store keeping tool rate limits fails: allow calls (open) or refuse them (closed)"},
	{"landing-page", []string{"LANDING_PAGE"}, "", "true",
		"serve browsers a page at / that says what the server is and how to connect to it"},
	{"gc-floor", []string{"GC_FLOOR"}, "bytes", defaultGCFloor,
		"let the heap grow to this size (such as 32MiB) before the garbage collector runs; GOGC applies above it, 0 turns it off"},
}

// defaultGCFloor is small next to the memory limits of the deploy files.
const defaultGCFloor = "32MiB"

// maxGCFloor bounds GC_FLOOR well past any real heap, and keeps the
// floor's arithmetic from overflowing.
const maxGCFloor = 1 << 40

// metricsTokenEnv holds the bearer token for /metrics on the main
// listener. It has no flag: a flag's value shows in the process list.
const metricsTokenEnv = "METRICS_TOKEN"

// ParseConfig parses args (the command line without the program name) and
// the environment, read with lookupEnv (os.LookupEnv in Main), into a
// Config. Flags win over the environment; an empty environment variable
// counts as unset. Flags may be written -flag or --flag, with the value
// after = or as the next argument (booleans only with =).
//
// A bad value gives an error naming the flag or variable it came from; all
// problems are reported at once, one per line. -h or --help prints usage,
// every flag with the environment variable it falls back to, on stderr,
// and returns flag.ErrHelp.
func ParseConfig(args []string, lookupEnv func(string) (string, bool), opts *Options) (*Config, error) {
	return parseConfig(args, lookupEnv, opts.orDefault(), os.Stderr)
}

func parseConfig(args []string, lookupEnv func(string) (string, bool), opts *Options, usageOut io.Writer) (*Config, error) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	fs := flag.NewFlagSet(opts.Name, flag.ContinueOnError)
	// The flag package would print each error with the whole usage; Main
	// prints the error alone, and usage only when asked for.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	strs := make(map[string]*string)
	bools := make(map[string]*bool)
	for _, s := range settings {
		if s.arg == "" {
			bools[s.name] = fs.Bool(s.name, false, s.usage)
		} else {
			strs[s.name] = fs.String(s.name, s.def, s.usage)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(usageOut, opts)
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags are --name=value)", fs.Arg(0))
	}
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	// value returns the raw value of a setting and where it came from, so
	// that an error names what the user actually set.
	value := func(s setting) (v, from string) {
		if set[s.name] {
			if s.arg == "" {
				return strconv.FormatBool(*bools[s.name]), "--" + s.name
			}
			return *strs[s.name], "--" + s.name
		}
		for _, e := range s.env {
			if v, ok := lookupEnv(e); ok && strings.TrimSpace(v) != "" {
				return strings.TrimSpace(v), e
			}
		}
		return s.def, "--" + s.name
	}

	cfg := &Config{}
	var errs []error
	bad := func(from, v, want string) {
		errs = append(errs, fmt.Errorf("%s=%q: %s", from, v, want))
	}
	for _, s := range settings {
		v, from := value(s)
		switch s.name {
		case "addr":
			if from == "PORT" {
				if p, err := strconv.Atoi(v); err != nil || p < 0 || p > 65535 {
					bad(from, v, "want a port number from 0 to 65535")
					continue
				}
				v = ":" + v
			}
			host, port, err := net.SplitHostPort(v)
			if err != nil {
				bad(from, v, "want host:port, such as :8080 or 127.0.0.1:8080")
			} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
				bad(from, v, "the port must be a number from 0 to 65535")
			} else {
				cfg.Addr = net.JoinHostPort(host, port)
			}
		case "stdio", "stateful", "disable-host-check", "landing-page":
			b, err := strconv.ParseBool(v)
			if err != nil {
				bad(from, v, "want true or false")
			}
			switch s.name {
			case "stdio":
				cfg.Stdio = b
			case "stateful":
				cfg.Stateful = b
			case "disable-host-check":
				cfg.DisableHostCheck = b
			case "landing-page":
				cfg.DisableLandingPage = !b
			}
		case "allowed-origins":
			for _, o := range strings.Split(v, ",") {
				if o = strings.TrimSpace(o); o == "" {
					continue
				}
				if o != "*" {
					n, err := normalizeOrigin(o)
					if err != nil {
						errs = append(errs, fmt.Errorf("%s: %v", from, err))
						continue
					}
					o = n
				}
				cfg.AllowedOrigins = append(cfg.AllowedOrigins, o)
			}
		case "max-body-bytes":
			if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
				bad(from, v, "want a positive number of bytes")
			} else {
				cfg.MaxBodyBytes = n
			}
		case "session-timeout":
			if d, err := time.ParseDuration(v); err != nil || d < 0 {
				bad(from, v, "want a duration such as 30m, or 0 to keep idle sessions")
			} else {
				cfg.SessionTimeout = d
			}
		case "shutdown-timeout":
			if d, err := time.ParseDuration(v); err != nil || d <= 0 {
				bad(from, v, "want a positive duration such as 20s")
			} else {
				cfg.ShutdownTimeout = d
			}
		case "log-level":
			// UnmarshalText also takes offsets such as "info+2"; fine.
			if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
				bad(from, v, "want debug, info, warn or error")
			}
		case "log-format":
			if f := strings.ToLower(v); f == "text" || f == "json" {
				cfg.LogFormat = f
			} else {
				bad(from, v, "want text or json")
			}
		case "metrics-addr":
			if v == "" {
				continue
			}
			if _, port, err := net.SplitHostPort(v); err != nil {
				bad(from, v, "want host:port, such as :9090 or 127.0.0.1:9090")
			} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
				bad(from, v, "the port must be a number from 0 to 65535")
			} else {
				cfg.MetricsAddr = v
			}
		case "audit-log":
			if v == "" {
				v = "stderr"
			}
			cfg.AuditLog = v
		case "tool-timeout":
			if v == "" {
				continue
			}
			if d, err := time.ParseDuration(v); err != nil || d < 0 {
				bad(from, v, "want a duration such as 30s, or 0 for no limit")
			} else {
				cfg.ToolTimeout = d
			}
		case "trusted-proxies":
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p == "" {
					continue
				}
				pfx, err := parsePrefix(p)
				if err != nil {
					bad(from, p, "want an IP address or a CIDR such as 10.0.0.0/8")
					continue
				}
				cfg.TrustedProxies = append(cfg.TrustedProxies, pfx)
			}
		case "shutdown-drain-delay":
			if d, err := time.ParseDuration(v); err != nil || d < 0 {
				bad(from, v, "want a duration such as 5s, or 0")
			} else {
				cfg.DrainDelay = d
			}
		case "gc-floor":
			if n, err := parseBytes(v); err != nil || n > maxGCFloor {
				bad(from, v, "want a size such as 32MiB, or 0 to leave the garbage collector as Go sets it")
			} else {
				cfg.GCFloor = n
			}
		case "rate-limit-fail":
			switch strings.ToLower(v) {
			case "open":
				cfg.RateLimitFailOpen = true
			case "closed":
				cfg.RateLimitFailOpen = false
			default:
				bad(from, v, "want open or closed")
			}
		}
	}
	if v, ok := lookupEnv(metricsTokenEnv); ok && strings.TrimSpace(v) != "" {
		cfg.MetricsToken = strings.TrimSpace(v)
	}
	if tc, err := telemetry.FromEnv(lookupEnv); err != nil {
		errs = append(errs, err)
	} else {
		cfg.Telemetry = tc
		if opts.OTLP == nil {
			if err := tc.RefuseOTLP("to export, set telemetry: {otlp: true} in mcpgen.yaml and run mcpgen generate"); err != nil {
				errs = append(errs, err)
			}
		}
	}

	for _, t := range opts.Transports {
		if t != TransportStreamable && t != TransportSSE && t != TransportStdio {
			errs = append(errs, fmt.Errorf("unknown transport %q in the server's options: want streamable, sse or stdio", t))
		}
	}
	if cfg.Stdio && !opts.has(TransportStdio) {
		errs = append(errs, errors.New("--stdio: this server does not serve stdio (see transports in mcpgen.yaml)"))
	}
	if !cfg.Stdio && !opts.servesHTTP() {
		errs = append(errs, errors.New("this server serves only stdio: run it with --stdio"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

// parsePrefix reads an address or a CIDR; an address is a prefix of its
// full length.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// printUsage writes the --help text: what the server serves, then every
// flag with its default and environment variables.
func printUsage(w io.Writer, opts *Options) {
	prog := filepath.Base(os.Args[0])
	title := opts.Name
	if opts.Version != "" {
		title += " " + opts.Version
	}
	var serves []string
	if opts.has(TransportStreamable) {
		serves = append(serves, "streamable HTTP at /mcp")
	}
	if opts.has(TransportSSE) {
		serves = append(serves, "legacy HTTP+SSE at /sse")
	}
	if opts.servesHTTP() {
		serves = append(serves, "/healthz, /readyz, and /metrics when --metrics-addr or $METRICS_TOKEN is set",
			"a page about itself at / to browsers")
	}
	if opts.has(TransportStdio) {
		serves = append(serves, "stdin/stdout with --stdio")
	}
	fmt.Fprintf(w, "Usage: %s [flags]\n\n%s, an MCP server. It serves %s.\n\n", prog, title, strings.Join(serves, ", "))
	fmt.Fprintf(w, "Flags (-flag and --flag both work; a flag wins over its environment variable):\n")
	for _, s := range settings {
		name := "--" + s.name
		if s.arg != "" {
			name += " " + s.arg
		}
		fmt.Fprintf(w, "  %s\n    \t%s", name, s.usage)
		if s.arg != "" && s.def != "" || s.def == "true" {
			fmt.Fprintf(w, " (default %s)", s.def)
		}
		if len(s.env) > 0 {
			fmt.Fprintf(w, "\n    \tenv: $%s", strings.Join(s.env, ", $"))
		}
		fmt.Fprintln(w)
	}
	printEnv := func(header string, settings []Setting) {
		if len(settings) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", header)
		for _, s := range settings {
			secret := ""
			if s.Secret {
				secret = " (secret)"
			}
			fmt.Fprintf(w, "  $%s%s\n    \t%s\n", s.Env, secret, s.Usage)
		}
	}
	printEnv("Telemetry and metrics, from the environment", envOnly)
	printEnv("Also read from the environment (secret ones belong in a secret store)", opts.Settings)
}
