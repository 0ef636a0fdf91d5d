package templates

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/generator/write"
	"github.com/mcpgen/mcpgen/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite templates/project/runtime.deps from runtime/")

// runtimeModule is the module path of the runtime.
const runtimeModule = "github.com/mcpgen/mcpgen/runtime"

// TestRuntimeDeps derives, with the go command and offline, what each
// package of the runtime module needs in the go.mod and go.sum of a module
// that imports it, and checks that templates/project/runtime.deps says so.
// Refresh it with: go test ./templates -run TestRuntimeDeps -update
//
// The generator gives a project the union over the runtime packages it
// imports, so the test also checks (but with -short) that the union is
// what go mod tidy writes for every combination of packages.
func TestRuntimeDeps(t *testing.T) {
	runtimeDir, err := filepath.Abs("../runtime")
	if err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(runtimeDir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var goLine string // the runtime's go directive, for the probe modules
	for _, line := range strings.Split(string(goMod), "\n") {
		if strings.HasPrefix(line, "go ") {
			goLine = line
		}
	}
	sum, err := os.ReadFile(filepath.Join(runtimeDir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command("go", "list", "-f", "{{if .GoFiles}}{{.ImportPath}}{{end}}", "./...")
	cmd.Dir = runtimeDir
	cmd.Env = testkit.OfflineEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./... in runtime: %v", err)
	}
	// Internal packages are the runtime's own: no project imports them.
	pkgs := slices.DeleteFunc(strings.Fields(string(out)), func(p string) bool { return strings.Contains(p, "/internal/") })
	if len(pkgs) == 0 {
		t.Fatal("the runtime module has no packages")
	}

	// tidy is what go mod tidy writes in a module that imports pkgs: its
	// requirements but the runtime's, and its go.sum lines. It starts from
	// the runtime's go.sum, so that every checksum it keeps is one the
	// runtime's go.sum vouches for; a module importing fewer packages may
	// select an older version of a dependency than the runtime does, whose
	// go.mod checksum comes from the module cache (filled, and verified,
	// online by .ci/run), as the checksum database is not reachable here.
	tidy := func(pkgs []string) (reqs, sums []string) {
		t.Helper()
		dir := t.TempDir()
		mod := fmt.Sprintf("module probe\n\n%s\n\nrequire %s v0.1.0\n\nreplace %s => %s\n",
			goLine, runtimeModule, runtimeModule, filepath.ToSlash(runtimeDir))
		src := "package probe\n\nimport (\n"
		for _, p := range pkgs {
			src += "\t_ \"" + p + "\"\n"
		}
		src += ")\n"
		for name, content := range map[string]string{"go.mod": mod, "go.sum": string(sum), "probe.go": src} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command("go", "mod", "tidy")
		cmd.Dir = dir
		cmd.Env = testkit.OfflineEnv("GOFLAGS=-mod=mod", "GOSUMDB=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go mod tidy for %v (the module cache is filled by go mod download in runtime/): %v\n%s", pkgs, err, out)
		}
		tidied, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		inBlock := false
		for _, line := range strings.Split(string(tidied), "\n") {
			line, _, _ = strings.Cut(line, "//")
			fields := strings.Fields(line)
			switch {
			case len(fields) == 2 && fields[0] == "require" && fields[1] == "(":
				inBlock = true
			case inBlock && len(fields) == 1 && fields[0] == ")":
				inBlock = false
			case len(fields) == 3 && fields[0] == "require":
				fields = fields[1:]
				fallthrough
			case inBlock && len(fields) == 2:
				if fields[0] != runtimeModule {
					reqs = append(reqs, fields[0]+" "+fields[1])
				}
			}
		}
		gosum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(gosum), "\n") {
			if line != "" {
				sums = append(sums, line)
			}
		}
		slices.Sort(reqs)
		slices.Sort(sums)
		return reqs, sums
	}

	var b strings.Builder
	b.WriteString(`# What each package of the runtime module needs in the go.mod and go.sum
# of a module that imports it: the requirements (all but the runtime) and
# the go.sum lines that go mod tidy writes in a module importing only that
# package. A generated project gets the union over the runtime packages it
# imports. Derived from runtime/ by the go command; do not edit, refresh:
#	go test ./templates -run TestRuntimeDeps -update
`)
	// Every generated project imports serve, whose dependencies decide
	// the versions of modules that other packages share (x/tools, say):
	// each package is probed alongside it, as projects import it.
	const servePkg = runtimeModule + "/serve"
	withServe := func(set []string) []string {
		if slices.Contains(set, servePkg) {
			return set
		}
		return append([]string{servePkg}, set...)
	}
	type deps struct{ reqs, sums []string }
	single := make(map[string]deps)
	for _, p := range pkgs {
		reqs, sums := tidy(withServe([]string{p}))
		single[p] = deps{reqs, sums}
		b.WriteString("\npackage " + p + "\n")
		for _, r := range reqs {
			b.WriteString("require " + r + "\n")
		}
		for _, s := range sums {
			b.WriteString("sum " + s + "\n")
		}
	}
	const file = "project/runtime.deps"
	if *update {
		if err := os.WriteFile(filepath.FromSlash(file), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(filepath.FromSlash(file))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != b.String() {
		t.Errorf("templates/%s is stale; refresh it: go test ./templates -run TestRuntimeDeps -update", file)
	}

	// The union over packages is what go mod tidy writes for them
	// together: checked for every pair of packages and for all of them
	// (every subset would take minutes).
	if testing.Short() {
		return
	}
	var sets [][]string
	for i := range pkgs {
		for j := i + 1; j < len(pkgs); j++ {
			sets = append(sets, []string{pkgs[i], pkgs[j]})
		}
	}
	sets = append(sets, pkgs)
	for _, set := range sets {
		var wantReqs []string
		var each [][]string
		for _, p := range set {
			wantReqs = append(wantReqs, single[p].reqs...)
			each = append(each, single[p].sums)
		}
		wantSums := write.UnionSums(each...)
		set = withServe(set)
		slices.Sort(wantReqs)
		wantReqs = slices.Compact(wantReqs)
		reqs, sums := tidy(set)
		if !slices.Equal(reqs, wantReqs) || !slices.Equal(sums, wantSums) {
			t.Errorf("for a module importing %v, go mod tidy writes\n%s\n%s\nbut the union over its packages is\n%s\n%s",
				set, strings.Join(reqs, "\n"), strings.Join(sums, "\n"), strings.Join(wantReqs, "\n"), strings.Join(wantSums, "\n"))
		}
	}
}
