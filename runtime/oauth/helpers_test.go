package oauth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"

	"github.com/mcpgen/mcpgen/runtime/internal/syncbuf"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// upstreamToken is the access token the fake GitHub issues. It must never
// reach an MCP client.
const upstreamToken = "gho_UPSTREAM_SECRET_d41d8cd98f00b204"

// fakeGitHub plays github.com (authorize, token) and api.github.com
// (/user, /user/emails, /octo) for one user.
type fakeGitHub struct {
	*httptest.Server
	login string // the signed-in user, whose email only /user/emails tells
	scope string // granted scopes, as GitHub reports them
	asked string // the scope parameter of the last authorization request

	mu         sync.Mutex
	challenges map[string]string // code → PKCE challenge sent to authorize
	deny       bool              // the user cancels at GitHub
}

func newFakeGitHub(t testing.TB) *fakeGitHub {
	gh := &fakeGitHub{login: "octocat", scope: "read:user,user:email", challenges: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ru, err := url.Parse(q.Get("redirect_uri"))
		if err != nil || q.Get("client_id") != "gh-client" {
			http.Error(w, "bad authorize request", http.StatusBadRequest)
			return
		}
		back := ru.Query()
		back.Set("state", q.Get("state"))
		gh.mu.Lock()
		gh.asked = q.Get("scope")
		if gh.deny {
			back.Set("error", "access_denied")
		} else {
			code := rand.Text()
			gh.challenges[code] = q.Get("code_challenge")
			back.Set("code", code)
		}
		gh.mu.Unlock()
		ru.RawQuery = back.Encode()
		http.Redirect(w, r, ru.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		gh.mu.Lock()
		challenge, ok := gh.challenges[r.PostForm.Get("code")]
		delete(gh.challenges, r.PostForm.Get("code"))
		gh.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.PostForm.Get("client_id") != "gh-client" || r.PostForm.Get("client_secret") != "gh-secret":
			json.NewEncoder(w).Encode(map[string]string{"error": "incorrect_client_credentials"})
		case !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge:
			json.NewEncoder(w).Encode(map[string]string{"error": "bad_verification_code"})
		default:
			gh.mu.Lock()
			scope := gh.scope
			gh.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]string{"access_token": upstreamToken, "token_type": "bearer", "scope": scope})
		}
	})
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+upstreamToken {
				http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /user", authed(func(w http.ResponseWriter, r *http.Request) {
		gh.mu.Lock()
		login := gh.login
		gh.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"id": crc32.ChecksumIEEE([]byte(login)), "login": login, "name": "The Octocat", "email": nil})
	}))
	mux.HandleFunc("GET /user/emails", authed(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode([]map[string]any{
			{"email": "old@example.com", "primary": false, "verified": true},
			{"email": "octo@example.com", "primary": true, "verified": true},
		})
	}))
	mux.HandleFunc("GET /octo", authed(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from the API")
	}))
	gh.Server = httptest.NewServer(mux)
	t.Cleanup(gh.Close)
	return gh
}

// syncBuffer collects logs written from many goroutines.
type syncBuffer = syncbuf.Buffer

// env is an MCP server protected by a Server, on 127.0.0.1, with a fake
// GitHub.
type env struct {
	t       testing.TB
	auth    *Server
	mcp     *mcp.Server
	ts      *httptest.Server
	gh      *fakeGitHub
	logs    *syncBuffer
	vars    map[string]string
	traffic *syncBuffer // every response a client saw, dumped
	clock   *testClock
	writes  *countingStore
	events  *eventLog
}

// eventLog records what Options.OnEvent hears.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) add(_ context.Context, e Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

// since returns the events after the first n.
func (l *eventLog) since(n int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events[n:])
}

func (l *eventLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

// countingStore counts the Puts to its store by kind of key (the part up
// to the first colon), so that tests can check that a refused request
// stored nothing.
type countingStore struct {
	store.Store
	mu sync.Mutex
	n  map[string]int
}

func (c *countingStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	kind, _, _ := strings.Cut(key, ":")
	c.mu.Lock()
	c.n[kind]++
	c.mu.Unlock()
	return c.Store.Put(ctx, key, value, ttl)
}

// snapshot returns the counts so far.
func (c *countingStore) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// unchanged fails the test if anything but the given kinds of records
// was stored since before (a snapshot).
func (e *env) unchanged(before map[string]int, except ...string) {
	e.t.Helper()
	for kind, n := range e.writes.snapshot() {
		if n != before[kind] && !slices.Contains(except, kind) {
			e.t.Errorf("a refused request stored %d %q record(s)", n-before[kind], kind)
		}
	}
}

// testClock is the server's clock in tests, moved by advance.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (e *env) lookup(name string) (string, bool) { v, ok := e.vars[name]; return v, ok }

var testKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))

