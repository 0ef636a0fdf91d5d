package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/oauth2"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// These tests open the pages people see (the landing page and the OAuth
// consent page) in headless Chromium, driven over the DevTools protocol:
// the pages must render with their styles and script under their strict
// Content-Security-Policy, work at a phone's width, in light and dark,
// and fetch nothing from anywhere but the servers under test. With
// MCPGEN_SCREENSHOTS=1 they also save the screenshots in docs/screenshots.

// TestBrowserLandingPage opens a generated authless server's landing page.
func TestBrowserLandingPage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated server, and a browser")
	}
	b := newBrowser(t)
	dir := newFromTemplate(t, "calculator", "authless")
	base := startServer(t, buildServer(t, dir, "calculator"))

	b.do(t, b.viewport(1024, 768, false), b.theme("light"), chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := value(t, b, chromedp.Text(chromedp.CSS("h1"))); got != "calculator" {
		t.Errorf("h1 = %q, want the server's name", got)
	}
	if got := value(t, b, chromedp.Text(chromedp.CSS("header"))); !strings.Contains(got, "version 0.1.0") || !strings.Contains(got, "A calculator.") {
		t.Errorf("the header says %q; want the version and the description", got)
	}
	if got := value(t, b, chromedp.Text(chromedp.CSS("#mcp-url"))); got != base+"/mcp" {
		t.Errorf("the server URL shown is %q, want %s/mcp", got, base)
	}
	if got := value(t, b, chromedp.Text(chromedp.CSS("#cmd-claude-code"))); got != "claude mcp add --transport http calculator "+base+"/mcp" {
		t.Errorf("the Claude Code command is %q", got)
	}
	tools := value(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".tools li")].map(li => li.innerText.replace(/\s+/g, " "))`))
	want := []string{"add · Add Add two numbers and return their sum.", "calculate · Calculate Apply a basic arithmetic operation to two numbers. Division by zero is an error."}
	if !slices.Equal(tools, want) {
		t.Errorf("tools listed: %q, want %q", tools, want)
	}
	// The script ran (it shows the copy buttons), and the stylesheet
	// applied, in the colours of each scheme.
	if n := value(t, b, chromedp.Evaluate[int](`document.querySelectorAll("button[data-copy]:not([hidden])").length`)); n < 6 {
		t.Errorf("%d copy buttons shown; the script did not run", n)
	}
	b.wantBackground(t, "rgb(255, 255, 255)")
	b.screenshot(t, "landing-light")
	b.do(t, b.theme("dark"))
	b.wantBackground(t, "rgb(21, 23, 26)")
	b.screenshot(t, "landing-dark")
	b.do(t, b.viewport(390, 844, true), b.theme("light"))
	b.wantNoHorizontalScroll(t, 390)
	b.screenshot(t, "landing-390")

	// A copy button puts its text on the clipboard.
	b.do(t, b.viewport(1024, 768, false), b.grantClipboard(base), chromedp.Click(chromedp.CSS(`button[data-copy="mcp-url"]`)))
	if got := value(t, b, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise)); got != base+"/mcp" {
		t.Errorf("the clipboard holds %q after the copy button, want %s/mcp", got, base)
	}

	b.wantOnly(t, base)
}

// TestBrowserConsentFlow signs in to a generated github-oauth server as a
// person would: a client registers, the browser opens its authorization
// URL, the consent page shows, the person approves, the stand-in GitHub
// signs them in, and the client's redirect URI receives a code that the
// client exchanges for a token.
func TestBrowserConsentFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated server, and a browser")
	}
	b := newBrowser(t)
	dir := newFromTemplate(t, "github-tools", "github-oauth")
	binary := buildServer(t, dir, "github-tools")
	gh := newFakeGitHub(t)
	gh.setLogin("octocat")
	base := "http://" + freeLoopbackAddr(t)
	gh.callback = base + "/callback"
	startAuthServer(t, binary, dir, base, gh.serverSettings(base,
		"STORE_PATH="+filepath.Join(t.TempDir(), "oauth.db"),
		"ALLOWED_USERS=octocat",
	))

	// The client is a web app on loopback: its redirect URI, its home
	// page and its logo share its origin, so the consent page shows them.
	redirects := make(chan url.Values, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		select {
		case redirects <- r.URL.Query():
		default:
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>Signed in</title><p id="done">Signed in.</p>`))
	})
	mux.HandleFunc("GET /logo.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(logoPNG(t))
	})
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)
	redirectURI := app.URL + "/callback"
	clientID := registerClient(t, base, map[string]any{
		"client_name": "Example Agent", "client_uri": app.URL + "/", "logo_uri": app.URL + "/logo.png",
		"redirect_uris": []string{redirectURI}, "token_endpoint_auth_method": "none",
	})
	verifier := oauth2.GenerateVerifier()
	authURL := base + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirectURI}, "state": {"state-1"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
		"resource": {base + "/mcp"}, "scope": {"mcp"},
	}.Encode()

	b.do(t, b.viewport(1024, 768, false), b.theme("light"), chromedp.Navigate(authURL), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := value(t, b, chromedp.Text(chromedp.CSS("h1"))); got != "Allow Example Agent to use github-tools?" {
		t.Errorf("h1 = %q", got)
	}
	page := value(t, b, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	appHost := strings.TrimPrefix(app.URL, "http://")
	for _, want := range []string{
		"“Example Agent” is a self-declared name",
		"You sign in with GitHub, which asks you to let github-tools:", "read your profile (read:user)",
		"You are sent back to " + appHost,
		"call github-tools's tools as you (mcp)",
		"3 tools open to everyone who signs in: add, count, userInfo.",
		"Only if your account is allowed it: serverStatus.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the consent page lacks %q:\n%s", want, page)
		}
	}
	// The logo loaded from the client's origin, which the page's policy
	// names; nothing else may load.
	if w := value(t, b, chromedp.Evaluate[int](`document.querySelector(".client img").naturalWidth`)); w != 96 {
		t.Errorf("the client's logo is %d pixels wide, want 96: it did not load", w)
	}
	// The keyboard reaches the client's page, then Approve, then Deny.
	var focus []string
	for range 3 {
		b.do(t, chromedp.KeyEvent(kb.Tab))
		focus = append(focus, value(t, b, chromedp.Evaluate[string](`document.activeElement.textContent`)))
	}
	if want := []string{appHost, "Approve", "Deny"}; !slices.Equal(focus, want) {
		t.Errorf("Tab moves the focus through %q, want %q", focus, want)
	}
	b.do(t, chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	b.wantBackground(t, "rgb(255, 255, 255)")
	b.screenshot(t, "consent-light")
	b.do(t, b.theme("dark"))
	b.wantBackground(t, "rgb(21, 23, 26)")
	b.screenshot(t, "consent-dark")
	b.do(t, b.viewport(390, 844, true), b.theme("light"))
	b.wantNoHorizontalScroll(t, 390)
	b.screenshot(t, "consent-390")

	// Approve: the form posts, the server sends the browser to GitHub,
	// GitHub back to /callback, and the server to the client with a code.
	b.do(t, b.viewport(1024, 768, false), chromedp.Click(chromedp.CSS(`button[value="approve"]`)), chromedp.WaitVisible(chromedp.CSS("#done")))
	var q url.Values
	select {
	case q = <-redirects:
	case <-time.After(10 * time.Second):
		t.Fatal("the client's redirect URI received nothing")
	}
	if q.Get("code") == "" || q.Get("state") != "state-1" || q.Get("iss") != base {
		t.Fatalf("the client received %v; want a code, its state and iss %s", q, base)
	}
	resp, err := http.PostForm(base+"/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {redirectURI},
		"client_id": {clientID}, "code_verifier": {verifier}, "resource": {base + "/mcp"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Errorf("exchanging the code: %s, access token %q", resp.Status, tok.AccessToken)
	}

	// An error page, in the same style.
	b.expectStatus(base + "/authorize?client_id=nobody")
	b.do(t, chromedp.Navigate(base+"/authorize?client_id=nobody"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := value(t, b, chromedp.Text(chromedp.CSS("h1"))); got != "Authorization failed" {
		t.Errorf("error page h1 = %q", got)
	}
	b.wantBackground(t, "rgb(255, 255, 255)")

	b.wantOnly(t, base, gh.srv.URL, app.URL)
}

// registerClient registers a client dynamically and returns its ID.
func registerClient(t *testing.T, base string, md map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(md)
	resp, err := http.Post(base+"/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ClientID string `json:"client_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %s, %v", resp.Status, err)
	}
	return out.ClientID
}

// logoPNG is a 96-pixel square logo.
func logoPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	for y := range 96 {
		for x := range 96 {
			c := color.RGBA{R: 0x5b, G: 0x3d, B: 0xf5, A: 0xff}
			if (x-48)*(x-48)+(y-48)*(y-48) < 22*22 {
				c = color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Error(err)
	}
	return buf.Bytes()
}

// browser is a headless Chromium with one tab, which records every
// request the tab makes and every problem it reports: a policy
// violation, a script error, a failed load.
type browser struct {
	ctx context.Context

	mu       sync.Mutex
	requests []string
	problems []string
	// expected are URLs whose error status the test asks for, which
	// the browser reports all the same.
	expected []string
}

func (b *browser) expectStatus(u string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected = append(b.expected, u)
}

// newBrowser starts Chromium for the test; without it the test skips
// (see testkit.Chromium).
func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(testkit.Chromium(t)),
		// A proxy that is not there: were a page to ask for anything but
		// loopback (which Chromium never proxies), the request would fail
		// here rather than leave the machine. The record below still
		// shows it.
		chromedp.ProxyServer("http://127.0.0.1:1"),
	)
	if os.Geteuid() == 0 {
		// Chromium will not start its sandbox as root.
		opts = append(opts, chromedp.NoSandbox)
	}
	// The whole browser lives at most this long; chromedp stops it with
	// the allocator's context.
	life, stop := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(stop)
	actx, cancel := chromedp.NewExecAllocator(life, opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	b := &browser{ctx: ctx}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return b
}

// record runs on chromedp's reading goroutine: it only appends.
func (b *browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.URL)
	case *network.EventLoadingFailed:
		b.problems = append(b.problems, "loading failed: "+ev.ErrorText+" "+ev.BlockedReason.String())
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			if strings.HasSuffix(ev.Entry.URL, "/favicon.ico") || ev.Entry.Source == log.EntrySourceNetwork && slices.Contains(b.expected, ev.Entry.URL) {
				return // the browser asks for an icon, and the server has none
			}
			b.problems = append(b.problems, string(ev.Entry.Source)+": "+ev.Entry.Text+" "+ev.Entry.URL)
		}
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Text)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			b.problems = append(b.problems, "console: "+string(ev.Type))
		}
	}
}

