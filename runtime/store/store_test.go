package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
	bolt "go.etcd.io/bbolt"
)

// clock is a settable time source for expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

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

// backend opens empty stores of one implementation for the contract
// tests.
type backend struct {
	name string
	// open returns a new, empty store, closed at the end of the test. Its
	// clock is nil for a backend on the wall clock (Redis), which expires
	// entries on its own.
	open func(t *testing.T) (Store, *clock)
	// reopen, if not nil, closes s and opens the same data again.
	reopen func(t *testing.T, s Store) Store
}

func memoryBackend() backend {
	return backend{name: "memory", open: func(t *testing.T) (Store, *clock) {
		c := &clock{t: time.Now()}
		s := newMemory(c.now)
		t.Cleanup(func() { s.Close() })
		return s, c
	}}
}

func boltBackend() backend {
	paths := map[Store]string{}
	clocks := map[Store]*clock{}
	var mu sync.Mutex
	open := func(t *testing.T, path string, c *clock) Store {
		s, err := openBolt(path, c.now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		mu.Lock()
		paths[s], clocks[s] = path, c
		mu.Unlock()
		return s
	}
	return backend{
		name: "bolt",
		open: func(t *testing.T) (Store, *clock) {
			c := &clock{t: time.Now()}
			return open(t, filepath.Join(t.TempDir(), "sub", "oauth.db"), c), c
		},
		reopen: func(t *testing.T, s Store) Store {
			mu.Lock()
			path, c := paths[s], clocks[s]
			mu.Unlock()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t, path, c)
		},
	}
}

// redisBackend starts a redis-server for the tests under t; each store
// gets a prefix of its own in it, so each starts empty.
func redisBackend(t *testing.T) (backend, *redistest.Server) {
	srv := redistest.Start(t)
	var n atomic.Int64
	return backend{name: "redis", open: func(t *testing.T) (Store, *clock) {
		s, err := Open(context.Background(), &Config{URL: srv.URL(), Prefix: fmt.Sprintf("test%d:", n.Add(1))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, nil
	}}, srv
}

// TestStore runs the contract every backend must keep.
func TestStore(t *testing.T) {
	cases := []struct {
		name string
		fn   func(*testing.T, backend)
	}{
		{"basics", testBasics},
		{"get-many", testGetMany},
		{"compare-and-swap", testCompareAndSwap},
		{"expiry", testExpiry},
		{"expiry-exact", testExpiryExact},
		{"take-once", testTakeOnce},
		{"update-contention", testUpdateContention},
		{"update", testUpdate},
		{"large-values", testLarge},
		{"closed", testClosed},
		{"reopen", testReopen},
	}
	run := func(t *testing.T, b backend) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { c.fn(t, b) })
		}
	}
	t.Run("memory", func(t *testing.T) { run(t, memoryBackend()) })
	t.Run("bolt", func(t *testing.T) { run(t, boltBackend()) })
	t.Run("redis", func(t *testing.T) {
		b, _ := redisBackend(t)
		run(t, b)
	})
}

func mustGet(t *testing.T, s Store, key, want string) {
	t.Helper()
	got, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if string(got) != want {
		t.Fatalf("Get(%q) = %q, want %q", key, got, want)
	}
}

func mustBeGone(t *testing.T, s Store, key string) {
	t.Helper()
	if v, err := s.Get(context.Background(), key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", key, v, err)
	}
}

