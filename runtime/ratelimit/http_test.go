package ratelimit

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
)

// httpEnv is an endpoint behind HTTP limits, on 127.0.0.1.
type httpEnv struct {
	t      *testing.T
	url    string
	served atomic.Int64 // requests that reached the endpoint
}

func newHTTPEnv(t *testing.T, l *Limiter, routes map[string]Limit, failOpen bool) *httpEnv {
	e := &httpEnv{t: t}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.served.Add(1)
		io.WriteString(w, "ok")
	})
	mux := http.NewServeMux()
	for name, lim := range routes {
		h, err := l.HTTP(name, lim, failOpen, ok)
		if err != nil {
			t.Fatal(err)
		}
		mux.Handle("/"+name, h)
	}
	ts := httptest.NewServer(withAddr(mux))
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

// response is what a test checks of one.
type response struct {
	status     int
	retryAfter string
	body       map[string]string
}

// get requests path, from addr when it is set (as the HTTP layer would
// have worked it out) and otherwise from the connection's address.
func (e *httpEnv) get(path, addr string) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url+path, nil)
	if addr != "" {
		req.Header.Set(addrHeader, addr)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	r := response{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if resp.StatusCode != http.StatusOK {
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			e.t.Errorf("a refusal's Content-Type is %q", ct)
		}
		if err := json.NewDecoder(resp.Body).Decode(&r.body); err != nil {
			e.t.Fatalf("a refusal's body: %v", err)
		}
	}
	return r
}

// gets makes n requests and returns how many were served.
func (e *httpEnv) gets(path, addr string, n int) int {
	e.t.Helper()
	served := 0
	for range n {
		if e.get(path, addr).status == http.StatusOK {
			served++
		}
	}
	return served
}

func TestHTTP(t *testing.T) {
	c := newClock()
	l := New(store.NewMemory(), &Options{Now: c.now})
	lim := Limit{PerMinute: 60, Burst: 3}
	e := newHTTPEnv(t, l, map[string]Limit{"token": lim, "register": {PerMinute: 2}}, false)

	// From the connection's address (127.0.0.1).
	if got := e.gets("/token", "", 3); got != 3 {
		t.Fatalf("%d of the first 3 requests served", got)
	}
	r := e.get("/token", "")
	if r.status != http.StatusTooManyRequests || r.retryAfter != "1" || r.body["error"] != "temporarily_unavailable" ||
		r.body["error_description"] != "rate limit exceeded: 60 requests a minute (at most 3 at once) per client address; retry in 1s" {
		t.Fatalf("over the limit: %+v", r)
	}
	if n := e.served.Load(); n != 3 {
		t.Fatalf("%d requests reached the endpoint, want 3", n)
	}

	// The address the HTTP layer worked out wins over the connection's,
	// and each address has its own budget.
	if got := e.gets("/token", "192.0.2.1", 4); got != 3 {
		t.Errorf("another address: %d of 4 served, want 3", got)
	}
	// An IPv6 client counts by its /64.
	if got := e.gets("/token", "2001:db8::1", 2) + e.gets("/token", "2001:db8::ffff:2", 2); got != 3 {
		t.Errorf("two addresses in one /64: %d of 4 served, want 3", got)
	}
	if got := e.gets("/token", "2001:db8:0:1::1", 3); got != 3 {
		t.Errorf("another /64: %d of 3 served, want 3", got)
	}
	// An IPv4 address written as IPv6 is the IPv4 address.
	if r := e.get("/token", "::ffff:192.0.2.1"); r.status != http.StatusTooManyRequests {
		t.Errorf("192.0.2.1 as IPv6: %d, want 429", r.status)
	}

	// Each name has its own budget; a wait longer than a second is
	// rounded up.
	if got := e.gets("/register", "", 3); got != 2 {
		t.Errorf("register: %d of 3 served, want 2", got)
	}
	c.advance(10500 * time.Millisecond)
	if r := e.get("/register", ""); r.status != http.StatusTooManyRequests || r.retryAfter != "20" ||
		!strings.HasSuffix(r.body["error_description"], "2 requests a minute per client address; retry in 20s") {
		t.Errorf("register 10.5s later: %+v, want 429 with Retry-After 20", r)
	}
	c.advance(19500 * time.Millisecond)
	if got := e.gets("/register", "", 2); got != 1 {
		t.Errorf("register 30s later: %d of 2 served, want 1", got)
	}
}

func TestHTTPFailure(t *testing.T) {
	fs := &failingStore{Store: store.NewMemory()}
	fs.down.Store(true)
	var heard atomic.Int64
	l := New(fs, &Options{Logger: slog.New(slog.DiscardHandler), OnRefused: func(_ context.Context, scope string, err error) {
		if scope == "closed" && err != nil {
			heard.Add(1)
		}
	}})
	lim := Limit{PerMinute: 60}
	e := newHTTPEnv(t, l, map[string]Limit{"closed": lim}, false)
	r := e.get("/closed", "")
	if r.status != http.StatusServiceUnavailable || r.retryAfter != "5" || r.body["error"] != "temporarily_unavailable" ||
		!strings.Contains(r.body["error_description"], "could not be checked") {
		t.Errorf("failing closed: %+v, want 503 temporarily_unavailable with Retry-After", r)
	}
	if heard.Load() != 1 {
		t.Errorf("OnRefused heard %d refusals, want 1", heard.Load())
	}
	open := newHTTPEnv(t, l, map[string]Limit{"open": lim}, true)
	if r := open.get("/open", ""); r.status != http.StatusOK {
		t.Errorf("failing open: %d, want 200", r.status)
	}
	if e.served.Load() != 0 || open.served.Load() != 1 {
		t.Errorf("served %d failing closed and %d failing open, want 0 and 1", e.served.Load(), open.served.Load())
	}

	if _, err := l.HTTP("x", Limit{}, false, http.NotFoundHandler()); err == nil {
		t.Error("HTTP with an invalid limit succeeded")
	}
	if _, err := l.HTTP("", lim, false, http.NotFoundHandler()); err == nil {
		t.Error("HTTP without a name succeeded")
	}
}
