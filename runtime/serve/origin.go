package serve

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// originPolicy decides which browser origins may call the server. The MCP
// specification requires servers to validate Origin (a defence against DNS
// rebinding); the MCP SDK checks only the Host header.
//
// A request without Origin is not from a browser page and passes. Otherwise
// the origin passes if it is in the allowed list ("*" allows all), if it is
// the request's own origin, or if both the origin and the request's Host are
// loopback, so a browser-based client such as MCP Inspector works against a
// local server with no setup. Anything else gets 403.
type originPolicy struct {
	any     bool
	allowed map[string]bool
}

func newOriginPolicy(allowed []string) *originPolicy {
	p := &originPolicy{allowed: make(map[string]bool)}
	for _, o := range allowed {
		if o == "*" {
			p.any = true
			continue
		}
		p.allowed[strings.ToLower(o)] = true
	}
	return p
}

// allows reports whether a request with this Origin may proceed.
func (p *originPolicy) allows(origin string, r *http.Request) bool {
	if p.any || p.allowed[strings.ToLower(origin)] {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // includes "null", sent by sandboxed and file pages
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return isLoopback(u.Hostname()) && isLoopback(hostOnly(r.Host))
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// exposedHeaders are the response headers browser clients must be able to
// read.
const exposedHeaders = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate"

// allowedHeaders are the request headers MCP clients send; preflights for
// others (such as Mcp-Param-*) are answered with what the browser asked.
const allowedHeaders = "Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID"

// wrap checks Origin before h runs, and answers CORS for allowed origins.
func (p *originPolicy) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		if !p.allows(origin, r) {
			http.Error(w, "Forbidden: origin not allowed", http.StatusForbidden)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Expose-Headers", exposedHeaders)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
			headers := allowedHeaders
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				headers = req
			}
			w.Header().Set("Access-Control-Allow-Headers", headers)
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.ServeHTTP(w, r)
	})
}
