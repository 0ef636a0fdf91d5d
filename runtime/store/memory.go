package store

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"
)

// NewMemory returns a Store that keeps its entries in memory, for tests
// and development. Its entries are lost when the process exits, and no
// other process sees them.
func NewMemory() Store { return newMemory(time.Now) }

func newMemory(now func() time.Time) *memory {
	return &memory{now: now, m: make(map[string]entry)}
}

type entry struct {
	value   []byte
	expires time.Time // zero: never
}

func (e entry) expired(now time.Time) bool { return !e.expires.IsZero() && !now.Before(e.expires) }

type memory struct {
	now    func() time.Time
	mu     sync.Mutex
	m      map[string]entry
	puts   int // since the last sweep
	closed bool
}

func (s *memory) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed("get")
	}
	return s.get(key)
}

func (s *memory) GetMany(ctx context.Context, keys ...string) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed("get-many")
	}
	out := make([][]byte, len(keys))
	for i, k := range keys {
		if v, err := s.get(k); err == nil {
			out[i] = nonNil(v)
		}
	}
	return out, nil
}

// nonNil is v, or an empty slice if v is nil: GetMany tells a stored
// empty value from an absent one by that.
func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}

// get returns key's value, deleting it if it has expired.
func (s *memory) get(key string) ([]byte, error) {
	e, ok := s.m[key]
	if !ok {
		return nil, ErrNotFound
	}
	if e.expired(s.now()) {
		delete(s.m, key)
		return nil, ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

func (s *memory) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if key == "" {
		return errEmptyKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed("put")
	}
	s.set(key, value, ttl)
	return nil
}

func (s *memory) set(key string, value []byte, ttl time.Duration) {
	e := entry{value: append([]byte(nil), value...)}
	if ttl > 0 {
		e.expires = s.now().Add(ttl)
	}
	s.sweep()
	s.m[key] = e
}

// sweep drops expired entries every thousand writes, so that a
// long-running process does not keep every code it ever issued.
func (s *memory) sweep() {
	if s.puts++; s.puts < 1000 {
		return
	}
	s.puts = 0
	now := s.now()
	for k, e := range s.m {
		if e.expired(now) {
			delete(s.m, k)
		}
	}
}

func (s *memory) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed("delete")
	}
	delete(s.m, key)
	return nil
}

func (s *memory) Take(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed("take")
	}
	v, err := s.get(key)
	delete(s.m, key)
	return v, err
}

func (s *memory) CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	if key == "" {
		return false, errEmptyKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, errClosed("compare-and-swap")
	}
	cur, err := s.get(key)
	if !matches(cur, err == nil, old) {
		return false, nil
	}
	if new == nil {
		delete(s.m, key)
	} else {
		s.set(key, new, ttl)
	}
	return true, nil
}

// matches reports whether a current value (cur, if exists) is what a
// CompareAndSwap expects (old, nil for absent).
func matches(cur []byte, exists bool, old []byte) bool {
	if old == nil {
		return !exists
	}
	return exists && bytes.Equal(cur, old)
}

func (s *memory) Shared() bool { return false }

func (s *memory) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.m = nil
	return nil
}

func errClosed(op string) error { return fmt.Errorf("store: %s: %w", op, ErrClosed) }
