package apistage

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/gotype"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// load loads spec as api.yaml, failing the test on an error.
func load(t *testing.T, spec string) *loader.Document {
	t.Helper()
	doc, diags := loader.Load("api.yaml", []byte(spec), nil)
	if doc == nil {
		t.Fatal(diags.Format(0))
	}
	return doc
}

// emptyDoc is a document without operations.
func emptyDoc(t *testing.T) *loader.Document {
	t.Helper()
	return load(t, `openapi: 3.0.3
info: {title: T, version: "1"}
paths: {}
`)
}

// TestCheckSchemas feeds the last guard schemas the importer would never
// make, and expects each problem reported at the operation or schema of
// the document it came from.
func TestCheckSchemas(t *testing.T) {
	doc := load(t, `openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: a
      responses: {"200": {description: OK}}
components:
  schemas:
    Bad: {type: string}
`)
	res := &openapi.Result{
		API: &ir.API{Defs: []ir.Def{
			{Name: "Good", Schema: []byte(`{"type":"string"}`)},
			{Name: "Bad", Schema: []byte(`{"type":"string","pattern":"(?!x)"}`)},
		}},
		Tools: []*ir.Tool{
			{Name: "fine", InputSchema: []byte(`{"type":"object","properties":{"g":{"$ref":"#/$defs/Good"}}}`), Op: &ir.Operation{Pointer: "#/paths/~1a/get"}},
			{Name: "broken", InputSchema: []byte(`{"type":"object","properties":{"n":{"type":"integer","minimum":"one"}}}`), Op: &ir.Operation{Pointer: "#/paths/~1a/get"}},
			{Name: "result", InputSchema: []byte(`{"type":"object","properties":{"g":{"$ref":"#/$defs/Good"}}}`),
				OutputSchema: []byte(`{"type":"object","properties":{"result":{"type":"array","minItems":-1}}}`), Op: &ir.Operation{Pointer: "#/paths/~1a/get"}},
		},
	}
	// Both ways: through the parts the schemas share, and (exact) whole.
	for _, exact := range []bool{false, true} {
		got := checkSchemas(res, nil, nil, exact).errors(doc, res)
		if len(got) != 3 {
			t.Fatalf("exact %v: want 3 errors, got:\n%s", exact, got.Format(0))
		}
		var byTool, byOutput, byDef bool
		for _, d := range got {
			switch {
			case strings.Contains(d.Msg, `input schema made for tool "broken"`) && strings.Contains(d.Msg, "#/properties/n/minimum") && d.Pointer == "#/paths/~1a/get" && d.Pos.Line > 0:
				byTool = true
			case strings.Contains(d.Msg, `output schema made for tool "result"`) && strings.Contains(d.Msg, "#/properties/result/minItems"):
				byOutput = true
			case strings.Contains(d.Msg, "schema made of Bad") && d.Pointer == "#":
				byDef = true
			}
		}
		if !byTool || !byOutput || !byDef {
			t.Errorf("exact %v: errors not placed at the tool's operation and the definition:\n%s", exact, got.Format(0))
		}
	}
}

// TestInputDefs follows references from the input schemas through the
// definitions, and not from the output schemas.
func TestInputDefs(t *testing.T) {
	res := &openapi.Result{
		API: &ir.API{Defs: []ir.Def{
			{Name: "A", Schema: []byte(`{"type":"object","properties":{"b":{"$ref":"#/$defs/B~1x"}}}`)},
			{Name: "B/x", Schema: []byte(`{"type":"string"}`)},
			{Name: "C", Schema: []byte(`{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}}}`)},
		}},
		Tools: []*ir.Tool{{
			InputSchema:  []byte(`{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}}}`),
			OutputSchema: []byte(`{"$ref":"#/$defs/C"}`),
		}},
	}
	got := inputDefs(res)
	if len(got) != 2 || !got["A"] || !got["B/x"] {
		t.Errorf("inputDefs = %v, want A and B/x", got)
	}
}

