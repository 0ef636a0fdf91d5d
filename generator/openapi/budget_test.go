package openapi

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
	"github.com/mcpgen/mcpgen/internal/testkit"
)

// importFile loads and imports one document of the corpora, in static
// mode, with the default budget.
func importFile(tb testing.TB, path string) (*Result, diag.List) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Dir(path)
	doc, diags := loader.Load(filepath.Base(path), data, &loader.Options{
		ReadFile:       func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) },
		SkipValidation: true,
	})
	if doc == nil || diags.HasErrors() {
		return nil, diags
	}
	res, more := Import(doc, &Options{Server: "corpus", Section: &manifest.OpenAPI{Spec: filepath.Base(path)}})
	return res, append(diags, more...)
}

// TestCorporaWork imports the documents of the corpora (see package
// corpus; skipped when they have not been fetched) and holds each to the
// work budget with room to spare: a document that comes near it means the
// budget is too tight for real input. With -v it lists the documents that
// take the most work, with the operation of each that takes the most and
// the time the import took (for reading only: times are not checked).
func TestCorporaWork(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	files := testkit.OASExamples(t, root)
	if gh := testkit.GitHubSpec(root); gh != "" && !testing.Short() {
		files = append(files, gh)
	}
	if len(files) == 0 {
		t.Skip("the corpora are not there; run `make testdata-corpus` to fetch them")
	}
	type usage struct {
		name       string
		work, op   int
		opName     string
		operations int
		took       time.Duration
	}
	var list []usage
	for _, f := range files {
		start := time.Now()
		res, diags := importFile(t, f)
		took := time.Since(start)
		for _, d := range diags {
			if isBudget(d) {
				t.Errorf("%s: %s", f, d)
			}
		}
		if res == nil {
			continue
		}
		name, _ := filepath.Rel(root, f)
		list = append(list, usage{name, res.Work, res.maxOpWork, res.maxOp, len(res.Tools), took})
		// A tenth of the budget, for the document and for its operations.
		if res.Work > DefaultMaxWork/10 || res.maxOpWork > DefaultMaxWork/opShare/10 {
			t.Errorf("%s takes %d steps of work (operation %s: %d); the budget is %d (%d per operation)", name, res.Work, res.maxOp, res.maxOpWork, DefaultMaxWork, DefaultMaxWork/opShare)
		}
	}
	slices.SortFunc(list, func(a, b usage) int { return cmp.Compare(b.work, a.work) })
	for _, u := range list[:min(len(list), 10)] {
		t.Logf("%9d steps, %4d tools, at most %6d for one (%s), loaded and imported in %v: %s", u.work, u.operations, u.op, u.opName, u.took.Round(time.Millisecond), u.name)
	}
}

// isBudget reports whether d is the work budget's.
func isBudget(d diag.Diagnostic) bool {
	return strings.Contains(d.Msg, "schemas takes more than")
}
