package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Update changes the value under key by fn, with optimistic concurrency:
// it reads the value, calls fn with it (exists false, old nil when key is
// absent), and stores fn's result with a time to live of ttl only if
// nobody changed the value in between; if someone did, it reads again and
// calls fn again. fn may therefore run more than once, and must not have
// side effects beyond computing its result.
//
// A nil result from fn deletes key; an error from fn stops Update, which
// returns it and writes nothing. Update returns the value it stored.
//
// No write is ever lost: either fn's result, computed from the value it
// replaces, is stored, or Update returns an error and stores nothing.
// After a few conflicts in a row, with a short random pause between
// attempts so that writers racing for one key spread out, it gives up
// with an error wrapping [ErrConflict].
func Update(ctx context.Context, st Store, key string, ttl time.Duration, fn func(old []byte, exists bool) ([]byte, error)) ([]byte, error) {
	return update(ctx, st, key, ttl, fn, nil)
}

const (
	// updateAttempts bounds Update's tries: enough that writers racing on
	// one hot key from a few replicas all get through, few enough that a
	// caller stuck behind a runaway writer hears about it.
	updateAttempts = 16
	// The pause after the n-th conflict is random in [0, min(base<<n, max)).
	updateBackoffBase = time.Millisecond
	updateBackoffMax  = 64 * time.Millisecond
)

// update is Update, counting conflicts in *conflicts when it is not nil
// (for the benchmarks).
func update(ctx context.Context, st Store, key string, ttl time.Duration, fn func([]byte, bool) ([]byte, error), conflicts *int64) ([]byte, error) {
	for attempt := range updateAttempts {
		old, err := st.Get(ctx, key)
		exists := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if exists && old == nil {
			old = []byte{} // present, if empty: CompareAndSwap's nil means absent
		}
		next, err := fn(old, exists)
		if err != nil {
			return nil, err
		}
		var expect []byte
		if exists {
			expect = old
		}
		if next == nil && !exists {
			return nil, nil // deleting what is not there
		}
		ok, err := st.CompareAndSwap(ctx, key, expect, next, ttl)
		if err != nil {
			return nil, err
		}
		if ok {
			return next, nil
		}
		if conflicts != nil {
			*conflicts++
		}
		if attempt == updateAttempts-1 {
			break
		}
		pause := rand.N(min(updateBackoffBase<<attempt, updateBackoffMax))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("store: update of %q: %w", key, ctx.Err())
		case <-time.After(pause):
		}
	}
	return nil, fmt.Errorf("store: update of %q: gave up after %d attempts: %w", key, updateAttempts, ErrConflict)
}
