package openapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/names"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// importDoc loads a document and imports it with the given section.
func importDoc(t *testing.T, doc string, sec *manifest.OpenAPI) (*Result, diag.List) {
	t.Helper()
	d, diags := loader.Load("api.yaml", []byte(doc), nil)
	if d == nil {
		t.Fatalf("load:\n%s", diags.Format(0))
	}
	if sec == nil {
		sec = &manifest.OpenAPI{Spec: "api.yaml"}
	}
	res, more := Import(d, &Options{Server: "demo", Section: sec, Taken: func(name string) bool { return name == "taken" }})
	return res, append(diags, more...)
}

func mustImport(t *testing.T, doc string, sec *manifest.OpenAPI) *Result {
	t.Helper()
	res, diags := importDoc(t, doc, sec)
	if diags.HasErrors() {
		t.Fatalf("import:\n%s", diags.Format(0))
	}
	return res
}

// decode parses schema JSON for inspection.
func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%v in %s", err, raw)
	}
	return m
}

// at walks a decoded schema by keys.
func at(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %q in %v", k, v)
		}
		v = m[k]
	}
	return v
}

func toolNamed(t *testing.T, res *Result, name string) *ir.Tool {
	t.Helper()
	var names []string
	for _, tool := range res.Tools {
		if tool.Name == name {
			return tool
		}
		names = append(names, tool.Name)
	}
	t.Fatalf("no tool %q; have %v", name, names)
	return nil
}

func defNamed(t *testing.T, res *Result, name string) map[string]any {
	t.Helper()
	for _, d := range res.API.Defs {
		if d.Name == name {
			return decode(t, d.Schema)
		}
	}
	t.Fatalf("no definition %q", name)
	return nil
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		glob, path string
		want       bool
	}{
		{"/pets", "/pets", true},
		{"/pets/*", "/pets/{id}", true},
		{"/pets/*", "/pets/{id}/photos", false},
		{"/pets/**", "/pets/{id}/photos", true},
		{"/pets/**", "/pets", true},
		{"/**/photos", "/pets/{id}/photos", true},
		{"/admin/**", "/pets", false},
		{"/p*", "/pets", true},
	} {
		if got := globMatch(tc.glob, tc.path); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.glob, tc.path, got, tc.want)
		}
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("list_everything_", 6)
	a, b := shorten(long+"a", "GET /a"), shorten(long+"b", "GET /b")
	if len(a) > MaxToolName || len(b) > MaxToolName {
		t.Errorf("shortened names are longer than %d: %q (%d), %q (%d)", MaxToolName, a, len(a), b, len(b))
	}
	if a == b {
		t.Errorf("two long names shortened to the same %q", a)
	}
	if again := shorten(long+"a", "GET /a"); again != a {
		t.Errorf("shorten is not stable: %q then %q", a, again)
	}
	if reason, _ := names.CheckToolName("tool", a); reason != "" {
		t.Errorf("shortened name: %s", reason)
	}
	if got := shorten("short", "GET /"); got != "short" {
		t.Errorf("shorten(short) = %q", got)
	}
}

const namesDoc = `openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://x.example.com"}]
paths:
  /pets/{petId}:
    get:
      operationId: getPetByID
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: OK}}
    put:
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: OK}}
  /a:
    get:
      operationId: get-pet-by-id
      responses: {"200": {description: OK}}
    post:
      operationId: taken
      responses: {"200": {description: OK}}
`

func TestToolNames(t *testing.T) {
	res, diags := importDoc(t, namesDoc, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Format(0))
	}
	var got []string
	for _, tool := range res.Tools {
		got = append(got, tool.Name)
	}
	if got[0] != "get_pet_by_id" || got[1] != "put_pets_pet_id" {
		t.Errorf("names %v: want get_pet_by_id (from the operationId) and put_pets_pet_id (from method and path) first", got)
	}
	// The third derives the same name as the first, the fourth one the
	// manifest has: both get a hash, with a warning.
	if !strings.HasPrefix(got[2], "get_pet_by_id_") || !strings.HasPrefix(got[3], "taken_") {
		t.Errorf("names %v: colliding names were not made unique", got)
	}
	if n := len(diags.Warnings()); n < 2 {
		t.Errorf("%d warnings, want one per renamed tool:\n%s", n, diags.Format(0))
	}
	seen := make(map[string]bool)
	for _, name := range got {
		if reason, _ := names.CheckToolName("tool", name); seen[name] || reason != "" {
			t.Errorf("name %q repeated or invalid in %v", name, got)
		}
		seen[name] = true
	}
}

