package manifest

import (
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// diagStrings formats diagnostics one a line, as the CLI prints them.
func diagStrings(l diag.List) string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func wantLines(lines ...string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadExample(t *testing.T) {
	f, diags := Load("mcpgen.yaml", readTestdata(t, "example.yaml"))
	if len(diags) > 0 {
		t.Fatalf("Load:\n%s", diagStrings(diags))
	}
	if d := Validate(f); len(d) > 0 {
		t.Fatalf("Validate:\n%s", diagStrings(d))
	}
	yes := true
	want := &Manifest{
		Name:    "my-server",
		Version: "0.1.0",
		Tools: []Tool{{
			Name:        "add",
			Title:       "Add",
			Description: "Add two numbers.",
			InputSchema: Schema{
				JSON:    json.RawMessage(`{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}`),
				Pointer: "#/tools/0/inputSchema",
			},
			OutputSchema: &Schema{
				JSON:    json.RawMessage(`{"type":"object","properties":{"sum":{"type":"number"}},"required":["sum"]}`),
				Pointer: "#/tools/0/outputSchema",
			},
			Annotations: &Annotations{ReadOnlyHint: &yes},
		}},
	}
	if !reflect.DeepEqual(f.Manifest, want) {
		got, _ := json.MarshalIndent(f.Manifest, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("manifest:\n%s\nwant:\n%s", got, w)
	}
	if f.Filename != "mcpgen.yaml" {
		t.Errorf("Filename = %q", f.Filename)
	}
}

func TestLoadFull(t *testing.T) {
	f, diags := Load("testdata/full.yaml", readTestdata(t, "full.yaml"))
	if len(diags) > 0 {
		t.Fatalf("Load:\n%s", diagStrings(diags))
	}
	if d := Validate(f); len(d) > 0 {
		t.Fatalf("Validate:\n%s", diagStrings(d))
	}
	m := f.Manifest
	no, yes := false, true
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"name", m.Name, "notes.server_2"},
		{"title", m.Title, "Notes"},
		{"version", m.Version, "1.0"},
		{"instructions", m.Instructions, "Keeps notes. Search before creating,\nso that notes are not duplicated.\n"},
		{"tools", len(m.Tools), 3},
		{"tool 0 name", m.Tools[0].Name, "create_note"},
		{"tool 0 title", m.Tools[0].Title, "Create a note"},
		{"tool 0 description", m.Tools[0].Description, "Create a note with a title, a body and tags."},
		{"tool 0 annotations", *m.Tools[0].Annotations, Annotations{Title: "Create", DestructiveHint: &no, IdempotentHint: &no}},
		{"tool 1 annotations", *m.Tools[1].Annotations, Annotations{ReadOnlyHint: &yes, OpenWorldHint: &no}},
		{"tool 2 output", m.Tools[2].OutputSchema, (*Schema)(nil)},
		{"tool 2 annotations", m.Tools[2].Annotations, (*Annotations)(nil)},
		{"tool 2 input", string(m.Tools[2].InputSchema.JSON), `{"type":"object"}`},
		{"tool 1 output pointer", m.Tools[1].OutputSchema.Pointer, "#/tools/1/outputSchema"},
		{"resources", m.Resources, []Resource{{
			URI: "notes://help", Name: "help", Title: "How to use the notes server", Description: "The manual.",
			MIMEType: "text/markdown; charset=utf-8",
			Text:     "# Notes\nCreate notes with create_note; find them with search-notes.\n",
		}}},
		{"prompts", m.Prompts, []Prompt{{
			Name: "summarize", Title: "Summarize", Description: "Summarize the notes on a topic.",
			Arguments: []PromptArgument{
				{Name: "topic", Description: "What to summarize.", Required: true},
				{Name: "style", Description: "Tone of the summary, e.g. brief."},
			},
			Messages: []PromptMessage{
				{Role: "user", Text: "Summarize my notes about {{topic}} in a {{style}} style."},
				{Role: "assistant", Text: "I will."},
			},
		}}},
		{"transports", m.Transports, []string{"streamable", "sse", "stdio"}},
		// Keys stay in the order written; numbers and null are JSON's.
		{"tool 0 input", string(m.Tools[0].InputSchema.JSON), `{"type":"object","properties":{` +
			`"title":{"type":"string","minLength":1,"maxLength":200,"description":"The note's title."},` +
			`"body":{"type":"string"},` +
			`"tags":{"type":"array","items":{"type":"string","pattern":"^[a-z0-9-]+$"},"maxItems":10,"uniqueItems":true},` +
			`"priority":{"type":"string","enum":["low","normal","high"],"default":"normal"},` +
			`"due":{"type":"string","format":"date-time","x-mcp-header":"Due-Date"},` +
			`"location":{"type":"object","properties":{"lat":{"type":"number","minimum":-90,"maximum":90},"lon":{"type":"number","minimum":-180,"maximum":180}},"required":["lat","lon"],"additionalProperties":false}},` +
			`"required":["title"],"additionalProperties":false}`},
		{"tool 1 filter", strings.Contains(string(m.Tools[1].InputSchema.JSON), `"archived":{"type":["boolean","null"],"default":null}`), true},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v\nwant %#v", c.name, c.got, c.want)
		}
	}
}

