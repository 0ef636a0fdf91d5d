package oauth

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// wantClientError checks that an authorization request was sent back to
// the client with an error, state and iss, and that no consent page (and
// so no pending request) came of it.
func (e *env) wantClientError(authURL, code string) {
	e.t.Helper()
	before := e.writes.snapshot()
	defer e.unchanged(before)
	resp, err := e.browser().Get(authURL)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil {
		e.t.Fatalf("got %s, want a redirect to the client with error=%s", resp.Status, code)
	}
	q := loc.Query()
	if !strings.HasPrefix(loc.String(), "http://127.0.0.1:9999/callback?") || q.Get("error") != code ||
		q.Get("state") != "st-123" || q.Get("iss") != e.ts.URL || q.Get("error_description") == "" || q.Get("code") != "" {
		e.t.Fatalf("redirect %s, want the client's redirect URI with error=%s, a description, state and iss", loc, code)
	}
}

// wantErrorPage checks that a request got an HTML error page with status,
// and no redirect anywhere.
func wantErrorPage(t *testing.T, resp *http.Response, status int, text string) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status || resp.Header.Get("Location") != "" || !strings.Contains(string(body), text) ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("got %s, Location %q, body\n%s\nwant an error page %d saying %q", resp.Status, resp.Header.Get("Location"), body, status, text)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	e := newEnv(t, nil)
	c := e.newClient()
	p := newPKCE()

	t.Run("pkce-plain", func(t *testing.T) {
		e.wantClientError(e.authURL(c, p, map[string]string{"code_challenge_method": "plain", "code_challenge": p.verifier}), "invalid_request")
	})
	t.Run("pkce-method-missing", func(t *testing.T) {
		e.wantClientError(e.authURL(c, p, map[string]string{"code_challenge_method": ""}), "invalid_request")
	})
	t.Run("pkce-missing", func(t *testing.T) {
		e.wantClientError(e.authURL(c, p, map[string]string{"code_challenge": "", "code_challenge_method": ""}), "invalid_request")
	})
	t.Run("response-type", func(t *testing.T) {
		e.wantClientError(e.authURL(c, p, map[string]string{"response_type": "token"}), "unsupported_response_type")
	})
	t.Run("resource-elsewhere", func(t *testing.T) {
		e.wantClientError(e.authURL(c, p, map[string]string{"resource": "http://127.0.0.1:1/mcp"}), "invalid_target")
		e.wantClientError(e.authURL(c, p, map[string]string{"resource": e.ts.URL + "/other"}), "invalid_target")
	})
	t.Run("scope", func(t *testing.T) {
		e.wantClientError(e.authURL(c, p, map[string]string{"scope": "mcp admin"}), "invalid_scope")
	})
	t.Run("redirect-unregistered", func(t *testing.T) {
		defer e.unchanged(e.writes.snapshot())
		for _, ru := range []string{"http://127.0.0.1:9999/elsewhere", "https://attacker.example/callback", "http://127.0.0.2:9999/callback"} {
			resp, err := e.browser().Get(e.authURL(c, p, map[string]string{"redirect_uri": ru}))
			if err != nil {
				t.Fatal(err)
			}
			wantErrorPage(t, resp, http.StatusBadRequest, "redirect URI is not one the application registered")
		}
	})
	t.Run("redirect-loopback-port", func(t *testing.T) {
		// RFC 8252 §7.3: a native app's loopback port varies.
		b := e.browser()
		f, _ := e.startAuthorize(b, e.authURL(c, p, map[string]string{"redirect_uri": "http://127.0.0.1:40001/callback"}))
		if loc := e.consent(b, f, "approve"); loc.Host != "127.0.0.1:40001" || loc.Query().Get("code") == "" {
			t.Fatalf("redirect %s, want a code at port 40001", loc)
		}
	})
	t.Run("client-unknown", func(t *testing.T) {
		defer e.unchanged(e.writes.snapshot())
		resp, err := e.browser().Get(e.authURL(&testClient{id: "no-such-client", redirect: c.redirect}, p, nil))
		if err != nil {
			t.Fatal(err)
		}
		wantErrorPage(t, resp, http.StatusBadRequest, "not registered")
	})
	t.Run("deny", func(t *testing.T) {
		b := e.browser()
		f, page := e.startAuthorize(b, e.authURL(c, p, nil))
		// The page names the client and where it will send the user.
		if !strings.Contains(page, "Hand Client") || !strings.Contains(page, "127.0.0.1:9999") || !strings.Contains(page, "Test Server") {
			t.Errorf("the consent page does not name the client, its redirect host and the server:\n%s", page)
		}
		loc := e.consent(b, f, "deny")
		if q := loc.Query(); q.Get("error") != "access_denied" || q.Get("state") != "st-123" || q.Get("iss") != e.ts.URL {
			t.Fatalf("deny redirected to %s", loc)
		}
		// The request is answered: approving it now fails.
		resp, _ := b.PostForm(e.ts.URL+"/consent", url.Values{"request": {f.request}, "csrf": {f.csrf}, "action": {"approve"}})
		wantErrorPage(t, resp, http.StatusBadRequest, "expired or was already answered")
	})
	t.Run("provider-cancel", func(t *testing.T) {
		e.gh.mu.Lock()
		e.gh.deny = true
		e.gh.mu.Unlock()
		defer func() { e.gh.mu.Lock(); e.gh.deny = false; e.gh.mu.Unlock() }()
		b := e.browser()
		f, _ := e.startAuthorize(b, e.authURL(c, p, nil))
		if loc := e.consent(b, f, "approve"); loc.Query().Get("error") != "access_denied" || loc.Query().Get("code") != "" {
			t.Fatalf("a cancelled sign-in redirected to %s", loc)
		}
	})
}

