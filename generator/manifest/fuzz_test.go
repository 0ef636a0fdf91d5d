package manifest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
)

// FuzzLoad: Load and Validate never panic and never hang, whatever the
// input. And what they accept, the rest of the world accepts too: the
// decoded manifest is valid against the manifest's JSON Schema, and the MCP
// SDK registers every tool without panicking.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"name: a\n---\nname: b\n",
		"name: [\n",
		"a: &a [*a]\n",
		"name: a\ntools: &t [*t]\n",
		"name: a\n<<: {title: x}\n",
		"name: a\n? [x]\n: y\n",
		"\tname: a\n",
		"name: a\nb: \xff\n",
		toolWith(`{type: object, properties: {x: {pattern: '(?!a)'}}}`),
		toolWith(`{type: object, properties: {a: {$ref: "#/$defs/a"}}, $defs: {a: {allOf: [{$ref: "#/$defs/a"}]}}}`),
		toolWith(`{type: object, properties: {a: {$ref: "#/$defs/n", default: {}}}, $defs: {n: {type: object, properties: {n: {$ref: "#/$defs/n"}}}}}`),
		toolWith(`{type: object, properties: {a: {type: integer, default: x, minLength: -1}}}`),
		toolWith(`{type: object, properties: {a: {type: string, x-mcp-header: A}, b: {type: string, x-mcp-header: a}}}`),
		toolWith(`&s {type: object, properties: {a: *s}}`),
		toolWith(`{type: object, x: ` + strings.Repeat("[", 1001) + strings.Repeat("]", 1001) + `}`),
		"name: a\nprompts:\n  - {name: p, arguments: [{name: x}], messages: [{role: user, text: '{{x}} {{ y }}'}]}\n",
		"name: a\nresources:\n  - {uri: 'x://%zz', name: n, text: t}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		file, diags := Load("f.yaml", data)
		if file == nil {
			if !diags.HasErrors() {
				t.Fatal("no File and no error")
			}
			return
		}
		vd := Validate(file)
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Fatalf("Load and Validate took %v", elapsed)
		}
		for _, d := range append(diags, vd...) {
			if d.Msg == "" || strings.Contains(d.Msg, "internal error") {
				t.Fatalf("bad diagnostic: %s", d)
			}
		}
		if diags.HasErrors() || vd.HasErrors() {
			return
		}
		if err := resolvedSchema(t).Validate(manifestJSON(t, file.Manifest)); err != nil {
			t.Fatalf("valid for mcpgen, invalid for the manifest schema: %v", err)
		}
		for _, tool := range file.Manifest.Tools {
			var out json.RawMessage
			if tool.OutputSchema != nil {
				out = tool.OutputSchema.JSON
			}
			if p := addTool(tool.InputSchema.JSON, out); p != nil {
				t.Fatalf("valid for mcpgen, but the MCP SDK panics: %v", p)
			}
			// A call with no arguments must not recurse forever.
			var s jsonschema.Schema
			if err := json.Unmarshal(tool.InputSchema.JSON, &s); err != nil {
				t.Fatal(err)
			}
			rs, err := s.Resolve(nil)
			if err != nil {
				t.Fatal(err)
			}
			_ = rs.Validate(map[string]any{})
		}
	})
}
