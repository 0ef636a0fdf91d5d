package loader

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// entryNodes returns the jobs of the document data as the loader makes them,
// each with its node: for JSON, the entries parseJSONSplit leaves as text,
// parsed as runJobs parses them; for YAML, split's entries of the parsed
// tree.
func entryNodes(tb testing.TB, data []byte) []job {
	tb.Helper()
	if isJSON(data) {
		_, jobs, _, _, err := parseJSONSplit(string(data))
		if err != nil {
			tb.Fatal(err)
		}
		var p jsonParser
		for i := range jobs {
			j := &jobs[i]
			if j.node, err = p.parseRange(j.src, j.start, j.end); err != nil {
				tb.Fatal(err)
			}
		}
		return jobs
	}
	root, err := parseYAML(data)
	if err != nil {
		tb.Fatal(err)
	}
	_, jobs, _, _ := split(root)
	return jobs
}

// kinDecode decodes n as runJobs does without the fast path.
func kinDecode(section string, n *yaml.Node) (any, error) {
	var v any
	if section == "paths" {
		v = new(openapi3.PathItem)
	} else {
		v = componentKinds[section]()
	}
	return v, n.Decode(v)
}

// checkFast decodes n both ways and fails t if the fast path accepts n but
// decodes it differently from kin-openapi, or kin-openapi refuses it. It
// reports whether the fast path accepted it.
func checkFast(t testing.TB, what, section string, n *yaml.Node) bool {
	t.Helper()
	got, _, _, ok := fastDecode(section, n)
	want, err := kinDecode(section, n)
	if !ok {
		return false
	}
	if err != nil {
		t.Errorf("%s: the fast path decodes what kin-openapi refuses (%v)", what, err)
		return true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the fast path and kin-openapi differ: %s", what, newGraph().diff(reflect.ValueOf(got), reflect.ValueOf(want), ""))
	}
	return true
}

// fastShare checks every entry of the documents in files, and returns how
// many entries there were and how many the fast path took.
func fastShare(t *testing.T, files []string) (entries, accepted int) {
	t.Helper()
	declined := map[string]int{} // by section, for the log
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range entryNodes(t, data) {
			entries++
			if checkFast(t, file+": "+j.section+"/"+j.key, j.section, j.node) {
				accepted++
			} else {
				declined[j.section]++
			}
		}
	}
	if len(declined) > 0 {
		t.Logf("declined, by section: %v", declined)
	}
	return entries, accepted
}

func logShare(t *testing.T, what string, entries, accepted int) float64 {
	t.Helper()
	share := 0.0
	if entries > 0 {
		share = float64(accepted) / float64(entries)
	}
	t.Logf("%s: the fast path decodes %d of %d entries (%.1f%%)", what, accepted, entries, 100*share)
	return share
}

// TestFastDecodeTestdata: for every entry of every document in testdata,
// the fast path decodes what kin-openapi does, or declines.
func TestFastDecodeTestdata(t *testing.T) {
	files := testdataFiles(t)
	// Those the loader cannot parse have no entries to decode.
	var parsed []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parse(data, false); err == nil {
			parsed = append(parsed, f)
		}
	}
	entries, accepted := fastShare(t, parsed)
	if share := logShare(t, "testdata", entries, accepted); share < 0.7 {
		t.Errorf("the fast path declines most entries of testdata")
	}
}

// TestFastDecodeCorpus is TestFastDecodeTestdata for the documents of
// @readme/oas-examples (see TestCorpus).
func TestFastDecodeCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 129 documents twice")
	}
	files := corpusFiles(t)
	if len(files) == 0 {
		t.Skip("@readme/oas-examples is not in .cache/; run `make testdata-corpus` to fetch it")
	}
	entries, accepted := fastShare(t, files)
	if share := logShare(t, "corpus", entries, accepted); share < 0.9 {
		t.Errorf("the fast path declines more of the corpus than it used to")
	}
}

