package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/pages"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// Lifetimes of what the server issues.
const (
	accessTokenTTL  = time.Hour
	refreshTokenTTL = 30 * 24 * time.Hour
	codeTTL         = 60 * time.Second
	pendingTTL      = 10 * time.Minute // from /authorize to the provider's callback
	// usedCodeTTL is how long a used code is remembered, so that its replay
	// can revoke what it issued.
	usedCodeTTL = 10 * time.Minute
)

// Rule restricts a tool to some signed-in users. The empty Rule lets
// every signed-in user call the tool.
type Rule struct {
	// Users, if not empty, are the users allowed: GitHub logins, or
	// email addresses for Google and OIDC, compared case-insensitively.
	Users []string
	// UsersEnv, if set, names an environment variable holding more
	// allowed users, comma-separated. It is read once, by New.
	UsersEnv string
	// Scopes are provider scopes the user must have granted.
	Scopes []string
}

// Options configure a Server. Generated code fills them in from the auth
// section of mcpgen.yaml.
type Options struct {
	// Provider is the identity provider: "github", "google" or "oidc".
	Provider string
	// Scopes are requested from the provider at sign-in. Nil means the
	// provider's default: read:user and user:email on GitHub, openid,
	// email and profile otherwise.
	Scopes []string
	// ServerName is shown on the consent page.
	ServerName string
	// Tools maps tool names to the rule that gates them. Tools absent from
	// the map are open to every signed-in user.
	Tools map[string]Rule
	// Store, if not nil, is where the server keeps its state, instead of
	// the store that STORE_URL (or STORE_PATH) names, so that the server's
	// tools and the OAuth server can share one. It stays the caller's:
	// [Server.Close] leaves it open, for the caller to close after the
	// server.
	Store store.Store
	// RateLimits limit the endpoints per client address; nil means the
	// defaults. OAUTH_RATE_LIMIT and OAUTH_RATE_LIMIT_FAIL override them.
	RateLimits *RateLimits
	// OnEvent, if set, is called when the server issues or refreshes
	// tokens, and when it refuses a request, for metrics. It runs on the
	// request's goroutine, so it must be quick, and safe for concurrent
	// use.
	OnEvent func(ctx context.Context, e Event)
}

// A Server is the OAuth authorization server of one MCP server, and the
// guard of its MCP endpoints.
type Server struct {
	opts     Options
	set      *settings
	issuer   string // = BASE_URL
	resource string // = BASE_URL/mcp
	store    store.Store
	logger   *slog.Logger
	provider *provider
	rules    map[string]rule
	// scopes are those a client may ask for: scopeMCP and the provider
	// scopes sign-in asks for or a rule needs (see stepup.go).
	scopes []string
	// stepUpRules is whether a rule needs a scope, and so whether Protect
	// looks for calls that need a step-up.
	stepUpRules bool
	cimd        *cimdFetcher
	// ownStore is whether Close closes store: New opened it.
	ownStore bool

	// now is the clock; tests set it to move time.
	now func() time.Time
	// httpClient calls the provider.
	httpClient *http.Client

	// tools describes the MCP server that Gate guards, for the consent
	// page; nil without Gate.
	tools atomic.Pointer[pages.Describer]

	// sseSessions maps the IDs of open legacy SSE sessions to the user
	// (TokenInfo.UserID) who opened each.
	sseSessions sync.Map

	closeOnce sync.Once
}

// New returns a Server configured by opts and the environment, read
// through lookupEnv (os.LookupEnv in main); see the package documentation
// for the variables. A nil logger logs to slog.Default(). When settings are
// missing, the error names all of them.
//
// Unless opts.Store is set, New opens the store that STORE_URL names (the
// bbolt file at STORE_PATH when it is unset; see [store.Config]); call
// Close to release it. With a store shared between replicas (Redis),
// ENCRYPTION_KEY is required.
func New(opts *Options, lookupEnv func(string) (string, bool), logger *slog.Logger) (*Server, error) {
	if opts == nil {
		return nil, errors.New("oauth: no Options")
	}
	if logger == nil {
		logger = slog.Default()
	}
	set, err := readSettings(opts, lookupEnv, logger)
	if err != nil {
		return nil, err
	}
	st, own := opts.Store, false
	if st == nil {
		if st, err = store.Open(context.Background(), set.store); err != nil {
			return nil, err
		}
		own = true
	}
	closeOwn := func() {
		if own {
			st.Close()
		}
	}
	if err := set.settleKeys(st.Shared(), logger); err != nil {
		closeOwn()
		return nil, err
	}
	s, err := newServer(opts, set, st, lookupEnv, logger)
	if err != nil {
		closeOwn()
		return nil, err
	}
	s.ownStore = own
	return s, nil
}

// newServer builds a Server on st.
func newServer(opts *Options, set *settings, st store.Store, lookupEnv func(string) (string, bool), logger *slog.Logger) (*Server, error) {
	s := &Server{
		opts:       *opts,
		set:        set,
		issuer:     set.baseURL,
		resource:   set.baseURL + "/mcp",
		store:      st,
		logger:     logger,
		now:        time.Now,
		httpClient: &http.Client{Timeout: 30 * time.Second},
		cimd:       newCIMDFetcher(),
	}
	s.provider = newProvider(&set.provider, opts.Scopes)
	s.rules = compileRules(opts.Tools, lookupEnv)
	s.scopes = s.supportedScopes()
	for _, r := range s.rules {
		s.stepUpRules = s.stepUpRules || len(r.scopes) > 0
	}
	return s, nil
}

