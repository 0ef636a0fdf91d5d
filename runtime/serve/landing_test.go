package serve

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/internal/pages"
)

// browserGet asks for path as a browser navigating to it does.
func browserGet(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestLandingPage(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{}, &Options{Name: "ignored", Description: "Echoes <what> it is told."})
	resp, page := browserGet(t, "GET", srv.base+"/")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / from a browser: %d %s, want 200 text/html", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<html lang="en">`,
		"<h1>test</h1>", "version v1",
		"Echoes &lt;what&gt; it is told.",
		`<code id="mcp-url">` + srv.base + `/mcp</code>`,
		"claude mcp add --transport http test " + srv.base + "/mcp",
		`&#34;command&#34;: &#34;npx&#34;,
      &#34;args&#34;: [
        &#34;mcp-remote&#34;,
        &#34;` + srv.base + `/mcp&#34;
      ]`,
		`&#34;type&#34;: &#34;http&#34;`,
		"npx @modelcontextprotocol/inspector --cli " + srv.base + "/mcp --transport http --method tools/list",
		"2 tools:", "<code>echo</code>", "<p>Echo text.</p>", "<code>wait</code>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The install links carry the URL as each editor reads it.
	cursor := regexp.MustCompile(`href="(cursor://[^"]+)"`).FindStringSubmatch(page)
	vscode := regexp.MustCompile(`href="(vscode:[^"]+)"`).FindStringSubmatch(page)
	if cursor == nil || vscode == nil {
		t.Fatalf("install links: Cursor %q, VS Code %q", cursor, vscode)
	}
	cu, err := url.Parse(strings.ReplaceAll(cursor[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := base64.StdEncoding.DecodeString(cu.Query().Get("config"))
	if cu.Query().Get("name") != "test" || string(cfg) != `{"url":"`+srv.base+`/mcp"}` {
		t.Errorf("Cursor link %s: name %q, config %s", cursor[1], cu.Query().Get("name"), cfg)
	}
	raw, err := url.QueryUnescape(strings.TrimPrefix(vscode[1], "vscode:mcp/install?"))
	var vs map[string]string
	if err != nil || json.Unmarshal([]byte(raw), &vs) != nil || vs["name"] != "test" || vs["type"] != "http" || vs["url"] != srv.base+"/mcp" {
		t.Errorf("VS Code link %s: %v %v", vscode[1], vs, err)
	}
	if strings.Contains(page, "--allow-http") {
		t.Error("mcp-remote is told --allow-http for a loopback URL")
	}

	// The headers keep the page to itself, and its policy allows exactly
	// its own style and script.
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "form-action 'none'", "frame-ancestors 'none'", "base-uri 'none'",
		"style-src " + inlineHash(t, page, "style"), "script-src " + inlineHash(t, page, "script")} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "img-src") {
		t.Errorf("Content-Security-Policy %q allows more than the page needs", csp)
	}
	for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Vary": "Accept"} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// Nothing on the page is fetched from anywhere.
	if m := regexp.MustCompile(`(?i)<(img|link|iframe)\b|\bsrc=|@import|url\(`).FindString(page); m != "" {
		t.Errorf("the page loads something: %q", m)
	}

	if resp, _ := browserGet(t, "HEAD", srv.base+"/"); resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD / from a browser: %d", resp.StatusCode)
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

// TestLandingPageOnlyForBrowsers checks that what is not a browser's
// request for / gets what it got before there was a page.
func TestLandingPageOnlyForBrowsers(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{}, nil)
	for _, tc := range []struct {
		method, path, accept string
	}{
		{"GET", "/", ""},
		{"GET", "/", "*/*"},
		{"GET", "/", "application/json"},
		{"GET", "/", "text/html;q=0, */*"},
		{"POST", "/", "text/html"},
		{"DELETE", "/", "text/html"},
		{"GET", "/index.html", "text/html"},
		{"GET", "/nothing/", "text/html"},
	} {
		req, _ := http.NewRequest(tc.method, srv.base+tc.path, nil)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s, Accept %q: %d, want 404", tc.method, tc.path, tc.accept, resp.StatusCode)
		}
	}
}

func TestLandingPageOff(t *testing.T) {
	cfg, err := ParseConfig(nil, env(map[string]string{"LANDING_PAGE": "false"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, testServer(nil, nil), *cfg, nil)
	if resp, _ := browserGet(t, "GET", srv.base+"/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / with LANDING_PAGE=false: %d, want 404", resp.StatusCode)
	}
}

// resourceAuth is fakeAuth with the URL its tokens are bound to.
type resourceAuth struct{ fakeAuth }

func (resourceAuth) Resource() string { return "https://mcp.example.test/mcp" }

func TestLandingPageSignIn(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{}, &Options{Auth: resourceAuth{}, Transports: []string{"sse"}})
	_, page := browserGet(t, "GET", srv.base+"/")
	for _, want := range []string{
		`<code id="mcp-url">https://mcp.example.test/sse</code>`,
		"claude mcp add --transport sse test https://mcp.example.test/sse",
		`&#34;type&#34;: &#34;sse&#34;`, "sse-only",
		"opens your browser so that you can sign in",
		"depends on who you sign in as. 2 are open to everyone who signs in.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, unwanted := range []string{"<code>echo</code>", "--cli"} {
		if strings.Contains(page, unwanted) {
			t.Errorf("the page of a server with sign-in shows %q", unwanted)
		}
	}
}

