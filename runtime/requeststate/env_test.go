package requeststate

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/runtime/store"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func newKeyString() string {
	k := make([]byte, 32)
	rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

func TestFromEnv(t *testing.T) {
	oldKey, newKey := newKeyString(), newKeyString()
	st := store.NewMemory()
	before, err := FromEnv(env(map[string]string{EnvKey: oldKey}), st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Rotation: the new key first, then the old one, with spaces and the
	// URL-safe alphabet, as people write them.
	urlOld := strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(oldKey), "=")
	during, err := FromEnv(env(map[string]string{EnvKey: " " + newKey + " , " + urlOld + "\n"}), st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := mustSeal(t, before, call, []byte("p"), SealOptions{SingleUse: true})
	if got, err := during.Open(ctx, s, call); err != nil || string(got) != "p" {
		t.Fatalf("sealed with REQUEST_STATE_KEY=old, opened with new,old: %q, %v", got, err)
	}
	s = mustSeal(t, during, call, nil, SealOptions{})
	if _, err := before.Open(ctx, s, call); !errors.Is(err, ErrMalformed) {
		t.Errorf("the first key of a list does not seal: old key opened it (%v)", err)
	}
}

func TestFromEnvBadKey(t *testing.T) {
	for _, v := range []string{
		"not base64!",
		base64.StdEncoding.EncodeToString(make([]byte, 16)),
		newKeyString() + ",",
		newKeyString() + "," + base64.StdEncoding.EncodeToString(make([]byte, 33)),
	} {
		_, err := FromEnv(env(map[string]string{EnvKey: v}), store.NewMemory(), nil, &Options{SingleReplica: true})
		if err == nil {
			t.Errorf("REQUEST_STATE_KEY=%q: no error", v)
			continue
		}
		for _, want := range []string{"REQUEST_STATE_KEY", "openssl rand -base64 32"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("REQUEST_STATE_KEY=%q: error %q does not mention %q", v, err, want)
			}
		}
	}
}

func TestFromEnvUnset(t *testing.T) {
	for name, opts := range map[string]*Options{"nil options": nil, "shared store": {}} {
		_, err := FromEnv(env(nil), store.NewMemory(), nil, opts)
		if err == nil {
			t.Errorf("%s: no error without REQUEST_STATE_KEY", name)
			continue
		}
		for _, want := range []string{"REQUEST_STATE_KEY", "openssl rand -base64 32"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %q", name, err, want)
			}
		}
	}

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	c, err := FromEnv(env(map[string]string{EnvKey: "  "}), store.NewMemory(), logger, &Options{SingleReplica: true})
	if err != nil {
		t.Fatalf("single replica: %v", err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "REQUEST_STATE_KEY is not set") {
		t.Errorf("no warning logged: %q", logs.String())
	}
	s := mustSeal(t, c, call, []byte("p"), SealOptions{SingleUse: true})
	if _, err := c.Open(ctx, s, call); err != nil {
		t.Fatalf("random key: %v", err)
	}
	// The key is random: another process's codec cannot open the state.
	other, err := FromEnv(env(nil), store.NewMemory(), slog.New(slog.DiscardHandler), &Options{SingleReplica: true})
	if err != nil {
		t.Fatal(err)
	}
	s = mustSeal(t, c, call, nil, SealOptions{})
	if _, err := other.Open(ctx, s, call); !errors.Is(err, ErrMalformed) {
		t.Errorf("two random keys opened each other's states: %v", err)
	}
}
