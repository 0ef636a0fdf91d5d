package loader

import (
	"encoding/json"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// load loads a file of testdata, reading its $refs from its directory.
func load(t testing.TB, file string) (*Document, diag.List) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return Load(file, data, &Options{ReadFile: dirReader(filepath.Dir(file))})
}

// dirReader reads files below dir; fs.ReadFile refuses names with "..".
func dirReader(dir string) func(string) ([]byte, error) {
	fsys := os.DirFS(dir)
	return func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) }
}

func TestLoad(t *testing.T) {
	tests := []struct {
		file     string
		version  string
		ops      int
		errs     []string // each a diagnostic, in full
		warnings []string // substrings of the warnings, all of them
	}{
		{file: "petstore.yaml", version: "3.0.3", ops: 4},
		{file: "petstore.json", version: "3.0.3", ops: 4},
		{file: "v31.yaml", version: "3.1.0", ops: 3},
		{file: "swagger.yaml", version: "2.0", ops: 2},
		{file: "swagger.json", version: "2.0", ops: 2},
		{file: "cyclic.yaml", version: "3.0.3", ops: 1},
		{file: "external/api.yaml", version: "3.0.3", ops: 1},
		{file: "external/swagger.yaml", version: "2.0", ops: 1},
		{file: "yaml-features.yaml", version: "3.0.3", ops: 1},
		{file: "duplicate-keys.json", version: "3.0.3", ops: 1},
		{file: "warnings.yaml", version: "3.0.3", ops: 2, warnings: []string{
			`testdata/warnings.yaml:36:5: #/components/schemas/Broken: warning: invalid components: schema "Broken": duplicate field "a" in required`,
			`testdata/warnings.yaml:7:5: #/paths/~1pets~1{petId}/get: warning: invalid paths: operation GET /pets/{petId} must define exactly all path parameters (missing: [petId])`,
		}},
		// A problem in a component is reported once, where it is, not
		// again at each schema and operation that uses the component (as
		// kin-openapi's Validate alone does).
		{file: "shared-problem.yaml", version: "3.0.3", ops: 2, warnings: []string{
			`testdata/shared-problem.yaml:30:5: #/components/schemas/Pet: warning: invalid components: schema "Pet": duplicate field "name" in required`,
		}},
		// As in GitHub's own description.
		{file: "conflicting-paths.yaml", version: "3.0.3", ops: 2, warnings: []string{
			`testdata/conflicting-paths.yaml:14:3: #/paths/~1pets~1{id}: warning: invalid paths: conflicting paths "/pets/{petId}" and "/pets/{id}"`,
		}},
		{file: "ref-siblings.yaml", version: "3.1.0", ops: 2, warnings: []string{
			`testdata/ref-siblings.yaml:10:24: #/paths/~1a/get/parameters/0/description: warning: the description next to $ref "#/components/parameters/Limit" replaces that of the component everywhere it is used; kin-openapi applies it to the shared component; move it into the component, or inline it`,
		}},
		// Read whole by the typed decoder, but still for kin-openapi to
		// resolve, which refuses it.
		{file: "schema-and-content.yaml", errs: []string{
			`testdata/schema-and-content.yaml: cannot resolve a $ref: cannot contain both schema and content in a parameter`,
		}},
		{file: "wrong-type.yaml", errs: []string{
			`testdata/wrong-type.yaml:6:7: #/paths/~1a/get/parameters: parameters must be a list of parameter objects, not a mapping`,
		}},
		{file: "wrong-type.json", errs: []string{
			`testdata/wrong-type.json:7:9: #/paths/~1a/get/parameters: parameters must be a list of parameter objects, not a mapping`,
		}},
		{file: "alias-bomb.yaml", errs: []string{
			// Refused while it is a tree of a few hundred nodes, at the
			// alias that repeats the most.
			`testdata/alias-bomb.yaml:8:10: invalid document: YAML aliases repeat more than 250000 nodes of the document; the alias of "e" here repeats 66430; write a repeated schema once, under components, and refer to it with $ref`,
		}},
		{file: "bad-syntax.json", errs: []string{
			`testdata/bad-syntax.json:5:62: invalid JSON: invalid character '}' looking for beginning of object key string`,
		}},
		{file: "bad-syntax.yaml", errs: []string{
			`testdata/bad-syntax.yaml:9:1: invalid YAML: did not find expected ',' or ']'`,
		}},
		{file: "not-openapi.yaml", errs: []string{
			`testdata/not-openapi.yaml: not an OpenAPI document: it has no "openapi" or "swagger" version field; an OpenAPI document starts with "openapi: 3.x.y" (or "swagger: \"2.0\"")`,
		}},
		{file: "unsupported.yaml", errs: []string{
			`testdata/unsupported.yaml:1:10: #/openapi: unsupported OpenAPI version "4.0.0"; mcpgen reads OpenAPI 3.0 and 3.1 (and Swagger 2.0)`,
		}},
		{file: "bad-ref.yaml", errs: []string{
			`testdata/bad-ref.yaml:14:23: #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "#/components/schemas/Nope": #/components/schemas has no "Nope"`,
		}},
		{file: "bad-ref-file.yaml", errs: []string{
			`testdata/bad-ref-file.yaml:14:23: #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "missing.yaml#/Pet": open missing.yaml: no such file or directory`,
		}},
		{file: "url-ref.yaml", errs: []string{
			`testdata/url-ref.yaml:14:23: #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "https://example.com/schemas/pet.yaml": only files next to the document are read, not URLs; save the file next to the document and refer to it by a relative path`,
		}},
		{file: "outside-ref.yaml", errs: []string{
			`testdata/outside-ref.yaml:14:23: #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "../secret.yaml": readfile ../secret.yaml: invalid argument; a $ref may only name files in the document's directory or below it`,
		}},
		{file: "anchor-ref.yaml", errs: []string{
			`testdata/anchor-ref.yaml:14:23: #/paths/~1a/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "#item": a $ref to an $anchor is not supported; refer to the schema by its JSON pointer, e.g. "#/components/schemas/Item"`,
		}},
		{file: "dynamic-ref.yaml", errs: []string{
			`testdata/dynamic-ref.yaml:15:26: #/components/schemas/Tree/properties/children/items/$dynamicRef: $dynamicRef is not supported (kin-openapi does not resolve it); use $ref to the schema itself`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			file := filepath.ToSlash(filepath.Join("testdata", tt.file))
			doc, diags := load(t, file)
			var errs, warnings []string
			for _, d := range diags {
				if d.Severity == diag.Error {
					errs = append(errs, d.String())
				} else {
					warnings = append(warnings, d.String())
				}
			}
			slices.Sort(warnings)
			want := slices.Sorted(slices.Values(tt.warnings))
			if !slices.Equal(errs, tt.errs) {
				t.Errorf("errors:\n got %q\nwant %q", errs, tt.errs)
			}
			if !slices.Equal(warnings, want) {
				t.Errorf("warnings:\n got %q\nwant %q", warnings, want)
			}
			if len(tt.errs) > 0 {
				if doc != nil {
					t.Errorf("Load returned a document with errors")
				}
				return
			}
			if doc == nil {
				t.Fatal("Load returned no document")
			}
			if doc.Version != tt.version {
				t.Errorf("Version = %q, want %q", doc.Version, tt.version)
			}
			if got := len(doc.Operations()); got != tt.ops {
				t.Errorf("%d operations, want %d", got, tt.ops)
			}
		})
	}
}

