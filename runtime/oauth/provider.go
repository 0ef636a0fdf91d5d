package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// provider is the identity provider, to which this server is an OAuth
// client.
type provider struct {
	set    *providerSettings
	scopes []string

	mu   sync.Mutex
	disc *discovery // Google and OIDC, once discovered
}

// discovery is the part of an OpenID Provider's configuration used here.
type discovery struct {
	Issuer                        string   `json:"issuer"`
	AuthorizationEndpoint         string   `json:"authorization_endpoint"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	UserinfoEndpoint              string   `json:"userinfo_endpoint"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`
}

func newProvider(set *providerSettings, scopes []string) *provider {
	if scopes == nil {
		if set.name == "github" {
			scopes = []string{"read:user", "user:email"}
		} else {
			scopes = []string{"openid", "email", "profile"}
		}
	}
	return &provider{set: set, scopes: scopes}
}

// config returns the OAuth client configuration towards the provider, and
// whether it takes PKCE.
func (p *provider) config(ctx context.Context, hc *http.Client, redirectURL string) (*oauth2.Config, bool, error) {
	cfg := &oauth2.Config{
		ClientID:     p.set.clientID,
		ClientSecret: p.set.clientSecret,
		RedirectURL:  redirectURL,
		Scopes:       p.scopes,
	}
	if p.set.name == "github" {
		// GitHub takes PKCE (S256) on its OAuth apps, and credentials in
		// the body.
		cfg.Endpoint = oauth2.Endpoint{AuthURL: p.set.authURL, TokenURL: p.set.tokenURL, AuthStyle: oauth2.AuthStyleInParams}
		return cfg, true, nil
	}
	d, err := p.discover(ctx, hc)
	if err != nil {
		return nil, false, err
	}
	cfg.Endpoint = oauth2.Endpoint{AuthURL: d.AuthorizationEndpoint, TokenURL: d.TokenEndpoint}
	return cfg, slices.Contains(d.CodeChallengeMethodsSupported, "S256"), nil
}

// discover fetches the OpenID configuration of the issuer, once it works.
func (p *provider) discover(ctx context.Context, hc *http.Client) (*discovery, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.disc != nil {
		return p.disc, nil
	}
	u := p.set.issuer + "/.well-known/openid-configuration"
	var d discovery
	if err := getJSONFrom(ctx, hc, u, "", &d); err != nil {
		return nil, fmt.Errorf("OpenID discovery at %s: %w", u, err)
	}
	if strings.TrimRight(d.Issuer, "/") != p.set.issuer {
		return nil, fmt.Errorf("OpenID discovery at %s: issuer is %q, want %q", u, d.Issuer, p.set.issuer)
	}
	if d.AuthorizationEndpoint == "" || d.TokenEndpoint == "" || d.UserinfoEndpoint == "" {
		return nil, fmt.Errorf("OpenID discovery at %s: authorization, token or userinfo endpoint missing", u)
	}
	p.disc = &d
	return &d, nil
}

// user reads the signed-in user with the provider's token.
func (p *provider) user(ctx context.Context, hc *http.Client, tok *oauth2.Token) (*User, error) {
	bearer := tok.AccessToken
	if p.set.name != "github" {
		d, err := p.discover(ctx, hc)
		if err != nil {
			return nil, err
		}
		var info struct {
			Sub               string `json:"sub"`
			Email             string `json:"email"`
			EmailVerified     *bool  `json:"email_verified"`
			Name              string `json:"name"`
			PreferredUsername string `json:"preferred_username"`
		}
		if err := getJSONFrom(ctx, hc, d.UserinfoEndpoint, bearer, &info); err != nil {
			return nil, fmt.Errorf("reading the user: %w", err)
		}
		if info.Sub == "" {
			return nil, errors.New("reading the user: userinfo has no sub")
		}
		u := &User{ID: info.Sub, Name: info.Name, Login: info.PreferredUsername}
		// An unverified address could be anyone's, and rules match on it.
		if info.EmailVerified == nil || *info.EmailVerified {
			u.Email = info.Email
		}
		if u.Login == "" {
			u.Login = u.Email
		}
		return u, nil
	}
	var gu struct {
		ID    int64  `json:"id"`
		Login string `json:"login"`
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if err := getJSONFrom(ctx, hc, p.set.apiURL+"/user", bearer, &gu); err != nil {
		return nil, fmt.Errorf("reading the GitHub user: %w", err)
	}
	if gu.Login == "" {
		return nil, errors.New("reading the GitHub user: no login")
	}
	u := &User{ID: strconv.FormatInt(gu.ID, 10), Login: gu.Login, Name: gu.Name, Email: gu.Email}
	if u.Email == "" && slices.ContainsFunc(grantedScopes(tok, p.scopes), func(s string) bool {
		return s == "user:email" || s == "user"
	}) {
		var emails []struct {
			Email    string `json:"email"`
			Primary  bool   `json:"primary"`
			Verified bool   `json:"verified"`
		}
		if err := getJSONFrom(ctx, hc, p.set.apiURL+"/user/emails", bearer, &emails); err == nil {
			for _, e := range emails {
				if e.Primary && e.Verified {
					u.Email = e.Email
				}
			}
		}
	}
	return u, nil
}

// grantedScopes are the scopes the provider granted, as its token response
// says (comma-separated on GitHub, space-separated elsewhere), or the
// requested ones when it does not say.
func grantedScopes(tok *oauth2.Token, requested []string) []string {
	if s, _ := tok.Extra("scope").(string); s != "" {
		return splitList(s)
	}
	return requested
}

// getJSONFrom GETs url, with a bearer token if one is given, and decodes
// the JSON response into v. Errors never include the token.
func getJSONFrom(ctx context.Context, hc *http.Client, url, bearer string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.Unmarshal(body, v)
}