// TestSchemaParts takes each parameter schema once, and an input schema
// the importer would not write whole, and the objects around them with
// empty property schemas; the SDK's steps on the parts find what they
// would find on the tools' schemas.
func TestSchemaParts(t *testing.T) {
	res := &openapi.Result{Tools: []*ir.Tool{
		{InputSchema: []byte(`{"type":"object","properties":{"owner":{"type":"string"},"n":{"type":"integer","default":1}},"required":["owner"],"additionalProperties":false}`)},
		{InputSchema: []byte(`{"type":"object","properties":{"owner":{"type":"string"}},"additionalProperties":false}`)},
		{InputSchema: []byte(`{"type":"object","properties":{},"allOf":[{"$ref":"#/$defs/A"}]}`)},
	}}
	parts, roots := schemaParts(toolSchemas(res, false), true)
	var got, gotRoots []string
	for _, p := range parts {
		got = append(got, string(p))
	}
	for _, r := range roots {
		gotRoots = append(gotRoots, string(r))
	}
	want := []string{`{"type":"integer","default":1}`, `{"type":"string"}`, string(res.Tools[2].InputSchema)}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantRoots := []string{
		`{"additionalProperties":false,"properties":{"n":{},"owner":{}},"required":["owner"],"type":"object"}`,
		`{"additionalProperties":false,"properties":{"owner":{}},"type":"object"}`,
	}
	if strings.Join(gotRoots, "\n") != strings.Join(wantRoots, "\n") {
		t.Errorf("roots:\n%s\nwant:\n%s", strings.Join(gotRoots, "\n"), strings.Join(wantRoots, "\n"))
	}
	stubs := []byte(`{"A":{}}`)
	if !resolvesLikeSDK(parts, stubs) {
		t.Error("sound parts refused")
	}
	for _, bad := range []string{`{"type":"string","pattern":"(?!x)"}`, `{"type":"integer","default":"one"}`, `{"$ref":"#/$defs/Missing"}`} {
		if resolvesLikeSDK(append(parts, []byte(bad)), stubs) {
			t.Errorf("%s passed", bad)
		}
	}
}

// TestNestsDeeper counts the nesting of objects and lists, not of what
// strings say.
func TestNestsDeeper(t *testing.T) {
	for _, tt := range []struct {
		in    string
		limit int
		want  bool
	}{
		{`{}`, 1, false},
		{`{"a":[{}]}`, 2, true},
		{`{"a":[{}]}`, 3, false},
		{`{"a":"{[{[{["}`, 1, false},
		{`{"a":"\"{[{"}`, 1, false},
		{`{"a":"\\","b":{}}`, 1, true},
		{`[[],[],[]]`, 2, false},
	} {
		if got := nestsDeeper([]byte(tt.in), tt.limit); got != tt.want {
			t.Errorf("nestsDeeper(%s, %d) = %v, want %v", tt.in, tt.limit, got, tt.want)
		}
	}
}

