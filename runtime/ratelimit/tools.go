package ratelimit

import (
	"context"
	"log/slog"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/store"
)

// Starter makes the middleware that enforces a server's tool limits, once,
// when the server starts: failOpen is the server's setting for a store
// that fails, and the returned close releases the store.
type Starter func(ctx context.Context, failOpen bool, logger *slog.Logger) (mw mcp.Middleware, close func() error, err error)

// ForTools returns the Starter of the limits tl for a generated server.
// The limits are kept in Redis when the environment's STORE_URL names it,
// with keys under prefix, so that every replica counts against one budget;
// otherwise in this process's memory: a file store belongs to one process
// anyway, and is already held by the server's OAuth records and state.
func ForTools(lookupEnv func(string) (string, bool), prefix string, tl ToolLimits) Starter {
	return func(ctx context.Context, failOpen bool, logger *slog.Logger) (mcp.Middleware, func() error, error) {
		cfg := store.ConfigFromEnv(lookupEnv)
		scheme, _, _ := strings.Cut(cfg.URL, ":")
		var st store.Store
		switch strings.ToLower(scheme) {
		case "redis", "rediss":
			cfg.Prefix = prefix
			s, err := store.Open(ctx, cfg)
			if err != nil {
				return nil, nil, err
			}
			st = s
		default:
			st = store.NewMemory()
		}
		tl.FailOpen = failOpen
		mw, err := New(st, &Options{Logger: logger}).Middleware(&tl)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		return mw, st.Close, nil
	}
}
