package report

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/ir"
)

// opTool is a tool of an operation, with the given input and output schemas.
func opTool(name, id, route, in, out string) *ir.Tool {
	method, p, _ := strings.Cut(route, " ")
	t := &ir.Tool{Name: name, InputSchema: []byte(in), Op: &ir.Operation{ID: id, Method: method, Path: p}}
	if out != "" {
		t.OutputSchema = []byte(out)
	}
	return t
}

func surface(tools ...*ir.Tool) *Surface {
	return SurfaceOf(&ir.Project{Name: "s", Tools: tools, API: &ir.API{Spec: "api.yaml"}})
}

func TestDiff(t *testing.T) {
	const obj = `{"type":"object"}`
	tests := []struct {
		name     string
		old, new []*ir.Tool
		want     []string // "kind tool arg breaking"
	}{
		{"unchanged",
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, "")},
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, "")},
			nil},
		{"tool added",
			nil,
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, "")},
			[]string{"tool-added a - false"}},
		{"tool removed",
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, "")},
			nil,
			[]string{"tool-removed a - true"}},
		{"renamed, same route",
			[]*ir.Tool{opTool("get_pet", "getPet", "GET /pets/{id}", obj, "")},
			[]*ir.Tool{opTool("show_pet", "showPet", "GET /pets/{id}", obj, "")},
			[]string{"tool-renamed show_pet - true"}},
		{"renamed, same operationId",
			[]*ir.Tool{opTool("get_pet", "getPet", "GET /pets/{id}", obj, "")},
			[]*ir.Tool{opTool("pet", "getPet", "GET /v2/pets/{id}", obj, "")},
			[]string{"tool-renamed pet - true"}},
		{"manifest tools are never renamed",
			[]*ir.Tool{{Name: "x", InputSchema: []byte(obj)}},
			[]*ir.Tool{{Name: "y", InputSchema: []byte(obj)}},
			[]string{"tool-removed x - true", "tool-added y - false"}},
		{"arguments",
			[]*ir.Tool{opTool("a", "a", "GET /a", `{"type":"object","properties":{"gone":{"type":"string"},"retyped":{"type":"string"},"req":{"type":"string"},"opt":{"type":"string"}},"required":["opt"]}`, "")},
			[]*ir.Tool{opTool("a", "a", "GET /a", `{"type":"object","properties":{"retyped":{"type":"integer"},"req":{"type":"string"},"opt":{"type":"string"},"new_opt":{"type":"string"},"new_req":{"type":"string"}},"required":["req","new_req"]}`, "")},
			[]string{
				"argument-removed a gone true",
				"argument-added a new_opt false",
				"argument-added a new_req true",
				"argument-optional a opt false",
				"argument-required a req true",
				"argument-retyped a retyped true",
			}},
		{"enum narrowed is retyped",
			[]*ir.Tool{opTool("a", "a", "GET /a", `{"type":"object","properties":{"s":{"type":"string","enum":["a","b"]}}}`, "")},
			[]*ir.Tool{opTool("a", "a", "GET /a", `{"type":"object","properties":{"s":{"type":"string","enum":["a"]}}}`, "")},
			[]string{"argument-retyped a s true"}},
		{"description only: no change",
			[]*ir.Tool{opTool("a", "a", "GET /a", `{"type":"object","properties":{"s":{"type":"string"}}}`, "")},
			[]*ir.Tool{opTool("a", "a", "GET /a", `{"type":"object","properties":{"s":{"type":"string","description":"now documented"}}}`, "")},
			nil},
		{"output widened",
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, `{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}`)},
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, `{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id"]}`)},
			[]string{"output-changed a name false"}},
		{"output narrowed",
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, `{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"tag":{"type":"string"}},"required":["id"]}`)},
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, `{"type":"object","properties":{"id":{"type":"string"},"tag":{"type":"string"}}}`)},
			[]string{"output-changed a id true", "output-changed a name true"}},
		{"output property no longer required",
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, `{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}`)},
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, `{"type":"object","properties":{"id":{"type":"integer"}}}`)},
			[]string{"output-changed a id true"}},
		{"output removed and added",
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, obj), opTool("b", "b", "GET /b", obj, "")},
			[]*ir.Tool{opTool("a", "a", "GET /a", obj, ""), opTool("b", "b", "GET /b", obj, obj)},
			[]string{"output-changed a - true", "output-changed b - false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range Diff(surface(tt.old...), surface(tt.new...)) {
				arg := c.Arg
				if arg == "" {
					arg = "-"
				}
				got = append(got, strings.Join([]string{c.Kind, c.Tool, arg, strconv.FormatBool(c.Breaking)}, " "))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestSurfaceRoundTrip reads back what Marshal wrote.
func TestSurfaceRoundTrip(t *testing.T) {
	s := surface(opTool("a", "getA", "GET /a", `{"type":"object","properties":{"l":{"type":"array","items":{"$ref":"#/$defs/Pet"}}},"required":["l"]}`, `{"type":"array"}`))
	data := s.Marshal()
	if !strings.HasPrefix(string(data), "# Code generated by mcpgen. DO NOT EDIT.\n") {
		t.Errorf("no header:\n%s", data)
	}
	if !strings.Contains(string(data), `"type":"array<ref Pet>"`) {
		t.Errorf("argument type not summarised:\n%s", data)
	}
	back, err := ParseSurface(data)
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(s, back); len(d) != 0 {
		t.Errorf("the surface read back differs: %+v", d)
	}
}

func TestReportText(t *testing.T) {
	var tools []*ir.Tool
	for _, n := range []string{"a", "b"} {
		tools = append(tools, opTool(n, n, "GET /"+n, `{"type":"object"}`, ""))
	}
	p := &ir.Project{Name: "s", Tools: tools, API: &ir.API{Spec: "api.yaml"}}
	var diags diag.List
	diags.Warn(diag.Pos{File: "api.yaml", Line: 3, Col: 5}, "#/paths/~1c/get", "operation c is left out: no good")
	diags.Warn(diag.Pos{File: "api.yaml"}, "", "unknown field %q is ignored", "x")
	r := New(p, diags)
	var b strings.Builder
	r.WriteText(&b)
	want := `
Report: 2 tools from api.yaml
  left out: 1 operation
    c: no good
  warnings: 2 (1 operation left out, 1 unknown field)
  tools/list: 89 bytes, about 23 tokens (bytes/4)
  largest: a 44 B, b 44 B
`
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
	if len(r.LeftOut) != 1 || r.LeftOut[0].Position != "api.yaml:3:5" {
		t.Errorf("left out = %+v", r.LeftOut)
	}
}

// TestDiffDefs changes shared definitions under tools whose own schemas
// stay the same: every tool that reaches a changed definition, from its
// arguments or its result, directly or through another definition, gets
// the change, breaking as it would be for an argument or a result.
func TestDiffDefs(t *testing.T) {
	const (
		pet      = `{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"owner":{"$ref":"#/$defs/Owner"}},"required":["id"]}`
		owner    = `{"type":"object","properties":{"login":{"type":"string"}}}`
		petBody  = `{"type":"object","properties":{"body":{"$ref":"#/$defs/Pet"}},"required":["body"]}`
		noArgs   = `{"type":"object"}`
		listPets = `{"type":"object","properties":{"result":{"type":"array","items":{"$ref":"#/$defs/Pet"}}},"required":["result"]}`
	)
	project := func(defs map[string]string) *ir.Project {
		api := &ir.API{Spec: "api.yaml"}
		for _, name := range []string{"Owner", "Pet"} {
			api.Defs = append(api.Defs, ir.Def{Name: name, Schema: []byte(defs[name])})
		}
		return &ir.Project{Name: "s", API: api, Tools: []*ir.Tool{
			opTool("create_pet", "createPet", "POST /pets", petBody, `{"$ref":"#/$defs/Pet"}`),
			opTool("list_pets", "listPets", "GET /pets", noArgs, listPets),
			opTool("ping", "ping", "GET /ping", noArgs, ""),
		}}
	}
	old := SurfaceOf(project(map[string]string{"Pet": pet, "Owner": owner}))
	tests := []struct {
		name string
		defs map[string]string
		want []string // "kind tool arg def.property breaking"
	}{
		{"unchanged", map[string]string{"Pet": pet, "Owner": owner}, nil},
		{"description only",
			map[string]string{"Pet": strings.Replace(pet, `"type":"string"`, `"type":"string","description":"d"`, 1), "Owner": owner},
			nil},
		{"optional property added",
			map[string]string{"Pet": strings.Replace(pet, `"properties":{`, `"properties":{"tag":{"type":"string"},`, 1), "Owner": owner},
			[]string{
				"argument-added create_pet body Pet.tag false",
				"output-changed create_pet - Pet.tag false",
				"output-changed list_pets result Pet.tag false",
			}},
		{"required property added",
			map[string]string{"Pet": strings.Replace(strings.Replace(pet, `"properties":{`, `"properties":{"tag":{"type":"string"},`, 1), `"required":["id"]`, `"required":["id","tag"]`, 1), "Owner": owner},
			[]string{
				"argument-added create_pet body Pet.tag true",
				"output-changed create_pet - Pet.tag false",
				"output-changed list_pets result Pet.tag false",
			}},
		{"property removed",
			map[string]string{"Pet": strings.Replace(pet, `"name":{"type":"string"},`, ``, 1), "Owner": owner},
			[]string{
				"argument-removed create_pet body Pet.name true",
				"output-changed create_pet - Pet.name true",
				"output-changed list_pets result Pet.name true",
			}},
		{"property retyped",
			map[string]string{"Pet": strings.Replace(pet, `"id":{"type":"integer"}`, `"id":{"type":"string"}`, 1), "Owner": owner},
			[]string{
				"argument-retyped create_pet body Pet.id true",
				"output-changed create_pet - Pet.id true",
				"output-changed list_pets result Pet.id true",
			}},
		{"property newly required",
			map[string]string{"Pet": strings.Replace(pet, `"required":["id"]`, `"required":["id","name"]`, 1), "Owner": owner},
			[]string{"argument-required create_pet body Pet.name true"}},
		{"property no longer required",
			map[string]string{"Pet": strings.Replace(pet, `,"required":["id"]`, ``, 1), "Owner": owner},
			[]string{
				"argument-optional create_pet body Pet.id false",
				"output-changed create_pet - Pet.id true",
				"output-changed list_pets result Pet.id true",
			}},
		{"a definition inside another",
			map[string]string{"Pet": pet, "Owner": `{"type":"object","properties":{"login":{"type":"integer"}}}`},
			[]string{
				"argument-retyped create_pet body Owner.login true",
				"output-changed create_pet - Owner.login true",
				"output-changed list_pets result Owner.login true",
			}},
		{"definition retyped",
			map[string]string{"Pet": `{"type":"array","items":{"type":"string"}}`, "Owner": owner},
			[]string{
				"argument-retyped create_pet body Pet.- true",
				"output-changed create_pet - Pet.- true",
				"output-changed list_pets result Pet.- true",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Through the record, as generate and diff read it.
			now, err := ParseSurface(SurfaceOf(project(tt.defs)).Marshal())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range Diff(old, now) {
				arg, prop := c.Arg, c.Property
				if arg == "" {
					arg = "-"
				}
				if prop == "" {
					prop = "-"
				}
				got = append(got, strings.Join([]string{c.Kind, c.Tool, arg, c.Def + "." + prop, strconv.FormatBool(c.Breaking)}, " "))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}

	// A record written before definitions were kept compares by name.
	bare := *old
	bare.Defs = nil
	changed := SurfaceOf(project(map[string]string{"Pet": strings.Replace(pet, `"name":{"type":"string"},`, ``, 1), "Owner": owner}))
	if d := Diff(&bare, changed); len(d) != 0 {
		t.Errorf("against a record without definitions: %+v", d)
	}
}

// TestSurfaceDefs checks that the record keeps only the definitions the
// tools reach, a line each.
func TestSurfaceDefs(t *testing.T) {
	p := &ir.Project{Name: "s", API: &ir.API{Spec: "api.yaml", Defs: []ir.Def{
		{Name: "Pet", Schema: []byte(`{"type":"object","properties":{"tags":{"type":"array","items":{"$ref":"#/$defs/Tag"}}}}`)},
		{Name: "Tag", Schema: []byte(`{"type":"string"}`)},
		{Name: "Unused", Schema: []byte(`{"type":"object"}`)},
		{Name: "a/b", Schema: []byte(`{"type":"integer"}`)},
	}}, Tools: []*ir.Tool{opTool("a", "a", "GET /a", `{"type":"object","properties":{"n":{"$ref":"#/$defs/a~1b"}}}`, `{"anyOf":[{"$ref":"#/$defs/Pet"},{"type":"null"}]}`)}}
	data := string(SurfaceOf(p).Marshal())
	want := `
"defs": {
  "Pet": {"type":"object","props":[{"name":"tags","type":"array<ref Tag>"}]},
  "Tag": {"type":"string"},
  "a~1b": {"type":"integer"}
}}
`
	if !strings.HasSuffix(data, want) {
		t.Errorf("record:\n%s\nwant it to end with:%s", data, want)
	}
}
