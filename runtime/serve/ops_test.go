package serve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/internal/clientip"
)

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	for _, tc := range []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{"peer", "192.0.2.7:5000", nil, nil, "192.0.2.7"},
		{"header ignored without trusted proxies", "192.0.2.7:5000", []string{"198.51.100.1"}, nil, "192.0.2.7"},
		{"header ignored from an untrusted peer", "192.0.2.7:5000", []string{"198.51.100.1"}, proxies, "192.0.2.7"},
		{"one proxy", "127.0.0.1:5000", []string{"198.51.100.1"}, proxies, "198.51.100.1"},
		{"spoofed left part is skipped", "127.0.0.1:5000", []string{"203.0.113.9, 198.51.100.1, 10.1.2.3"}, proxies, "198.51.100.1"},
		{"several headers", "127.0.0.1:5000", []string{"203.0.113.9", "198.51.100.1"}, proxies, "198.51.100.1"},
		{"garbled hop stops the walk", "127.0.0.1:5000", []string{"198.51.100.1, junk"}, proxies, "127.0.0.1"},
		{"only proxies", "127.0.0.1:5000", []string{"10.0.0.1"}, proxies, "10.0.0.1"},
		{"IPv4-mapped peer", "[::ffff:192.0.2.7]:5000", nil, nil, "192.0.2.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			var got netip.Addr
			clientAddress(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got, _ = clientip.From(r.Context())
			}), tc.trusted).ServeHTTP(httptest.NewRecorder(), r)
			if got.String() != tc.want {
				t.Errorf("client address %v, want %s", got, tc.want)
			}
		})
	}
}

// TestReadyz checks that /readyz runs the options' checks, and the Auth's.
func TestReadyz(t *testing.T) {
	var storeDown bool
	opts := &Options{
		Auth: readyAuth{},
		Ready: []func(context.Context) error{func(context.Context) error {
			if storeDown {
				return errors.New("store: unavailable")
			}
			return nil
		}},
	}
	srv := start(t, testServer(nil, nil), Config{}, opts)
	if code, body := get(t, srv.base+"/readyz"); code != 200 || body != "ok\n" {
		t.Fatalf("/readyz = %d %q, want 200 ok", code, body)
	}
	storeDown = true
	code, body := get(t, srv.base+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store: unavailable") {
		t.Fatalf("/readyz with the store down = %d %q, want 503 naming the store", code, body)
	}
	if code, _ := get(t, srv.base+"/healthz"); code != 200 {
		t.Fatalf("/healthz = %d while not ready, want 200: the process is alive", code)
	}
	storeDown = false
	if code, _ := get(t, srv.base+"/readyz"); code != 200 {
		t.Fatalf("/readyz after recovery = %d", code)
	}
	if n := strings.Count(srv.logs.String(), "not ready"); n != 1 {
		t.Errorf("logged %d 'not ready' lines for one incident, want 1:\n%s", n, srv.logs)
	}
}

type readyAuth struct{ fakeAuth }

func (readyAuth) Ready(context.Context) error { return nil }

// TestDrain stops a server with a drain delay: /readyz answers 503 while
// the server still serves calls, and only then does the listener close.
func TestDrain(t *testing.T) {
	// The delay only has to outlast the checks below; the test waits it
	// out at the end.
	srv := start(t, testServer(nil, nil), Config{DrainDelay: 5 * time.Second}, nil)
	cs := connect(t, streamable(srv.base), nil, nil)
	callEcho(t, cs, "before")
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _ := get(t, srv.base+"/readyz")
		if code == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after shutdown began", code)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Draining, not closed: calls still work, and /healthz is fine.
	callEcho(t, cs, "while draining")
	if code, _ := get(t, srv.base+"/healthz"); code != 200 {
		t.Fatalf("/healthz while draining = %d", code)
	}
	if !strings.Contains(srv.logs.String(), "draining") {
		t.Errorf("no draining log line:\n%s", srv.logs)
	}
	if err := waitFor(t, stopped, "the end of the drain"); err != nil {
		t.Fatalf("shutdown after the drain: %v", err)
	}
	if _, err := http.Get(srv.base + "/healthz"); err == nil {
		t.Fatal("the listener is still open after shutdown")
	}
}

func TestMetricsToken(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("m 1\n")) })
	o := &ops{metrics: metrics}
	for _, tc := range []struct {
		name  string
		token string
		auth  string
		want  int
	}{
		{"not served without a token", "", "", http.StatusNotFound},
		{"no credentials", "s3cret", "", http.StatusUnauthorized},
		{"wrong token", "s3cret", "Bearer nope", http.StatusUnauthorized},
		{"token as basic", "s3cret", "Basic s3cret", http.StatusUnauthorized},
		{"right token", "s3cret", "Bearer s3cret", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _ := newHandler(testServer(nil, nil), &Config{MetricsToken: tc.token}, (*Options)(nil).orDefault(), NewLogger(&Config{}, new(syncBuffer)), o)
			r := httptest.NewRequest("GET", "/metrics", nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.want {
				t.Fatalf("GET /metrics = %d, want %d", rec.Code, tc.want)
			}
			if tc.want == http.StatusUnauthorized && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge: %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

// TestToolTimeout calls a tool that waits for its context past its limit:
// the result is a tool error naming the limit; a quick tool is unaffected,
// and a limit in Tools wins over the server's.
func TestToolTimeout(t *testing.T) {
	s := testServer(make(chan struct{}), nil)
	opts := &Options{ToolTimeout: time.Hour, Tools: map[string]ToolPolicy{"wait": {Timeout: 50 * time.Millisecond}}}
	srv := start(t, s, Config{}, opts)
	cs := connect(t, streamable(srv.base), nil, nil)
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "wait", Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || len(res.Content) == 0 {
		t.Fatalf("want a tool error, got %+v", res)
	}
	if text := res.Content[0].(*mcp.TextContent).Text; text != "tool wait timed out after 50ms" {
		t.Errorf("tool error %q", text)
	}
	callEcho(t, cs, "quick")
}

func TestToolTimeoutSetting(t *testing.T) {
	cfg, err := parseConfig([]string{"--tool-timeout=50ms"}, nil, (&Options{ToolTimeout: time.Hour}).orDefault(), new(strings.Builder))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, testServer(make(chan struct{}), nil), *cfg, &Options{ToolTimeout: time.Hour})
	cs := connect(t, streamable(srv.base), nil, nil)
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "wait", Arguments: map[string]any{}})
	if err != nil || !res.IsError {
		t.Fatalf("--tool-timeout did not bound the call: %+v, %v", res, err)
	}
}

// Audit records on stderr follow LOG_FORMAT, so that they read like the
// logs around them; in a file they are JSON lines.
func TestAuditLoggerFormat(t *testing.T) {
	for _, tc := range []struct {
		auditLog, logFormat string
		text                bool
	}{
		{"", "text", true},
		{"stderr", "text", true},
		{"stderr", "json", false},
		{"/var/log/audit.jsonl", "text", false},
	} {
		l := auditLogger(io.Discard, &Config{AuditLog: tc.auditLog, LogFormat: tc.logFormat})
		if _, text := l.Handler().(*slog.TextHandler); text != tc.text {
			t.Errorf("AUDIT_LOG=%q LOG_FORMAT=%s: text records %v, want %v", tc.auditLog, tc.logFormat, text, tc.text)
		}
	}
}
