package openapi

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
)

const selectionDoc = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Thing"}}
  /page:
    get:
      operationId: getPage
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Page"}
components:
  schemas:
    User:
      type: object
      required: [login]
      properties:
        login: {type: string}
    Thing:
      type: object
      required: [id, owner]
      properties:
        id: {type: integer}
        name: {type: [string, "null"]}
        owner: {$ref: "#/components/schemas/User"}
        tags: {type: array, items: {type: string}}
    Page:
      type: object
      required: [items]
      properties:
        items: {type: array, items: {$ref: "#/components/schemas/Thing"}}
        total: {type: integer}
`

// TestSelectedOutput checks the output schema of a tool with a select:
// the schema of what the program yields, wrapped as {"result": ...} unless
// it is surely an object, or none when its shape cannot be told.
func TestSelectedOutput(t *testing.T) {
	for _, tc := range []struct {
		op, program string
		want        string // the output schema, compact; "" for none
	}{
		{"listThings", `.`, `{"type":"object","properties":{"result":{"type":"array","items":{"$ref":"#/$defs/Thing"}}},"required":["result"]}`},
		{"listThings", `[.[] | {id, name}]`, `{"type":"object","properties":{"result":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":["string","null"]}},"required":["id","name"],"additionalProperties":false}}},"required":["result"]}`},
		{"listThings", `map(.owner.login)`, `{"type":"object","properties":{"result":{"type":"array","items":{"type":"string"}}},"required":["result"]}`},
		{"listThings", `[.[] | select(.id > 1) | {id, who: .owner}]`, `{"type":"object","properties":{"result":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"},"who":{"$ref":"#/$defs/User"}},"required":["id","who"],"additionalProperties":false}}},"required":["result"]}`},
		{"listThings", `.[0]`, `{"type":"object","properties":{"result":{"anyOf":[{"$ref":"#/$defs/Thing"},{"type":"null"}]}},"required":["result"]}`},
		{"listThings", `{count: length, first: .[0].id, tags: [.[].tags[]]}`, `{"type":"object","properties":{"count":{"type":"integer"},"first":{"anyOf":[{"type":"integer"},{"type":"null"}]},"tags":{"type":"array","items":{"type":"string"}}},"required":["count","first","tags"],"additionalProperties":false}`},
		{"listThings", `sort_by(.id) | .[:3]`, `{"type":"object","properties":{"result":{"type":"array","items":{"$ref":"#/$defs/Thing"}}},"required":["result"]}`},
		{"listThings", `[.[].unknown]`, `{"type":"object","properties":{"result":{"type":"array","items":{}}},"required":["result"]}`},
		{"listThings", `.[] | .id`, ``},                   // none or several values
		{"listThings", `.[] | select(.id > 1)`, ``},       // likewise
		{"listThings", `{id: .[].id}`, ``},                // as many objects as items
		{"listThings", `.[0].unknown`, ``},                // anything
		{"listThings", `[.[] | .id + 1]`, ``},             // arithmetic is not followed
		{"listThings", `def f: .id; map(f)`, ``},          // nor definitions
		{"listThings", `reduce .[] as $t (0; . + 1)`, ``}, // nor reduce
		{"getPage", `.items`, `{"type":"object","properties":{"result":{"type":"array","items":{"$ref":"#/$defs/Thing"}}},"required":["result"]}`},
		{"getPage", `.total`, `{"type":"object","properties":{"result":{"anyOf":[{"type":"integer"},{"type":"null"}]}},"required":["result"]}`},
		{"getPage", `.items[0].owner`, `{"type":"object","properties":{"result":{"anyOf":[{"$ref":"#/$defs/User"},{"type":"null"}]}},"required":["result"]}`},
		{"getPage", `.items[0] | {login: .owner.login}`, `{"type":"object","properties":{"login":{"anyOf":[{"type":"string"},{"type":"null"}]}},"required":["login"],"additionalProperties":false}`},
		{"getPage", `.`, `{"type":"object","$ref":"#/$defs/Page"}`},
	} {
		t.Run(tc.op+" "+tc.program, func(t *testing.T) {
			res := mustImport(t, selectionDoc, &manifest.OpenAPI{Spec: "api.yaml", Overrides: []manifest.OperationOverride{
				{Operation: tc.op, Response: &manifest.Response{Select: tc.program}},
			}})
			var tool *ir.Tool
			for _, x := range res.Tools {
				if x.Op.ID == tc.op {
					tool = x
				}
			}
			got := ""
			if tool.OutputSchema != nil {
				var b bytes.Buffer
				if err := json.Compact(&b, tool.OutputSchema); err != nil {
					t.Fatal(err)
				}
				got = b.String()
			}
			if got != tc.want {
				t.Errorf("output schema\n%s\nwant\n%s", got, tc.want)
			}
			if wrapped := bytes.Contains([]byte(got), []byte(`{"type":"object","properties":{"result":`)); tool.Op.WrapOutput != wrapped {
				t.Errorf("WrapOutput %v, want %v", tool.Op.WrapOutput, wrapped)
			}
			if tool.Op.Budget == nil || tool.Op.Budget.Select != tc.program {
				t.Errorf("budget %+v", tool.Op.Budget)
			}
		})
	}
}

