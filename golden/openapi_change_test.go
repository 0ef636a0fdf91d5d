package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/generator"
	"github.com/mcpgen/mcpgen/generator/write"
)

// TestOpenAPIChange generates a project from openapi-change/v1.yaml, edits
// it as its owner would, then replaces the document with v2.yaml, which
// adds an operation (getNote), removes one (deleteNote) and alters one
// (listNotes gains a parameter), and regenerates. The tools must follow
// the document, every file of the user's must stay byte for byte what it
// was, and the result must match openapi-change/want and build.
func TestOpenAPIChange(t *testing.T) {
	const src = "openapi-change"
	dir := t.TempDir()
	copyFile(t, filepath.Join(src, "mcpgen.yaml"), filepath.Join(dir, "mcpgen.yaml"))
	copyFile(t, filepath.Join(src, "v1.yaml"), filepath.Join(dir, "notes.yaml"))

	regenerate := func(opts *generator.Options, wo *write.Options) []write.Change {
		t.Helper()
		manifest, err := os.ReadFile(filepath.Join(dir, "mcpgen.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		plan, diags := generator.Generate(&generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest, ReadFile: func(name string) ([]byte, error) {
			return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		}}, opts)
		if diags.HasErrors() {
			t.Fatalf("generate:\n%s", diags.Format(0))
		}
		changes, err := write.Compute(dir, plan, wo)
		if err != nil {
			t.Fatal(err)
		}
		if err := write.Apply(dir, changes); err != nil {
			t.Fatal(err)
		}
		return changes
	}
	regenerate(&generator.Options{WriteManifest: true}, &write.Options{Scaffold: true})

	// The owner's edits: the custom handler reshaped, a file of their own.
	handler := filepath.Join(dir, "create_note_tool.go")
	appendTo(t, handler, "\n// trimmed reports whether the note's text was trimmed. (The owner's code.)\nfunc trimmed(s string) bool { return s != \"\" }\n\nvar _ = trimmed\n")
	if err := os.WriteFile(filepath.Join(dir, "helpers.go"), []byte("package main\n\n// owner is the owner's own code.\nconst owner = \"me\"\n\nvar _ = owner\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := userFiles(t, dir)

	copyFile(t, filepath.Join(src, "v2.yaml"), filepath.Join(dir, "notes.yaml"))
	changes := regenerate(nil, nil)
	actions := make(map[string]write.Action)
	for _, c := range changes {
		actions[c.Path] = c.Action
	}
	if actions["api_gen.go"] != write.Updated || actions["tools_gen.go"] != write.Updated {
		t.Errorf("api_gen.go %v, tools_gen.go %v: want both updated", actions["api_gen.go"], actions["tools_gen.go"])
	}

	after := userFiles(t, dir)
	delete(before, "notes.yaml")
	delete(after, "notes.yaml")
	for name, content := range before {
		if !bytes.Equal(after[name], content) {
			t.Errorf("%s, the user's, changed on regeneration", name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s appeared on regeneration; only generated files should", name)
		}
	}
	api := readString(t, filepath.Join(dir, "api_gen.go"))
	for _, want := range []string{`"get_note"`, `Name: "tag"`} {
		if !strings.Contains(api, want) {
			t.Errorf("api_gen.go lacks %s", want)
		}
	}
	if strings.Contains(api, "delete_note") {
		t.Error("api_gen.go still has the removed operation delete_note")
	}

	want := filepath.Join(src, "want")
	got := readTree(t, dir)
	if *update {
		writeTree(t, want, got)
	}
	compareTrees(t, got, readTree(t, want), "run 'go test ./golden -update' if the change is intended, and read the diff")
	if !testing.Short() {
		buildProject(t, repoRoot(t), dir)
	}
}

// userFiles reads every file of a project that mcpgen does not own.
func userFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := make(map[string][]byte)
	for name, content := range readTree(t, dir) {
		if !write.IsGenerated(content) {
			out[name] = content
		}
	}
	return out
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, name, s string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func readString(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