const schemaDoc = `openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://x.example.com"}]
paths:
  /nodes:
    post:
      operationId: addNode
      parameters:
        - name: code
          in: query
          schema: {type: string, pattern: "^(?=a)a+$"}
        - name: n
          in: query
          schema: {type: integer, minimum: 0, exclusiveMinimum: true, maximum: 9, default: 10, nullable: true, example: 3}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Node"}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Node"}
components:
  schemas:
    Node:
      allOf:
        - {$ref: "#/components/schemas/Base"}
        - type: object
          properties:
            children: {type: array, items: {$ref: "#/components/schemas/Node"}}
            color: {type: string, enum: [red, blue], nullable: true}
    Base:
      type: object
      required: [id, name]
      properties:
        id: {type: string, readOnly: true}
        name: {type: string}
        password: {type: string, writeOnly: true}
`

func TestSchemaConversion(t *testing.T) {
	res, diags := importDoc(t, schemaDoc, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Format(0))
	}
	tool := toolNamed(t, res, "add_node")
	in := decode(t, tool.InputSchema)

	// A pattern Go cannot compile is dropped, with a warning at its node.
	if p := at(t, in, "properties", "code", "pattern"); p != nil {
		t.Errorf("the lookahead pattern was kept: %v", p)
	}
	n := at(t, in, "properties", "n").(map[string]any)
	if n["exclusiveMinimum"] != 0.0 || n["minimum"] != nil {
		t.Errorf("boolean exclusiveMinimum not made numeric: %v", n)
	}
	if ty, _ := n["type"].([]any); len(ty) != 2 || ty[1] != "null" {
		t.Errorf("nullable integer has type %v, want [integer null]", n["type"])
	}
	if n["default"] != nil {
		t.Errorf("default 10 above maximum 9 was kept")
	}
	if ex, _ := n["examples"].([]any); len(ex) != 1 || ex[0] != 3.0 {
		t.Errorf("example not carried as examples: %v", n["examples"])
	}
	var patternWarned, defaultWarned bool
	for _, d := range diags.Warnings() {
		switch d.Pointer {
		case "#/paths/~1nodes/post/parameters/0/schema/pattern":
			patternWarned = d.Pos.Line > 0
		case "#/paths/~1nodes/post/parameters/1/schema/default":
			defaultWarned = d.Pos.Line > 0
		}
	}
	if !patternWarned || !defaultWarned {
		t.Errorf("want warnings with positions for the pattern and the default:\n%s", diags.Format(0))
	}

	// The body refers to the input variant of Node: without readOnly id,
	// with writeOnly password, allOf merged into one object, recursive.
	if ref := at(t, in, "properties", "body", "$ref"); ref != "#/$defs/NodeInput" {
		t.Errorf("body $ref = %v, want #/$defs/NodeInput", ref)
	}
	nodeIn := defNamed(t, res, "NodeInput")
	p := at(t, nodeIn, "properties").(map[string]any)
	if _, ok := p["id"]; ok {
		t.Error("NodeInput keeps the readOnly id")
	}
	if _, ok := p["password"]; !ok {
		t.Error("NodeInput lacks the writeOnly password")
	}
	if req := nodeIn["required"].([]any); len(req) != 1 || req[0] != "name" {
		t.Errorf("NodeInput required = %v, want [name]", req)
	}
	if nodeIn["allOf"] != nil || nodeIn["type"] != "object" {
		t.Errorf("allOf of objects not merged: %v", nodeIn)
	}
	if ref := at(t, p["children"], "items", "$ref"); ref != "#/$defs/NodeInput" {
		t.Errorf("recursion goes to %v, want #/$defs/NodeInput", ref)
	}
	if enum := at(t, p["color"], "enum").([]any); len(enum) != 3 || enum[2] != nil {
		t.Errorf("nullable enum = %v, want null added", enum)
	}

	// The output refers to Node: with id, without password.
	out := decode(t, tool.OutputSchema)
	if out["type"] != "object" || out["$ref"] != "#/$defs/Node" || tool.Op.WrapOutput {
		t.Errorf("output schema %v (wrap %v), want the object Node unwrapped", out, tool.Op.WrapOutput)
	}
	po := at(t, defNamed(t, res, "Node"), "properties").(map[string]any)
	if _, ok := po["password"]; ok {
		t.Error("Node (output) keeps the writeOnly password")
	}
	if _, ok := po["id"]; !ok {
		t.Error("Node (output) lacks the readOnly id")
	}

	// Full adds exactly the reached definitions.
	full := decode(t, res.Full(tool.InputSchema))
	defs := full["$defs"].(map[string]any)
	if len(defs) != 1 || defs["NodeInput"] == nil {
		t.Errorf("Full($defs) = %v, want NodeInput only", keysOf(defs))
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSelection(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://x.example.com"}]
paths:
  /pets:
    get: {operationId: listPets, tags: [pets], responses: {"200": {description: OK}}}
    post: {operationId: addPet, tags: [pets], responses: {"200": {description: OK}}}
  /pets/{id}:
    delete:
      operationId: deletePet
      tags: [pets]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: OK}}
  /admin/users:
    get: {operationId: listUsers, responses: {"200": {description: OK}}}
  /store:
    get:
      operationId: store
      x-mcp: {exclude: true}
      responses: {"200": {description: OK}}
    put:
      operationId: putStore
      x-mcp: {name: store_put, description: From x-mcp.}
      responses: {"200": {description: OK}}
