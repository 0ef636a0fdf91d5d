package loader

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/internal/testkit"
)

// TestCorpus loads every document of @readme/oas-examples (`make
// testdata-corpus` fetches it into .cache/): real OpenAPI 3.0, 3.1 and
// Swagger 2.0 documents, JSON and YAML. Each must load to the document
// kin-openapi builds, and each operation's position must be where its
// method is written.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 129 documents twice")
	}
	files := corpusFiles(t)
	if len(files) == 0 {
		t.Skip("@readme/oas-examples is not in .cache/; run `make testdata-corpus` to fetch it")
	}
	if len(files) < 100 {
		t.Fatalf("%d documents in the corpus; expected over 100", len(files))
	}
	ops := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		doc, diags := Load(file, data, &Options{ReadFile: dirReader(filepath.Dir(file))})
		if doc == nil {
			t.Errorf("%s: %v", file, diags)
			continue
		}

		var want []byte
		if doc.Version == "2.0" {
			want = kinLoad(t, file)
		} else {
			l := openapi3.NewLoader()
			l.IsExternalRefsAllowed = true
			kin, err := l.LoadFromFile(file)
			if err != nil {
				t.Errorf("%s: Load loads it, kin-openapi does not: %v", file, err)
				continue
			}
			if want, err = json.Marshal(kin); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := json.Marshal(doc.T); err != nil || string(got) != string(want) {
			t.Errorf("%s: Load and kin-openapi differ (%v)", file, err)
		}
		// The check that names a node of the wrong type is no stricter than
		// kin-openapi: it finds nothing in a document kin-openapi reads.
		if m := shapeMismatchIn(t, data, doc.Version == "2.0"); m != "" {
			t.Errorf("%s: kin-openapi reads it, but %s", file, m)
		}

		lines := strings.Split(string(data), "\n")
		for _, op := range doc.Operations() {
			ops++
			pos := doc.Pos(op.Pointer)
			if pos.File != file || pos.Line < 1 || pos.Line > len(lines) {
				t.Errorf("%s: Pos(%s) = %s", file, op.Pointer, pos)
				continue
			}
			text, m := []rune(lines[pos.Line-1]), strings.ToLower(op.Method)
			if pos.Col < 1 || pos.Col > len(text) {
				t.Errorf("%s: Pos(%s) = %s, past the end of the line", file, op.Pointer, pos)
				continue
			}
			if rest := string(text[pos.Col-1:]); !strings.HasPrefix(rest, m+":") && !strings.HasPrefix(rest, `"`+m+`"`) {
				t.Errorf("%s: Pos(%s) = %s, where the text is %q", file, op.Pointer, pos, rest)
			}
		}
	}
	t.Logf("%d documents, %d operations", len(files), ops)
}

// shapeMismatchIn returns what shapeCheck finds in data, or "".
func shapeMismatchIn(t testing.TB, data []byte, swagger bool) string {
	t.Helper()
	root, err := parse(data, true)
	if err != nil {
		t.Fatal(err)
	}
	if m := shapeCheck(root, swagger, false).first; m != nil {
		return fmt.Sprintf("%s: %s", diag.Pointer(m.tokens...), m.reason())
	}
	return ""
}

// corpusFiles lists the documents of @readme/oas-examples, or none when
// `make testdata-corpus` has not fetched it into .cache/.
func corpusFiles(t testing.TB) []string {
	return testkit.OASExamples(t, filepath.Join("..", "..", ".."))
}

// testdataFiles lists the documents in testdata, those that do not parse
// included.
func testdataFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("testdata", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(p); !e.IsDir() && (ext == ".json" || ext == ".yaml") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
