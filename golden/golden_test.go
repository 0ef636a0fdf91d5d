// Package golden holds mcpgen's golden tests: manifests in, whole projects
// out, compared byte for byte; and bad manifests in, exact stderr out.
//
//	go test ./golden            # compare, then build, vet and test every expected project
//	go test ./golden -short     # compare only
//	go test ./golden -update    # rewrite the expected output
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mcpgen/mcpgen/generator"
	"github.com/mcpgen/mcpgen/generator/write"
	"github.com/mcpgen/mcpgen/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the expected output")

// caseOptions is a case's input/options.json: how mcpgen new was called.
type caseOptions struct {
	Template string `json:"template"`
	Module   string `json:"module"`
}

// repoRoot is the checkout's root directory.
func repoRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the checkout")
	}
	return filepath.Dir(filepath.Dir(file))
}

// generate runs the generator on a case's input as `mcpgen new` would.
func generate(t *testing.T, input string, replace string) map[string][]byte {
	t.Helper()
	manifest, err := os.ReadFile(filepath.Join(input, "mcpgen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var opts caseOptions
	if b, err := os.ReadFile(filepath.Join(input, "options.json")); err == nil {
		if err := json.Unmarshal(b, &opts); err != nil {
			t.Fatalf("options.json: %v", err)
		}
	}
	plan, diags := generator.Generate(
		&generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest, ReadFile: func(name string) ([]byte, error) {
			return os.ReadFile(filepath.Join(input, filepath.FromSlash(name)))
		}},
		&generator.Options{Template: opts.Template, Module: opts.Module, RuntimeReplace: replace, WriteManifest: true},
	)
	if diags.HasErrors() {
		t.Fatalf("generate:\n%s", diags.Format(0))
	}
	files := make(map[string][]byte)
	for _, f := range plan.Files {
		files[f.Path] = f.Content
	}
	return files
}

// readTree reads every file under dir, keyed by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func writeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compareTrees reports every difference between got and want.
func compareTrees(t *testing.T, got, want map[string][]byte, hint string) {
	t.Helper()
	var paths []string
	for p := range got {
		paths = append(paths, p)
	}
	for p := range want {
		if _, ok := got[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		g, inGot := got[p]
		w, inWant := want[p]
		switch {
		case !inWant:
			t.Errorf("%s: generated but not expected (%s)", p, hint)
		case !inGot:
			t.Errorf("%s: expected but not generated (%s)", p, hint)
		case !bytes.Equal(g, w):
			t.Errorf("%s: differs from the expected output (%s):\n%s", p, hint, firstDiff(string(g), string(w)))
		}
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return fmt.Sprintf("  line %d:\n    got:  %q\n    want: %q", i+1, g, w)
		}
	}
	return "  (same lines, different bytes)"
}

// cases lists the golden cases: directories with an input/ folder.
func cases(t *testing.T) []string {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(e.Name(), "input", "mcpgen.yaml")); e.IsDir() && err == nil {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no golden cases found")
	}
	return out
}

func TestGolden(t *testing.T) {
	root := repoRoot(t)
	for _, name := range cases(t) {
		t.Run(name, func(t *testing.T) {
			got := generate(t, filepath.Join(name, "input"), "")
			if again := generate(t, filepath.Join(name, "input"), ""); !mapsEqual(got, again) {
				t.Fatal("two generations from the same input differ")
			}
			want := filepath.Join(name, "want")
			if *update {
				writeTree(t, want, got)
			}
			compareTrees(t, got, readTree(t, want), "run 'go test ./golden -update' if the change is intended, and read the diff")
			if testing.Short() {
				return
			}
			buildProject(t, root, want)
		})
	}
}