`
	sec := &manifest.OpenAPI{
		Spec:    "api.yaml",
		Exclude: []manifest.OperationFilter{{Methods: []string{"delete"}}, {Paths: []string{"/admin/**"}}},
		Overrides: []manifest.OperationOverride{
			{Operation: "addPet", Name: "create_pet", Custom: true},
			{Operation: "PUT /store", Description: "From the manifest."},
		},
	}
	res := mustImport(t, doc, sec)
	var got []string
	for _, tool := range res.Tools {
		got = append(got, tool.Name)
	}
	if strings.Join(got, " ") != "list_pets create_pet store_put" {
		t.Errorf("tools %v, want list_pets create_pet store_put", got)
	}
	if !toolNamed(t, res, "create_pet").Op.Custom {
		t.Error("the override's custom: true was lost")
	}
	if d := toolNamed(t, res, "store_put").Description; d != "From the manifest." {
		t.Errorf("description %q: the manifest must win over x-mcp", d)
	}

	sec.Include = []manifest.OperationFilter{{Tags: []string{"pets"}}, {Tags: []string{"nothing"}}}
	res, diags := importDoc(t, doc, sec)
	if diags.HasErrors() || len(res.Tools) != 2 {
		t.Fatalf("include by tag: %d tools\n%s", len(res.Tools), diags.Format(0))
	}
	found := false
	for _, d := range diags.Warnings() {
		found = found || d.Pointer == "#/openapi/include/1"
	}
	if !found {
		t.Errorf("no warning for the include filter that matches nothing:\n%s", diags.Format(0))
	}

	sec.Overrides = append(sec.Overrides, manifest.OperationOverride{Operation: "lisPets", Exclude: true})
	res, diags = importDoc(t, doc, sec)
	var warned bool
	for _, d := range diags.Warnings() {
		warned = warned || d.Pointer == "#/openapi/overrides/2/operation" && strings.Contains(d.Hint, `"listPets"`)
	}
	if diags.HasErrors() || !warned || len(res.Tools) != 2 {
		t.Errorf("an override of a missing operation: want a warning at its pointer suggesting listPets, and the import to go on; got:\n%s", diags.Format(0))
	}
}

func TestSecurityAndBaseURL(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: T, version: "1"}
servers:
  - url: "https://{region}.example.com/v{major}"
    variables:
      region: {default: eu}
      major: {default: "2"}
security: [{token: []}]
paths:
  /a:
    get: {operationId: a, responses: {"200": {description: OK}}}
  /b:
    get:
      operationId: b
      security: [{oidc: []}, {cc: [read]}, {}]
      responses: {"200": {description: OK}}
  /c:
    get:
      operationId: c
      security: [{mtls: []}, {implicit: [pets]}]
      responses: {"200": {description: OK}}
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
    cc: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://auth.example.com/t", scopes: {read: r, write: w}}}}
    oidc: {type: openIdConnect, openIdConnectUrl: "https://auth.example.com/.well-known/openid-configuration"}
    implicit: {type: oauth2, flows: {implicit: {authorizationUrl: "https://auth.example.com/a", scopes: {pets: p}}}}
    mtls: {type: mutualTLS}
    unused: {type: apiKey, in: header, name: X-Unused}
`
	res, diags := importDoc(t, doc, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Format(0))
	}
	if res.API.BaseURL != "https://eu.example.com/v2" || res.API.BaseURLEnv != "DEMO_BASE_URL" {
		t.Errorf("base URL %q from %s", res.API.BaseURL, res.API.BaseURLEnv)
	}
	byName := make(map[string]ir.Scheme)
	for _, s := range res.API.Schemes {
		byName[s.Name] = s
	}
	if _, ok := byName["unused"]; ok || len(byName) != 5 {
		t.Errorf("schemes %v: want the five the operations use", byName)
	}
	if s := byName["token"]; s.Scheme != "bearer" || strings.Join(s.Env, ",") != "DEMO_TOKEN" {
		t.Errorf("bearer scheme %+v", s)
	}
	if s := byName["cc"]; s.TokenURL == "" || strings.Join(s.Scopes, ",") != "read" || strings.Join(s.Env, ",") != "DEMO_CC_CLIENT_ID,DEMO_CC_CLIENT_SECRET" || s.AccessTokenEnv != "DEMO_CC_ACCESS_TOKEN" {
		t.Errorf("client credentials scheme %+v: want the required scopes, two variables and an access token", s)
	}
	if s := byName["implicit"]; s.Type != "oauth2" || s.TokenURL != "" || len(s.Env) != 0 || strings.Join(s.Scopes, ",") != "pets" || s.AccessTokenEnv != "DEMO_IMPLICIT_ACCESS_TOKEN" {
		t.Errorf("implicit scheme %+v: want an access token only", s)
	}
	if s := byName["oidc"]; s.Type != "openIdConnect" || len(s.Env) != 0 || s.AccessTokenEnv != "DEMO_OIDC_ACCESS_TOKEN" {
		t.Errorf("openIdConnect scheme %+v: want an access token only", s)
	}
	if s := byName["mtls"]; len(s.Env) != 0 || s.AccessTokenEnv != "" {
		t.Errorf("unsupported scheme %+v has credentials", s)
	}
	b := toolNamed(t, res, "b").Op.Security
	if len(b) != 3 || len(b[2]) != 0 || b[0][0] != "oidc" {
		t.Errorf("security of b = %v, want [[oidc] [cc] []]", b)
	}
	warned := map[string]bool{}
	for _, d := range diags.Warnings() {
		warned[d.Pointer] = true
	}
	if !warned["#/components/securitySchemes/mtls"] || warned["#/components/securitySchemes/oidc"] || warned["#/components/securitySchemes/implicit"] {
		t.Errorf("want a warning for the unsupported scheme only:\n%s", diags.Format(0))
	}
}