// Mount adds the server's endpoints to mux: the metadata documents under
// /.well-known/, and /authorize, /consent, /callback, /token, /register
// and /revoke, the latter rate limited per client address (see the
// package documentation).
func (s *Server) Mount(mux *http.ServeMux) {
	prm := s.protectedResourceMetadata()
	mux.Handle("/.well-known/oauth-protected-resource", prm)
	mux.Handle("/.well-known/oauth-protected-resource/mcp", prm)
	asm := s.authServerMetadata()
	mux.Handle("/.well-known/oauth-authorization-server", asm)
	mux.Handle("/.well-known/openid-configuration", asm)
	limit := s.limiter()
	var lims limitSettings
	if s.set.limits != nil {
		lims = *s.set.limits
	}
	authorize := limit("authorize", lims.authorize, s.handleAuthorize)
	mux.Handle("GET /authorize", authorize)
	mux.Handle("POST /authorize", authorize)
	mux.Handle("POST /consent", limit("consent", lims.authorize, s.handleConsent))
	mux.Handle("GET /callback", limit("callback", lims.authorize, s.handleCallback))
	mux.Handle("/token", limit("token", lims.token, s.handleToken))
	mux.Handle("/register", limit("register", lims.register, s.handleRegister))
	mux.Handle("/revoke", limit("revoke", lims.token, s.handleRevoke))
}

// Close releases the store New opened; a store passed in Options.Store is
// left open.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if s.ownStore {
			err = s.store.Close()
		}
	})
	return err
}

// APIURL returns the base URL of the provider's API, such as
// https://api.github.com.
func (s *Server) APIURL() string { return s.set.provider.apiURL }

// Resource is the URL MCP clients connect to, BASE_URL/mcp: the resource
// the server's tokens are bound to. The landing page gives it.
func (s *Server) Resource() string { return s.resource }

// randomToken returns a fresh unguessable string (256 bits).
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hash is how tokens, codes and secrets are kept: never in the clear.
func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Store keys, by kind of record.
const (
	keyClient  = "client:"   // + client ID: a registered client
	keyCIMD    = "cimd:"     // + URL: a fetched client metadata document
	keyPending = "pending:"  // + request ID: an authorization awaiting consent
	keyFlow    = "flow:"     // + provider state: an authorization at the provider
	keyCode    = "code:"     // + hash of code
	keyUsed    = "usedcode:" // + hash of code: a redeemed code, for replay detection
	keyAccess  = "at:"       // + hash of token
	keyRefresh = "rt:"       // + hash of token
	keyRotated = "rotated:"  // + hash of a refresh token already exchanged
	keyGrant   = "grant:"    // + grant ID
	// keyUpstream + grant ID: the provider's token once refreshed, sealed.
	// It is apart from the grant so that saving it can never bring a
	// revoked grant back.
	keyUpstream = "upstream:"
	// keyUpstreamLock + grant ID: held by the replica refreshing the
	// provider's token, so that only one does.
	keyUpstreamLock = "upstream-lock:"
)

// A record is a value the server stores as JSON. valid reports whether a
// decoded value has what every record of its kind has, so that a value
// that only looks like one (written by another program under the same
// keys, or damaged) is refused rather than trusted.
type record interface{ valid() bool }

// errCorrupt is what reading a record that does not decode, or is not
// valid, returns. It wraps store.ErrNotFound, so that every caller treats
// it as absent: a token or grant that cannot be read grants nothing.
var errCorrupt = fmt.Errorf("%w: a corrupt or foreign record", store.ErrNotFound)

func (s *Server) putJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, key, b, ttl)
}

func (s *Server) getJSON(ctx context.Context, key string, v record) error {
	b, err := s.store.Get(ctx, key)
	if err != nil {
		return err
	}
	return s.decode(key, b, v)
}

func (s *Server) takeJSON(ctx context.Context, key string, v record) error {
	b, err := s.store.Take(ctx, key)
	if err != nil {
		return err
	}
	return s.decode(key, b, v)
}

// decode decodes a record read under key, refusing (and logging) one that
// does not decode or is not valid.
func (s *Server) decode(key string, b []byte, v record) error {
	err := json.Unmarshal(b, v)
	if err == nil && !v.valid() {
		err = errors.New("required fields are missing")
	}
	if err != nil {
		kind, _, _ := strings.Cut(key, ":")
		s.logger.Error("oauth: refused a corrupt or foreign record in the store", "kind", kind, "err", err)
		return errCorrupt
	}
	return nil
}

// storeFailed reports whether err is the store failing (unreachable, an
// I/O error), as opposed to a record that is absent, expired or refused.
func storeFailed(err error) bool {
	return err != nil && !errors.Is(err, store.ErrNotFound)
}

// oauthError is an error response of RFC 6749 §5.2 (and RFC 7591 §3.2.2,
// RFC 7009 §2.2.1), with the HTTP status it is sent with.
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	status      int
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

func errorf(code string, format string, args ...any) *oauthError {
	return &oauthError{Code: code, Description: fmt.Sprintf(format, args...), status: http.StatusBadRequest}
}

// retryAfter is how many seconds a client is told to wait when the store
// is unavailable.
const retryAfter = "5"

// writeJSON writes v as a response that no cache may keep.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// refuse answers r with err, and reports the refusal to Options.OnEvent.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err *oauthError) {
	s.emit(r, EventRefused, err.Code)
	writeError(w, err)
}

func writeError(w http.ResponseWriter, err *oauthError) {
	switch err.status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, err.status, err)
}

// splitList splits a comma- or space-separated list.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
