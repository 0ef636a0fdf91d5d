package ratelimit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"github.com/mcpgen/mcpgen/runtime/store"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// mcpEnv is an MCP server with rate limits on its tools, served over
// streamable HTTP on 127.0.0.1.
type mcpEnv struct {
	t        *testing.T
	url      string
	outcomes *outcomes
	refusals *refusals
	logs     *syncBuffer
	sse      bool // the legacy SSE transport, not streamable HTTP
}

// outcomes records the callinfo outcome of each call, as the layer that
// writes audit records would.
type outcomes struct {
	mu   sync.Mutex
	last string
}

func (o *outcomes) get() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// refusals records what Options.OnRefused hears.
type refusals struct {
	mu   sync.Mutex
	list []string
}

func (r *refusals) add(_ context.Context, scope string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := scope + ": exceeded"
	if err != nil {
		s = scope + ": " + err.Error()
	}
	r.list = append(r.list, s)
}

func (r *refusals) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.list...)
}

// newMCPEnv serves tools echo, search and free with the limits tl, on st,
// with c as the limiter's clock. A request with a bearer token is signed
// in as the user the token names.
func newMCPEnv(t *testing.T, st store.Store, c *clock, tl *ToolLimits) *mcpEnv {
	return newMCPEnvOn(t, st, c, tl, false)
}

// newMCPEnvOn is newMCPEnv, over the legacy SSE transport if sse is set.
func newMCPEnvOn(t *testing.T, st store.Store, c *clock, tl *ToolLimits, sse bool) *mcpEnv {
	e := &mcpEnv{t: t, outcomes: &outcomes{}, refusals: &refusals{}, logs: new(syncBuffer), sse: sse}
	l := New(st, &Options{Now: c.now, Logger: slog.New(slog.NewTextHandler(e.logs, nil)), OnRefused: e.refusals.add})
	mw, err := l.Middleware(tl)
	if err != nil {
		t.Fatal(err)
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "limited", Version: "v1"}, nil)
	for _, name := range []string{"echo", "search", "free"} {
		s.AddTool(&mcp.Tool{Name: name, InputSchema: json.RawMessage(`{"type":"object"}`)},
			func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ran " + name}}}, nil
			})
	}
	s.AddReceivingMiddleware(mw)
	// Outermost: the call record, as serve keeps it.
	s.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			ctx, info := callinfo.With(ctx)
			res, err := next(ctx, method, req)
			if method == "tools/call" {
				e.outcomes.mu.Lock()
				e.outcomes.last = info.Outcome()
				e.outcomes.mu.Unlock()
			}
			return res, err
		}
	})
	var h http.Handler = mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true})
	if sse {
		h = mcp.NewSSEHandler(func(*http.Request) *mcp.Server { return s }, nil)
	}
	signedIn := auth.RequireBearerToken(func(_ context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		return &auth.TokenInfo{UserID: token, Expiration: time.Now().Add(time.Hour)}, nil
	}, nil)(h)
	ts := httptest.NewServer(withAddr(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			signedIn.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})))
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

// bearerTransport sends a bearer token and a client address.
type bearerTransport struct{ token, addr string }

