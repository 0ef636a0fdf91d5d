package requeststate

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
)

var ctx = context.Background()

// newKeys returns n fresh AES-256-GCM keys.
func newKeys(t testing.TB, n int) []cipher.AEAD {
	t.Helper()
	var keys []cipher.AEAD
	for range n {
		k := make([]byte, 32)
		rand.Read(k)
		aead, err := newAEAD(k)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, aead)
	}
	return keys
}

// clock is a settable time for tests of expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var call = Binding{
	User:      "github:12345",
	Tool:      "delete_repo",
	Arguments: []byte(`{"owner":"octo","repo":"hello-world","options":{"archive":false,"reason":"cleanup"}}`),
}

func mustSeal(t testing.TB, c *Codec, b Binding, payload []byte, opts SealOptions) string {
	t.Helper()
	s, err := c.Seal(ctx, b, payload, opts)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	for _, single := range []bool{false, true} {
		c := New(newKeys(t, 1), store.NewMemory(), nil)
		payload := []byte(`{"repo_id":"R_kgDOAbCdEf","step":2}`)
		s := mustSeal(t, c, call, payload, SealOptions{SingleUse: single})
		if strings.Contains(s, "R_kgDO") {
			t.Errorf("the state shows its payload: %s", s)
		}
		got, err := c.Open(ctx, s, call)
		if err != nil {
			t.Fatalf("single-use %v: Open: %v", single, err)
		}
		if !bytes.Equal(got, payload) {
			t.Errorf("single-use %v: Open = %q, want %q", single, got, payload)
		}
	}
}

func TestReusableOpensMoreThanOnce(t *testing.T) {
	c := New(newKeys(t, 1), nil, nil)
	s := mustSeal(t, c, call, []byte("x"), SealOptions{})
	for i := range 3 {
		if _, err := c.Open(ctx, s, call); err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
	}
}

// TestOtherReplica seals on one codec and opens on another that shares
// only the key and the store, as two replicas do.
func TestOtherReplica(t *testing.T) {
	keys := newKeys(t, 1)
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "shared.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, b := New(keys, st, nil), New(keys, st, nil)
	s := mustSeal(t, a, call, []byte("payload"), SealOptions{SingleUse: true})
	if got, err := b.Open(ctx, s, call); err != nil || string(got) != "payload" {
		t.Fatalf("replica b: Open = %q, %v", got, err)
	}
	if _, err := a.Open(ctx, s, call); !errors.Is(err, ErrReplayed) {
		t.Fatalf("replica a after b: Open error = %v, want ErrReplayed", err)
	}
}

func TestForged(t *testing.T) {
	c := New(newKeys(t, 1), store.NewMemory(), nil)
	s := mustSeal(t, c, call, []byte("a payload of some length"), SealOptions{SingleUse: true})
	raw, err := encoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]string{
		"empty":        "",
		"not base64":   "not a state!",
		"padded":       s + "=",
		"not URL-safe": s[:len(s)-1] + "+",
		"random":       encoding.EncodeToString(randomBytes(len(raw))),
		"version only": encoding.EncodeToString([]byte{version}),
		"other key":    mustSeal(t, New(newKeys(t, 1), store.NewMemory(), nil), call, nil, SealOptions{}),
	}
	// A flipped bit anywhere: version, nonce, the sealed expiry, flags,
	// digest, hints and payload, and the tag.
	for i := range raw {
		r := bytes.Clone(raw)
		r[i] ^= 0x01
		bad["flip byte "+strconv.Itoa(i)] = encoding.EncodeToString(r)
	}
	for n := range len(raw) {
		bad["cut to "+strconv.Itoa(n)] = encoding.EncodeToString(raw[:n])
	}
	bad["extra byte"] = encoding.EncodeToString(append(bytes.Clone(raw), 0))
	for name, state := range bad {
		if _, err := c.Open(ctx, state, call); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Open error = %v, want ErrMalformed", name, err)
		}
	}
	// None of that used the state up.
	if _, err := c.Open(ctx, s, call); err != nil {
		t.Fatalf("the genuine state after the forgeries: %v", err)
	}
}

