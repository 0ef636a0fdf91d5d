package oauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
	"golang.org/x/oauth2"
)

// pending is an authorization request from /authorize until the user
// decides on the consent page, and then (as a flow) until the provider
// sends the user back.
type pending struct {
	ClientID    string `json:"client_id"`
	RedirectURI string `json:"redirect_uri"`
	// RedirectGiven is whether the request named its redirect URI (which
	// it may leave out when the client registered only one); if it did,
	// the token request must name it too (RFC 6749 §4.1.3).
	RedirectGiven bool     `json:"redirect_given,omitempty"`
	State         string   `json:"state,omitempty"`
	Challenge     string   `json:"code_challenge"`
	Resource      string   `json:"resource"`
	Scopes        []string `json:"scopes"`
	CSRFHash      string   `json:"csrf"`
	// BrowserHash binds the request to the browser that made it (the hash
	// of its browser cookie), so that nobody can get another user's
	// browser to approve a request they started.
	BrowserHash string `json:"browser"`
	// Verifier is the PKCE verifier towards the provider, once approved.
	Verifier string `json:"verifier,omitempty"`
}

func (p *pending) valid() bool {
	return p.ClientID != "" && p.RedirectURI != "" && p.Challenge != "" && p.Resource != "" && p.CSRFHash != "" && p.BrowserHash != ""
}

// browserCookie binds authorization requests to a browser.
const browserCookie = "mcpgen_oauth"

// handleAuthorize is the authorization endpoint (RFC 6749 §4.1.1 with
// OAuth 2.1's PKCE and RFC 8707's resource). A request that names an
// unknown client or a redirect URI it did not register gets an error page:
// redirecting there would make this server an open redirector. Other
// errors go back to the client.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "invalid_request", "The authorization request is malformed.")
		return
	}
	q := r.Form
	c, err := s.lookupClient(r.Context(), q.Get("client_id"))
	if errors.Is(err, errStore) {
		s.serverError(w, r, err)
		return
	}
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "invalid_client", "The application is not registered with this server: "+err.Error())
		return
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" && len(c.RedirectURIs) == 1 {
		redirectURI = c.RedirectURIs[0]
	}
	if !matchRedirectURI(c.RedirectURIs, redirectURI) {
		s.errorPage(w, r, http.StatusBadRequest, "invalid_request", "The redirect URI is not one the application registered.")
		return
	}
	p := &pending{ClientID: c.ID, RedirectURI: redirectURI, RedirectGiven: q.Has("redirect_uri"), State: q.Get("state")}
	fail := func(code, desc string) { s.redirectError(w, r, p, code, desc) }
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response_type must be code")
		return
	case q.Get("code_challenge") == "":
		fail("invalid_request", "PKCE is required: code_challenge is missing")
		return
	case q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
		return
	case !validChallenge(q.Get("code_challenge")):
		fail("invalid_request", "code_challenge is not a base64url SHA-256 hash")
		return
	}
	p.Challenge = q.Get("code_challenge")
	p.Resource = s.resource
	if res := q["resource"]; len(res) > 0 {
		if len(res) > 1 || !s.isResource(res[0]) {
			fail("invalid_target", "the resource is not this server, "+s.resource)
			return
		}
	}
	if p.Scopes, err = s.checkScopes(q.Get("scope")); err != nil {
		fail("invalid_scope", err.Error())
		return
	}

	browser := s.browserID(w, r)
	csrf := randomToken()
	p.CSRFHash, p.BrowserHash = hash(csrf), hash(browser)
	id := randomToken()
	if err := s.putJSON(r.Context(), keyPending+id, p, pendingTTL); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.consentPage(w, r, c, p, id, csrf)
}

// isResource reports whether a resource parameter names this server's
// resource. A trailing slash is tolerated.
func (s *Server) isResource(res string) bool {
	return strings.TrimSuffix(res, "/") == s.resource
}

func validChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	return !strings.ContainsFunc(c, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	})
}

// browserID returns the browser's binding secret, setting the cookie
// first if the browser has none.
func (s *Server) browserID(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(browserCookie); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	v := randomToken()
	http.SetCookie(w, &http.Cookie{
		Name:     browserCookie,
		Value:    v,
		Path:     "/",
		HttpOnly: true,
		Secure:   strings.HasPrefix(s.issuer, "https://"),
		SameSite: http.SameSiteLaxMode,
	})
	return v
}

