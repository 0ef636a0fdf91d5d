package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// TestWrongType: a value of the wrong type is refused at its node, by JSON
// pointer, line and column, saying what the specification expects there.
func TestWrongType(t *testing.T) {
	const v3 = "openapi: 3.0.0\ninfo: {title: t, version: \"1\"}\n"
	const v31 = "openapi: 3.1.0\ninfo: {title: t, version: \"1\"}\n"
	const v2 = "swagger: \"2.0\"\ninfo: {title: t, version: \"1\"}\n"
	tests := []struct{ name, in, want string }{
		{"doc.yaml", v3 + "servers: 5\npaths: {}\n",
			`doc.yaml:3:10: #/servers: servers must be a list of server objects, not a number`},
		{"doc.json", `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","properties":{"a":5}}}}}}}}}}`,
			`doc.json:1:191: #/paths/~1a/get/responses/200/content/application~1json/schema/properties/a: entry "a" of properties must be a schema, not a number`},
		{"doc.yaml", v3 + "paths:\n  /a:\n    get:\n      parameters: [{name: b, in: query, schema: {type: string, minLength: -1}}]\n      responses: {}\n",
			`doc.yaml:6:75: #/paths/~1a/get/parameters/0/schema/minLength: minLength must be a non-negative integer, not a number`},
		{"doc.yaml", v3 + "paths:\n  /a:\n    get:\n      tags: [a, [b]]\n      responses: {}\n",
			`doc.yaml:6:17: #/paths/~1a/get/tags/1: item 1 of tags must be a string, not a list`},
		{"doc.yaml", v3 + "paths: {}\ncomponents:\n  schemas:\n    A: {type: [string]}\n    B: {required: yes}\n",
			`doc.yaml:7:19: #/components/schemas/B/required: required must be a list of strings, not a string`},
		{"doc.yaml", v31 + "paths: {}\ncomponents:\n  schemas:\n    A: {type: 5}\n",
			`doc.yaml:6:15: #/components/schemas/A/type: type must be a string or a list of strings, not a number`},
		{"doc.yaml", v3 + "paths: {}\ncomponents:\n  securitySchemes:\n    a: {type: oauth2, flows: {implicit: [1]}}\n",
			`doc.yaml:6:31: #/components/securitySchemes/a/flows/implicit: implicit must be an OAuth flow object, not a list`},
		{"doc.yaml", "openapi: 3.0.0\ninfo: {title: t, version: 1}\npaths: {}\n",
			`doc.yaml:2:27: #/info/version: version must be a string, not a number; write it in quotes: "1"`},
		// Swagger 2.0, which encoding/json decodes.
		{"doc.yaml", v2 + "schemes: 0\npaths: {}\n",
			`doc.yaml:3:10: #/schemes: schemes must be a list of strings, not a number`},
		{"doc.yaml", v2 + "paths:\n  /a:\n    get:\n      parameters: [{name: b, in: query, type: 7}]\n      responses: {\"200\": {description: ok}}\n",
			`doc.yaml:6:47: #/paths/~1a/get/parameters/0/type: type must be a string, not a number; write it in quotes: "7"`},
		{"doc.json", `{"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{},"definitions":{"A":{"properties":{"b":{"type":"string","maxLength":"5"}}}}}`,
			`doc.json:1:131: #/definitions/A/properties/b/maxLength: maxLength must be a non-negative integer, not a string`},
		{"doc.yaml", v2 + "paths:\n  /a:\n    get:\n      responses: {\"200\": {description: ok, headers: {X: 5}}}\n",
			`doc.yaml:6:57: #/paths/~1a/get/responses/200/headers/X: entry "X" of headers must be a header object, not a number`},
	}
	for _, tt := range tests {
		doc, diags := Load(tt.name, []byte(tt.in), nil)
		if doc != nil || len(diags) != 1 || diags[0].String() != tt.want {
			t.Errorf("Load(%q) = %v, %q;\nwant nil, %q", tt.in, doc != nil, diags, tt.want)
		}
	}
}

