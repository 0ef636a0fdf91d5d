package requeststate

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
)

// The errors of [Codec.Open]. Their messages are written to be shown as
// tool errors, to the model and the user, as they are.
var (
	// ErrMalformed: the state cannot be decrypted with any key, so it was
	// altered, cut short, made up, or sealed with a key this server no
	// longer has.
	ErrMalformed = errors.New("the request state is not valid (altered, truncated, or not issued by this server); call the tool again")
	// ErrExpired: the state's time to live is over.
	ErrExpired = errors.New("the request expired before it was completed; call the tool again")
	// ErrReplayed: the state was single-use and has been opened before.
	ErrReplayed = errors.New("the request was already completed and cannot be completed twice; call the tool again to start over")
	// ErrMismatch: the state is genuine but was sealed for another user,
	// tool or arguments. The error Open returns says which, and
	// errors.Is(err, ErrMismatch) holds.
	ErrMismatch = errors.New("the request state was issued for another call; call the tool again")
)

// mismatchError is an ErrMismatch that says what differs.
type mismatchError struct{ msg string }

func (e *mismatchError) Error() string        { return e.msg }
func (e *mismatchError) Is(target error) bool { return target == ErrMismatch }

var (
	errOtherUser = &mismatchError{"the request state was issued to another user; call the tool again"}
	errOtherTool = &mismatchError{"the request state was issued for another tool; call the tool again"}
	errOtherArgs = &mismatchError{"the request state was issued for other arguments; call the tool again"}
)

// DefaultTTL is how long a state lives when neither [SealOptions.TTL] nor
// [Options.TTL] says otherwise: long enough for a person to read a
// question and answer it.
const DefaultTTL = 10 * time.Minute

// Options configure a [Codec]. The zero value (or nil) means defaults.
type Options struct {
	// TTL is how long a state lives when SealOptions.TTL is zero
	// (default DefaultTTL).
	TTL time.Duration
	// SingleReplica says that no other process opens the states this one
	// seals: one replica with a store of its own. Only [FromEnv] reads it,
	// to allow a random key when REQUEST_STATE_KEY is unset.
	SingleReplica bool
}

// SealOptions are the options of one [Codec.Seal].
type SealOptions struct {
	// TTL is how long the state can be opened (default: Options.TTL).
	TTL time.Duration
	// SingleUse makes the state open once: the codec records it in the
	// store at Seal and takes the record at Open, so of two opens, even
	// concurrent ones on different replicas, only one succeeds. Use it for
	// confirmations of actions that must not happen twice.
	SingleUse bool
}

// Binding is the call a state belongs to: Open accepts a state only for
// the binding it was sealed with.
type Binding struct {
	// User is the authenticated user's subject; "" for a server without
	// auth.
	User string
	// Tool is the tool's name.
	Tool string
	// Arguments are the call's arguments as received (the go-sdk's
	// CallToolParamsRaw.Arguments). They are compared in a canonical
	// form, so key order and whitespace do not matter.
	Arguments json.RawMessage
}

// Codec seals and opens request states. It is safe for concurrent use.
type Codec struct {
	keys []cipher.AEAD // the first seals; all open
	st   store.Store
	ttl  time.Duration
	now  func() time.Time // time.Now except in tests
}

// New returns a codec that seals with keys[0] and opens with any of keys,
// and records single-use states in st. st may be nil when no state is
// single-use. The keys are normally AES-256-GCM, from [ParseKeys]; with
// no keys, Seal fails and Open reports every state as malformed.
func New(keys []cipher.AEAD, st store.Store, opts *Options) *Codec {
	c := &Codec{keys: append([]cipher.AEAD(nil), keys...), st: st, ttl: DefaultTTL, now: time.Now}
	if opts != nil && opts.TTL > 0 {
		c.ttl = opts.TTL
	}
	return c
}

const (
	version = 1
	// label and the version are the additional data of every state, so a
	// ciphertext made for another purpose under a shared key never opens.
	label = "mcpgen/requeststate"

	flagSingleUse = 1

	// The layout of the sealed plaintext.
	offFlags   = 8
	offDigest  = offFlags + 1
	offHints   = offDigest + sha256.Size
	offPayload = offHints + 6

	// keyPrefix + the nonce in base64 is a single-use state's record.
	keyPrefix = "requeststate:"
	// storeSlack keeps a single-use record a little longer than its state,
	// so that a replica whose clock is behind the store's still finds it,
	// and a state opened too late is reported expired, not replayed.
	storeSlack = time.Minute
)

var (
	aad      = append([]byte(label), version)
	encoding = base64.RawURLEncoding.Strict()
)

