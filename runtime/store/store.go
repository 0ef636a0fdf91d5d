// Package store is the small key-value interface with expiry that a
// generated server keeps its state in: the OAuth server's registered
// clients, pending authorizations, one-time codes, tokens and grants, and
// whatever state its tools keep.
//
// Keys are strings and values bytes, each with an optional time to live.
// Three backends implement one contract, and one test suite holds them to
// it:
//
//   - a bbolt file on local disk ([OpenBolt], the default), which keeps
//     grants across restarts with nothing to set up, for one process;
//   - memory ([NewMemory]), for tests and development;
//   - Redis ([Open] with a redis:// or rediss:// URL), shared by every
//     replica of a server behind a load balancer.
//
// [Open] picks one from a single setting, STORE_URL (see [Config]).
//
// Besides Get (and GetMany, several keys at once), Put and Delete, the
// contract has two atomic operations that make several processes safe to
// run against one store: Take, which gets and deletes (a one-time code is
// redeemed once, whoever asks), and CompareAndSwap, on which [Update]
// builds read-modify-write with optimistic concurrency (a counter
// incremented from many replicas loses no increment).
//
// Errors: a missing key is [ErrNotFound]; a backend that cannot be reached
// (Redis down, a network fault) is [ErrUnavailable], and the same store
// works again once the backend is back; a closed store is [ErrClosed];
// [Update] giving up under contention is [ErrConflict].
package store

import (
	"context"
	"errors"
	"time"
)

var (
	// ErrNotFound is returned by Get and Take for a key that is absent or
	// has expired.
	ErrNotFound = errors.New("store: not found")
	// ErrUnavailable is wrapped by the errors of a store whose backend
	// cannot be reached at the moment, such as a Redis server that is down.
	// The store keeps working once the backend is back: nothing needs to be
	// reopened.
	ErrUnavailable = errors.New("store: unavailable")
	// ErrClosed is wrapped by the errors of a store used after Close.
	ErrClosed = errors.New("store: closed")
	// ErrConflict is wrapped by the error of an [Update] that lost the race
	// for its key to other writers too many times in a row. Nothing was
	// written; the caller may try again.
	ErrConflict = errors.New("store: too many concurrent updates")
)

// Store is a key-value store whose entries may expire.
//
// A value of nil and an empty value are the same once stored: Get returns
// a value of length 0 for either. Slices returned are the caller's, and
// slices passed in are not kept.
//
// Implementations are safe for concurrent use, by one process (memory,
// bbolt) or by many (Redis).
type Store interface {
	// Get returns the value stored under key, or ErrNotFound when it is
	// absent or expired.
	Get(ctx context.Context, key string) ([]byte, error)
	// GetMany returns the values stored under keys, one per key in the
	// same order, read at one moment and, on Redis, in one round trip:
	// for a check that needs several records on every request. The value
	// of a key that is absent or expired is nil; a stored empty value is
	// empty but not nil. (On Redis a key holding something other than a
	// string, which this store never writes, reads as absent.) The error
	// is only for the store failing; no keys means no values and no call
	// to the backend.
	GetMany(ctx context.Context, keys ...string) ([][]byte, error)
	// Put stores value under key, replacing any value there. A ttl of 0
	// (or less) means the entry never expires.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key. Deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// Take gets and deletes key atomically, for one-time codes and
	// refresh-token rotation: of any number of concurrent Takes of the same
	// key, from any number of processes, one gets the value and the others
	// ErrNotFound.
	Take(ctx context.Context, key string) ([]byte, error)
	// CompareAndSwap replaces the value under key with new, with a time to
	// live of ttl, if and only if the value there is old, atomically; it
	// reports whether it did. A nil old means "only if key is absent (or
	// expired)"; a non-nil old, even an empty one, means "only if key holds
	// exactly these bytes". A nil new deletes key instead of storing a
	// value. So CompareAndSwap(ctx, k, nil, v, ttl) creates k unless it
	// exists (a lock), and CompareAndSwap(ctx, k, v, nil, 0) deletes k only
	// if it still holds v (releasing that lock).
	//
	// A false result with a nil error means the value was not old: someone
	// else changed it first. [Update] retries on that.
	CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error)
	// Shared reports whether other processes may use the same data at the
	// same time (Redis), rather than only this one (memory, bbolt). What
	// every replica must agree on, such as an encryption key, cannot be a
	// per-process default when it is.
	Shared() bool
	// Close releases the store's resources. Calls after Close return an
	// error wrapping ErrClosed; closing twice is not an error.
	Close() error
}

var errEmptyKey = errors.New("store: empty key")