func mustPut(t *testing.T, s Store, key, value string, ttl time.Duration) {
	t.Helper()
	if err := s.Put(context.Background(), key, []byte(value), ttl); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// waitFor polls cond until it holds, moving the backend's clock (if it has
// one) by step between polls; it fails the test after a generous deadline
// of real time rather than asserting how long anything took.
func waitFor(t *testing.T, c *clock, step time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		if c != nil {
			c.advance(step)
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func testBasics(t *testing.T, b backend) {
	ctx := context.Background()
	s, _ := b.open(t)
	mustBeGone(t, s, "a")
	mustPut(t, s, "a", "one", 0)
	mustGet(t, s, "a", "one")
	mustPut(t, s, "a", "two", 0)
	mustGet(t, s, "a", "two")

	// The returned slice is the caller's: changing it changes nothing stored.
	v, _ := s.Get(ctx, "a")
	v[0] = 'X'
	mustGet(t, s, "a", "two")
	// And so is the slice passed in.
	in := []byte("three")
	s.Put(ctx, "a", in, 0)
	in[0] = 'X'
	mustGet(t, s, "a", "three")

	if err := s.Put(ctx, "", []byte("x"), 0); err == nil {
		t.Error("Put with an empty key succeeded")
	}
	if _, err := s.CompareAndSwap(ctx, "", nil, []byte("x"), 0); err == nil {
		t.Error("CompareAndSwap with an empty key succeeded")
	}
	if err := s.Put(ctx, "empty", nil, 0); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "empty"); err != nil || len(v) != 0 {
		t.Fatalf("Get(empty) = %q, %v; want an empty value", v, err)
	}
	if v, err := s.Take(ctx, "empty"); err != nil || len(v) != 0 {
		t.Fatalf("Take(empty) = %q, %v; want an empty value", v, err)
	}
	mustBeGone(t, s, "empty")
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	mustBeGone(t, s, "a")
	if err := s.Delete(ctx, "never-there"); err != nil {
		t.Fatalf("Delete of an absent key: %v", err)
	}
	if _, err := s.Take(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Take of a deleted key: %v, want ErrNotFound", err)
	}
	// Keys are arbitrary strings.
	odd := "grant:ü\x00 *?[]"
	mustPut(t, s, odd, "odd", 0)
	mustGet(t, s, odd, "odd")
}

func testGetMany(t *testing.T, b backend) {
	ctx := context.Background()
	s, c := b.open(t)
	getMany := func(keys ...string) [][]byte {
		t.Helper()
		vs, err := s.GetMany(ctx, keys...)
		if err != nil {
			t.Fatalf("GetMany(%q): %v", keys, err)
		}
		if len(vs) != len(keys) {
			t.Fatalf("GetMany(%q) = %d values, want %d", keys, len(vs), len(keys))
		}
		return vs
	}
	if vs, err := s.GetMany(ctx); err != nil || len(vs) != 0 {
		t.Fatalf("GetMany() = %q, %v; want no values", vs, err)
	}
	odd := "grant:ü\x00 *?[]"
	mustPut(t, s, "a", "one", 0)
	mustPut(t, s, "empty", "", 0)
	mustPut(t, s, odd, "odd", time.Hour)
	vs := getMany("a", "missing", "empty", odd, "a")
	for i, want := range []string{"one", "", "", "odd", "one"} {
		if string(vs[i]) != want {
			t.Errorf("value %d = %q, want %q", i, vs[i], want)
		}
	}
	// Absent is nil; a stored empty value is not.
	if vs[1] != nil {
		t.Errorf("an absent key read as %q, want nil", vs[1])
	}
	if vs[2] == nil {
		t.Error("a stored empty value read as absent (nil)")
	}
	// The slices are the caller's, each its own.
	vs[0][0] = 'X'
	if string(vs[4]) != "one" {
		t.Errorf("changing one value changed another: %q", vs[4])
	}
	mustGet(t, s, "a", "one")

	// Many keys read as Get reads them, in order.
	var keys []string
	for i := range 100 {
		k := "k" + strconv.Itoa(i)
		keys = append(keys, k)
		if i%3 != 0 {
			mustPut(t, s, k, "v"+strconv.Itoa(i), time.Hour)
		}
	}
	for i, v := range getMany(keys...) {
		got, err := s.Get(ctx, keys[i])
		if (v == nil) != errors.Is(err, ErrNotFound) || string(v) != string(got) {
			t.Fatalf("GetMany read %q as %q; Get reads %q, %v", keys[i], v, got, err)
		}
	}

	// An expired key reads as absent, beside one that has not expired.
	mustPut(t, s, "short", "s", 30*time.Millisecond)
	waitFor(t, c, time.Second, "short to expire", func() bool {
		return getMany("short", "a")[0] == nil
	})
	if v := getMany("short", "a")[1]; string(v) != "one" {
		t.Fatalf("after short expired, a = %q", v)
	}
	mustBeGone(t, s, "short")
}

func testCompareAndSwap(t *testing.T, b backend) {
	ctx := context.Background()
	s, c := b.open(t)
	cas := func(key string, old, new []byte, ttl time.Duration) bool {
		t.Helper()
		ok, err := s.CompareAndSwap(ctx, key, old, new, ttl)
		if err != nil {
			t.Fatalf("CompareAndSwap(%q, %q, %q): %v", key, old, new, err)
		}
		return ok
	}
	// nil old: only if absent.
	if !cas("lock", nil, []byte("me"), time.Hour) {
		t.Fatal("creating an absent key failed")
	}
	if cas("lock", nil, []byte("you"), time.Hour) {
		t.Fatal("creating a present key succeeded")
	}
	mustGet(t, s, "lock", "me")
	// Present: only if equal.
	if cas("lock", []byte("you"), []byte("x"), 0) {
		t.Fatal("a swap expecting the wrong value succeeded")
	}
	if cas("absent", []byte("x"), []byte("y"), 0) {
		t.Fatal("a swap expecting a value of an absent key succeeded")
	}
	mustBeGone(t, s, "absent")
	if !cas("lock", []byte("me"), []byte("me2"), 0) {
		t.Fatal("a swap expecting the right value failed")
	}
	mustGet(t, s, "lock", "me2")
	// nil new: delete if equal.
	if cas("lock", []byte("me"), nil, 0) {
		t.Fatal("a delete expecting a stale value succeeded")
	}
	if !cas("lock", []byte("me2"), nil, 0) {
		t.Fatal("a delete expecting the right value failed")
	}
	mustBeGone(t, s, "lock")
	// Empty is a value, not absence.
	mustPut(t, s, "empty", "", 0)
	if cas("empty", nil, []byte("x"), 0) {
		t.Fatal("an empty value was taken for an absent key")
	}
	if !cas("empty", []byte{}, []byte("x"), 0) {
		t.Fatal("a swap expecting the empty value failed")
	}
	mustGet(t, s, "empty", "x")
	// A swap sets the time to live, and an expired key counts as absent.
	if !cas("short", nil, []byte("s"), 50*time.Millisecond) {
		t.Fatal("creating short failed")
	}
	waitFor(t, c, time.Second, "short to expire", func() bool {
		ok, err := s.CompareAndSwap(ctx, "short", nil, []byte("again"), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	})
	mustGet(t, s, "short", "again")
}

// testExpiry works on every backend: with a clock it moves the clock, on
// Redis it waits for the server to expire the entry.
func testExpiry(t *testing.T, b backend) {
	ctx := context.Background()
	s, c := b.open(t)
	mustPut(t, s, "short", "s", 30*time.Millisecond)
	mustPut(t, s, "take", "t", 30*time.Millisecond)
	mustPut(t, s, "long", "l", time.Hour)
	mustPut(t, s, "forever", "f", 0)
	mustPut(t, s, "negative", "n", -time.Second) // never expires, like 0
	waitFor(t, c, time.Second, "short to expire", func() bool {
		_, err := s.Get(ctx, "short")
		return errors.Is(err, ErrNotFound)
	})
	waitFor(t, c, time.Second, "take to expire", func() bool {
		_, err := s.Take(ctx, "take")
		return errors.Is(err, ErrNotFound)
	})
	mustGet(t, s, "long", "l")
	mustGet(t, s, "forever", "f")
	mustGet(t, s, "negative", "n")
	// A Put without a ttl makes an expiring key permanent.
	mustPut(t, s, "long", "l2", 0)
	if c != nil {
		c.advance(100 * 24 * time.Hour)
		mustGet(t, s, "long", "l2")
	}
}

// testExpiryExact checks the boundary, on the backends whose clock the
// test moves.
func testExpiryExact(t *testing.T, b backend) {
	ctx := context.Background()
	s, c := b.open(t)
	if c == nil {
		t.Skip("the backend keeps its own time")
	}
	mustPut(t, s, "short", "s", time.Minute)
	mustPut(t, s, "long", "l", time.Hour)
	mustPut(t, s, "forever", "f", 0)
	mustPut(t, s, "take", "t", time.Minute)

	c.advance(time.Minute - time.Nanosecond)
	mustGet(t, s, "short", "s")

	c.advance(time.Nanosecond)
	mustBeGone(t, s, "short")
	if _, err := s.Take(ctx, "take"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Take of an expired key: %v, want ErrNotFound", err)
	}
	mustGet(t, s, "long", "l")

	c.advance(100 * 24 * time.Hour)
	mustBeGone(t, s, "long")
	mustGet(t, s, "forever", "f")

	if b, ok := s.(*boltStore); ok {
		// The periodic sweep removes what nobody reads again.
		s.Put(ctx, "unread", []byte("u"), time.Second)
		c.advance(time.Second)
		if err := b.sweep(); err != nil {
			t.Fatal(err)
		}
		n := 0
		b.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucket).Stats().KeyN; return nil })
		if n != 1 { // only "forever" is left
			t.Fatalf("after a sweep %d entries remain, want 1", n)
		}
	}
}

