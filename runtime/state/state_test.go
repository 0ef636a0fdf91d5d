package state

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// backends opens one store of each kind; Redis only where redis-server is
// installed (redistest says why it skips).
func backends(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store { return store.NewMemory() },
		"bolt": func(t *testing.T) store.Store {
			st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"redis": func(t *testing.T) store.Store {
			srv := redistest.Start(t)
			st, err := store.Open(t.Context(), &store.Config{URL: srv.URL()})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
}

var counter = &Decl{Name: "counter", Scope: Key, Schema: MustSchema(`{"type":"integer","minimum":0}`)}

// TestUpdateLosesNothing increments one counter from many goroutines and
// two State values on one store (two replicas, for Redis): every
// increment counts.
func TestUpdateLosesNothing(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			defer st.Close()
			ctx := t.Context()
			const workers, each = 8, 25
			var wg sync.WaitGroup
			errs := make(chan error, workers*each)
			for w := range workers {
				wg.Go(func() {
					v := Of[int64](st, counter, "hits")
					if w%2 == 1 {
						v = Of[int64](st, &Decl{Name: "counter", Scope: Key, Schema: counter.Schema}, "hits")
					}
					for range each {
						if _, err := v.Update(ctx, func(n int64) (int64, error) { return n + 1, nil }); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("Update: %v", err)
			}
			got, err := Of[int64](st, counter, "hits").Get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != workers*each {
				t.Errorf("counter = %d after %d increments", got, workers*each)
			}
			other, err := Of[int64](st, counter, "misses").Get(ctx)
			if err != nil || other != 0 {
				t.Errorf("another key's counter = %d, %v; want 0 (never written)", other, err)
			}
		})
	}
}

// TestSchemaAndCorruptValues checks that a value that breaks the declared
// schema is never written, and that a stored value that does not decode
// is refused rather than read as zero.
func TestSchemaAndCorruptValues(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	v := Of[int64](st, counter, "k")
	if err := v.Set(ctx, 5); err != nil {
		t.Fatal(err)
	}
	_, err := v.Update(ctx, func(n int64) (int64, error) { return n - 10, nil })
	if err == nil || !strings.Contains(err.Error(), "does not meet its schema") {
		t.Errorf("Update to -5 against minimum 0: %v, want a schema error", err)
	}
	if got, _ := v.Get(ctx); got != 5 {
		t.Errorf("after the refused update the value is %d, want 5", got)
	}
	stop := errors.New("no")
	if _, err := v.Update(ctx, func(int64) (int64, error) { return 0, stop }); !errors.Is(err, stop) {
		t.Errorf("Update whose function fails: %v, want its error", err)
	}

	if err := st.Put(ctx, storeKey(counter, "k"), []byte(`{"grant":"x"}`), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get(ctx); err == nil || !strings.Contains(err.Error(), "does not decode") {
		t.Errorf("Get of a foreign value: %v, want a refusal", err)
	}
	if _, err := v.Update(ctx, func(n int64) (int64, error) { return n + 1, nil }); err == nil {
		t.Error("Update over a foreign value succeeded")
	}
	if b, _ := st.Get(ctx, storeKey(counter, "k")); string(b) != `{"grant":"x"}` {
		t.Errorf("the foreign value was overwritten: %s", b)
	}
}

// TestKeys checks that scopes and parts map to distinct store keys, that
// a part cannot climb into another value's keys, and that user values
// need a signed-in user.
func TestKeys(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	notes := &Decl{Name: "notes", Scope: User}
	a := Of[string](st, counter, "a/../../notes/user/x")
	if err := a.Set(ctx, "not an integer"); err == nil {
		t.Error("a string was written to an integer value")
	}
	if got := storeKey(counter, "a/../x"); got != "state/counter/key/a%2F..%2Fx" {
		t.Errorf("storeKey = %q", got)
	}

	req := func(user string) mcp.Request {
		r := &mcp.CallToolRequest{Extra: &mcp.RequestExtra{}}
		if user != "" {
			r.Extra.TokenInfo = &auth.TokenInfo{UserID: user}
		}
		return r
	}
	if _, err := ForUser[string](st, notes, req("")); !errors.Is(err, ErrNoUser) {
		t.Errorf("ForUser without a user: %v, want ErrNoUser", err)
	}
	alice, err := ForUser[string](st, notes, req("github:1"))
	if err != nil {
		t.Fatal(err)
	}
	bob, _ := ForUser[string](st, notes, req("github:2"))
	if err := alice.Set(ctx, "alice's"); err != nil {
		t.Fatal(err)
	}
	if got, _ := bob.Get(ctx); got != "" {
		t.Errorf("bob reads %q, want his own (empty) value", got)
	}
	if got, _ := alice.Get(ctx); got != "alice's" {
		t.Errorf("alice reads %q", got)
	}
	if err := alice.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := alice.Get(ctx); got != "" {
		t.Errorf("after Delete alice reads %q", got)
	}
}

// TestObjectValues stores a struct and checks the JSON kept is what the
// schema describes.
func TestObjectValues(t *testing.T) {
	type cart struct {
		Items []string `json:"items"`
	}
	d := &Decl{Name: "cart", Scope: Global, Schema: MustSchema(`{"type":"object","properties":{"items":{"type":"array","items":{"type":"string"},"maxItems":2}},"required":["items"]}`)}
	ctx := context.Background()
	st := store.NewMemory()
	v := Of[cart](st, d, "")
	add := func(item string) error {
		_, err := v.Update(ctx, func(c cart) (cart, error) {
			c.Items = append(c.Items, item)
			return c, nil
		})
		return err
	}
	if err := add("a"); err != nil {
		t.Fatal(err)
	}
	if err := add("b"); err != nil {
		t.Fatal(err)
	}
	if err := add("c"); err == nil {
		t.Error("a third item was stored against maxItems 2")
	}
	b, err := st.Get(ctx, "state/cart/global/")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil || len(raw["items"].([]any)) != 2 {
		t.Errorf("stored %s (%v)", b, err)
	}
}
