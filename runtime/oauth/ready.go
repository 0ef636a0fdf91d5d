package oauth

import (
	"context"
	"fmt"

	"github.com/mcpgen/mcpgen/runtime/store"
)

// Ready reports whether the server can sign users in, for a readiness
// check: nil when its store answers and, for Google and OIDC providers,
// the provider's OpenID configuration has been fetched; otherwise an
// error saying what is not ready. Until the configuration has been
// fetched once, Ready fetches it, so that a replica becomes ready as soon
// as the provider answers rather than at its first sign-in.
func (s *Server) Ready(ctx context.Context) error {
	if err := store.Ping(ctx, s.store); err != nil {
		return fmt.Errorf("oauth: the store does not answer: %w", err)
	}
	if s.set.provider.name != "github" {
		if _, err := s.provider.discover(ctx, s.httpClient); err != nil {
			return fmt.Errorf("oauth: the identity provider is not ready: %w", err)
		}
	}
	return nil
}