// TestFastDecodeGitHub is TestFastDecodeTestdata for GitHub's description,
// nearly all of which the fast path must take, as it is what the fast path
// is for.
func TestFastDecodeGitHub(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 13 MB document twice")
	}
	path, data := githubSpec(t)
	entries, accepted := fastShare(t, []string{path})
	if share := logShare(t, "GitHub", entries, accepted); share < 0.95 {
		t.Errorf("the fast path takes under 95%% of GitHub's entries")
	}

	// And written as YAML (see TestGitHubYAML), whose parser tags and
	// styles its scalars its own way.
	file := filepath.Join(t.TempDir(), "api.github.com.yaml")
	if err := os.WriteFile(file, asYAML(t, data), 0o666); err != nil {
		t.Fatal(err)
	}
	entries, accepted = fastShare(t, []string{file})
	if share := logShare(t, "GitHub as YAML", entries, accepted); share < 0.95 {
		t.Errorf("the fast path takes under 95%% of GitHub's entries written as YAML")
	}
}

// TestFastDecodeDeclines: what the fast path cannot decode exactly it
// leaves to kin-openapi, which decodes it, or refuses it.
func TestFastDecodeDeclines(t *testing.T) {
	tests := []struct{ section, doc string }{
		{"schemas", `{type: object, foo: 1}`},                    // an unknown key
		{"schemas", `{$ref: "#/a", description: d}`},             // a $ref with a sibling
		{"schemas", `{$ref: "#/a", x-a: 1}`},                     // an extension next to $ref
		{"parameters", `{$ref: "#/a", x-a: 1}`},                  //
		{"schemas", `{$ref: 1}`},                                 // a $ref that is not one
		{"schemas", `{$ref: ""}`},                                //
		{"schemas", `{type: string, type: integer}`},             // a repeated key
		{"schemas", `{properties: {a: {}, a: {}}}`},              //
		{"schemas", "a: &a {type: string}\nproperties: {b: *a}"}, // an alias
		{"schemas", "<<: {type: string}"},                        // a merge key
		{"schemas", `{type: !custom string}`},                    // a tag
		{"schemas", `{maxLength: 0x10}`},                         // numbers
		{"schemas", `{maxLength: 1_000}`},                        //
		{"schemas", `{maxLength: -1}`},                           //
		{"schemas", `{maxLength: 1.5}`},                          //
		{"schemas", `{maxLength: 18446744073709551616}`},         //
		{"schemas", `{minimum: 1e400}`},                          //
		{"schemas", `{minimum: .5}`},                             //
		{"schemas", `{minimum: "1"}`},                            //
		{"schemas", `{example: .inf}`},                           //
		{"schemas", `{nullable: yes}`},                           // a string in a bool
		{"schemas", `{nullable: "true"}`},                        //
		{"schemas", `{title: 1}`},                                // a number in a string
		{"schemas", `{title: null}`},                             // a null
		{"schemas", `{items: null}`},                             //
		{"schemas", `{required: [a, null]}`},                     //
		{"schemas", `{required: a}`},                             // the wrong kind
		{"schemas", `{properties: []}`},                          //
		{"schemas", `{items: true}`},                             // a boolean schema
		{"schemas", `{additionalProperties: "yes"}`},             //
		{"schemas", `{exclusiveMinimum: "yes"}`},                 //
		{"schemas", `{type: 1}`},                                 //
		{"schemas", `{type: [string, 1]}`},                       //
		{"schemas", `{discriminator: {mapping: {a: 1}}}`},        //
		{"paths", `{get: {responses: null}}`},                    // an explicitly null responses
		{"paths", `{query: {}}`},                                 // OpenAPI 3.2
		{"paths", `{get: {tags: [1]}}`},                          //
		{"paths", `{get: {security: [{a: b}]}}`},                 //
		{"responses", `{content: {a/b: {itemSchema: {}}}}`},      //
		{"responses", `{description: d, summary: s}`},            //
		{"examples", `{value: {1: a}}`},                          // a key that is not a string
		{"examples", `{value: !!binary aGk=}`},                   //
		{"examples", `{value: 2001-12-14}`},                      // a timestamp
		{"examples", `{value: {a: 1, a: 2}}`},                    //
		{"securitySchemes", `{flows: {implicit: {scopes: {a: 1}}}}`},
	}
	for _, tt := range tests {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(tt.doc), &doc); err != nil {
			t.Fatalf("%s: %v", tt.doc, err)
		}
		if _, _, _, ok := fastDecode(tt.section, doc.Content[0]); ok {
			t.Errorf("%s %s: the fast path takes it", tt.section, tt.doc)
		}
	}

	// A tag spelled in full, which yaml reads but kin-openapi refuses in a
	// string field; the parser writes it short, so the node is made here.
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "title"},
		{Kind: yaml.ScalarNode, Tag: "tag:yaml.org,2002:str", Value: "t"},
	}}
	if _, _, _, ok := fastDecode("schemas", n); ok {
		t.Errorf("the fast path takes a tag spelled in full")
	}
	if _, err := kinDecode("schemas", n); err == nil {
		t.Errorf("kin-openapi takes a tag spelled in full; the fast path may too")
	}
}

