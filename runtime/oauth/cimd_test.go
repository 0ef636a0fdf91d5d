package oauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// cimdHost serves client metadata documents over TLS on 127.0.0.1.
type cimdHost struct {
	*httptest.Server
	fetches atomic.Int32
}

func newCIMDHost(t *testing.T) *cimdHost {
	h := &cimdHost{}
	mux := http.NewServeMux()
	doc := func(id string, extra map[string]any) map[string]any {
		d := map[string]any{"client_id": id, "client_name": "Metadata Client", "client_uri": "https://app.example",
			"redirect_uris": []string{"http://127.0.0.1:9999/callback"}, "token_endpoint_auth_method": "none"}
		for k, v := range extra {
			d[k] = v
		}
		return d
	}
	serve := func(path string, cacheControl string, extra func(id string) map[string]any) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			h.fetches.Add(1)
			id := h.URL + path
			w.Header().Set("Content-Type", "application/json")
			if cacheControl != "" {
				w.Header().Set("Cache-Control", cacheControl)
			}
			var ex map[string]any
			if extra != nil {
				ex = extra(id)
			}
			json.NewEncoder(w).Encode(doc(id, ex))
		})
	}
	serve("/good.json", "max-age=60", nil)
	serve("/nocache.json", "no-store", nil)
	// Its page and logo are on its own origin, so the consent page shows
	// them.
	serve("/branded.json", "", func(string) map[string]any {
		return map[string]any{"client_uri": h.URL + "/about", "logo_uri": h.URL + "/logo.png"}
	})
	serve("/big.json", "", func(string) map[string]any { return map[string]any{"client_name": strings.Repeat("x", 6<<10)} })
	serve("/mismatch.json", "", func(string) map[string]any {
		return map[string]any{"client_id": "https://elsewhere.example/client.json"}
	})
	serve("/secret.json", "", func(string) map[string]any {
		return map[string]any{"token_endpoint_auth_method": "client_secret_basic"}
	})
	serve("/js-redirect.json", "", func(string) map[string]any { return map[string]any{"redirect_uris": []string{"javascript:alert(1)"}} })
	mux.HandleFunc("/slow.json", func(w http.ResponseWriter, r *http.Request) {
		h.fetches.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	mux.HandleFunc("/redirect.json", func(w http.ResponseWriter, r *http.Request) {
		h.fetches.Add(1)
		http.Redirect(w, r, "/good.json", http.StatusFound)
	})
	h.Server = httptest.NewTLSServer(mux)
	t.Cleanup(h.Close)
	return h
}

// trust makes s fetch from h: it trusts h's certificate and, if
// loopback, allows dialling 127.0.0.1 — which the default guard refuses.
func (h *cimdHost) trust(loopback bool) func(*Server) {
	return func(s *Server) {
		pool := x509.NewCertPool()
		pool.AddCert(h.Certificate())
		s.cimd.tlsConfig = &tls.Config{RootCAs: pool}
		if loopback {
			s.cimd.allowAddr = func(a netip.Addr) bool { return a.IsLoopback() }
		}
	}
}

func TestCIMD(t *testing.T) {
	h := newCIMDHost(t)
	e := newEnv(t, &envOptions{setup: h.trust(true)})
	p := newPKCE()
	mc := func(path string) *testClient {
		return &testClient{id: h.URL + path, redirect: "http://127.0.0.1:9999/callback"}
	}

	t.Run("flow", func(t *testing.T) {
		c := mc("/good.json")
		b := e.browser()
		f, page := e.startAuthorize(b, e.authURL(c, p, nil))
		if !strings.Contains(page, "Metadata Client") || !strings.Contains(page, strings.TrimPrefix(h.URL, "https://")) ||
			strings.Contains(page, "app.example") || strings.Contains(page, "not been verified") {
			t.Errorf("the consent page does not name the client by its document's host (and only that):\n%s", page)
		}
		code := e.consent(b, f, "approve").Query().Get("code")
		access, _ := e.exchange(c, code, p)
		e.wantAccepted(access)
	})
	t.Run("sdk", func(t *testing.T) {
		// The go-sdk's client, registered by its metadata document.
		handler, err := auth.NewAuthorizationCodeHandler(&auth.AuthorizationCodeHandlerConfig{
			ClientIDMetadataDocumentConfig: &auth.ClientIDMetadataDocumentConfig{URL: h.URL + "/good.json"},
			RedirectURL:                    "http://127.0.0.1:9999/callback",
			AuthorizationCodeFetcher:       e.fetcher(),
		})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "sdk", Version: "1"}, nil).Connect(context.Background(),
			&mcp.StreamableClientTransport{Endpoint: e.ts.URL + "/mcp", OAuthHandler: handler}, nil)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer cs.Close()
		if res := callTool(t, cs, "whoami"); res.IsError || !strings.HasPrefix(toolText(t, res), "octocat") {
			t.Fatalf("whoami: %q", toolText(t, res))
		}
	})
	t.Run("cache", func(t *testing.T) {
		before := h.fetches.Load()
		for range 3 {
			e.startAuthorize(e.browser(), e.authURL(mc("/good.json"), p, nil))
		}
		if n := h.fetches.Load() - before; n != 0 {
			t.Errorf("a document cached for 60 s was fetched %d more times", n)
		}
		before = h.fetches.Load()
		for range 2 {
			e.startAuthorize(e.browser(), e.authURL(mc("/nocache.json"), p, nil))
		}
		if n := h.fetches.Load() - before; n != 2 {
			t.Errorf("a no-store document was fetched %d times for 2 requests", n)
		}
	})
	for _, tc := range []struct{ name, path, page string }{
		{"too-large", "/big.json", "larger than 5120 bytes"},
		{"client-id-mismatch", "/mismatch.json", "not its own URL"},
		{"secret", "/secret.json", "token_endpoint_auth_method"},
		{"bad-redirect", "/js-redirect.json", "reverse domain name"},
		{"redirected", "/redirect.json", "redirects are not followed"},
		{"not-found", "/missing.json", "404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer e.unchanged(e.writes.snapshot())
			resp, err := e.browser().Get(e.authURL(mc(tc.path), p, nil))
			if err != nil {
				t.Fatal(err)
			}
			wantErrorPage(t, resp, http.StatusBadRequest, tc.page)
		})
	}
	t.Run("too-slow", func(t *testing.T) {
		slow := newEnv(t, &envOptions{setup: func(s *Server) {
			h.trust(true)(s)
			s.cimd.timeout = time.Second
		}})
		before := h.fetches.Load()
		resp, err := slow.browser().Get(slow.authURL(mc("/slow.json"), p, nil))
		if err != nil {
			t.Fatal(err)
		}
		wantErrorPage(t, resp, http.StatusBadRequest, "no answer within 1s")
		if h.fetches.Load() == before {
			t.Error("the slow document was never requested; the timeout was not what failed")
		}
	})
	t.Run("redirect-not-listed", func(t *testing.T) {
		c := mc("/good.json")
		c.redirect = "http://127.0.0.1:9999/other"
		resp, err := e.browser().Get(e.authURL(c, p, nil))
		if err != nil {
			t.Fatal(err)
		}
		wantErrorPage(t, resp, http.StatusBadRequest, "redirect URI is not one the application registered")
	})
	t.Run("not-https", func(t *testing.T) {
		c := mc("/good.json")
		c.id = strings.Replace(c.id, "https://", "http://", 1)
		resp, err := e.browser().Get(e.authURL(c, p, nil))
		if err != nil {
			t.Fatal(err)
		}
		wantErrorPage(t, resp, http.StatusBadRequest, "must be https")
	})
	t.Run("no-path", func(t *testing.T) {
		resp, err := e.browser().Get(e.authURL(&testClient{id: h.URL + "/", redirect: "http://127.0.0.1:9999/callback"}, p, nil))
		if err != nil {
			t.Fatal(err)
		}
		wantErrorPage(t, resp, http.StatusBadRequest, "needs a path")
	})
}

