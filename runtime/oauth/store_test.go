package oauth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// TestSharedStoreNeedsKey: with Redis and no ENCRYPTION_KEY the server
// refuses to start, saying how to make a key, and writes no key file.
func TestSharedStoreNeedsKey(t *testing.T) {
	srv := redistest.Start(t)
	dir := t.TempDir()
	vars := map[string]string{"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "STORE_URL": srv.URL(),
		"STORE_PATH": filepath.Join(dir, "oauth.db")}
	s, err := New(&Options{Provider: "github"}, lookupMap(vars), slog.New(slog.DiscardHandler))
	if err == nil {
		s.Close()
		t.Fatal("New succeeded on a shared store without ENCRYPTION_KEY")
	}
	for _, want := range []string{"ENCRYPTION_KEY", "openssl rand -base64 32", "STORE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "encryption.key")); err == nil {
		t.Error("a development key file was written")
	}
	// With a key it starts.
	vars["ENCRYPTION_KEY"] = testKey
	s, err = New(&Options{Provider: "github"}, lookupMap(vars), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// A malformed STORE_URL is an error that names it.
	vars["STORE_URL"] = "postgres://db"
	if _, err := New(&Options{Provider: "github"}, lookupMap(vars), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "STORE_URL") {
		t.Errorf("a malformed STORE_URL: %v", err)
	}
}

// TestOptionsStore: a store passed in Options is the one used, and Close
// leaves it open for its owner.
func TestOptionsStore(t *testing.T) {
	mem := store.NewMemory()
	defer mem.Close()
	dir := t.TempDir()
	vars := map[string]string{"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "ENCRYPTION_KEY": testKey,
		"STORE_PATH": filepath.Join(dir, "oauth.db")}
	s, err := New(&Options{Provider: "github", Store: mem}, lookupMap(vars), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if s.store != mem {
		t.Error("the server does not use the store passed in")
	}
	if _, err := os.Stat(filepath.Join(dir, "oauth.db")); err == nil {
		t.Error("New opened STORE_PATH as well")
	}
	s.Close()
	if err := mem.Put(context.Background(), "k", []byte("v"), 0); err != nil {
		t.Fatalf("the store was closed with the server: %v", err)
	}
}

// TestCorruptRecords puts values that are not what the server wrote under
// its keys: they are refused and logged, and grant nothing.
func TestCorruptRecords(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	c, access, _ := e.signIn()
	e.wantAccepted(access)
	var tr tokenRecord
	if err := e.auth.getJSON(ctx, keyAccess+hash(access), &tr); err != nil {
		t.Fatal(err)
	}
	grantKey := keyGrant + tr.GrantID
	good, err := e.auth.store.Get(ctx, grantKey)
	if err != nil {
		t.Fatal(err)
	}
	put := func(key, value string) {
		t.Helper()
		if err := e.auth.store.Put(ctx, key, []byte(value), 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{
		"not json",
		`[1,2,3]`,
		`"a string"`,
		`{}`,
		`{"expires": 99999999999}`, // no ID, client or user
		`{"id":"` + tr.GrantID + `","client_id":"x","user":{"id":"1"},"resource":"r","expires":99999999999}`, // no provider token
		strings.Replace(string(good), tr.GrantID, "another-grant", 1),                                        // another grant's record
	} {
		put(grantKey, bad)
		e.wantRejected(access)
	}
	put(grantKey, string(good))
	e.wantAccepted(access) // so it was the corruption that refused it

	tokenKey := keyAccess + hash(access)
	goodToken, _ := e.auth.store.Get(ctx, tokenKey)
	for _, bad := range []string{"\x00\x01", `{"grant":"` + tr.GrantID + `"}`, `null`} {
		put(tokenKey, bad)
		e.wantRejected(access)
	}
	// A token's record naming another grant, one that exists, is not
	// taken for a token of that grant.
	_, other, _ := e.signIn()
	var otr tokenRecord
	if err := e.auth.getJSON(ctx, keyAccess+hash(other), &otr); err != nil {
		t.Fatal(err)
	}
	put(tokenKey, strings.Replace(string(goodToken), tr.GrantID, otr.GrantID, 1))
	e.wantRejected(access)
	e.wantAccepted(other)
	put(tokenKey, string(goodToken))
	e.wantAccepted(access)

	// A code record that is not one redeems nothing.
	p := newPKCE()
	code := e.code(c, p)
	put(keyCode+hash(code), `{"grant":"`+tr.GrantID+`","client_id":"`+c.id+`"}`)
	status, out := e.token(url.Values{"grant_type": {"authorization_code"}, "client_id": {c.id}, "code": {code},
		"redirect_uri": {c.redirect}, "code_verifier": {p.verifier}})
	wantError(t, status, out, http.StatusBadRequest, "invalid_grant")

	// A client record that is not one is an unknown client.
	put(keyClient+c.id, `{"id":"`+c.id+`","auth_method":"client_secret_post","redirect_uris":["http://127.0.0.1:9999/callback"]}`)
	status, out = e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {"x"}})
	wantError(t, status, out, http.StatusUnauthorized, "invalid_client")

	if n := strings.Count(e.logs.String(), "refused a corrupt or foreign record"); n < 10 {
		t.Errorf("%d refusals logged, want one for each corrupt record read", n)
	}
	if strings.Contains(e.logs.String(), "not json") {
		t.Error("a stored value reached the logs")
	}
	if _, err := e.auth.loadGrant(ctx, tr.GrantID); err != nil || errors.Is(err, errCorrupt) {
		t.Errorf("the restored grant: %v", err)
	}
}