func TestPositions(t *testing.T) {
	f, diags := Load("testdata/full.yaml", readTestdata(t, "full.yaml"))
	if diags.HasErrors() {
		t.Fatal(diagStrings(diags))
	}
	for _, c := range []struct {
		ptr       string
		key       bool
		want      string
		rationale string
	}{
		{"#", false, "testdata/full.yaml:3:1", "the root mapping"},
		{"#/name", false, "testdata/full.yaml:3:7", ""},
		{"#/name", true, "testdata/full.yaml:3:1", "the key"},
		{"#/tools/0", false, "testdata/full.yaml:11:5", "a list item"},
		{"#/tools/0", true, "testdata/full.yaml:11:5", "a list item has no key: its value"},
		{"#/tools/0/inputSchema", false, "testdata/full.yaml:15:7", ""},
		{"#/tools/0/inputSchema/properties/title/maxLength", false, "testdata/full.yaml:17:56", "inside a schema"},
		{"#/tools/0/inputSchema/properties/title/maxLength", true, "testdata/full.yaml:17:45", ""},
		{"#/tools/0/inputSchema/properties/tags/items/pattern", false, "testdata/full.yaml:21:42", ""},
		{"#/tools/0/inputSchema/properties/priority/enum/2", false, "testdata/full.yaml:24:54", "a list item in a schema"},
		{"#/tools/1/inputSchema/$defs/node/patternProperties/^x-", true, "testdata/full.yaml:65:13", "a pattern written as a key"},
		{"#/tools/0/inputSchema/properties/nothing/here", false, "testdata/full.yaml:17:9", "missing: the nearest ancestor"},
		{"#/tools/0/inputSchema/properties/nothing", true, "testdata/full.yaml:17:9", ""},
		{"#/tools/9", false, "testdata/full.yaml:11:3", "missing item: the list"},
		{"#/prompts/0/messages/0/text", false, "testdata/full.yaml:97:15", ""},
		{"#/transports/2", false, "testdata/full.yaml:101:31", ""},
		{"", false, "testdata/full.yaml", "no pointer: the file"},
	} {
		pos := f.Pos(c.ptr)
		if c.key {
			pos = f.KeyPos(c.ptr)
		}
		if pos.String() != c.want {
			t.Errorf("Pos(%q, key %v) = %s, want %s (%s)", c.ptr, c.key, pos, c.want, c.rationale)
		}
	}
}

// TestStringsAsWritten: where a string is expected, a scalar YAML reads as
// a number, boolean or timestamp is taken as written.
func TestStringsAsWritten(t *testing.T) {
	src := "name: 2024\nversion: 1.10\ntitle: true\ninstructions: 2024-01-02\n"
	f, diags := Load("m.yaml", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diagStrings(diags))
	}
	m := f.Manifest
	if m.Name != "2024" || m.Version != "1.10" || m.Title != "true" || m.Instructions != "2024-01-02" {
		t.Errorf("manifest = %+v", m)
	}
	// Null leaves a field unset.
	f, diags = Load("m.yaml", []byte("name: a\ntitle:\ntools: ~\n"))
	if len(diags) > 0 || f.Manifest.Title != "" || f.Manifest.Tools != nil {
		t.Errorf("null: %+v %s", f.Manifest, diagStrings(diags))
	}
}

