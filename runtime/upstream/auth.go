package upstream

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// credentials are the API's credentials, read from the environment once.
type credentials struct {
	schemes map[string]*scheme
	// secrets are the values that must never reach a result or an error:
	// keys, tokens, passwords and client secrets, and the forms they take
	// on the wire.
	secrets [][]byte
}

// scheme is one security scheme with its credentials.
type scheme struct {
	def *SecurityScheme
	// values are the variables' values, in the order of def.Env; nil when
	// any is missing.
	values []string
	// unusable says why the scheme cannot be used at all, if it cannot.
	unusable string
	// accessToken is set when values is the access token of an oauth2 or
	// openIdConnect scheme, sent as it is.
	accessToken bool
	// tokens gets and keeps OAuth access tokens of the client credentials
	// flow.
	tokens *tokenSource
	// user is set when the signed-in user's token stands for the scheme
	// (API.SignedInUser).
	user bool
}

// minSecret is the length below which a credential is not redacted from
// responses: replacing a short, common string would corrupt them, and
// real keys and tokens are longer.
const minSecret = 6

// readCredentials reads the credentials of every scheme of api.
func readCredentials(api *API, base *url.URL, lookupEnv func(string) (string, bool)) (*credentials, error) {
	cs := &credentials{schemes: make(map[string]*scheme)}
	for i := range api.Schemes {
		def := &api.Schemes[i]
		s := &scheme{def: def}
		cs.schemes[def.Name] = s
		if api.SignedInUser && userScheme(def) {
			s.user = true
			continue
		}
		if len(s.ways()) == 0 {
			if n := envCount(def); n == 0 && !tokenScheme(def) {
				s.unusable = fmt.Sprintf("its type %q is not supported", def.Type)
			} else {
				s.unusable = "it names no environment variables for its credentials"
			}
			continue
		}
		// An access token obtained elsewhere wins over the client
		// credentials flow.
		if tokenScheme(def) && def.AccessTokenEnv != "" {
			if v, ok := lookupEnv(def.AccessTokenEnv); ok && v != "" {
				s.values = []string{v}
				s.accessToken = true
				cs.secret(v)
				continue
			}
		}
		if n := envCount(def); n == 0 || len(def.Env) < n {
			continue
		}
		values := make([]string, len(def.Env))
		complete := true
		for j, name := range def.Env {
			v, ok := lookupEnv(name)
			if !ok || v == "" {
				complete = false
			}
			values[j] = v
		}
		if !complete {
			continue
		}
		s.values = values
		switch {
		case def.Type == "apiKey":
			cs.secret(values[0])
			cs.secret(escape(values[0]))
		case def.Type == "http" && strings.EqualFold(def.Scheme, "basic"):
			cs.secret(values[1])
			cs.secret(base64.StdEncoding.EncodeToString([]byte(values[0] + ":" + values[1])))
		case def.Type == "http":
			cs.secret(values[0])
		case def.Type == "oauth2":
			cs.secret(values[1])
			tokenURL, err := base.Parse(def.TokenURL)
			if err != nil || def.TokenURL == "" {
				return nil, fmt.Errorf("%s: the token URL %q of security scheme %q is not a URL", apiName(api), def.TokenURL, def.Name)
			}
			s.tokens = &tokenSource{cfg: clientcredentials.Config{
				ClientID:     values[0],
				ClientSecret: values[1],
				TokenURL:     tokenURL.String(),
				Scopes:       def.Scopes,
			}}
		}
	}
	return cs, nil
}

// tokenScheme reports whether def's type takes an access token: oauth2
// (of any flow) and openIdConnect.
func tokenScheme(def *SecurityScheme) bool {
	return def.Type == "oauth2" || def.Type == "openIdConnect"
}

// envCount is how many environment variables in Env a scheme's credentials
// take, or 0 for a scheme that reads none from Env.
func envCount(def *SecurityScheme) int {
	switch def.Type {
	case "apiKey":
		switch def.In {
		case "header", "query", "cookie":
			if def.ParamName != "" {
				return 1
			}
		}
	case "http":
		if strings.EqualFold(def.Scheme, "basic") {
			return 2
		}
		if def.Scheme != "" {
			return 1
		}
	case "oauth2":
		if def.TokenURL != "" || len(def.Env) > 0 {
			return 2
		}
	}
	return 0
}

