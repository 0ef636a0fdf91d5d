package openapi

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// recursiveDoc is an API whose one operation takes body, under components
// holding schemas.
func recursiveDoc(body, schemas string) string {
	return `openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /q:
    post:
      operationId: query
      requestBody:
        required: true
        content:
          application/json:
            schema: ` + body + `
      responses: {'200': {description: ok}}
components:
  schemas:
` + schemas
}

// TestAllOfRecursion checks that a schema that refers to itself through a
// merged allOf ends at its definition, as one that refers to itself through
// a $ref does.
func TestAllOfRecursion(t *testing.T) {
	filter := `    Filter:
      type: object
      properties:
        Not:
          allOf:
            - $ref: '#/components/schemas/Filter'
            - description: the opposite
        And:
          type: array
          items:
            allOf: [{$ref: '#/components/schemas/Filter'}, {type: object, properties: {weight: {type: number}}}]
        Key: {type: string}
`
	t.Run("named", func(t *testing.T) {
		res := mustImport(t, recursiveDoc(`{$ref: '#/components/schemas/Filter'}`, filter), nil)
		body := at(t, decode(t, toolNamed(t, res, "query").InputSchema), "properties", "body")
		if ref := at(t, body, "$ref"); ref != "#/$defs/Filter" {
			t.Errorf("body = %v, want a reference to Filter", body)
		}
		def := defNamed(t, res, "Filter")
		not := at(t, def, "properties", "Not")
		if at(t, not, "$ref") != "#/$defs/Filter" || at(t, not, "description") != "the opposite" {
			t.Errorf("Not = %v, want the reference to Filter, described", not)
		}
		// A member that adds properties to Filter cannot be merged with it
		// without copying Filter into itself: it stays an allOf.
		item := at(t, def, "properties", "And", "items")
		if all, ok := at(t, item, "allOf").([]any); !ok || len(all) != 2 || at(t, all[0], "$ref") != "#/$defs/Filter" {
			t.Errorf("And's items = %v, want allOf [Filter, …]", item)
		}
	})
	t.Run("inline", func(t *testing.T) {
		// The body merges Filter in; Filter's own Not refers to it.
		res := mustImport(t, recursiveDoc(`{allOf: [{$ref: '#/components/schemas/Filter'}, {description: a filter, properties: {extra: {type: string}}}]}`, filter), nil)
		body := at(t, decode(t, toolNamed(t, res, "query").InputSchema), "properties", "body")
		if at(t, body, "properties", "extra") == nil || at(t, body, "properties", "Not", "$ref") != "#/$defs/Filter" {
			t.Errorf("body = %v, want Filter merged, its Not a reference", body)
		}
		defNamed(t, res, "Filter")
	})
	t.Run("mutual", func(t *testing.T) {
		// A merges B, which merges A: each copies the other in once, then
		// refers to it.
		schemas := `    A:
      type: object
      properties:
        b: {allOf: [{$ref: '#/components/schemas/B'}, {properties: {fromA: {type: string}}}]}
    B:
      type: object
      properties:
        a: {allOf: [{$ref: '#/components/schemas/A'}, {properties: {fromB: {type: string}}}]}
`
		res := mustImport(t, recursiveDoc(`{allOf: [{$ref: '#/components/schemas/A'}, {description: both}]}`, schemas), nil)
		if res.Work > 200 {
			t.Errorf("work = %d, want a few dozen steps", res.Work)
		}
		a := defNamed(t, res, "A")
		if at(t, a, "properties", "b", "properties", "a", "allOf") == nil {
			t.Errorf("A = %v, want B merged into b, and A referred to in B's a", a)
		}
	})
}

