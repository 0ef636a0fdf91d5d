package store

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/redis/go-redis/v9"
)

// DefaultPath is the bbolt file used when neither STORE_URL nor
// STORE_PATH is set.
var DefaultPath = filepath.Join("data", "oauth.db")

// DefaultPrefix is what Redis keys start with when the configuration
// names no prefix.
const DefaultPrefix = "mcpgen:"

// Config chooses a backend and configures it. The zero Config is the
// bbolt file at [DefaultPath].
type Config struct {
	// URL chooses the backend (the STORE_URL setting):
	//
	//   - "" (unset): the bbolt file at Path, for one process;
	//   - "memory:": memory, for tests and development;
	//   - "redis://[user:password@]host:port/db" or "rediss://…" (TLS): a
	//     Redis server that every replica shares. The query may set go-redis
	//     options such as dial_timeout or pool_size, and "prefix", which
	//     overrides Prefix.
	URL string
	// Path is the bbolt file when URL is empty (the STORE_PATH setting);
	// empty means DefaultPath.
	Path string
	// Prefix is put before every key in Redis, so that several servers can
	// share one database; empty means DefaultPrefix. The other backends
	// belong to one server and need none.
	Prefix string
}

// ConfigFromEnv reads STORE_URL and STORE_PATH through lookupEnv
// (os.LookupEnv in main).
func ConfigFromEnv(lookupEnv func(string) (string, bool)) *Config {
	get := func(name string) string {
		v, _ := lookupEnv(name)
		return strings.TrimSpace(v)
	}
	return &Config{URL: get("STORE_URL"), Path: get("STORE_PATH")}
}

// Open opens the store cfg describes. A nil cfg is the zero Config.
//
// For Redis it connects and checks that the server answers before it
// returns, so that a wrong address fails at start rather than at the first
// sign-in; later outages make calls fail with [ErrUnavailable] until the
// server is back. A malformed URL is an error that names STORE_URL and
// the forms it takes, never the password it may hold.
func Open(ctx context.Context, cfg *Config) (Store, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	raw := strings.TrimSpace(cfg.URL)
	if raw == "" {
		path := cfg.Path
		if path == "" {
			path = DefaultPath
		}
		return OpenBolt(path)
	}
	scheme, _, _ := strings.Cut(raw, ":")
	switch strings.ToLower(scheme) {
	case "memory":
		if raw != scheme+":" {
			return nil, badURL(raw, "memory: takes nothing after the colon")
		}
		return NewMemory(), nil
	case "redis", "rediss":
		u, err := url.Parse(raw)
		if err != nil {
			return nil, badURL(raw, "it does not parse as a URL")
		}
		prefix := cfg.Prefix
		if prefix == "" {
			prefix = DefaultPrefix
		}
		q := u.Query()
		if q.Has("prefix") {
			prefix = q.Get("prefix")
			q.Del("prefix")
			u.RawQuery = q.Encode()
		}
		if u.Host == "" || u.Opaque != "" {
			return nil, badURL(raw, "it names no host")
		}
		opts, err := redis.ParseURL(u.String())
		if err != nil {
			// go-redis's message may quote the URL: give only its gist.
			return nil, badURL(raw, redactedReason(err, u))
		}
		return openRedis(ctx, opts, prefix)
	}
	return nil, badURL(raw, fmt.Sprintf("unknown scheme %q", scheme))
}

func badURL(raw, why string) error {
	return fmt.Errorf("STORE_URL=%q: %s; want memory:, redis://[user:password@]host:port/db or rediss://… (TLS), "+
		"or leave STORE_URL unset for the bbolt file at STORE_PATH", redact(raw), why)
}

// redact hides the password of a URL, even one that does not parse.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		return scheme + "://xxxxx@" + rest[at+1:]
	}
	return raw
}

func redactedReason(err error, u *url.URL) string {
	msg := err.Error()
	if p, ok := u.User.Password(); ok && p != "" {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
	}
	return strings.TrimPrefix(msg, "redis: ")
}
