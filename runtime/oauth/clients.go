package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mcpgen/mcpgen/runtime/store"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// A client is a registered OAuth client: registered dynamically, or
// described by its Client ID Metadata Document.
type client struct {
	ID           string   `json:"id"`
	SecretHash   string   `json:"secret_hash,omitempty"` // confidential clients only
	AuthMethod   string   `json:"auth_method"`           // none, client_secret_post, client_secret_basic
	RedirectURIs []string `json:"redirect_uris"`
	GrantTypes   []string `json:"grant_types"`
	Name         string   `json:"name,omitempty"`
	URI          string   `json:"uri,omitempty"`
	LogoURI      string   `json:"logo_uri,omitempty"`
	IssuedAt     int64    `json:"issued_at,omitempty"`
}

func (c *client) public() bool { return c.AuthMethod == "none" }

func (c *client) valid() bool {
	switch c.AuthMethod {
	case "none":
	case "client_secret_post", "client_secret_basic":
		if c.SecretHash == "" {
			return false
		}
	default:
		return false
	}
	return c.ID != "" && len(c.RedirectURIs) > 0
}

// errStore marks a client lookup that failed because the store did, not
// because the client is unknown or invalid.
var errStore = errors.New("the store failed")

func (c *client) allowsRefresh() bool { return slices.Contains(c.GrantTypes, "refresh_token") }

// isCIMD reports whether a client_id is a Client ID Metadata Document URL
// rather than an ID this server issued (which is never a URL).
func isCIMD(clientID string) bool {
	return strings.HasPrefix(clientID, "https://") || strings.HasPrefix(clientID, "http://")
}

// lookupClient returns the client with the given ID, fetching its metadata
// document if the ID is a URL. A nil error means a known, valid client.
func (s *Server) lookupClient(ctx context.Context, clientID string) (*client, error) {
	if clientID == "" {
		return nil, errors.New("client_id is missing")
	}
	if isCIMD(clientID) {
		return s.fetchCIMD(ctx, clientID)
	}
	var c client
	if err := s.getJSON(ctx, keyClient+clientID, &c); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("unknown client_id %q", clientID)
		}
		return nil, fmt.Errorf("%w: %w", errStore, err)
	}
	if c.ID != clientID {
		return nil, fmt.Errorf("unknown client_id %q", clientID)
	}
	return &c, nil
}

// checkRedirectURI checks a redirect URI a client registers: https, http
// on a loopback host, or a private-use scheme for native apps (RFC 8252
// §7.1: a reverse domain name such as com.example.app).
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("redirect URI %q does not parse", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("redirect URI %q has a fragment", raw)
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("redirect URI %q has no host", raw)
		}
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return fmt.Errorf("redirect URI %q uses http on a host that is not loopback (127.0.0.1, [::1], localhost); use https", raw)
		}
	case "":
		return fmt.Errorf("redirect URI %q is not absolute", raw)
	default:
		if !strings.Contains(u.Scheme, ".") {
			return fmt.Errorf("redirect URI %q: a private-use scheme must be a reverse domain name such as com.example.app", raw)
		}
	}
	if u.User != nil {
		return fmt.Errorf("redirect URI %q carries credentials", raw)
	}
	return nil
}

func isLoopbackHost(h string) bool {
	return h == "127.0.0.1" || h == "::1" || h == "localhost"
}

// matchRedirectURI reports whether the redirect URI of an authorization
// request is one the client registered. The match is exact, except that
// for an http loopback URI the port may differ (RFC 8252 §7.3).
func matchRedirectURI(registered []string, requested string) bool {
	if slices.Contains(registered, requested) {
		return true
	}
	req, err := url.Parse(requested)
	if err != nil || req.Scheme != "http" || !isLoopbackHost(req.Hostname()) {
		return false
	}
	for _, r := range registered {
		reg, err := url.Parse(r)
		if err != nil {
			continue
		}
		if reg.Scheme == "http" && reg.Hostname() == req.Hostname() && reg.EscapedPath() == req.EscapedPath() &&
			reg.RawQuery == req.RawQuery {
			return true
		}
	}
	return false
}

// registrationResponse is the RFC 7591 §3.2.1 response. (oauthex's type
// leaves out client_secret_expires_at when it is 0, which the RFC
// requires with a secret.)
type registrationResponse struct {
	oauthex.ClientRegistrationMetadata
	ClientID              string `json:"client_id"`
	ClientSecret          string `json:"client_secret,omitempty"`
	ClientIDIssuedAt      int64  `json:"client_id_issued_at"`
	ClientSecretExpiresAt *int64 `json:"client_secret_expires_at,omitempty"`
}

