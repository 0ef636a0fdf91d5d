package oauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mcpgen/mcpgen/runtime/store"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TokenInfo.Extra keys.
const (
	extraUser  = "user"  // *User
	extraGrant = "grant" // grant ID, for UpstreamClient
	// extraGrantRecord is the grant the bearer check read, so that the
	// request's UserToken need not read it again.
	extraGrantRecord = "mcpgen.grant"
)

// Protect wraps h so that only requests bearing a valid access token for
// this server's resource reach it. A request without one gets 401 with
// WWW-Authenticate: Bearer resource_metadata="…" (RFC 9728 §5.1), and
// error="invalid_token" when it had a token that is not valid (RFC 6750
// §3.1). The request context of an accepted request carries the token's
// auth.TokenInfo, as auth.RequireBearerToken sets it, so the MCP handler
// passes it to tool handlers in RequestExtra; its Extra holds the user
// (see [UserOf]).
func (s *Server) Protect(h http.Handler) http.Handler {
	// The go-sdk's middleware puts the TokenInfo where the MCP handlers
	// look for it; verification happened already, with errors of our own.
	inner := auth.RequireBearerToken(func(ctx context.Context, _ string, _ *http.Request) (*auth.TokenInfo, error) {
		if ti, ok := ctx.Value(verifiedKey{}).(*auth.TokenInfo); ok {
			return ti, nil
		}
		return nil, auth.ErrInvalidToken
	}, nil)(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			s.challenge(w, "", "")
			return
		}
		ti, err := s.verify(r.Context(), token)
		if err != nil {
			if errors.Is(err, auth.ErrInvalidToken) {
				s.challenge(w, "invalid_token", strings.TrimPrefix(err.Error(), auth.ErrInvalidToken.Error()+": "))
			} else if errors.Is(err, store.ErrUnavailable) {
				s.logger.Error("oauth: checking a token: the store is unavailable", "err", err)
				w.Header().Set("Retry-After", retryAfter)
				http.Error(w, "Service Unavailable: try again shortly", http.StatusServiceUnavailable)
			} else {
				s.logger.Error("oauth: checking a token", "err", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
			return
		}
		if s.stepUp(w, r, ti) {
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), verifiedKey{}, ti))
		// The legacy SSE transport runs a session's calls on the context
		// of the GET that opened it, whoever posts them: posts must come
		// from the user who opened the session.
		if id := r.URL.Query().Get("sessionid"); id != "" {
			if owner, ok := s.sseSessions.Load(id); ok && owner != ti.UserID {
				http.Error(w, "Forbidden: the session belongs to another user", http.StatusForbidden)
				return
			}
		} else if r.Method == http.MethodGet {
			sw := &sessionWriter{ResponseWriter: w, s: s, user: ti.UserID}
			defer sw.forget()
			w = sw
		}
		inner.ServeHTTP(w, r)
	})
}

// sessionWriter watches the start of a GET's response for the endpoint
// event with which the legacy SSE transport names its session, and
// records whose session it is until the GET ends.
type sessionWriter struct {
	http.ResponseWriter
	s       *Server
	user    string
	seen    bool   // the first write has been looked at
	session string // the session ID, if this was an SSE stream
}

func (w *sessionWriter) Write(p []byte) (int, error) {
	if !w.seen {
		w.seen = true
		const prefix = "event: endpoint\ndata: "
		if rest, ok := bytes.CutPrefix(p, []byte(prefix)); ok {
			line, _, _ := bytes.Cut(rest, []byte("\n"))
			if u, err := url.Parse(string(line)); err == nil {
				if id := u.Query().Get("sessionid"); id != "" {
					w.session = id
					w.s.sseSessions.Store(id, w.user)
				}
			}
		}
	}
	return w.ResponseWriter.Write(p)
}

func (w *sessionWriter) forget() {
	if w.session != "" {
		w.s.sseSessions.Delete(w.session)
	}
}