func (b *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if b.token != "" {
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	r.Header.Set(addrHeader, b.addr)
	return http.DefaultTransport.RoundTrip(r)
}

// connect opens a session as user (none if empty) from addr.
func (e *mcpEnv) connect(user, addr string) *mcp.ClientSession {
	e.t.Helper()
	hc := &http.Client{Transport: &bearerTransport{token: user, addr: addr}}
	var tr mcp.Transport = &mcp.StreamableClientTransport{Endpoint: e.url, HTTPClient: hc}
	if e.sse {
		tr = &mcp.SSEClientTransport{Endpoint: e.url, HTTPClient: hc}
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(context.Background(), tr, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool and returns its text and whether it is an error.
func call(t *testing.T, cs *mcp.ClientSession, tool string) (string, bool) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: map[string]any{}})
	if err != nil {
		t.Fatalf("calling %s: %v (want a result, even when refused)", tool, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError
}

// wantRan checks that a call went through.
func (e *mcpEnv) wantRan(cs *mcp.ClientSession, tool string) {
	e.t.Helper()
	if text, isErr := call(e.t, cs, tool); isErr || text != "ran "+tool {
		e.t.Fatalf("%s: %q (error %v), want it to run", tool, text, isErr)
	}
}

// wantRefused checks that a call got the tool error want, with the
// outcome given.
func (e *mcpEnv) wantRefused(cs *mcp.ClientSession, tool, want, outcome string) {
	e.t.Helper()
	text, isErr := call(e.t, cs, tool)
	if !isErr || text != want {
		e.t.Fatalf("%s: %q (error %v), want the tool error %q", tool, text, isErr, want)
	}
	if got := e.outcomes.get(); got != outcome {
		e.t.Errorf("%s: outcome %q, want %q", tool, got, outcome)
	}
}

func TestMiddleware(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			c := newClock()
			e := newMCPEnv(t, b.open(t), c, &ToolLimits{
				Server: &Limit{PerMinute: 600, Burst: 5},
				Tools:  map[string]Limit{"search": {PerMinute: 60, Burst: 2}},
			})
			alice := e.connect("alice", "192.0.2.1")
			bob := e.connect("bob", "192.0.2.1") // same address, another user
			anon := e.connect("", "192.0.2.9")

			// The tool's own limit, per user.
			e.wantRan(alice, "search")
			e.wantRan(alice, "search")
			e.wantRefused(alice, "search",
				"rate limit exceeded: 60 calls a minute (at most 2 at once) per user for tool search; retry in 1s", callinfo.RateLimited)
			e.wantRan(bob, "search")

			// The limit on all tools: alice has used 2 of her 5; the call
			// refused by the tool's limit did not count.
			for range 3 {
				e.wantRan(alice, "free")
			}
			e.wantRefused(alice, "echo",
				"rate limit exceeded: 600 requests a minute (at most 5 at once) per user to this server; retry in 1s", callinfo.RateLimited)
			if got := e.outcomes.get(); got != callinfo.RateLimited {
				t.Errorf("outcome %q", got)
			}
			// Other requests count against the limit on all requests, and
			// are refused with a JSON-RPC error that says when to retry.
			_, err := alice.ListTools(context.Background(), nil)
			var werr *jsonrpc.Error
			if !errors.As(err, &werr) || werr.Code != CodeRateLimited ||
				werr.Message != "rate limit exceeded: 600 requests a minute (at most 5 at once) per user to this server; retry tools/list in 1s" ||
				string(werr.Data) != `{"retryAfter":1}` {
				t.Fatalf("tools/list over the limit: %v (%#v), want a rate-limit error", err, werr)
			}
			// Bob's budget is his own.
			if _, err := bob.ListTools(context.Background(), nil); err != nil {
				t.Fatalf("bob's tools/list: %v", err)
			}

			// Without sign-in, the client address is the subject.
			for range 2 {
				e.wantRan(anon, "search")
			}
			e.wantRefused(anon, "search",
				"rate limit exceeded: 60 calls a minute (at most 2 at once) per client address for tool search; retry in 1s", callinfo.RateLimited)

			// Time refills the budgets: half a second is 5 calls on all
			// tools (capped at the burst of 5) and none of search.
			c.advance(500 * time.Millisecond)
			e.wantRefused(alice, "search",
				"rate limit exceeded: 60 calls a minute (at most 2 at once) per user for tool search; retry in 1s", callinfo.RateLimited)
			c.advance(500 * time.Millisecond)
			e.wantRan(alice, "search")
			for range 4 {
				e.wantRan(alice, "echo")
			}
			e.wantRefused(alice, "free",
				"rate limit exceeded: 600 requests a minute (at most 5 at once) per user to this server; retry in 1s", callinfo.RateLimited)
			e.wantRan(bob, "free")

			want := []string{"search: exceeded", "tools: exceeded", "tools: exceeded", "search: exceeded", "search: exceeded", "tools: exceeded"}
			if got := e.refusals.get(); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("OnRefused heard %q, want %q", got, want)
			}
		})
	}
}

// TestMiddlewareSSE checks that calls over the legacy SSE transport, which
// carry no TokenInfo of their own, count against the user who opened the
// stream, found in its context.
func TestMiddlewareSSE(t *testing.T) {
	e := newMCPEnvOn(t, store.NewMemory(), newClock(), &ToolLimits{Tools: map[string]Limit{"search": {PerMinute: 60, Burst: 2}}}, true)
	alice := e.connect("alice", "192.0.2.1")
	bob := e.connect("bob", "192.0.2.1")
	e.wantRan(alice, "search")
	e.wantRan(alice, "search")
	e.wantRefused(alice, "search",
		"rate limit exceeded: 60 calls a minute (at most 2 at once) per user for tool search; retry in 1s", callinfo.RateLimited)
	e.wantRan(bob, "search")
	anon := e.connect("", "192.0.2.9")
	e.wantRan(anon, "search")
	e.wantRan(anon, "search")
	e.wantRefused(anon, "search",
		"rate limit exceeded: 60 calls a minute (at most 2 at once) per client address for tool search; retry in 1s", callinfo.RateLimited)
}