// TestFastDecodeTakes: the shapes real documents have, each decoded as
// kin-openapi decodes it, empty collections and numbers included.
func TestFastDecodeTakes(t *testing.T) {
	tests := []struct{ section, doc string }{
		{"schemas", `{}`},
		{"schemas", `{$ref: "#/components/schemas/A"}`},
		{"schemas", `{type: object, properties: {}, required: [], allOf: [], enum: [], additionalProperties: {}}`},
		{"schemas", `{type: [string, "null"], enum: [1, 1.5, -0, "a", null, true, {}, [], {a: [1]}]}`},
		{"schemas", `{minimum: 1, maximum: 1.5e3, multipleOf: 18446744073709551615, minLength: 2.0, maxLength: 3, exclusiveMinimum: true, exclusiveMaximum: 4}`},
		{"schemas", `{minimum: -0, maximum: -0.0, default: 12345678901234567890123}`},
		{"schemas", `{additionalProperties: false, unevaluatedProperties: {type: string}, x-a: {b: [1, {c: null}]}, x-b: []}`},
		{"schemas", `{discriminator: {propertyName: t, mapping: {a: "#/a"}}, xml: {name: n, wrapped: true}, externalDocs: {url: u}}`},
		{"schemas", `{items: {$ref: "#/a"}, not: {}, oneOf: [{$ref: "#/a"}, {type: string}]}`},
		{"schemas", `{const: 1, examples: [1, a], $comment: c, if: {}, then: {}, else: {}, prefixItems: [{}], dependentRequired: {a: [b]}}`},
		{"parameters", `{$ref: "#/a", summary: s, description: d}`},
		{"parameters", `{name: n, in: query, explode: false, schema: {type: string}, example: 1, examples: {}, content: {}}`},
		{"headers", `{description: d, schema: {type: integer}, x-a: 1}`},
		{"requestBodies", `{content: {}, required: true}`},
		{"responses", `{description: "", headers: {}, content: {a/b: {encoding: {}, examples: {e: {value: 1}}}}, links: {}}`},
		{"examples", `{value: {a: 1}, summary: s}`},
		{"links", `{operationId: o, parameters: {}, requestBody: 1, server: {url: u, variables: {}}}`},
		{"securitySchemes", `{type: oauth2, flows: {implicit: {authorizationUrl: u, scopes: {}}}}`},
		{"callbacks", `{"{$url}": {post: {responses: {}}}, x-a: 1}`},
		{"callbacks", `{}`},
		{"paths", `{get: {responses: {}}, parameters: [], servers: []}`},
		{"paths", `{get: {responses: {x-a: 1, "200": {description: ok}}, security: [], servers: [], tags: [], callbacks: {}}}`},
		{"paths", `{get: {security: [{}, {a: []}, {b: [c]}], parameters: [{$ref: "#/a"}]}}`},
		{"paths", `{$ref: "#/a", summary: s, x-a: null}`},
	}
	for _, tt := range tests {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(tt.doc), &doc); err != nil {
			t.Fatalf("%s: %v", tt.doc, err)
		}
		if !checkFast(t, tt.doc, tt.section, doc.Content[0]) {
			t.Errorf("%s %s: the fast path declines it", tt.section, tt.doc)
		}
		// And written as JSON, as the loader parses JSON.
		var v any
		if err := doc.Decode(&v); err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", tt.doc, err)
		}
		n, err := parseJSON(data, false)
		if err != nil {
			t.Fatal(err)
		}
		if !checkFast(t, string(data), tt.section, n) {
			t.Errorf("%s %s: the fast path declines it", tt.section, data)
		}
	}
}

