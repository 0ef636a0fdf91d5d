package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// runtimeReplace matches a go.mod's replace of the runtime module.
var runtimeReplace = regexp.MustCompile(`(?m)^replace github\.com/mcpgen/mcpgen/runtime => .*$`)

// TestProjectsTidy checks that a freshly generated project is tidy: for
// every expected project (*/want) and every committed example
// (../examples/*), go mod tidy, run offline against the module cache with
// the runtime replaced by this checkout's, changes neither go.mod nor
// go.sum.
func TestProjectsTidy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy on every expected project and example")
	}
	root := repoRoot(t)
	replace := "replace github.com/mcpgen/mcpgen/runtime => " + filepath.ToSlash(filepath.Join(root, "runtime"))
	wants, err := filepath.Glob("*/want/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Glob("../examples/*/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	projects := append(wants, examples...)
	if len(wants) == 0 || len(examples) == 0 {
		t.Fatalf("found %d expected projects and %d examples", len(wants), len(examples))
	}
	for _, goMod := range projects {
		project := filepath.Dir(goMod)
		name := strings.TrimPrefix(filepath.ToSlash(project), "../")
		t.Run(name, func(t *testing.T) {
			files := readTree(t, project)
			// A project of a development build replaces the runtime with a
			// path relative to it; one of a release build does not.
			mod := files["go.mod"]
			if runtimeReplace.Match(mod) {
				mod = runtimeReplace.ReplaceAll(mod, []byte(replace))
			} else {
				mod = append(mod, []byte("\n"+replace+"\n")...)
			}
			files["go.mod"] = mod
			dir := t.TempDir()
			writeTree(t, dir, files)

			cmd := exec.Command("go", "mod", "tidy")
			cmd.Dir = dir
			cmd.Env = testkit.OfflineEnv("GOFLAGS=-mod=mod")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go mod tidy: %v\n%s", err, out)
			}
			for _, name := range []string{"go.mod", "go.sum"} {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if want := files[name]; string(got) != string(want) {
					t.Errorf("go mod tidy changes %s:\n--- generated\n%s\n--- tidy\n%s", name, want, got)
				}
			}
		})
	}
}
