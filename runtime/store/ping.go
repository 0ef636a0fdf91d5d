package store

import (
	"context"
	"errors"
)

// pingKey is read by Ping; nothing is ever stored under it.
const pingKey = "ping"

// Ping reports whether st answers: a readiness check. It reads a key that
// is never written, so it costs one round trip and changes nothing; the
// error is the store's (wrapping ErrUnavailable or ErrClosed).
func Ping(ctx context.Context, st Store) error {
	_, err := st.Get(ctx, pingKey)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
