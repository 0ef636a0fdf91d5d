package oauth

import (
	"context"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
	"golang.org/x/oauth2"
)

// A grant is what one sign-in of a user authorized one client to do. Every
// token issued from it names it, so revoking the grant (deleting it)
// revokes them all at once.
//
// A grant is written once, when the user signs in, and lives
// refreshTokenTTL from then: after that the user signs in again. Nothing
// rewrites it, so that no request racing a revocation can write a revoked
// grant back.
type grant struct {
	ID       string   `json:"id"`
	ClientID string   `json:"client_id"`
	User     User     `json:"user"`
	Resource string   `json:"resource"`
	Scopes   []string `json:"scopes"`
	Created  int64    `json:"created"`
	Expires  int64    `json:"expires"` // Unix seconds
	// Upstream is the provider's token, sealed with ENCRYPTION_KEY and
	// bound to the grant's ID.
	Upstream []byte `json:"upstream"`
}

func (g *grant) setUpstream(keys []cipher.AEAD, tok *oauth2.Token) error {
	b, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	g.Upstream = seal(keys, b, []byte(g.ID))
	return nil
}

func (g *grant) upstream(keys []cipher.AEAD) (*oauth2.Token, error) {
	b, err := open(keys, g.Upstream, []byte(g.ID))
	if err != nil {
		return nil, err
	}
	var tok oauth2.Token
	return &tok, json.Unmarshal(b, &tok)
}

// loadGrant returns the grant with the given ID, if it is neither revoked
// nor expired.
func (s *Server) loadGrant(ctx context.Context, id string) (*grant, error) {
	if id == "" {
		return nil, store.ErrNotFound
	}
	b, err := s.store.Get(ctx, keyGrant+id)
	if err != nil {
		return nil, err
	}
	return s.decodeGrant(id, b)
}

// decodeGrant is loadGrant for the stored value b, already read.
func (s *Server) decodeGrant(id string, b []byte) (*grant, error) {
	var g grant
	if err := s.decode(keyGrant+id, b, &g); err != nil {
		return nil, err
	}
	if g.ID != id {
		s.logger.Error("oauth: refused a corrupt or foreign record in the store", "kind", "grant", "err", "the grant names another ID")
		return nil, errCorrupt
	}
	if s.now().Unix() >= g.Expires {
		return nil, store.ErrNotFound
	}
	return &g, nil
}

func (g *grant) valid() bool {
	return g.ID != "" && g.ClientID != "" && g.User.ID != "" && g.Resource != "" && g.Expires > 0 && len(g.Upstream) > 0
}

func (r *codeRecord) valid() bool {
	return r.GrantID != "" && r.ClientID != "" && r.RedirectURI != "" && r.Challenge != "" && r.Resource != "" && r.Expires > 0
}

func (r *tokenRecord) valid() bool {
	return r.GrantID != "" && r.ClientID != "" && r.Resource != "" && r.Expires > 0
}

// codeRecord is an authorization code, stored under its hash.
type codeRecord struct {
	GrantID       string `json:"grant"`
	ClientID      string `json:"client_id"`
	RedirectURI   string `json:"redirect_uri"`
	RedirectGiven bool   `json:"redirect_given,omitempty"`
	Challenge     string `json:"code_challenge"`
	Resource      string `json:"resource"`
	Expires       int64  `json:"expires"`
}

// accessSep separates an access token's grant ID from its secret part.
// An access token begins with the ID of its grant so that the check on
// every request can ask the store for the token and its grant at once (one
// round trip to a shared store) rather than one after the other. The ID is
// no secret: no endpoint takes one, and a token is found only by the hash
// of the whole of it. Neither grant IDs nor the random part (base64url
// both) contain the separator.
const accessSep = "."