// Flush and Unwrap let event streams flush through the wrapper.
func (w *sessionWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *sessionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type verifiedKey struct{}

func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// challenge answers 401 with the WWW-Authenticate header that starts
// discovery.
func (s *Server) challenge(w http.ResponseWriter, code, desc string) {
	v := fmt.Sprintf("Bearer resource_metadata=%q", s.resourceMetadataURL())
	if code == "" {
		// What a client needs to start with; tools that need more ask for
		// it when called (see stepup.go).
		v += fmt.Sprintf(", scope=%q", scopeMCP)
	} else {
		v += fmt.Sprintf(", error=%q, error_description=%q", code, desc)
	}
	w.Header().Set("WWW-Authenticate", v)
	http.Error(w, "Unauthorized", http.StatusUnauthorized)
}

// verify checks an access token: issued here, unexpired, for this
// resource, and its grant not revoked. Errors that make the token
// invalid wrap auth.ErrInvalidToken.
func (s *Server) verify(ctx context.Context, token string) (*auth.TokenInfo, error) {
	invalid := func(why string) error { return fmt.Errorf("%w: %s", auth.ErrInvalidToken, why) }
	tr, g, err := s.readAccess(ctx, token)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalid("unknown, expired or revoked token")
		}
		return nil, err
	}
	exp := time.Unix(tr.Expires, 0)
	if !s.now().Before(exp) {
		return nil, invalid("expired token")
	}
	if tr.Resource != s.resource {
		return nil, invalid("the token is for another resource")
	}
	if g == nil {
		return nil, invalid("revoked token")
	}
	u := g.User
	return &auth.TokenInfo{
		Scopes: tr.Scopes,
		// RequireBearerToken compares this to the wall clock, so it is
		// the token's remaining life (by s.now, checked above) from now.
		Expiration: time.Now().Add(exp.Sub(s.now())),
		UserID:     s.set.provider.name + ":" + u.ID,
		// login and client_id are for audit records, which read them by
		// these names.
		Extra: map[string]any{extraUser: &u, extraGrant: g.ID, extraGrantRecord: g, "login": u.Login, "client_id": g.ClientID},
	}, nil
}

// maxGrantIDLen bounds the grant ID that a presented access token may
// begin with (this server's are 43 characters), so that no request sends
// the store an arbitrarily long key.
const maxGrantIDLen = 64

// readAccess reads the record of an access token and its grant, which is
// nil when the grant is revoked, expired or unreadable; an error wrapping
// store.ErrNotFound means the token is unknown. Both are read on every
// request, never kept, so that a revocation on any replica holds at once
// on all. A token that begins with its grant's ID (see accessSep) has both
// read in one call to the store; one issued before tokens did needs two.
func (s *Server) readAccess(ctx context.Context, token string) (*tokenRecord, *grant, error) {
	key := keyAccess + hash(token)
	var tr tokenRecord
	grantID, _, ok := strings.Cut(token, accessSep)
	if !ok {
		if err := s.getJSON(ctx, key, &tr); err != nil {
			return nil, nil, err
		}
		g, err := s.loadGrant(ctx, tr.GrantID)
		if storeFailed(err) {
			return nil, nil, err
		}
		return &tr, g, nil
	}
	if grantID == "" || len(grantID) > maxGrantIDLen {
		return nil, nil, store.ErrNotFound
	}
	vs, err := s.store.GetMany(ctx, key, keyGrant+grantID)
	if err != nil {
		return nil, nil, err
	}
	if vs[0] == nil {
		return nil, nil, store.ErrNotFound
	}
	if err := s.decode(key, vs[0], &tr); err != nil {
		return nil, nil, err
	}
	if tr.GrantID != grantID {
		// Found by the hash of the whole token, so issued with this
		// prefix: the record is not the one issued.
		s.logger.Error("oauth: refused a corrupt or foreign record in the store", "kind", strings.TrimSuffix(keyAccess, ":"), "err", "the token names another grant")
		return nil, nil, errCorrupt
	}
	if vs[1] == nil {
		return &tr, nil, nil
	}
	g, err := s.decodeGrant(grantID, vs[1])
	if storeFailed(err) {
		return nil, nil, err
	}
	return &tr, g, nil
}

// UserOf returns the signed-in user of a call to a protected server.
func UserOf(req mcp.Request) (*User, bool) {
	if req == nil {
		return nil, false
	}
	extra := req.GetExtra()
	if extra == nil || extra.TokenInfo == nil {
		return nil, false
	}
	u, ok := extra.TokenInfo.Extra[extraUser].(*User)
	return u, ok
}