// TestCIMDGuard proves that, by default, metadata documents on loopback
// (and other non-public) addresses are never fetched: the request does not
// even reach the host, by IP or by a name that resolves there.
func TestCIMDGuard(t *testing.T) {
	h := newCIMDHost(t)
	e := newEnv(t, &envOptions{setup: h.trust(false)})
	p := newPKCE()
	_, port, _ := strings.Cut(strings.TrimPrefix(h.URL, "https://"), ":")
	for _, id := range []string{h.URL + "/good.json", "https://localhost:" + port + "/good.json"} {
		resp, err := e.browser().Get(e.authURL(&testClient{id: id, redirect: "http://127.0.0.1:9999/callback"}, p, nil))
		if err != nil {
			t.Fatal(err)
		}
		wantErrorPage(t, resp, http.StatusBadRequest, "is not public")
	}
	if n := h.fetches.Load(); n != 0 {
		t.Fatalf("the guarded host got %d requests", n)
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2606:4700:4700::1111": true, "140.82.112.3": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "100.64.0.1": false, "0.0.0.0": false,
		"::": false, "224.0.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "0.1.2.3": false,
	} {
		if got := publicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCacheTTL(t *testing.T) {
	for cc, want := range map[string]time.Duration{
		"":                     cimdDefaultTTL,
		"max-age=120":          2 * time.Minute,
		"public, max-age=1":    cimdMinTTL,
		"max-age=999999999":    cimdMaxTTL,
		"no-store":             0,
		"max-age=60, no-cache": 0,
		"max-age=0":            0,
	} {
		if got := cacheTTL(cc); got != want {
			t.Errorf("cacheTTL(%q) = %v, want %v", cc, got, want)
		}
	}
}