// tokenRecord is an access or refresh token, stored under its hash.
type tokenRecord struct {
	GrantID  string   `json:"grant"`
	ClientID string   `json:"client_id"`
	Resource string   `json:"resource"`
	Scopes   []string `json:"scopes"`
	Expires  int64    `json:"expires"` // Unix seconds
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// postOnly answers CORS preflights of browser-based clients (allowing the
// request headers named) and refuses methods other than POST. It reports
// whether the request is a POST for the endpoint to handle.
func (s *Server) postOnly(w http.ResponseWriter, r *http.Request, headers string) bool {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", headers)
		w.WriteHeader(http.StatusNoContent)
		return false
	}
	if r.Method != http.MethodPost {
		s.refuse(w, r, &oauthError{Code: "invalid_request", Description: "use POST", status: http.StatusMethodNotAllowed})
		return false
	}
	return true
}

// clientRequest does what the token and revocation endpoints share: CORS
// for browser-based clients, POST only, a form body of bounded size, and
// client authentication (RFC 6749 §2.3). It reports false when it has
// already answered the request with an error.
func (s *Server) clientRequest(w http.ResponseWriter, r *http.Request) (*client, bool) {
	if !s.postOnly(w, r, "Content-Type, Authorization") {
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.refuse(w, r, errorf("invalid_request", "the body is not a form"))
		return nil, false
	}
	c, oerr := s.authenticateClient(r)
	if oerr != nil {
		s.refuse(w, r, oerr)
		return nil, false
	}
	return c, true
}

// handleToken is the token endpoint (RFC 6749 §3.2).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	c, ok := s.clientRequest(w, r)
	if !ok {
		return
	}
	var (
		resp *tokenResponse
		oerr *oauthError
	)
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		resp, oerr = s.exchangeCode(r.Context(), c, r)
	case "refresh_token":
		resp, oerr = s.refresh(r.Context(), c, r)
	case "":
		oerr = errorf("invalid_request", "grant_type is missing")
	default:
		oerr = errorf("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
	}
	if oerr != nil {
		s.refuse(w, r, oerr)
		return
	}
	kind := EventTokenIssued
	if r.PostForm.Get("grant_type") == "refresh_token" {
		kind = EventTokenRefreshed
	}
	s.emit(r, kind, "")
	writeJSON(w, http.StatusOK, resp)
}

// exchangeCode redeems an authorization code (RFC 6749 §4.1.3, with PKCE
// and RFC 8707). A code is good once: using it again revokes the grant it
// was issued for, and with it every token issued from it (§4.1.2).
func (s *Server) exchangeCode(ctx context.Context, c *client, r *http.Request) (*tokenResponse, *oauthError) {
	form := r.PostForm
	code := form.Get("code")
	if code == "" {
		return nil, errorf("invalid_request", "code is missing")
	}
	h := hash(code)
	var cr codeRecord
	if err := s.takeJSON(ctx, keyCode+h, &cr); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			return nil, s.internal(err)
		}
		if grantID, err := s.store.Get(ctx, keyUsed+h); err == nil {
			s.revokeGrant(ctx, string(grantID))
			s.logger.Warn("oauth: an authorization code was used twice; revoked its tokens", "client_id", c.ID)
		}
		return nil, errorf("invalid_grant", "the code is invalid, expired or already used")
	}
	// Remembered so that a replay can be caught, once this redemption is
	// over: a replay racing it gets invalid_grant and revokes nothing, as
	// it cannot yet be told from a client's retry, so that exactly one of
	// two concurrent redemptions succeeds; a replay after it revokes what
	// it issued.
	defer func() {
		if err := s.store.Put(ctx, keyUsed+h, []byte(cr.GrantID), usedCodeTTL); err != nil {
			s.logger.Error("oauth: remembering a used code", "err", err)
		}
	}()
	switch {
	case s.now().Unix() >= cr.Expires:
		return nil, errorf("invalid_grant", "the code has expired")
	case cr.ClientID != c.ID:
		return nil, errorf("invalid_grant", "the code was issued to another client")
	case (cr.RedirectGiven || form.Has("redirect_uri")) && form.Get("redirect_uri") != cr.RedirectURI:
		return nil, errorf("invalid_grant", "redirect_uri differs from the authorization request's")
	case form.Get("code_verifier") == "":
		return nil, errorf("invalid_request", "code_verifier is missing")
	case !verifierMatches(form.Get("code_verifier"), cr.Challenge):
		return nil, errorf("invalid_grant", "code_verifier does not match the code_challenge")
	}
	if res := form["resource"]; len(res) > 0 && (len(res) > 1 || !s.isResource(res[0]) || cr.Resource != s.resource) {
		return nil, errorf("invalid_target", "the resource is not the one authorized")
	}
	g, err := s.loadGrant(ctx, cr.GrantID)
	if storeFailed(err) {
		return nil, s.internal(err)
	}
	if err != nil {
		return nil, errorf("invalid_grant", "the authorization was revoked")
	}
	return s.issue(ctx, c, g, g.Scopes)
}

