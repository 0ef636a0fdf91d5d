package generator

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/templates"
)

// generateSpec runs Generate on a new OpenAPI project of spec, as `mcpgen
// new --from api.yaml` does (with --strict when strict is set).
func generateSpec(t *testing.T, spec string, strict bool) (res *Result, diags string, failed bool) {
	t.Helper()
	m, err := templates.Manifest("openapi", templates.ManifestData{Name: "late", Spec: "api.yaml", Mode: "static", FirstOperation: "a"})
	if err != nil {
		t.Fatal(err)
	}
	in := &Input{ManifestPath: "mcpgen.yaml", Manifest: m, Strict: strict, ReadFile: func(name string) ([]byte, error) {
		if name != "api.yaml" {
			return nil, fmt.Errorf("%s: no such file", name)
		}
		return []byte(spec), nil
	}}
	res, d := Run(in, &Options{Template: "openapi", WriteManifest: true})
	if (res == nil) != d.HasErrors() {
		t.Fatalf("a result %v, and errors %v:\n%s", res != nil, d.HasErrors(), d.Format(0))
	}
	return res, d.Format(0), d.HasErrors()
}

// TestGenerateLateChecks: what the checks that run while the project is
// emitted find (kin-openapi's validation, the last check of the tools'
// schemas) is reported. A schema that fails the last check leaves its
// tool out, or the tool's output schema, with a warning, and the project
// is emitted without it; in strict mode it is an error, and there is no
// project.
func TestGenerateLateChecks(t *testing.T) {
	// Validation's warnings: the project is generated, with them.
	res, diags, failed := generateSpec(t, `openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: a
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: OK}}
  /pets/{name}:
    get:
      operationId: b
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: OK}}
`, false)
	if failed || len(res.Plan.Files) == 0 || !strings.Contains(diags, "conflicting paths") {
		t.Errorf("conflicting paths: failed %v, diagnostics:\n%s", failed, diags)
	}

	// A schema nested deeper than the MCP SDK reads: in the arguments of
	// one operation, and in the result of another.
	deep := "{type: string}"
	for range 600 {
		deep = "{type: object, properties: {x: " + deep + "}}"
	}
	spec := `openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: a
      parameters: [{name: q, in: query, schema: ` + deep + `}]
      responses: {"200": {description: OK}}
  /b:
    get:
      operationId: b
      responses: {"200": {description: OK, content: {application/json: {schema: ` + deep + `}}}}
  /c:
    get:
      operationId: c
      responses: {"200": {description: OK, content: {application/json: {schema: {type: object}}}}}
`
	res, diags, failed = generateSpec(t, spec, false)
	if failed {
		t.Fatalf("a schema too deep sank the document:\n%s", diags)
	}
	wantLeftOut(t, res, diags, []string{
		`api.yaml:5:5: #/paths/~1a/get: warning: operation a is left out: the input schema made for tool "a" is not usable: the schema nests more than 1000 levels deep`,
		`api.yaml:10:5: #/paths/~1b/get: warning: the tool of operation b has no output schema: the output schema made for tool "b" is not usable: the schema nests more than 1000 levels deep`,
	})
	gen := string(planFile(t, res, "api_gen.go")) + string(planFile(t, res, "tools_gen.go"))
	if strings.Contains(gen, "opA") || !strings.Contains(gen, "opB") || strings.Contains(gen, "schemaBOutput") || !strings.Contains(gen, "schemaCOutput") {
		t.Errorf("the generated code serves a, or b with an output schema:\n%s", gen)
	}
	if len(res.Report.LeftOut) != 1 || res.Report.LeftOut[0].Operation != "a" || !strings.Contains(res.Report.LeftOut[0].Reason, "is not usable") || res.Report.LeftOut[0].Position != "api.yaml:5:5" {
		t.Errorf("the report's left-out operations are %+v, want a, with why", res.Report.LeftOut)
	}

	// Strict: both are errors, and there is no project.
	res, diags, failed = generateSpec(t, spec, true)
	if !failed || res != nil || strings.Count(diags, "is not usable") != 2 {
		t.Errorf("strict: failed %v, diagnostics:\n%s", failed, diags)
	}
}

// TestGenerateLateChecksDefs: a shared definition that fails the last
// check leaves out the operations whose arguments use it and the output
// schemas of those whose results do, and nothing else; strict, it is an
// error.
func TestGenerateLateChecksDefs(t *testing.T) {
	deep := "{type: string}"
	for range 600 {
		deep = "{type: object, properties: {x: " + deep + "}}"
	}
	spec := `openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    post:
      operationId: a
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Wrapper"}}}}
      responses: {"204": {description: OK}}
  /b:
    get:
      operationId: b
      responses: {"200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Deep"}}}}}
  /c:
    get:
      operationId: c
      responses: {"200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Fine"}}}}}
components:
  schemas:
    Fine: {type: object, properties: {n: {type: integer}}}
    Wrapper: {type: object, properties: {deep: {$ref: "#/components/schemas/Deep"}, fine: {$ref: "#/components/schemas/Fine"}}}
    Deep: ` + deep + `
`
	res, diags, failed := generateSpec(t, spec, false)
	if failed {
		t.Fatalf("a shared definition too deep sank the document:\n%s", diags)
	}
	wantLeftOut(t, res, diags, []string{
		`#/components/schemas/Deep: warning: the schema made of Deep is not usable: the schema nests more than 1000 levels deep`,
		`#/paths/~1a/post: warning: operation a is left out: its arguments use the schema made of Deep, which is not usable (#/components/schemas/Deep)`,
		`#/paths/~1b/get: warning: the tool of operation b has no output schema: its results use the schema made of Deep, which is not usable (#/components/schemas/Deep)`,
	})
	gen := string(planFile(t, res, "tools_gen.go"))
	if strings.Contains(gen, "schemaBOutput") || !strings.Contains(gen, "schemaCOutput") {
		t.Errorf("b keeps its output schema, or c lost its own:\n%s", gen)
	}
	if len(res.Report.LeftOut) != 1 || res.Report.LeftOut[0].Operation != "a" {
		t.Errorf("the report's left-out operations are %+v, want a", res.Report.LeftOut)
	}

	res, diags, failed = generateSpec(t, spec, true)
	if !failed || res != nil || !strings.Contains(diags, "the schema made of Deep is not usable") {
		t.Errorf("strict: failed %v, diagnostics:\n%s", failed, diags)
	}
}

// wantLeftOut checks that diags has each of wants, and that of the tools
// a, b and c, a was left out.
func wantLeftOut(t *testing.T, res *Result, diags string, wants []string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(diags, want) {
			t.Errorf("diagnostics lack\n%s\nin:\n%s", want, diags)
		}
	}
	var tools []string
	for _, tool := range res.Surface.Tools {
		tools = append(tools, tool.Name)
	}
	if !slices.Equal(tools, []string{"b", "c"}) {
		t.Errorf("tools %v, want b and c", tools)
	}
}

// planFile is the content of the plan's file name.
func planFile(t *testing.T, res *Result, name string) []byte {
	t.Helper()
	for _, f := range res.Plan.Files {
		if f.Path == name {
			return f.Content
		}
	}
	t.Fatalf("the plan has no %s", name)
	return nil
}
