package manifest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

var update = flag.Bool("update", false, "rewrite schemas/mcpgen.schema.json from the Go types")

const schemaFile = "../../schemas/mcpgen.schema.json"

// TestJSONSchemaFile keeps schemas/mcpgen.schema.json in step with the Go
// types: go test ./generator/manifest -update rewrites it.
func TestJSONSchemaFile(t *testing.T) {
	got := JSONSchema()
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("%v; run go test ./generator/manifest -update", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale; run go test ./generator/manifest -update", filepath.Clean(schemaFile))
	}
}

func TestJSONSchemaShape(t *testing.T) {
	got := JSONSchema()
	if !bytes.Equal(got, JSONSchema()) {
		t.Error("JSONSchema is not deterministic")
	}
	if !bytes.HasSuffix(got, []byte("}\n")) || !bytes.HasPrefix(got, []byte("{\n  ")) {
		t.Error("JSONSchema is not indented JSON with a final newline")
	}
	var s map[string]any
	if err := json.Unmarshal(got, &s); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     SchemaURL,
		"title":   "mcpgen manifest",
	} {
		if s[k] != want {
			t.Errorf("%s = %v, want %v", k, s[k], want)
		}
	}
	// Every object but the user's own schemas refuses unknown keys.
	defs := s["$defs"].(map[string]any)
	objects := map[string]any{"(root)": s}
	for name, d := range defs {
		objects[name] = d
	}
	for name, o := range objects {
		o := o.(map[string]any)
		if name == "Schema" || name == "ValueSchema" {
			if _, ok := o["additionalProperties"]; ok {
				t.Errorf("%s refuses keys: a schema may hold any keyword", name)
			}
			continue
		}
		if o["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties = %v, want false", name, o["additionalProperties"])
		}
	}
	// Descriptions with commas survive the struct tags.
	if !strings.Contains(string(got), `"Name of the server, sent to clients as serverInfo.name: letters, digits, '_', '-' and '.', at most 64 characters."`) {
		t.Error("a description with commas was cut at a comma")
	}
}

var (
	manifestSchemaOnce sync.Once
	manifestSchema     *jsonschema.Resolved
	manifestSchemaErr  error
)

// resolvedSchema is JSONSchema() resolved with jsonschema-go.
func resolvedSchema(t testing.TB) *jsonschema.Resolved {
	manifestSchemaOnce.Do(func() {
		var s jsonschema.Schema
		if manifestSchemaErr = json.Unmarshal(JSONSchema(), &s); manifestSchemaErr == nil {
			manifestSchema, manifestSchemaErr = s.Resolve(nil)
		}
	})
	if manifestSchemaErr != nil {
		t.Fatal(manifestSchemaErr)
	}
	return manifestSchema
}

// yamlToJSON is what an editor checks against the schema: the document as
// JSON, numbers and booleans as YAML reads them.
func yamlToJSON(t testing.TB, src []byte) any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	d := &decoder{
		file:      &File{values: map[string]diag.Pos{}, keys: map[string]diag.Pos{}, broken: map[string]bool{}},
		active:    map[*yaml.Node]bool{},
		jsonBytes: 1 << 30,
	}
	var buf bytes.Buffer
	if !d.writeJSON(&buf, doc.Content[0], "#") {
		t.Fatal(diagStrings(d.diags))
	}
	var v any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// manifestJSON is the decoded manifest as JSON.
func manifestJSON(t testing.TB, m *Manifest) any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSchemaAcceptsValidManifests: every manifest that loads and validates
// cleanly, here and in the golden tests, is valid against the schema, both
// as an editor sees it and as decoded.
func TestSchemaAcceptsValidManifests(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	golden, _ := filepath.Glob("../../golden/*/input/mcpgen.yaml")
	files = append(files, golden...)
	if len(files) < 2 {
		t.Fatalf("found only %v", files)
	}
	rs := resolvedSchema(t)
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, diags := Load(name, src)
			if diags.HasErrors() {
				t.Fatal(diagStrings(diags))
			}
			if vd := Validate(f); vd.HasErrors() {
				t.Fatal(diagStrings(vd))
			}
			if err := rs.Validate(yamlToJSON(t, src)); err != nil {
				t.Errorf("the schema rejects the file: %v", err)
			}
			if err := rs.Validate(manifestJSON(t, f.Manifest)); err != nil {
				t.Errorf("the schema rejects the decoded manifest: %v", err)
			}
		})
	}
}

