package store

import (
	"context"
	"sync"
	"time"
)

// NewMemory returns a Store that keeps its entries in memory, for tests
// and development. Its entries are lost when the process exits.
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
	now  func() time.Time
	mu   sync.Mutex
	m    map[string]entry
	puts int // since the last sweep
}

func (s *memory) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(key)
}

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
	e := entry{value: append([]byte(nil), value...)}
	if ttl > 0 {
		e.expires = s.now().Add(ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	s.m[key] = e
	return nil
}

// sweep drops expired entries every thousand Puts, so that a long-running
// process does not keep every code it ever issued.
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
	delete(s.m, key)
	return nil
}

func (s *memory) Take(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.get(key)
	delete(s.m, key)
	return v, err
}

func (s *memory) Close() error { return nil }