func TestLoadErrors(t *testing.T) {
	const tool = "  - name: t\n    description: d\n    inputSchema:\n"
	for _, c := range []struct {
		name, yaml string
		want       string
	}{
		{"empty", "", wantLines(
			"m.yaml: the manifest is empty; start with a line like: name: my-server")},
		{"comments only", "# nothing\n", wantLines(
			"m.yaml: the manifest is empty; start with a line like: name: my-server")},
		{"empty document", "---\n", wantLines(
			"m.yaml: the manifest is empty; start with a line like: name: my-server")},
		{"not a mapping", "- a\n- b\n", wantLines(
			"m.yaml:1:1: #: expected a mapping, got a list")},
		{"two documents", "name: a\n---\nname: b\n", wantLines(
			"m.yaml:2:1: the manifest holds more than one YAML document; remove the '---' line and what follows it")},
		{"unknown key", "name: a\nnmae: b\n", wantLines(
			`m.yaml:2:1: #/nmae: unknown key "nmae"; did you mean "name"?`)},
		{"unknown key, other spelling", "name: a\ntools:\n  - name: t\n    description: d\n    input_schema: {}\n", wantLines(
			`m.yaml:3:5: #/tools/0/inputSchema: missing required key "inputSchema"`,
			`m.yaml:5:5: #/tools/0/input_schema: unknown key "input_schema"; did you mean "inputSchema"?`)},
		{"unknown key, no match", "name: a\nzzzzzz: b\n", wantLines(
			`m.yaml:2:1: #/zzzzzz: unknown key "zzzzzz"; the keys here are name, title, version, instructions, tools, resources, resourceTemplates, prompts, openapi, auth, state, rateLimit, confirm, toolTimeout, telemetry, transports`)},
		{"duplicate key", "name: a\ntitle: x\nname: b\n", wantLines(
			`m.yaml:3:1: #/name: duplicate key "name" (first at line 1)`)},
		{"missing keys", "version: 1.0.0\nprompts:\n  - messages: []\n", wantLines(
			`m.yaml:1:1: #/name: missing required key "name"`,
			`m.yaml:3:5: #/prompts/0/name: missing required key "name"`)},
		{"wrong kinds", "name: [a]\ntools: {}\nprompts:\n  - {name: p, messages: [{role: user, text: {a: b}}], arguments: [{name: x, required: yes}]}\n", wantLines(
			"m.yaml:1:7: #/name: expected a string, got a list",
			"m.yaml:2:8: #/tools: expected a list, got a mapping",
			"m.yaml:4:45: #/prompts/0/messages/0/text: expected a string, got a mapping",
			`m.yaml:4:87: #/prompts/0/arguments/0/required: expected true or false, got the string "yes"`)},
		{"null list item", "name: a\ntools: [~]\n", wantLines(
			"m.yaml:2:9: #/tools/0: expected a mapping, got null")},
		{"tagged string", "name: !!binary aGk=\n", wantLines(
			"m.yaml:1:7: #/name: expected a string, got a !!binary value; remove the tag")},
		{"custom tag on a mapping", "name: a\nresources: !set {a: 1}\n", wantLines(
			"m.yaml:2:12: #/resources: unsupported YAML tag !set; remove the tag")},
		{"merge key", "name: a\ntools:\n  - <<: {name: t}\n    description: d\n    inputSchema: {type: object}\n", wantLines(
			`m.yaml:3:5: #/tools/0/<<: merge keys (<<) are not supported; write the keys out; an alias (*name) can stand for a whole value`,
			`m.yaml:3:5: #/tools/0/name: missing required key "name"`)},
		{"non-string keys", "name: a\n1: x\n? [a]\n: b\n", wantLines(
			`m.yaml:2:1: #/1: mapping key 1 is a number, not a string; quote it: "1"`,
			"m.yaml:3:3: #: mapping keys must be strings, got a list")},
		{"schema not a mapping", "name: a\ntools:\n" + tool + "      object\n", wantLines(
			`m.yaml:6:7: #/tools/0/inputSchema: expected a JSON Schema (a mapping), got the string "object"; a tool's schema is a mapping such as {type: object}`)},
		{"schema is true", "name: a\ntools:\n" + tool + "      true\n", wantLines(
			`m.yaml:6:7: #/tools/0/inputSchema: expected a JSON Schema (a mapping), got a boolean; a tool's schema is a mapping such as {type: object}`)},
		{"infinity in a schema", "name: a\ntools:\n" + tool + "      {type: object, maximum: .inf, minimum: -.Inf, multipleOf: .nan}\n", wantLines(
			"m.yaml:6:31: #/tools/0/inputSchema/maximum: .inf is not a JSON number; JSON has no infinity or NaN; leave the keyword out",
			"m.yaml:6:46: #/tools/0/inputSchema/minimum: -.Inf is not a JSON number; JSON has no infinity or NaN; leave the keyword out",
			"m.yaml:6:65: #/tools/0/inputSchema/multipleOf: .nan is not a JSON number; JSON has no infinity or NaN; leave the keyword out")},
		{"binary in a schema", "name: a\ntools:\n" + tool + "      {type: object, x: !!binary aGk=}\n", wantLines(
			"m.yaml:6:25: #/tools/0/inputSchema/x: YAML type !!binary has no JSON equivalent; remove the tag, or quote the value to make it a string")},
		{"timestamp in a schema", "name: a\ntools:\n" + tool + "      {type: object, properties: {d: {type: string, default: 2024-01-02}}}\n", wantLines(
			`m.yaml:6:62: #/tools/0/inputSchema/properties/d/default: 2024-01-02 is a YAML timestamp, which JSON has no type for; quote it to make it a string: "2024-01-02"`)},
		{"bad int in a schema", "name: a\ntools:\n" + tool + "      {type: object, maxLength: !!int x}\n", wantLines(
			`m.yaml:6:33: #/tools/0/inputSchema/maxLength: invalid number "x"`)},
		{"duplicate key in a schema", "name: a\ntools:\n" + tool + "      type: object\n      properties: {a: {}}\n      properties: {b: {}}\n", wantLines(
			`m.yaml:8:7: #/tools/0/inputSchema/properties: duplicate key "properties" (first at line 7)`)},
		{"non-string key in a schema", "name: a\ntools:\n" + tool + "      {type: object, properties: {200: {}, true: {}}}\n", wantLines(
			`m.yaml:6:35: #/tools/0/inputSchema/properties/200: mapping key 200 is a number, not a string; quote it: "200"`,
			`m.yaml:6:44: #/tools/0/inputSchema/properties/true: mapping key true is a boolean, not a string; quote it: "true"`)},
		{"merge key in a schema", "name: a\ntools:\n" + tool + "      <<: {type: object}\n", wantLines(
			`m.yaml:6:7: #/tools/0/inputSchema/<<: merge keys (<<) are not supported; write the keys out; an alias (*name) can stand for a whole value`)},
		{"alias to itself", "name: a\ntools:\n" + tool + "      &s {type: object, properties: {a: *s}}\n", wantLines(
			`m.yaml:6:41: #/tools/0/inputSchema/properties/a: alias *s refers to a node that contains it; an alias cannot repeat its own anchor's content`)},
		{"alias list to itself", "name: a\ntools: &t [*t]\n", wantLines(
			`m.yaml:2:12: #/tools/0: alias *t refers to a node that contains it; an alias cannot repeat its own anchor's content`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, diags := Load("m.yaml", []byte(c.yaml))
			if got := diagStrings(diags); got != c.want {
				t.Errorf("got:\n%swant:\n%s", got, c.want)
			}
		})
	}
}

