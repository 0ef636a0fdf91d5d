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