// fastSections are the sections FuzzFastDecode picks from.
var fastSections = []string{"paths", "schemas", "parameters", "headers", "requestBodies", "responses", "securitySchemes", "examples", "links", "callbacks"}

// FuzzFastDecode feeds entries, JSON or YAML, to the fast path as an entry
// of any section: it must not panic, and what it accepts it must decode as
// kin-openapi does. The seeds are the entries of the documents in testdata.
func FuzzFastDecode(f *testing.F) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatal(err)
	}
	more, _ := filepath.Glob("testdata/external/*.yaml")
	for _, file := range append(files, more...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := parse(data, false); err != nil {
			continue
		}
		for _, j := range entryNodes(f, data) {
			sec := uint8(0)
			for i, s := range fastSections {
				if s == j.section {
					sec = uint8(i)
				}
			}
			if j.src != "" {
				f.Add(sec, []byte(j.src[j.start:j.end]))
				continue
			}
			text, err := yaml.Marshal(j.node)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(sec, text)
		}
	}
	f.Fuzz(func(t *testing.T, sec uint8, data []byte) {
		n, err := parse(data, false)
		if err != nil {
			return
		}
		section := fastSections[int(sec)%len(fastSections)]
		checkFast(t, fmt.Sprintf("%s %q", section, data), section, n)
	})
}

