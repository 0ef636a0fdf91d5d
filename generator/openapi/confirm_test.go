package openapi

import (
	"testing"

	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// TestConfirm checks which operations ask the user first: DELETEs by
// default, as the server's policy and the overrides change that.
func TestConfirm(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://x.example.com"}]
paths:
  /pets:
    get: {operationId: listPets, responses: {"200": {description: OK}}}
    post: {operationId: addPet, responses: {"200": {description: OK}}}
  /pets/{id}:
    delete:
      operationId: deletePet
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: OK}}
`
	for _, tc := range []struct {
		name      string
		server    string
		overrides []manifest.OperationOverride
		want      map[string]string // confirmed tool → its message
	}{
		{"default", "", nil, map[string]string{"delete_pet": ""}},
		{"never", "never", nil, map[string]string{}},
		{"always", "always", nil, map[string]string{"list_pets": "", "add_pet": "", "delete_pet": ""}},
		{"overrides", "", []manifest.OperationOverride{
			{Operation: "addPet", Confirm: "always", ConfirmMessage: "Add a pet?"},
			{Operation: "deletePet", ConfirmMessage: "Delete pet {{id}}?"},
		}, map[string]string{"add_pet": "Add a pet?", "delete_pet": "Delete pet {{id}}?"}},
		{"override never", "always", []manifest.OperationOverride{
			{Operation: "DELETE /pets/{id}", Confirm: "never"},
		}, map[string]string{"list_pets": "", "add_pet": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, diags := loader.Load("api.yaml", []byte(doc), nil)
			if d == nil {
				t.Fatalf("load:\n%s", diags.Format(0))
			}
			res, diags := Import(d, &Options{Server: "demo", Confirm: tc.server, Section: &manifest.OpenAPI{Spec: "api.yaml", Overrides: tc.overrides}})
			if diags.HasErrors() {
				t.Fatalf("import:\n%s", diags.Format(0))
			}
			got := make(map[string]string)
			for _, tool := range res.Tools {
				if tool.Confirm != nil {
					got[tool.Name] = tool.Confirm.Message
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("confirmed %v, want %v", got, tc.want)
			}
			for name, msg := range tc.want {
				if m, ok := got[name]; !ok || m != msg {
					t.Errorf("tool %s: confirmed %v with %q, want %q", name, ok, m, msg)
				}
			}
		})
	}
}