// TestFieldNamesAreCaseSensitive: in a Swagger 2.0 document, which
// encoding/json decodes matching keys to fields regardless of case, a key
// that differs from a field name only by case is no field: it is ignored,
// with a warning.
func TestFieldNamesAreCaseSensitive(t *testing.T) {
	for name, in := range map[string]string{
		"doc.yaml": "swagger: \"2.0\"\ninfo: {title: t, Version: \"1\", version: \"2\"}\nHOST: api.example.com\nSchemes: [https]\npaths:\n  /a:\n    get:\n      Summary: s\n      responses: {\"200\": {description: ok}}\n",
		"doc.json": "{\"swagger\": \"2.0\",\n\"info\": {\"title\": \"t\", \"Version\": \"1\", \"version\": \"2\"},\n\"HOST\": \"api.example.com\",\n\"Schemes\": [\"https\"],\n\"paths\": {\"/a\": {\"get\": {\n  \"Summary\": \"s\", \"responses\": {\"200\": {\"description\": \"ok\"}}}}}}\n",
	} {
		doc, diags := Load(name, []byte(in), &Options{SkipValidation: true})
		if doc == nil {
			t.Fatalf("%s: %v", name, diags)
		}
		var got []string
		for _, d := range diags {
			got = append(got, d.String())
		}
		col := map[string][4]int{"doc.yaml": {18, 1, 1, 7}, "doc.json": {24, 1, 1, 3}}[name]
		line := map[string][4]int{"doc.yaml": {2, 3, 4, 8}, "doc.json": {2, 3, 4, 6}}[name]
		want := []string{
			fmt.Sprintf(`%s:%d:%d: #/info/Version: warning: unknown field "Version" is ignored; field names are case-sensitive: did you mean "version"?`, name, line[0], col[0]),
			fmt.Sprintf(`%s:%d:%d: #/HOST: warning: unknown field "HOST" is ignored; field names are case-sensitive: did you mean "host"?`, name, line[1], col[1]),
			fmt.Sprintf(`%s:%d:%d: #/Schemes: warning: unknown field "Schemes" is ignored; field names are case-sensitive: did you mean "schemes"?`, name, line[2], col[2]),
			fmt.Sprintf(`%s:%d:%d: #/paths/~1a/get/Summary: warning: unknown field "Summary" is ignored; field names are case-sensitive: did you mean "summary"?`, name, line[3], col[3]),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: warnings\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(doc.T.Servers) != 0 {
			t.Errorf("%s: servers %v, from HOST, which is not host", name, doc.T.Servers[0].URL)
		}
		if doc.T.Info.Version != "2" {
			t.Errorf("%s: info.version %q, want \"2\"", name, doc.T.Info.Version)
		}
		if op := doc.Operations(); len(op) != 1 || op[0].Operation.Summary != "" {
			t.Errorf("%s: the operation's summary is set from Summary", name)
		}
	}
}

// TestWrongTypeFound replaces each node of the test documents in turn with
// a value of each other kind: whenever that makes the document unreadable,
// the error must name the node that does not fit, by its pointer, rather
// than fall back to the decoders' own words.
func TestWrongTypeFound(t *testing.T) {
	replacements := []yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!int", Value: "5"},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "s"},
		{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"},
		{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle},
		{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "k"}, {Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"}}},
	}
	refused, missed := 0, 0
	for _, file := range []string{"petstore.yaml", "v31.yaml", "swagger.yaml", "warnings.yaml", "cyclic.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			t.Fatal(err)
		}
		var nodes []*yaml.Node
		var pointers []string
		var collect func(n *yaml.Node, tokens []string)
		collect = func(n *yaml.Node, tokens []string) {
			for i, c := range n.Content {
				tokens := tokens[:len(tokens):len(tokens)]
				switch {
				case n.Kind == yaml.SequenceNode:
					tokens = append(tokens, strconv.Itoa(i))
				case i%2 == 1:
					tokens = append(tokens, n.Content[i-1].Value)
				default:
					continue
				}
				nodes, pointers = append(nodes, c), append(pointers, diag.Pointer(tokens...))
				collect(c, tokens)
			}
		}
		collect(root.Content[0], nil)
		for i, n := range nodes {
			saved := *n
			for _, r := range replacements {
				if r.Kind == saved.Kind && r.Tag == saved.Tag {
					continue
				}
				*n = r
				out, err := yaml.Marshal(&root)
				*n = saved
				if err != nil {
					t.Fatal(err)
				}
				doc, diags := Load(file, out, &Options{SkipValidation: true})
				if doc != nil {
					continue
				}
				refused++
				for _, d := range diags.Errors() {
					switch {
					case strings.Contains(d.Msg, "cannot read the document"):
						missed++
						t.Errorf("%s: not found by pointer: %s\n%s", file, d, out)
					case strings.Contains(d.Msg, " must be ") && d.Pointer != pointers[i] && !strings.HasPrefix(d.Pointer, pointers[i]+"/"):
						t.Errorf("%s: %s replaced, but the error is elsewhere: %s", file, pointers[i], d)
					}
				}
			}
		}
	}
	t.Logf("%d documents refused, %d without a pointer", refused, missed)
	if refused == 0 {
		t.Error("no document was refused")
	}
}

// TestFieldNamesAreCaseSensitiveV3: kin-openapi's decoding of OpenAPI 3
// matches keys by case already, and its validation reports the unknown
// ones; a key that is a field name in another case gets a warning that says
// so.
func TestFieldNamesAreCaseSensitiveV3(t *testing.T) {
	in := "openapi: 3.0.0\ninfo: {title: t, version: \"1\"}\nServers: [{url: 'https://a.example.com'}]\npaths:\n  /a:\n    get:\n      Summary: s\n      responses: {\"200\": {description: ok}}\n"
	doc, diags := Load("doc.yaml", []byte(in), nil)
	if doc == nil {
		t.Fatal(diags)
	}
	got := diags.Format(0)
	for _, want := range []string{
		`doc.yaml:3:1: #/Servers: warning: unknown field "Servers" is ignored; field names are case-sensitive: did you mean "servers"?`,
		`doc.yaml:7:7: #/paths/~1a/get/Summary: warning: unknown field "Summary" is ignored; field names are case-sensitive: did you mean "summary"?`,
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("no warning %q in\n%s", want, got)
		}
	}
	if len(doc.T.Servers) != 0 || doc.Operations()[0].Operation.Summary != "" {
		t.Errorf("Servers or Summary taken for servers or summary")
	}
}