// TestFastDecodeEveryField gives each field kin-openapi declares on each
// type the fast path decodes a value of the field's type, alone in its
// object and next to an extension, and checks the fast path decodes it as
// kin-openapi does. A field kin-openapi adds, or one the fast path reads
// under the wrong name, shows here as a decline or a difference; a field of
// a type not sampled here fails the test, to be sampled.
func TestFastDecodeEveryField(t *testing.T) {
	// Where an object of each type is in an entry: %s is the object.
	types := []struct {
		typ     reflect.Type
		section string
		wrap    string
	}{
		{reflect.TypeFor[openapi3.PathItem](), "paths", `%s`},
		{reflect.TypeFor[openapi3.Operation](), "paths", `{"get": %s}`},
		{reflect.TypeFor[openapi3.Server](), "paths", `{"servers": [%s]}`},
		{reflect.TypeFor[openapi3.ServerVariable](), "paths", `{"servers": [{"url": "u", "variables": {"v": %s}}]}`},
		{reflect.TypeFor[openapi3.Schema](), "schemas", `%s`},
		{reflect.TypeFor[openapi3.ExternalDocs](), "schemas", `{"externalDocs": %s}`},
		{reflect.TypeFor[openapi3.XML](), "schemas", `{"xml": %s}`},
		{reflect.TypeFor[openapi3.Discriminator](), "schemas", `{"discriminator": %s}`},
		{reflect.TypeFor[openapi3.Parameter](), "parameters", `%s`},
		{reflect.TypeFor[openapi3.Parameter](), "headers", `%s`},
		{reflect.TypeFor[openapi3.RequestBody](), "requestBodies", `%s`},
		{reflect.TypeFor[openapi3.Response](), "responses", `%s`},
		{reflect.TypeFor[openapi3.MediaType](), "responses", `{"content": {"a/b": %s}}`},
		{reflect.TypeFor[openapi3.Encoding](), "responses", `{"content": {"a/b": {"encoding": {"e": %s}}}}`},
		{reflect.TypeFor[openapi3.Example](), "examples", `%s`},
		{reflect.TypeFor[openapi3.Link](), "links", `%s`},
		{reflect.TypeFor[openapi3.SecurityScheme](), "securitySchemes", `%s`},
		{reflect.TypeFor[openapi3.OAuthFlows](), "securitySchemes", `{"type": "oauth2", "flows": %s}`},
		{reflect.TypeFor[openapi3.OAuthFlow](), "securitySchemes", `{"flows": {"implicit": %s}}`},
		{reflect.TypeFor[openapi3.Callback](), "callbacks", `%s`},
		{reflect.TypeFor[openapi3.Responses](), "paths", `{"get": {"responses": %s}}`},
	}
	// A value of each type of field.
	samples := map[reflect.Type]string{
		reflect.TypeFor[string]():                         `"s"`,
		reflect.TypeFor[*string]():                        `"s"`,
		reflect.TypeFor[bool]():                           `true`,
		reflect.TypeFor[*bool]():                          `false`,
		reflect.TypeFor[*float64]():                       `1.5`,
		reflect.TypeFor[uint64]():                         `3`,
		reflect.TypeFor[*uint64]():                        `4`,
		reflect.TypeFor[any]():                            `{"a": [1, "b", null, {}, []]}`,
		reflect.TypeFor[[]any]():                          `[1, "a", null]`,
		reflect.TypeFor[[]string]():                       `["a", "b"]`,
		reflect.TypeFor[*openapi3.Types]():                `["string", "null"]`,
		reflect.TypeFor[map[string]any]():                 `{"a": 1, "b": {}}`,
		reflect.TypeFor[map[string]string]():              `{"a": "b"}`,
		reflect.TypeFor[map[string][]string]():            `{"a": ["b"]}`,
		reflect.TypeFor[*openapi3.SchemaRef]():            `{"type": "string"}`,
		reflect.TypeFor[openapi3.SchemaRefs]():            `[{"type": "string"}, {"$ref": "#/a"}]`,
		reflect.TypeFor[openapi3.Schemas]():               `{"a": {"type": "string"}}`,
		reflect.TypeFor[openapi3.BoolSchema]():            `{"type": "string"}`,
		reflect.TypeFor[openapi3.ExclusiveBound]():        `true`,
		reflect.TypeFor[*openapi3.ExternalDocs]():         `{"url": "u"}`,
		reflect.TypeFor[*openapi3.XML]():                  `{"name": "n"}`,
		reflect.TypeFor[*openapi3.Discriminator]():        `{"propertyName": "p", "mapping": {"a": "#/a"}}`,
		reflect.TypeFor[map[string]openapi3.MappingRef](): `{"a": "#/a"}`,
		reflect.TypeFor[*openapi3.Operation]():            `{"responses": {"200": {"description": "d"}}}`,
		reflect.TypeFor[map[string]*openapi3.Operation](): `{"COPY": {}}`,
		reflect.TypeFor[openapi3.Servers]():               `[{"url": "u"}]`,
		reflect.TypeFor[*openapi3.Servers]():              `[{"url": "u"}]`,
		reflect.TypeFor[openapi3.Parameters]():            `[{"name": "n", "in": "query"}, {"$ref": "#/p"}]`,
		reflect.TypeFor[*openapi3.RequestBodyRef]():       `{"content": {}}`,
		reflect.TypeFor[*openapi3.Responses]():            `{"200": {"description": "d"}, "x-r": 1}`,
		reflect.TypeFor[openapi3.Callbacks]():             `{"c": {"{$url}": {"get": {}}}}`,
		reflect.TypeFor[*openapi3.SecurityRequirements](): `[{"a": []}, {}]`,
		reflect.TypeFor[openapi3.Examples]():              `{"e": {"value": 1}}`,
		reflect.TypeFor[openapi3.Content]():               `{"a/b": {"schema": {}}}`,
		reflect.TypeFor[openapi3.Headers]():               `{"h": {"schema": {}}}`,
		reflect.TypeFor[openapi3.Links]():                 `{"l": {"operationId": "o"}}`,
		reflect.TypeFor[openapi3.Encodings]():             `{"e": {"contentType": "c"}}`,
		reflect.TypeFor[*openapi3.Server]():               `{"url": "u"}`,
		reflect.TypeFor[openapi3.ServerVariables]():       `{"v": {"default": "d"}}`,
		reflect.TypeFor[*openapi3.OAuthFlows]():           `{"implicit": {"scopes": {}}}`,
		reflect.TypeFor[*openapi3.OAuthFlow]():            `{"scopes": {"a": "b"}}`,
	}
	// The fields the fast path leaves to kin-openapi (OpenAPI 3.2).
	declined := map[string]bool{"PathItem.query": true, "PathItem.additionalOperations": true, "MediaType.itemSchema": true}

	try := func(section, entry string, wantOK bool) {
		t.Helper()
		n, err := parseJSON([]byte(entry), false)
		if err != nil {
			t.Fatalf("%s: %v", entry, err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(entry), &doc); err != nil {
			t.Fatalf("%s: %v", entry, err)
		}
		for _, n := range []*yaml.Node{n, doc.Content[0]} {
			if ok := checkFast(t, section+" "+entry, section, n); ok != wantOK {
				t.Errorf("%s %s: accepted %v, want %v", section, entry, ok, wantOK)
			}
		}
	}
	for _, tt := range types {
		try(tt.section, fmt.Sprintf(tt.wrap, `{"x-e": {"a": [1, 2.5, "c"]}}`), true)
		for i := range tt.typ.NumField() {
			f := tt.typ.Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || key == "-" || key == "" && f.Anonymous {
				continue
			}
			sample, ok := samples[f.Type]
			if !ok {
				t.Errorf("%s.%s: no sample of %s", tt.typ.Name(), f.Name, f.Type)
				continue
			}
			obj := fmt.Sprintf(`{%q: %s}`, key, sample)
			try(tt.section, fmt.Sprintf(tt.wrap, obj), !declined[tt.typ.Name()+"."+key])
			obj = fmt.Sprintf(`{%q: %s, "x-e": true}`, key, sample)
			try(tt.section, fmt.Sprintf(tt.wrap, obj), !declined[tt.typ.Name()+"."+key])
		}
	}
}

// TestFastDecodeMutations changes one node at a time of every entry of the
// documents in testdata to spellings, tags and kinds the fast path must
// either decode as kin-openapi does or decline: a search, more thorough
// than the fuzzer's, of the places where the two could part.
func TestFastDecodeMutations(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes each entry hundreds of times")
	}
	var files []string
	filepath.WalkDir("testdata", func(p string, e fs.DirEntry, err error) error {
		if ext := filepath.Ext(p); err == nil && !e.IsDir() && (ext == ".json" || ext == ".yaml") {
			files = append(files, p)
		}
		return nil
	})
	tried, accepted := mutateEntries(t, files, 1)
	t.Logf("%d mutations, of which the fast path decoded %d", tried, accepted)
}

