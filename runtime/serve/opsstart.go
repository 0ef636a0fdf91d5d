package serve

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
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
	// Outermost first: a call refused by a limit is still recorded, and
	// the time limit applies to the tool alone.
	var mws []mcp.Middleware
	if opts.RateLimits != nil {
		mw, closeStore, err := opts.RateLimits(ctx, cfg.RateLimitFailOpen, logger)
		if err != nil {
			return nil, fmt.Errorf("rate limits: %w", err)
		}
		o.closers = append(o.closers, func() { closeStore() })
		mws = append(mws, mw)
	}
	mws = append(mws, toolTimeouts(timeout, perTool))
	s.AddReceivingMiddleware(mws...)
	return o, nil
}

// close releases what startOps started, in reverse order.
func (o *ops) close() {
	for i := len(o.closers) - 1; i >= 0; i-- {
		o.closers[i]()
	}
}