// verifierMatches checks a PKCE verifier against an S256 challenge
// (RFC 7636 §4.6).
func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	got := oauth2.S256ChallengeFromVerifier(verifier)
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// refresh exchanges a refresh token for new tokens (RFC 6749 §6). Refresh
// tokens rotate: each is good once, and presenting one already exchanged
// means it was stolen or replayed, so the whole grant is revoked (OAuth
// 2.1 §4.3.1).
func (s *Server) refresh(ctx context.Context, c *client, r *http.Request) (*tokenResponse, *oauthError) {
	form := r.PostForm
	rt := form.Get("refresh_token")
	if rt == "" {
		return nil, errorf("invalid_request", "refresh_token is missing")
	}
	h := hash(rt)
	var tr tokenRecord
	if err := s.takeJSON(ctx, keyRefresh+h, &tr); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			return nil, s.internal(err)
		}
		if grantID, err := s.store.Get(ctx, keyRotated+h); err == nil {
			s.revokeGrant(ctx, string(grantID))
			s.logger.Warn("oauth: a refresh token was used after rotation; revoked its grant", "client_id", c.ID)
		}
		return nil, errorf("invalid_grant", "the refresh token is invalid, expired or revoked")
	}
	// What is left of the token's life; a store TTL of 0 would be forever.
	left := time.Unix(tr.Expires, 0).Sub(s.now())
	if left <= 0 {
		return nil, errorf("invalid_grant", "the refresh token has expired")
	}
	scopes, oerr := s.checkRefresh(c, &tr, form)
	if oerr != nil {
		// A request refused before rotation leaves the token as it was,
		// for its owner to use.
		if err := s.putJSON(ctx, keyRefresh+h, &tr, left); err != nil {
			return nil, s.internal(err)
		}
		return nil, oerr
	}
	// Remembered once this refresh is over, for the reason exchangeCode
	// remembers used codes then.
	defer func() {
		if err := s.store.Put(ctx, keyRotated+h, []byte(tr.GrantID), left); err != nil {
			s.logger.Error("oauth: remembering a rotated refresh token", "err", err)
		}
	}()
	g, err := s.loadGrant(ctx, tr.GrantID)
	if storeFailed(err) {
		return nil, s.internal(err)
	}
	if err != nil {
		return nil, errorf("invalid_grant", "the authorization was revoked or has expired; sign in again")
	}
	return s.issue(ctx, c, g, scopes)
}

// checkRefresh checks a refresh request against its token and returns
// the scopes to issue.
func (s *Server) checkRefresh(c *client, tr *tokenRecord, form url.Values) ([]string, *oauthError) {
	if tr.ClientID != c.ID {
		return nil, errorf("invalid_grant", "the refresh token was issued to another client")
	}
	if res := form["resource"]; len(res) > 0 && (len(res) > 1 || !s.isResource(res[0])) {
		return nil, errorf("invalid_target", "the resource is not this server: it is %s", s.resource)
	}
	scopes := tr.Scopes
	if sc := form.Get("scope"); sc != "" {
		// A refresh may narrow the scopes, never widen them.
		scopes = strings.Fields(sc)
		for _, x := range scopes {
			if !slices.Contains(tr.Scopes, x) {
				return nil, errorf("invalid_scope", "scope %q was not granted", x)
			}
		}
	}
	return scopes, nil
}