// mutateEntries is TestFastDecodeMutations for every entry of every
// every-th document of files.
func mutateEntries(t *testing.T, files []string, every int) (tried, accepted int) {
	scalars := []struct {
		tag, value string
		style      yaml.Style
	}{
		{"!!str", "", 0}, {"!!str", "yes", 0}, {"!!str", "1", 0}, {"!!str", "true", 0},
		{"!!int", "0", 0}, {"!!int", "-1", 0}, {"!!int", "7", 0}, {"!!int", "0x1F", 0}, {"!!int", "1_0", 0}, {"!!int", "+1", 0},
		{"!!int", "012", 0}, {"!!int", "-0", 0}, {"!!int", "18446744073709551615", 0}, {"!!int", "99999999999999999999", 0}, {"!!int", "1.5", 0},
		{"!!float", "1.5", 0}, {"!!float", "-0", 0}, {"!!float", "-0.0", 0}, {"!!float", "1e400", 0}, {"!!float", "1e-400", 0}, {"!!float", ".inf", 0},
		{"!!float", "1.", 0}, {"!!float", ".5", 0}, {"!!float", "2.0", 0}, {"!!float", "1e3", 0}, {"!!float", "7", 0}, {"!!float", "99999999999999999999", 0},
		{"!!float", "18446744073709551616", 0}, {"!!float", "9223372036854775808", 0},
		{"!!bool", "true", 0}, {"!!bool", "False", 0}, {"!!bool", "yes", 0}, {"!!bool", "on", 0},
		{"!!null", "null", 0}, {"!!null", "~", 0}, {"!!null", "", 0}, {"!!null", "x", 0},
		{"!custom", "a", 0}, {"", "a", 0}, {"", "1", 0}, {"!", "a", 0}, {"!!timestamp", "2001-01-01", 0}, {"!!binary", "aGk=", 0},
		{"tag:yaml.org,2002:str", "a", 0}, {"!!merge", "<<", 0},
		{"", "a", yaml.DoubleQuotedStyle}, {"", "1", yaml.SingleQuotedStyle}, {"!!int", "7", yaml.DoubleQuotedStyle | yaml.TaggedStyle},
		{"!!str", "7", yaml.TaggedStyle}, {"!!bool", "true", yaml.LiteralStyle},
	}
	for fi, file := range files {
		if fi%every != 0 {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parse(data, false); err != nil {
			continue
		}
		for _, j := range entryNodes(t, data) {
			check := func(what string) {
				tried++
				if checkFast(t, fmt.Sprintf("%s: %s/%s: %s", file, j.section, j.key, what), j.section, j.node) {
					accepted++
				}
			}
			var walk func(n *yaml.Node, path string)
			walk = func(n *yaml.Node, path string) {
				saved := *n
				switch n.Kind {
				case yaml.ScalarNode:
					for _, s := range scalars {
						n.Tag, n.Value, n.Style = s.tag, s.value, s.style
						check(fmt.Sprintf("%s = %s %q", path, s.tag, s.value))
					}
				case yaml.MappingNode, yaml.SequenceNode:
					for _, m := range []yaml.Node{
						{Kind: yaml.MappingNode, Tag: "!!map"},
						{Kind: yaml.SequenceNode, Tag: "!!seq"},
						{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"},
						{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"},
						{Kind: n.Kind, Tag: "!custom", Content: n.Content},
						{Kind: yaml.AliasNode, Alias: &saved},
					} {
						*n = m
						check(fmt.Sprintf("%s = %v %s", path, m.Kind, m.Tag))
					}
				}
				*n = saved
				if n.Kind == yaml.MappingNode {
					for i := 0; i+1 < len(n.Content); i += 2 {
						k := n.Content[i]
						savedKey := *k
						for _, key := range []string{"<<", "x-a", "$ref", "foo"} {
							k.Value = key
							check(fmt.Sprintf("%s key %q = %q", path, savedKey.Value, key))
						}
						if i > 0 {
							k.Value = n.Content[0].Value // a repeated key
							check(fmt.Sprintf("%s key %q repeated", path, savedKey.Value))
						}
						*k = savedKey
					}
				}
				for i, c := range n.Content {
					walk(c, fmt.Sprintf("%s/%d", path, i))
				}
			}
			walk(j.node, "")
		}
	}
	return tried, accepted
}
