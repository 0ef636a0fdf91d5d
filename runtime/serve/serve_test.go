package serve

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/internal/syncbuf"
)

type echoIn struct {
	Text string `json:"text"`
}

type echoOut struct {
	Echo string `json:"echo"`
}

// testServer has an echo tool, and a wait tool that signals started and
// then blocks until release is closed.
func testServer(release <-chan struct{}, started chan<- struct{}) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v1"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "echo", Description: "Echo text."}, func(_ context.Context, _ *mcp.CallToolRequest, in echoIn) (*mcp.CallToolResult, echoOut, error) {
		return nil, echoOut{Echo: in.Text}, nil
	})
	mcp.AddTool(s, &mcp.Tool{Name: "wait", Description: "Wait for release."}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, echoOut, error) {
		if started != nil {
			started <- struct{}{}
		}
		select {
		case <-release:
			return nil, echoOut{Echo: "released"}, nil
		case <-ctx.Done():
			return nil, echoOut{}, ctx.Err()
		}
	})
	return s
}

// syncBuffer collects logs written from many goroutines.
type syncBuffer = syncbuf.Buffer

// listening matches the log line that names the bound address, in text
// and in JSON, as programs starting a server with --addr 127.0.0.1:0 parse
// it.
var listening = regexp.MustCompile(`msg=listening addr=(\S+)|"msg":"listening","addr":"([^"]+)"`)

// server is a server started by start.
type server struct {
	base string // http://127.0.0.1:port
	logs *syncBuffer
	stop func() error // cancels run's context and returns its result
	done chan error   // receives run's result
}

// start runs s with cfg on a loopback port (always: cfg.Addr is
// overwritten) until the test ends or stop is called. It finds the port the
// way programs do, from the "listening" log line.
func start(t *testing.T, s *mcp.Server, cfg Config, opts *Options) *server {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	logs := new(syncBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	srv := &server{logs: logs, done: make(chan error, 1)}
	go func() { srv.done <- run(ctx, s, &cfg, opts.orDefault(), NewLogger(&cfg, logs)) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := listening.FindStringSubmatch(logs.String()); m != nil {
			srv.base = "http://" + m[1] + m[2]
			break
		}
		select {
		case err := <-srv.done:
			cancel()
			t.Fatalf("run returned before listening: %v\n%s", err, logs)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no listening line:\n%s", logs)
		}
	}
	if !strings.HasPrefix(srv.base, "http://127.0.0.1:") {
		t.Fatalf("listening on %s, not loopback", srv.base)
	}
	var once sync.Once
	var result error
	srv.stop = func() error {
		once.Do(func() {
			cancel()
			result = <-srv.done
		})
		return result
	}
	t.Cleanup(func() { srv.stop() })
	return srv
}

func connect(t *testing.T, transport mcp.Transport, opts *mcp.ClientOptions, sopts *mcp.ClientSessionOptions) *mcp.ClientSession {
	t.Helper()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "v0"}, opts).Connect(t.Context(), transport, sopts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func callEcho(t *testing.T, cs *mcp.ClientSession, text string) {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": text}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := res.StructuredContent.(map[string]any)
	if res.IsError || got["echo"] != text {
		t.Errorf("echo(%q) = %v (isError %v)", text, res.StructuredContent, res.IsError)
	}
}

func streamable(base string) mcp.Transport {
	return &mcp.StreamableClientTransport{Endpoint: base + "/mcp"}
}

func sse(base string) mcp.Transport { return &mcp.SSEClientTransport{Endpoint: base + "/sse"} }

func TestTransports(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       Config
		transport func(base string) mcp.Transport
		version   string // protocol version the client asks for; empty for the latest
		want      string // protocol version negotiated
	}{
		// The stateless default serves the newest protocol, and older ones.
		{"streamable", Config{}, streamable, "", "2026-07-28"},
		{"streamable-2025-06-18", Config{}, streamable, "2025-06-18", "2025-06-18"},
		{"streamable-stateful", Config{Stateful: true}, streamable, "", "2025-11-25"},
		{"sse", Config{}, sse, "", "2025-11-25"},
		// Debug logging wraps the handlers in an access log, which must
		// keep event streams working.
		{"streamable-stateful-debug", Config{Stateful: true, LogLevel: slog.LevelDebug}, streamable, "", "2025-11-25"},
		{"sse-debug", Config{LogLevel: slog.LevelDebug}, sse, "", "2025-11-25"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t, testServer(nil, nil), tc.cfg, nil)
			cs := connect(t, tc.transport(srv.base), nil, &mcp.ClientSessionOptions{ProtocolVersion: tc.version})
			if got := cs.InitializeResult().ProtocolVersion; got != tc.want {
				t.Errorf("protocol version %s, want %s", got, tc.want)
			}
			callEcho(t, cs, "hello")
			callEcho(t, cs, "again")
		})
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestTransportsNotOffered(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{}, &Options{Transports: []string{"streamable", "stdio"}})
	if code, _ := get(t, srv.base+"/sse"); code != http.StatusNotFound {
		t.Errorf("GET /sse on a server without sse: %d, want 404", code)
	}
	srv = start(t, testServer(nil, nil), Config{}, &Options{Transports: []string{"sse"}})
	if resp := post(t, srv.base+"/mcp", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /mcp on a server without streamable: %d, want 404", resp.StatusCode)
	}
	connect(t, sse(srv.base), nil, nil)

	// Run refuses what the options do not offer.
	s := testServer(nil, nil)
	if err := Run(t.Context(), s, &Config{Stdio: true}, &Options{Transports: []string{"streamable"}}); err == nil {
		t.Error("Run served stdio on a server without it")
	}
	if err := Run(t.Context(), s, &Config{Addr: "127.0.0.1:0"}, &Options{Transports: []string{"stdio"}}); err == nil {
		t.Error("Run served HTTP on a stdio-only server")
	}
	if err := Run(t.Context(), nil, &Config{Addr: "127.0.0.1:0"}, nil); err == nil {
		t.Error("Run served a nil server")
	}
}

func TestListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Run(t.Context(), testServer(nil, nil), &Config{Addr: ln.Addr().String()}, nil)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("Run on a taken port: %v", err)
	}
}

func TestHealthz(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{}, nil)
	if code, body := get(t, srv.base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q", code, body)
	}
	resp, err := http.Head(srv.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("HEAD /healthz = %d", resp.StatusCode)
	}
	resp, err = http.Post(srv.base+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d", resp.StatusCode)
	}
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`

// post sends an initialize request, as a browser page would, and returns
// the response with its body read.
func post(t *testing.T, url, origin string, header map[string]string) *http.Response {
	t.Helper()
	return do(t, "POST", url, origin, strings.NewReader(initialize), header)
}

func do(t *testing.T, method, url, origin string, body io.Reader, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp
}

func TestOrigin(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{AllowedOrigins: []string{"https://app.example"}}, nil)
	port := srv.base[strings.LastIndex(srv.base, ":")+1:]

	for _, tc := range []struct {
		origin string
		want   int
		cors   bool
	}{
		{"", http.StatusOK, false},
		{"https://evil.example", http.StatusForbidden, false},
		{"null", http.StatusForbidden, false},
		{"https://app.example.evil.example", http.StatusForbidden, false},
		{"http://app.example", http.StatusForbidden, false}, // the scheme counts
		{"https://app.example", http.StatusOK, true},
		{"HTTPS://APP.EXAMPLE", http.StatusOK, true},
		// Loopback origins, for a browser client on this machine.
		{"http://localhost:6274", http.StatusOK, true},
		{"http://127.0.0.1:" + port, http.StatusOK, true},
		{"http://[::1]:3000", http.StatusOK, true},
	} {
		resp := post(t, srv.base+"/mcp", tc.origin, nil)
		if resp.StatusCode != tc.want {
			t.Errorf("POST /mcp with Origin %q: %d, want %d", tc.origin, resp.StatusCode, tc.want)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); (got != "") != tc.cors || (tc.cors && got != tc.origin) {
			t.Errorf("Origin %q: Access-Control-Allow-Origin %q", tc.origin, got)
		}
		if tc.cors && !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Mcp-Session-Id") {
			t.Errorf("Origin %q: Access-Control-Expose-Headers %q", tc.origin, resp.Header.Get("Access-Control-Expose-Headers"))
		}
		if got := resp.Header.Values("Vary"); !strings.Contains(strings.Join(got, ","), "Origin") {
			t.Errorf("Origin %q: Vary %q", tc.origin, got)
		}
		if tc.want == http.StatusForbidden {
			body, _ := io.ReadAll(resp.Body)
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || len(body) > 100 {
				t.Errorf("403 body: %s %q", ct, body)
			}
		}
	}
	if !strings.Contains(srv.logs.String(), "origin=https://evil.example") {
		t.Errorf("a refused origin was not logged:\n%s", srv.logs)
	}

	// The SSE endpoint is checked too: the stream and the message endpoint.
	if resp := do(t, "GET", srv.base+"/sse", "https://evil.example", nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /sse from a foreign origin: %d, want 403", resp.StatusCode)
	}
	if resp := do(t, "POST", srv.base+"/sse?sessionid=x", "https://evil.example", strings.NewReader(initialize), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /sse from a foreign origin: %d, want 403", resp.StatusCode)
	}
	// An allowed origin opens an SSE stream, with CORS headers.
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.base+"/sse", nil)
	req.Header.Set("Origin", "https://app.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("GET /sse from an allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	cancel()
	resp.Body.Close()

	// A preflight from an allowed origin is answered, allowing the MCP
	// headers and whatever else the browser asks for (Mcp-Param-*).
	for _, path := range []string{"/mcp", "/sse"} {
		resp := do(t, "OPTIONS", srv.base+path, "https://app.example", nil, map[string]string{
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "content-type, mcp-protocol-version, mcp-param-region",
		})
		allowHeaders := resp.Header.Get("Access-Control-Allow-Headers")
		if resp.StatusCode != http.StatusNoContent ||
			resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
			resp.Header.Get("Access-Control-Allow-Methods") != "GET, POST, DELETE, OPTIONS" ||
			resp.Header.Get("Access-Control-Max-Age") == "" {
			t.Errorf("preflight %s: %d %v", path, resp.StatusCode, resp.Header)
		}
		for _, h := range []string{"Content-Type", "Authorization", "Mcp-Session-Id", "Mcp-Protocol-Version", "Last-Event-ID", "Mcp-Method", "Mcp-Name", "mcp-param-region"} {
			if !strings.Contains(allowHeaders, h) {
				t.Errorf("preflight %s: Access-Control-Allow-Headers %q lacks %s", path, allowHeaders, h)
			}
		}
		if strings.Count(strings.ToLower(allowHeaders), "content-type") != 1 {
			t.Errorf("preflight %s: Access-Control-Allow-Headers %q repeats a header", path, allowHeaders)
		}
	}
	// A preflight from a foreign origin is not.
	resp = do(t, "OPTIONS", srv.base+"/mcp", "https://evil.example", nil, map[string]string{"Access-Control-Request-Method": "POST"})
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from a foreign origin: %d %v", resp.StatusCode, resp.Header)
	}

	// A browser client connects from an allowed origin.
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.base + "/mcp", HTTPClient: withOrigin("https://app.example")}, nil, nil)
	callEcho(t, cs, "from the browser")
	cs = connect(t, &mcp.SSEClientTransport{Endpoint: srv.base + "/sse", HTTPClient: withOrigin("https://app.example")}, nil, nil)
	callEcho(t, cs, "from the browser over sse")
}

// withOrigin returns an HTTP client that sends Origin, as a browser does.
func withOrigin(origin string) *http.Client {
	return &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set("Origin", origin)
		return http.DefaultTransport.RoundTrip(r)
	})}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestOriginAllowAll(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{AllowedOrigins: []string{"*"}}, nil)
	resp := post(t, srv.base+"/mcp", "https://anyone.example", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "https://anyone.example" {
		t.Errorf("with *, a foreign origin got %d %v", resp.StatusCode, resp.Header)
	}
}

// TestOriginPolicy covers the cases that need a Host other than loopback,
// which the SDK's own Host check would refuse on a loopback connection.
func TestOriginPolicy(t *testing.T) {
	p := newOriginPolicy([]string{"https://app.example:443", "chrome-extension://abcdef"}, slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		origin, host string
		want         bool
	}{
		{"https://app.example", "mcp.example", true}, // the allowed list, default port normalized
		{"chrome-extension://abcdef", "mcp.example", true},
		{"https://mcp.example", "mcp.example", true}, // same origin
		{"https://MCP.example", "mcp.example", true},
		{"https://mcp.example", "mcp.example:443", true}, // default port on one side only
		{"http://mcp.example:80", "mcp.example", true},
		{"https://mcp.example:8443", "mcp.example:8443", true},
		{"https://mcp.example:8443", "mcp.example", false},
		{"https://mcp.example", "mcp.example:8443", false},
		{"https://other.example", "mcp.example", false},
		{"http://localhost:5173", "mcp.example", false}, // loopback counts only on a loopback Host
		{"http://localhost:5173", "localhost:8080", true},
		{"http://127.0.0.2:5173", "[::1]:8080", true},
		{"http://localhost.evil.example", "localhost:8080", false},
		{"http://mcp.example", "127.0.0.1:8080", false},
		{"null", "localhost:8080", false},
		{"://bad", "localhost:8080", false},
		{"file://", "localhost:8080", false},
	} {
		r := httptest.NewRequest("POST", "/mcp", nil)
		r.Host = tc.host
		if got := p.allows(tc.origin, r); got != tc.want {
			t.Errorf("Origin %q, Host %q: allowed %v, want %v", tc.origin, tc.host, got, tc.want)
		}
	}
}

func TestMaxBodyBytes(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{MaxBodyBytes: 100}, nil)
	if resp := post(t, srv.base+"/mcp", "", nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the limit: %d, want 413", resp.StatusCode)
	}
}

// TestDisableHostCheck checks that --disable-host-check reaches the SDK: a
// loopback connection with a public Host header, as a reverse proxy on the
// same machine sends, is refused by default and served with the flag.
func TestDisableHostCheck(t *testing.T) {
	for _, disable := range []bool{false, true} {
		srv := start(t, testServer(nil, nil), Config{DisableHostCheck: disable}, nil)
		for _, path := range []string{"/mcp", "/sse?sessionid=x"} {
			req, _ := http.NewRequest("POST", srv.base+path, strings.NewReader(initialize))
			req.Host = "mcp.example"
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if refused := resp.StatusCode == http.StatusForbidden; refused == disable {
				t.Errorf("disable=%v: POST %s with Host mcp.example: %d", disable, path, resp.StatusCode)
			}
		}
	}
}

func TestIdleSessionsClose(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{Stateful: true, SessionTimeout: 200 * time.Millisecond}, nil)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.base + "/mcp", DisableStandaloneSSE: true}, nil, nil)
	callEcho(t, cs, "before")
	time.Sleep(time.Second)
	if _, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "after"}}); err == nil {
		t.Error("a call on a session idle past its timeout succeeded")
	}
}

func TestAccessLogAtDebugOnly(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		var logs syncBuffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level}))
		h, _, _ := newHandler(testServer(nil, nil), &Config{}, (*Options)(nil).orDefault(), logger, nil)
		srv := httptest.NewServer(h)
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		logged := strings.Contains(logs.String(), "msg=request method=GET path=/healthz status=200")
		if logged != (level == slog.LevelDebug) {
			t.Errorf("level %v: access log line present = %v; logs:\n%s", level, logged, logs.String())
		}
	}
}

func TestJSONLogs(t *testing.T) {
	srv := start(t, testServer(nil, nil), Config{LogFormat: "json"}, nil)
	callEcho(t, connect(t, streamable(srv.base), nil, nil), "json")
	if !regexp.MustCompile(`"msg":"listening","addr":"127\.0\.0\.1:\d+"`).MatchString(srv.logs.String()) {
		t.Errorf("JSON logs:\n%s", srv.logs)
	}
}
