package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestConsentPage checks what the consent page says of the client: its
// page and logo only when they are on an origin the client controls
// (its metadata document's, or a redirect URI's), and that its name is
// self-declared otherwise; where the user goes next; what the grant
// opens; and a policy that allows the page exactly that.
func TestConsentPage(t *testing.T) {
	h := newCIMDHost(t)
	e := newEnv(t, &envOptions{setup: h.trust(true)})
	p := newPKCE()
	register := func(md map[string]any) *testClient {
		t.Helper()
		md["token_endpoint_auth_method"] = "none"
		code, out := e.register(md)
		if code != http.StatusCreated {
			t.Fatalf("register: %d %v", code, out)
		}
		return &testClient{id: out["client_id"].(string), redirect: md["redirect_uris"].([]string)[0]}
	}
	page := func(c *testClient) (string, string) {
		t.Helper()
		resp, err := e.browser().Get(e.authURL(c, p, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /authorize: %s\n%s", resp.Status, body)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if want := "style-src " + inlineHash(t, string(body), "style"); !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
		return string(body), csp
	}
	contains := func(t *testing.T, s string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("lacks %q:\n%s", w, s)
			}
		}
	}
	lacks := func(t *testing.T, s string, unwanted ...string) {
		t.Helper()
		for _, u := range unwanted {
			if strings.Contains(s, u) {
				t.Errorf("has %q:\n%s", u, s)
			}
		}
	}

	t.Run("on-redirect-origin", func(t *testing.T) {
		c := register(map[string]any{"redirect_uris": []string{"https://app.example/cb"}, "client_name": "Good App",
			"client_uri": "https://app.example/about", "logo_uri": "https://app.example/logo.png"})
		body, csp := page(c)
		contains(t, body, "<h1>Allow Good App to use Test Server?</h1>",
			`<a href="https://app.example/about" rel="noopener noreferrer" target="_blank">app.example/about</a>`,
			`<img src="https://app.example/logo.png" alt=""`,
			"is a self-declared name",
			`sent back to <span class="host">app.example</span>`,
			"You sign in with GitHub", "read your profile (<code>read:user</code>)", "read your email addresses (<code>user:email</code>)",
			"call Test Server&#39;s tools as you (<code>mcp</code>)",
			"1 tool open to everyone who signs in: <code>whoami</code>.",
			"Only if your account is allowed them: <code>admin</code>, <code>nobody</code>, <code>repo</code>.",
			`<button class="primary" type="submit" name="action" value="approve">Approve</button>`)
		contains(t, csp, "default-src 'none'", "img-src https://app.example;",
			"form-action 'self' "+e.gh.URL+" https://app.example;", "frame-ancestors 'none'")
		lacks(t, csp, "script-src", "unsafe-inline")
	})
	t.Run("elsewhere", func(t *testing.T) {
		c := register(map[string]any{"redirect_uris": []string{"http://127.0.0.1:9999/callback"}, "client_name": "Claimed App",
			"client_uri": "https://famous.example/", "logo_uri": "https://famous.example/logo.png"})
		body, csp := page(c)
		contains(t, body, "“Claimed App” is a self-declared name", `sent back to <span class="host">127.0.0.1:9999</span>`)
		lacks(t, body, "famous.example", "<img")
		contains(t, csp, "form-action 'self' "+e.gh.URL+" http://127.0.0.1:9999;")
		lacks(t, csp, "img-src")
	})
	t.Run("metadata-document", func(t *testing.T) {
		body, csp := page(&testClient{id: h.URL + "/branded.json", redirect: "http://127.0.0.1:9999/callback"})
		host := strings.TrimPrefix(h.URL, "https://")
		contains(t, body, "<h1>Allow Metadata Client to use Test Server?</h1>",
			`identified by its address at <span class="host">`+host+`</span>`,
			`<a href="`+h.URL+`/about"`, `<img src="`+h.URL+`/logo.png"`)
		lacks(t, body, "self-declared")
		contains(t, csp, "img-src "+h.URL+";")
	})
	t.Run("unnamed", func(t *testing.T) {
		body, _ := page(register(map[string]any{"redirect_uris": []string{"com.example.app:/cb"}}))
		contains(t, body, "Allow An unnamed application to use", "The application gave no name,", `sent back to <span class="host">com.example.app:</span>`)
		lacks(t, body, "self-declared")
	})
}

func TestErrorPageStyle(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := e.browser().Get(e.ts.URL + "/authorize?client_id=no-such-client")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page, csp := string(body), resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"<h1>Authorization failed</h1>", "not registered", `<html lang="en">`, `<p class="muted">Test Server</p>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the error page lacks %q:\n%s", want, page)
		}
	}
	if want := "default-src 'none'; style-src " + inlineHash(t, page, "style") + "; form-action 'none'"; !strings.HasPrefix(csp, want) {
		t.Errorf("Content-Security-Policy %q, want it to start %q", csp, want)
	}
}

// inlineHash is the CSP hash source of the page's one <tag> element.
func inlineHash(t *testing.T, page, tag string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<`+tag+`>(.*?)</`+tag+`>`).FindAllStringSubmatch(page, -1)
	if len(m) != 1 {
		t.Fatalf("the page has %d <%s> elements, want 1", len(m), tag)
	}
	sum := sha256.Sum256([]byte(m[0][1]))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}
