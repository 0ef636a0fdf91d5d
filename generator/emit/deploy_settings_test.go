package emit

import (
	"strings"
	"testing"

	toml "github.com/pelletier/go-toml/v2"
	yaml "go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/ir"
)

func TestProjectSettings(t *testing.T) {
	p := &ir.Project{
		Name:  "x",
		Auth:  &ir.Auth{Provider: "github"},
		Tools: []*ir.Tool{{Name: "admin", Auth: &ir.ToolAuth{UsersEnv: "ADMINS"}}},
		API: &ir.API{BaseURLEnv: "X_BASE_URL", Schemes: []ir.Scheme{
			{Name: "basic", Type: "http", Scheme: "basic", Env: []string{"X_USER", "X_PASSWORD"}},
			{Name: "cc", Type: "oauth2", Env: []string{"X_CLIENT_ID", "X_CLIENT_SECRET"}, AccessTokenEnv: "X_ACCESS_TOKEN"},
		}},
	}
	got := map[string]setting{}
	var order []string
	for _, s := range projectSettings(p) {
		if _, dup := got[s.Name]; dup {
			t.Errorf("%s listed twice", s.Name)
		}
		got[s.Name] = s
		order = append(order, s.Name)
		if s.Description == "" || strings.HasSuffix(s.Description, ".") || strings.Contains(s.Description, "\n") {
			t.Errorf("%s: description %q: want one line without a full stop", s.Name, s.Description)
		}
		if s.Secret && (s.Default != "" || s.Example != "") {
			t.Errorf("%s is secret but has a value to write", s.Name)
		}
	}
	for name, want := range map[string]struct{ secret, required bool }{
		"X_BASE_URL":           {false, true}, // no absolute URL in the document
		"X_USER":               {false, false},
		"X_PASSWORD":           {true, false},
		"X_CLIENT_ID":          {false, false},
		"X_CLIENT_SECRET":      {true, false},
		"X_ACCESS_TOKEN":       {true, false},
		"GITHUB_CLIENT_ID":     {false, true},
		"GITHUB_CLIENT_SECRET": {true, true},
		"BASE_URL":             {false, false},
		"ENCRYPTION_KEY":       {true, false},
		"ADMINS":               {false, false},
		"STORE_URL":            {true, false},
		"STORE_PATH":           {false, false},
	} {
		s, ok := got[name]
		if !ok {
			t.Errorf("%s is missing from %v", name, order)
			continue
		}
		if s.Secret != want.secret || s.Required != want.required {
			t.Errorf("%s: secret %v, required %v; want %v, %v", name, s.Secret, s.Required, want.secret, want.required)
		}
	}
	if len(projectSettings(&ir.Project{Name: "plain"})) != 0 {
		t.Error("a server without API, auth or store has settings")
	}
}

func TestDNSLabel(t *testing.T) {
	for in, want := range map[string]string{
		"github-oauth":          "github-oauth",
		"My_Server.v2":          "my-server-v2",
		"9lives":                "mcp-9lives",
		"--":                    "mcp",
		strings.Repeat("a", 70): strings.Repeat("a", 63),
	} {
		if got := dnsLabel(in); got != want {
			t.Errorf("dnsLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	if got := clip("short", 100); got != "short" {
		t.Errorf("clip kept %q", got)
	}
	long := strings.Repeat("word ", 40)
	got := clip(long, 100)
	if len(got) > 100 || !strings.HasSuffix(got, "…") || strings.Contains(got, "wor…") {
		t.Errorf("clip(%d bytes) = %q", len(long), got)
	}
}

// quoteString's output must read back as the same string in YAML and TOML.
func TestQuoteString(t *testing.T) {
	for _, s := range []string{"https://x.example/a?b=c#d", `a "quoted" \ value`, "tab\tnew\nline", "ünïcode ✓", "#not a comment"} {
		q := quoteString(s)
		var y map[string]string
		if err := yaml.Unmarshal([]byte("k: "+q), &y); err != nil || y["k"] != s {
			t.Errorf("YAML k: %s = %q (%v), want %q", q, y["k"], err, s)
		}
		var tm map[string]string
		if err := toml.Unmarshal([]byte("k = "+q), &tm); err != nil || tm["k"] != s {
			t.Errorf("TOML k = %s = %q (%v), want %q", q, tm["k"], err, s)
		}
	}
}