// TestBudget checks that an override's response takes what it leaves out
// from the section's.
func TestBudget(t *testing.T) {
	res := mustImport(t, selectionDoc, &manifest.OpenAPI{
		Spec:     "api.yaml",
		Response: &manifest.Response{MaxBytes: 100000, Select: "."},
		Overrides: []manifest.OperationOverride{
			{Operation: "getPage", Response: &manifest.Response{Select: ".items"}},
		},
	})
	for name, want := range map[string]ir.Budget{
		"list_things": {Select: ".", MaxBytes: 100000, Pointer: "#/openapi/response"},
		"get_page":    {Select: ".items", MaxBytes: 100000, Pointer: "#/openapi/overrides/0/response"},
	} {
		if got := toolNamed(t, res, name).Op.Budget; got == nil || *got != want {
			t.Errorf("%s: budget %+v, want %+v", name, got, want)
		}
	}
	res = mustImport(t, selectionDoc, nil)
	if b := toolNamed(t, res, "list_things").Op.Budget; b != nil {
		t.Errorf("budget %+v without a response", b)
	}
}

const pagingDoc = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /pages:
    get:
      operationId: pages
      parameters:
        - {name: per_page, in: query, schema: {type: integer, default: 30}}
        - {name: page, in: query, schema: {type: integer, default: 1}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array}}}}}
  /zero:
    get:
      operationId: zero
      parameters:
        - {name: page, in: query, schema: {type: [integer, "null"], minimum: 0}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Open"}}}}}
  /text-page:
    get:
      operationId: textPage
      parameters:
        - {name: page, in: query, schema: {type: string}}
      responses: {"200": {description: ok}}
  /header-page:
    get:
      operationId: headerPage
      parameters:
        - {name: page, in: header, schema: {type: integer}}
      responses: {"200": {description: ok}}
  /cursor:
    get:
      operationId: cursor
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: offset, in: query, schema: {type: integer}}
        - {name: cursor, in: query, schema: {type: string}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Closed"}}}}}
  /offset:
    get:
      operationId: offset
      parameters:
        - {name: offset, in: query, schema: {type: integer}}
        - {name: limit, in: query, schema: {type: integer}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Named"}}}}}
  /after:
    get:
      operationId: after
      parameters:
        - {name: after, in: query, schema: {type: string}}
        - {name: first, in: query, schema: {type: integer}}
      responses: {"200": {description: ok}}
  /after-date:
    get:
      operationId: afterDate
      parameters:
        - {name: after, in: query, schema: {type: string, format: date-time}}
        - {name: first, in: query, schema: {type: integer}}
      responses: {"200": {description: ok}}
  /after-alone:
    get:
      operationId: afterAlone
      parameters:
        - {name: after, in: query, schema: {type: string}}
      responses: {"200": {description: ok}}
  /token:
    get:
      operationId: token
      parameters:
        - {name: pageToken, in: query, schema: {type: string}}
        - {name: pageSize, in: query, schema: {type: integer}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Open: {type: object, properties: {items: {type: array}}}
    Closed: {type: object, additionalProperties: false, properties: {items: {type: array}}}
    Named: {type: object, properties: {_next: {type: string}}}
`

func TestPaging(t *testing.T) {
	res := mustImport(t, pagingDoc, nil)
	for name, want := range map[string]*ir.Paging{
		"pages":       {Page: "page", FirstPage: 1, Size: "per_page", InResult: true},
		"zero":        {Page: "page", FirstPage: 0, InResult: true},
		"text_page":   nil,
		"header_page": nil,
		"cursor":      {Cursor: "cursor", Size: "limit"},
		"offset":      {Offset: "offset", Size: "limit"},
		"after":       {Cursor: "after", Size: "first", InResult: true},
		"after_date":  nil,
		"after_alone": nil,
		"token":       {Cursor: "pageToken", Size: "pageSize", InResult: true},
	} {
		got := toolNamed(t, res, name).Op.Paging
		if (got == nil) != (want == nil) || got != nil && *got != *want {
			t.Errorf("%s: paging %+v, want %+v", name, got, want)
		}
	}
	// Where "_next" fits, the output schema has it.
	next := func(name string) any {
		return at(t, decode(t, toolNamed(t, res, name).OutputSchema), "properties", "_next", "properties")
	}
	if got, _ := json.Marshal(next("pages")); string(got) != `{"page":{"type":"integer"},"per_page":{"type":"integer"}}` {
		t.Errorf("pages: _next %s", got)
	}
	if got, _ := json.Marshal(next("zero")); string(got) != `{"page":{"type":"integer"}}` {
		t.Errorf("zero: _next %s", got)
	}
	// A closed definition, and one with a "_next" of its own.
	for _, name := range []string{"cursor", "offset"} {
		if s := toolNamed(t, res, name).OutputSchema; bytes.Contains(s, []byte(`"_next"`)) {
			t.Errorf("%s: the output schema gained _next where it does not fit:\n%s", name, s)
		}
	}
}
