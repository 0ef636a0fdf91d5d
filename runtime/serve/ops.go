package serve

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"github.com/mcpgen/mcpgen/runtime/internal/clientip"
)

// Setting is an environment variable that a part of the server other than
// this package reads (the OAuth server, the store, the API client), so that
// --help lists every setting the server has and deploy files can be checked
// against it.
type Setting struct {
	// Env is the variable's name.
	Env string
	// Usage says what it sets.
	Usage string
	// Secret marks a value that must come from a secret store, never a
	// file under version control.
	Secret bool
}

// envOnly are the variables this package and its telemetry read that have
// no flag: secrets, and OpenTelemetry's standard settings.
var envOnly = []Setting{
	{Env: metricsTokenEnv, Secret: true,
		Usage: "bearer token that opens /metrics on the main listener"},
	{Env: "OTEL_EXPORTER_OTLP_ENDPOINT",
		Usage: "export traces and metrics by OTLP to this URL (also OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, _METRICS_ENDPOINT)"},
	{Env: "OTEL_EXPORTER_OTLP_PROTOCOL", Usage: "http/protobuf (the default) or grpc"},
	{Env: "OTEL_EXPORTER_OTLP_HEADERS", Secret: true, Usage: "headers sent with every export, such as an API key"},
	{Env: "OTEL_TRACES_EXPORTER", Usage: "otlp or none"},
	{Env: "OTEL_METRICS_EXPORTER", Usage: "otlp, prometheus or none"},
	{Env: "OTEL_TRACES_SAMPLER", Usage: "the trace sampler, with OTEL_TRACES_SAMPLER_ARG"},
	{Env: "OTEL_SERVICE_NAME", Usage: "the service name in traces and metrics (default: the server's name)"},
	{Env: "OTEL_RESOURCE_ATTRIBUTES", Usage: "more resource attributes, key=value,..."},
	{Env: "OTEL_SDK_DISABLED", Usage: "true turns all telemetry off"},
}

// clientAddress puts the client's address into each request's context
// (see package clientip): the peer's, or, when the peer is a trusted
// proxy, the last address in X-Forwarded-For that is not one. Only trusted
// proxies are believed: anyone can send the header.
func clientAddress(h http.Handler, trusted []netip.Prefix) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := clientAddr(r, trusted); ok {
			r = r.WithContext(clientip.With(r.Context(), a))
		}
		h.ServeHTTP(w, r)
	})
}

func clientAddr(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	addr := ap.Addr().Unmap()
	isTrusted := func(a netip.Addr) bool {
		return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	if len(trusted) == 0 || !isTrusted(addr) {
		return addr, true
	}
	// Proxies append the address they received from, so the list reads
	// client, proxy1, proxy2: walk it from the right past trusted ones.
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: trust nothing to its left
		}
		addr = a.Unmap()
		if !isTrusted(addr) {
			break
		}
	}
	return addr, true
}

// readiness answers /readyz: 503 once shutdown has begun, so that a load
// balancer stops sending requests before the listener closes, or while a
// check fails (the store does not answer, say); 200 otherwise.
type readiness struct {
	draining atomic.Bool
	checks   []func(context.Context) error
	logger   *slog.Logger
	// failing remembers that the last check failed, so that a failure is
	// logged when it starts and when it ends, not on every probe.
	failing atomic.Bool
}

// checkTimeout bounds a readiness check: a store that takes longer than a
// probe's own timeout to answer is not ready anyway.
const checkTimeout = 2 * time.Second

func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if rd.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "shutting down\n")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
	defer cancel()
	var errs []error
	for _, check := range rd.checks {
		if err := check(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		if !rd.failing.Swap(true) {
			rd.logger.Warn("not ready", "err", err)
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready: %v\n", err)
		return
	}
	if rd.failing.Swap(false) {
		rd.logger.Info("ready again")
	}
	io.WriteString(w, "ok\n")
}

// requireToken lets through requests that bear token, and answers others
// 401 as RFC 6750 says.
func requireToken(h http.Handler, token string) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "a bearer token is needed for /metrics", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// toolTimeouts bounds each tools/call by its tool's limit, or def for a
// tool without one; zero is no limit. The limit reaches the handler
// through its context, and a call that ends because of it is a tool error
// that says so, rather than whatever error the handler made of the
// cancellation.
func toolTimeouts(def time.Duration, perTool map[string]time.Duration) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != "tools/call" {
				return next(ctx, method, req)
			}
			p, _ := req.GetParams().(*mcp.CallToolParamsRaw)
			if p == nil {
				return next(ctx, method, req)
			}
			limit := def
			if d, ok := perTool[p.Name]; ok {
				limit = d
			}
			if limit <= 0 {
				return next(ctx, method, req)
			}
			tctx, cancel := context.WithTimeoutCause(ctx, limit, errToolTimeout)
			defer cancel()
			res, err := next(tctx, method, req)
			// A handler that finished its work in time keeps its result;
			// one that failed because the limit cancelled it gets the
			// reason.
			if failed(res, err) && ctx.Err() == nil && errors.Is(context.Cause(tctx), errToolTimeout) {
				callinfo.From(ctx).SetOutcome(callinfo.Timeout)
				r := &mcp.CallToolResult{IsError: true}
				r.Content = []mcp.Content{&mcp.TextContent{
					Text: fmt.Sprintf("tool %s timed out after %v", p.Name, limit)}}
				return r, nil
			}
			return res, err
		}
	}
}

var errToolTimeout = errors.New("tool call timed out")

// failed reports whether a tools/call ended in an error or a tool error.
func failed(res mcp.Result, err error) bool {
	if err != nil {
		return true
	}
	r, ok := res.(*mcp.CallToolResult)
	return ok && r.IsError
}

// listenMetrics serves /metrics alone on addr until stop is called.
func listenMetrics(addr string, h http.Handler, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	logger.Info("serving metrics", "addr", ln.Addr().String())
	go srv.Serve(ln)
	return func() { srv.Close() }, nil
}
