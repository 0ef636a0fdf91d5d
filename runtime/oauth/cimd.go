package oauth

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Limits on fetching Client ID Metadata Documents: the URL comes from
// whoever calls /authorize, so the fetch must not be a way to probe the
// server's network, tie it up, or fill its memory.
const (
	cimdMaxBytes   = 5 << 10
	cimdTimeout    = 5 * time.Second
	cimdDefaultTTL = 5 * time.Minute
	cimdMinTTL     = 30 * time.Second
	cimdMaxTTL     = 24 * time.Hour
)

// cimdFetcher fetches Client ID Metadata Documents.
type cimdFetcher struct {
	// allowAddr decides which addresses may be dialled. It runs when the
	// connection is made, on the address actually dialled, so a name that
	// resolves differently the second time (DNS rebinding) gains nothing.
	allowAddr func(netip.Addr) bool
	timeout   time.Duration
	maxBytes  int64
	tlsConfig *tls.Config // nil: the system roots
}

func newCIMDFetcher() *cimdFetcher {
	return &cimdFetcher{allowAddr: publicAddr, timeout: cimdTimeout, maxBytes: cimdMaxBytes}
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// publicAddr allows only addresses on the public internet: not loopback,
// private (RFC 1918, fc00::/7), link-local, shared (100.64/10),
// unspecified or multicast.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() &&
		!a.IsLinkLocalUnicast() && !cgnat.Contains(a) && !(a.Is4() && a.As4()[0] == 0)
}

func (f *cimdFetcher) client() *http.Client {
	dialer := &net.Dialer{
		Timeout: f.timeout,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			a, err := netip.ParseAddr(host)
			if err != nil || !f.allowAddr(a) {
				return fmt.Errorf("address %s is not public", host)
			}
			return nil
		},
	}
	return &http.Client{
		Timeout: f.timeout,
		Transport: &http.Transport{
			// No proxy: a proxy would dial for us, past the address check.
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSClientConfig:       f.tlsConfig,
			TLSHandshakeTimeout:   f.timeout,
			ResponseHeaderTimeout: f.timeout,
			DisableKeepAlives:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// cimdDocument is the part of a Client ID Metadata Document that matters
// here.
type cimdDocument struct {
	ClientID                string   `json:"client_id"`
	ClientName              string   `json:"client_name"`
	ClientURI               string   `json:"client_uri"`
	LogoURI                 string   `json:"logo_uri"`
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
}

// checkCIMDURL checks that a client_id can name a metadata document: an
// https URL with a path.
func checkCIMDURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("client_id %q is not a URL", raw)
	case u.Scheme != "https":
		return fmt.Errorf("client_id %q: a client metadata document URL must be https", raw)
	case u.Host == "" || u.User != nil:
		return fmt.Errorf("client_id %q: a client metadata document URL needs a host and no credentials", raw)
	case u.Path == "" || u.Path == "/":
		return fmt.Errorf("client_id %q: a client metadata document URL needs a path", raw)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("client_id %q: a client metadata document URL has no fragment", raw)
	case strings.Contains("/"+u.Path+"/", "/./") || strings.Contains("/"+u.Path+"/", "/../"):
		return fmt.Errorf("client_id %q: a client metadata document URL has no dot segments", raw)
	}
	return nil
}

// fetchCIMD returns the client that the metadata document at clientID
// describes, from the cache when it is fresh.
func (s *Server) fetchCIMD(ctx context.Context, clientID string) (*client, error) {
	if err := checkCIMDURL(clientID); err != nil {
		return nil, err
	}
	var c client
	err := s.getJSON(ctx, keyCIMD+clientID, &c)
	if err == nil && c.ID == clientID {
		return &c, nil
	}
	if storeFailed(err) {
		return nil, fmt.Errorf("%w: %w", errStore, err)
	}
	c2, ttl, err := s.cimd.fetch(ctx, clientID)
	if err != nil {
		s.logger.Info("oauth: refused a client metadata document", "client_id", clientID, "err", err)
		return nil, err
	}
	if ttl > 0 {
		if err := s.putJSON(ctx, keyCIMD+clientID, c2, ttl); err != nil {
			return nil, fmt.Errorf("%w: %w", errStore, err)
		}
	}
	return c2, nil
}

func (f *cimdFetcher) fetch(ctx context.Context, clientID string) (*client, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, clientID, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := f.client().Do(req)
	if err != nil {
		var nerr net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout() {
			return nil, 0, fmt.Errorf("fetching client metadata document %s: no answer within %v", clientID, f.timeout)
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is in the message already
		}
		return nil, 0, fmt.Errorf("fetching client metadata document %s: %v", clientID, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("fetching client metadata document %s: status %s (redirects are not followed)", clientID, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("fetching client metadata document %s: %v", clientID, err)
	}
	if int64(len(body)) > f.maxBytes {
		return nil, 0, fmt.Errorf("client metadata document %s is larger than %d bytes", clientID, f.maxBytes)
	}
	var doc cimdDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, 0, fmt.Errorf("client metadata document %s is not JSON: %v", clientID, err)
	}
	if doc.ClientID != clientID {
		return nil, 0, fmt.Errorf("client metadata document %s names client_id %q, not its own URL", clientID, doc.ClientID)
	}
	if len(doc.RedirectURIs) == 0 {
		return nil, 0, fmt.Errorf("client metadata document %s has no redirect_uris", clientID)
	}
	for _, u := range doc.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return nil, 0, fmt.Errorf("client metadata document %s: %v", clientID, err)
		}
	}
	// Its clients are public: nobody can have given them a secret.
	switch doc.TokenEndpointAuthMethod {
	case "", "none":
	default:
		return nil, 0, fmt.Errorf("client metadata document %s: token_endpoint_auth_method %q is not supported (none)", clientID, doc.TokenEndpointAuthMethod)
	}
	c := &client{
		ID:           clientID,
		AuthMethod:   "none",
		RedirectURIs: doc.RedirectURIs,
		GrantTypes:   doc.GrantTypes,
		Name:         doc.ClientName,
	}
	if len(c.GrantTypes) == 0 {
		c.GrantTypes = []string{"authorization_code", "refresh_token"}
	}
	if doc.ClientURI != "" && isHTTPURL(doc.ClientURI) {
		c.URI = doc.ClientURI
	}
	if isHTTPURL(doc.LogoURI) {
		c.LogoURI = doc.LogoURI
	}
	return c, cacheTTL(resp.Header.Get("Cache-Control")), nil
}

// cacheTTL is how long to keep a document, by its Cache-Control header,
// within bounds: 0 means do not keep it.
func cacheTTL(cc string) time.Duration {
	ttl := cimdDefaultTTL
	for _, d := range strings.Split(cc, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-store" || d == "no-cache":
			return 0
		case strings.HasPrefix(d, "max-age="):
			n, err := strconv.Atoi(strings.Trim(d[len("max-age="):], `"`))
			if err == nil && n <= 0 {
				return 0
			}
			if err == nil {
				ttl = time.Duration(n) * time.Second
			}
		}
	}
	return min(max(ttl, cimdMinTTL), cimdMaxTTL)
}