// sameBrowser reports whether r comes from the browser whose cookie hash
// is want.
func sameBrowser(r *http.Request, want string) bool {
	ck, err := r.Cookie(browserCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(hash(ck.Value)), []byte(want)) == 1
}

// serverError answers a browser when the server, not the request, failed:
// 503 when the store cannot be reached, 500 otherwise.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrUnavailable) {
		s.logger.Error("oauth: the store is unavailable", "err", err)
		w.Header().Set("Retry-After", retryAfter)
		s.errorPage(w, r, http.StatusServiceUnavailable, "temporarily_unavailable", "The server is temporarily unavailable. Try again in a moment.")
		return
	}
	s.logger.Error("oauth: internal error", "err", err)
	s.errorPage(w, r, http.StatusInternalServerError, "server_error", "Something went wrong on the server. Try again.")
}

// failToClient sends the user back to the client when the server failed
// once the request is known to be the client's: temporarily_unavailable
// when the store cannot be reached, so that the client may simply try
// again (RFC 6749 §4.1.2.1), server_error otherwise.
func (s *Server) failToClient(w http.ResponseWriter, r *http.Request, p *pending, err error) {
	if errors.Is(err, store.ErrUnavailable) {
		s.logger.Error("oauth: the store is unavailable", "err", err)
		s.redirectError(w, r, p, "temporarily_unavailable", "the server cannot reach its store; try again shortly")
		return
	}
	s.logger.Error("oauth: internal error", "err", err)
	s.redirectError(w, r, p, "server_error", "internal error")
}

// redirectError sends the user back to the client with an error (RFC 6749
// §4.1.2.1), once the redirect URI is known to be the client's.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, p *pending, code, desc string) {
	s.emit(r, EventRefused, code)
	s.redirectToClient(w, r, p, url.Values{"error": {code}, "error_description": {desc}})
}

// redirectToClient redirects to p's redirect URI with params, state and
// iss (RFC 9207) added to its query.
func (s *Server) redirectToClient(w http.ResponseWriter, r *http.Request, p *pending, params url.Values) {
	u, err := url.Parse(p.RedirectURI)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "invalid_request", "The redirect URI is malformed.")
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if p.State != "" {
		q.Set("state", p.State)
	}
	q.Set("iss", s.issuer)
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// handleConsent takes the user's decision on the consent page.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "invalid_request", "The form is malformed.")
		return
	}
	id := r.PostForm.Get("request")
	var p pending
	if err := s.getJSON(r.Context(), keyPending+id, &p); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.errorPage(w, r, http.StatusBadRequest, "invalid_request", "This authorization request has expired or was already answered. Start again from the application.")
			return
		}
		s.serverError(w, r, err)
		return
	}
	csrf := r.PostForm.Get("csrf")
	if csrf == "" || subtle.ConstantTimeCompare([]byte(hash(csrf)), []byte(p.CSRFHash)) != 1 || !sameBrowser(r, p.BrowserHash) {
		// Left pending: the real page can still be answered.
		s.errorPage(w, r, http.StatusForbidden, "access_denied", "The form could not be verified. Go back to the application and start again.")
		return
	}
	// Taking it makes the decision count once, even if submitted twice.
	if err := s.takeJSON(r.Context(), keyPending+id, &p); err != nil {
		if storeFailed(err) {
			s.serverError(w, r, err)
			return
		}
		s.errorPage(w, r, http.StatusBadRequest, "invalid_request", "This authorization request was already answered.")
		return
	}
	if r.PostForm.Get("action") != "approve" {
		s.logger.Info("oauth: consent denied", "client_id", p.ClientID)
		s.redirectError(w, r, &p, "access_denied", "the user denied the request")
		return
	}
	cfg, pkce, err := s.provider.config(r.Context(), s.httpClient, s.issuer+"/callback")
	if err != nil {
		s.logger.Error("oauth: identity provider unavailable", "err", err)
		s.redirectError(w, r, &p, "temporarily_unavailable", "the identity provider is unavailable")
		return
	}
	cfg.Scopes = s.providerScopes(p.Scopes)
	state := randomToken()
	var opts []oauth2.AuthCodeOption
	if s.set.provider.name == "google" {
		// Google's incremental authorization: a step-up keeps what the
		// user granted before.
		opts = append(opts, oauth2.SetAuthURLParam("include_granted_scopes", "true"))
	}
	if pkce {
		p.Verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(p.Verifier))
	}
	if err := s.putJSON(r.Context(), keyFlow+hash(state), &p, pendingTTL); err != nil {
		s.failToClient(w, r, &p, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, cfg.AuthCodeURL(state, opts...), http.StatusFound)
}