// TestInlineCycle checks the last guard of the conversion: a schema that
// contains itself without a $ref, which no document gives the loader, but a
// caller of Import could build.
func TestInlineCycle(t *testing.T) {
	d, diags := loader.Load("api.yaml", []byte(recursiveDoc(`{type: object, properties: {x: {type: string}}}`, "    X: {type: string}\n")), nil)
	if d == nil {
		t.Fatal(diags)
	}
	body := d.T.Paths.Value("/q").Post.RequestBody.Value.Content["application/json"].Schema.Value
	body.Properties["self"] = &openapi3.SchemaRef{Value: body}
	body.Properties["list"] = &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: &openapi3.SchemaRef{Value: body}}}
	res, diags := Import(d, &Options{Server: "demo", Section: &manifest.OpenAPI{Spec: "api.yaml"}})
	if res == nil || diags.HasErrors() {
		t.Fatalf("import:\n%s", diags.Format(0))
	}
	got := diags.Format(0)
	if !strings.Contains(got, "#/paths/~1q/post/requestBody/content/application~1json/schema/properties/self: warning: the schema contains itself") {
		t.Errorf("warnings:\n%s\nwant one about the schema that contains itself", got)
	}
	self := at(t, decode(t, toolNamed(t, res, "query").InputSchema), "properties", "body", "properties", "self")
	if m, ok := self.(map[string]any); !ok || len(m) != 0 {
		t.Errorf("self = %v, want the empty schema", self)
	}
}

// exponentialDoc is a document whose schemas double with each of depth
// levels when allOf is merged, and which has no cycle: S0's two
// properties each merge S1, whose two each merge S2, and so on. Its first
// operation, big, takes them; its second, small, does not.
func exponentialDoc(depth int) string {
	var b strings.Builder
	b.WriteString(`openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /big:
    post:
      operationId: big
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/S0'}
      responses: {'200': {description: ok}}
  /small:
    get:
      operationId: small
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Small'}}}}}
components:
  schemas:
    Small: {type: object, properties: {s: {type: string}}}
`)
	for i := range depth {
		b.WriteString("    S" + itoa(i) + ":\n      type: object\n      properties:\n")
		if i == depth-1 {
			b.WriteString("        z: {type: string}\n")
			continue
		}
		for _, p := range []string{"a", "b"} {
			b.WriteString("        " + p + ": {allOf: [{$ref: '#/components/schemas/S" + itoa(i+1) + "'}, {type: object, properties: {" + p + "x: {type: string}}}]}\n")
		}
	}
	return b.String()
}

// TestWorkBudget checks that an operation whose schemas pass its share of
// the budget is left out with a warning, and that passing the document's
// budget is an error.
func TestWorkBudget(t *testing.T) {
	doc := exponentialDoc(30)
	d, diags := loader.Load("api.yaml", []byte(doc), nil)
	if d == nil {
		t.Fatal(diags)
	}
	const budget = 80_000
	res, diags := Import(d, &Options{Server: "demo", Section: &manifest.OpenAPI{Spec: "api.yaml"}, MaxWork: budget})
	if res == nil || diags.HasErrors() {
		t.Fatalf("import:\n%s", diags.Format(0))
	}
	if want := "#/paths/~1big/post: warning: operation big is left out: converting its schemas takes more than 10000 steps"; !strings.Contains(diags.Format(0), want) {
		t.Errorf("warnings:\n%s\nwant %q", diags.Format(0), want)
	}
	if len(res.Tools) != 1 || res.Tools[0].Name != "small" {
		t.Errorf("tools %v, want small only", res.Tools)
	}
	for _, def := range res.API.Defs {
		if def.Name != "Small" {
			t.Errorf("definition %s of the left-out operation is kept", def.Name)
		}
	}
	if res.Work > budget {
		t.Errorf("work %d, over the budget of %d", res.Work, budget)
	}

	// The same operation, many times over: their work together passes
	// the document's budget.
	var many strings.Builder
	head, rest, _ := strings.Cut(doc, "  /small:")
	many.WriteString(head)
	for i := range opShare + 2 {
		many.WriteString("  /big" + itoa(i) + ":\n    post:\n      operationId: big" + itoa(i) + "\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/S0'}}}}\n      responses: {'200': {description: ok}}\n")
	}
	many.WriteString("  /small:" + rest)
	d, diags = loader.Load("api.yaml", []byte(many.String()), nil)
	if d == nil {
		t.Fatal(diags)
	}
	res, diags = Import(d, &Options{Server: "demo", Section: &manifest.OpenAPI{Spec: "api.yaml"}, MaxWork: budget})
	if res != nil || !diags.HasErrors() {
		t.Fatalf("no error; diagnostics:\n%s", diags.Format(0))
	}
	if want := "#/paths/~1big6/post: converting the document's schemas takes more than 80000 steps; the import stopped at operation big6"; !strings.Contains(diags.Format(0), want) {
		t.Errorf("diagnostics:\n%s\nwant %q", diags.Format(0), want)
	}
}