type envOptions struct {
	opts      *Options
	vars      map[string]string // overrides
	storePath string            // "" = a new file in a temp dir
	setup     func(*Server)     // run before the server serves
	// handler, if set, is the test server's handler, instead of a mux
	// with Mount and a protected /mcp.
	handler func(*Server, *mcp.Server) http.Handler
}

func newEnv(t testing.TB, eo *envOptions) *env {
	t.Helper()
	if eo == nil {
		eo = &envOptions{}
	}
	e := &env{t: t, logs: new(syncBuffer), traffic: new(syncBuffer), events: &eventLog{}}
	e.gh = newFakeGitHub(t)
	e.ts = httptest.NewUnstartedServer(nil)
	base := "http://" + e.ts.Listener.Addr().String()
	storePath := eo.storePath
	if storePath == "" {
		storePath = filepath.Join(t.TempDir(), "oauth.db")
	}
	e.vars = map[string]string{
		"BASE_URL":             base,
		"GITHUB_CLIENT_ID":     "gh-client",
		"GITHUB_CLIENT_SECRET": "gh-secret",
		"GITHUB_AUTHORIZE_URL": e.gh.URL + "/login/oauth/authorize",
		"GITHUB_TOKEN_URL":     e.gh.URL + "/login/oauth/access_token",
		"GITHUB_API_URL":       e.gh.URL,
		"ENCRYPTION_KEY":       testKey,
		"STORE_PATH":           storePath,
		"ADMINS":               "Admin-One, OCTOCAT",
	}
	for k, v := range eo.vars {
		e.vars[k] = v
	}
	opts := eo.opts
	if opts == nil {
		opts = &Options{Provider: "github", ServerName: "Test Server", Tools: map[string]Rule{
			"admin":  {UsersEnv: "ADMINS"},
			"nobody": {Users: []string{"someone-else"}},
			"repo":   {Scopes: []string{"repo"}},
		}}
	}
	if opts.OnEvent == nil {
		o := *opts
		o.OnEvent = e.events.add
		opts = &o
	}
	a, err := New(opts, e.lookup, slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.auth = a
	e.clock = &testClock{t: time.Now()}
	a.now = e.clock.now // before serving: the clock is set once
	if eo.setup != nil {
		eo.setup(a)
	}
	e.writes = &countingStore{Store: a.store, n: map[string]int{}}
	a.store = e.writes
	t.Cleanup(func() { a.Close() })
	e.mcp = newMCPServer(a)
	a.Gate(e.mcp)
	if eo.handler != nil {
		e.ts.Config.Handler = eo.handler(a, e.mcp)
	} else {
		mux := http.NewServeMux()
		a.Mount(mux)
		mux.Handle("/mcp", a.Protect(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return e.mcp },
			&mcp.StreamableHTTPOptions{Stateless: true, Logger: slog.New(slog.NewTextHandler(e.logs, nil))})))
		e.ts.Config.Handler = mux
	}
	e.ts.Start()
	t.Cleanup(e.ts.Close)
	if e.ts.URL != base && eo.vars["BASE_URL"] == "" {
		t.Fatalf("server at %s, not %s", e.ts.URL, base)
	}
	return e
}

// newMCPServer has a tool open to everyone that reports the user and
// calls the provider's API as them, and gated ones that say their name.
func newMCPServer(a *Server) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v1"}, nil)
	s.AddTool(&mcp.Tool{Name: "whoami", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		u, ok := UserOf(req)
		if !ok {
			return nil, fmt.Errorf("no user")
		}
		hc, err := a.UpstreamClient(ctx, req)
		if err != nil {
			return nil, err
		}
		resp, err := hc.Get(a.APIURL() + "/octo")
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf("%s <%s>: %s", u.Login, u.Email, body)}}}, nil
	})
	for _, name := range []string{"admin", "nobody", "repo"} {
		s.AddTool(&mcp.Tool{Name: name, InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ran " + name}}}, nil
		})
	}
	return s
}

