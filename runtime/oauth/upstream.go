package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// UpstreamClient returns an HTTP client that calls the provider's API (see
// [Server.APIURL]) as the user of req, with the provider token stored at
// sign-in. The token itself is never exposed, and the client sends it
// only to the API's origin: requests elsewhere fail.
func (s *Server) UpstreamClient(ctx context.Context, req mcp.Request) (*http.Client, error) {
	if req == nil || req.GetExtra() == nil || req.GetExtra().TokenInfo == nil {
		return nil, errors.New("oauth: the request has no signed-in user")
	}
	grantID, _ := req.GetExtra().TokenInfo.Extra[extraGrant].(string)
	g, err := s.loadGrant(ctx, grantID)
	if err != nil {
		return nil, errors.New("oauth: the user's authorization was revoked")
	}
	tok, err := g.upstream(s.set.keys)
	if err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	if sealed, err := s.store.Get(ctx, keyUpstream+g.ID); err == nil {
		// A refreshed token, newer than the one the grant holds.
		if b, err := open(s.set.keys, sealed, []byte(g.ID)); err == nil {
			var fresh oauth2.Token
			if json.Unmarshal(b, &fresh) == nil {
				tok = &fresh
			}
		}
	}
	api, err := url.Parse(s.APIURL())
	if err != nil {
		return nil, fmt.Errorf("oauth: API URL: %w", err)
	}
	base := s.httpClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	ts := oauth2.StaticTokenSource(tok)
	if tok.RefreshToken != "" {
		// Google's and other OIDC providers' tokens expire within the
		// hour; x/oauth2 refreshes them with the refresh token, and the
		// new token is kept for the next call.
		cfg, _, err := s.provider.config(ctx, s.httpClient, s.issuer+"/callback")
		if err != nil {
			return nil, fmt.Errorf("oauth: %w", err)
		}
		ts = &savingSource{
			src:  cfg.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, s.httpClient), tok),
			last: tok.AccessToken,
			save: func(t *oauth2.Token) {
				b, err := json.Marshal(t)
				if err == nil {
					err = s.store.Put(context.Background(), keyUpstream+g.ID, seal(s.set.keys, b, []byte(g.ID)), refreshTokenTTL)
				}
				if err != nil {
					s.logger.Error("oauth: keeping a refreshed provider token", "err", err)
				}
			},
		}
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

// savingSource passes tokens on from src, saving each new one.
type savingSource struct {
	src  oauth2.TokenSource
	save func(*oauth2.Token)
	mu   sync.Mutex
	last string // access token last seen
}

func (s *savingSource) Token() (*oauth2.Token, error) {
	tok, err := s.src.Token()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	fresh := tok.AccessToken != s.last
	s.last = tok.AccessToken
	s.mu.Unlock()
	if fresh {
		s.save(tok)
	}
	return tok, nil
}
