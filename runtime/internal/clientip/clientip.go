// Package clientip carries the address of the client an HTTP request came
// from, as the server worked it out (behind trusted proxies, from
// X-Forwarded-For), to code that sees only a context: limits per client for
// servers without sign-in.
package clientip

import (
	"context"
	"net/netip"
)

type key struct{}

// With returns ctx carrying addr.
func With(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, key{}, addr)
}

// From returns the address ctx carries, if any.
func From(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(key{}).(netip.Addr)
	return a, ok && a.IsValid()
}
