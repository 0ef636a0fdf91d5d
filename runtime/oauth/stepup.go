package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
)

// Step-up authorization (MCP authorization, "Scope challenge handling"):
// a tool whose rule needs a provider scope the user has not granted is
// answered, for a client that handles it, with 403 and an
// insufficient_scope challenge naming the scopes the tool needs. The client
// signs the user in again asking for them; this server forwards them to the
// provider, whose new grant carries them.
//
// The scopes a client may ask for are this server's own (mcp), and the
// provider scopes sign-in asks for or a rule needs, so that a client can
// never make the server ask the provider for more than the manifest names.

// stepUpSince is the first revision of the MCP specification whose clients
// handle insufficient_scope challenges. Older clients get the Gate's tool
// error instead, which names the scope.
const stepUpSince = "2025-11-25"

// maxStepUpPeek bounds the part of a request body read to find the tool a
// call names. A call whose body is longer is left to the Gate.
const maxStepUpPeek = 1 << 20

// supportedScopes are the scopes a client may ask for, sorted.
func (s *Server) supportedScopes() []string {
	out := []string{scopeMCP}
	out = append(out, s.provider.scopes...)
	for _, r := range s.rules {
		out = append(out, r.scopes...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkScopes checks the scopes a client asks for. Every token of this
// server has scopeMCP, asked for or not.
func (s *Server) checkScopes(scope string) ([]string, error) {
	scopes := append(strings.Fields(scope), scopeMCP)
	for _, sc := range scopes {
		if !slices.Contains(s.scopes, sc) {
			return nil, errors.New("unknown scope " + sc)
		}
	}
	slices.Sort(scopes)
	return slices.Compact(scopes), nil
}

// providerScopes are the scopes to ask the provider for when a client asked
// for requested: those sign-in always asks for, and the provider scopes
// among requested.
func (s *Server) providerScopes(requested []string) []string {
	out := slices.Clone(s.provider.scopes)
	for _, sc := range requested {
		if sc != scopeMCP && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// missingScopes are the scopes of tool's rule that u has not granted, and
// whether those are all that stands between u and the tool.
func (s *Server) missingScopes(tool string, u *User) (missing []string, only bool) {
	r, gated := s.rules[tool]
	if !gated || u == nil {
		return nil, false
	}
	for _, sc := range r.scopes {
		if !slices.Contains(u.Scopes, sc) {
			missing = append(missing, sc)
		}
	}
	if len(missing) == 0 {
		return nil, false
	}
	return missing, s.allows(tool, &User{ID: u.ID, Login: u.Login, Email: u.Email, Scopes: r.scopes})
}

// stepUp answers a tools/call that needs scopes the user has not granted
// with 403 and an insufficient_scope challenge, when the client handles
// one, and reports whether it did. It may read the start of r's body, and
// leaves r.Body as it was for the handlers.
func (s *Server) stepUp(w http.ResponseWriter, r *http.Request, ti *auth.TokenInfo) bool {
	if !s.stepUpRules || r.Method != http.MethodPost || r.URL.Query().Has("sessionid") {
		return false
	}
	if v := r.Header.Get("Mcp-Protocol-Version"); v == "" || v < stepUpSince {
		return false
	}
	u, _ := ti.Extra[extraUser].(*User)
	if u == nil {
		return false
	}
	tool, ok := calledTool(r)
	if !ok {
		return false
	}
	missing, only := s.missingScopes(tool, u)
	if !only {
		return false
	}
	// The challenge names every scope the tool needs (and this server's
	// own), not only the missing ones: clients add them to what they asked
	// for before.
	need := append([]string{scopeMCP}, s.rules[tool].scopes...)
	desc := fmt.Sprintf("the tool %s needs the %s scope %s", tool, providerTitle(s.set.provider.name), strings.Join(missing, ", "))
	w.Header().Set("WWW-Authenticate", fmt.Sprintf("Bearer error=%q, scope=%q, resource_metadata=%q, error_description=%q",
		"insufficient_scope", strings.Join(need, " "), s.resourceMetadataURL(), desc))
	http.Error(w, "Forbidden: "+desc, http.StatusForbidden)
	s.logger.Info("oauth: asked the client to step up", "tool", tool, "missing_scopes", missing, "client_id", ti.Extra["client_id"])
	return true
}

// calledTool returns the tool a request calls, if it is a tools/call. From
// the 2026-07-28 revision on, the request's headers say (and the MCP
// handler checks they match the body); before, the start of the body is
// read, and r.Body is left to read from the start.
func calledTool(r *http.Request) (string, bool) {
	if m := r.Header.Get("Mcp-Method"); m != "" {
		return r.Header.Get("Mcp-Name"), m == "tools/call"
	}
	head, err := io.ReadAll(io.LimitReader(r.Body, maxStepUpPeek+1))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	if err != nil || len(head) > maxStepUpPeek {
		return "", false
	}
	var call struct {
		Method string `json:"method"`
		Params struct {
			Name string `json:"name"`
		} `json:"params"`
	}
	if json.Unmarshal(head, &call) != nil || call.Method != "tools/call" {
		return "", false
	}
	return call.Params.Name, true
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}