// TestSyntaxErrors: the position is the one the YAML library gives with
// the error, with its column; where the input ends inside a construct, it
// is where the construct starts; for bad bytes, which the library locates
// by offset only, it is counted from the input.
func TestSyntaxErrors(t *testing.T) {
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"mapping in a scalar", "name: a\nb: c: d\n",
			"m.yaml:2:5: invalid YAML: mapping values are not allowed in this context"},
		{"first line", "a: b: c\n",
			"m.yaml:1:5: invalid YAML: mapping values are not allowed in this context"},
		{"parser error", "- a\nb: c\n",
			"m.yaml:2:1: invalid YAML: did not find expected '-' indicator"},
		{"unclosed flow", "name: a\ntools: [\n",
			"m.yaml:3:1: invalid YAML: did not find expected node content"},
		{"unclosed flow after an item", "a: [1, 2\n",
			"m.yaml:1:4: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence"},
		{"unclosed quote", "name: a\nx: \"abc\n",
			"m.yaml:2:4: invalid YAML: found unexpected end of stream while scanning a quoted scalar"},
		{"tab indentation", "name: demo\ntools:\n  - name: add\n\t  description: Indented with a tab.\n",
			"m.yaml:4:1: invalid YAML: found a tab character that violates indentation; indent with spaces: YAML does not allow tabs in indentation"},
		{"tab first", "\tname: a\n",
			"m.yaml:1:1: invalid YAML: found character that cannot start any token; indent with spaces: YAML does not allow tabs in indentation"},
		{"tab first after a byte order mark", "\ufeff\tname: a\n",
			"m.yaml:1:1: invalid YAML: found character that cannot start any token; indent with spaces: YAML does not allow tabs in indentation"},
		{"bad UTF-8", "name: a\nb: \xff\n",
			"m.yaml:2:4: invalid YAML: invalid leading UTF-8 octet (value: 255); save the file as UTF-8 text"},
		{"bad UTF-8 after a byte order mark", "\ufeffb: \xff\n",
			"m.yaml:1:4: invalid YAML: invalid leading UTF-8 octet (value: 255); save the file as UTF-8 text"},
		{"control character", "name: a\ntitle: é\x01\n",
			"m.yaml:2:9: invalid YAML: control characters are not allowed (value: 1); save the file as UTF-8 text"},
		{"column in characters", "é: b: c\n",
			"m.yaml:1:5: invalid YAML: mapping values are not allowed in this context"},
		{"unknown anchor", "name: a\nb: *nope\n",
			"m.yaml:2:4: invalid YAML: unknown anchor 'nope' referenced; define the anchor (&name) before the alias (*name) that uses it"},
		{"syntax error in a second document", "name: a\n---\nb: [\n",
			"m.yaml:4:1: invalid YAML: did not find expected node content"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, diags := Load("m.yaml", []byte(c.yaml))
			if f != nil {
				t.Errorf("Load returned a File for invalid YAML")
			}
			if got := diagStrings(diags); got != c.want+"\n" {
				t.Errorf("got:\n%swant:\n%s", got, c.want)
			}
		})
	}
}

