package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	mcpreport "github.com/mcpgen/mcpgen/generator/report"
)

// TestExact: new --exact and generate --exact write the same project as
// without, and a document entry mcpgen's decoder declines is noted after
// the report, but not with --exact, which never uses that decoder.
func TestExact(t *testing.T) {
	dir := t.TempDir()
	// notAField is neither a field of a schema nor an extension: kin-openapi
	// keeps it, the typed decoder declines the schema.
	spec := `openapi: 3.0.3
info: {title: t, version: '1'}
servers: [{url: 'https://api.example.com'}]
paths:
  /items:
    get:
      operationId: listItems
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
components:
  schemas:
    Item: {type: object, notAField: 1, properties: {id: {type: string}}}
`
	if err := os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	const note = "note: mcpgen's decoder left 1 entry of the OpenAPI document to kin-openapi's (the same result, more slowly): #/components/schemas/Item"

	quick, exact := filepath.Join(dir, "quick"), filepath.Join(dir, "exact")
	code, stdout, stderr := mcpgen(t, "", "new", "s", "--from", filepath.Join(dir, "api.yaml"), "--out", quick)
	if code != 0 {
		t.Fatalf("mcpgen new: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, note) {
		t.Errorf("mcpgen new does not note the declined entry:\n%s", stdout)
	}
	code, stdout, stderr = mcpgen(t, "", "new", "s", "--from", filepath.Join(dir, "api.yaml"), "--out", exact, "--exact")
	if code != 0 {
		t.Fatalf("mcpgen new --exact: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stdout, "note: mcpgen's decoder") {
		t.Errorf("mcpgen new --exact notes a declined entry:\n%s", stdout)
	}
	if a, b := readTree(t, quick), readTree(t, exact); !sameTree(a, b) {
		t.Errorf("new and new --exact wrote different projects:\n%s\n%s", names(a), names(b))
	}

	code, _, stderr = mcpgen(t, exact, "generate", "--exact", "--check")
	if code != 0 {
		t.Fatalf("generate --exact --check in the project new --exact wrote: exit %d\n%s", code, stderr)
	}
	code, stdout, _ = mcpgen(t, quick, "generate", "--dry-run")
	if code != 0 || !strings.Contains(stdout, note) {
		t.Errorf("generate --dry-run: exit %d, without the note:\n%s", code, stdout)
	}

	// The JSON report lists the same, for CI; not with --exact.
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"generate", "--dry-run", "--report=json"}, []string{"#/components/schemas/Item"}},
		{[]string{"generate", "--dry-run", "--report=json", "--exact"}, nil},
	} {
		code, stdout, stderr = mcpgen(t, quick, tc.args...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", tc.args, code, stderr)
		}
		validateReport(t, []byte(stdout))
		var r mcpreport.Report
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		var got []string
		if r.Fallbacks != nil {
			got = r.Fallbacks.Declined
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: fallbacks %+v, want declined %q", tc.args, r.Fallbacks, tc.want)
		}
	}
}

// readTree reads every file under dir, by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameTree(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

func names(files map[string][]byte) string {
	return strings.Join(slices.Sorted(maps.Keys(files)), " ")
}