func mapsEqual(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// buildProject copies an expected project to a temporary directory, points
// its go.mod at this checkout's runtime, and proves it: gofmt-clean, builds,
// vets, its tests pass, and regenerating it changes nothing. Everything runs
// offline, against the module cache.
func buildProject(t *testing.T, root, project string) {
	t.Helper()
	dir := t.TempDir()
	files := readTree(t, project)
	files["go.mod"] = append(files["go.mod"], []byte("\nreplace github.com/mcpgen/mcpgen/runtime => "+filepath.ToSlash(filepath.Join(root, "runtime"))+"\n")...)
	writeTree(t, dir, files)

	for p, content := range files {
		if strings.HasSuffix(p, ".go") {
			if bytes.Contains(content, []byte("\r")) {
				t.Errorf("%s: carriage return in generated Go", p)
			}
		}
	}
	run(t, dir, "gofmt", "-l", ".")
	run(t, dir, "go", "build", "./...")
	run(t, dir, "go", "vet", "./...")
	run(t, dir, "go", "test", "-count=1", "./...")

	// The generated project is in step with its manifest.
	manifest, err := os.ReadFile(filepath.Join(dir, "mcpgen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	plan, diags := generator.Generate(&generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest, ReadFile: func(name string) ([]byte, error) {
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	}}, nil)
	if diags.HasErrors() {
		t.Fatalf("regenerate:\n%s", diags.Format(0))
	}
	changes, err := write.Compute(dir, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if write.Stale(changes) {
		var b strings.Builder
		write.Report(&b, changes)
		t.Errorf("regenerating the expected project would change it:\n%s", b.String())
	}
}

// run runs a command in dir, offline, and fails the test on a non-zero exit
// or, for gofmt -l, on any output.
func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = testkit.OfflineEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	if name == "gofmt" && len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("gofmt -l lists files that are not gofmt-clean:\n%s", out)
	}
}

// mcpgenBinary is built once by TestMain for the error cases.
var mcpgenBinary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "mcpgen-golden")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	mcpgenBinary = filepath.Join(dir, "mcpgen")
	cmd := exec.Command("go", "build", "-o", mcpgenBinary, "../cmd/mcpgen")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building mcpgen: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestErrors runs the real mcpgen on each bad manifest in errors/*.txtar
// and compares its stderr and exit status with the archive's "stderr" and
// "exit" files; nothing may be written.
//
// Each archive holds mcpgen.yaml, the expected stderr, and optionally
// "args" (default: "generate").
func TestErrors(t *testing.T) {
	archives, err := filepath.Glob("errors/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no error cases (%v)", err)
	}
	for _, a := range archives {
		t.Run(strings.TrimSuffix(filepath.Base(a), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(a)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var wantStderr, args []byte
			args = []byte("generate")
			wantExit := "1"
			for _, f := range ar.Files {
				switch f.Name {
				case "stderr":
					wantStderr = f.Data
				case "args":
					args = bytes.TrimSpace(f.Data)
				case "exit":
					wantExit = string(bytes.TrimSpace(f.Data))
				default:
					if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			before := readTree(t, dir)
			cmd := exec.Command(mcpgenBinary, strings.Fields(string(args))...)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err = cmd.Run()
			exit := "0"
			if ee, ok := err.(*exec.ExitError); ok {
				exit = fmt.Sprint(ee.ExitCode())
			} else if err != nil {
				t.Fatal(err)
			}

			if *update {
				rewriteArchive(t, a, ar, stderr.Bytes(), exit)
				return
			}
			if exit != wantExit {
				t.Errorf("exit status %s, want %s", exit, wantExit)
			}
			if got := stderr.String(); got != string(wantStderr) {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, wantStderr)
			}
			if !mapsEqual(before, readTree(t, dir)) {
				t.Error("mcpgen wrote files although the manifest is invalid")
			}
		})
	}
}

func rewriteArchive(t *testing.T, name string, ar *txtar.Archive, stderr []byte, exit string) {
	t.Helper()
	var files []txtar.File
	for _, f := range ar.Files {
		if f.Name != "stderr" && f.Name != "exit" {
			files = append(files, f)
		}
	}
	files = append(files, txtar.File{Name: "stderr", Data: stderr})
	if exit != "1" {
		files = append(files, txtar.File{Name: "exit", Data: []byte(exit + "\n")})
	}
	ar.Files = files
	if err := os.WriteFile(name, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}
