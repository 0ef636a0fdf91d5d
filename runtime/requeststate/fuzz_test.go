package requeststate

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
)

// FuzzOpen checks that Open never panics, and that the only strings it
// accepts are the states that Seal made.
func FuzzOpen(f *testing.F) {
	keys := newKeys(f, 2)
	c := New(keys, store.NewMemory(), nil)
	sealed := map[string][]byte{}
	for _, p := range [][]byte{nil, []byte("payload"), bytes.Repeat([]byte{0xff}, 100)} {
		s := mustSeal(f, c, call, p, SealOptions{TTL: time.Hour})
		sealed[s] = p
		f.Add(s, call.User, call.Tool, string(call.Arguments))
	}
	f.Add("", "", "", "")
	f.Add("AQ", "u", "t", "null")
	f.Add("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", "", "{")
	f.Add("!!!", "", "", `{"a":[[[[[[[1]]]]]]]}`)

	f.Fuzz(func(t *testing.T, state, user, tool, args string) {
		b := Binding{User: user, Tool: tool, Arguments: json.RawMessage(args)}
		got, err := c.Open(ctx, state, b)
		if err != nil {
			return
		}
		want, ok := sealed[state]
		if !ok {
			t.Fatalf("Open accepted a state Seal did not make: %q", state)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Open = %q, want %q", got, want)
		}
	})
}
