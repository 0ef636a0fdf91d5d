package serve

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type callResult struct {
	res *mcp.CallToolResult
	err error
}

// callWait calls the wait tool in the background.
func callWait(cs *mcp.ClientSession) <-chan callResult {
	ch := make(chan callResult, 1)
	go func() {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "wait", Arguments: map[string]any{}})
		ch <- callResult{res, err}
	}()
	return ch
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// addTool adds a tool to s, which makes s announce tools/list_changed to
// its sessions: the notification reaches a client only over a stream.
func addTool(s *mcp.Server, name string) {
	mcp.AddTool(s, &mcp.Tool{Name: name}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{}, nil, nil
	})
}

// TestGracefulShutdown stops a server while a call is in flight and a
// client holds an event stream open: the call completes, and the stream
// does not hold the shutdown up to its timeout.
func TestGracefulShutdown(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       Config
		transport func(string) mcp.Transport
		// stream is whether the client holding the call also holds a
		// stream: a stateful session's GET, a legacy SSE stream (which
		// carries the call's result), or, with the 2026-07-28 protocol, a
		// subscriptions/listen POST (opened by a client that handles
		// tools/list_changed).
		stream bool
	}{
		{"streamable", Config{}, streamable, false},
		{"streamable-listen", Config{}, streamable, true},
		{"streamable-stateful", Config{Stateful: true}, streamable, true},
		{"sse", Config{}, sse, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			started := make(chan struct{}, 1)
			s := testServer(release, started)
			cfg := tc.cfg
			cfg.ShutdownTimeout = 30 * time.Second
			srv := start(t, s, cfg, nil)

			var copts *mcp.ClientOptions
			changed := make(chan struct{}, 1)
			if tc.stream {
				copts = &mcp.ClientOptions{ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) {
					select {
					case changed <- struct{}{}:
					default:
					}
				}}
			}
			cs := connect(t, tc.transport(srv.base), copts, nil)
			if tc.stream {
				// Prove that the stream is open: a notification sent
				// outside any call arrives.
				addTool(s, "late")
				waitFor(t, changed, "tools/list_changed over the stream")
			}
			// And an idle legacy SSE client holds a stream open too.
			callEcho(t, connect(t, sse(srv.base), nil, nil), "idle")

			inFlight := callWait(cs)
			waitFor(t, started, "the wait tool to start")

			begin := time.Now()
			stopped := make(chan error, 1)
			go func() { stopped <- srv.stop() }()

			// Once shutdown has begun, new connections are refused.
			addr := strings.TrimPrefix(srv.base, "http://")
			for {
				c, err := net.DialTimeout("tcp", addr, time.Second)
				if err != nil {
					break
				}
				c.Close()
				if time.Since(begin) > 10*time.Second {
					t.Fatal("the server still accepts connections 10s into shutdown")
				}
				time.Sleep(10 * time.Millisecond)
			}
			select {
			case err := <-stopped:
				t.Fatalf("Run returned (%v) while a call was in flight", err)
			case <-time.After(100 * time.Millisecond):
			}

			close(release)
			r := waitFor(t, inFlight, "the in-flight call")
			if r.err != nil || r.res.IsError {
				t.Fatalf("in-flight call during shutdown: err %v, result %+v", r.err, r.res)
			}
			if got, _ := r.res.StructuredContent.(map[string]any); got["echo"] != "released" {
				t.Errorf("in-flight call result: %v", r.res.StructuredContent)
			}
			// Generous, on purpose: the streams must not have held the
			// shutdown up to its 30s timeout.
			if err := waitFor(t, stopped, "Run to return after the last call"); err != nil {
				t.Errorf("Run: %v", err)
			}
			logs := srv.logs.String()
			if !strings.Contains(logs, "msg=\"shutting down\"") || !strings.Contains(logs, "msg=stopped") {
				t.Errorf("shutdown not logged:\n%s", logs)
			}
		})
	}
}

// TestShutdownTimeout checks that a call still running at the shutdown
// timeout is cut off, and that Run says so.
func TestShutdownTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	started := make(chan struct{}, 1)
	srv := start(t, testServer(release, started), Config{ShutdownTimeout: 200 * time.Millisecond}, nil)
	cs := connect(t, streamable(srv.base), nil, nil)
	inFlight := callWait(cs)
	waitFor(t, started, "the wait tool to start")
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	if err := waitFor(t, stopped, "Run to give up"); err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Errorf("Run after the shutdown timeout: %v", err)
	}
	if r := waitFor(t, inFlight, "the cut-off call"); r.err == nil {
		t.Errorf("a call cut off by shutdown succeeded: %+v", r.res)
	}
	if !strings.Contains(srv.logs.String(), "shutdown timed out") {
		t.Errorf("the timeout was not logged:\n%s", srv.logs)
	}
}

// TestHandlerShutdown checks that Handler, mounted in a program's own
// http.Server, ends its streams when that server shuts down.
func TestHandlerShutdown(t *testing.T) {
	s := testServer(nil, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", Handler(s, &Config{Stateful: true}, nil))
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	base := "http://" + ln.Addr().String()

	callEcho(t, connect(t, sse(base), nil, nil), "sse")
	callEcho(t, connect(t, streamable(base), nil, nil), "stateful")
	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q", code, body)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	begin := time.Now()
	if err := hs.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("Shutdown took %v: the streams held it up", d)
	}
}
