package confirm

import (
	"context"
	"log/slog"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/requeststate"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// Starter makes the middleware that confirms a server's tool calls, once,
// when the server starts (serve.Options.Confirmations); the returned close
// releases its store.
type Starter func(ctx context.Context, logger *slog.Logger) (mw mcp.Middleware, close func() error, err error)

// ForTools returns the Starter of a generated server whose tools have the
// rules tools.
//
// Multi-round states are sealed with the key of REQUEST_STATE_KEY (see
// requeststate.FromEnv), and single-use states are recorded in Redis when
// the environment's STORE_URL names it, with keys under prefix (unless the
// URL sets one), so that any replica completes a confirmation that another
// began, once. Then REQUEST_STATE_KEY must be set, the same on every
// replica. Otherwise the records are kept in this process's memory, and
// without REQUEST_STATE_KEY the key is a random one of this process: a
// file store belongs to one process anyway, and is held by the server's
// OAuth records and state.
func ForTools(lookupEnv func(string) (string, bool), prefix string, tools map[string]Rule) Starter {
	return func(ctx context.Context, logger *slog.Logger) (mcp.Middleware, func() error, error) {
		cfg := store.ConfigFromEnv(lookupEnv)
		scheme, _, _ := strings.Cut(cfg.URL, ":")
		shared := strings.EqualFold(scheme, "redis") || strings.EqualFold(scheme, "rediss")
		var st store.Store
		if shared {
			cfg.Prefix = prefix
			s, err := store.Open(ctx, cfg)
			if err != nil {
				return nil, nil, err
			}
			st = s
		} else {
			st = store.NewMemory()
		}
		states, err := requeststate.FromEnv(lookupEnv, st, logger, &requeststate.Options{SingleReplica: !shared})
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		return Middleware(&Options{Tools: tools, States: states}), st.Close, nil
	}
}