// TestLandingPageURL checks the URL the page gives: the request's host,
// https when a trusted proxy says so, and no Host that could break the
// commands it shows.
func TestLandingPageURL(t *testing.T) {
	cfg := &Config{TrustedProxies: mustPrefixes(t, "10.0.0.0/8")}
	lp := newLanding(testServer(nil, nil), cfg, (&Options{}).orDefault(), slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		remote, host, proto string
		want                string // the URL; empty for 400
	}{
		{"127.0.0.1:5000", "localhost:8080", "", "http://localhost:8080/mcp"},
		{"10.1.2.3:5000", "mcp.example.test", "https", "https://mcp.example.test/mcp"},
		{"192.0.2.1:5000", "mcp.example.test", "https", "http://mcp.example.test/mcp"}, // not a trusted proxy
		{"127.0.0.1:5000", "[::1]:8080", "", "http://[::1]:8080/mcp"},
		{"127.0.0.1:5000", "a';touch x;'", "", ""},
		{"127.0.0.1:5000", "a b", "", ""},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr, req.Host = tc.remote, tc.host
		req.Header.Set("Accept", "text/html")
		if tc.proto != "" {
			req.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		w := httptest.NewRecorder()
		lp.ServeHTTP(w, req)
		if tc.want == "" {
			if w.Code != http.StatusBadRequest {
				t.Errorf("Host %q: %d, want 400", tc.host, w.Code)
			}
			continue
		}
		if !strings.Contains(w.Body.String(), `<code id="mcp-url">`+tc.want+`</code>`) {
			t.Errorf("from %s, Host %q, X-Forwarded-Proto %q: the page does not give %s", tc.remote, tc.host, tc.proto, tc.want)
		}
		if wantAllow := strings.HasPrefix(tc.want, "http://mcp."); strings.Contains(w.Body.String(), "--allow-http") != wantAllow {
			t.Errorf("Host %q: --allow-http given %v, want %v", tc.host, !wantAllow, wantAllow)
		}
	}
}

func mustPrefixes(t *testing.T, cidrs ...string) (out []netip.Prefix) {
	t.Helper()
	for _, c := range cidrs {
		p, err := parsePrefix(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestLandingPageDescribesOnce checks that the page asks the server for
// its tools when it is first shown, not as the server starts, and once.
func TestLandingPageDescribesOnce(t *testing.T) {
	var lists atomic.Int32
	s := testServer(nil, nil)
	s.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "tools/list" {
				lists.Add(1)
			}
			return next(ctx, method, req)
		}
	})
	srv := start(t, s, Config{}, nil)
	if n := lists.Load(); n != 0 {
		t.Errorf("the server was asked for its tools %d times as it started", n)
	}
	for range 3 {
		if _, page := browserGet(t, "GET", srv.base+"/"); !strings.Contains(page, "<code>echo</code>") {
			t.Fatal("the page does not list the tools")
		}
	}
	if n := lists.Load(); n != 1 {
		t.Errorf("three pages asked the server for its tools %d times, want once", n)
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"  many\n\n spaces  ", 20, "many spaces"},
		{"one two three four", 12, "one two…"},
		{"abcdefghijklmnop", 8, "abcdefgh…"},
		{"ééééé", 5, "éé…"},
	} {
		if got := clip(tc.in, tc.n); got != tc.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestAcceptsHTML(t *testing.T) {
	for accept, want := range map[string]bool{
		"text/html,application/xhtml+xml,*/*;q=0.8": true,
		"application/xhtml+xml":                     true,
		"TEXT/HTML; charset=utf-8":                  true,
		"text/html;q=0":                             false,
		"*/*":                                       false,
		"text/*":                                    false,
		"application/json, text/event-stream":       false,
		"":                                          false,
	} {
		if got := acceptsHTML([]string{accept}); got != want {
			t.Errorf("acceptsHTML(%q) = %v, want %v", accept, got, want)
		}
	}
}

// BenchmarkLandingPage is the cost of one page once the server has
// described itself (the template, the snippets and the write), and of
// that description, which the first page pays.
func BenchmarkLandingPage(b *testing.B) {
	lp := newLanding(testServer(nil, nil), &Config{}, (&Options{}).orDefault(), slog.New(slog.DiscardHandler))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept", "text/html")
	b.Run("serve", func(b *testing.B) {
		for b.Loop() {
			lp.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
	b.Run("describe", func(b *testing.B) {
		s := testServer(nil, nil)
		for b.Loop() {
			if _, err := pages.Describe(context.Background(), s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
