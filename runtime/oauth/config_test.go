package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
	"golang.org/x/oauth2"
)

func lookupMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestNewConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		provider string
		vars     map[string]string
		want     []string // all in the one error
	}{
		{"github-missing", "github", nil, []string{"missing settings: GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET"}},
		{"google-missing", "google", map[string]string{"GOOGLE_CLIENT_ID": "x"}, []string{"missing settings: GOOGLE_CLIENT_SECRET"}},
		{"oidc-missing", "oidc", nil, []string{"OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET"}},
		{"all-at-once", "github", map[string]string{"BASE_URL": "example.com", "ENCRYPTION_KEY": "short"},
			[]string{"GITHUB_CLIENT_ID", "BASE_URL=\"example.com\" is not an absolute http(s) URL", "ENCRYPTION_KEY: key 1 is not the base64 encoding of 32 bytes"}},
		{"base-url-query", "github", map[string]string{"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "BASE_URL": "https://mcp.example/?x=1"},
			[]string{"must not have a query or fragment"}},
		{"base-url-fragment", "github", map[string]string{"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "BASE_URL": "https://mcp.example/#top"},
			[]string{"must not have a query or fragment"}},
		{"base-url-scheme", "github", map[string]string{"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "BASE_URL": "ftp://mcp.example"},
			[]string{"not an absolute http(s) URL"}},
		{"second-key-bad", "github", map[string]string{"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "ENCRYPTION_KEY": testKey + ",nope"},
			[]string{"ENCRYPTION_KEY: key 2"}},
		{"api-url", "github", map[string]string{"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "GITHUB_API_URL": "api.github.com"},
			[]string{"GITHUB_API_URL"}},
		{"provider", "gitlab", nil, []string{`unknown identity provider "gitlab"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"STORE_PATH": filepath.Join(dir, tc.name, "oauth.db")}
			for k, v := range tc.vars {
				vars[k] = v
			}
			s, err := New(&Options{Provider: tc.provider}, lookupMap(vars), slog.New(slog.DiscardHandler))
			if err == nil {
				s.Close()
				t.Fatal("New succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
			if _, serr := os.Stat(vars["STORE_PATH"]); serr == nil {
				t.Error("a failed New created the store")
			}
		})
	}
	if _, err := New(nil, lookupMap(nil), nil); err == nil {
		t.Error("New(nil) succeeded")
	}
}

func TestNewDefaults(t *testing.T) {
	dir := t.TempDir()
	logs := new(bytes.Buffer)
	vars := map[string]string{"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "STORE_PATH": filepath.Join(dir, "db", "oauth.db"), "ADDR": "127.0.0.1:9123"}
	s, err := New(&Options{Provider: "github"}, lookupMap(vars), slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.issuer != "http://localhost:9123" || s.resource != "http://localhost:9123/mcp" {
		t.Errorf("issuer %s, resource %s", s.issuer, s.resource)
	}
	if s.APIURL() != "https://api.github.com" || s.set.provider.authURL != "https://github.com/login/oauth/authorize" {
		t.Errorf("GitHub defaults: %+v", s.set.provider)
	}
	if got := strings.Join(s.provider.scopes, ","); got != "read:user,user:email" {
		t.Errorf("default GitHub scopes %s", got)
	}
	// Without ENCRYPTION_KEY a development key is made, kept next to the
	// store, with a warning, and used again the next time.
	keyFile := filepath.Join(dir, "db", "encryption.key")
	first, err := os.ReadFile(keyFile)
	if err != nil || !strings.Contains(logs.String(), "ENCRYPTION_KEY is not set") {
		t.Fatalf("no key file (%v) or no warning:\n%s", err, logs)
	}
	if fi, _ := os.Stat(keyFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", fi.Mode().Perm())
	}
	s.Close()
	s2, err := New(&Options{Provider: "github"}, lookupMap(vars), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if again, _ := os.ReadFile(keyFile); !bytes.Equal(first, again) {
		t.Error("the development key changed across restarts")
	}
	vars["PORT"], vars["ADDR"] = "7000", ""
	if got, _ := baseURL("", "", "7000"); got != "http://localhost:7000" {
		t.Errorf("baseURL from PORT = %s", got)
	}
	if got, _ := baseURL("https://mcp.example/base/", "", ""); got != "https://mcp.example/base" {
		t.Errorf("baseURL trims the slash: %s", got)
	}
}

// TestKeyRotation seals a provider token under one key and opens it after
// the key list has a new key first; without the old key it fails.
func TestKeyRotation(t *testing.T) {
	key := func(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }
	oldKeys, err := parseKeys(key(1))
	if err != nil {
		t.Fatal(err)
	}
	g := &grant{ID: "g1"}
	if err := g.setUpstream(oldKeys, &oauth2.Token{AccessToken: upstreamToken}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(g.Upstream, []byte(upstreamToken)) {
		t.Fatal("the sealed token contains the token")
	}
	rotated, err := parseKeys(key(2) + ", " + key(1))
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := g.upstream(rotated); err != nil || tok.AccessToken != upstreamToken {
		t.Fatalf("after rotation: %v %v", tok, err)
	}
	// New seals use the first key: the old key alone cannot open them.
	g2 := &grant{ID: "g2"}
	g2.setUpstream(rotated, &oauth2.Token{AccessToken: "x"})
	if _, err := g2.upstream(oldKeys); err == nil {
		t.Error("a token sealed after rotation opened with the old key")
	}
	newOnly, _ := parseKeys(key(2))
	if _, err := g.upstream(newOnly); err == nil {
		t.Error("a token sealed with the old key opened without it")
	}
	// A sealed token is bound to its grant.
	moved := &grant{ID: "other", Upstream: g.Upstream}
	if _, err := moved.upstream(rotated); err == nil {
		t.Error("a sealed token opened under another grant's ID")
	}
}

// TestStoredAtRest checks that what the store holds after a sign-in has
// no token in the clear: not the provider's, not this server's.
func TestStoredAtRest(t *testing.T) {
	mem := store.NewMemory()
	rec := &recordingStore{Store: mem}
	e := newEnv(t, &envOptions{setup: func(s *Server) {
		s.store.Close()
		s.store = rec
	}})
	_, access, refresh := e.signIn()
	e.wantAccepted(access)
	all := rec.all()
	if len(all) < 1000 {
		t.Fatalf("only %d bytes were stored", len(all))
	}
	for name, secret := range map[string]string{"provider token": upstreamToken, "access token": access, "refresh token": refresh} {
		if strings.Contains(all, secret) {
			t.Errorf("the %s is stored in the clear", name)
		}
	}
}

// recordingStore remembers every key and value put.
type recordingStore struct {
	store.Store
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *recordingStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	r.mu.Lock()
	r.buf.WriteString(key)
	r.buf.Write(value)
	r.mu.Unlock()
	return r.Store.Put(ctx, key, value, ttl)
}

func (r *recordingStore) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}