// handleRegister is dynamic client registration (RFC 7591).
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	if !s.postOnly(w, r, "Content-Type") {
		return
	}
	var md oauthex.ClientRegistrationMetadata
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err == nil {
		err = json.Unmarshal(body, &md)
	}
	if err != nil {
		s.refuse(w, r, errorf("invalid_client_metadata", "the body is not a JSON client metadata document"))
		return
	}
	c, oerr := s.clientFromMetadata(&md)
	if oerr != nil {
		s.refuse(w, r, oerr)
		return
	}
	c.ID = randomToken()
	c.IssuedAt = s.now().Unix()
	resp := registrationResponse{ClientID: c.ID, ClientIDIssuedAt: c.IssuedAt}
	if !c.public() {
		secret := randomToken()
		c.SecretHash = hash(secret)
		var never int64
		resp.ClientSecret, resp.ClientSecretExpiresAt = secret, &never
	}
	if err := s.putJSON(r.Context(), keyClient+c.ID, c, 0); err != nil {
		s.refuse(w, r, s.internal(fmt.Errorf("storing a client: %w", err)))
		return
	}
	md.TokenEndpointAuthMethod = c.AuthMethod
	md.GrantTypes = c.GrantTypes
	md.ResponseTypes = []string{"code"}
	resp.ClientRegistrationMetadata = md
	s.logger.Info("oauth: registered a client", "client_id", c.ID, "client_name", c.Name, "auth_method", c.AuthMethod)
	writeJSON(w, http.StatusCreated, &resp)
}

// clientFromMetadata checks registration metadata (RFC 7591 §2) and
// returns the client it describes, without an ID.
func (s *Server) clientFromMetadata(md *oauthex.ClientRegistrationMetadata) (*client, *oauthError) {
	if len(md.RedirectURIs) == 0 {
		return nil, errorf("invalid_redirect_uri", "redirect_uris is required")
	}
	for _, u := range md.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return nil, errorf("invalid_redirect_uri", "%v", err)
		}
	}
	c := &client{RedirectURIs: md.RedirectURIs, Name: md.ClientName, URI: md.ClientURI}
	switch md.TokenEndpointAuthMethod {
	case "":
		c.AuthMethod = "client_secret_basic" // RFC 7591 §2's default
	case "none", "client_secret_post", "client_secret_basic":
		c.AuthMethod = md.TokenEndpointAuthMethod
	default:
		return nil, errorf("invalid_client_metadata", "token_endpoint_auth_method %q is not supported (none, client_secret_post, client_secret_basic)", md.TokenEndpointAuthMethod)
	}
	// Refresh tokens are allowed unless the client says which grants it
	// uses and leaves them out.
	c.GrantTypes = md.GrantTypes
	if len(c.GrantTypes) == 0 {
		c.GrantTypes = []string{"authorization_code", "refresh_token"}
	}
	for _, g := range c.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			return nil, errorf("invalid_client_metadata", "grant type %q is not supported (authorization_code, refresh_token)", g)
		}
	}
	if !slices.Contains(c.GrantTypes, "authorization_code") {
		return nil, errorf("invalid_client_metadata", "grant_types must include authorization_code")
	}
	for _, rt := range md.ResponseTypes {
		if rt != "code" {
			return nil, errorf("invalid_client_metadata", "response type %q is not supported (code)", rt)
		}
	}
	if c.URI != "" && !isHTTPURL(c.URI) {
		return nil, errorf("invalid_client_metadata", "client_uri %q is not an http(s) URL", c.URI)
	}
	// A logo that is not a web address is left out rather than refused:
	// the consent page can do without it.
	if isHTTPURL(md.LogoURI) {
		c.LogoURI = md.LogoURI
	}
	if len(c.Name) > 200 {
		return nil, errorf("invalid_client_metadata", "client_name is longer than 200 characters")
	}
	return c, nil
}

// authenticateClient authenticates the client of a token or revocation
// request (RFC 6749 §2.3): public clients by client_id alone, confidential
// ones by their secret, in the body or a Basic header.
func (s *Server) authenticateClient(r *http.Request) (*client, *oauthError) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: the credentials are form-encoded first.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, &oauthError{Code: "invalid_client", Description: "malformed Basic credentials", status: http.StatusUnauthorized}
		}
		if formID := r.PostForm.Get("client_id"); formID != "" && formID != id {
			return nil, errorf("invalid_request", "client_id in the body differs from the Basic credentials")
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		return nil, &oauthError{Code: "invalid_client", Description: "client authentication is missing", status: http.StatusUnauthorized}
	}
	c, err := s.lookupClient(r.Context(), id)
	if errors.Is(err, errStore) {
		return nil, s.internal(err)
	}
	if err != nil {
		return nil, &oauthError{Code: "invalid_client", Description: "unknown client", status: http.StatusUnauthorized}
	}
	if c.public() {
		if secret != "" {
			return nil, &oauthError{Code: "invalid_client", Description: "a public client has no secret", status: http.StatusUnauthorized}
		}
		return c, nil
	}
	if secret == "" || subtle.ConstantTimeCompare([]byte(hash(secret)), []byte(c.SecretHash)) != 1 {
		return nil, &oauthError{Code: "invalid_client", Description: "client authentication failed", status: http.StatusUnauthorized}
	}
	return c, nil
}
