package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/audit"
	"github.com/mcpgen/mcpgen/runtime/telemetry"
)

// ops is the operations plane run starts around a server: the middleware
// that bounds, records and traces its calls, and the metrics it serves.
type ops struct {
	// metrics serves the Prometheus exposition; nil when metrics are not
	// served.
	metrics http.Handler
	closers []func()
}

// startOps installs the operations middleware on s, outermost first.
func startOps(ctx context.Context, s *mcp.Server, cfg *Config, opts *Options, logger *slog.Logger) (*ops, error) {
	o := &ops{}
	timeout := cfg.ToolTimeout
	if timeout == 0 {
		timeout = opts.ToolTimeout
	}
	perTool := make(map[string]time.Duration)
	for name, p := range opts.Tools {
		if p.Timeout > 0 {
			perTool[name] = p.Timeout
		}
	}
	// Outermost first: the span is open while the audit record is
	// written, so the record has its trace ID; a call refused by a limit
	// is still traced and recorded; the time limit applies to the tool
	// alone, not to the user answering a confirmation.
	var mws []mcp.Middleware

	t, err := telemetry.Start(ctx, cfg.Telemetry, telemetry.Options{
		ServiceName:    opts.Name,
		ServiceVersion: opts.Version,
		Prometheus:     cfg.MetricsAddr != "" || cfg.MetricsToken != "",
		Stateful:       cfg.Stateful,
		Logger:         logger,
		OTLP:           opts.OTLP,
	})
	if err != nil {
		return nil, err
	}
	o.closers = append(o.closers, func() {
		// Export what is buffered, but do not hold the exit up for an
		// exporter that does not answer.
		sctx, cancel := context.WithTimeout(context.Background(), exportTimeout)
		defer cancel()
		if err := t.Shutdown(sctx); err != nil {
			logger.Warn("telemetry: flushing at exit failed", "err", err)
		}
	})
	o.metrics = t.MetricsHandler()
	if o.metrics != nil && cfg.MetricsAddr == "" && cfg.MetricsToken == "" {
		logger.Warn("metrics are recorded for Prometheus but not served: set --metrics-addr or METRICS_TOKEN")
	}
	mws = append(mws, t.Middleware())

	w, closeLog, err := audit.Open(cfg.AuditLog)
	if err != nil {
		o.close()
		return nil, err
	}
	o.closers = append(o.closers, func() { closeLog() })
	if w != nil {
		rules := make(map[string]audit.Rule)
		for name, p := range opts.Tools {
			rules[name] = p.Audit
		}
		mws = append(mws, audit.Middleware(audit.Options{Logger: auditLogger(w, cfg), Tools: rules}))
	}
	if opts.RateLimits != nil {
		mw, closeStore, err := opts.RateLimits(ctx, cfg.RateLimitFailOpen, logger)
		if err != nil {
			o.close()
			return nil, fmt.Errorf("rate limits: %w", err)
		}
		o.closers = append(o.closers, func() { closeStore() })
		mws = append(mws, mw)
	}
	if opts.Confirmations != nil {
		mw, closeStore, err := opts.Confirmations(ctx, logger)
		if err != nil {
			o.close()
			return nil, fmt.Errorf("confirmations: %w", err)
		}
		o.closers = append(o.closers, func() { closeStore() })
		mws = append(mws, mw)
	}
	mws = append(mws, toolTimeouts(timeout, perTool))
	s.AddReceivingMiddleware(mws...)
	return o, nil
}

// exportTimeout bounds the last export of traces and metrics at exit.
const exportTimeout = 5 * time.Second

// auditLogger writes audit records to w: in the log format on stderr, so
// that they read like the logs around them, and as JSON lines in a file,
// for the tools that collect them.
func auditLogger(w io.Writer, cfg *Config) *slog.Logger {
	if v := strings.TrimSpace(cfg.AuditLog); (v == "" || v == "stderr") && cfg.LogFormat != "json" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// close releases what startOps started, in reverse order.
func (o *ops) close() {
	for i := len(o.closers) - 1; i >= 0; i-- {
		o.closers[i]()
	}
}
