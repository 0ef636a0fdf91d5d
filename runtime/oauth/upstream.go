package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// UpstreamClient returns an HTTP client that calls the provider's API (see
// [Server.APIURL]) as the user of req, with the provider token stored at
// sign-in. The token itself is never exposed, and the client sends it
// only to the API's origin: requests elsewhere fail.
func (s *Server) UpstreamClient(ctx context.Context, req mcp.Request) (*http.Client, error) {
	g, tok, err := s.requestToken(ctx, req)
	if err != nil {
		return nil, err
	}
	api, err := url.Parse(s.APIURL())
	if err != nil {
		return nil, fmt.Errorf("oauth: API URL: %w", err)
	}
	base := s.httpClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	var ts oauth2.TokenSource = oauth2.StaticTokenSource(tok)
	if tok.RefreshToken != "" {
		// Google's and other OIDC providers' tokens expire within the
		// hour; the source refreshes them with the refresh token, once
		// for all replicas, and keeps the new token in the store.
		cfg, _, err := s.provider.config(ctx, s.httpClient, s.issuer+"/callback")
		if err != nil {
			return nil, fmt.Errorf("oauth: %w", err)
		}
		ts = &upstreamSource{s: s, g: g, cfg: cfg, tok: tok}
	}
	return &http.Client{
		Timeout: s.httpClient.Timeout,
		Transport: &sameOrigin{
			origin: api,
			next:   &oauth2.Transport{Source: ts, Base: base},
		},
		// A redirect to another origin would fail in sameOrigin; within
		// it, the token goes along as it should.
	}, nil
}

// requestToken is the grant of the user who made req, and its provider
// token as last stored.
func (s *Server) requestToken(ctx context.Context, req mcp.Request) (*grant, *oauth2.Token, error) {
	g, err := s.requestGrant(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	tok, err := s.upstreamToken(ctx, g)
	if err != nil {
		return nil, nil, err
	}
	return g, tok, nil
}

// requestGrant is the grant of the user who made req.
func (s *Server) requestGrant(ctx context.Context, req mcp.Request) (*grant, error) {
	if req == nil || req.GetExtra() == nil || req.GetExtra().TokenInfo == nil {
		return nil, errors.New("oauth: the request has no signed-in user")
	}
	extra := req.GetExtra().TokenInfo.Extra
	if g, ok := extra[extraGrantRecord].(*grant); ok && g != nil {
		// The bearer check of this very request read it.
		return g, nil
	}
	grantID, _ := extra[extraGrant].(string)
	g, err := s.loadGrant(ctx, grantID)
	if storeFailed(err) {
		return nil, fmt.Errorf("oauth: reading the user's authorization: %w", err)
	}
	if err != nil {
		return nil, errors.New("oauth: the user's authorization was revoked; sign in again")
	}
	return g, nil
}

// UserToken returns the provider token of the user who made req, for an
// API that accepts the provider's tokens (runtime/upstream calls it for
// each call of an OpenAPI tool whose manifest says credentials:
// signedInUser). An expired token is refreshed first, once for all the
// calls and replicas that want it at the same time; a provider that
// refuses the refresh revokes the grant, and the error says to sign in
// again. The token must go to the provider's API and nowhere else.
func (s *Server) UserToken(ctx context.Context, req mcp.Request) (*oauth2.Token, error) {
	g, tok, err := s.requestToken(ctx, req)
	if err != nil {
		return nil, err
	}
	if tok.Valid() || tok.RefreshToken == "" {
		// GitHub's OAuth app tokens do not expire; a token past its expiry
		// without a way to refresh it is the API's to refuse.
		return tok, nil
	}
	cfg, _, err := s.provider.config(ctx, s.httpClient, s.issuer+"/callback")
	if err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	return s.refreshUpstream(ctx, g, cfg)
}

// sameOrigin refuses requests outside one origin, so that a tool that
// follows a URL from an API response cannot hand the user's token to
// whoever wrote the URL.
type sameOrigin struct {
	origin *url.URL
	next   http.RoundTripper
}

func (t *sameOrigin) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != t.origin.Scheme || r.URL.Host != t.origin.Host {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("oauth: the upstream client calls only %s://%s, not %s://%s", t.origin.Scheme, t.origin.Host, r.URL.Scheme, r.URL.Host)
	}
	return t.next.RoundTrip(r)
}

// upstreamToken returns the provider token of g: the one it was signed
// in with, or the one that replaced it when it was last refreshed.
func (s *Server) upstreamToken(ctx context.Context, g *grant) (*oauth2.Token, error) {
	signedIn, err := g.upstream(s.set.keys)
	if err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	if signedIn.RefreshToken == "" {
		// Never refreshed (GitHub's tokens do not expire): no store read.
		return signedIn, nil
	}
	sealed, err := s.store.Get(ctx, keyUpstream+g.ID)
	if storeFailed(err) {
		return nil, fmt.Errorf("oauth: reading the provider token: %w", err)
	}
	if err == nil {
		// A refreshed token, newer than the one the grant holds.
		b, err := open(s.set.keys, sealed, []byte(g.ID))
		var fresh oauth2.Token
		if err == nil && json.Unmarshal(b, &fresh) == nil && fresh.AccessToken != "" {
			return &fresh, nil
		}
		s.logger.Error("oauth: refused a corrupt or foreign record in the store", "kind", strings.TrimSuffix(keyUpstream, ":"))
	}
	return signedIn, nil
}