// issue issues an access token, and a refresh token if the client uses
// them, from g.
func (s *Server) issue(ctx context.Context, c *client, g *grant, scopes []string) (*tokenResponse, *oauthError) {
	now := s.now()
	at := g.ID + accessSep + randomToken()
	rec := &tokenRecord{GrantID: g.ID, ClientID: c.ID, Resource: g.Resource, Scopes: scopes, Expires: now.Add(accessTokenTTL).Unix()}
	if err := s.putJSON(ctx, keyAccess+hash(at), rec, accessTokenTTL); err != nil {
		return nil, s.internal(err)
	}
	resp := &tokenResponse{
		AccessToken: at,
		TokenType:   "Bearer",
		ExpiresIn:   int64(accessTokenTTL / time.Second),
		Scope:       strings.Join(scopes, " "),
	}
	if c.allowsRefresh() {
		rt := randomToken()
		rrec := *rec
		rrec.Expires = g.Expires // no longer than the grant
		if err := s.putJSON(ctx, keyRefresh+hash(rt), &rrec, time.Unix(g.Expires, 0).Sub(now)); err != nil {
			return nil, s.internal(err)
		}
		resp.RefreshToken = rt
	}
	return resp, nil
}

// internal is the error response for a failure of the server rather than
// the request. A store that cannot be reached is 503 temporarily_unavailable,
// which tells the client to try again (RFC 6749 §4.1.2.1 names the code;
// RFC 7009 §2.2.1 the status); anything else is 500 server_error.
func (s *Server) internal(err error) *oauthError {
	if errors.Is(err, store.ErrUnavailable) {
		s.logger.Error("oauth: the store is unavailable", "err", err)
		return &oauthError{Code: "temporarily_unavailable", Description: "the server cannot reach its store; try again shortly", status: http.StatusServiceUnavailable}
	}
	s.logger.Error("oauth: internal error", "err", err)
	return &oauthError{Code: "server_error", Description: "internal error", status: http.StatusInternalServerError}
}

// revokeGrant revokes a grant, and so every token issued from it.
func (s *Server) revokeGrant(ctx context.Context, id string) error {
	if err := s.store.Delete(ctx, keyGrant+id); err != nil {
		s.logger.Error("oauth: revoking a grant", "err", err)
		return err
	}
	s.store.Delete(ctx, keyUpstream+id)
	return nil
}

// handleRevoke is token revocation (RFC 7009). Revoking a refresh token
// revokes its grant, access tokens included; revoking an access token
// revokes that token. Unknown tokens are not an error (§2.2).
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	c, ok := s.clientRequest(w, r)
	if !ok {
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		s.refuse(w, r, errorf("invalid_request", "token is missing"))
		return
	}
	if err := s.revoke(r.Context(), c, hash(tok)); err != nil {
		// The token may still work: say so, rather than 200 (RFC 7009
		// §2.2.1), so that the client tries again.
		s.refuse(w, r, s.internal(err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// revoke revokes the token whose hash is h, if c holds it; an error means
// the store failed and the token may still be good.
func (s *Server) revoke(ctx context.Context, c *client, h string) error {
	var tr tokenRecord
	err := s.getJSON(ctx, keyRefresh+h, &tr)
	if err == nil && tr.ClientID == c.ID {
		if err := s.revokeGrant(ctx, tr.GrantID); err != nil {
			return err
		}
		return s.store.Delete(ctx, keyRefresh+h)
	}
	if storeFailed(err) {
		return err
	}
	err = s.getJSON(ctx, keyAccess+h, &tr)
	if err == nil && tr.ClientID == c.ID {
		return s.store.Delete(ctx, keyAccess+h)
	}
	if storeFailed(err) {
		return err
	}
	return nil
}