func TestAliases(t *testing.T) {
	src := `name: a
tools:
  - &tool
    name: t
    description: d
    inputSchema:
      type: object
      properties:
        a: &num {type: number, minimum: 0}
        b: *num
    annotations: &ro {readOnlyHint: true}
  - name: u
    description: d
    inputSchema: {type: object}
    annotations: *ro
`
	f, diags := Load("m.yaml", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diagStrings(diags))
	}
	m := f.Manifest
	if want := `{"type":"object","properties":{"a":{"type":"number","minimum":0},"b":{"type":"number","minimum":0}}}`; string(m.Tools[0].InputSchema.JSON) != want {
		t.Errorf("schema = %s\nwant %s", m.Tools[0].InputSchema.JSON, want)
	}
	if a := m.Tools[1].Annotations; a == nil || a.ReadOnlyHint == nil || !*a.ReadOnlyHint {
		t.Errorf("annotations through an alias = %+v", a)
	}
	// The alias is where its value is; what it repeats is where that is written.
	if got := f.Pos("#/tools/0/inputSchema/properties/b").String(); got != "m.yaml:10:12" {
		t.Errorf("alias at %s", got)
	}
	if got := f.Pos("#/tools/0/inputSchema/properties/b/minimum").String(); got != "m.yaml:9:41" {
		t.Errorf("aliased node at %s", got)
	}
}