// How replicas share the refresh of a provider token.
const (
	// upstreamRefreshWait bounds a Token call that has to refresh, or wait
	// for another replica to, end to end.
	upstreamRefreshWait = 30 * time.Second
	// upstreamLockTTL frees the lock of a replica that died refreshing.
	upstreamLockTTL = upstreamRefreshWait
	// upstreamLockPoll is how often a waiting replica looks again.
	upstreamLockPoll = 50 * time.Millisecond
)

// errSignInAgain is what a tool sees when the provider no longer accepts
// the user's sign-in.
var errSignInAgain = errors.New("oauth: the identity provider refused to refresh the user's token (invalid_grant): the authorization is revoked; sign in again")

// upstreamSource gives the provider token of one grant, refreshing it
// when it has expired.
type upstreamSource struct {
	s   *Server
	g   *grant
	cfg *oauth2.Config

	mu  sync.Mutex
	tok *oauth2.Token
}

func (u *upstreamSource) Token() (*oauth2.Token, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.tok.Valid() {
		return u.tok, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), upstreamRefreshWait)
	defer cancel()
	tok, err := u.s.refreshUpstream(ctx, u.g, u.cfg)
	if err != nil {
		return nil, err
	}
	u.tok = tok
	return tok, nil
}

// refreshUpstream refreshes the provider token of g, once across all the
// replicas that share the store: the replica that takes the lock (a key
// created only if absent, expiring in case its holder dies) refreshes and
// stores the new token; the others wait for the lock to go and read that
// token. Refreshing twice would be worse than slow: providers that rotate
// refresh tokens refuse the second refresh, and may revoke the first.
//
// A provider that answers invalid_grant has revoked the sign-in: the grant
// is revoked here too, and the error says to sign in again.
func (s *Server) refreshUpstream(ctx context.Context, g *grant, cfg *oauth2.Config) (*oauth2.Token, error) {
	lock, owner := keyUpstreamLock+g.ID, []byte(randomToken())
	for {
		tok, err := s.upstreamToken(ctx, g)
		if err != nil {
			return nil, err
		}
		if tok.Valid() {
			return tok, nil // refreshed by someone else meanwhile
		}
		got, err := s.store.CompareAndSwap(ctx, lock, nil, owner, upstreamLockTTL)
		if err != nil {
			return nil, fmt.Errorf("oauth: refreshing the provider token: %w", err)
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return nil, errors.New("oauth: another server is still refreshing the provider token; try again")
		case <-time.After(upstreamLockPoll):
		}
	}
	defer s.store.CompareAndSwap(context.WithoutCancel(ctx), lock, owner, nil, 0)
	// Read once more under the lock: its last holder may have finished
	// between our read and our taking it.
	cur, err := s.upstreamToken(ctx, g)
	if err != nil {
		return nil, err
	}
	if cur.Valid() {
		return cur, nil
	}
	if _, err := s.loadGrant(ctx, g.ID); storeFailed(err) {
		return nil, fmt.Errorf("oauth: reading the user's authorization: %w", err)
	} else if err != nil {
		return nil, errors.New("oauth: the user's authorization was revoked")
	}
	stale := *cur
	stale.AccessToken, stale.Expiry = "", time.Unix(1, 0) // make x/oauth2 refresh
	fresh, err := cfg.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, s.httpClient), &stale).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			s.logger.Info("oauth: the identity provider refused to refresh a token; revoked the grant", "client_id", g.ClientID, "user", g.User.Login)
			if err := s.revokeGrant(ctx, g.ID); err != nil {
				return nil, fmt.Errorf("oauth: revoking the grant: %w", err)
			}
			return nil, errSignInAgain
		}
		return nil, fmt.Errorf("oauth: refreshing the provider token: %s", describeExchangeError(err))
	}
	b, err := json.Marshal(fresh)
	if err != nil {
		return nil, err
	}
	// It lives as long as the grant: a revoked grant's token is never read.
	ttl := max(time.Unix(g.Expires, 0).Sub(s.now()), time.Second)
	if err := s.store.Put(ctx, keyUpstream+g.ID, seal(s.set.keys, b, []byte(g.ID)), ttl); err != nil {
		// The token works all the same: this call goes on with it, and a
		// later one refreshes again.
		s.logger.Error("oauth: keeping a refreshed provider token", "err", err)
	}
	return fresh, nil
}