// TestMiddlewareRetryHint checks that the hint rounds the wait up to whole
// seconds.
func TestMiddlewareRetryHint(t *testing.T) {
	c := newClock()
	e := newMCPEnv(t, store.NewMemory(), c, &ToolLimits{Tools: map[string]Limit{"search": {PerMinute: 4, Burst: 1}}})
	cs := e.connect("alice", "192.0.2.1")
	e.wantRan(cs, "search")
	e.wantRefused(cs, "search", "rate limit exceeded: 4 calls a minute (at most 1 at once) per user for tool search; retry in 15s", callinfo.RateLimited)
	c.advance(14500 * time.Millisecond)
	e.wantRefused(cs, "search", "rate limit exceeded: 4 calls a minute (at most 1 at once) per user for tool search; retry in 1s", callinfo.RateLimited)
	c.advance(500 * time.Millisecond)
	e.wantRan(cs, "search")
}

// TestMiddlewareLocal runs a server without HTTP, as on stdio: with
// neither a user nor an address, every call shares one budget.
func TestMiddlewareLocal(t *testing.T) {
	c := newClock()
	l := New(store.NewMemory(), &Options{Now: c.now})
	mw, err := l.Middleware(&ToolLimits{Tools: map[string]Limit{"search": {PerMinute: 60}}})
	if err != nil {
		t.Fatal(err)
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "local", Version: "v1"}, nil)
	s.AddTool(&mcp.Tool{Name: "search", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ran search"}}}, nil
		})
	s.AddReceivingMiddleware(mw)
	st, ct := mcp.NewInMemoryTransports()
	ss, err := s.Connect(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(context.Background(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	for i := range 60 {
		if text, isErr := call(t, cs, "search"); isErr {
			t.Fatalf("call %d: %q", i+1, text)
		}
	}
	if text, isErr := call(t, cs, "search"); !isErr || text != "rate limit exceeded: 60 calls a minute for tool search; retry in 1s" {
		t.Fatalf("call 61: %q (error %v)", text, isErr)
	}
}

// TestMiddlewareFailure checks both ways to fail with a store that is
// down, and that the outage is logged once, not per call.
func TestMiddlewareFailure(t *testing.T) {
	limits := func(failOpen bool) *ToolLimits {
		return &ToolLimits{Server: &Limit{PerMinute: 60}, FailOpen: failOpen}
	}
	t.Run("closed", func(t *testing.T) {
		fs := &failingStore{Store: store.NewMemory()}
		e := newMCPEnv(t, fs, newClock(), limits(false))
		cs := e.connect("alice", "192.0.2.1")
		e.wantRan(cs, "echo")
		fs.down.Store(true)
		for range 3 {
			e.wantRefused(cs, "echo", "the rate limit could not be checked, as the server cannot reach its store; try again shortly", callinfo.Error)
		}
		if got := e.refusals.get(); len(got) != 3 || !strings.Contains(got[0], "tools: ") || !strings.Contains(got[0], "unavailable") {
			t.Errorf("OnRefused heard %q, want 3 refusals with the store's error", got)
		}
		fs.down.Store(false)
		e.wantRan(cs, "echo")
		fs.down.Store(true)
		e.wantRefused(cs, "echo", "the rate limit could not be checked, as the server cannot reach its store; try again shortly", callinfo.Error)
		logs := e.logs.String()
		if n := strings.Count(logs, "cannot check rate limits"); n != 2 {
			t.Errorf("two outages of 3 and 1 calls logged %d failures, want 2:\n%s", n, logs)
		}
		if n := strings.Count(logs, "the store answers again"); n != 1 {
			t.Errorf("one recovery logged %d times:\n%s", n, logs)
		}
	})
	t.Run("open", func(t *testing.T) {
		st := store.NewMemory()
		e := newMCPEnv(t, st, newClock(), limits(true))
		cs := e.connect("alice", "192.0.2.1")
		st.Close()
		for range 3 {
			e.wantRan(cs, "echo")
		}
		if got := e.refusals.get(); len(got) != 0 {
			t.Errorf("OnRefused heard %q from a limit that fails open", got)
		}
		if n := strings.Count(e.logs.String(), "cannot check rate limits"); n != 1 {
			t.Errorf("an outage logged %d failures, want 1:\n%s", n, e.logs)
		}
	})
}

func TestMiddlewareLimits(t *testing.T) {
	l := New(store.NewMemory(), nil)
	if _, err := l.Middleware(&ToolLimits{Server: &Limit{}}); err == nil || !strings.Contains(err.Error(), "the limit on all tools") {
		t.Errorf("an invalid limit on all tools: %v", err)
	}
	if _, err := l.Middleware(&ToolLimits{Tools: map[string]Limit{"search": {PerMinute: 1, Burst: -2}}}); err == nil || !strings.Contains(err.Error(), `tool "search"`) {
		t.Errorf("an invalid limit on a tool: %v", err)
	}
	if _, err := l.Middleware(nil); err != nil {
		t.Errorf("no limits: %v", err)
	}
}
