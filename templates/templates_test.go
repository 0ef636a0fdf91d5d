package templates

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestRuntimeModuleCopies keeps the copies of the runtime's go.mod and
// go.sum in step with the runtime module, without the go command: when they
// change, what new projects get in their go.mod and go.sum
// (project/runtime.deps, checked by TestRuntimeDeps) must be refreshed too.
func TestRuntimeModuleCopies(t *testing.T) {
	for _, name := range []string{"go.mod", "go.sum"} {
		want, err := os.ReadFile("../runtime/" + name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Raw("project/runtime." + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("templates/project/runtime.%s differs from runtime/%s; copy it (cp runtime/%s templates/project/runtime.%s) and refresh runtime.deps: go test ./templates -run TestRuntimeDeps -update", name, name, name, name)
		}
	}
}

func TestTemplates(t *testing.T) {
	for _, info := range List() {
		m, err := Manifest(info.Name, ManifestData{Name: "x", Spec: "api.yaml", Mode: "static", FirstOperation: "listPets"})
		if err != nil {
			t.Fatalf("%s: %v", info.Name, err)
		}
		if !strings.HasPrefix(string(m), "# yaml-language-server: $schema=") {
			t.Errorf("%s: the manifest does not start with the schema line", info.Name)
		}
		if _, err := TemplateFiles(info.Name, nil); err != nil {
			t.Errorf("%s: %v", info.Name, err)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup found a template that does not exist")
	}
}

func TestProjectFiles(t *testing.T) {
	got := map[string]bool{}
	for _, name := range ProjectFiles() {
		got[name] = true
	}
	for _, want := range []string{"README.md", "Makefile", "Dockerfile", "dockerignore", "gitignore", "env.example", "go.mod"} {
		if !got[want] {
			t.Errorf("project file template %s is missing", want)
		}
	}
}
