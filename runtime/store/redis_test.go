package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// raw is a plain go-redis client on srv, to look at what the store wrote.
func raw(t *testing.T, srv *redistest.Server) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { c.Close() })
	return c
}

// TestRedisOutage kills the server under an open store: every call fails
// with ErrUnavailable, nothing panics, and once a server is back on the
// same address the same store works again.
func TestRedisOutage(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s, err := Open(ctx, &Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Shared() {
		t.Error("a Redis store says it is not shared")
	}
	mustPut(t, s, "k", "v", 0)

	srv.Stop()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s with Redis down: %v, want ErrUnavailable", op, err)
		}
	}
	_, err = s.Get(ctx, "k")
	check("Get", err)
	_, err = s.GetMany(ctx, "k", "l")
	check("GetMany", err)
	check("Put", s.Put(ctx, "k", []byte("v2"), 0))
	check("Delete", s.Delete(ctx, "k"))
	_, err = s.Take(ctx, "k")
	check("Take", err)
	_, err = s.CompareAndSwap(ctx, "k", nil, []byte("v"), time.Second)
	check("CompareAndSwap", err)
	_, err = Update(ctx, s, "k", 0, func([]byte, bool) ([]byte, error) { return []byte("x"), nil })
	check("Update", err)

	srv.Restart()
	// The pool redials on its own; wait for it rather than guess how long.
	waitFor(t, nil, 0, "the store to work again", func() bool {
		return s.Put(ctx, "k", []byte("back"), 0) == nil
	})
	mustGet(t, s, "k", "back")
	if vs, err := s.GetMany(ctx, "k", "l"); err != nil || string(vs[0]) != "back" || vs[1] != nil {
		t.Fatalf("GetMany after the restart: %q, %v", vs, err)
	}
	if v, err := s.Take(ctx, "k"); err != nil || string(v) != "back" {
		t.Fatalf("Take after the restart: %q, %v", v, err)
	}
	if ok, err := s.CompareAndSwap(ctx, "k", nil, []byte("v"), 0); !ok || err != nil {
		t.Fatalf("CompareAndSwap after the restart: %v, %v", ok, err)
	}
}

// TestRedisKeys checks how keys land in Redis: under the prefix, with
// their time to live in milliseconds.
func TestRedisKeys(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rc := raw(t, srv)
	a, err := Open(ctx, &Config{URL: srv.URL() + "?prefix=app-a:", Prefix: "ignored:"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, &Config{URL: srv.URL(), Prefix: "app-b:"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	d, err := Open(ctx, &Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	mustPut(t, a, "grant:1", "a", 1500*time.Millisecond)
	mustPut(t, b, "grant:1", "b", 0)
	mustPut(t, d, "grant:1", "d", 0)
	mustGet(t, a, "grant:1", "a")
	mustGet(t, b, "grant:1", "b")
	mustGet(t, d, "grant:1", "d")
	for key, want := range map[string]string{"app-a:grant:1": "a", "app-b:grant:1": "b", DefaultPrefix + "grant:1": "d"} {
		if v, err := rc.Get(ctx, key).Result(); err != nil || v != want {
			t.Errorf("Redis has %q = %q, %v; want %q", key, v, err, want)
		}
	}
	if ttl, err := rc.PTTL(ctx, "app-a:grant:1").Result(); err != nil || ttl <= 0 || ttl > 1500*time.Millisecond {
		t.Errorf("PTTL = %v, %v; want within (0, 1.5s]", ttl, err)
	}
	if ttl, _ := rc.PTTL(ctx, "app-b:grant:1").Result(); ttl != -1 {
		t.Errorf("a key without ttl has PTTL %v, want none (-1)", ttl)
	}
	ok, err := a.CompareAndSwap(ctx, "lock", nil, []byte("x"), 1500*time.Millisecond)
	if ttl, _ := rc.PTTL(ctx, "app-a:lock").Result(); !ok || err != nil || ttl <= 0 || ttl > 1500*time.Millisecond {
		t.Errorf("CompareAndSwap with a ttl: %v, %v, PTTL %v", ok, err, ttl)
	}
	// A value of another type under a key (some other program's) is an
	// error, not a value and not a panic.
	rc.LPush(ctx, "app-a:list", "x")
	if v, err := a.Get(ctx, "list"); err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
		t.Errorf("Get of a list: %q, %v; want a plain error", v, err)
	}
	if _, err := a.CompareAndSwap(ctx, "list", []byte("x"), []byte("y"), 0); err == nil {
		t.Error("CompareAndSwap on a list succeeded")
	}
	// GetMany (MGET) reads it as absent, and the others under the prefix.
	mustPut(t, a, "plain", "p", 0)
	if vs, err := a.GetMany(ctx, "list", "plain"); err != nil || vs[0] != nil || string(vs[1]) != "p" {
		t.Errorf("GetMany of a list and a value: %q, %v; want nil and %q", vs, err, "p")
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	// Unset: the bbolt file at Path, not shared.
	path := filepath.Join(dir, "a", "store.db")
	s, err := Open(ctx, ConfigFromEnv(func(name string) (string, bool) {
		return map[string]string{"STORE_PATH": path, "STORE_URL": " "}[name], true
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*boltStore); !ok || s.Shared() {
		t.Errorf("an unset STORE_URL opened %T (shared %v), want bbolt", s, s.Shared())
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("STORE_PATH: %v", err)
	}
	// Memory.
	s, err = Open(ctx, &Config{URL: "memory:", Path: filepath.Join(dir, "unused.db")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*memory); !ok || s.Shared() {
		t.Errorf("memory: opened %T", s)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "unused.db")); err == nil {
		t.Error("memory: created the bbolt file")
	}

	// Errors name STORE_URL and the forms it takes, and never a password.
	for _, tc := range []struct{ url, want string }{
		{"memory:x", "memory: takes nothing"},
		{"http://127.0.0.1:6379", `unknown scheme "http"`},
		{"127.0.0.1:6379", `unknown scheme "127.0.0.1"`},
		{"redis:///0", "names no host"},
		{"redis://user:s3cret@127.0.0.1:6379/notadb", "invalid database number"},
		{"redis://user:s3cret@127.0.0.1:6379/0?bogus=1", "bogus"},
		{"redis://user:s3cret@[::1", "does not parse"},
	} {
		_, err := Open(ctx, &Config{URL: tc.url})
		if err == nil {
			t.Errorf("STORE_URL=%s opened", tc.url)
			continue
		}
		msg := err.Error()
		for _, want := range []string{tc.want, "STORE_URL=", "redis://[user:password@]host:port/db", "rediss://"} {
			if !strings.Contains(msg, want) {
				t.Errorf("STORE_URL=%s: %q does not say %q", tc.url, msg, want)
			}
		}
		if strings.Contains(msg, "s3cret") {
			t.Errorf("STORE_URL=%s: the error shows the password: %q", tc.url, msg)
		}
	}

	// Nothing listening: a clear error at open.
	srv := redistest.Start(t)
	srv.Stop()
	_, err = Open(ctx, &Config{URL: "redis://user:s3cret@" + srv.Addr + "/0"})
	if err == nil || !strings.Contains(err.Error(), "cannot reach Redis at "+srv.Addr+" (STORE_URL)") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open with Redis down: %v", err)
	}
}