// TestNotADocument: what is not an OpenAPI document says what it is.
func TestNotADocument(t *testing.T) {
	hint := `; an OpenAPI document starts with "openapi: 3.x.y" (or "swagger: \"2.0\"")`
	tests := []struct{ in, want string }{
		{"", "doc: the document is empty" + hint},
		{"# a comment\n", "doc: the document is empty" + hint},
		{"[1, 2]", "doc: not an OpenAPI document: the top level is a list, not a mapping" + hint},
		{`"openapi"`, "doc: not an OpenAPI document: the top level is a string, not a mapping" + hint},
		{"{}", `doc: not an OpenAPI document: it has no "openapi" or "swagger" version field` + hint},
		{"openapi: [3]", `doc:1:1: #/openapi: the openapi version is a list, not a string; write it as a string, e.g. "3.1.0"`},
		{"swagger: 1.2\n", `doc:1:10: #/swagger: unsupported Swagger version "1.2"; mcpgen reads Swagger 2.0 and OpenAPI 3.0 and 3.1`},
	}
	for _, tt := range tests {
		doc, diags := Load("doc", []byte(tt.in), nil)
		if doc != nil || len(diags) != 1 || diags[0].String() != tt.want {
			t.Errorf("Load(%q) = %v, %q; want nil, %q", tt.in, doc != nil, diags, tt.want)
		}
	}
}

