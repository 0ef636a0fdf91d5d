package generator

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/templates"
)

// generateSpec runs Generate on a new OpenAPI project of spec, as `mcpgen
// new --from api.yaml` does.
func generateSpec(t *testing.T, spec string) (files int, diags string, failed bool) {
	t.Helper()
	m, err := templates.Manifest("openapi", templates.ManifestData{Name: "late", Spec: "api.yaml", Mode: "static", FirstOperation: "a"})
	if err != nil {
		t.Fatal(err)
	}
	in := &Input{ManifestPath: "mcpgen.yaml", Manifest: m, ReadFile: func(name string) ([]byte, error) {
		if name != "api.yaml" {
			return nil, fmt.Errorf("%s: no such file", name)
		}
		return []byte(spec), nil
	}}
	plan, d := Generate(in, &Options{Template: "openapi", WriteManifest: true})
	if plan != nil {
		files = len(plan.Files)
	}
	return files, d.Format(0), d.HasErrors()
}

// TestGenerateLateChecks: what the checks that run while the project is
// emitted find (kin-openapi's validation, the last check of the tools'
// schemas) is reported, and an error among it means no project.
func TestGenerateLateChecks(t *testing.T) {
	// Validation's warnings: the project is generated, with them.
	files, diags, failed := generateSpec(t, `openapi: 3.0.3
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
`)
	if failed || files == 0 || !strings.Contains(diags, "conflicting paths") {
		t.Errorf("conflicting paths: %d files, failed %v, diagnostics:\n%s", files, failed, diags)
	}

	// The last schema check's error: a schema nested deeper than the MCP
	// SDK reads. No project.
	deep := "{type: string}"
	for range 600 {
		deep = "{type: object, properties: {x: " + deep + "}}"
	}
	files, diags, failed = generateSpec(t, `openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: a
      parameters: [{name: q, in: query, schema: `+deep+`}]
      responses: {"200": {description: OK}}
`)
	if !failed || files != 0 || !strings.Contains(diags, "is not usable") {
		t.Errorf("a schema too deep: %d files, failed %v, diagnostics:\n%s", files, failed, diags)
	}
}