// handleCallback is where the provider sends the user back. It signs the
// user in, keeps the provider's token (encrypted) in a new grant, and
// sends the user back to the client with this server's own code.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var p pending
	if err := s.takeJSON(r.Context(), keyFlow+hash(q.Get("state")), &p); err != nil {
		if storeFailed(err) {
			s.serverError(w, r, err)
			return
		}
		s.errorPage(w, r, http.StatusBadRequest, "invalid_request", "This sign-in has expired or was already completed. Start again from the application.")
		return
	}
	if !sameBrowser(r, p.BrowserHash) {
		s.errorPage(w, r, http.StatusForbidden, "access_denied", "This sign-in was started in another browser. Start again from the application.")
		return
	}
	if e := q.Get("error"); e != "" {
		s.logger.Info("oauth: the identity provider refused the sign-in", "client_id", p.ClientID, "error", e)
		s.redirectError(w, r, &p, "access_denied", "the sign-in with the identity provider was not completed")
		return
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, s.httpClient)
	cfg, _, err := s.provider.config(ctx, s.httpClient, s.issuer+"/callback")
	if err != nil {
		s.logger.Error("oauth: identity provider unavailable", "err", err)
		s.redirectError(w, r, &p, "temporarily_unavailable", "the identity provider is unavailable")
		return
	}
	var opts []oauth2.AuthCodeOption
	if p.Verifier != "" {
		opts = append(opts, oauth2.VerifierOption(p.Verifier))
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), opts...)
	if err != nil {
		s.logger.Warn("oauth: exchanging the identity provider's code failed", "err", describeExchangeError(err))
		s.redirectError(w, r, &p, "access_denied", "the sign-in with the identity provider failed")
		return
	}
	user, err := s.provider.user(ctx, s.httpClient, tok)
	if err != nil {
		s.logger.Warn("oauth: reading the signed-in user failed", "err", err)
		s.redirectError(w, r, &p, "access_denied", "the identity provider did not say who signed in")
		return
	}
	user.Scopes = grantedScopes(tok, s.providerScopes(p.Scopes))

	g := &grant{
		ID:       randomToken(),
		ClientID: p.ClientID,
		User:     *user,
		Resource: p.Resource,
		Scopes:   p.Scopes,
		Created:  s.now().Unix(),
		Expires:  s.now().Add(refreshTokenTTL).Unix(),
	}
	if err := g.setUpstream(s.set.keys, tok); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.putJSON(r.Context(), keyGrant+g.ID, g, refreshTokenTTL); err != nil {
		s.failToClient(w, r, &p, err)
		return
	}
	code := randomToken()
	cr := &codeRecord{
		GrantID:       g.ID,
		ClientID:      p.ClientID,
		RedirectURI:   p.RedirectURI,
		RedirectGiven: p.RedirectGiven,
		Challenge:     p.Challenge,
		Resource:      p.Resource,
		Expires:       s.now().Add(codeTTL).Unix(),
	}
	if err := s.putJSON(r.Context(), keyCode+hash(code), cr, codeTTL+time.Minute); err != nil {
		s.failToClient(w, r, &p, err)
		return
	}
	s.logger.Info("oauth: signed in", "user", user.Login, "client_id", p.ClientID)
	s.redirectToClient(w, r, &p, url.Values{"code": {code}})
}

// describeExchangeError describes a failed code exchange by the
// provider's error code only: its response is not for logs.
func describeExchangeError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return "the provider answered " + re.ErrorCode
		}
		if re.Response != nil {
			return "the provider answered " + re.Response.Status
		}
	}
	return err.Error()
}
