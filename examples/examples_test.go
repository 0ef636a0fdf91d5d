// Package examples checks that the committed examples are exactly what
// mcpgen generates today, and that they build, vet and pass their tests.
// `make examples` regenerates them.
package examples

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/generator"
	"github.com/mcpgen/mcpgen/internal/testkit"
	"github.com/mcpgen/mcpgen/templates"
)

// example is a committed example and how it was generated.
type example struct {
	dir, name string
	template  string
	// spec is the OpenAPI document the example was generated from, kept in
	// the example.
	spec, firstOperation string
}

var examples = []example{
	{dir: "authless", name: "authless", template: "authless"},
	{dir: "openapi-petstore", name: "petstore", template: "openapi", spec: "openapi.yaml", firstOperation: "updatePet"},
	{dir: "github-oauth", name: "github-oauth", template: "github-oauth"},
}

func TestExamplesUpToDate(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex.dir, func(t *testing.T) {
			md := templates.ManifestData{Name: ex.name, Spec: ex.spec, Mode: "static", FirstOperation: ex.firstOperation}
			manifest, err := templates.Manifest(ex.template, md)
			if err != nil {
				t.Fatal(err)
			}
			plan, diags := generator.Generate(
				&generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest, ReadFile: func(name string) ([]byte, error) {
					return os.ReadFile(filepath.Join(ex.dir, filepath.FromSlash(name)))
				}},
				&generator.Options{Template: ex.template, RuntimeReplace: "../../runtime", WriteManifest: true},
			)
			if diags.HasErrors() {
				t.Fatalf("generate:\n%s", diags.Format(0))
			}
			want := make(map[string][]byte)
			for _, f := range plan.Files {
				want[f.Path] = f.Content
			}
			ignored := gitignored(t, ex.dir)
			got := make(map[string][]byte)
			err = filepath.WalkDir(ex.dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(ex.dir, p)
				if ignored(filepath.ToSlash(rel)) {
					return nil // a binary or .env the example's .gitignore keeps out
				}
				b, err := os.ReadFile(p)
				got[filepath.ToSlash(rel)] = b
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for p := range want {
				paths = append(paths, p)
			}
			for p := range got {
				if _, ok := want[p]; !ok {
					paths = append(paths, p)
				}
			}
			slices.Sort(paths)
			for _, p := range paths {
				if !bytes.Equal(got[p], want[p]) {
					t.Errorf("examples/%s/%s is stale; run 'make examples' and commit the result", ex.dir, p)
				}
			}
		})
	}
}

func TestExamplesBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the examples")
	}
	for _, ex := range examples {
		t.Run(ex.dir, func(t *testing.T) {
			for _, args := range [][]string{
				{"build", "./..."},
				{"vet", "./..."},
				{"test", "-count=1", "./..."},
			} {
				cmd := exec.Command("go", args...)
				cmd.Dir = ex.dir
				cmd.Env = testkit.OfflineEnv()
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
		})
	}
}

// gitignored reads the simple patterns of an example's .gitignore (the
// ones mcpgen writes: "/name" and "*.ext").
func gitignored(t *testing.T, dir string) func(string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, strings.TrimPrefix(line, "/"))
		}
	}
	return func(p string) bool {
		for _, pat := range patterns {
			if ok, _ := path.Match(pat, p); ok {
				return true
			}
		}
		return false
	}
}
