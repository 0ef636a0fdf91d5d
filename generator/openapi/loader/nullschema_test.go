package loader

import (
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// TestNullSchemas: a null in allOf, anyOf or oneOf is dropped with a
// positioned warning (Isolate), or is the load's positioned error, in 3.0
// YAML and JSON and in Swagger 2.0; nulls in examples and extensions are
// data, and stay.
func TestNullSchemas(t *testing.T) {
	v3 := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    post:
      operationId: a
      x-note: {allOf: [null]}
      requestBody:
        content:
          application/json:
            schema:
              allOf: [{$ref: "#/components/schemas/X"}, null]
              example: {oneOf: [null]}
      responses: {"204": {description: OK}}
components:
  schemas:
    X: {type: object, properties: {k: {oneOf: [null, {type: string}]}}}
`
	var v any
	if err := yaml.Unmarshal([]byte(v3), &v); err != nil {
		t.Fatal(err)
	}
	v3json, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	v2 := `swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /a:
    post:
      operationId: a
      parameters:
        - {in: body, name: body, schema: {$ref: "#/definitions/Y"}}
      responses: {"204": {description: OK}}
definitions:
  X: {type: object}
  Y: {allOf: [{$ref: "#/definitions/X"}, null]}
`
	for _, tc := range []struct {
		name, file, data string
		want             []string // "line:col: pointer" of each warning
	}{
		{"3.0 yaml", "api.yaml", v3, []string{"12:57: #/paths/~1a/post/requestBody/content/application~1json/schema/allOf/1", "17:48: #/components/schemas/X/properties/k/oneOf/0"}},
		{"3.0 json", "api.json", string(v3json), []string{"#/components/schemas/X/properties/k/oneOf/0", "#/paths/~1a/post/requestBody/content/application~1json/schema/allOf/1"}},
		{"2.0", "api.yaml", v2, []string{"12:42: #/definitions/Y/allOf/1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, diags := Load(tc.file, []byte(tc.data), &Options{Isolate: true, SkipValidation: true})
			if doc == nil {
				t.Fatalf("not loaded:\n%s", diags.Format(0))
			}
			got := diags.Format(0)
			if strings.Count(got, "null is not a schema") != len(tc.want) {
				t.Errorf("warnings:\n%s\nwant %d about nulls", got, len(tc.want))
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("no warning at %s:\n%s", w, got)
				}
			}
			op := doc.T.Paths.Value("/a").Post
			if op == nil || op.OperationID != "a" {
				t.Fatalf("operation a is missing")
			}

			doc, diags = Load(tc.file, []byte(tc.data), &Options{SkipValidation: true})
			if doc != nil || !diags.HasErrors() || !strings.Contains(diags.Format(0), "null is not a schema") {
				t.Errorf("without Isolate: %v\n%s\nwant a positioned error", doc != nil, diags.Format(0))
			}
		})
	}
}
