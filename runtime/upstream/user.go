package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// UserTokens gives the provider token of the user who made a request:
// runtime/oauth's *Server, for an API that accepts the provider's tokens.
type UserTokens interface {
	UserToken(ctx context.Context, req mcp.Request) (*oauth2.Token, error)
}

// UseSignedInUser makes every call of an API whose description says
// SignedInUser carry the token that u gives for the user who made the
// call. A generated main calls it once, before serving:
//
//	api.UseSignedInUser(auth)
func (c *Client) UseSignedInUser(u UserTokens) { c.user = u }

type requestKey struct{}

// withRequest records the MCP request a call serves, whose user the call
// acts for.
func withRequest(ctx context.Context, req *mcp.CallToolRequest) context.Context {
	if req == nil {
		return ctx
	}
	return context.WithValue(ctx, requestKey{}, req)
}

// userToken is the token of the user the call acts for.
func (c *Client) userToken(ctx context.Context) (string, error) {
	if c.user == nil {
		return "", errors.New("this server's API client was not given the OAuth server: its main.go must call api.UseSignedInUser(auth) (mcpgen.yaml says openapi.credentials: signedInUser)")
	}
	req, _ := ctx.Value(requestKey{}).(mcp.Request)
	if req == nil {
		return "", errors.New("the call has no signed-in user to act for")
	}
	tok, err := c.user.UserToken(ctx, req)
	if err != nil {
		return "", err
	}
	if tok == nil || tok.AccessToken == "" {
		return "", errors.New("the signed-in user has no token for the API; sign in again")
	}
	return tok.AccessToken, nil
}

// redactToken replaces the user's token in b.
func redactToken(b []byte, tok string) []byte {
	if len(tok) < minSecret || !bytes.Contains(b, []byte(tok)) {
		return b
	}
	return bytes.ReplaceAll(b, []byte(tok), []byte("[REDACTED]"))
}

// scopeNote says, for the API's 401 or 403 to a call made with the
// signed-in user's token, what the user can do: sign in again, granting a
// scope the API names if it names one. GitHub names them in
// X-Accepted-OAuth-Scopes (what the operation accepts) and X-OAuth-Scopes
// (what the token has); RFC 6750 APIs in WWW-Authenticate's
// insufficient_scope error.
func scopeNote(status int, h http.Header) string {
	if status != http.StatusUnauthorized && status != http.StatusForbidden {
		return ""
	}
	if accepted := scopeList(h.Get("X-Accepted-OAuth-Scopes")); len(accepted) > 0 && h.Values("X-OAuth-Scopes") != nil {
		granted := scopeList(h.Get("X-OAuth-Scopes"))
		if !slices.ContainsFunc(accepted, func(s string) bool { return slices.Contains(granted, s) }) {
			return fmt.Sprintf("the signed-in user's token lacks the scope this operation needs (%s; it has %s): add it to auth.scopes in mcpgen.yaml and sign in again",
				strings.Join(accepted, " or "), orNone(granted))
		}
	}
	for _, v := range h.Values("WWW-Authenticate") {
		if !strings.Contains(v, `insufficient_scope`) {
			continue
		}
		if _, rest, ok := strings.Cut(v, `scope="`); ok {
			if scope, _, ok := strings.Cut(rest, `"`); ok && scope != "" {
				return fmt.Sprintf("the signed-in user's token lacks the scope this operation needs (%s): add it to auth.scopes in mcpgen.yaml and sign in again", scope)
			}
		}
		return "the signed-in user's token lacks a scope this operation needs: sign in again, granting it"
	}
	if status == http.StatusUnauthorized {
		return "the API refused the signed-in user's token: sign in again"
	}
	return ""
}

func scopeList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
