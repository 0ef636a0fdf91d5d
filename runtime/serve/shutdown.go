package serve

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// http.Server.Shutdown waits for every active request, and an event stream
// is a request that never ends by itself: an idle SSE client would hold
// every shutdown up to its timeout. So streams get a context of their own,
// cancelled when the http.Server serving them shuts down.
//
// Not at once, though. A legacy SSE client's calls return their results on
// its stream (the POST that carried the call was answered 202 at once), and
// a stateful session's server-to-client requests may use its GET stream. So
// streams end when no call is in flight on the server any more: in-flight
// calls finish and deliver their results, and nothing new can arrive, as
// Shutdown has closed the listener and the idle connections.

// streamCloser ends the long-lived streams of one handler when the
// http.Server serving them shuts down.
type streamCloser struct {
	calls *callCounter

	mu      sync.Mutex
	servers map[*http.Server]*serverStreams
}

// serverStreams is the streams of one http.Server.
type serverStreams struct {
	ctx   context.Context // done when they must end
	close context.CancelFunc
}

func newStreamCloser(s *mcp.Server) *streamCloser {
	return &streamCloser{calls: countCalls(s), servers: make(map[*http.Server]*serverStreams)}
}

// isStream reports whether r opens a long-lived stream rather than making a
// call: a GET (the legacy SSE stream, a stateful session's standalone
// stream), or a 2026-07-28 subscriptions/listen POST, which stays open for
// notifications. The SDK rejects a listen request whose Mcp-Method header
// does not match its body, so the header is reliable, and cheap to read.
func isStream(r *http.Request) bool {
	return r.Method == http.MethodGet ||
		r.Method == http.MethodPost && r.Header.Get("Mcp-Method") == "subscriptions/listen"
}

// wrap gives the streams h serves a context that ends on shutdown. Other
// requests keep their own context, so a call in flight at shutdown runs to
// the end.
func (c *streamCloser) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isStream(r) {
			h.ServeHTTP(w, r)
			return
		}
		srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
		if srv == nil { // not served by net/http (a test recorder, say)
			h.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(c.register(srv).ctx, cancel)
		defer stop()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// register returns the streams of srv, hooking them to its shutdown the
// first time.
func (c *streamCloser) register(srv *http.Server) *serverStreams {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ss, ok := c.servers[srv]; ok {
		return ss
	}
	ctx, cancel := context.WithCancel(context.Background())
	ss := &serverStreams{ctx: ctx, close: cancel}
	c.servers[srv] = ss
	srv.RegisterOnShutdown(func() { // called in a goroutine of its own
		c.calls.waitIdle(ctx)
		cancel()
	})
	return ss
}

// forget ends the streams of srv and drops it. Run calls it once srv has
// stopped; a server mounting Handler keeps its entry, which is small.
func (c *streamCloser) forget(srv *http.Server) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ss, ok := c.servers[srv]; ok {
		ss.close()
		delete(c.servers, srv)
	}
}

// callCounter counts the requests a server is handling, over any
// transport.
type callCounter struct{ n atomic.Int64 }

// counters holds the callCounter of each server, so that a server mounted
// twice is counted once. The keys are weak so that the map does not keep a
// server alive.
var counters sync.Map // weak.Pointer[mcp.Server] → *callCounter

// countCalls returns the callCounter of s, adding the middleware that
// feeds it the first time.
func countCalls(s *mcp.Server) *callCounter {
	key := weak.Make(s)
	if c, ok := counters.Load(key); ok {
		return c.(*callCounter)
	}
	v, loaded := counters.LoadOrStore(key, new(callCounter))
	c := v.(*callCounter)
	if !loaded {
		s.AddReceivingMiddleware(c.middleware)
		runtime.AddCleanup(s, func(key weak.Pointer[mcp.Server]) { counters.Delete(key) }, key)
	}
	return c
}

// middleware counts the requests next handles. Two atomic adds per call
// are all it costs. Notifications are not calls, and subscriptions/listen
// is a stream, which lasts until it is ended: counting it would keep
// streams open until the shutdown timeout.
func (c *callCounter) middleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if method == "subscriptions/listen" || strings.HasPrefix(method, "notifications/") {
			return next(ctx, method, req)
		}
		c.n.Add(1)
		defer c.n.Add(-1)
		return next(ctx, method, req)
	}
}

// settle is how long no call must be in flight before streams end. The
// count drops when a handler returns, a moment before the SDK writes its
// result to the stream (a legacy SSE client's only way to get it); the
// write takes microseconds, so this leaves ample room.
const settle = 50 * time.Millisecond

// waitIdle returns once no call has been in flight for settle, or when ctx
// is done. It polls: it runs only during shutdown, where a few
// milliseconds do not matter, and polling keeps the hot path to the two
// atomic adds.
func (c *callCounter) waitIdle(ctx context.Context) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	var idleSince time.Time
	for {
		if c.n.Load() > 0 {
			idleSince = time.Time{}
		} else if idleSince.IsZero() {
			idleSince = time.Now()
		} else if time.Since(idleSince) >= settle {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
