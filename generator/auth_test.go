package generator

import (
	"slices"
	"strings"
	"testing"
)

// TestBuildAuth checks what the auth section puts in the IR: the provider
// and scopes, each tool's rule, and HTTP transports only when none are
// listed.
func TestBuildAuth(t *testing.T) {
	p, diags, _ := load(&Input{ManifestPath: "mcpgen.yaml", Manifest: []byte(`name: a
auth: {provider: oidc, scopes: [openid, email, groups]}
tools:
  - {name: open, description: d, inputSchema: {type: object}}
  - name: ops
    description: d
    inputSchema: {type: object}
    auth: {users: [ada@example.com], usersEnv: OPS, scopes: [groups]}
`)}, false)
	if diags.HasErrors() {
		t.Fatal(diags.Format(0))
	}
	if !p.HasAuth() || p.Auth.Provider != "oidc" || !slices.Equal(p.Auth.Scopes, []string{"openid", "email", "groups"}) {
		t.Errorf("Auth = %+v", p.Auth)
	}
	if !slices.Equal(p.Transports, []string{"streamable", "sse"}) {
		t.Errorf("Transports = %q, want streamable and sse (no stdio with auth)", p.Transports)
	}
	if p.Tools[0].Auth != nil {
		t.Errorf("open tool has a rule: %+v", p.Tools[0].Auth)
	}
	r := p.Tools[1].Auth
	if r == nil || !slices.Equal(r.Users, []string{"ada@example.com"}) || r.UsersEnv != "OPS" || !slices.Equal(r.Scopes, []string{"groups"}) || r.Pointer != "#/tools/1/auth" {
		t.Errorf("ops rule = %+v", r)
	}
	if got := p.GatedTools(); len(got) != 1 || got[0].Name != "ops" {
		t.Errorf("GatedTools = %v", got)
	}

	open, diags, _ := load(&Input{ManifestPath: "mcpgen.yaml", Manifest: []byte("name: a\n")}, false)
	if diags.HasErrors() || open.HasAuth() || !slices.Contains(open.Transports, "stdio") {
		t.Errorf("a manifest without auth: HasAuth %v, transports %q", open.HasAuth(), open.Transports)
	}
}

// TestAuthOnlyWhereAsked checks that only a project with an auth section
// imports the oauth package, and that its tests then check the gating.
func TestAuthOnlyWhereAsked(t *testing.T) {
	const tool = "tools:\n  - {name: t, description: d, inputSchema: {type: object}, auth: {users: [octocat]}}\n"
	withAuth, msg := generateFiles(t, "name: a\nauth: {provider: github}\n"+tool)
	if withAuth == nil {
		t.Fatal(msg)
	}
	without, msg := generateFiles(t, "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object}}\n")
	if without == nil {
		t.Fatal(msg)
	}
	const oauthImport = `"github.com/mcpgen/mcpgen/runtime/oauth"`
	for _, name := range []string{"server_gen.go", "main.go", "tools.go", "mcpgen_gen_test.go"} {
		if !strings.Contains(string(withAuth[name]), oauthImport) {
			t.Errorf("%s of an auth project does not import the oauth package", name)
		}
		if strings.Contains(string(without[name]), oauthImport) {
			t.Errorf("%s of a project without auth imports the oauth package", name)
		}
	}
	if !strings.Contains(string(withAuth["mcpgen_gen_test.go"]), "func TestGeneratedToolsGated") {
		t.Error("the generated tests of a project with a gated tool do not test the gating")
	}
	if !strings.Contains(string(withAuth["server_gen.go"]), `Users: []string{"octocat"}`) {
		t.Errorf("AuthOptions lacks the tool's rule:\n%s", withAuth["server_gen.go"])
	}
}
