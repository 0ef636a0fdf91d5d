package manifest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"go.yaml.in/yaml/v3"

	"github.com/mcpgen/mcpgen/generator/diag"
)

var update = flag.Bool("update", false, "rewrite schemas/mcpgen.schema.json")

const good = `# yaml-language-server: $schema=https://raw.githubusercontent.com/mcpgen/mcpgen/main/schemas/mcpgen.schema.json
name: my-server
version: 1.0
tools:
  - name: add
    title: Add
    description: Add two numbers.
    inputSchema: {type: object, properties: {b: {type: number}, a: {type: number, default: 1}}, required: [b]}
    outputSchema: {type: object, properties: {sum: {type: number}}, required: [sum]}
    annotations: {readOnlyHint: true}
resources:
  - {uri: "docs://help", name: help, text: "Help."}
prompts:
  - name: hello
    arguments: [{name: who, required: true}]
    messages: [{role: user, text: "Say hello to {{who}}."}]
transports: [streamable, stdio]
`

func TestLoadGood(t *testing.T) {
	f, diags := Load("mcpgen.yaml", []byte(good))
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%s", diags.Format(0))
	}
	if d := Validate(f); len(d) > 0 {
		t.Fatalf("validate:\n%s", d.Format(0))
	}
	m := f.Manifest
	if m.Name != "my-server" || m.Version != "1.0" || len(m.Tools) != 1 || len(m.Transports) != 2 {
		t.Fatalf("manifest = %+v", m)
	}
	tool := m.Tools[0]
	if tool.Name != "add" || tool.Title != "Add" || tool.Description != "Add two numbers." {
		t.Errorf("tool = %+v", tool)
	}
	// Keys stay in source order: b before a.
	if want := `{"type":"object","properties":{"b":{"type":"number"},"a":{"type":"number","default":1}},"required":["b"]}`; string(tool.InputSchema.JSON) != want {
		t.Errorf("input schema = %s\nwant %s", tool.InputSchema.JSON, want)
	}
	if tool.InputSchema.Pointer != "#/tools/0/inputSchema" {
		t.Errorf("schema pointer = %q", tool.InputSchema.Pointer)
	}
	if tool.Annotations == nil || tool.Annotations.ReadOnlyHint == nil || !*tool.Annotations.ReadOnlyHint || tool.Annotations.DestructiveHint != nil {
		t.Errorf("annotations = %+v", tool.Annotations)
	}
	if r := m.Resources[0]; r.URI != "docs://help" || r.Text != "Help." {
		t.Errorf("resource = %+v", r)
	}
	if p := m.Prompts[0]; p.Arguments[0].Name != "who" || !p.Arguments[0].Required || p.Messages[0].Role != "user" {
		t.Errorf("prompt = %+v", p)
	}
	for ptr, want := range map[string]diag.Pos{
		"#/name":         {File: "mcpgen.yaml", Line: 2, Col: 7},
		"#/tools/0/name": {File: "mcpgen.yaml", Line: 5, Col: 11},
		"#/tools/0/inputSchema/properties/a/default": {File: "mcpgen.yaml", Line: 8, Col: 92},
		"#/tools/0/inputSchema/properties/a/missing": {File: "mcpgen.yaml", Line: 8, Col: 68},
		"#/tools/0/nothing/here":                     {File: "mcpgen.yaml", Line: 5, Col: 5},
		"#/prompts/0/messages/0/text":                {File: "mcpgen.yaml", Line: 16, Col: 35},
	} {
		if got := f.Pos(ptr); got != want {
			t.Errorf("Pos(%s) = %v, want %v", ptr, got, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"empty", "", []string{"mcpgen.yaml: the manifest is empty; start with a line like: name: my-server"}},
		{"comments only", "# nothing\n", []string{"mcpgen.yaml: the manifest is empty; start with a line like: name: my-server"}},
		{"not a mapping", "- a\n- b\n", []string{"mcpgen.yaml:1:1: #: expected a mapping, got a list"}},
		{"two documents", "name: a\n---\nname: b\n", []string{"mcpgen.yaml:2:1: the manifest holds more than one YAML document; remove the '---' separator and what follows"}},
		{"unknown key", "name: a\nnmae: b\n", []string{`mcpgen.yaml:2:1: #/nmae: unknown key "nmae"; did you mean "name"?`}},
		{"far unknown key", "name: a\nzzzzzz: b\n", []string{`mcpgen.yaml:2:1: #/zzzzzz: unknown key "zzzzzz"`}},
		{"duplicate key", "name: a\nname: b\n", []string{`mcpgen.yaml:2:1: #/name: duplicate key "name" (first at line 1)`}},
		{"missing name", "version: 1.0.0\n", []string{`mcpgen.yaml:1:1: #/name: missing required key "name"`}},
		{"wrong kind", "name: [a]\n", []string{"mcpgen.yaml:1:7: #/name: expected a string, got a list"}},
		{"tools not a list", "name: a\ntools: {}\n", []string{"mcpgen.yaml:2:8: #/tools: expected a list, got a mapping"}},
		{"bool", "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object}, annotations: {readOnlyHint: yes}}\n",
			[]string{`mcpgen.yaml:3:88: #/tools/0/annotations/readOnlyHint: expected true or false, got the string "yes"`}},
		{"schema not a mapping", "name: a\ntools:\n  - {name: t, description: d, inputSchema: object}\n",
			[]string{`mcpgen.yaml:3:44: #/tools/0/inputSchema: expected a JSON Schema (a mapping), got the string "object"`}},
		{"infinity in schema", "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object, maximum: .inf}}\n",
			[]string{"mcpgen.yaml:3:68: #/tools/0/inputSchema/maximum: .inf is not a JSON number"}},
		{"merge key", "base: &b {type: object}\nname: a\n", []string{`mcpgen.yaml:1:1: #/base: unknown key "base"; did you mean "name"?`}},
		{"merge key in schema", "name: a\ntools:\n  - name: t\n    description: d\n    inputSchema:\n      <<: {type: object}\n",
			[]string{"mcpgen.yaml:6:7: #/tools/0/inputSchema: merge keys (<<) are not supported; write the keys out, or use an alias for a whole value"}},
		{"binary in schema", "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object, x: !!binary aGk=}}\n",
			[]string{"mcpgen.yaml:3:62: #/tools/0/inputSchema/x: YAML type !!binary has no JSON equivalent; quote the value to make it a string"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := Load("mcpgen.yaml", []byte(tc.yaml))
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestAliasesAreFollowed(t *testing.T) {
	src := "name: a\nx: &num {type: number}\n"
	_, diags := Load("m.yaml", []byte(src))
	if len(diags) != 1 || !strings.Contains(diags[0].Msg, `unknown key "x"`) {
		t.Fatalf("diags = %v", diags)
	}
	src = "name: a\ntools:\n  - name: t\n    description: d\n    inputSchema:\n      type: object\n      properties:\n        a: &num {type: number}\n        b: *num\n"
	f, diags := Load("m.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags.Format(0))
	}
	if want := `{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}}}`; string(f.Manifest.Tools[0].InputSchema.JSON) != want {
		t.Errorf("schema = %s", f.Manifest.Tools[0].InputSchema.JSON)
	}
}

func TestAliasBomb(t *testing.T) {
	// Each level doubles the size: 2^30 nodes if expanded naively.
	var b strings.Builder
	b.WriteString("name: a\ntools:\n  - name: t\n    description: d\n    inputSchema:\n      type: object\n      l0: &l0 [x, x]\n")
	for i := 1; i <= 30; i++ {
		b.WriteString("      l" + itoa(i) + ": &l" + itoa(i) + " [*l" + itoa(i-1) + ", *l" + itoa(i-1) + "]\n")
	}
	_, diags := Load("bomb.yaml", []byte(b.String()))
	if !diags.HasErrors() || !strings.Contains(diags.Format(0), "expands to more than") {
		t.Errorf("diags = %s", diags.Format(0))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"bad server name", "name: my server\n", []string{`m.yaml:1:7: #/name: server name "my server" has invalid character " "; use letters, digits, '-', '_' and '.'`}},
		{"long tool name", "name: a\ntools:\n  - {name: " + strings.Repeat("x", 65) + ", description: d, inputSchema: {type: object}}\n",
			[]string{"m.yaml:3:12: #/tools/0/name: tool name is 65 characters long; the limit is 64; the MCP SDK allows 128, but popular clients break on names longer than 64"}},
		{"empty description", "name: a\ntools:\n  - {name: t, description: '', inputSchema: {type: object}}\n",
			[]string{`m.yaml:3:28: #/tools/0/description: tool "t" has no description; clients show it to the model, and the MCP conformance suite expects one`}},
		{"output not object", "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object}, outputSchema: {type: string}}\n",
			[]string{"m.yaml:3:74: #/tools/0/outputSchema: outputSchema must have type object; MCP tool structured results are JSON objects; the MCP SDK refuses any other schema at start-up"}},
		{"unknown type", "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object, properties: {x: {type: text}}}}\n",
			[]string{`m.yaml:3:82: #/tools/0/inputSchema/properties/x/type: unknown type "text"; use one of object, array, string, number, integer, boolean, null`}},
		{"external ref", "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object, properties: {x: {$ref: 'other.json#/a'}}}}\n",
			[]string{`m.yaml:3:82: #/tools/0/inputSchema/properties/x/$ref: $ref "other.json#/a" is not a local reference; external references are not supported; move the schema under $defs`}},
		{"pattern property", "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object, patternProperties: {'(?<=a)b': {}}}}\n",
			[]string{`m.yaml:3:90: #/tools/0/inputSchema/patternProperties/(?<=a)b: pattern "(?<=a)b" does not compile with Go's regexp: invalid named capture: ` + "`(?<=a)b`" + `; Go's regexp (RE2) has no lookaround or backreferences; rewrite the pattern`}},
		{"resource", "name: a\nresources:\n  - {uri: help, name: h, text: t, mimeType: 'text/'}\n  - {uri: 'x://a', name: '', text: t}\n  - {uri: 'x://a', name: b, text: t}\n",
			[]string{
				`m.yaml:3:11: #/resources/0/uri: resource URI "help" is not an absolute URI; give it a scheme, e.g. docs://help`,
				`m.yaml:3:45: #/resources/0/mimeType: invalid MIME type "text/"`,
				`m.yaml:4:26: #/resources/1/name: resource "x://a" has no name`,
				`m.yaml:5:11: #/resources/2/uri: duplicate resource URI "x://a" (first at line 4)`,
			}},
		{"prompt", "name: a\nprompts:\n  - name: p\n    arguments: [{name: x}, {name: x}]\n    messages: [{role: system, text: 'hi {{y}}'}]\n",
			[]string{
				`m.yaml:4:35: #/prompts/0/arguments/1/name: duplicate argument "x"`,
				`m.yaml:5:23: #/prompts/0/messages/0/role: role "system" is not user or assistant`,
				`m.yaml:5:37: #/prompts/0/messages/0/text: placeholder {{y}} names no argument of prompt "p"; declare it under arguments, or remove it`,
			}},
		{"undeclared required", "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object, properties: {a: {}}, required: [b]}}\n",
			[]string{`m.yaml:3:91: #/tools/0/inputSchema/required/0: warning: required property "b" is not declared under properties`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, diags := Load("m.yaml", []byte(tc.yaml))
			if diags.HasErrors() {
				t.Fatalf("load:\n%s", diags.Format(0))
			}
			var got []string
			for _, d := range Validate(f) {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestJSONSchema keeps schemas/mcpgen.schema.json in step with the Go
// types, and checks that the schema accepts what the loader accepts.
func TestJSONSchema(t *testing.T) {
	path := filepath.Join("..", "..", "schemas", "mcpgen.schema.json")
	got := JSONSchema()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run 'make schema' (go test ./generator/manifest -run TestJSONSchema -update)", path)
	}

	var s jsonschema.Schema
	if err := json.Unmarshal(got, &s); err != nil {
		t.Fatal(err)
	}
	resolved, err := s.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{good}
	for _, p := range []string{"../../golden/features/input/mcpgen.yaml", "../../golden/authless/input/mcpgen.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	for i, doc := range docs {
		// The schema wants strings quoted where YAML would read a number;
		// the loader is lenient there.
		doc = strings.Replace(doc, "version: 1.0\n", "version: '1.0'\n", 1)
		f, diags := Load("m.yaml", []byte(doc))
		if diags.HasErrors() {
			t.Fatal(diags.Format(0))
		}
		// The document as JSON, through the loader's own conversion.
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
			t.Fatal(err)
		}
		d := &decoder{file: &File{positions: map[string]diag.Pos{}}}
		raw, ok := d.json(root.Content[0], "#")
		if !ok {
			t.Fatal(d.diags.Format(0))
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		if err := resolved.Validate(v); err != nil {
			t.Errorf("document %d (%s) loads, but the schema rejects it: %v", i, f.Manifest.Name, err)
		}
	}
	// And the schema rejects an unknown key, as the loader does.
	var bad any
	json.Unmarshal([]byte(`{"name":"a","nmae":"b"}`), &bad)
	if resolved.Validate(bad) == nil {
		t.Error("the schema accepts an unknown key")
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object, properties: {x: {pattern: '(?!a)'}}}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("name: [\n"))
	f.Add([]byte("name: a\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, diags := Load("f.yaml", data)
		if file == nil {
			if !diags.HasErrors() {
				t.Fatal("no file and no error")
			}
			return
		}
		Validate(file)
	})
}
