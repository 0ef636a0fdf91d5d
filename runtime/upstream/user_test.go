package upstream

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// users gives each user ID a token, as the OAuth server does from its
// grants; a user it does not know has been revoked.
type users map[string]string

func (u users) UserToken(_ context.Context, req mcp.Request) (*oauth2.Token, error) {
	ti := req.GetExtra().TokenInfo
	tok, ok := u[ti.UserID]
	if !ok {
		return nil, errors.New("oauth: the user's authorization was revoked; sign in again")
	}
	return &oauth2.Token{AccessToken: tok}, nil
}

func callAs(c *Client, op *Operation, user string) (*mcp.CallToolResult, error) {
	req := &mcp.CallToolRequest{Extra: &mcp.RequestExtra{TokenInfo: &auth.TokenInfo{UserID: user}}}
	return c.Call(withRequest(context.Background(), req), op, map[string]any{})
}

// TestSignedInUser checks that each call carries its own user's token and
// no other credential, that the token never reaches a result, and what a
// refusal says.
func TestSignedInUser(t *testing.T) {
	tokens := users{"alice": "gho_alice_token_0123456789", "bob": "gho_bob_token_9876543210"}
	owner := map[string]string{"Bearer gho_alice_token_0123456789": "alice", "Bearer gho_bob_token_9876543210": "bob"}
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		who, ok := owner[r.Header.Get("Authorization")]
		switch {
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		case r.URL.Path == "/repo":
			w.Header().Set("X-Accepted-OAuth-Scopes", "repo")
			w.Header().Set("X-OAuth-Scopes", "read:user, user:email")
			http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
		default:
			w.Header().Set("Content-Type", "application/json")
			// An API that echoes the token it was given must not show it.
			w.Write([]byte(`{"login":"` + who + `","seen":"` + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + `"}`))
		}
	})
	api := &API{
		Name: "GitHub", SignedInUser: true,
		Schemes: []SecurityScheme{{Name: "oauth", Type: "oauth2", AccessTokenEnv: "GITHUB_ACCESS_TOKEN"}},
	}
	// The environment's token must not be used for anyone.
	c := newClient(t, api, srv, map[string]string{"GITHUB_ACCESS_TOKEN": "gho_environment_token_000"})
	me := &Operation{Tool: "me", Method: "GET", Path: "/user", Security: [][]string{{"oauth"}}}

	res, err := callAs(c, me, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if got := resultText(res); !res.IsError || !strings.Contains(got, "must call api.UseSignedInUser(auth)") || strings.Contains(got, "gho_") {
		t.Errorf("no user token given yet: %q, want an error about UseSignedInUser", got)
	}

	c.UseSignedInUser(tokens)
	for _, user := range []string{"alice", "bob"} {
		res, err := callAs(c, me, user)
		if err != nil {
			t.Fatal(err)
		}
		got := resultText(res)
		if res.IsError || !strings.Contains(got, `"login":"`+user+`"`) {
			t.Errorf("%s: %q, want the API to see %s", user, got, user)
		}
		if strings.Contains(got, "gho_") || !strings.Contains(got, "[REDACTED]") {
			t.Errorf("%s: the token the API echoed reached the result: %q", user, got)
		}
	}

	res, err = callAs(c, me, "mallory")
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || !strings.Contains(resultText(res), "sign in again") {
		t.Errorf("a revoked user: %v %q, want a tool error saying to sign in again", res.IsError, resultText(res))
	}

	res, err = callAs(c, &Operation{Tool: "repo", Method: "GET", Path: "/repo"}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := "lacks the scope this operation needs (repo; it has read:user, user:email): add it to auth.scopes"
	if !res.IsError || !strings.Contains(resultText(res), want) {
		t.Errorf("a missing scope: %q, want it named: %q", resultText(res), want)
	}
}

func TestScopeNote(t *testing.T) {
	for _, tc := range []struct {
		status int
		header http.Header
		want   string
	}{
		{200, nil, ""},
		{403, http.Header{"X-Accepted-Oauth-Scopes": {"repo, public_repo"}, "X-Oauth-Scopes": {"repo"}}, ""},
		{403, http.Header{"X-Accepted-Oauth-Scopes": {"admin:org"}, "X-Oauth-Scopes": {""}}, "(admin:org; it has none)"},
		{403, http.Header{"Www-Authenticate": {`Bearer error="insufficient_scope", scope="files.write"`}}, "(files.write)"},
		{401, http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}, "refused the signed-in user's token: sign in again"},
		{403, http.Header{}, ""},
	} {
		got := scopeNote(tc.status, tc.header)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("scopeNote(%d, %v) = %q, want %q", tc.status, tc.header, got, tc.want)
		}
	}
}
