package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// impl opens a store of one implementation with the given clock; reopen,
// if not nil, closes and reopens it on the same backing data.
type impl struct {
	name string
	open func(t *testing.T, now func() time.Time) (s Store, reopen func() Store)
}

var impls = []impl{
	{"memory", func(t *testing.T, now func() time.Time) (Store, func() Store) {
		return newMemory(now), nil
	}},
	{"bolt", func(t *testing.T, now func() time.Time) (Store, func() Store) {
		path := filepath.Join(t.TempDir(), "sub", "oauth.db")
		s, err := openBolt(path, now)
		if err != nil {
			t.Fatal(err)
		}
		cur := s
		t.Cleanup(func() { cur.Close() })
		return s, func() Store {
			if err := cur.Close(); err != nil {
				t.Fatal(err)
			}
			s, err := openBolt(path, now)
			if err != nil {
				t.Fatal(err)
			}
			cur = s
			return s
		}
	}},
}

func TestStore(t *testing.T) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Run("basics", func(t *testing.T) { testBasics(t, im) })
			t.Run("expiry", func(t *testing.T) { testExpiry(t, im) })
			t.Run("take-once", func(t *testing.T) { testTakeOnce(t, im) })
			t.Run("reopen", func(t *testing.T) { testReopen(t, im) })
		})
	}
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

func testBasics(t *testing.T, im impl) {
	ctx := context.Background()
	s, _ := im.open(t, time.Now)
	mustBeGone(t, s, "a")
	if err := s.Put(ctx, "a", []byte("one"), 0); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "a", "one")
	if err := s.Put(ctx, "a", []byte("two"), 0); err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "a", "two")

	// The returned slice is the caller's: changing it changes nothing stored.
	v, _ := s.Get(ctx, "a")
	v[0] = 'X'
	mustGet(t, s, "a", "two")

	if err := s.Put(ctx, "", []byte("x"), 0); err == nil {
		t.Error("Put with an empty key succeeded")
	}
	if err := s.Put(ctx, "empty", nil, 0); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Take(ctx, "empty"); err != nil || len(v) != 0 {
		t.Fatalf("Take(empty) = %q, %v; want an empty value", v, err)
	}
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
}

func testExpiry(t *testing.T, im impl) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, _ := im.open(t, c.now)
	s.Put(ctx, "short", []byte("s"), time.Minute)
	s.Put(ctx, "long", []byte("l"), time.Hour)
	s.Put(ctx, "forever", []byte("f"), 0)
	s.Put(ctx, "take", []byte("t"), time.Minute)

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

func testTakeOnce(t *testing.T, im impl) {
	ctx := context.Background()
	s, _ := im.open(t, time.Now)
	const keys, takers = 20, 8
	for k := range keys {
		s.Put(ctx, string(rune('a'+k)), []byte("v"), time.Hour)
	}
	var won [keys]atomic.Int32
	var wg sync.WaitGroup
	for range takers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				v, err := s.Take(ctx, string(rune('a'+k)))
				switch {
				case err == nil && string(v) == "v":
					won[k].Add(1)
				case errors.Is(err, ErrNotFound):
				default:
					t.Errorf("Take: %q, %v", v, err)
				}
			}
		}()
	}
	wg.Wait()
	for k := range keys {
		if n := won[k].Load(); n != 1 {
			t.Errorf("key %d was taken %d times, want once", k, n)
		}
	}
}

func testReopen(t *testing.T, im impl) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	s, reopen := im.open(t, c.now)
	if reopen == nil {
		t.Skip("does not persist")
	}
	s.Put(ctx, "grant", []byte("g"), time.Hour)
	s.Put(ctx, "code", []byte("c"), time.Minute)
	s.Take(ctx, "code")
	s = reopen()
	mustGet(t, s, "grant", "g")
	mustBeGone(t, s, "code")
	// Expiry survives too.
	c.advance(time.Hour)
	mustBeGone(t, s, "grant")
}