// TestSchemaRejectsInvalidManifests: what Load or Validate rejects for its
// shape, the schema rejects too, so that editors flag it as it is typed.
func TestSchemaRejectsInvalidManifests(t *testing.T) {
	const tool = "name: a\ntools:\n  - name: t\n    description: d\n    inputSchema: {type: object}\n"
	for _, doc := range []string{
		"nmae: a\n",
		"name: a\nextra: 1\n",
		"name: my server\n",
		"name: " + strings.Repeat("s", 65) + "\n",
		"name: a\ntools: {}\n",
		"name: a\ntools:\n  - {name: t, inputSchema: {type: object}}\n",
		"name: a\ntools:\n  - {name: t, description: ' ', inputSchema: {type: object}}\n",
		"name: a\ntools:\n  - {name: t, description: d}\n",
		"name: a\ntools:\n  - {name: get pet, description: d, inputSchema: {type: object}}\n",
		"name: a\ntools:\n  - {name: " + strings.Repeat("x", 65) + ", description: d, inputSchema: {type: object}}\n",
		"name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: array}}\n",
		"name: a\ntools:\n  - {name: t, description: d, inputSchema: {properties: {}}}\n",
		"name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object}, outputSchema: {type: string}}\n",
		"name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object}, descripton: x}\n",
		tool + "    annotations: {readOnlyHint: yes}\n",
		tool + "    annotations: {readonly: true}\n",
		"name: a\nresources:\n  - {uri: help, name: h, text: t}\n",
		"name: a\nresources:\n  - {uri: 'x://a', name: h}\n",
		"name: a\nresources:\n  - {uri: 'x://a', name: h, text: t, mime: text/plain}\n",
		"name: a\nprompts:\n  - {name: p, messages: []}\n",
		"name: a\nprompts:\n  - {name: p q, messages: [{role: user, text: hi}]}\n",
		"name: a\nprompts:\n  - {name: p, messages: [{role: system, text: hi}]}\n",
		"name: a\nprompts:\n  - {name: p, messages: [{role: user}]}\n",
		"name: a\nprompts:\n  - {name: p, arguments: [{name: a b}], messages: [{role: user, text: hi}]}\n",
		"name: a\nprompts:\n  - {name: p, arguments: [{name: a, optional: true}], messages: [{role: user, text: hi}]}\n",
		"name: a\ntransports: [websocket]\n",
		"name: a\ntransports: [stdio, stdio]\n",
	} {
		t.Run(strings.ReplaceAll(doc, "\n", " "), func(t *testing.T) {
			f, diags := Load("m.yaml", []byte(doc))
			if f != nil {
				diags = append(diags, Validate(f)...)
			}
			if !diags.HasErrors() {
				t.Fatalf("mcpgen accepts it")
			}
			if resolvedSchema(t).Validate(yamlToJSON(t, []byte(doc))) == nil {
				t.Errorf("the schema accepts it; mcpgen says:\n%s", diagStrings(diags))
			}
		})
	}
}

// TestSchemaStricterOnScalars documents the one place where the schema and
// the loader differ on purpose: the loader takes `version: 1.0` as the
// string "1.0", while the schema, like any YAML tool, sees a number and
// asks for quotes.
func TestSchemaStricterOnScalars(t *testing.T) {
	doc := []byte("name: a\nversion: 1.0\n")
	f, diags := Load("m.yaml", doc)
	if len(diags) > 0 || f.Manifest.Version != "1.0" {
		t.Fatalf("Load: %+v\n%s", f.Manifest, diagStrings(diags))
	}
	if resolvedSchema(t).Validate(yamlToJSON(t, doc)) == nil {
		t.Error("the schema accepts a number as version")
	}
	if err := resolvedSchema(t).Validate(manifestJSON(t, f.Manifest)); err != nil {
		t.Errorf("the schema rejects the decoded manifest: %v", err)
	}
}