// do runs the actions, with a time limit, and fails the test if they fail.
func (b *browser) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v%s", err, b.reported())
	}
}

// reported lists the problems the browser reported so far, which often
// say why an action failed (a policy blocked a redirect, say).
func (b *browser) reported() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) == 0 {
		return ""
	}
	return "\nthe browser reported:\n" + strings.Join(b.problems, "\n")
}

func value[T any](t *testing.T, b *browser, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v%s", err, b.reported())
	}
	return v
}

// theme makes the page see the colour scheme, "light" or "dark", that a
// person's system prefers.
func (b *browser) theme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// viewport sizes the page's window; mobile makes it a phone's, which
// honours the page's viewport meta tag.
func (b *browser) viewport(width, height int64, mobile bool) chromedp.Action[chromedp.Void] {
	if mobile {
		return chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(width, height)
}

func (b *browser) grantClipboard(origin string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted, Origin: origin,
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *browser) wantBackground(t *testing.T, want string) {
	t.Helper()
	if got := value(t, b, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)); got != want {
		t.Errorf("the page's background is %s, want %s: the stylesheet did not apply", got, want)
	}
}

// wantNoHorizontalScroll checks that the page fits the width: long lines
// of code scroll inside their boxes, and the page does not.
func (b *browser) wantNoHorizontalScroll(t *testing.T, width int) {
	t.Helper()
	if got := value(t, b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); got > width {
		t.Errorf("the page is %d pixels wide in a %d-pixel window", got, width)
	}
}

// screenshot saves the whole page as docs/screenshots/NAME.png when
// MCPGEN_SCREENSHOTS=1, so that a normal run leaves the committed files
// alone.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	if os.Getenv("MCPGEN_SCREENSHOTS") != "1" {
		return
	}
	png := value(t, b, chromedp.FullScreenshot(100))
	_, file, _, _ := goruntime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "docs", "screenshots", name+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantOnly checks that every request the tab made went to one of the
// origins, and that it reported no problem.
func (b *browser) wantOnly(t *testing.T, origins ...string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.requests) == 0 {
		t.Error("no request was recorded")
	}
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err != nil || !slices.Contains(origins, u.Scheme+"://"+u.Host) {
			t.Errorf("the browser asked for %s, outside the servers under test %q", r, origins)
		}
	}
	for _, p := range b.problems {
		t.Errorf("the browser reported: %s", p)
	}
}