// TestOtherPurpose seals a well-formed plaintext under the right key but
// without the state's additional data, as another use of a shared key
// would: it must not open.
func TestOtherPurpose(t *testing.T) {
	keys := newKeys(t, 1)
	c := New(keys, nil, nil)
	d, err := digestOf(call)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, offPayload)
	binary.BigEndian.PutUint64(plain, uint64(time.Now().Add(time.Hour).UnixMilli()))
	copy(plain[offDigest:], d.all[:])
	copy(plain[offHints:], d.hints[:])
	nonce := randomBytes(keys[0].NonceSize())
	for _, ad := range [][]byte{nil, []byte(label), {version}} {
		raw := keys[0].Seal(append([]byte{version}, nonce...), nonce, plain, ad)
		if _, err := c.Open(ctx, encoding.EncodeToString(raw), call); !errors.Is(err, ErrMalformed) {
			t.Errorf("additional data %q: Open error = %v, want ErrMalformed", ad, err)
		}
	}
	// The same bytes with the state's additional data do open, so the
	// cases above failed for their additional data alone.
	raw := keys[0].Seal(append([]byte{version}, nonce...), nonce, plain, aad)
	if _, err := c.Open(ctx, encoding.EncodeToString(raw), call); err != nil {
		t.Errorf("control: %v", err)
	}
}

func TestExpired(t *testing.T) {
	clk := &clock{t: time.Date(2026, 7, 28, 12, 0, 0, 0, time.UTC)}
	c := New(newKeys(t, 1), store.NewMemory(), &Options{TTL: time.Hour})
	c.now = clk.now
	short := mustSeal(t, c, call, nil, SealOptions{TTL: 5 * time.Minute})
	byDefault := mustSeal(t, c, call, nil, SealOptions{})
	single := mustSeal(t, c, call, nil, SealOptions{TTL: 5 * time.Minute, SingleUse: true})

	clk.add(5*time.Minute - time.Millisecond)
	if _, err := c.Open(ctx, short, call); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	clk.add(time.Millisecond)
	for name, s := range map[string]string{"reusable": short, "single-use": single} {
		_, err := c.Open(ctx, s, call)
		if !errors.Is(err, ErrExpired) {
			t.Errorf("%s at expiry: Open error = %v, want ErrExpired", name, err)
		}
	}
	if _, err := c.Open(ctx, byDefault, call); err != nil {
		t.Fatalf("Options.TTL state after 5 minutes: %v", err)
	}
	clk.add(55 * time.Minute)
	if _, err := c.Open(ctx, byDefault, call); !errors.Is(err, ErrExpired) {
		t.Errorf("Options.TTL state after an hour: Open error = %v, want ErrExpired", err)
	}
}

func TestDefaultTTL(t *testing.T) {
	clk := &clock{t: time.Date(2026, 7, 28, 12, 0, 0, 0, time.UTC)}
	c := New(newKeys(t, 1), nil, nil)
	c.now = clk.now
	s := mustSeal(t, c, call, nil, SealOptions{})
	clk.add(DefaultTTL - time.Millisecond)
	if _, err := c.Open(ctx, s, call); err != nil {
		t.Fatalf("before DefaultTTL: %v", err)
	}
	clk.add(time.Millisecond)
	if _, err := c.Open(ctx, s, call); !errors.Is(err, ErrExpired) {
		t.Errorf("at DefaultTTL: Open error = %v, want ErrExpired", err)
	}
}

func TestReplayed(t *testing.T) {
	c := New(newKeys(t, 1), store.NewMemory(), nil)
	s := mustSeal(t, c, call, []byte("once"), SealOptions{SingleUse: true})
	if _, err := c.Open(ctx, s, call); err != nil {
		t.Fatal(err)
	}
	_, err := c.Open(ctx, s, call)
	if !errors.Is(err, ErrReplayed) {
		t.Fatalf("second Open error = %v, want ErrReplayed", err)
	}
	if errors.Is(err, ErrMalformed) || errors.Is(err, ErrExpired) || errors.Is(err, ErrMismatch) {
		t.Errorf("ErrReplayed is also another error: %v", err)
	}
}