// TestDefaultChainBudget: checking each default of a chain of definitions
// against the schema with every definition it reaches grows with the
// square of the chain; the checks count against the budget, so a long
// chain leaves its operation out instead of running for minutes, and a
// short one keeps its defaults.
func TestDefaultChainBudget(t *testing.T) {
	chain := func(n int) string {
		var b strings.Builder
		for i := range n {
			next := "{$ref: '#/components/schemas/S" + itoa(i+1) + "'}"
			if i == n-1 {
				next = "{type: string}"
			}
			b.WriteString("    S" + itoa(i) + ": {type: object, default: {}, properties: {next: " + next + "}}\n")
		}
		return b.String()
	}
	for _, tc := range []struct {
		n    int
		kept bool
	}{{20, true}, {3000, false}} {
		d, diags := loader.Load("api.yaml", []byte(recursiveDoc("{$ref: '#/components/schemas/S0'}", chain(tc.n))), nil)
		if d == nil {
			t.Fatal(diags)
		}
		res, diags := Import(d, &Options{Server: "demo", Section: &manifest.OpenAPI{Spec: "api.yaml"}})
		if res == nil || diags.HasErrors() {
			t.Fatalf("%d definitions: import:\n%s", tc.n, diags.Format(0))
		}
		if kept := len(res.Tools) == 1; kept != tc.kept {
			t.Errorf("%d definitions: operation kept %v, want %v\n%s", tc.n, kept, tc.kept, diags.Format(0))
		}
		if !tc.kept && !strings.Contains(diags.Format(0), "operation query is left out: converting its schemas takes more than") {
			t.Errorf("%d definitions: no warning that the operation is left out:\n%s", tc.n, diags.Format(0))
		}
		if res.Work > DefaultMaxWork {
			t.Errorf("%d definitions: work %d, over the budget", tc.n, res.Work)
		}
	}
}

// TestDescribedReference checks allOf: [X, {description}], and that a lone
// allOf: [{description}] still converts as its member.
func TestDescribedReference(t *testing.T) {
	schemas := `    Key: {type: string, enum: [a, b]}
    Box:
      type: object
      properties:
        key: {allOf: [{$ref: '#/components/schemas/Key'}, {description: the key}]}
        own: {description: its own, allOf: [{$ref: '#/components/schemas/Key'}, {description: the key}]}
        lone: {allOf: [{description: alone}]}
        two: {allOf: [{$ref: '#/components/schemas/Key'}, {$ref: '#/components/schemas/Key'}]}
`
	res := mustImport(t, recursiveDoc(`{$ref: '#/components/schemas/Box'}`, schemas), nil)
	box := defNamed(t, res, "Box")
	for _, c := range []struct{ prop, desc string }{{"key", "the key"}, {"own", "its own"}} {
		p := at(t, box, "properties", c.prop)
		if at(t, p, "$ref") != "#/$defs/Key" || at(t, p, "description") != c.desc {
			t.Errorf("%s = %v, want Key described as %q", c.prop, p, c.desc)
		}
	}
	if lone := at(t, box, "properties", "lone"); at(t, lone, "description") != "alone" || at(t, lone, "allOf") != nil {
		t.Errorf("lone = %v, want {description: alone}", lone)
	}
	if two := at(t, box, "properties", "two", "allOf"); two == nil {
		t.Errorf("two = %v, want the allOf kept", at(t, box, "properties", "two"))
	}
}
