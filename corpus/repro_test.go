package corpus

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReproductions holds the minimal documents of testdata/repro to
// FuzzImport's rule (no panic, no hang, clear errors, output that
// type-checks), in both modes. Each is a problem the corpus or the fuzzer
// found and that is not fixed yet; the comment at its top says what is
// expected. They fail until the importer is fixed, so -short, the quick
// tests, skips them; once fixed, a document moves to testdata/seed, where
// TestSeeds and FuzzImport keep it fixed.
func TestReproductions(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: testdata/repro holds importer problems that may not be fixed yet")
	}
	names, err := filepath.Glob(filepath.Join("testdata", "repro", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Skip("testdata/repro holds no open reproduction")
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, dynamic := range []bool{false, true} {
			t.Run(filepath.Base(name)+map[bool]string{false: "/static", true: "/dynamic"}[dynamic], func(t *testing.T) {
				checkGeneration(t, generateBytes(data, strings.HasSuffix(name, ".json"), dynamic, ""), data)
			})
		}
	}
}

// TestFieldNamesAreCaseSensitive: "HOST" in a Swagger 2.0 document is not
// "host" (field names are case-sensitive in both Swagger 2.0 and OpenAPI
// 3), so it must not become the API's base URL.
func TestFieldNamesAreCaseSensitive(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "seed", "swagger-key-case.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	g := generateBytes(data, false, false, "")
	checkGeneration(t, g, data)
	for p, content := range g.files() {
		if p != "openapi.yaml" && bytes.Contains(content, []byte("api.example.com")) {
			t.Errorf("%s uses api.example.com, from the document's HOST key, which is not host", p)
		}
	}
}