// recorder dumps every response that passes through it into a buffer.
type recorder struct {
	next http.RoundTripper
	buf  *syncBuffer
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		// Event streams stay open: dump their headers only, and let the
		// body be read through a tee.
		dump, _ := httputil.DumpResponse(resp, false)
		r.buf.Write(dump)
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(resp.Body, r.buf), resp.Body}
	}
	return resp, err
}

// browser is a user agent that does not follow redirects, so that each
// hop can be checked, and keeps cookies.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		Transport:     &recorder{next: http.DefaultTransport, buf: e.traffic},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

var (
	requestField = regexp.MustCompile(`name="request" value="([^"]+)"`)
	csrfField    = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// consentForm is a consent page's hidden fields.
type consentForm struct{ request, csrf string }

// startAuthorize GETs an authorization URL and returns the consent page's
// form; it fails the test unless the page is shown.
func (e *env) startAuthorize(b *http.Client, authURL string) (consentForm, string) {
	e.t.Helper()
	resp, err := b.Get(authURL)
	if err != nil {
		e.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s = %s (Location %q)\n%s", authURL, resp.Status, resp.Header.Get("Location"), body)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		resp.Header.Get("Cache-Control") != "no-store" {
		e.t.Errorf("the consent page may be framed or cached: %v", resp.Header)
	}
	r, c := requestField.FindSubmatch(body), csrfField.FindSubmatch(body)
	if r == nil || c == nil {
		e.t.Fatalf("no consent form in\n%s", body)
	}
	return consentForm{string(r[1]), string(c[1])}, string(body)
}

// consent submits the consent form and follows the redirects through the
// provider back to the client, returning the client's redirect URL.
func (e *env) consent(b *http.Client, f consentForm, action string) *url.URL {
	e.t.Helper()
	resp, err := b.PostForm(e.ts.URL+"/consent", url.Values{"request": {f.request}, "csrf": {f.csrf}, "action": {action}})
	if err != nil {
		e.t.Fatal(err)
	}
	for hop := 0; ; hop++ {
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			e.t.Fatalf("hop %d: %s, want a redirect", hop, resp.Status)
		}
		loc, err := resp.Location()
		if err != nil {
			e.t.Fatal(err)
		}
		if e.auth.issuer != e.ts.URL && strings.HasPrefix(loc.String(), e.auth.issuer+"/") {
			// BASE_URL is a proxy's in front of the test server.
			loc, _ = url.Parse(e.ts.URL + strings.TrimPrefix(loc.String(), e.auth.issuer))
		}
		if !strings.HasPrefix(loc.String(), e.ts.URL+"/") && !strings.HasPrefix(loc.String(), e.gh.URL+"/") {
			return loc // at the client
		}
		if hop > 5 {
			e.t.Fatal("too many redirects")
		}
		if resp, err = b.Get(loc.String()); err != nil {
			e.t.Fatal(err)
		}
	}
}

// fetcher is an auth.AuthorizationCodeFetcher that plays the user: it
// approves on the consent page and signs in at the fake GitHub.
func (e *env) fetcher() auth.AuthorizationCodeFetcher {
	b := e.browser()
	return func(ctx context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
		f, _ := e.startAuthorize(b, args.URL)
		loc := e.consent(b, f, "approve")
		q := loc.Query()
		if q.Get("error") != "" {
			return nil, fmt.Errorf("authorization failed: %s: %s", q.Get("error"), q.Get("error_description"))
		}
		return &auth.AuthorizationResult{Code: q.Get("code"), State: q.Get("state"), Iss: q.Get("iss")}, nil
	}
}

// testClient is a client registered by hand, for the tests that drive
// each step themselves.
type testClient struct {
	id, secret, redirect string
}

func (e *env) register(md map[string]any) (int, map[string]any) {
	e.t.Helper()
	b, _ := json.Marshal(md)
	resp, err := http.Post(e.ts.URL+"/register", "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *env) newClient() *testClient {
	e.t.Helper()
	const redirect = "http://127.0.0.1:9999/callback"
	code, out := e.register(map[string]any{"redirect_uris": []string{redirect}, "token_endpoint_auth_method": "none", "client_name": "Hand Client"})
	if code != http.StatusCreated {
		e.t.Fatalf("register: %d %v", code, out)
	}
	return &testClient{id: out["client_id"].(string), redirect: redirect}
}

// pkce is a verifier and its S256 challenge.
type pkce struct{ verifier, challenge string }

func newPKCE() pkce {
	v := oauth2.GenerateVerifier()
	return pkce{v, oauth2.S256ChallengeFromVerifier(v)}
}

// authURL is an authorization request from c; extra overrides or (with
// "") removes parameters.
func (e *env) authURL(c *testClient, p pkce, extra map[string]string) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.id},
		"redirect_uri":          {c.redirect},
		"state":                 {"st-123"},
		"code_challenge":        {p.challenge},
		"code_challenge_method": {"S256"},
		"resource":              {e.auth.resource},
		"scope":                 {"mcp"},
	}
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return e.ts.URL + "/authorize?" + q.Encode()
}