// TestManyOperations imports a document of 1,500 operations that share
// schemas, which must stay fast: nothing in the import may be quadratic
// in the number of operations.
func TestManyOperations(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: T, version: \"1\"}\nservers: [{url: \"https://x.example.com\"}]\npaths:\n")
	const n = 500
	for i := range n {
		for _, m := range []string{"get", "put", "delete"} {
			if m == "get" {
				b.WriteString("  /r" + itoa(i) + "/{id}:\n")
			}
			b.WriteString("    " + m + ":\n      operationId: " + m + "R" + itoa(i) + "\n")
			b.WriteString("      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n")
			b.WriteString("      responses: {\"200\": {description: OK, content: {application/json: {schema: {$ref: \"#/components/schemas/Thing\"}}}}}\n")
		}
	}
	b.WriteString("components:\n  schemas:\n    Thing: {type: object, properties: {id: {type: string, readOnly: true}, next: {$ref: \"#/components/schemas/Thing\"}}}\n")
	res := mustImport(t, b.String(), nil)
	if len(res.Tools) != 3*n || len(res.API.Defs) != 1 {
		t.Errorf("%d tools and %d definitions, want %d and 1", len(res.Tools), len(res.API.Defs), 3*n)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestPathTemplate: a name of the path template without a parameter
// becomes a required string argument, and a path parameter the template
// lacks is left out, each with a warning.
func TestPathTemplate(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://x.example.com"}]
paths:
  /orgs/{org}/teams:
    get:
      operationId: listTeams
      parameters:
        - {name: team, in: path, required: true, schema: {type: string}}
        - {name: org, in: query, schema: {type: string}}
      responses: {"200": {description: OK}}
`
	res, diags := importDoc(t, doc, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Format(0))
	}
	op := toolNamed(t, res, "list_teams").Op
	if len(op.Params) != 2 || op.Params[0].Name != "org" || op.Params[0].In != "path" || op.Params[0].Arg != "path_org" || !op.Params[0].Required {
		t.Errorf("params %+v: want the path's {org} first, as the required argument path_org (the query parameter keeps org)", op.Params)
	}
	in := decode(t, toolNamed(t, res, "list_teams").InputSchema)
	if at(t, in, "properties", "team") != nil {
		t.Error("the path parameter team, which the path lacks, is still an argument")
	}
	var added, dropped bool
	for _, d := range diags.Warnings() {
		added = added || strings.Contains(d.Msg, `names {org}`)
		dropped = dropped || strings.Contains(d.Msg, `parameter "team" is left out`)
	}
	if !added || !dropped {
		t.Errorf("want a warning for each change:\n%s", diags.Format(0))
	}
}
