package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestRegisterErrors(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		name string
		md   map[string]any
		code string
	}{
		{"no-redirects", map[string]any{"client_name": "x"}, "invalid_redirect_uri"},
		{"http-remote", map[string]any{"redirect_uris": []string{"http://app.example/cb"}}, "invalid_redirect_uri"},
		{"javascript", map[string]any{"redirect_uris": []string{"javascript:alert(1)"}}, "invalid_redirect_uri"},
		{"fragment", map[string]any{"redirect_uris": []string{"https://app.example/cb#x"}}, "invalid_redirect_uri"},
		{"relative", map[string]any{"redirect_uris": []string{"/cb"}}, "invalid_redirect_uri"},
		{"auth-method", map[string]any{"redirect_uris": []string{"https://app.example/cb"}, "token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata"},
		{"grant-type", map[string]any{"redirect_uris": []string{"https://app.example/cb"}, "grant_types": []string{"implicit"}}, "invalid_client_metadata"},
		{"response-type", map[string]any{"redirect_uris": []string{"https://app.example/cb"}, "response_types": []string{"token"}}, "invalid_client_metadata"},
		{"client-uri", map[string]any{"redirect_uris": []string{"https://app.example/cb"}, "client_uri": "javascript:x"}, "invalid_client_metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Registrations from one address are rate limited: these
			// come a minute apart.
			e.advance(time.Minute)
			defer e.unchanged(e.writes.snapshot())
			status, out := e.register(tc.md)
			wantError(t, status, out, http.StatusBadRequest, tc.code)
			if out["client_id"] != nil {
				t.Errorf("an error response has a client_id: %v", out)
			}
		})
	}
	t.Run("not-json", func(t *testing.T) {
		e.advance(time.Minute)
		resp, err := http.Post(e.ts.URL+"/register", "application/json", strings.NewReader("{"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("got %s", resp.Status)
		}
	})
	t.Run("accepted-redirects", func(t *testing.T) {
		e.advance(time.Minute)
		status, out := e.register(map[string]any{"token_endpoint_auth_method": "none", "redirect_uris": []string{
			"https://app.example/cb", "http://127.0.0.1/cb", "http://[::1]:8000/cb", "http://localhost:3000/cb", "com.example.app:/oauth2redirect",
		}})
		if status != http.StatusCreated || out["client_id"] == "" || out["client_secret"] != nil {
			t.Fatalf("got %d %v", status, out)
		}
	})
}

// TestConfidentialClient registers a client with a secret and uses it in a
// Basic header and in the body; a wrong or missing secret is refused.
func TestConfidentialClient(t *testing.T) {
	e := newEnv(t, nil)
	status, out := e.register(map[string]any{"redirect_uris": []string{"http://127.0.0.1:9999/callback"}, "token_endpoint_auth_method": "client_secret_basic"})
	if status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, out)
	}
	c := &testClient{id: out["client_id"].(string), secret: out["client_secret"].(string), redirect: "http://127.0.0.1:9999/callback"}
	if c.secret == "" || out["client_secret_expires_at"] != float64(0) {
		t.Fatalf("register: %v", out)
	}
	// The secret is stored hashed.
	var stored client
	e.auth.getJSON(context.Background(), keyClient+c.id, &stored)
	if stored.SecretHash == "" || strings.Contains(stored.SecretHash, c.secret) {
		t.Fatalf("stored client: %+v", stored)
	}

	post := func(form url.Values, user, pass string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		jsonDecode(resp, &m)
		return resp.StatusCode, m
	}
	p := newPKCE()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {e.code(c, p)}, "redirect_uri": {c.redirect}, "code_verifier": {p.verifier}}

	// No secret, a wrong one: invalid_client, and the code is not spent.
	noSecret := url.Values{"client_id": {c.id}}
	for k, v := range form {
		noSecret[k] = v
	}
	status, out = post(noSecret, "", "")
	wantError(t, status, out, http.StatusUnauthorized, "invalid_client")
	status, out = post(form, c.id, "wrong")
	wantError(t, status, out, http.StatusUnauthorized, "invalid_client")

	status, out = post(form, c.id, c.secret)
	if status != http.StatusOK || out["access_token"] == nil {
		t.Fatalf("with Basic credentials: %d %v", status, out)
	}
	// client_secret_post works as well.
	status, out = post(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {out["refresh_token"].(string)},
		"client_id": {c.id}, "client_secret": {c.secret}}, "", "")
	if status != http.StatusOK {
		t.Fatalf("refresh with client_secret_post: %d %v", status, out)
	}
	e.wantAccepted(out["access_token"].(string))
}

// TestPersistence restarts the server on the same store file: a token
// issued before still works, and its refresh token still refreshes.
func TestPersistence(t *testing.T) {
	// Both servers have the same public URL, as a restarted server
	// would, though each test server listens on a port of its own.
	vars := map[string]string{"BASE_URL": "http://127.0.0.1:1"}
	e := newEnv(t, &envOptions{vars: vars})
	c, access, refresh := e.signIn()
	e.wantAccepted(access)
	if err := e.auth.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.auth.store.Get(context.Background(), keyAccess+hash(access)); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the store still answers after Close: %v", err)
	}

	e2 := newEnv(t, &envOptions{vars: vars, storePath: e.vars["STORE_PATH"]})
	e2.wantAccepted(access)
	cs := e2.session(access)
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "whoami", Arguments: map[string]any{}})
	if err != nil || !strings.HasPrefix(toolText(t, res), "octocat") {
		t.Fatalf("whoami after a restart: %v %v", res, err)
	}
	status, out := e2.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}})
	if status != http.StatusOK {
		t.Fatalf("refresh after a restart: %d %v", status, out)
	}
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
