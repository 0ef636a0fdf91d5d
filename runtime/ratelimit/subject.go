package ratelimit

import (
	"net"
	"net/netip"
)

// A subject is who a limit counts calls of: a user, a client address, or
// everyone at once.
type subject struct {
	key string // in store keys
	per string // in messages: "per user"; empty for everyone
}

// local is the subject when there is neither a user nor an address: a
// server on stdio has one client, so one budget.
var local = subject{key: "local"}

func userSubject(id string) subject { return subject{key: "user:" + id, per: "per user"} }

// addrSubject is the subject of a client address. An IPv6 client counts
// by its /64, the block a single site is given, since one host may hold
// any number of addresses in it.
func addrSubject(a netip.Addr) subject {
	a = a.Unmap()
	key := a.String()
	if a.Is6() {
		p, _ := a.Prefix(64)
		key = p.String()
	}
	return subject{key: "ip:" + key, per: "per client address"}
}

// remoteAddr parses an http.Request's RemoteAddr.
func remoteAddr(s string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	return a, err == nil
}