func TestConsentCSRF(t *testing.T) {
	e := newEnv(t, nil)
	c := e.newClient()
	p := newPKCE()
	b := e.browser()
	f, _ := e.startAuthorize(b, e.authURL(c, p, nil))
	before := e.writes.snapshot()

	for name, form := range map[string]url.Values{
		"missing": {"request": {f.request}, "action": {"approve"}},
		"wrong":   {"request": {f.request}, "csrf": {f.csrf[:len(f.csrf)-2] + "xx"}, "action": {"approve"}},
		"other":   {"request": {f.request}, "csrf": {randomToken()}, "action": {"approve"}},
	} {
		resp, err := b.PostForm(e.ts.URL+"/consent", form)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s", name, resp.Status)
		wantErrorPage(t, resp, http.StatusForbidden, "could not be verified")
	}
	// The right token from another browser (one without the cookie of
	// the browser that started the request) fails too.
	resp, err := e.browser().PostForm(e.ts.URL+"/consent", url.Values{"request": {f.request}, "csrf": {f.csrf}, "action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	wantErrorPage(t, resp, http.StatusForbidden, "could not be verified")
	e.unchanged(before)

	// None of that spent the request: the real form still works.
	loc := e.consent(b, f, "approve")
	if loc.Query().Get("code") == "" {
		t.Fatalf("after the forged posts, approving redirected to %s", loc)
	}
}

func TestCallbackErrors(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := e.browser().Get(e.ts.URL + "/callback?state=made-up&code=x")
	if err != nil {
		t.Fatal(err)
	}
	wantErrorPage(t, resp, http.StatusBadRequest, "expired or was already completed")
}

func TestTokenErrors(t *testing.T) {
	e := newEnv(t, nil)
	c := e.newClient()
	form := func(code string, p pkce, extra map[string]string) url.Values {
		f := url.Values{"grant_type": {"authorization_code"}, "client_id": {c.id}, "code": {code},
			"redirect_uri": {c.redirect}, "code_verifier": {p.verifier}, "resource": {e.ts.URL + "/mcp"}}
		for k, v := range extra {
			if v == "" {
				f.Del(k)
			} else {
				f.Set(k, v)
			}
		}
		return f
	}

	t.Run("verifier-missing", func(t *testing.T) {
		p := newPKCE()
		code := e.code(c, p)
		before := e.writes.snapshot()
		status, out := e.token(form(code, p, map[string]string{"code_verifier": ""}))
		wantError(t, status, out, http.StatusBadRequest, "invalid_request")
		e.unchanged(before, "usedcode") // no token issued
		// A failed attempt spends the code: it could be an attacker's.
		status, out = e.token(form(code, p, nil))
		wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("verifier-wrong", func(t *testing.T) {
		p := newPKCE()
		status, out := e.token(form(e.code(c, p), p, map[string]string{"code_verifier": newPKCE().verifier}))
		wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("code-twice", func(t *testing.T) {
		p := newPKCE()
		code := e.code(c, p)
		access, refresh := e.exchange(c, code, p)
		e.wantAccepted(access)
		before := e.writes.snapshot()
		status, out := e.token(form(code, p, nil))
		wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
		e.unchanged(before)
		// The replay revoked what the code had issued.
		e.wantRejected(access)
		status, out = e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}})
		wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("code-expired", func(t *testing.T) {
		p := newPKCE()
		code := e.code(c, p)
		e.advance(codeTTL + time.Second)
		status, out := e.token(form(code, p, nil))
		wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
		if !strings.Contains(out["error_description"].(string), "expired") {
			t.Errorf("description %q does not say the code expired", out["error_description"])
		}
	})
	t.Run("code-unknown", func(t *testing.T) {
		status, out := e.token(form("made-up", newPKCE(), nil))
		wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("redirect-mismatch", func(t *testing.T) {
		p := newPKCE()
		status, out := e.token(form(e.code(c, p), p, map[string]string{"redirect_uri": "http://127.0.0.1:9999/other"}))
		wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("redirect-left-out", func(t *testing.T) {
		// A client with one redirect URI may leave it out of both
		// requests, but not out of only the authorization request.
		p := newPKCE()
		b := e.browser()
		f, _ := e.startAuthorize(b, e.authURL(c, p, map[string]string{"redirect_uri": ""}))
		loc := e.consent(b, f, "approve")
		if !strings.HasPrefix(loc.String(), c.redirect+"?") {
			t.Fatalf("redirected to %s, want the registered URI", loc)
		}
		code := loc.Query().Get("code")
		status, out := e.token(form(code, p, map[string]string{"redirect_uri": ""}))
		if status != http.StatusOK {
			t.Fatalf("token without redirect_uri: %d %v", status, out)
		}
		p = newPKCE()
		status, out = e.token(form(e.code(c, p), p, map[string]string{"redirect_uri": ""}))
		wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("resource-elsewhere", func(t *testing.T) {
		p := newPKCE()
		status, out := e.token(form(e.code(c, p), p, map[string]string{"resource": "http://127.0.0.1:1/mcp"}))
		wantError(t, status, out, http.StatusBadRequest, "invalid_target")
	})
	t.Run("other-client", func(t *testing.T) {
		p := newPKCE()
		code := e.code(c, p)
		other := e.newClient()
		status, out := e.token(form(code, p, map[string]string{"client_id": other.id}))
		wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("client-unknown", func(t *testing.T) {
		status, out := e.token(form("x", newPKCE(), map[string]string{"client_id": "nobody"}))
		wantError(t, status, out, http.StatusUnauthorized, "invalid_client")
	})
	t.Run("grant-type", func(t *testing.T) {
		status, out := e.token(url.Values{"grant_type": {"password"}, "client_id": {c.id}})
		wantError(t, status, out, http.StatusBadRequest, "unsupported_grant_type")
		status, out = e.token(url.Values{"client_id": {c.id}})
		wantError(t, status, out, http.StatusBadRequest, "invalid_request")
	})
}

func TestRefreshReplay(t *testing.T) {
	e := newEnv(t, nil)
	c, access1, refresh1 := e.signIn()
	refresh := func(rt string) (int, map[string]any) {
		return e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {rt}})
	}
	status, out := refresh(refresh1)
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, out)
	}
	access2, refresh2 := out["access_token"].(string), out["refresh_token"].(string)
	e.wantAccepted(access2)

	// Another client cannot use the refresh token, and trying does not
	// spend it.
	other := e.newClient()
	before0 := e.writes.snapshot()
	status, out = e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {other.id}, "refresh_token": {refresh2}})
	wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	e.unchanged(before0, "rt") // put back as it was
	e.wantAccepted(access2)

	// Replaying the rotated token revokes the grant...
	before := e.writes.snapshot()
	status, out = refresh(refresh1)
	wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	e.unchanged(before)
	// ...so the newer tokens stop working too.
	e.wantRejected(access2)
	e.wantRejected(access1)
	status, out = refresh(refresh2)
	wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
}

func TestAccessTokens(t *testing.T) {
	e := newEnv(t, nil)
	c, access, refresh := e.signIn()
	e.wantAccepted(access)

	t.Run("forged", func(t *testing.T) {
		e.wantRejected(randomToken())
		e.wantRejected(access + "x")
		// A refresh token is not an access token.
		e.wantRejected(refresh)
	})
	t.Run("other-audience", func(t *testing.T) {
		// A second server on the same store, at another URL: tokens
		// for the first are not for it.
		set := *e.auth.set
		set.baseURL = "http://127.0.0.1:1"
		other, err := newServer(&e.auth.opts, &set, e.auth.store, e.lookup, e.auth.logger)
		if err != nil {
			t.Fatal(err)
		}
		ti, err := other.verify(context.Background(), access)
		if err == nil || !strings.Contains(err.Error(), "another resource") {
			t.Fatalf("verify at another resource: %v, %v", ti, err)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		c2, a2, _ := e.signIn()
		e.wantAccepted(a2)
		resp, err := http.PostForm(e.ts.URL+"/revoke", url.Values{"token": {a2}, "client_id": {c.id}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// Not c's token: revoking it as c does nothing (and says 200).
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %s", resp.Status)
		}
		e.wantAccepted(a2)
		// Its own client can.
		resp, err = http.PostForm(e.ts.URL+"/revoke", url.Values{"token": {a2}, "client_id": {c2.id}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		e.wantRejected(a2)
		e.wantAccepted(access)
	})
	t.Run("revoke-unknown", func(t *testing.T) {
		resp, err := http.PostForm(e.ts.URL+"/revoke", url.Values{"token": {"made-up"}, "client_id": {c.id}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("revoking an unknown token: %s, want 200", resp.Status)
		}
		e.wantAccepted(access)
	})
	t.Run("expired", func(t *testing.T) {
		e.advance(accessTokenTTL)
		e.wantRejected(access)
	})
}

func TestRefreshExpired(t *testing.T) {
	e := newEnv(t, nil)
	c, _, refresh := e.signIn()
	e.advance(refreshTokenTTL)
	status, out := e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}})
	wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
	if !strings.Contains(out["error_description"].(string), "expired") {
		t.Errorf("description %q does not say the token expired", out["error_description"])
	}
}

// TestRefreshScope: a refresh may narrow the scopes, not widen them; a
// refused request leaves the refresh token usable.
func TestRefreshScope(t *testing.T) {
	e := newEnv(t, nil)
	c, _, refresh := e.signIn()
	status, out := e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}, "scope": {"mcp admin"}})
	wantError(t, status, out, http.StatusBadRequest, "invalid_scope")
	status, out = e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}, "scope": {"mcp"}})
	if status != http.StatusOK || out["scope"] != "mcp" {
		t.Fatalf("refresh after a refused one: %d %v", status, out)
	}
}

// TestGrantLifetime: a sign-in lasts refreshTokenTTL however often its
// tokens are refreshed.
func TestGrantLifetime(t *testing.T) {
	e := newEnv(t, nil)
	c, _, refresh := e.signIn()
	for range 3 {
		e.advance(refreshTokenTTL / 4)
		status, out := e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}})
		if status != http.StatusOK {
			t.Fatalf("refresh: %d %v", status, out)
		}
		refresh = out["refresh_token"].(string)
	}
	e.advance(refreshTokenTTL / 4)
	status, out := e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}})
	wantError(t, status, out, http.StatusBadRequest, "invalid_grant")
}
