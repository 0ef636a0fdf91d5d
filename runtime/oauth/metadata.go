package oauth

import (
	"encoding/json"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// scopeMCP is the scope of every token of this server: calling its tools
// as the user. The other scopes a client may ask for are the provider's
// (see [Server.checkScopes]); what a user may do is decided by the
// provider's scopes and Options.Tools.
const scopeMCP = "mcp"

// resourceMetadataURL is the protected resource metadata document that a
// 401 points clients at.
func (s *Server) resourceMetadataURL() string {
	return s.issuer + "/.well-known/oauth-protected-resource/mcp"
}

// protectedResourceMetadata serves RFC 9728 metadata. The one resource is
// BASE_URL/mcp, served at the path-suffixed well-known URL and, for
// clients that look only there, at the root one. Tokens for it are good
// at /sse too, whose 401s point here as well.
func (s *Server) protectedResourceMetadata() http.Handler {
	return auth.ProtectedResourceMetadataHandler(&oauthex.ProtectedResourceMetadata{
		Resource:               s.resource,
		AuthorizationServers:   []string{s.issuer},
		ScopesSupported:        s.scopes,
		BearerMethodsSupported: []string{"header"},
		ResourceName:           s.opts.ServerName,
	})
}

// authServerMetadata serves RFC 8414 metadata (also at the OpenID
// Connect discovery URL, where some clients look).
func (s *Server) authServerMetadata() http.Handler {
	meta := &oauthex.AuthServerMeta{
		Issuer:                                     s.issuer,
		AuthorizationEndpoint:                      s.issuer + "/authorize",
		TokenEndpoint:                              s.issuer + "/token",
		RegistrationEndpoint:                       s.issuer + "/register",
		RevocationEndpoint:                         s.issuer + "/revoke",
		ScopesSupported:                            s.scopes,
		ResponseTypesSupported:                     []string{"code"},
		ResponseModesSupported:                     []string{"query"},
		GrantTypesSupported:                        []string{"authorization_code", "refresh_token"},
		TokenEndpointAuthMethodsSupported:          []string{"none", "client_secret_post", "client_secret_basic"},
		RevocationEndpointAuthMethodsSupported:     []string{"none", "client_secret_post", "client_secret_basic"},
		CodeChallengeMethodsSupported:              []string{"S256"},
		ClientIDMetadataDocumentSupported:          true,
		AuthorizationResponseIssParameterSupported: true,
	}
	body, _ := json.Marshal(meta)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		switch r.Method {
		case http.MethodOptions:
			w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
			w.WriteHeader(http.StatusNoContent)
			return
		case http.MethodGet, http.MethodHead:
		default:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}