// code runs an authorization for c through to the client's redirect and
// returns the code.
func (e *env) code(c *testClient, p pkce) string {
	e.t.Helper()
	b := e.browser()
	f, _ := e.startAuthorize(b, e.authURL(c, p, nil))
	loc := e.consent(b, f, "approve")
	q := loc.Query()
	if q.Get("code") == "" || q.Get("state") != "st-123" || q.Get("iss") != e.auth.issuer {
		e.t.Fatalf("client redirect %s: want code, state st-123 and iss %s", loc, e.auth.issuer)
	}
	return q.Get("code")
}

// token POSTs a token request and returns the status and JSON body.
func (e *env) token(form url.Values) (int, map[string]any) {
	e.t.Helper()
	resp, err := http.PostForm(e.ts.URL+"/token", form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		e.t.Errorf("token response Cache-Control %q, want no-store", cc)
	}
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// exchange redeems a code for c and returns the token response; it fails
// the test unless that succeeds.
func (e *env) exchange(c *testClient, code string, p pkce) (access, refresh string) {
	e.t.Helper()
	status, out := e.token(url.Values{"grant_type": {"authorization_code"}, "client_id": {c.id}, "code": {code},
		"redirect_uri": {c.redirect}, "code_verifier": {p.verifier}, "resource": {e.auth.resource}})
	if status != http.StatusOK {
		e.t.Fatalf("exchange: %d %v", status, out)
	}
	access, _ = out["access_token"].(string)
	refresh, _ = out["refresh_token"].(string)
	if access == "" || refresh == "" || out["token_type"] != "Bearer" {
		e.t.Fatalf("exchange: %v", out)
	}
	return access, refresh
}

// signIn registers a client and gets tokens for it.
func (e *env) signIn() (c *testClient, access, refresh string) {
	e.t.Helper()
	c = e.newClient()
	p := newPKCE()
	access, refresh = e.exchange(c, e.code(c, p), p)
	return c, access, refresh
}

// wantError checks an RFC 6749 §5.2 error response.
func wantError(t *testing.T, status int, out map[string]any, wantStatus int, code string) {
	t.Helper()
	if status != wantStatus || out["error"] != code {
		t.Fatalf("got %d %v, want %d error=%s", status, out, wantStatus, code)
	}
}

// mcpStatus POSTs an initialize request to /mcp with the token and
// returns the status and the WWW-Authenticate header.
func (e *env) mcpStatus(token string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/mcp", strings.NewReader(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

func (e *env) wantAccepted(token string) {
	e.t.Helper()
	if status, _ := e.mcpStatus(token); status != http.StatusOK {
		e.t.Fatalf("a valid token got %d from /mcp", status)
	}
}

func (e *env) wantRejected(token string) {
	e.t.Helper()
	status, www := e.mcpStatus(token)
	want := fmt.Sprintf(`Bearer resource_metadata="%s/.well-known/oauth-protected-resource/mcp", error="invalid_token"`, e.auth.issuer)
	if status != http.StatusUnauthorized || !strings.HasPrefix(www, want) {
		e.t.Fatalf("got %d, WWW-Authenticate %q; want 401 with %s", status, www, want)
	}
}

// session connects an MCP client with a fixed access token.
func (e *env) session(token string) *mcp.ClientSession {
	e.t.Helper()
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	hc.Transport = &recorder{next: hc.Transport, buf: e.traffic}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(context.Background(),
		&mcp.StreamableClientTransport{Endpoint: e.ts.URL + "/mcp", HTTPClient: hc}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cs.Close() })
	return cs
}

// setUser changes who signs in at the fake GitHub, and what they grant.
func (e *env) setUser(login, scope string) {
	e.gh.mu.Lock()
	e.gh.login, e.gh.scope = login, scope
	e.gh.mu.Unlock()
}

// advance moves the server's clock.
func (e *env) advance(d time.Duration) {
	e.clock.mu.Lock()
	e.clock.t = e.clock.t.Add(d)
	e.clock.mu.Unlock()
}