func TestMismatch(t *testing.T) {
	c := New(newKeys(t, 1), store.NewMemory(), nil)
	s := mustSeal(t, c, call, nil, SealOptions{SingleUse: true})
	with := func(f func(*Binding)) Binding { b := call; f(&b); return b }
	for _, tc := range []struct {
		name string
		b    Binding
		says string
	}{
		{"other user", with(func(b *Binding) { b.User = "github:54321" }), "another user"},
		{"no user", with(func(b *Binding) { b.User = "" }), "another user"},
		{"other tool", with(func(b *Binding) { b.Tool = "archive_repo" }), "another tool"},
		{"other arguments", with(func(b *Binding) {
			b.Arguments = []byte(`{"owner":"octo","repo":"other","options":{"archive":false,"reason":"cleanup"}}`)
		}), "other arguments"},
		{"a number written otherwise", with(func(b *Binding) {
			b.Arguments = []byte(`{"owner":"octo","repo":"hello-world","options":{"archive":false,"reason":"cleanup"},"n":1}`)
		}), "other arguments"},
		{"no arguments", with(func(b *Binding) { b.Arguments = nil }), "other arguments"},
		{"invalid arguments", with(func(b *Binding) { b.Arguments = []byte(`{"owner":`) }), "other arguments"},
	} {
		_, err := c.Open(ctx, s, tc.b)
		if !errors.Is(err, ErrMismatch) {
			t.Errorf("%s: Open error = %v, want ErrMismatch", tc.name, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: error %q does not say %q", tc.name, err, tc.says)
		}
	}
	// A state presented for the wrong call is not used up.
	if _, err := c.Open(ctx, s, call); err != nil {
		t.Fatalf("the right call after the wrong ones: %v", err)
	}
}

func TestCanonicalArguments(t *testing.T) {
	c := New(newKeys(t, 1), nil, nil)
	s := mustSeal(t, c, call, nil, SealOptions{})
	same := call
	same.Arguments = []byte(" {\n  \"options\" : {\"reason\":\"cleanup\", \"archive\":false},\n \"repo\":\"hello-world\",\"owner\":\"octo\"}\n")
	if _, err := c.Open(ctx, s, same); err != nil {
		t.Errorf("same arguments, other key order and whitespace: %v", err)
	}

	for _, tc := range []struct{ sealed, opened string }{
		{"", "{}"},
		{"null", ""},
		{"{}", " null "},
		{`{"n":1.0}`, `{"n":1.0}`},
		{`{"s":"<&>"}`, `{"s":"\u003c\u0026\u003e"}`},
	} {
		b := call
		b.Arguments = []byte(tc.sealed)
		s := mustSeal(t, c, b, nil, SealOptions{})
		b.Arguments = []byte(tc.opened)
		if _, err := c.Open(ctx, s, b); err != nil {
			t.Errorf("sealed with %q, opened with %q: %v", tc.sealed, tc.opened, err)
		}
	}
	for _, tc := range []struct{ sealed, opened string }{
		{`{"a":[1,2]}`, `{"a":[2,1]}`},
		{`{"n":1}`, `{"n":1.0}`},
		{`{}`, `[]`},
		{`{"a":null}`, `{}`},
	} {
		b := call
		b.Arguments = []byte(tc.sealed)
		s := mustSeal(t, c, b, nil, SealOptions{})
		b.Arguments = []byte(tc.opened)
		if _, err := c.Open(ctx, s, b); !errors.Is(err, ErrMismatch) {
			t.Errorf("sealed with %q, opened with %q: Open error = %v, want ErrMismatch", tc.sealed, tc.opened, err)
		}
	}
}

func TestSealRejects(t *testing.T) {
	c := New(newKeys(t, 1), nil, nil)
	for name, tc := range map[string]struct {
		c    *Codec
		b    Binding
		opts SealOptions
	}{
		"invalid arguments":        {c, Binding{Arguments: []byte(`{"a":`)}, SealOptions{}},
		"trailing data":            {c, Binding{Arguments: []byte(`{} {}`)}, SealOptions{}},
		"negative TTL":             {c, call, SealOptions{TTL: -time.Second}},
		"single-use without store": {c, call, SealOptions{SingleUse: true}},
		"no key":                   {New(nil, store.NewMemory(), nil), call, SealOptions{}},
	} {
		if s, err := tc.c.Seal(ctx, tc.b, nil, tc.opts); err == nil {
			t.Errorf("%s: Seal = %q, want an error", name, s)
		}
	}
}

// TestSingleUseNeedsStore checks that a codec without a store does not
// open a single-use state, which it could not keep from being replayed.
func TestSingleUseNeedsStore(t *testing.T) {
	keys := newKeys(t, 1)
	s := mustSeal(t, New(keys, store.NewMemory(), nil), call, nil, SealOptions{SingleUse: true})
	if _, err := New(keys, nil, nil).Open(ctx, s, call); err == nil {
		t.Fatal("a codec without a store opened a single-use state")
	}
}

// failingStore fails every call, as an unreachable Redis would.
type failingStore struct{ store.Store }

var errDown = errors.New("store down")

func (failingStore) Put(context.Context, string, []byte, time.Duration) error { return errDown }
func (failingStore) Take(context.Context, string) ([]byte, error)             { return nil, errDown }

func TestStoreErrors(t *testing.T) {
	keys := newKeys(t, 1)
	if _, err := New(keys, failingStore{}, nil).Seal(ctx, call, nil, SealOptions{SingleUse: true}); !errors.Is(err, errDown) {
		t.Errorf("Seal with a failing store: error = %v, want the store's", err)
	}
	s := mustSeal(t, New(keys, store.NewMemory(), nil), call, nil, SealOptions{SingleUse: true})
	_, err := New(keys, failingStore{}, nil).Open(ctx, s, call)
	if !errors.Is(err, errDown) || errors.Is(err, ErrReplayed) {
		t.Errorf("Open with a failing store: error = %v, want the store's and not ErrReplayed", err)
	}
}

func TestKeyRotation(t *testing.T) {
	k := newKeys(t, 2)
	oldKey, newKey := k[:1], k[1:]
	st := store.NewMemory()
	before := New(oldKey, st, nil)
	during := New([]cipher.AEAD{newKey[0], oldKey[0]}, st, nil)
	after := New(newKey, st, nil)

	old := mustSeal(t, before, call, []byte("old"), SealOptions{})
	if got, err := during.Open(ctx, old, call); err != nil || string(got) != "old" {
		t.Fatalf("sealed with the old key, opened with [new, old]: %q, %v", got, err)
	}
	if _, err := after.Open(ctx, old, call); !errors.Is(err, ErrMalformed) {
		t.Errorf("sealed with the old key, opened with [new]: error = %v, want ErrMalformed", err)
	}
	fresh := mustSeal(t, during, call, []byte("new"), SealOptions{})
	if got, err := after.Open(ctx, fresh, call); err != nil || string(got) != "new" {
		t.Fatalf("sealed during rotation, opened with [new]: %q, %v", got, err)
	}
	if _, err := before.Open(ctx, fresh, call); !errors.Is(err, ErrMalformed) {
		t.Errorf("sealed during rotation with the new key, opened with [old]: error = %v, want ErrMalformed", err)
	}
}

// yieldingStore lets other goroutines run between its calls, which makes
// a check-then-delete race (instead of one atomic Take) show.
type yieldingStore struct{ store.Store }

func (s yieldingStore) Get(ctx context.Context, key string) ([]byte, error) {
	defer runtime.Gosched()
	return s.Store.Get(ctx, key)
}

func (s yieldingStore) Delete(ctx context.Context, key string) error {
	defer runtime.Gosched()
	return s.Store.Delete(ctx, key)
}

func (s yieldingStore) Take(ctx context.Context, key string) ([]byte, error) {
	defer runtime.Gosched()
	return s.Store.Take(ctx, key)
}

// TestConcurrentOpens opens one single-use state from 50 goroutines on two
// replicas at once: exactly one may succeed.
func TestConcurrentOpens(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Store{
		"memory":   func(*testing.T) store.Store { return store.NewMemory() },
		"yielding": func(*testing.T) store.Store { return yieldingStore{store.NewMemory()} },
		"bolt": func(t *testing.T) store.Store {
			st, err := store.OpenBolt(filepath.Join(t.TempDir(), "states.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			keys, st := newKeys(t, 1), open(t)
			replicas := []*Codec{New(keys, st, nil), New(keys, st, nil)}
			s := mustSeal(t, replicas[0], call, []byte("go"), SealOptions{SingleUse: true})

			const n = 50
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					_, errs[i] = replicas[i%2].Open(ctx, s, call)
				})
			}
			close(start)
			wg.Wait()
			ok := 0
			for i, err := range errs {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, ErrReplayed):
					t.Errorf("open %d: error = %v, want ErrReplayed", i, err)
				}
			}
			if ok != 1 {
				t.Errorf("%d of %d concurrent opens succeeded, want exactly 1", ok, n)
			}
		})
	}
}

// TestSize pins the format's overhead: 76 bytes before base64.
func TestSize(t *testing.T) {
	c := New(newKeys(t, 1), store.NewMemory(), nil)
	for _, n := range []int{0, 1, 64, 200} {
		s := mustSeal(t, c, call, make([]byte, n), SealOptions{SingleUse: true})
		if want := base64.RawURLEncoding.EncodedLen(76 + n); len(s) != want {
			t.Errorf("payload of %d bytes: state of %d characters, want %d", n, len(s), want)
		}
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
