package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisStore keeps entries in Redis under prefix+key, so that several
// servers can share one Redis database.
type redisStore struct {
	c      *redis.Client
	prefix string
}

// openRedis connects to the Redis server that opts describe and checks
// that it answers and is recent enough.
func openRedis(ctx context.Context, opts *redis.Options, prefix string) (*redisStore, error) {
	// No command is re-sent after a failure: a compare-and-swap whose reply
	// was lost may have been applied, and applying it again would count an
	// update twice. Callers see ErrUnavailable and decide. (Dialling is
	// still retried: it has no effect to repeat.)
	opts.MaxRetries = -1
	opts.ContextTimeoutEnabled = true
	// CLIENT SETINFO is an extra round trip on every new connection that
	// servers before 7.2 refuse; nothing here needs it.
	opts.DisableIdentity = true
	s := &redisStore{c: redis.NewClient(opts), prefix: prefix}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	if err := s.c.Ping(ctx).Err(); err != nil {
		s.c.Close()
		return nil, fmt.Errorf("store: cannot reach Redis at %s (STORE_URL): %w", opts.Addr, err)
	}
	// Take is GETDEL, which Redis has had since 6.2.
	if err := s.c.GetDel(ctx, prefix+"-").Err(); err != nil && err != redis.Nil {
		s.c.Close()
		if isRedisReply(err) {
			return nil, fmt.Errorf("store: Redis at %s (STORE_URL) does not take GETDEL; Redis 6.2 or later is required: %w", opts.Addr, err)
		}
		return nil, fmt.Errorf("store: cannot reach Redis at %s (STORE_URL): %w", opts.Addr, err)
	}
	return s, nil
}

func isRedisReply(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}

// redisErr turns an error of go-redis into this package's: ErrNotFound for
// a missing key, ErrClosed after Close, the caller's own context error
// when that ended the call, and ErrUnavailable for anything that says the
// server cannot be reached or cannot serve right now.
func redisErr(ctx context.Context, op string, err error) error {
	switch {
	case err == nil:
		return nil
	case err == redis.Nil:
		return ErrNotFound
	case errors.Is(err, redis.ErrClosed):
		return errClosed(op)
	case errors.Is(ctx.Err(), context.Canceled):
		// The caller gave up; that says nothing about the server.
		return fmt.Errorf("store: redis %s: %w", op, ctx.Err())
	case isRedisReply(err):
		// A reply from the server: a transient state is unavailability,
		// anything else (WRONGTYPE on a key some other program wrote, say)
		// a plain error.
		msg := err.Error()
		for _, transient := range []string{"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY", "CLUSTERDOWN"} {
			if strings.HasPrefix(msg, transient) {
				return fmt.Errorf("store: redis %s: %w: %w", op, ErrUnavailable, err)
			}
		}
		return fmt.Errorf("store: redis %s: %w", op, err)
	}
	// Refused or dropped connections, timeouts, an exhausted pool.
	return fmt.Errorf("store: redis %s: %w: %w", op, ErrUnavailable, err)
}

// px is a time to live in Redis's milliseconds, at least 1 so that a
// tiny positive ttl still expires rather than meaning "never".
func px(ttl time.Duration) int64 {
	return max(1, ttl.Milliseconds())
}

func (s *redisStore) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.c.Get(ctx, s.prefix+key).Bytes()
	if err != nil {
		return nil, redisErr(ctx, "get", err)
	}
	return v, nil
}

// GetMany is one MGET, so that the keys are read in one round trip and at
// one moment.
func (s *redisStore) GetMany(ctx context.Context, keys ...string) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	prefixed := make([]string, len(keys))
	for i, k := range keys {
		prefixed[i] = s.prefix + k
	}
	vals, err := s.c.MGet(ctx, prefixed...).Result()
	if err != nil {
		return nil, redisErr(ctx, "get-many", err)
	}
	if len(vals) != len(keys) {
		return nil, fmt.Errorf("store: redis get-many: %d values for %d keys", len(vals), len(keys))
	}
	out := make([][]byte, len(keys))
	for i, v := range vals {
		// MGET answers nil for an absent key and for one holding another
		// type: both read as absent.
		if str, ok := v.(string); ok {
			out[i] = make([]byte, len(str))
			copy(out[i], str)
		}
	}
	return out, nil
}

func (s *redisStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if key == "" {
		return errEmptyKey
	}
	args := []any{"set", s.prefix + key, value}
	if ttl > 0 {
		args = append(args, "px", px(ttl))
	}
	return redisErr(ctx, "put", s.c.Do(ctx, args...).Err())
}

func (s *redisStore) Delete(ctx context.Context, key string) error {
	return redisErr(ctx, "delete", s.c.Del(ctx, s.prefix+key).Err())
}

func (s *redisStore) Take(ctx context.Context, key string) ([]byte, error) {
	v, err := s.c.GetDel(ctx, s.prefix+key).Bytes()
	if err != nil {
		return nil, redisErr(ctx, "take", err)
	}
	return v, nil
}

// casScript is CompareAndSwap: Redis runs a script atomically.
//
//	KEYS[1]  the key
//	ARGV[1]  "1" if an old value is expected, "0" if the key must be absent
//	ARGV[2]  the old value
//	ARGV[3]  "1" to store ARGV[4], "0" to delete the key
//	ARGV[4]  the new value
//	ARGV[5]  time to live in milliseconds, 0 for none
var casScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur ~= ARGV[2] then return 0 end
elseif cur then
  return 0
end
if ARGV[3] == '0' then
  redis.call('DEL', KEYS[1])
elseif ARGV[5] ~= '0' then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
else
  redis.call('SET', KEYS[1], ARGV[4])
end
return 1
`)

func (s *redisStore) CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	if key == "" {
		return false, errEmptyKey
	}
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	var ms int64
	if ttl > 0 {
		ms = px(ttl)
	}
	// A nil []byte would reach Redis as an empty string all the same; the
	// flags say which nil meant "absent".
	n, err := casScript.Run(ctx, s.c, []string{s.prefix + key},
		flag(old != nil), old, flag(new != nil), new, strconv.FormatInt(ms, 10)).Int()
	if err != nil {
		return false, redisErr(ctx, "compare-and-swap", err)
	}
	return n == 1, nil
}

func (s *redisStore) Shared() bool { return true }

func (s *redisStore) Close() error {
	if err := s.c.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("store: redis: %w", err)
	}
	return nil
}