// TestNoReadFile: without Options.ReadFile, a document that names another
// file is refused, at the $ref.
func TestNoReadFile(t *testing.T) {
	data, err := os.ReadFile("testdata/external/api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, diags := Load("api.yaml", data, nil)
	// kin-openapi resolves the components first, and the first place the
	// document names the file that failed is the one reported.
	want := `api.yaml:19:25: #/paths/~1pets/get/responses/200/content/application~1json/schema/items/$ref: cannot resolve $ref "schemas/pet.yaml": this document may not refer to other files`
	if doc != nil || len(diags) != 1 || diags[0].String() != want {
		t.Errorf("got %v, %q; want nil, %q", doc != nil, diags, want)
	}
}

// TestSameAsKin checks that Load builds the same document kin-openapi's own
// loader does, by comparing their JSON.
func TestSameAsKin(t *testing.T) {
	for _, file := range []string{"petstore.yaml", "petstore.json", "v31.yaml", "cyclic.yaml", "warnings.yaml", "external/api.yaml", "swagger.yaml", "swagger.json", "duplicate-keys.json", "ref-siblings.yaml", "external/swagger.yaml", "yaml-features.yaml"} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", file)
			doc, diags := load(t, path)
			if doc == nil {
				t.Fatalf("Load: %v", diags)
			}
			want := kinLoad(t, path)
			got, err := json.Marshal(doc.T)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("Load and kin-openapi differ:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// kinLoad loads file the way kin-openapi documents it, and returns the
// document as JSON.
func kinLoad(t testing.TB, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = true
	var doc *openapi3.T
	if strings.Contains(string(data), "swagger:") || strings.Contains(string(data), `"swagger"`) {
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var doc2 openapi2.T
		if err := json.Unmarshal(b, &doc2); err != nil {
			t.Fatal(err)
		}
		doc, err = openapi2conv.ToV3WithLoader(&doc2, l, &url.URL{Path: filepath.ToSlash(file)})
		if err != nil {
			t.Fatal(err)
		}
		// With the corrections Load makes on purpose (see fixV2).
		fixV2(&doc2, doc)
	} else if doc, err = l.LoadFromFile(file); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPos(t *testing.T) {
	tests := []struct {
		file    string
		pointer string
		want    string // the file's text at the position starts with this
		wantIn  string // the file the position is in, when not file
	}{
		{"petstore.yaml", "#/info/title", "Petstore", ""},
		{"petstore.yaml", "#/paths/~1pets/get", "get:", ""},
		{"petstore.yaml", "#/paths/~1pets/get/parameters/0", "name: limit", ""},
		{"petstore.yaml", "#/paths/~1pets/get/parameters/0/schema/maximum", "100", ""},
		{"petstore.yaml", "#/paths/~1pets~1{petId}/parameters/0/name", "petId", ""},
		{"petstore.yaml", "#/paths/~1pets/post/x-mcp/name", "create_pet", ""},
		// Through a $ref, into the component.
		{"petstore.yaml", "#/paths/~1pets/get/parameters/1/name", "tag", ""},
		{"petstore.yaml", "#/paths/~1pets/get/responses/200/content/application~1json/schema/items/allOf/1/properties/id", "id:", ""},
		// A node that does not exist: the nearest one above it.
		{"petstore.yaml", "#/paths/~1pets/get/parameters/7", "parameters:", ""},
		{"petstore.yaml", "#/paths/~1nowhere", "paths:", ""},
		{"petstore.json", "#/info/title", `"Petstore"`, ""},
		{"petstore.json", "#/paths/~1pets/get", `"get"`, ""},
		{"petstore.json", "#/paths/~1pets/get/parameters/0", `{`, ""},
		{"petstore.json", "#/paths/~1pets/get/parameters/0/schema/maximum", "100", ""},
		{"petstore.json", "#/paths/~1pets/get/parameters/1/name", `"tag"`, ""},
		// Through YAML's merge keys and aliases.
		{"yaml-features.yaml", "#/paths/~1items/get/parameters/0/schema/maxLength", "10", ""},
		{"yaml-features.yaml", "#/paths/~1items/get/parameters/0/schema/minLength", "1", ""},
		{"yaml-features.yaml", "#/paths/~1items/get/responses/default/content/application~1json/schema/properties/born/example", "2020-06-11", ""},
		{"yaml-features.yaml", "#/paths/~1items/get/responses/200/description", "Items.", ""},
		// Into other files.
		{"external/api.yaml", "#/paths/~1pets/get/parameters/0/schema/maximum", "50", "external/schemas/params.yaml"},
		{"external/api.yaml", "#/components/schemas/Pet/properties/owner/properties/name", "name:", "external/common.yaml"},
		{"external/api.yaml", "#/components/schemas/Pet/properties/friends/items/properties/name/type", "string", "external/schemas/pet.yaml"},
		// Swagger 2.0: OpenAPI 3 pointers, mapped back.
		{"swagger.yaml", "#/components/schemas/Pet/properties/name", "name:", ""},
		{"swagger.yaml", "#/components/parameters/Limit/name", "limit", ""},
		{"swagger.yaml", "#/paths/~1pets/post/operationId", "createPet", ""},
		{"swagger.yaml", "#/paths/~1pets/post/parameters/1", "name: trace", ""},
		{"swagger.yaml", "#/paths/~1pets/post/requestBody", "name: pet", ""},
		{"swagger.yaml", "#/paths/~1pets/post/requestBody/content/application~1json/schema", "schema:", ""},
		{"swagger.yaml", "#/paths/~1pets/post/responses/201/content/application~1json/schema", "schema:", ""},
		{"swagger.yaml", "#/servers/0/url", "petstore.example.com", ""},
		{"swagger.yaml", "#/paths/~1pets/get/parameters/0/schema/maximum", "100", ""},
		{"external/swagger.yaml", "#/components/schemas/Pet/properties/name/type", "string", "external/schemas/pet.yaml"},
		{"external/swagger.yaml", "#/paths/~1pets/get/responses/200/content/application~1json/schema/items/properties/owner", "owner:", "external/schemas/pet.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.file+tt.pointer, func(t *testing.T) {
			path := filepath.ToSlash(filepath.Join("testdata", tt.file))
			doc, diags := load(t, path)
			if doc == nil {
				t.Fatalf("Load: %v", diags)
			}
			pos := doc.Pos(tt.pointer)
			wantFile := path
			if tt.wantIn != "" {
				wantFile = "testdata/" + tt.wantIn
			}
			if pos.File != wantFile {
				t.Errorf("Pos(%s).File = %q, want %q", tt.pointer, pos.File, wantFile)
			}
			if got := textAt(t, pos); !strings.HasPrefix(got, tt.want) {
				t.Errorf("Pos(%s) = %s, where the text is %q; want it to start with %q", tt.pointer, pos, got, tt.want)
			}
		})
	}
}

// textAt returns the rest of the line at pos.
func textAt(t *testing.T, pos diag.Pos) string {
	t.Helper()
	if pos.Line == 0 || pos.Col == 0 {
		return ""
	}
	data, err := os.ReadFile(pos.File)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if pos.Line > len(lines) {
		t.Fatalf("%s: past the end of the file", pos)
	}
	line := []rune(lines[pos.Line-1])
	if pos.Col-1 > len(line) {
		t.Fatalf("%s: past the end of the line", pos)
	}
	return string(line[pos.Col-1:])
}

func TestOperations(t *testing.T) {
	doc, diags := load(t, "testdata/petstore.yaml")
	if doc == nil {
		t.Fatal(diags)
	}
	var got []string
	for _, op := range doc.Operations() {
		if op.Operation != doc.T.Paths.Value(op.Path).GetOperation(op.Method) {
			t.Errorf("%s %s: Operation is not the one in T", op.Method, op.Path)
		}
		got = append(got, op.Method+" "+op.Path+" "+op.Pointer)
	}
	want := []string{
		"POST /pets #/paths/~1pets/post",
		"GET /pets #/paths/~1pets/get",
		"GET /pets/{petId} #/paths/~1pets~1{petId}/get",
		"DELETE /pets/{petId} #/paths/~1pets~1{petId}/delete",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Operations:\n got %q\nwant %q", got, want)
	}
	if got, want := doc.PathOrder(), []string{"/pets", "/pets/{petId}"}; !slices.Equal(got, want) {
		t.Errorf("PathOrder = %q, want %q", got, want)
	}
	if got := doc.Operations()[0].Operation.Extensions["x-mcp"]; !equalJSON(got, map[string]any{"name": "create_pet"}) {
		t.Errorf("x-mcp = %#v", got)
	}

	// A path without operations is a path too.
	doc, diags = Load("p.yaml", []byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /b: {}\n  /a:\n    get: {responses: {'200': {description: ok}}}\n"), nil)
	if doc == nil {
		t.Fatal(diags)
	}
	if got, want := doc.PathOrder(), []string{"/b", "/a"}; !slices.Equal(got, want) {
		t.Errorf("PathOrder = %q, want %q", got, want)
	}
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// TestSkipValidation: the same document, with and without validation.
func TestSkipValidation(t *testing.T) {
	data, err := os.ReadFile("testdata/warnings.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, diags := Load("warnings.yaml", data, nil); len(diags.Warnings()) == 0 {
		t.Error("no warnings with validation")
	}
	if _, diags := Load("warnings.yaml", data, &Options{SkipValidation: true}); len(diags) != 0 {
		t.Errorf("SkipValidation: %v", diags)
	}
}

// TestOpenAPI31 checks that what OpenAPI 3.1 adds reaches T
// (docs/openapi-support.md lists the same).
func TestOpenAPI31(t *testing.T) {
	doc, diags := load(t, "testdata/v31.yaml")
	if doc == nil {
		t.Fatal(diags)
	}
	for _, d := range diags {
		t.Logf("%s", d)
	}
	T := doc.T
	item := T.Components.Schemas["Item"].Value
	props := item.Properties
	checks := []struct {
		what string
		ok   bool
	}{
		{"jsonSchemaDialect", T.JSONSchemaDialect == "https://spec.openapis.org/oas/3.1/dialect/base"},
		{"info.summary", T.Info.Summary != ""},
		{"license.identifier", T.Info.License.Identifier == "MIT"},
		{"type array", slices.Equal(props["name"].Value.Type.Slice(), []string{"string", "null"})},
		{"examples", len(props["name"].Value.Examples) == 2 && props["name"].Value.Examples[1] == nil},
		{"const", props["kind"].Value.Const == "tool"},
		{"exclusiveMaximum as a number", props["price"].Value.ExclusiveMax.Value != nil && *props["price"].Value.ExclusiveMax.Value == 1000},
		{"exclusiveMinimum as a number", T.Paths.Value("/items/{id}").Get.Parameters[0].Value.Schema.Value.ExclusiveMin.Value != nil},
		{"prefixItems", len(props["tags"].Value.PrefixItems) == 1},
		{"items: false", props["tags"].Value.Items != nil && props["tags"].Value.Items.Value != nil && props["tags"].Value.Items.Value.Always != nil && !*props["tags"].Value.Items.Value.Always},
		{"$defs, and a $ref into them", item.Defs["Extra"] != nil && props["extra"].Value == item.Defs["Extra"].Value},
		{"if/then/else", props["shape"].Value.If != nil && props["shape"].Value.Then != nil && props["shape"].Value.Else != nil},
		{"contentMediaType, contentEncoding", props["blob"].Value.ContentMediaType == "image/png" && props["blob"].Value.ContentEncoding == "base64"},
		{"contentSchema", props["meta"].Value.ContentSchema != nil && props["meta"].Value.ContentSchema.Value.Type.Is("object")},
		{"contains, minContains, maxContains", props["sizes"].Value.Contains != nil && *props["sizes"].Value.MinContains == 1 && *props["sizes"].Value.MaxContains == 3},
		{"unevaluatedItems", props["sizes"].Value.UnevaluatedItems.Has != nil},
		{"patternProperties", props["labels"].Value.PatternProperties["^x-"] != nil},
		{"propertyNames", props["labels"].Value.PropertyNames != nil},
		{"dependentSchemas", props["labels"].Value.DependentSchemas["color"] != nil},
		{"unevaluatedProperties", item.UnevaluatedProperties.Has != nil && !*item.UnevaluatedProperties.Has},
		{"dependentRequired", slices.Equal(item.DependentRequired["price"], []string{"name"})},
		{"webhooks, resolved", T.Webhooks["itemCreated"] != nil && T.Webhooks["itemCreated"].Post.RequestBody.Value.Content["application/json"].Schema.Value == item},
		{"a path item $ref to components/pathItems", T.Paths.Value("/health") != nil && T.Paths.Value("/health").Get != nil},
		{"mutualTLS", T.Components.SecuritySchemes["mtls"].Value.Type == "mutualTLS"},
		{"a description next to a schema $ref", T.Paths.Value("/items/{id}").Get.Responses.Value("200").Value.Content["application/json"].Schema.Value != nil},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: not in T", c.what)
		}
	}

	// 3.1 makes paths optional.
	doc, diags = Load("webhooks.yaml", []byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  ping:\n    post:\n      responses:\n        '200': {description: ok}\n"), nil)
	if doc == nil || len(diags) != 0 || doc.T.Webhooks["ping"] == nil {
		t.Errorf("a document without paths: %v", diags)
	}
}
