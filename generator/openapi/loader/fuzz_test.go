package loader

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// FuzzLoad feeds arbitrary documents to Load: it must not panic or hang,
// must return either a document or errors, and Pos must answer for any
// pointer. The seeds are the documents in testdata.
func FuzzLoad(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// Files a $ref may name: those of testdata/external, by the same names.
	files := map[string][]byte{}
	for _, name := range []string{"schemas/pet.yaml", "schemas/params.yaml", "common.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "external", name))
		if err != nil {
			f.Fatal(err)
		}
		files[name] = data
	}
	readFile := func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return b, nil
		}
		return nil, os.ErrNotExist
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, diags := Load("fuzz.yaml", data, &Options{ReadFile: readFile})
		if doc == nil {
			if !diags.HasErrors() {
				t.Fatalf("no document and no errors: %v", diags)
			}
			return
		}
		if diags.HasErrors() {
			t.Fatalf("a document and errors: %v", diags)
		}
		if doc.T == nil {
			t.Fatal("a document without T")
		}
		for _, op := range doc.Operations() {
			if p := doc.Pos(op.Pointer); p.File == "" {
				t.Fatalf("Pos(%s): no file", op.Pointer)
			}
		}
		for _, p := range []string{"#", "#/paths", "#/components/schemas/Pet/properties/name", "#/paths/~1pets/get/parameters/0/schema", "#/x/" + strings.Repeat("a/", 50)} {
			if pos := doc.Pos(p); pos.File == "" {
				t.Fatalf("Pos(%s): no file", p)
			}
		}
	})
}

// FuzzSameAsKin: whatever both Load and kin-openapi's loader accept, they
// must read as the same document. The seeds are the documents in testdata
// that name no other file.
func FuzzSameAsKin(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		if !strings.Contains(string(data), "swagger") {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _ := Load("fuzz.yaml", data, &Options{SkipValidation: true})
		if doc == nil || doc.Version == "2.0" {
			return
		}
		kin, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			return
		}
		got, err1 := json.Marshal(doc.T)
		want, err2 := json.Marshal(kin)
		if err1 != nil || err2 != nil {
			return // kin-openapi's values need not marshal (NaN, say)
		}
		if string(got) != string(want) {
			t.Fatalf("Load and kin-openapi differ on %q:\n got %s\nwant %s", data, got, want)
		}
	})
}
