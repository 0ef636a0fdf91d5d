package serve

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// originPolicy decides which browser origins may call the server. The MCP
// specification says servers must validate Origin, against DNS rebinding
// and cross-site requests from web pages; the MCP SDK checks only Host.
//
// A request without Origin is not from a browser page and passes: MCP
// clients other than browsers do not send one. Otherwise the origin passes
// if it is in the allowed list ("*" allows all), if it is the origin of the
// request's own Host (the SDK's Host check covers DNS rebinding onto
// loopback there), or if both the origin and the request's Host are
// loopback, so that a browser-based client on the same machine, such as MCP
// Inspector, works against a local server with no setup. Anything else gets
// 403.
type originPolicy struct {
	any     bool
	allowed map[string]bool // normalized origins
	logger  *slog.Logger
}

func newOriginPolicy(allowed []string, logger *slog.Logger) *originPolicy {
	p := &originPolicy{allowed: make(map[string]bool), logger: logger}
	for _, o := range allowed {
		if o == "*" {
			p.any = true
			continue
		}
		if n, err := normalizeOrigin(o); err == nil {
			p.allowed[n] = true
		}
	}
	return p
}

// normalizeOrigin checks that o is an origin, scheme://host[:port], and
// returns it as browsers send it: in lower case, without a trailing slash
// or a default port.
func normalizeOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(o, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("%q is not an origin: want scheme://host[:port], such as https://app.example.com", o)
	}
	host := strings.ToLower(u.Host)
	if p := u.Port(); p != "" && p == defaultPort(u.Scheme) {
		host = strings.TrimSuffix(host, ":"+p)
	}
	return u.Scheme + "://" + host, nil // url.Parse lowercases the scheme
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// allows reports whether a request from this Origin may proceed.
func (p *originPolicy) allows(origin string, r *http.Request) bool {
	// strings.ToLower does not allocate for an origin already in lower
	// case, which is how browsers send it.
	if p.any || p.allowed[strings.ToLower(origin)] {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // includes "null", sent by sandboxed and file: pages
	}
	if sameHost(u, r.Host) {
		return true
	}
	reqHost, _ := splitHostPort(r.Host)
	return isLoopback(u.Hostname()) && isLoopback(reqHost)
}

// sameHost reports whether the origin u names the host and port of the
// request's Host header. The scheme is not compared: behind a TLS
// terminating proxy the server cannot know the scheme the browser used.
func sameHost(u *url.URL, host string) bool {
	if strings.EqualFold(u.Host, host) {
		return true
	}
	// A default port may be explicit on one side only.
	def := defaultPort(u.Scheme)
	h, p := splitHostPort(host)
	op := u.Port()
	if p == "" {
		p = def
	}
	if op == "" {
		op = def
	}
	return def != "" && p == op && strings.EqualFold(u.Hostname(), h)
}

// splitHostPort splits host[:port], where host may be a bracketed IPv6
// address; port is empty if absent.
func splitHostPort(hostport string) (host, port string) {
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		return h, p
	}
	return strings.Trim(hostport, "[]"), ""
}

// isLoopback reports whether host (without port or brackets) is localhost
// or a loopback IP address, as the SDK's Host check decides.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// exposedHeaders are the response headers browser clients must be able to
// read: the session ID, the negotiated version, and the authentication
// challenge of a protected server.
const exposedHeaders = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate"

// allowedHeaders are the request headers MCP clients send, including the
// ones the SDK reads (streamable_headers.go). Tools may also declare
// Mcp-Param-* headers, whose names are not known in advance, so preflights
// also allow whatever headers the browser asks for.
var allowedHeaders = []string{
	"Content-Type", "Accept", "Authorization", "Mcp-Session-Id", "Mcp-Protocol-Version",
	"Mcp-Method", "Mcp-Name", "Last-Event-ID",
}

// wrap checks Origin before h runs, and answers CORS for allowed origins.
func (p *originPolicy) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Responses differ by Origin, so caches must key on it, whether
		// or not this request has one.
		w.Header().Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" {
			h.ServeHTTP(w, r)
			return
		}
		if !p.allows(origin, r) {
			p.logger.Info("refused a request from a browser origin not allowed (see --allowed-origins)",
				"origin", origin, "host", r.Host, "method", r.Method, "path", r.URL.Path)
			http.Error(w, "Forbidden: origin not allowed", http.StatusForbidden)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Expose-Headers", exposedHeaders)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			preflight(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// preflight answers a CORS preflight request from an allowed origin.
func preflight(w http.ResponseWriter, r *http.Request) {
	headers := append([]string(nil), allowedHeaders...)
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
	next:
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			for _, have := range headers {
				if strings.EqualFold(have, name) {
					continue next
				}
			}
			headers = append(headers, name)
		}
	}
	w.Header().Add("Vary", "Access-Control-Request-Method")
	w.Header().Add("Vary", "Access-Control-Request-Headers")
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	// Two hours, the most Chromium honours: saves a preflight per call.
	w.Header().Set("Access-Control-Max-Age", "7200")
	w.WriteHeader(http.StatusNoContent)
}
