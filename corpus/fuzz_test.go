package corpus

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fuzzTimeout bounds one generation of a fuzzed document: the seeds take
// milliseconds, so anything near this is a hang.
const fuzzTimeout = 20 * time.Second

// knownUnclear reports whether an unclear error matches FUZZ_IMPORT_KNOWN
// (see FuzzImport). Without it, none does.
var knownUnclear = func() func(string) bool {
	expr := os.Getenv("FUZZ_IMPORT_KNOWN")
	if expr == "" {
		return func(string) bool { return false }
	}
	re := regexp.MustCompile(expr)
	return re.MatchString
}()

// seeds returns the small documents of testdata/seed by name.
func seeds(tb testing.TB) map[string][]byte {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "seed", "*"))
	if err != nil {
		tb.Fatal(err)
	}
	out := make(map[string][]byte)
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(name)] = data
	}
	if len(out) == 0 {
		tb.Fatal("no documents in testdata/seed")
	}
	return out
}

// generateBytes generates a project from one in-memory document, named
// openapi.json or openapi.yaml; any other file it refers to does not
// exist. runtimeReplace is as in generator.Options.
func generateBytes(data []byte, asJSON, dynamic bool, runtimeReplace string) *generation {
	name := "openapi.yaml"
	if asJSON {
		name = "openapi.json"
	}
	return generateFrom(name, modeName(dynamic), runtimeReplace, fuzzTimeout, func(n string) ([]byte, error) {
		if n != name {
			return nil, fmt.Errorf("open %s: %w", n, fs.ErrNotExist)
		}
		return data, nil
	})
}

func modeName(dynamic bool) string {
	if dynamic {
		return "dynamic"
	}
	return "static"
}

// checkGeneration fails the test when the generator panicked or hung, when
// an error is unclear or comes with a plan, or when the project it
// generated is not gofmt-clean or does not type-check.
func checkGeneration(t *testing.T, g *generation, data []byte) {
	t.Helper()
	switch {
	case g.panicked != "":
		t.Fatalf("generator panicked on\n%s\n\n%s", data, g.panicked)
	case g.hung:
		t.Fatalf("generator.Generate did not return within %v on\n%s", fuzzTimeout, data)
	case g.diags.HasErrors():
		if g.plan != nil {
			t.Fatalf("errors, yet a plan, for\n%s\n\n%s", data, g.diags.Format(10))
		}
		for _, d := range g.diags.Errors() {
			if why := unclearError(d); why != "" && !knownUnclear(d.String()) {
				t.Fatalf("unclear error %q (it %s) for\n%s", d, why, data)
			}
		}
	case g.plan == nil:
		t.Fatalf("neither a plan nor an error for\n%s", data)
	default:
		if err := checkGo(g.files()); err != nil {
			t.Fatalf("generated code: %v\nfor\n%s", err, data)
		}
	}
}

// TestSeeds holds each seed of FuzzImport to the fuzz test's rule in both
// modes, so that -short runs check the importer on them too. Without
// -short, each static project that generates is also built, vetted, tested
// and started, and must list its tools.
func TestSeeds(t *testing.T) {
	for name, data := range seeds(t) {
		for _, dynamic := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/dynamic=%v", name, dynamic), func(t *testing.T) {
				g := generateBytes(data, strings.HasSuffix(name, ".json"), dynamic, "")
				checkGeneration(t, g, data)
				if g.diags.HasErrors() {
					t.Logf("refused: %s", g.diags.Errors()[0])
					return
				}
				if testing.Short() || dynamic {
					return // dynamic mode is built in TestGitHub
				}
				// Generated again, its go.mod pointing at this checkout's
				// runtime, to be built.
				g = generateBytes(data, strings.HasSuffix(name, ".json"), dynamic, filepath.ToSlash(runtimeDir(t)))
				// A document whose every operation has a defect generates a
				// server without tools, and says why for each.
				leftOut := strings.Contains(g.diags.Format(1000), "is left out")
				if b := buildAndList(t, g.plan, nil); len(b.Tools) == 0 && !leftOut {
					t.Error("the server lists no tools, and no operation was left out")
				}
			})
		}
	}
}

// FuzzImport feeds arbitrary bytes to the importer as an OpenAPI document,
// JSON or YAML, static or dynamic mode, through generator.Generate: it must
// never panic or hang, an error must be clear and come without a plan, and
// a project it generates must be gofmt-clean and type-check.
//
//	go test -fuzz FuzzImport -fuzztime 3m ./corpus
//
// To look past a kind of unclear error already reproduced in
// testdata/repro, FUZZ_IMPORT_KNOWN is a regular expression of the errors
// to let pass ("." lets every unclear error pass, leaving panics, hangs and
// output that does not compile):
//
//	FUZZ_IMPORT_KNOWN='cannot read the document' go test -fuzz FuzzImport ./corpus
func FuzzImport(f *testing.F) {
	for name, data := range seeds(f) {
		asJSON := strings.HasSuffix(name, ".json")
		f.Add(data, asJSON, false)
		f.Add(data, asJSON, true)
		// The same document under the other extension: JSON is YAML, and
		// YAML named .json must be refused clearly.
		f.Add(data, !asJSON, false)
	}
	f.Add([]byte("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n"), false, false)
	f.Add([]byte(`{"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{"/x/{y}":{"get":{"parameters":[{"name":"y","in":"path","required":true,"type":"string"}],"responses":{"200":{"description":"ok"}}}}}}`), true, false)
	f.Fuzz(func(t *testing.T, data []byte, asJSON, dynamic bool) {
		if len(data) > 1<<16 {
			t.Skip() // larger documents are the corpus test's
		}
		checkGeneration(t, generateBytes(data, asJSON, dynamic, ""), data)
	})
}
