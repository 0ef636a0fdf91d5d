package corpus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

var update = flag.Bool("update", false, "rewrite testdata/tool-counts.txt")

// countsFile pins, per document of the corpora, how many operations it
// has and how many tools the importer makes of them.
const countsFile = "testdata/tool-counts.txt"

// TestToolCounts imports every document of the corpora as `mcpgen new
// --from` does (leaving out what a defect confines to some operations)
// and compares, per document, the operations it has and the tools made
// with testdata/tool-counts.txt: an importer change that leaves out more
// operations than before, without a word in the output, shows here. Run
// with -update to rewrite the file, and read its diff.
func TestToolCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the corpus test imports real-world documents")
	}
	docs := oasExamples(t)
	if p := filepath.Join(repoRoot(t), ".cache", filepath.FromSlash(githubFile)); fileExists(p) {
		docs = append(docs, document{Name: "github/api.github.com.json", Path: p})
	}
	lines := make([]string, len(docs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, doc := range docs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			lines[i] = countLine(doc)
		})
	}
	wg.Wait()
	got := strings.Join(lines, "\n") + "\n"
	if *update {
		header := "# document  operations  tools, or refused; go test ./corpus -run TestToolCounts -update\n"
		if err := os.WriteFile(countsFile, []byte(header+got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(countsFile)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	want := make(map[string]string)
	for line := range strings.SplitSeq(string(data), "\n") {
		if name, _, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(line, "#") {
			want[name] = line
		}
	}
	for _, line := range lines {
		name, _, _ := strings.Cut(line, " ")
		if w, ok := want[name]; !ok {
			t.Errorf("%s: not in %s (run with -update)", line, countsFile)
		} else if w != line {
			t.Errorf("%s\nwas %s", line, w)
		}
	}
}

// countLine imports one document and says how many operations it has and
// how many tools were made: "name operations tools", or "name operations
// refused: reason".
func countLine(doc document) string {
	ops, err := operations(doc.Path)
	if err != nil {
		return fmt.Sprintf("%s - unreadable", doc.Name)
	}
	data, err := os.ReadFile(doc.Path)
	if err != nil {
		return fmt.Sprintf("%s %d unreadable", doc.Name, ops)
	}
	name := filepath.Base(doc.Path)
	d, diags := loader.Load(name, data, &loader.Options{ReadFile: dirReader(filepath.Dir(doc.Path)), SkipValidation: true, Isolate: true})
	if d == nil || diags.HasErrors() {
		return fmt.Sprintf("%s %d refused", doc.Name, ops)
	}
	res, diags := openapi.Import(d, &openapi.Options{Server: serverName, Section: &manifest.OpenAPI{Spec: name}})
	if res == nil || diags.HasErrors() {
		return fmt.Sprintf("%s %d refused", doc.Name, ops)
	}
	return fmt.Sprintf("%s %d %d", doc.Name, ops, len(res.Tools))
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
