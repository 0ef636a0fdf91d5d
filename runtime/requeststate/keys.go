package requeststate

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/mcpgen/mcpgen/runtime/internal/aeadkeys"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// EnvKey is the environment variable [FromEnv] reads the keys from.
const EnvKey = "REQUEST_STATE_KEY"

// FromEnv returns a codec whose keys are those of REQUEST_STATE_KEY (see
// [ParseKeys]) and which records single-use states in st. lookupEnv is
// normally os.LookupEnv; logger, when nil, is slog.Default().
//
// When REQUEST_STATE_KEY is unset, a state sealed by one replica could not
// be opened by another, so FromEnv fails, unless opts.SingleReplica says
// there is no other: then it seals with a random key, which lasts as long
// as the process, and logs a warning.
func FromEnv(lookupEnv func(string) (string, bool), st store.Store, logger *slog.Logger, opts *Options) (*Codec, error) {
	if logger == nil {
		logger = slog.Default()
	}
	raw, _ := lookupEnv(EnvKey)
	if raw = strings.TrimSpace(raw); raw != "" {
		keys, err := ParseKeys(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvKey, err)
		}
		return New(keys, st, opts), nil
	}
	if opts == nil || !opts.SingleReplica {
		return nil, errors.New(EnvKey + " is not set: every replica must seal request states with the same key; " +
			"make one with: openssl rand -base64 32, and give it to every replica")
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("requeststate: %w", err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	logger.Warn(EnvKey + " is not set: sealing request states with a random key that lasts until this process exits; " +
		"set " + EnvKey + " (openssl rand -base64 32) before running more than one replica")
	return New([]cipher.AEAD{aead}, st, opts), nil
}

// ParseKeys parses keys in the format of REQUEST_STATE_KEY: base64 (standard
// or URL-safe, padded or not) encodings of 32-byte AES-256 keys, separated
// by commas. The first is the one to seal with.
func ParseKeys(value string) ([]cipher.AEAD, error) {
	return aeadkeys.Parse(value)
}

var newAEAD = aeadkeys.New
