package oauth

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
)

// TestVerifyOneStoreCall checks that the token check asks the store once
// per request, for the token and its grant together, on bbolt and on
// Redis, and that it still sees a revocation at once.
func TestVerifyOneStoreCall(t *testing.T) {
	for _, kind := range []string{"bolt", "redis"} {
		t.Run(kind, func(t *testing.T) {
			eo := &envOptions{}
			if kind == "redis" {
				srv := redistest.Start(t)
				eo.vars = map[string]string{"STORE_URL": srv.URL() + "?prefix=" + url.QueryEscape(t.Name()+":")}
			}
			ops := &opCounter{}
			eo.setup = func(s *Server) {
				ops.Store = s.store
				s.store = ops
			}
			e := newEnv(t, eo)
			_, access, _ := e.signIn()
			ctx := context.Background()
			verify := func() error {
				t.Helper()
				get, getMany, total := ops.get.Load(), ops.getMany.Load(), ops.total()
				_, err := e.auth.verify(ctx, access)
				if n := ops.getMany.Load() - getMany; n != 1 || ops.get.Load() != get || ops.total()-total != 1 {
					t.Errorf("one check made %d GetMany and %d other store calls, want one GetMany", n, ops.total()-total-n)
				}
				return err
			}
			if err := verify(); err != nil {
				t.Fatal(err)
			}
			var tr tokenRecord
			if err := e.auth.getJSON(ctx, keyAccess+hash(access), &tr); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(access, tr.GrantID+accessSep) {
				t.Fatalf("the access token does not begin with its grant's ID")
			}
			if err := e.auth.revokeGrant(ctx, tr.GrantID); err != nil {
				t.Fatal(err)
			}
			if err := verify(); !errors.Is(err, auth.ErrInvalidToken) || !strings.Contains(err.Error(), "revoked") {
				t.Fatalf("after revoking its grant: %v, want a revoked token", err)
			}
		})
	}
}

func (c *opCounter) total() int64 {
	return c.get.Load() + c.getMany.Load() + c.put.Load() + c.del.Load() + c.take.Load() + c.cas.Load()
}

// TestAccessTokenParts forges tokens from the parts of real ones: a
// token is good only whole, whatever grant ID it begins with.
func TestAccessTokenParts(t *testing.T) {
	e := newEnv(t, nil)
	_, a1, _ := e.signIn()
	_, a2, _ := e.signIn()
	g1, s1, _ := strings.Cut(a1, accessSep)
	g2, s2, _ := strings.Cut(a2, accessSep)
	if g1 == g2 || s1 == s2 {
		t.Fatal("two sign-ins issued tokens sharing a part")
	}
	e.wantAccepted(a1)
	e.wantAccepted(a2)
	for _, forged := range []string{
		g2 + accessSep + s1, // another grant, which exists, with this secret
		g1 + accessSep + s2,
		g1 + accessSep + randomToken(),
		g1,
		s1,
		g1 + accessSep,
		accessSep + s1,
		accessSep,
		a1 + accessSep + s1,
		strings.Repeat("a", maxGrantIDLen+1) + accessSep + s1,
	} {
		if _, err := e.auth.verify(context.Background(), forged); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("verify(%q): %v, want an invalid token", forged, err)
		}
	}
	e.wantRejected(g2 + accessSep + s1)
}

// TestAccessTokenWithoutGrantID: a token issued before access tokens began
// with their grant's ID (by a replica not yet upgraded, say) is still
// good until it expires or its grant is revoked.
func TestAccessTokenWithoutGrantID(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	c, access, _ := e.signIn()
	var tr tokenRecord
	if err := e.auth.getJSON(ctx, keyAccess+hash(access), &tr); err != nil {
		t.Fatal(err)
	}
	old := randomToken()
	rec := &tokenRecord{GrantID: tr.GrantID, ClientID: c.id, Resource: e.auth.resource, Scopes: tr.Scopes,
		Expires: e.auth.now().Add(accessTokenTTL).Unix()}
	if err := e.auth.putJSON(ctx, keyAccess+hash(old), rec, accessTokenTTL); err != nil {
		t.Fatal(err)
	}
	e.wantAccepted(old)
	ti, err := e.auth.verify(ctx, old)
	if err != nil || ti.Extra[extraGrant] != tr.GrantID {
		t.Fatalf("verify: %v, %v", ti, err)
	}
	// Another grant's ID in front of it makes another token.
	e.wantRejected(tr.GrantID + accessSep + old)

	e.advance(accessTokenTTL)
	if _, err := e.auth.verify(ctx, old); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("an hour later: %v, want an expired token", err)
	}
	e.advance(-accessTokenTTL)
	if err := e.auth.revokeGrant(ctx, tr.GrantID); err != nil {
		t.Fatal(err)
	}
	e.wantRejected(old)
	e.wantRejected(access)
}
