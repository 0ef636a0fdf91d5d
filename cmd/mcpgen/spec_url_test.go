package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const notesV1 = `openapi: 3.0.3
info: {title: Notes, version: "1"}
servers: [{url: "https://notes.example.com"}]
paths:
  /notes:
    get:
      operationId: list_notes
      responses: {"200": {description: ok}}
`

const notesV2 = notesV1 + `    post:
      operationId: add_note
      responses: {"201": {description: created}}
`

// TestFromURL creates a project from a document served over HTTP (on a
// loopback port), checks that it is copied in and its URL recorded, that a
// plain generate never fetches, and that generate --fetch does.
func TestFromURL(t *testing.T) {
	t.Setenv("MCPGEN_RUNTIME_DIR", "none")
	var doc atomic.Value
	doc.Store(notesV1)
	var fetches atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/specs/notes.yaml" {
			http.NotFound(w, r)
			return
		}
		fetches.Add(1)
		w.Write([]byte(doc.Load().(string)))
	}))
	defer api.Close()
	url := api.URL + "/specs/notes.yaml"

	dir := filepath.Join(t.TempDir(), "notes")
	code, out, stderr := mcpgen(t, "", "new", "notes", "--from", url, "--out", dir)
	if code != 0 {
		t.Fatalf("new --from URL: exit %d\n%s%s", code, out, stderr)
	}
	if got := readString(t, filepath.Join(dir, "notes.yaml")); got != notesV1 {
		t.Errorf("the project's notes.yaml is\n%s\nwant the served document", got)
	}
	manifest := readString(t, filepath.Join(dir, "mcpgen.yaml"))
	if !strings.Contains(manifest, "  spec: notes.yaml\n") || !strings.Contains(manifest, `  source: "`+url+`"`) {
		t.Errorf("mcpgen.yaml does not name the file and the URL:\n%s", manifest)
	}
	if !strings.Contains(readString(t, filepath.Join(dir, "api_gen.go")), "ListNotes") {
		t.Error("api_gen.go has no list_notes tool")
	}

	doc.Store(notesV2)
	before := fetches.Load()
	if code, out, stderr := mcpgen(t, dir, "generate"); code != 0 || fetches.Load() != before {
		t.Fatalf("generate: exit %d, %d fetches (want none)\n%s%s", code, fetches.Load()-before, out, stderr)
	}
	if code, _, stderr := mcpgen(t, dir, "generate", "--fetch", "--check"); code != 2 || !strings.Contains(stderr, "cannot be combined") {
		t.Errorf("generate --fetch --check: exit %d, %s; want a usage error", code, stderr)
	}
	code, out, stderr = mcpgen(t, dir, "generate", "--fetch")
	if code != 0 || !strings.Contains(out, "fetched   notes.yaml (") || !strings.Contains(out, "updated   api_gen.go") {
		t.Fatalf("generate --fetch: exit %d\n%s%s", code, out, stderr)
	}
	if got := readString(t, filepath.Join(dir, "notes.yaml")); got != notesV2 {
		t.Errorf("after --fetch notes.yaml is\n%s\nwant the new document", got)
	}
	if !strings.Contains(readString(t, filepath.Join(dir, "api_gen.go")), "AddNote") {
		t.Error("after --fetch, api_gen.go has no add_note tool")
	}
}

// TestFromURLErrors checks what a bad URL, a missing document, one too
// large and a fetched document with external files say, and that nothing
// is written.
func TestFromURLErrors(t *testing.T) {
	t.Setenv("MCPGEN_RUNTIME_DIR", "none")
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/external.yaml":
			w.Write([]byte(strings.Replace(notesV1, `responses: {"200": {description: ok}}`,
				`responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "./schemas.yaml#/Note"}}}}}`, 1)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer api.Close()
	for _, tc := range []struct{ from, want string }{
		{api.URL + "/missing.yaml", "404 Not Found"},
		{api.URL + "/external.yaml", "mcpgen fetches only the document itself"},
	} {
		dir := filepath.Join(t.TempDir(), "x")
		code, out, stderr := mcpgen(t, "", "new", "x", "--from", tc.from, "--out", dir, "--strict")
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("new --from %s: exit %d, stderr %q; want an error saying %q\n%s", tc.from, code, stderr, tc.want, out)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("new --from %s wrote %s", tc.from, dir)
		}
	}

	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("#", 2<<20)))
	}))
	defer big.Close()
	if _, _, err := fetchSpec(t.Context(), big.URL+"/big.yaml", 1<<20); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("fetching 2 MiB with a 1 MiB limit: %v", err)
	}
	if _, _, err := fetchSpec(t.Context(), "ftp://example.com/x.yaml", 1<<20); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
		t.Errorf("fetching ftp://: %v", err)
	}
	name, _, err := fetchSpec(t.Context(), big.URL+"/download?id=3", 4<<20)
	if err != nil || name != "openapi.yaml" {
		t.Errorf("a URL without a file name: %q, %v; want openapi.yaml", name, err)
	}
}
