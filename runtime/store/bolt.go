package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// sweepInterval is how often a bolt store deletes its expired entries.
const sweepInterval = 10 * time.Minute

var bucket = []byte("kv")

// OpenBolt opens (creating it and its directory if need be) the bbolt file
// at path as a Store. Expired entries are never returned; they are deleted
// when read, and swept every few minutes. Only one process may open the
// file at a time: a second one waits up to 5 seconds, then fails. So the
// store is not [Store.Shared], and its Take and CompareAndSwap are atomic
// because bbolt runs one write transaction at a time.
func OpenBolt(path string) (Store, error) { return openBolt(path, time.Now) }

func openBolt(path string, now func() time.Time) (*boltStore, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	s := &boltStore{db: db, now: now, done: make(chan struct{})}
	s.wg.Add(1)
	go s.sweepLoop()
	return s, nil
}

type boltStore struct {
	db   *bolt.DB
	now  func() time.Time
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// A stored value is the expiry time (Unix nanoseconds, big-endian; 0 for
// never) followed by the value itself.
func encode(value []byte, expires int64) []byte {
	b := make([]byte, 8+len(value))
	binary.BigEndian.PutUint64(b, uint64(expires))
	copy(b[8:], value)
	return b
}

// decode returns the value in b, or false if it has expired at now.
func decode(b []byte, now time.Time) ([]byte, bool) {
	if len(b) < 8 {
		return nil, false // not ours; treat as absent
	}
	if exp := int64(binary.BigEndian.Uint64(b)); exp != 0 && now.UnixNano() >= exp {
		return nil, false
	}
	// bbolt's memory is valid only during the transaction.
	return append([]byte(nil), b[8:]...), true
}

func (s *boltStore) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	var stale bool
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket).Get([]byte(key))
		if b == nil {
			return ErrNotFound
		}
		var ok bool
		if v, ok = decode(b, s.now()); !ok {
			stale = true
			return ErrNotFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, boltErr("get", err)
	}
	if stale {
		s.deleteIfExpired(key)
	}
	return v, err
}

// deleteIfExpired deletes key if it has expired, in a write transaction of
// its own: a read found it so, and deleting needs a write transaction,
// which must not be nested in the read one.
func (s *boltStore) deleteIfExpired(key string) {
	s.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucket)
		if b := bk.Get([]byte(key)); b != nil {
			if _, ok := decode(b, s.now()); !ok {
				return bk.Delete([]byte(key))
			}
		}
		return nil
	})
}

func (s *boltStore) GetMany(ctx context.Context, keys ...string) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	out := make([][]byte, len(keys))
	var stale []string
	err := s.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucket)
		now := s.now()
		for i, k := range keys {
			b := bk.Get([]byte(k))
			if b == nil {
				continue
			}
			if v, ok := decode(b, now); ok {
				out[i] = nonNil(v)
			} else {
				stale = append(stale, k)
			}
		}
		return nil
	})
	if err != nil {
		return nil, boltErr("get-many", err)
	}
	for _, k := range stale {
		s.deleteIfExpired(k)
	}
	return out, nil
}

func (s *boltStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if key == "" {
		return errEmptyKey
	}
	var exp int64
	if ttl > 0 {
		exp = s.now().Add(ttl).UnixNano()
	}
	return boltErr("put", s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Put([]byte(key), encode(value, exp))
	}))
}

func (s *boltStore) Delete(ctx context.Context, key string) error {
	return boltErr("delete", s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Delete([]byte(key))
	}))
}

func (s *boltStore) Take(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	// bbolt runs one write transaction at a time, which makes this atomic.
	err := s.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucket)
		b := bk.Get([]byte(key))
		if b == nil {
			return ErrNotFound
		}
		value, ok := decode(b, s.now())
		if err := bk.Delete([]byte(key)); err != nil {
			return err
		}
		if !ok {
			return errExpired
		}
		v = value
		return nil
	})
	if errors.Is(err, errExpired) {
		// The expired entry was deleted all the same; commit that.
		s.Delete(ctx, key)
		err = ErrNotFound
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, boltErr("take", err)
	}
	return v, err
}

func (s *boltStore) CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	if key == "" {
		return false, errEmptyKey
	}
	var swapped bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucket)
		now := s.now()
		var cur []byte
		exists := false
		if b := bk.Get([]byte(key)); b != nil {
			cur, exists = decode(b, now)
		}
		if !matches(cur, exists, old) {
			return nil
		}
		swapped = true
		if new == nil {
			return bk.Delete([]byte(key))
		}
		var exp int64
		if ttl > 0 {
			exp = now.Add(ttl).UnixNano()
		}
		return bk.Put([]byte(key), encode(new, exp))
	})
	if err != nil {
		return false, boltErr("compare-and-swap", err)
	}
	return swapped, nil
}

func (s *boltStore) Shared() bool { return false }

// boltErr names the operation that failed, and says ErrClosed for a
// closed database.
func boltErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return errClosed(op)
	}
	return fmt.Errorf("store: bolt %s: %w", op, err)
}

var errExpired = errors.New("expired")

// sweep deletes every expired entry.
func (s *boltStore) sweep() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		now := s.now()
		bk := tx.Bucket(bucket)
		var stale [][]byte
		bk.ForEach(func(k, b []byte) error {
			if _, ok := decode(b, now); !ok {
				stale = append(stale, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range stale {
			if err := bk.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *boltStore) sweepLoop() {
	defer s.wg.Done()
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.sweep()
		}
	}
}

func (s *boltStore) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		s.wg.Wait()
		err = s.db.Close()
	})
	return err
}
