// Package state keeps the values a server's tools remember between calls
// (a counter, a cart, a user's settings) in the server's store, so that
// they survive restarts and are the same on every replica behind a load
// balancer: the Go counterpart of the state a Cloudflare McpAgent keeps in
// its Durable Object.
//
// A project declares its values in mcpgen.yaml under state:, each with a
// JSON Schema and a scope, and mcpgen generates a typed accessor per value
// that returns a [Value]. Handlers read it with Get and change it with
// Update, which retries on conflict, so two replicas incrementing one
// counter never lose an increment:
//
//	v, err := t.State.Visits(req) // scope: user
//	if err != nil {
//		return nil, err
//	}
//	n, err := v.Update(ctx, func(n int64) (int64, error) { return n + 1, nil })
//
// Every value written is checked against the declared schema first, and a
// stored value that does not decode is refused rather than taken for the
// zero value, so a corrupt or foreign entry never reaches a handler.
package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"net/url"
	"sync"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/store"
)

// ErrNoUser is returned for a value of scope user when the request has no
// signed-in user.
var ErrNoUser = errors.New("state: this value belongs to the signed-in user, and the request has none")

// Scope says whose a value is.
type Scope string

const (
	// User values belong to the signed-in user: each user has their own.
	User Scope = "user"
	// Key values are one per key the tool names, such as a counter's name.
	Key Scope = "key"
	// Global values are one for the whole server.
	Global Scope = "global"
)

// Decl is one value declared in the manifest.
type Decl struct {
	// Name is the value's name in the manifest.
	Name  string
	Scope Scope
	// TTL, if positive, is how long a value lives after its last update.
	TTL time.Duration
	// Schema is the declared JSON Schema; nil checks nothing.
	Schema *jsonschema.Resolved
}

// Value is one stored value of type T. The zero value of T stands for a
// value that was never written.
type Value[T any] struct {
	st   store.Store
	decl *Decl
	key  string
}

// Of returns the value of d for part, which is the user's ID, the key the
// tool named, or "" for a global value. Most code uses the generated
// accessors instead, which call Of or ForUser.
func Of[T any](st store.Store, d *Decl, part string) Value[T] {
	return Value[T]{st: st, decl: d, key: storeKey(d, part)}
}

// ForUser returns the value of d that belongs to the user who made req.
func ForUser[T any](st store.Store, d *Decl, req mcp.Request) (Value[T], error) {
	id := UserID(req)
	if id == "" {
		return Value[T]{}, ErrNoUser
	}
	return Of[T](st, d, id), nil
}

// UserID returns the stable ID of the signed-in user who made req (the
// provider and the provider's user ID), or "" when there is none.
func UserID(req mcp.Request) string {
	if req == nil || req.GetExtra() == nil || req.GetExtra().TokenInfo == nil {
		return ""
	}
	return req.GetExtra().TokenInfo.UserID
}

// storeKey lays out the store's keys as state/NAME/SCOPE/PART, with the
// part escaped so that a key a tool derives from its arguments can never
// reach another value's entry, nor the OAuth server's.
func storeKey(d *Decl, part string) string {
	return "state/" + d.Name + "/" + string(d.Scope) + "/" + url.PathEscape(part)
}

// Get returns the value, or the zero value of T when it was never written
// (or has expired).
func (v Value[T]) Get(ctx context.Context) (T, error) {
	var zero T
	if v.st == nil {
		return zero, errors.New("state: no store; pass the server's store to NewState")
	}
	b, err := v.st.Get(ctx, v.key)
	if errors.Is(err, store.ErrNotFound) {
		return zero, nil
	}
	if err != nil {
		return zero, v.wrap(err)
	}
	return v.decode(b)
}

// Update sets the value to what fn returns for the current one, and
// returns the new value. fn may run more than once when other callers,
// here or on another replica, change the value at the same time, so it
// must only compute. The result must meet the declared schema.
func (v Value[T]) Update(ctx context.Context, fn func(T) (T, error)) (T, error) {
	var zero, result T
	if v.st == nil {
		return zero, errors.New("state: no store; pass the server's store to NewState")
	}
	// Callers in this process take turns per key, so that they never race
	// each other; store.Update's compare-and-swap settles the races with
	// other replicas, which are far fewer.
	lock := &keyLocks[maphash.String(lockSeed, v.key)%uint64(len(keyLocks))]
	lock.Lock()
	defer lock.Unlock()
	_, err := store.Update(ctx, v.st, v.key, v.decl.TTL, func(old []byte, exists bool) ([]byte, error) {
		cur := zero
		if exists {
			var err error
			if cur, err = v.decode(old); err != nil {
				return nil, err
			}
		}
		next, err := fn(cur)
		if err != nil {
			return nil, err
		}
		b, err := v.encode(next)
		if err != nil {
			return nil, err
		}
		result = next
		return b, nil
	})
	if err != nil {
		return zero, v.wrap(err)
	}
	return result, nil
}

// keyLocks serialise the updates of one process by key; keys share a lock
// by hash, which costs little since an update holds it only briefly.
var (
	keyLocks [64]sync.Mutex
	lockSeed = maphash.MakeSeed()
)

// Set replaces the value with x, whatever it was.
func (v Value[T]) Set(ctx context.Context, x T) error {
	_, err := v.Update(ctx, func(T) (T, error) { return x, nil })
	return err
}

// Delete forgets the value: Get returns the zero value again.
func (v Value[T]) Delete(ctx context.Context) error {
	if v.st == nil {
		return errors.New("state: no store; pass the server's store to NewState")
	}
	return v.wrap(v.st.Delete(ctx, v.key))
}

func (v Value[T]) decode(b []byte) (T, error) {
	var x T
	if err := json.Unmarshal(b, &x); err != nil {
		return x, fmt.Errorf("state %q: the stored value does not decode (%v); it was not written by this server", v.decl.Name, err)
	}
	return x, nil
}

func (v Value[T]) encode(x T) ([]byte, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("state %q: %w", v.decl.Name, err)
	}
	if v.decl.Schema != nil {
		var generic any
		if err := json.Unmarshal(b, &generic); err != nil {
			return nil, fmt.Errorf("state %q: %w", v.decl.Name, err)
		}
		if err := v.decl.Schema.Validate(generic); err != nil {
			return nil, fmt.Errorf("state %q: the new value does not meet its schema: %v", v.decl.Name, err)
		}
	}
	return b, nil
}

// wrap says which value an error of the store is about; a store that
// cannot be reached says so, for the tool error a model reads.
func (v Value[T]) wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrUnavailable):
		return fmt.Errorf("state %q: the store is unavailable; try again shortly: %w", v.decl.Name, err)
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("state %q: too many concurrent updates; try again: %w", v.decl.Name, err)
	}
	return err
}

// MustSchema resolves a declared schema, for the generated accessors: the
// generator checked it, so a failure here means the generated code was
// edited.
func MustSchema(raw string) *jsonschema.Resolved {
	var s jsonschema.Schema
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		panic(fmt.Sprintf("state: declared schema: %v", err))
	}
	r, err := s.Resolve(nil)
	if err != nil {
		panic(fmt.Sprintf("state: declared schema: %v", err))
	}
	return r
}