// testTakeOnce has 50 takers race for each of several keys: exactly one
// gets each.
func testTakeOnce(t *testing.T, b backend) {
	ctx := context.Background()
	s, _ := b.open(t)
	const keys, takers = 10, 50
	for k := range keys {
		mustPut(t, s, "code:"+strconv.Itoa(k), "v"+strconv.Itoa(k), time.Hour)
	}
	var won [keys]atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range takers {
		wg.Go(func() {
			<-start
			for k := range keys {
				v, err := s.Take(ctx, "code:"+strconv.Itoa(k))
				switch {
				case err == nil && string(v) == "v"+strconv.Itoa(k):
					won[k].Add(1)
				case errors.Is(err, ErrNotFound):
				default:
					t.Errorf("Take: %q, %v", v, err)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	for k := range keys {
		if n := won[k].Load(); n != 1 {
			t.Errorf("key %d was taken %d times, want once", k, n)
		}
		mustBeGone(t, s, "code:"+strconv.Itoa(k))
	}
}

// testUpdateContention has 8 writers increment one counter 50 times each:
// no increment may be lost.
func testUpdateContention(t *testing.T, b backend) {
	ctx := context.Background()
	s, _ := b.open(t)
	const writers, increments = 8, 50
	incr := func(old []byte, exists bool) ([]byte, error) {
		n := 0
		if exists {
			var err error
			if n, err = strconv.Atoi(string(old)); err != nil {
				return nil, err
			}
		}
		return []byte(strconv.Itoa(n + 1)), nil
	}
	var done, gaveUp atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range writers {
		wg.Go(func() {
			<-start
			for range increments {
				for {
					_, err := Update(ctx, s, "counter", time.Hour, incr)
					if errors.Is(err, ErrConflict) {
						// Nothing was written: try again, as a caller would.
						gaveUp.Add(1)
						continue
					}
					if err != nil {
						t.Errorf("Update: %v", err)
						return
					}
					done.Add(1)
					break
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if done.Load() != writers*increments {
		t.Fatalf("%d updates succeeded, want %d", done.Load(), writers*increments)
	}
	mustGet(t, s, "counter", strconv.Itoa(writers*increments))
	t.Logf("Update gave up %d times", gaveUp.Load())
}

func testUpdate(t *testing.T, b backend) {
	ctx := context.Background()
	s, c := b.open(t)
	// Creating, with the ttl.
	v, err := Update(ctx, s, "k", 50*time.Millisecond, func(old []byte, exists bool) ([]byte, error) {
		if exists || old != nil {
			t.Errorf("an absent key was passed as %q, %v", old, exists)
		}
		return []byte("a"), nil
	})
	if err != nil || string(v) != "a" {
		t.Fatalf("Update = %q, %v", v, err)
	}
	waitFor(t, c, time.Second, "k to expire", func() bool {
		_, err := s.Get(ctx, "k")
		return errors.Is(err, ErrNotFound)
	})
	// An empty value exists.
	mustPut(t, s, "empty", "", 0)
	Update(ctx, s, "empty", 0, func(old []byte, exists bool) ([]byte, error) {
		if !exists || old == nil || len(old) != 0 {
			t.Errorf("an empty value was passed as %q, %v", old, exists)
		}
		return old, nil
	})
	// An error from fn writes nothing.
	mustPut(t, s, "k", "a", 0)
	boom := errors.New("boom")
	if _, err := Update(ctx, s, "k", 0, func([]byte, bool) ([]byte, error) { return []byte("b"), boom }); err != boom {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	mustGet(t, s, "k", "a")
	// nil deletes.
	if _, err := Update(ctx, s, "k", 0, func([]byte, bool) ([]byte, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	mustBeGone(t, s, "k")
	// A writer that always wins makes Update give up, with ErrConflict,
	// having written nothing of its own.
	var calls int
	_, err = Update(ctx, s, "hot", 0, func(old []byte, exists bool) ([]byte, error) {
		calls++
		s.Put(ctx, "hot", []byte("other"+strconv.Itoa(calls)), 0)
		return []byte("mine"), nil
	})
	if !errors.Is(err, ErrConflict) || calls != updateAttempts {
		t.Fatalf("Update under a writer that always wins: %v after %d calls, want ErrConflict after %d", err, calls, updateAttempts)
	}
	mustGet(t, s, "hot", "other"+strconv.Itoa(calls))
	// A cancelled context stops the retries.
	cctx, cancel := context.WithCancel(ctx)
	_, err = Update(cctx, s, "hot", 0, func([]byte, bool) ([]byte, error) {
		cancel()
		s.Put(ctx, "hot", []byte(rand.Text()), 0)
		return []byte("mine"), nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update with a cancelled context: %v", err)
	}
}

func testLarge(t *testing.T, b backend) {
	ctx := context.Background()
	s, _ := b.open(t)
	big := make([]byte, 1<<20)
	rand.Read(big)
	if err := s.Put(ctx, "big", big, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "big")
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("Get of 1 MiB: %d bytes, %v", len(got), err)
	}
	big2 := bytes.Clone(big)
	big2[len(big2)-1] ^= 1
	if ok, err := s.CompareAndSwap(ctx, "big", big2, []byte("x"), 0); ok || err != nil {
		t.Fatalf("a swap expecting a value differing in its last byte: %v, %v", ok, err)
	}
	if ok, err := s.CompareAndSwap(ctx, "big", big, big2, time.Hour); !ok || err != nil {
		t.Fatalf("a swap of 1 MiB values: %v, %v", ok, err)
	}
	got, err = s.Take(ctx, "big")
	if err != nil || !bytes.Equal(got, big2) {
		t.Fatalf("Take of 1 MiB: %d bytes, %v", len(got), err)
	}
}

func testClosed(t *testing.T, b backend) {
	ctx := context.Background()
	s, _ := b.open(t)
	mustPut(t, s, "k", "v", 0)
	if err := Ping(ctx, s); err != nil {
		t.Fatalf("Ping of an open store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("closing twice: %v", err)
	}
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", op, err)
		}
	}
	_, err := s.Get(ctx, "k")
	check("Get", err)
	_, err = s.GetMany(ctx, "k", "l")
	check("GetMany", err)
	check("Put", s.Put(ctx, "k", []byte("v"), 0))
	check("Delete", s.Delete(ctx, "k"))
	_, err = s.Take(ctx, "k")
	check("Take", err)
	_, err = s.CompareAndSwap(ctx, "k", nil, []byte("v"), 0)
	check("CompareAndSwap", err)
	check("Ping", Ping(ctx, s))
	_, err = Update(ctx, s, "k", 0, func([]byte, bool) ([]byte, error) { return []byte("v"), nil })
	check("Update", err)
}

func testReopen(t *testing.T, b backend) {
	ctx := context.Background()
	if b.reopen == nil {
		t.Skip("does not persist across opens")
	}
	s, c := b.open(t)
	s.Put(ctx, "grant", []byte("g"), time.Hour)
	s.Put(ctx, "code", []byte("c"), time.Minute)
	s.Take(ctx, "code")
	s = b.reopen(t, s)
	mustGet(t, s, "grant", "g")
	mustBeGone(t, s, "code")
	// Expiry survives too.
	c.advance(time.Hour)
	mustBeGone(t, s, "grant")
}