// ways are the sets of variables any one of which, all set, gives the
// scheme its credentials: an access token first, then the variables of Env.
func (s *scheme) ways() [][]string {
	var out [][]string
	if tokenScheme(s.def) && s.def.AccessTokenEnv != "" {
		out = append(out, []string{s.def.AccessTokenEnv})
	}
	if n := envCount(s.def); n > 0 && len(s.def.Env) >= n {
		out = append(out, s.def.Env[:n])
	}
	return out
}

func (cs *credentials) secret(s string) {
	if len(s) >= minSecret {
		cs.secrets = append(cs.secrets, []byte(s))
	}
}

// redact replaces every credential in b.
func (cs *credentials) redact(b []byte) []byte {
	if cs == nil {
		return b
	}
	replace := func(secret []byte) {
		if len(secret) >= minSecret && bytes.Contains(b, secret) {
			b = bytes.ReplaceAll(b, secret, []byte("[REDACTED]"))
		}
	}
	for _, s := range cs.secrets {
		replace(s)
	}
	for _, s := range cs.schemes {
		if s.tokens != nil {
			if tok := s.tokens.current(); tok != nil {
				replace([]byte(tok.AccessToken))
			}
		}
	}
	return b
}

// usedTokens are the OAuth tokens a request carried.
type usedTokens []usedToken

type usedToken struct {
	src *tokenSource
	tok *oauth2.Token
}

// rejected forgets the tokens after the API answered 401, so that the
// next call gets new ones.
func (u usedTokens) rejected() {
	for _, t := range u {
		t.src.drop(t.tok)
	}
}

// authorize adds to req the credentials of the first of op's security
// alternatives whose credentials are all set. When none is, the request
// goes without credentials, and the API decides: many declare security for
// operations that also answer anonymous calls.
func (c *Client) authorize(ctx context.Context, op *Operation, req *http.Request) (usedTokens, error) {
	alt, ok := c.creds.chosen(op)
	if !ok {
		return nil, nil
	}
	var used usedTokens
	for _, name := range alt {
		s := c.creds.schemes[name]
		tok, err := s.apply(ctx, c.hc, req)
		if err != nil {
			return nil, err
		}
		if tok != nil {
			used = append(used, usedToken{s.tokens, tok})
		}
	}
	return used, nil
}

// chosen is the first of op's security alternatives whose credentials are
// all set, if there is one.
func (cs *credentials) chosen(op *Operation) ([]string, bool) {
	for _, alt := range op.Security {
		if cs.satisfies(alt) {
			return alt, true
		}
	}
	return nil, false
}

// anonymous reports whether a call of op goes without the credentials its
// security asks for: no alternative has its credentials set, or the one
// that does is the empty one while others name schemes.
func (cs *credentials) anonymous(op *Operation) bool {
	if op.Security == nil {
		return false
	}
	alt, ok := cs.chosen(op)
	if ok && len(alt) > 0 {
		return false
	}
	for _, alt := range op.Security {
		if len(alt) > 0 {
			return true
		}
	}
	return false
}

// satisfies reports whether every scheme of alt has its credentials.
func (cs *credentials) satisfies(alt []string) bool {
	for _, name := range alt {
		if s := cs.schemes[name]; s == nil || (s.values == nil && !s.user) {
			return false
		}
	}
	return true
}