// Seal returns a state that carries payload and that [Codec.Open] gives
// back for the same binding until the TTL has passed (and only once, if
// single-use). The payload is encrypted: the client sees only its length.
func (c *Codec) Seal(ctx context.Context, b Binding, payload []byte, opts SealOptions) (string, error) {
	if len(c.keys) == 0 {
		return "", errors.New("requeststate: no key to seal with")
	}
	ttl := opts.TTL
	switch {
	case ttl < 0:
		return "", fmt.Errorf("requeststate: negative TTL %v", ttl)
	case ttl == 0:
		ttl = c.ttl
	}
	if opts.SingleUse && c.st == nil {
		return "", errors.New("requeststate: a single-use state needs a store")
	}
	d, err := digestOf(b)
	if err != nil {
		return "", err
	}

	k := c.keys[0]
	plain := make([]byte, offPayload+len(payload))
	binary.BigEndian.PutUint64(plain, uint64(c.now().Add(ttl).UnixMilli()))
	if opts.SingleUse {
		plain[offFlags] = flagSingleUse
	}
	copy(plain[offDigest:], d.all[:])
	copy(plain[offHints:], d.hints[:])
	copy(plain[offPayload:], payload)

	out := make([]byte, 1+k.NonceSize(), 1+k.NonceSize()+len(plain)+k.Overhead())
	out[0] = version
	nonce := out[1:]
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return "", fmt.Errorf("requeststate: %w", err)
	}
	out = k.Seal(out, nonce, plain, aad)

	if opts.SingleUse {
		if err := c.st.Put(ctx, recordKey(nonce), []byte{1}, ttl+storeSlack); err != nil {
			return "", fmt.Errorf("requeststate: recording a single-use state: %w", err)
		}
	}
	return encoding.EncodeToString(out), nil
}

// Open returns the payload of a state that Seal made for the same binding.
// It fails with ErrMalformed, ErrMismatch, ErrExpired or ErrReplayed
// (test with errors.Is), checked in that order, so a state presented for
// the wrong call or too late is not used up; any other error is the
// store's. Opening a single-use state uses it up even if the caller then
// fails: the user must start over.
func (c *Codec) Open(ctx context.Context, state string, b Binding) ([]byte, error) {
	raw, err := encoding.DecodeString(state)
	if err != nil || len(raw) < 1 || raw[0] != version {
		return nil, ErrMalformed
	}
	raw = raw[1:]
	var plain, nonce []byte
	for _, k := range c.keys {
		n := k.NonceSize()
		if len(raw) < n+k.Overhead() {
			continue
		}
		if p, err := k.Open(nil, raw[:n], raw[n:], aad); err == nil {
			plain, nonce = p, raw[:n]
			break
		}
	}
	if len(plain) < offPayload || plain[offFlags]&^flagSingleUse != 0 {
		return nil, ErrMalformed
	}

	d, err := digestOf(b)
	if err != nil {
		// The sealed arguments were valid JSON, so these are not them.
		return nil, errOtherArgs
	}
	if subtle.ConstantTimeCompare(d.all[:], plain[offDigest:offHints]) != 1 {
		return nil, d.mismatch(plain[offHints:offPayload])
	}

	if expiry := int64(binary.BigEndian.Uint64(plain)); c.now().UnixMilli() >= expiry {
		return nil, ErrExpired
	}

	if plain[offFlags]&flagSingleUse != 0 {
		if c.st == nil {
			return nil, errors.New("requeststate: a single-use state needs a store to be opened")
		}
		if _, err := c.st.Take(ctx, recordKey(nonce)); errors.Is(err, store.ErrNotFound) {
			return nil, ErrReplayed
		} else if err != nil {
			return nil, fmt.Errorf("requeststate: checking a single-use state: %w", err)
		}
	}
	return plain[offPayload:], nil
}

func recordKey(nonce []byte) string {
	return keyPrefix + base64.RawURLEncoding.EncodeToString(nonce)
}

// digest is what a state knows of its binding.
type digest struct {
	all   [sha256.Size]byte // SHA-256(SHA-256(user) | SHA-256(tool) | SHA-256(arguments))
	hints [6]byte           // the first two bytes of each of the three
}

func digestOf(b Binding) (digest, error) {
	args, err := canonicalJSON(b.Arguments)
	if err != nil {
		return digest{}, fmt.Errorf("requeststate: the arguments are not valid JSON: %w", err)
	}
	parts := [3][sha256.Size]byte{
		sha256.Sum256([]byte(b.User)),
		sha256.Sum256([]byte(b.Tool)),
		sha256.Sum256(args),
	}
	var d digest
	d.all = sha256.Sum256(bytes.Join([][]byte{parts[0][:], parts[1][:], parts[2][:]}, nil))
	for i, p := range parts {
		copy(d.hints[2*i:], p[:2])
	}
	return d, nil
}

// mismatch names the part of the binding that differs from the sealed
// one, by the hints; when the hints agree (by chance, one in 65536), it
// cannot say which.
func (d digest) mismatch(sealed []byte) error {
	switch {
	case !bytes.Equal(d.hints[0:2], sealed[0:2]):
		return errOtherUser
	case !bytes.Equal(d.hints[2:4], sealed[2:4]):
		return errOtherTool
	case !bytes.Equal(d.hints[4:6], sealed[4:6]):
		return errOtherArgs
	}
	return ErrMismatch
}

// canonicalJSON decodes raw and encodes it again, so that two encodings of
// the same value (keys in another order, other whitespace) give the same
// bytes. Numbers keep their text. Empty and null arguments become {}: to
// a tool, absent arguments are no arguments.
func canonicalJSON(raw json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the value")
	}
	if v == nil {
		return []byte("{}"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
