// Package store is the small key-value interface with expiry that the
// OAuth server keeps its state in: registered clients, pending
// authorizations, one-time codes, tokens and grants.
//
// Keys are strings and values bytes, each with an optional time to live,
// so that the same interface fits an embedded bbolt file ([OpenBolt], the
// default, which survives restarts), memory ([NewMemory], for tests and
// development) and, later, Redis.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get and Take for a key that is absent or has
// expired.
var ErrNotFound = errors.New("store: not found")

// Store is a key-value store whose entries may expire.
//
// Implementations are safe for concurrent use.
type Store interface {
	// Get returns the value stored under key, or ErrNotFound when it is
	// absent or expired.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put stores value under key, replacing any value there. A ttl of 0
	// means the entry never expires.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key. Deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// Take gets and deletes key atomically, for one-time codes and
	// refresh-token rotation: of two concurrent Takes of the same key, one
	// gets the value and the other ErrNotFound.
	Take(ctx context.Context, key string) ([]byte, error)
	// Close releases the store's resources.
	Close() error
}
