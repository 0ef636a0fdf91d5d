package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	mcpreport "github.com/mcpgen/mcpgen/generator/report"
)

// petsV1 shares Pet between the body of createPet and the results of both
// operations, and Owner inside Pet.
const petsV1 = `openapi: 3.0.3
info: {title: Pets, version: "1"}
servers: [{url: "https://pets.example.com"}]
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: OK
          content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}}}
    post:
      operationId: createPet
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
      responses:
        "201":
          description: created
          content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        nickname: {type: string}
        owner: {$ref: "#/components/schemas/Owner"}
    Owner:
      type: object
      properties:
        login: {type: string}
`

// petsV2 changes only the definitions: Pet gains a required "species" and
// loses "nickname"; Owner's login becomes an integer.
var petsV2 = strings.NewReplacer(
	"required: [name]", "required: [name, species]",
	"nickname: {type: string}", "species: {type: string}",
	"login: {type: string}", "login: {type: integer}",
).Replace(petsV1)

const defChanges = `Tool surface: 9 changes, 7 breaking
  ! create_pet: argument "body" → Pet: property "nickname" removed
  ! create_pet: argument "body" → Pet: required property "species" added
  ! create_pet: argument "body" → Owner: property "login" retyped: string → integer
  ! create_pet: output → Pet: property "nickname" removed
    create_pet: output → Pet: property "species" added
  ! create_pet: output → Owner: property "login" retyped: string → integer
  ! list_pets: output property "result" → Pet: property "nickname" removed
    list_pets: output property "result" → Pet: property "species" added
  ! list_pets: output property "result" → Owner: property "login" retyped: string → integer
`

// TestSurfaceDefinitionChanges changes a document's shared definitions
// only, and checks that diff and generate report the changes for each
// tool that uses them, from its arguments and from its result.
func TestSurfaceDefinitionChanges(t *testing.T) {
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	work := t.TempDir()
	spec := filepath.Join(work, "pets.yaml")
	writeFile(t, spec, petsV1)
	dir := filepath.Join(work, "pets")
	if code, _, stderr := mcpgen(t, "", "new", "pets", "--from", spec, "--out", dir); code != 0 {
		t.Fatalf("new: exit %d\n%s", code, stderr)
	}
	writeFile(t, filepath.Join(dir, "pets.yaml"), petsV2)

	code, stdout, stderr := mcpgen(t, dir, "diff", "--fail-on=breaking")
	if code != 1 || stdout != defChanges {
		t.Errorf("diff --fail-on=breaking: exit %d, want 1\n%s\nwant:\n%s\n%s", code, stdout, defChanges, stderr)
	}
	code, stdout, stderr = mcpgen(t, dir, "generate", "--report=json")
	if code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr)
	}
	validateReport(t, []byte(stdout))
	var r mcpreport.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Breaking != 7 || len(r.Changes) != 9 {
		t.Errorf("report: %d breaking of %d changes; want 7 of 9", r.Breaking, len(r.Changes))
	}
	for _, c := range r.Changes {
		if c.Def == "" || c.Property == "" {
			t.Errorf("change without its definition and property: %+v", c)
		}
	}
	if code, stdout, _ := mcpgen(t, dir, "diff", "--fail-on=breaking"); code != 0 || stdout != "Tool surface: no changes\n" {
		t.Errorf("diff after generate: exit %d, %q", code, stdout)
	}
}
