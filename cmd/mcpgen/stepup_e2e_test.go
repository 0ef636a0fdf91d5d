package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// stepUpSpec is an API whose label deletion needs GitHub's repo scope, as
// its security requirement says; listing labels needs none.
const stepUpSpec = `openapi: 3.0.3
info: {title: Labels, version: "1"}
servers: [{url: "https://api.github.example"}]
security: [{github: []}]
paths:
  /labels:
    get:
      operationId: listLabels
      responses: {"200": {description: OK, content: {application/json: {schema: {type: array, items: {type: string}}}}}}
  /labels/{name}:
    delete:
      operationId: deleteLabel
      security: [{github: [repo]}]
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: Deleted}}
components:
  securitySchemes:
    github:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://github.example/login/oauth/authorize
          tokenUrl: https://github.example/login/oauth/access_token
          scopes: {repo: Full control of private repositories}
`

// TestEndToEndStepUp: sign-in asks GitHub only for who the user is; the
// first call of a tool whose operation needs the repo scope makes the
// go-sdk client step up (403 insufficient_scope, a new sign-in asking for
// repo), after which the call reaches the API with a token that has it.
func TestEndToEndStepUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated server")
	}
	specPath := filepath.Join(t.TempDir(), "labels.yaml")
	if err := os.WriteFile(specPath, []byte(stepUpSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, binary := signedInProject(t, specPath, func(manifest string) string {
		// The operator asks at sign-in only for who the user is; tools ask
		// for more when they are called. The client here cannot confirm:
		// see TestEndToEndConfirm.
		manifest = strings.Replace(manifest, "auth:\n  provider: github\n",
			"auth:\n  provider: github\n  scopes: [read:user, user:email]\n", 1)
		return strings.Replace(manifest, "  credentials: signedInUser\n", "  credentials: signedInUser\n  overrides:\n    - operation: deleteLabel\n      confirm: never\n", 1)
	})

	gh := newFakeGitHub(t)
	var mu sync.Mutex
	var deleted []string // the labels deleted, with the scope of the token used
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		login, ok := gh.caller(w, r)
		if !ok {
			return
		}
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		gh.mu.Lock()
		scope := gh.scopes[tok]
		gh.mu.Unlock()
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/labels":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`["bug","help wanted"]`))
		case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/labels/"):
			mu.Lock()
			deleted = append(deleted, login+" "+strings.TrimPrefix(r.URL.Path, "/labels/")+" "+scope)
			mu.Unlock()
			if !slices.Contains(strings.Split(scope, ","), "repo") {
				w.Header().Set("X-Accepted-OAuth-Scopes", "repo")
				http.Error(w, `{"message":"Must have admin rights to Repository."}`, http.StatusForbidden)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(api.Close)
	base, srv := startSignedInServer(t, gh, binary, dir, api.URL)
	rec := &recorder{base: http.DefaultTransport}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	alice := signInAs(t, ctx, gh, rec, base, "alice")
	if alice == nil {
		t.Fatal("the sign-in failed")
	}
	if !slices.Equal(gh.askedScopes(), []string{"read:user user:email"}) {
		t.Errorf("sign-in asked GitHub for %q, want read:user user:email only", gh.askedScopes())
	}
	// Both tools are listed: deleting lacks only a scope, which a call
	// steps up to.
	tools := listNames(t, ctx, alice.session)
	if !slices.Equal(tools, []string{"delete_label", "list_labels"}) {
		t.Fatalf("tools/list = %q", tools)
	}
	if res := callTool(t, ctx, alice.session, "list_labels", map[string]any{}); res.IsError {
		t.Errorf("list_labels: %s", toolText(res))
	}

	res := callTool(t, ctx, alice.session, "delete_label", map[string]any{"name": "bug"})
	if res.IsError {
		t.Errorf("delete_label after the step-up: %s\nserver log:\n%s", toolText(res), srv.stderr())
	}
	if want := []string{"read:user user:email", "read:user user:email repo"}; !slices.Equal(gh.askedScopes(), want) {
		t.Errorf("GitHub was asked for %q, want %q: the step-up asks for repo too", gh.askedScopes(), want)
	}
	mu.Lock()
	got := slices.Clone(deleted)
	mu.Unlock()
	// The call reached the API once, after the step-up, with the new token.
	if want := []string{"alice bug read:user,user:email,repo"}; !slices.Equal(got, want) {
		t.Errorf("the API saw deletions %q, want %q", got, want)
	}
	if !strings.Contains(srv.stderr(), "asked the client to step up") {
		t.Errorf("the server's log does not record the step-up:\n%s", srv.stderr())
	}
	// The old token lacks the scope still; the new one is the client's now.
	if res := callTool(t, ctx, alice.session, "delete_label", map[string]any{"name": "help wanted"}); res.IsError {
		t.Errorf("a second deletion: %s", toolText(res))
	}
	if len(gh.askedScopes()) != 2 {
		t.Errorf("a second call signed in again: GitHub asked %q", gh.askedScopes())
	}
}