// TestLimits: alias bombs and deep nesting fail fast with an error.
func TestLimits(t *testing.T) {
	var doubling strings.Builder
	doubling.WriteString("name: a\ntools:\n  - name: t\n    description: d\n    inputSchema:\n      type: object\n      l0: &l0 [x, x]\n")
	for i := 1; i <= 40; i++ {
		doubling.WriteString("      l" + itoa(i) + ": &l" + itoa(i) + " [*l" + itoa(i-1) + ", *l" + itoa(i-1) + "]\n")
	}
	var fanout strings.Builder // few nodes, each a large string
	fanout.WriteString("name: a\ntools:\n  - name: t\n    description: d\n    inputSchema:\n      type: object\n      s: &s '" + strings.Repeat("x", 1<<20) + "'\n")
	fanout.WriteString("      l1: &l1 [" + strings.Repeat("*s, ", 9) + "*s]\n")
	for i := 2; i <= 6; i++ {
		fanout.WriteString("      l" + itoa(i) + ": &l" + itoa(i) + " [" + strings.Repeat("*l"+itoa(i-1)+", ", 9) + "*l" + itoa(i-1) + "]\n")
	}
	var repeated strings.Builder // a tool repeated by aliases repeats its schema
	repeated.WriteString("name: a\ntools:\n  - &t\n    name: t\n    description: d\n    inputSchema:\n      type: object\n      properties:\n")
	for i := range 2000 {
		repeated.WriteString("        p" + itoa(i) + ": {type: string}\n")
	}
	repeated.WriteString(strings.Repeat("  - *t\n", 1000))

	for _, c := range []struct {
		name, yaml, want string
	}{
		{"doubling", doubling.String(), "aliases expand the manifest by more than 100000 nodes"},
		{"fan-out", fanout.String(), "aliases expand the schemas beyond 16 MiB"},
		{"repeated tool", repeated.String(), "aliases expand the manifest by more than 100000 nodes"},
		{"deep", "name: a\ntools:\n  - name: t\n    description: d\n    inputSchema: {type: object, x: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "}\n", "the manifest nests more than 2000 levels deep"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The limits are counted, not timed: the diagnostic below proves
			// that expansion stopped at the limit (a timing check would fail
			// on a loaded machine, not on a regression).
			f, diags := Load("m.yaml", []byte(c.yaml))
			if f != nil {
				Validate(f)
			}
			if !strings.Contains(diagStrings(diags), c.want) {
				t.Errorf("diagnostics:\n%s\nwant one saying %q", diagStrings(diags), c.want)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestDecoderKinds runs the decoder on kinds the manifest types do not use
// yet: it decodes by json names into any such struct.
func TestDecoderKinds(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type kinds struct {
		I   int      `json:"i,omitempty"`
		I8  int8     `json:"i8,omitempty"`
		F   float64  `json:"f,omitempty"`
		P   *int     `json:"p,omitempty"`
		L   []int    `json:"l,omitempty"`
		S   *inner   `json:"s,omitempty"`
		In  inner    `json:"in,omitempty"`
		Sch *Schema  `json:"sch,omitempty"`
		Ign string   `json:"-"`
		Any []*inner `json:"any,omitempty"`
	}
	decode := func(src string) (kinds, string) {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatal(err)
		}
		f := &File{Filename: "k.yaml", values: map[string]diag.Pos{}, keys: map[string]diag.Pos{}, broken: map[string]bool{}}
		d := &decoder{file: f, active: map[*yaml.Node]bool{}, jsonBytes: 1 << 20}
		var k kinds
		d.decode(doc.Content[0], reflect.ValueOf(&k).Elem(), "#")
		d.diags.Sort()
		return k, diagStrings(d.diags)
	}
	k, diags := decode("i: 7\ni8: -3\nf: 1.5\np: 0x10\nl: [1, 2]\ns: {n: 1}\nin: {n: 2}\nsch: {type: object}\nany: [{n: 3}]\n")
	if diags != "" {
		t.Fatal(diags)
	}
	sixteen := 16
	want := kinds{I: 7, I8: -3, F: 1.5, P: &sixteen, L: []int{1, 2}, S: &inner{N: 1}, In: inner{N: 2},
		Sch: &Schema{JSON: json.RawMessage(`{"type":"object"}`), Pointer: "#/sch"}, Any: []*inner{{N: 3}}}
	if !reflect.DeepEqual(k, want) {
		t.Errorf("decoded %+v\nwant %+v", k, want)
	}
	_, diags = decode("i: 1.5\ni8: 300\nf: .inf\np: x\nl: [a]\ns: {}\nsch: {x: .nan}\nIgn: x\n")
	if want := wantLines(
		"k.yaml:1:4: #/i: expected an integer, got a number",
		"k.yaml:2:5: #/i8: integer 300 is out of range",
		"k.yaml:3:4: #/f: expected a finite number, got .inf",
		`k.yaml:4:4: #/p: expected an integer, got the string "x"`,
		`k.yaml:5:5: #/l/0: expected an integer, got the string "a"`,
		`k.yaml:6:4: #/s/n: missing required key "n"`,
		"k.yaml:7:10: #/sch/x: .nan is not a JSON number; JSON has no infinity or NaN; leave the keyword out",
		`k.yaml:8:1: #/Ign: unknown key "Ign"; did you mean "in"?`); diags != want {
		t.Errorf("got:\n%swant:\n%s", diags, want)
	}
}
