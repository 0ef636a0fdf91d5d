package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"

	mcpreport "github.com/mcpgen/mcpgen/generator/report"
)

const surfaceV1 = `openapi: 3.0.3
info: {title: Notes, version: "1"}
servers: [{url: "https://notes.example.com"}]
paths:
  /notes:
    get:
      operationId: listNotes
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        "200":
          description: OK
          content: {application/json: {schema: {type: array, items: {type: string}}}}
  /notes/{id}:
    delete:
      operationId: deleteNote
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {"204": {description: gone}}
`

// surfaceV2 removes deleteNote, gives listNotes a required parameter and
// an optional one, and adds getNote.
const surfaceV2 = `openapi: 3.0.3
info: {title: Notes, version: "2"}
servers: [{url: "https://notes.example.com"}]
paths:
  /notes:
    get:
      operationId: listNotes
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: owner, in: query, required: true, schema: {type: string}}
        - {name: tag, in: query, schema: {type: string}}
      responses:
        "200":
          description: OK
          content: {application/json: {schema: {type: array, items: {type: string}}}}
  /notes/{id}:
    get:
      operationId: getNote
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: OK}}
`

const surfaceChanges = `Tool surface: 4 changes, 2 breaking
  ! delete_note: tool removed
    get_note: tool added
  ! list_notes: required argument "owner" added
    list_notes: optional argument "tag" added
`

// TestSurfaceChanges generates from a small document, changes it as its
// owner might, and checks what generate, generate --check and diff say,
// and their exit status, with and without --fail-on=breaking.
func TestSurfaceChanges(t *testing.T) {
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	work := t.TempDir()
	spec := filepath.Join(work, "notes.yaml")
	old := filepath.Join(work, "old.yaml")
	writeFile(t, spec, surfaceV1)
	writeFile(t, old, surfaceV1)
	dir := filepath.Join(work, "notes")
	code, stdout, stderr := mcpgen(t, "", "new", "notes", "--from", spec, "--out", dir)
	if code != 0 {
		t.Fatalf("new: exit %d\n%s", code, stderr)
	}
	const report = "\nReport: 2 tools from notes.yaml\n  tools/list: "
	if !strings.Contains(stdout, report) || !strings.Contains(stdout, "tokens (bytes/4)\n  largest: list_notes ") {
		t.Errorf("new: no report in its output:\n%s", stdout)
	}
	if code, stdout, _ := mcpgen(t, dir, "diff"); code != 0 || stdout != "Tool surface: no changes\n" {
		t.Errorf("diff right after new: exit %d, %q", code, stdout)
	}

	writeFile(t, filepath.Join(dir, "notes.yaml"), surfaceV2)
	for _, args := range [][]string{
		{"diff"},
		{"diff", "--from", old},
	} {
		code, stdout, stderr := mcpgen(t, dir, args...)
		if code != 0 || stdout != surfaceChanges {
			t.Errorf("%s: exit %d\n%s\nwant:\n%s\n%s", strings.Join(args, " "), code, stdout, surfaceChanges, stderr)
		}
		code, stdout, stderr = mcpgen(t, dir, append(args, "--fail-on=breaking")...)
		if code != 1 || stdout != surfaceChanges || !strings.Contains(stderr, "mcpgen diff: 2 breaking changes of the tool surface") {
			t.Errorf("%s --fail-on=breaking: exit %d, want 1\n%s\n%s", strings.Join(args, " "), code, stdout, stderr)
		}
	}

	code, _, stderr = mcpgen(t, dir, "generate", "--check", "--fail-on=breaking")
	if code != 1 || !strings.Contains(stderr, surfaceChanges) {
		t.Errorf("generate --check --fail-on=breaking: exit %d, want 1\n%s", code, stderr)
	}
	code, _, stderr = mcpgen(t, dir, "generate", "--fail-on=breaking")
	if code != 1 || !strings.Contains(stderr, "nothing was written") {
		t.Errorf("generate --fail-on=breaking: exit %d, want 1\n%s", code, stderr)
	}
	if code, _, _ := mcpgen(t, dir, "generate", "--check"); code != 1 {
		t.Errorf("generate --check after a refused generate: exit %d, want 1 (stale)", code)
	}

	// --report=json: the report alone on stdout, changes included.
	code, stdout, stderr = mcpgen(t, dir, "generate", "--report=json")
	if code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "updated   mcpgen.surface.yaml") || !strings.Contains(stderr, surfaceChanges) {
		t.Errorf("generate --report=json: the text is not on stderr:\n%s", stderr)
	}
	var r mcpreport.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, stdout)
	}
	if r.Tools.API != 2 || r.Breaking != 2 || len(r.Changes) != 4 {
		t.Errorf("report: %d API tools, %d breaking of %d changes; want 2, 2 of 4\n%s", r.Tools.API, r.Breaking, len(r.Changes), stdout)
	}
	validateReport(t, []byte(stdout))

	// Regenerated: the recorded surface is the new one.
	if code, stdout, _ := mcpgen(t, dir, "diff", "--fail-on=breaking"); code != 0 || stdout != "Tool surface: no changes\n" {
		t.Errorf("diff after generate: exit %d, %q", code, stdout)
	}
	if code, _, stderr := mcpgen(t, dir, "generate", "--check", "--fail-on=breaking"); code != 0 {
		t.Errorf("generate --check after generate: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := mcpgen(t, dir, "diff", "--fail-on=any"); code != 2 {
		t.Errorf("diff --fail-on=any: exit %d, want 2 (usage)\n%s", code, stderr)
	}
}

// validateReport checks a JSON report against schemas/report.schema.json.
func validateReport(t *testing.T, data []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "schemas", "report.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema jsonschema.Schema
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatalf("report.schema.json: %v", err)
	}
	resolved, err := schema.Resolve(nil)
	if err != nil {
		t.Fatalf("report.schema.json: %v", err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if err := resolved.Validate(v); err != nil {
		t.Errorf("the report does not match schemas/report.schema.json: %v\n%s", err, data)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
