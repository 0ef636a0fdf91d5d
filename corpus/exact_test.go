package corpus

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/generator"
)

// TestExact generates a project from every document of the corpus (the
// seeds of testdata/seed, @readme/oas-examples and GitHub's description,
// the last two when fetched), in static and dynamic mode, as usual and with
// generator.Options.Exact, which takes the libraries' own path wherever the
// generator has a quicker one: the typed decoder, the linker and the split
// of the loader, the schema decoder, the schema parts and the forms of
// emit. The two must give the same diagnostics and the same files, byte for
// byte. The usual way may leave a document entry to kin-openapi
// (Result.Declined), but no file may have been built whole for want of
// splicing; the exact way takes no quicker path to decline.
func TestExact(t *testing.T) {
	type doc struct {
		name string
		spec string // the document's file name, as the manifest names it
		read func(name string) ([]byte, error)
	}
	var docs []doc
	for name, data := range seeds(t) {
		docs = append(docs, doc{"seed/" + name, name, func(n string) ([]byte, error) {
			if n != name {
				return nil, fmt.Errorf("open %s: %w", n, fs.ErrNotExist)
			}
			return data, nil
		}})
	}
	slices.SortFunc(docs, func(a, b doc) int { return strings.Compare(a.name, b.name) })
	if testing.Short() {
		t.Log("-short: the seeds only; the corpus and GitHub's description are compared without -short")
	} else {
		root := filepath.Join(repoRoot(t), ".cache")
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(oasExamplesDir))); err == nil {
			for _, d := range oasExamples(t) {
				docs = append(docs, doc{d.Name, filepath.Base(d.Path), dirReader(filepath.Dir(d.Path))})
			}
		} else {
			t.Logf(".cache/%s is absent (run %s): the seeds only", oasExamplesDir, fetchTarget)
		}
		if gh := filepath.Join(root, filepath.FromSlash(githubFile)); fileExists(gh) {
			docs = append(docs, doc{"github", filepath.Base(gh), dirReader(filepath.Dir(gh))})
		}
	}

	var usual, exact time.Duration
	compared, declined := 0, 0
	for _, d := range docs {
		for _, mode := range []string{"static", "dynamic"} {
			g := generateWith(d.spec, mode, &generator.Options{Template: "openapi", WriteManifest: true}, generateTimeout, d.read)
			e := generateWith(d.spec, mode, &generator.Options{Template: "openapi", WriteManifest: true, Exact: true}, generateTimeout, d.read)
			name := d.name + " (" + mode + ")"
			if g.panicked != "" || e.panicked != "" || g.hung || e.hung {
				t.Errorf("%s: panicked or hung (usual %q %v, exact %q %v); TestCorpus says more", name, g.panicked, g.hung, e.panicked, e.hung)
				continue
			}
			usual += g.elapsed
			exact += e.elapsed
			if got, want := g.diags.Format(0), e.diags.Format(0); got != want {
				t.Errorf("%s: diagnostics differ\nusual:\n%s\nexact:\n%s", name, got, want)
			}
			if (g.res == nil) != (e.res == nil) {
				t.Errorf("%s: a project one way only (usual %v, exact %v)", name, g.res != nil, e.res != nil)
				continue
			}
			if g.res == nil {
				continue // refused both ways, alike
			}
			if len(g.res.BuiltWhole) > 0 {
				t.Errorf("%s: built whole because their forms did not splice: %s", name, strings.Join(g.res.BuiltWhole, ", "))
			}
			if len(e.res.Declined) > 0 || len(e.res.BuiltWhole) > 0 {
				t.Errorf("%s: the exact way fell back from a quicker path it should not take: %q %q", name, e.res.Declined, e.res.BuiltWhole)
			}
			if len(g.res.Declined) > 0 {
				declined++
			}
			sameFiles(t, name, g, e)
			compared++
		}
	}
	t.Logf("%d documents, %d projects compared (%d with entries the typed decoder declined); generation took %v as usual, %v exact",
		len(docs), compared, declined, usual.Round(time.Millisecond), exact.Round(time.Millisecond))
	if compared == 0 {
		t.Error("no project was compared")
	}
}

// sameFiles requires g and e to have the same files, in the same order,
// with the same owners and content.
func sameFiles(t *testing.T, name string, g, e *generation) {
	t.Helper()
	gf, ef := g.plan.Files, e.plan.Files
	if len(gf) != len(ef) {
		t.Errorf("%s: %d files as usual, %d exact", name, len(gf), len(ef))
		return
	}
	for i := range gf {
		a, b := gf[i], ef[i]
		if a.Path != b.Path || a.Owner != b.Owner {
			t.Errorf("%s: file %d is %s (%v) as usual, %s (%v) exact", name, i, a.Path, a.Owner, b.Path, b.Owner)
			continue
		}
		if !bytes.Equal(a.Content, b.Content) {
			t.Errorf("%s: %s differs%s", name, a.Path, firstDifference(a.Content, b.Content))
		}
	}
}

// firstDifference shows where a and b first differ.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	line := bytes.Count(a[:i], []byte("\n")) + 1
	cut := func(s []byte) string { return string(s[i:min(len(s), i+80)]) }
	return fmt.Sprintf(" at line %d: %q as usual, %q exact", line, cut(a), cut(b))
}
