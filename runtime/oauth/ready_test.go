package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mcpgen/mcpgen/runtime/store"
)

func TestReady(t *testing.T) {
	e := newEnv(t, nil)
	if err := e.auth.Ready(context.Background()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	e.auth.store.Close()
	err := e.auth.Ready(context.Background())
	if !errors.Is(err, store.ErrClosed) || !strings.Contains(err.Error(), "the store does not answer") {
		t.Errorf("Ready with the store closed: %v, want an error saying the store does not answer", err)
	}

	// An OpenID provider is ready once its configuration is fetched,
	// which Ready does until it works.
	var up atomic.Bool
	var idp *httptest.Server
	idp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() || r.URL.Path != "/.well-known/openid-configuration" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"issuer": idp.URL, "authorization_endpoint": idp.URL + "/auth",
			"token_endpoint": idp.URL + "/token", "userinfo_endpoint": idp.URL + "/userinfo"})
	}))
	defer idp.Close()
	o := newEnv(t, &envOptions{
		opts: &Options{Provider: "oidc"},
		vars: map[string]string{"OIDC_ISSUER": idp.URL, "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"},
	})
	err = o.auth.Ready(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the identity provider is not ready") || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Ready before the provider answers: %v", err)
	}
	up.Store(true)
	if err := o.auth.Ready(context.Background()); err != nil {
		t.Fatalf("Ready once the provider answers: %v", err)
	}
	// Fetched once, it stays fetched.
	up.Store(false)
	if err := o.auth.Ready(context.Background()); err != nil {
		t.Errorf("Ready after the provider went away again: %v", err)
	}
}
