package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// fakeGitHubAPI is a stand-in for the part of GitHub's REST API the test
// selects: each request must carry a token the stand-in GitHub issued at
// sign-in, and answers as that token's user. Issues are kept per
// repository, with their author.
type fakeGitHubAPI struct {
	*httptest.Server
	gh *fakeIdP

	mu     sync.Mutex
	issues map[string][]map[string]any // "owner/repo" → issues
	seen   []string                    // "login METHOD path" of each authenticated call
}

func newFakeGitHubAPI(t *testing.T, gh *fakeIdP) *fakeGitHubAPI {
	a := &fakeGitHubAPI{gh: gh, issues: make(map[string][]map[string]any)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /user", gh.user)
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues", func(w http.ResponseWriter, r *http.Request) {
		login, ok := a.caller(w, r)
		if !ok {
			return
		}
		a.mu.Lock()
		var mine []map[string]any
		for _, is := range a.issues[r.PathValue("owner")+"/"+r.PathValue("repo")] {
			// Each user sees only what their account may: here, their own.
			if is["user"].(map[string]any)["login"] == login {
				mine = append(mine, is)
			}
		}
		a.mu.Unlock()
		answerJSON(w, http.StatusOK, mine)
	})
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues", func(w http.ResponseWriter, r *http.Request) {
		login, ok := a.caller(w, r)
		if !ok {
			return
		}
		var in struct {
			Title string `json:"title"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Title == "" {
			answerJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Invalid request: title is missing"})
			return
		}
		repo := r.PathValue("owner") + "/" + r.PathValue("repo")
		a.mu.Lock()
		is := map[string]any{"number": len(a.issues[repo]) + 1, "title": in.Title, "state": "open", "user": map[string]any{"login": login}}
		a.issues[repo] = append(a.issues[repo], is)
		a.mu.Unlock()
		answerJSON(w, http.StatusCreated, is)
	})
	mux.HandleFunc("DELETE /repos/{owner}/{repo}/labels/{name}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := a.caller(w, r); !ok {
			return
		}
		// Deleting labels takes the repo scope, which these sign-ins lack.
		w.Header().Set("X-Accepted-OAuth-Scopes", "repo")
		w.Header().Set("X-OAuth-Scopes", "read:user, user:email")
		answerJSON(w, http.StatusForbidden, map[string]string{"message": "Must have admin rights to Repository."})
	})
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

func (a *fakeGitHubAPI) caller(w http.ResponseWriter, r *http.Request) (string, bool) {
	login, ok := a.gh.caller(w, r)
	if ok {
		a.mu.Lock()
		a.seen = append(a.seen, login+" "+r.Method+" "+r.URL.Path)
		a.mu.Unlock()
	}
	return login, ok
}

func (a *fakeGitHubAPI) calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.seen)
}

func answerJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// TestEndToEndSignedInUser is the proof that an OpenAPI project behind
// GitHub sign-in calls the API as each signed-in user: `mcpgen new --from`
// GitHub's real REST API description with --template=github-oauth, four
// of its operations selected in the manifest, built and run against a
// stand-in GitHub that checks every request's token belongs to a user it
// signed in. Two users get two different results; a missing scope is
// named; a grant GitHub revoked makes
// the tools say to sign in again; no token reaches a result or the log.
func TestEndToEndSignedInUser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated server")
	}
	spec := testkit.GitHubSpec(filepath.Join(checkoutRuntimeDir(t), ".."))
	if spec == "" {
		t.Skip(".cache/openapi/api.github.com.json is absent: run make testdata-corpus to fetch it")
	}
	dir, binary := signedInProject(t, spec, func(manifest string) string {
		// The operations a user would pick with the manifest's filters.
		return strings.Replace(manifest, "  credentials: signedInUser\n", "  credentials: signedInUser\n  include:\n"+
			"    - operations: [users/get-authenticated, issues/list-for-repo, issues/create, issues/delete-label]\n"+
			// The client here cannot answer a confirmation: see TestEndToEndConfirm.
			"  overrides:\n    - operation: issues/delete-label\n      confirm: never\n", 1)
	})
	gh := newFakeGitHub(t)
	api := newFakeGitHubAPI(t, gh)
	base, srv := startSignedInServer(t, gh, binary, dir, api.URL, "LOG_LEVEL=debug")
	rec := &recorder{base: http.DefaultTransport}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	alice := signInAs(t, ctx, gh, rec, base, "alice")
	bob := signInAs(t, ctx, gh, rec, base, "bob")
	if alice == nil || bob == nil {
		t.Fatal("a sign-in failed; the rest depends on it")
	}
	tools := listNames(t, ctx, alice.session)
	find := func(suffix string) string {
		for _, name := range tools {
			if strings.HasSuffix(strings.ReplaceAll(name, "-", "_"), suffix) {
				return name
			}
		}
		t.Fatalf("no tool for %s among %q", suffix, tools)
		return ""
	}
	me, list, create, deleteLabel := find("get_authenticated"), find("list_for_repo"), find("create"), find("delete_label")

	t.Run("each-user-acts-as-themselves", func(t *testing.T) {
		for _, u := range []struct {
			login string
			s     *signIn
		}{{"alice", alice}, {"bob", bob}} {
			res := callTool(t, ctx, u.s.session, me, map[string]any{})
			if res.IsError || !strings.Contains(toolText(res), `"login":"`+u.login+`"`) {
				t.Errorf("%s as %s: %s", me, u.login, toolText(res))
			}
			res = callTool(t, ctx, u.s.session, create, map[string]any{"owner": "octo", "repo": "hello", "body": map[string]any{"title": "filed by " + u.login}})
			if res.IsError {
				t.Errorf("%s as %s: %s", create, u.login, toolText(res))
			}
		}
		for _, u := range []struct {
			login, other string
			s            *signIn
		}{{"alice", "bob", alice}, {"bob", "alice", bob}} {
			res := callTool(t, ctx, u.s.session, list, map[string]any{"owner": "octo", "repo": "hello"})
			got := toolText(res)
			if res.IsError || !strings.Contains(got, "filed by "+u.login) || strings.Contains(got, "filed by "+u.other) {
				t.Errorf("%s as %s: %s; want only %s's issue", list, u.login, got, u.login)
			}
		}
		for _, call := range api.calls() {
			if !strings.HasPrefix(call, "alice ") && !strings.HasPrefix(call, "bob ") {
				t.Errorf("the API saw a call as %q", call)
			}
		}
	})

	t.Run("missing-scope", func(t *testing.T) {
		res := callTool(t, ctx, alice.session, deleteLabel, map[string]any{"owner": "octo", "repo": "hello", "name": "bug"})
		if !res.IsError || !strings.Contains(toolText(res), "lacks the scope this operation needs (repo") {
			t.Errorf("%s without the repo scope: %v %s; want a tool error naming the scope", deleteLabel, res.IsError, toolText(res))
		}
	})

	t.Run("revoked-by-github", func(t *testing.T) {
		// GitHub forgets bob's token, as when he revokes the app.
		gh.mu.Lock()
		for tok, login := range gh.tokens {
			if login == "bob" {
				delete(gh.tokens, tok)
			}
		}
		gh.mu.Unlock()
		res := callTool(t, ctx, bob.session, me, map[string]any{})
		if !res.IsError || !strings.Contains(toolText(res), "sign in again") {
			t.Errorf("%s after GitHub revoked bob: %v %s; want a tool error saying to sign in again", me, res.IsError, toolText(res))
		}
		if res := callTool(t, ctx, alice.session, me, map[string]any{}); res.IsError {
			t.Errorf("alice after bob's revocation: %s", toolText(res))
		}
	})

	t.Run("no-token-in-log", func(t *testing.T) {
		log := srv.log.String()
		for _, tok := range gh.issuedTokens() {
			if strings.Contains(log, tok) {
				t.Errorf("the server's log holds a token")
			}
		}
	})
}

// signedInProject makes the project of `mcpgen new gh --from spec
// --template=github-oauth`, checks that it calls the API as the signed-in
// user, lets edit change its manifest, then regenerates and builds it.
func signedInProject(t *testing.T, spec string, edit func(manifest string) string) (dir, binary string) {
	t.Helper()
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	dir = filepath.Join(t.TempDir(), "gh")
	if code, _, stderr := mcpgen(t, "", "new", "gh", "--from", spec, "--template=github-oauth", "--out", dir); code != 0 {
		t.Fatalf("mcpgen new --from --template=github-oauth: exit %d\n%s", code, stderr)
	}
	manifestPath := filepath.Join(dir, "mcpgen.yaml")
	manifest := readString(t, manifestPath)
	for _, want := range []string{"credentials: signedInUser", "auth:\n  provider: github"} {
		if !strings.Contains(manifest, want) {
			t.Fatalf("the manifest of new --from --template=github-oauth lacks %q:\n%s", want, manifest)
		}
	}
	manifest = edit(manifest)
	if err := os.WriteFile(manifestPath, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, dir, "generate"); code != 0 {
		t.Fatalf("mcpgen generate: exit %d\n%s\n%s", code, stderr, manifest)
	}
	return dir, buildServer(t, dir, "gh-server")
}

// startSignedInServer starts the server binary built in dir on a loopback
// port, signing users in at the stand-in GitHub gh and calling the API at
// apiURL, with more settings, and returns its base URL.
func startSignedInServer(t *testing.T, gh *fakeIdP, binary, dir, apiURL string, more ...string) (string, *authServer) {
	t.Helper()
	base := "http://" + freeLoopbackAddr(t)
	settings := gh.serverSettings(base, append([]string{
		"GH_BASE_URL=" + apiURL,
		"STORE_PATH=" + filepath.Join(t.TempDir(), "oauth.db"),
	}, more...)...)
	gh.callback = base + "/callback"
	return base, startAuthServer(t, binary, dir, base, settings)
}
