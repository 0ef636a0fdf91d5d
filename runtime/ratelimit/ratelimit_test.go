package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
	"github.com/mcpgen/mcpgen/runtime/internal/syncbuf"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// clock is a settable time source: limits are checked against it, so
// that no test depends on how fast it runs.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// backend opens empty stores of one kind. The stores expire keys on the
// wall clock, so the limits in these tests keep keys for many seconds
// (capacity) however slowly the tests run.
type backend struct {
	name string
	open func(t testing.TB) store.Store
}

// backends are memory, bbolt and Redis. A Redis store starts a
// redis-server for the test that opens it, which skips that test when
// there is none (unless MCPGEN_REQUIRE_SERVICES=1).
func backends() []backend {
	return []backend{
		{"memory", func(t testing.TB) store.Store {
			s := store.NewMemory()
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{"bolt", func(t testing.TB) store.Store {
			s, err := store.OpenBolt(filepath.Join(t.TempDir(), "limits.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{"redis", func(t testing.TB) store.Store {
			return openRedis(t, redistest.Start(t), "test:")
		}},
	}
}

// openRedis opens a client of srv whose keys start with prefix; two
// clients with one prefix are two replicas of one server.
func openRedis(t testing.TB, srv *redistest.Server, prefix string) store.Store {
	s, err := store.Open(context.Background(), &store.Config{URL: srv.URL(), Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// allow calls Allow and fails the test on an error.
func allow(t testing.TB, l *Limiter, key string, lim Limit) Decision {
	t.Helper()
	d, err := l.Allow(context.Background(), key, lim)
	if err != nil {
		t.Fatalf("Allow(%q): %v", key, err)
	}
	return d
}

// burst makes n calls at once and returns how many were allowed.
func burst(t testing.TB, l *Limiter, key string, lim Limit, n int) int {
	t.Helper()
	allowed := 0
	for range n {
		if allow(t, l, key, lim).Allowed {
			allowed++
		}
	}
	return allowed
}

func TestAllow(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			c := newClock()
			l := New(b.open(t), &Options{Now: c.now})
			lim := Limit{PerMinute: 60, Burst: 10}

			// A burst of Burst+5 calls: exactly 5 refused, and Remaining
			// counts down to 0.
			for i := range 10 {
				d := allow(t, l, "k", lim)
				if !d.Allowed || d.Remaining != 9-i {
					t.Fatalf("call %d: %+v, want allowed with %d remaining", i+1, d, 9-i)
				}
			}
			for i := range 5 {
				d := allow(t, l, "k", lim)
				if d.Allowed || d.RetryAfter != time.Second || d.Remaining != 0 {
					t.Fatalf("call %d over the burst: %+v, want refused, retry after 1s", i+1, d)
				}
			}

			// A second on, one call's worth has come back; a refusal later
			// in that second says how much of it is left to wait.
			c.advance(400 * time.Millisecond)
			if d := allow(t, l, "k", lim); d.Allowed || d.RetryAfter != 600*time.Millisecond {
				t.Fatalf("0.4s later: %+v, want refused, retry after 0.6s", d)
			}
			c.advance(600 * time.Millisecond)
			if got := burst(t, l, "k", lim, 3); got != 1 {
				t.Fatalf("1s later, %d of 3 calls allowed, want 1", got)
			}
			c.advance(3500 * time.Millisecond)
			if got := burst(t, l, "k", lim, 5); got != 3 {
				t.Fatalf("3.5s later, %d of 5 calls allowed, want 3", got)
			}
			// A long quiet spell gives back the burst, no more.
			c.advance(time.Hour)
			if got := burst(t, l, "k", lim, 15); got != 10 {
				t.Fatalf("an hour later, %d of 15 calls allowed, want 10", got)
			}

			// Other keys have budgets of their own.
			if got := burst(t, l, "other", lim, 12); got != 10 {
				t.Fatalf("another key: %d of 12 calls allowed, want 10", got)
			}
		})
	}
}

// TestAllowDefaultBurst checks that a zero Burst is a minute's calls, and
// that a subject keeping to PerMinute calls in every minute is never
// refused.
func TestAllowDefaultBurst(t *testing.T) {
	c := newClock()
	l := New(store.NewMemory(), &Options{Now: c.now})
	lim := Limit{PerMinute: 30}
	if got := burst(t, l, "k", lim, 31); got != 30 {
		t.Fatalf("%d of 31 calls allowed at once, want 30", got)
	}
	// 30 calls a minute, spread any way within each minute: all allowed.
	for minute := range 5 {
		c.advance(time.Minute - 29*time.Second)
		for i := range 30 {
			if d := allow(t, l, "k", lim); !d.Allowed {
				t.Fatalf("minute %d, call %d refused: %+v", minute, i+1, d)
			}
			if i < 29 {
				c.advance(time.Second)
			}
		}
	}
}

// TestAllowLimits checks that invalid limits are errors, from Validate
// and from Allow, and that the error names what is wrong.
func TestAllowLimits(t *testing.T) {
	l := New(store.NewMemory(), nil)
	for _, tc := range []struct {
		lim  Limit
		want string
	}{
		{Limit{}, "0 calls a minute: want at least 1"},
		{Limit{PerMinute: -1}, "want at least 1"},
		{Limit{PerMinute: 2_000_000}, "want at most"},
		{Limit{PerMinute: 10, Burst: -1}, "a burst of -1"},
		{Limit{PerMinute: 10, Burst: 2_000_000}, "a burst of 2000000"},
	} {
		if err := tc.lim.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v.Validate() = %v, want %q", tc.lim, err, tc.want)
		}
		if _, err := l.Allow(context.Background(), "k", tc.lim); err == nil {
			t.Errorf("Allow with %+v succeeded", tc.lim)
		}
	}
	for _, lim := range []Limit{{PerMinute: 1}, {PerMinute: 1_000_000, Burst: 1_000_000}, {PerMinute: 10, Burst: 1}} {
		if err := lim.Validate(); err != nil {
			t.Errorf("%+v.Validate() = %v", lim, err)
		}
	}
	if _, err := l.Allow(context.Background(), "", Limit{PerMinute: 1}); err == nil {
		t.Error("Allow with an empty key succeeded")
	}
}

// casRecorder records the compare-and-swaps made through it.
type casRecorder struct {
	store.Store
	mu   sync.Mutex
	keys []string
	ttls []time.Duration
}

func (r *casRecorder) CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.ttls = append(r.ttls, ttl)
	r.mu.Unlock()
	return r.Store.CompareAndSwap(ctx, key, old, new, ttl)
}

// TestAllowWrites checks what Allow writes: one key under the prefix, with
// a time to live that outlasts the state it holds, and nothing for a call
// it refuses.
func TestAllowWrites(t *testing.T) {
	c := newClock()
	rec := &casRecorder{Store: store.NewMemory()}
	l := New(rec, &Options{Now: c.now, Prefix: "limits:"})
	lim := Limit{PerMinute: 6, Burst: 2} // a call every 10s
	burst(t, l, "a/b", lim, 5)
	if len(rec.keys) != 2 {
		t.Fatalf("%d writes for 2 calls allowed and 3 refused, want 2", len(rec.keys))
	}
	for i, k := range rec.keys {
		if k != "limits:a/b" {
			t.Errorf("key %q, want limits:a/b", k)
		}
		// The state matters for a burst's time (20s) at most.
		if ttl := rec.ttls[i]; ttl < 20*time.Second || ttl > 30*time.Second {
			t.Errorf("time to live %v, want a little over 20s", ttl)
		}
	}
	// A value that no limiter wrote counts as a whole budget.
	st := store.NewMemory()
	st.Put(context.Background(), "ratelimit/x", []byte("not a time"), 0)
	l = New(st, &Options{Now: c.now})
	if got := burst(t, l, "x", lim, 3); got != 2 {
		t.Errorf("over a foreign value, %d of 3 calls allowed, want 2", got)
	}
}

// TestReplicasShareBudget runs two limiters, each with a Redis client of
// its own (two replicas), against one budget from many goroutines at
// once: exactly the burst is allowed, however the calls interleave.
func TestReplicasShareBudget(t *testing.T) {
	srv := redistest.Start(t)
	c := newClock()
	const prefix = "share:"
	replicas := []*Limiter{
		New(openRedis(t, srv, prefix), &Options{Now: c.now}),
		New(openRedis(t, srv, prefix), &Options{Now: c.now}),
	}
	lim := Limit{PerMinute: 60, Burst: 40}
	const workers, calls = 8, 10 // 80 calls for a budget of 40
	var allowed, refused atomic.Int64
	perReplica := make([]atomic.Int64, len(replicas))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			for range calls {
				r := w % len(replicas)
				d, err := replicas[r].Allow(context.Background(), "user:u1", lim)
				if err != nil {
					t.Error(err)
					return
				}
				if d.Allowed {
					allowed.Add(1)
					perReplica[r].Add(1)
				} else {
					refused.Add(1)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if allowed.Load() != 40 || refused.Load() != 40 {
		t.Fatalf("%d allowed and %d refused, want 40 and 40", allowed.Load(), refused.Load())
	}
	if perReplica[0].Load() == 0 || perReplica[1].Load() == 0 {
		t.Errorf("allowed per replica: %d and %d; both should have taken part", perReplica[0].Load(), perReplica[1].Load())
	}
	// The refill is shared too: a second on, one call between both.
	c.advance(time.Second)
	if a, b := allow(t, replicas[0], "user:u1", lim), allow(t, replicas[1], "user:u1", lim); a.Allowed == b.Allowed {
		t.Errorf("a second later: replica A %v, replica B %v; want exactly one allowed", a.Allowed, b.Allowed)
	}
	// Another user is untouched.
	if got := burst(t, replicas[1], "user:u2", lim, 41); got != 40 {
		t.Errorf("another user: %d of 41 allowed, want 40", got)
	}
}

// failingStore fails every call while down is set.
type failingStore struct {
	store.Store
	down atomic.Bool
}

func (f *failingStore) Get(ctx context.Context, key string) ([]byte, error) {
	if f.down.Load() {
		return nil, fmt.Errorf("dial tcp: connection refused: %w", store.ErrUnavailable)
	}
	return f.Store.Get(ctx, key)
}

func (f *failingStore) CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	if f.down.Load() {
		return false, fmt.Errorf("dial tcp: connection refused: %w", store.ErrUnavailable)
	}
	return f.Store.CompareAndSwap(ctx, key, old, new, ttl)
}

// syncBuffer collects logs written from many goroutines.
type syncBuffer = syncbuf.Buffer

// TestAllowFailure checks that a store failing is an error, logged once
// per outage, and that a caller giving up is no outage.
func TestAllowFailure(t *testing.T) {
	fs := &failingStore{Store: store.NewMemory()}
	logs := new(syncBuffer)
	l := New(fs, &Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	lim := Limit{PerMinute: 60}
	count := func(s string) int { return strings.Count(logs.String(), s) }
	const failed, back = "cannot check rate limits", "the store answers again"

	fs.down.Store(true)
	for range 5 {
		if _, err := l.Allow(context.Background(), "k", lim); !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Allow on a store that is down: %v, want ErrUnavailable", err)
		}
	}
	if count(failed) != 1 || count(back) != 0 {
		t.Fatalf("five failures logged %d times, want once:\n%s", count(failed), logs)
	}
	fs.down.Store(false)
	burst(t, l, "k", lim, 3)
	if count(back) != 1 {
		t.Fatalf("the recovery was logged %d times, want once:\n%s", count(back), logs)
	}
	fs.down.Store(true)
	l.Allow(context.Background(), "k", lim)
	l.Allow(context.Background(), "k", lim)
	if count(failed) != 2 {
		t.Fatalf("a second outage: %d failures logged in all, want 2:\n%s", count(failed), logs)
	}

	// A closed store fails too.
	st := store.NewMemory()
	st.Close()
	if _, err := New(st, nil).Allow(context.Background(), "k", lim); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Allow on a closed store: %v, want ErrClosed", err)
	}

	// A cancelled call is not the store's failure.
	fs.down.Store(false)
	burst(t, l, "k", lim, 1) // recovered
	before := logs.String()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cs := &cancelledStore{Store: fs}
	lc := New(cs, &Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if _, err := lc.Allow(ctx, "k", lim); err == nil {
		t.Fatal("Allow with a cancelled context succeeded")
	}
	if logs.String() != before {
		t.Errorf("a cancelled call was logged as a failure:\n%s", strings.TrimPrefix(logs.String(), before))
	}
}

// cancelledStore fails as a store does when its caller's context is done.
type cancelledStore struct{ store.Store }

func (c *cancelledStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.Store.Get(ctx, key)
}