// missing says why a call of op carried no credentials, and names the
// variables that would give it some. It never shows a value.
func (cs *credentials) missing(op *Operation) string {
	var ways []string
	var problems []string
	for _, alt := range op.Security {
		if len(alt) == 0 {
			continue
		}
		combos := [][]string{nil}
		for _, name := range alt {
			s := cs.schemes[name]
			switch {
			case s == nil:
				problems = append(problems, fmt.Sprintf("security scheme %q is not defined", name))
				combos = nil
			case s.unusable != "":
				problems = append(problems, fmt.Sprintf("security scheme %q cannot be used: %s", name, s.unusable))
				combos = nil
			default:
				var next [][]string
				for _, c := range combos {
					for _, w := range s.ways() {
						next = append(next, append(slices.Clip(c), w...))
					}
				}
				combos = next
			}
		}
		for _, c := range combos {
			if len(c) > 0 {
				ways = append(ways, andList(c))
			}
		}
	}
	msg := fmt.Sprintf("%s %s was sent without credentials, as none of those it accepts are set", op.Method, op.Path)
	if len(ways) > 0 {
		msg += ": set " + strings.Join(ways, ", or ") + " in the server's environment"
	}
	if len(problems) > 0 {
		msg += " (" + strings.Join(problems, "; ") + ")"
	}
	return msg
}

func andList(s []string) string {
	switch len(s) {
	case 1:
		return s[0]
	case 2:
		return s[0] + " and " + s[1]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// apply adds the scheme's credentials to req, and returns the OAuth token
// it used, if any.
func (s *scheme) apply(ctx context.Context, hc *http.Client, req *http.Request) (*oauth2.Token, error) {
	if s.user {
		return nil, nil // Client.Do sends the user's token on every call
	}
	def := s.def
	switch def.Type {
	case "apiKey":
		v := s.values[0]
		switch def.In {
		case "header":
			req.Header.Set(def.ParamName, v)
		case "query":
			req.URL.RawQuery = joinQuery(req.URL.RawQuery, escape(def.ParamName)+"="+escape(v))
		case "cookie":
			pair := def.ParamName + "=" + v
			if old := req.Header.Get("Cookie"); old != "" {
				pair = old + "; " + pair
			}
			req.Header.Set("Cookie", pair)
		}
	case "http":
		if strings.EqualFold(def.Scheme, "basic") {
			req.SetBasicAuth(s.values[0], s.values[1])
		} else if strings.EqualFold(def.Scheme, "bearer") {
			req.Header.Set("Authorization", "Bearer "+s.values[0])
		} else {
			req.Header.Set("Authorization", def.Scheme+" "+s.values[0])
		}
	case "oauth2", "openIdConnect":
		if s.accessToken {
			req.Header.Set("Authorization", "Bearer "+s.values[0])
			return nil, nil
		}
		tok, err := s.tokens.token(ctx, hc)
		if err != nil {
			return nil, fmt.Errorf("getting an access token from %s failed: %v", s.tokens.cfg.TokenURL, err)
		}
		tok.SetAuthHeader(req)
		return tok, nil
	}
	return nil, nil
}

// apiKeyHeaders are the headers that carry API keys.
func apiKeyHeaders(schemes []SecurityScheme) []string {
	var out []string
	for _, s := range schemes {
		if s.Type == "apiKey" && s.In == "header" && s.ParamName != "" {
			out = append(out, s.ParamName)
		}
	}
	return out
}

// tokenSource gets access tokens with the OAuth client credentials flow,
// and keeps each until it expires. A token is fetched within the deadline
// of the call that needs it; concurrent calls wait for the same fetch.
type tokenSource struct {
	cfg   clientcredentials.Config
	fetch sync.Mutex // held while fetching

	mu  sync.Mutex // guards tok
	tok *oauth2.Token
}

func (t *tokenSource) current() *oauth2.Token {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tok
}

func (t *tokenSource) token(ctx context.Context, hc *http.Client) (*oauth2.Token, error) {
	if tok := t.current(); tok.Valid() {
		return tok, nil
	}
	t.fetch.Lock()
	defer t.fetch.Unlock()
	if tok := t.current(); tok.Valid() {
		return tok, nil // fetched while this call waited
	}
	tok, err := t.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.tok = tok
	t.mu.Unlock()
	return tok, nil
}

// drop forgets tok, if it is still the current token.
func (t *tokenSource) drop(tok *oauth2.Token) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == tok {
		t.tok = nil
	}
}

// userScheme reports whether the signed-in user's provider token can stand
// for def: a scheme that takes a bearer token.
func userScheme(def *SecurityScheme) bool {
	return tokenScheme(def) || (def.Type == "http" && strings.EqualFold(def.Scheme, "bearer"))
}
