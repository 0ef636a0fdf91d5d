package serve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type echoIn struct {
	Text string `json:"text"`
}

type echoOut struct {
	Echo string `json:"echo"`
}

// testServer has an echo tool and a wait tool that blocks until release is
// closed.
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

// start serves s on a loopback port until the test ends (or stop is
// called) and returns its base URL and a function that stops it and
// returns serveListener's result.
func start(t *testing.T, s *mcp.Server, cfg *Config, opts *Options) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveListener(ctx, ln, s, cfg, opts.orDefault(), NewLogger(cfg, io.Discard))
	}()
	var result error
	stopped := false
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			result = <-done
		}
		return result
	}
	t.Cleanup(func() { stop() })
	return "http://" + ln.Addr().String(), stop
}

func connect(t *testing.T, transport mcp.Transport) *mcp.ClientSession {
	t.Helper()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "v0"}, nil).Connect(t.Context(), transport, nil)
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

func TestTransports(t *testing.T) {
	streamable := func(base string) mcp.Transport { return &mcp.StreamableClientTransport{Endpoint: base + "/mcp"} }
	sse := func(base string) mcp.Transport { return &mcp.SSEClientTransport{Endpoint: base + "/sse"} }
	for _, tc := range []struct {
		name      string
		cfg       Config
		transport func(base string) mcp.Transport
	}{
		{"streamable", Config{}, streamable},
		{"streamable-stateful", Config{Stateful: true}, streamable},
		{"sse", Config{}, sse},
		// Debug logging wraps the handlers in an access log, which must
		// keep event streams working.
		{"streamable-stateful-debug", Config{Stateful: true, LogLevel: slog.LevelDebug}, streamable},
		{"sse-debug", Config{LogLevel: slog.LevelDebug}, sse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			base, _ := start(t, testServer(nil, nil), &cfg, nil)
			cs := connect(t, tc.transport(base))
			callEcho(t, cs, "hello")
			callEcho(t, cs, "again")
		})
	}
}

func TestTransportsNotOffered(t *testing.T) {
	base, _ := start(t, testServer(nil, nil), &Config{}, &Options{Transports: []string{"streamable"}})
	resp, err := http.Get(base + "/sse")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /sse on a streamable-only server: %d, want 404", resp.StatusCode)
	}
}

func TestHealthz(t *testing.T) {
	base, _ := start(t, testServer(nil, nil), &Config{}, nil)
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("GET /healthz = %d %q", resp.StatusCode, body)
	}
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`

func post(t *testing.T, url, origin string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(initialize))
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
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestOrigin(t *testing.T) {
	base, _ := start(t, testServer(nil, nil), &Config{AllowedOrigins: []string{"https://app.example"}}, nil)
	port := base[strings.LastIndex(base, ":")+1:]

	for _, tc := range []struct {
		origin string
		want   int
		cors   bool
	}{
		{"", http.StatusOK, false},
		{"https://evil.example", http.StatusForbidden, false},
		{"null", http.StatusForbidden, false},
		{"https://app.example", http.StatusOK, true},
		{"HTTPS://APP.EXAMPLE", http.StatusOK, true},
		{"http://localhost:6274", http.StatusOK, true},
		{"http://127.0.0.1:" + port, http.StatusOK, true},
	} {
		resp := post(t, base+"/mcp", tc.origin, nil)
		if resp.StatusCode != tc.want {
			t.Errorf("POST /mcp with Origin %q: %d, want %d", tc.origin, resp.StatusCode, tc.want)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); (got != "") != tc.cors || (tc.cors && got != tc.origin) {
			t.Errorf("Origin %q: Access-Control-Allow-Origin %q", tc.origin, got)
		}
	}

	// The SSE endpoint is checked too, for GET.
	req, _ := http.NewRequest("GET", base+"/sse", nil)
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /sse from a foreign origin: %d, want 403", resp.StatusCode)
	}

	// A preflight from an allowed origin is answered.
	req, _ = http.NewRequest("OPTIONS", base+"/mcp", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type, mcp-protocol-version")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent ||
		resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") ||
		resp.Header.Get("Access-Control-Allow-Headers") != "content-type, mcp-protocol-version" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestOriginAllowAll(t *testing.T) {
	base, _ := start(t, testServer(nil, nil), &Config{AllowedOrigins: []string{"*"}}, nil)
	if resp := post(t, base+"/mcp", "https://anyone.example", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("with *, a foreign origin got %d", resp.StatusCode)
	}
}

func TestGracefulShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	base, stop := start(t, testServer(release, started), &Config{ShutdownTimeout: 30 * time.Second}, nil)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: base + "/mcp"})

	// An SSE client holds a stream open; it must not hold shutdown up.
	sse := connect(t, &mcp.SSEClientTransport{Endpoint: base + "/sse"})
	callEcho(t, sse, "streaming")

	type result struct {
		res *mcp.CallToolResult
		err error
	}
	inFlight := make(chan result, 1)
	go func() {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "wait", Arguments: map[string]any{}})
		inFlight <- result{res, err}
	}()
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the wait tool never started")
	}

	stopped := make(chan error, 1)
	begin := time.Now()
	go func() { stopped <- stop() }()

	// The server no longer accepts new connections once shutdown began.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), time.Second)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("shutdown finished (%v) while a call was in flight", err)
	default:
	}

	close(release)
	r := <-inFlight
	if r.err != nil || r.res.IsError {
		t.Fatalf("in-flight call during shutdown: err %v, result %+v", r.err, r.res)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	// Generous: the open SSE stream must not have held shutdown up to its
	// 30 s timeout.
	if d := time.Since(begin); d > 20*time.Second {
		t.Errorf("shutdown took %v: the SSE stream held it up", d)
	}
}

// TestMain doubles as a stdio server: the stdio test runs this test binary
// with MCPGEN_SERVE_TEST_STDIO set, and Main serves the echo tool over
// stdin and stdout.
func TestMain(m *testing.M) {
	if os.Getenv("MCPGEN_SERVE_TEST_STDIO") == "1" {
		os.Args = []string{"stdio-server", "--stdio", "--log-level=debug"}
		Main(testServer(nil, nil), &Options{Name: "stdio-server", Version: "v1"})
		return
	}
	os.Exit(m.Run())
}

func TestStdio(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "MCPGEN_SERVE_TEST_STDIO=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cs := connect(t, &mcp.CommandTransport{Command: cmd})
	callEcho(t, cs, "over stdio")
	if err := cs.Close(); err != nil && !errors.Is(err, context.Canceled) {
		t.Logf("close: %v", err)
	}
	if !strings.Contains(stderr.String(), "serving over stdio") {
		t.Errorf("logs did not go to stderr: %q", stderr.String())
	}
}

func TestIdleSessionsClose(t *testing.T) {
	base, _ := start(t, testServer(nil, nil), &Config{Stateful: true, SessionTimeout: 200 * time.Millisecond}, nil)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: base + "/mcp", DisableStandaloneSSE: true})
	callEcho(t, cs, "before")
	time.Sleep(time.Second)
	if _, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "after"}}); err == nil {
		t.Error("a call on a session idle past its timeout succeeded")
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLogAtDebugOnly(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		var logs syncBuffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level}))
		srv := httptest.NewServer(newHandler(testServer(nil, nil), &Config{}, (&Options{}).orDefault(), logger, context.Background()))
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
