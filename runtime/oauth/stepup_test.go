package oauth

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// postCall POSTs a tools/call of name to /mcp with the token, speaking
// MCP revision version, and returns the status, the WWW-Authenticate
// header and the body.
func (e *env) postCall(token, version, name string) (int, string, string) {
	e.t.Helper()
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 7, "method": "tools/call",
		"params": map[string]any{"name": name, "arguments": map[string]any{}}})
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/mcp", bytes.NewReader(msg))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Mcp-Protocol-Version", version)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body)
}

// TestStepUp: a call that lacks only a scope is answered 403 with an
// insufficient_scope challenge for clients of revisions that step up, and
// with the Gate's tool error for older ones. (These calls are read from the
// body; a 2026-07-28 client's, from its headers, in TestGate.) Signing in again with the
// challenge's scopes asks GitHub for them, and then the call runs.
func TestStepUp(t *testing.T) {
	e := newEnv(t, nil)
	e.setUser("mallory", "read:user,user:email")
	_, access, _ := e.signIn()
	if e.gh.asked != "read:user user:email" {
		t.Errorf("sign-in asked GitHub for %q, want the configured scopes only", e.gh.asked)
	}

	status, www, body := e.postCall(access, "2025-11-25", "repo")
	want := `Bearer error="insufficient_scope", scope="mcp repo", resource_metadata="` + e.ts.URL +
		`/.well-known/oauth-protected-resource/mcp", error_description="the tool repo needs the GitHub scope repo"`
	if status != http.StatusForbidden || www != want {
		t.Errorf("2026-07-28 call without the scope: %d %q\n%s\nwant 403 %q", status, www, body, want)
	}
	// The same client is refused admin for who it is, which no scope
	// changes: a tool error, no challenge.
	if status, www, body := e.postCall(access, "2025-11-25", "admin"); status != http.StatusOK || www != "" || !strings.Contains(body, `not allowed"`) {
		t.Errorf("call refused for the user: %d %q %s, want 200 and the tool error", status, www, body)
	}
	if status, _, body := e.postCall(access, "2025-11-25", "whoami"); status != http.StatusOK || !strings.Contains(body, "mallory") {
		t.Errorf("open tool: %d %s", status, body)
	}
	// A client of an older revision gets the tool error, which names the
	// scope and says how it is obtained.
	status, www, body = e.postCall(access, "2025-06-18", "repo")
	if status != http.StatusOK || www != "" || !strings.Contains(body, "needs the GitHub scope repo, which your sign-in did not grant; a client that supports step-up authorization") {
		t.Errorf("2025-06-18 call without the scope: %d %q %s, want 200 and the tool error", status, www, body)
	}

	// The step-up: the client asks for the challenge's scopes, GitHub is
	// asked for repo as well, and the new token's calls run.
	e.setUser("mallory", "read:user,user:email,repo")
	c := e.newClient()
	p := newPKCE()
	b := e.browser()
	f, _ := e.startAuthorize(b, e.authURL(c, p, map[string]string{"scope": "mcp repo"}))
	loc := e.consent(b, f, "approve")
	if e.gh.asked != "read:user user:email repo" {
		t.Errorf("step-up asked GitHub for %q, want the configured scopes and repo", e.gh.asked)
	}
	stepped, _ := e.exchange(c, loc.Query().Get("code"), p)
	if status, _, body := e.postCall(stepped, "2025-11-25", "repo"); status != http.StatusOK || !strings.Contains(body, "ran repo") {
		t.Errorf("after the step-up: %d %s, want the tool to run", status, body)
	}

	// No client can make the server ask GitHub for a scope nobody needs.
	b = e.browser()
	resp, err := b.Get(e.authURL(c, newPKCE(), map[string]string{"scope": "mcp admin:org"}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := resp.Location(); resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("error") != "invalid_scope" {
		t.Errorf("unknown scope: %s %v, want a redirect with invalid_scope", resp.Status, loc)
	}

	// The metadata lists what may be asked for.
	resp, err = http.Get(e.ts.URL + "/.well-known/oauth-protected-resource/mcp")
	if err != nil {
		t.Fatal(err)
	}
	var prm struct {
		Scopes []string `json:"scopes_supported"`
	}
	json.NewDecoder(resp.Body).Decode(&prm)
	resp.Body.Close()
	if want := []string{"mcp", "read:user", "repo", "user:email"}; !slices.Equal(prm.Scopes, want) {
		t.Errorf("scopes_supported %v, want %v", prm.Scopes, want)
	}
}

// BenchmarkCalledTool is what a server whose rules name scopes spends per
// POST finding the tool it calls: from the 2026-07-28 headers, or from a
// body of about 1 KiB for older clients.
func BenchmarkCalledTool(b *testing.B) {
	body := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"repo","arguments":{"text":"` + strings.Repeat("x", 1000) + `"}}}`)
	for _, tc := range []struct {
		name   string
		header bool
	}{{"headers", true}, {"body", false}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/mcp", bytes.NewReader(body))
				if tc.header {
					r.Header.Set("Mcp-Method", "tools/call")
					r.Header.Set("Mcp-Name", "repo")
				}
				if name, ok := calledTool(r); !ok || name != "repo" {
					b.Fatalf("calledTool = %q, %v", name, ok)
				}
			}
		})
	}
}