// TestClaimToolNames checks the one place where imported tools get their
// Go names: a custom tool's taken name is an error naming who has it, with
// no second attempt; another tool's takes the first free number, however
// many are taken; and custom tools claim before the others.
func TestClaimToolNames(t *testing.T) {
	doc := emptyDoc(t)
	f := &manifest.File{Filename: "mcpgen.yaml"}
	tool := func(name string, custom bool) *ir.Tool {
		return &ir.Tool{Name: name, Op: &ir.Operation{Pointer: "#/paths/~1" + name + "/get", Custom: custom}}
	}
	manifestTool := &ir.Tool{Name: "get-pet", GoName: "GetPet", InputType: "GetPetInput", HandlerFile: "get_pet_tool.go", Pointer: "#/tools/0", Pos: diag.Pos{File: "mcpgen.yaml", Line: 3, Col: 5}}
	taken := map[string]string{"NewServer": "the server constructor", "file:get_pet_tool.go": "", "GetPet": "", "GetPetInput": ""}
	for n := 2; n <= 1000; n++ {
		taken["Ping"+strconv.Itoa(n)] = "" // a long run of taken numbers
	}
	taken["Ping"] = ""
	claimed := func(name string) bool { _, ok := taken[name]; return ok }
	claim := func(name, what string) bool {
		if claimed(name) {
			return false
		}
		taken[name] = what
		return true
	}
	ping, pet, server, later, early := tool("ping", false), tool("get_pet", true), tool("new_server", true), tool("list", true), tool("list", false)
	res := &openapi.Result{API: &ir.API{Spec: "api.yaml"}}
	tn := newToolNames(f, doc, res, []*ir.Tool{manifestTool}, claimed, claim)
	tn.reserved = map[string]string{"NewServer": "the server constructor"}
	var typed []string
	got := tn.claimAll([]*ir.Tool{ping, early, pet, server, later}, func(t *ir.Tool) []gotype.Decl {
		typed = append(typed, t.Name)
		return nil
	})
	if ping.GoName != "Ping1001" {
		t.Errorf("ping's Go name is %q, want Ping1001", ping.GoName)
	}
	if pet.GoName != "" || server.GoName != "" {
		t.Errorf("custom tools with taken names got %q and %q, want none", pet.GoName, server.GoName)
	}
	if later.GoName != "List" || later.HandlerFile != "list_tool.go" || later.InputType != "ListInput" || early.GoName != "List2" {
		t.Errorf("the custom list tool has %q (%s, %s) and the other %q, want List and List2", later.GoName, later.InputType, later.HandlerFile, early.GoName)
	}
	if !slices.Equal(typed, []string{"list"}) {
		t.Errorf("types made for %v, want for the custom tool that has its names", typed)
	}
	want := []string{
		`api.yaml:3:1: #/paths/~1get_pet/get: custom tool "get_pet" needs the handler file get_pet_tool.go, which tool "get-pet" of the manifest (mcpgen.yaml:3:5 #/tools/0) already takes for its handler file; rename one of them`,
		`api.yaml:3:1: #/paths/~1new_server/get: custom tool "new_server" needs the Go name NewServer for its handler method, which the generated code declares (the server constructor); rename the tool, or serve it without custom: true`,
	}
	if len(got) != len(want) {
		t.Fatalf("diagnostics:\n%s\nwant:\n%s", got.Format(0), strings.Join(want, "\n"))
	}
	for i, d := range got {
		if d.String() != want[i] {
			t.Errorf("diagnostic %d:\n%s\nwant:\n%s", i, d, want[i])
		}
	}
}

// TestCheckBudget: the last checks share what the import left of the
// document's work budget, and stop when it runs out. Shared definitions
// that each hold a default and refer to the next make the check of every
// default validate against all of them.
func TestCheckBudget(t *testing.T) {
	doc := emptyDoc(t)
	const n = 100
	res := &openapi.Result{API: &ir.API{}, Tools: []*ir.Tool{{
		Name:        "chain",
		InputSchema: []byte(`{"type":"object","properties":{"s":{"$ref":"#/$defs/S0"}}}`),
		Op:          &ir.Operation{ID: "chain", Pointer: "#/paths/~1a/get"},
	}}}
	for i := range n {
		res.API.Defs = append(res.API.Defs, ir.Def{
			Name:   "S" + strconv.Itoa(i),
			Schema: []byte(`{"type":"object","default":{},"properties":{"next":{"$ref":"#/$defs/S` + strconv.Itoa((i+1)%n) + `"}}}`),
		})
	}
	budget := manifest.NewBudget(openapi.DefaultMaxWork)
	found := checkSchemas(res, nil, budget, false)
	if found.overrun || len(found.errors(doc, res)) != 0 {
		t.Fatalf("a sound document's checks ran out, or found: %v\n%s", found.overrun, found.errors(doc, res).Format(0))
	}
	used := openapi.DefaultMaxWork - budget.Left()
	t.Logf("%d steps", used)
	if used < n*n {
		t.Errorf("the checks took %d steps; a default's check costs the definitions it reaches, so more than %d", used, n*n)
	}

	found = checkSchemas(res, nil, manifest.NewBudget(used/2), false)
	l := found.late(doc, res, false)
	if !found.overrun || len(l.Diags) != 1 || !l.Diags.HasErrors() || !strings.Contains(l.Diags[0].Msg, "work budget") || len(l.LeftOut) != 0 {
		t.Errorf("with half the steps: overrun %v, diagnostics:\n%s", found.overrun, l.Diags.Format(0))
	}
}
