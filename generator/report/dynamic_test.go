package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/ir"
)

// TestReportDynamic checks what the report counts in dynamic mode: the
// dynamic tools and the tools that stay tools in tools/list, the
// operations behind call_operation apart; and its advice, by how large
// those are.
func TestReportDynamic(t *testing.T) {
	readOnly := true
	op := func(name string, props int) *ir.Tool {
		var ps []string
		for i := range props {
			ps = append(ps, fmt.Sprintf(`"p%d":{"type":"string","description":"A property of some length, to make the schema large."}`, i))
		}
		tl := opTool(name, name, "GET /"+name, `{"type":"object","properties":{`+strings.Join(ps, ",")+`}}`, "")
		tl.Annotations = &ir.Annotations{ReadOnlyHint: &readOnly}
		return tl
	}
	custom := op("custom", 0)
	custom.Op.Custom = true
	project := func(tools ...*ir.Tool) *ir.Project {
		return &ir.Project{Name: "shop", Tools: tools, API: &ir.API{Spec: "api.yaml", Dynamic: true}}
	}

	r := New(project(op("a", 1), op("b", 2), custom), nil)
	if r.Tools.API != 3 || r.Operations == nil || r.Operations.Count != 2 {
		t.Fatalf("tools = %+v, operations = %+v; want 3 API tools, 2 operations behind the dynamic tools", r.Tools, r.Operations)
	}
	listed := map[string]bool{}
	for _, s := range r.Largest {
		listed[s.Name] = true
	}
	for _, name := range []string{"list_operations", "search_operations", "describe_operation", "call_operation", "custom"} {
		if !listed[name] {
			t.Errorf("largest listed tools %+v: %s missing", r.Largest, name)
		}
	}
	if got := r.Operations.Largest; len(got) != 2 || got[0].Name != "b" {
		t.Errorf("largest operations = %+v; want b, then a", got)
	}
	// call_operation is read-only when every operation is.
	if !strings.Contains(string(mustJSON(t, dynamicTools(project(), []*ir.Tool{op("a", 0)})[3])), `"readOnlyHint":true`) {
		t.Errorf("call_operation over read-only operations is not read-only")
	}
	if !strings.HasPrefix(r.Advice, "the 2 operations would fit in tools/list") {
		t.Errorf("advice = %q; want static mode advised", r.Advice)
	}

	// Too many operations for static mode, and one whose description alone
	// is past MaxOperationBytes.
	var many []*ir.Tool
	for i := range MaxTools {
		many = append(many, op(fmt.Sprintf("op%d", i), 1))
	}
	many = append(many, op("huge", 400))
	r = New(project(many...), nil)
	if r.Advice != "describe_operation returns more than 25,000 bytes for 1 operation (huge: "+thousands(r.Operations.Largest[0].Bytes)+" bytes); exclude what the model does not need (openapi: exclude, or an override with exclude: true), or shorten its description" {
		t.Errorf("advice = %q", r.Advice)
	}
	var b strings.Builder
	r.WriteText(&b)
	for _, want := range []string{
		"\nReport: 81 operations of api.yaml, served by the dynamic tools\n",
		"\n  largest by describe_operation: huge ",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}

	// Static mode says nothing of operations.
	p := project(op("a", 1))
	p.API.Dynamic = false
	if r := New(p, diag.List{}); r.Operations != nil || r.Advice != "" {
		t.Errorf("static mode: operations %+v, advice %q", r.Operations, r.Advice)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpSizes checks opSizes, which sizes an operation from one encoding,
// against the two encodings it stands for: the go-sdk's of the tool, and
// the runtime's of describe_operation's result.
func TestOpSizes(t *testing.T) {
	tl := opTool("x", "x", "GET /x/{id}", `{"type":"object","properties":{"id":{"type":"string","description":"<b>this & that</b>"}}}`, `{"$ref":"#/$defs/R"}`)
	tl.Description = "Gets <x> & more \u2028 é"
	tl.Title = "X"
	yes := true
	tl.Annotations = &ir.Annotations{ReadOnlyHint: &yes, Title: "<t>"}
	p := &ir.Project{Name: "s", Tools: []*ir.Tool{tl}, API: &ir.API{Spec: "api.yaml", Dynamic: true,
		Defs: []ir.Def{{Name: "R", Schema: []byte(`{"type":"object","description":"a < b"}`)}}}}
	for _, tags := range [][]string{nil, {"a&b", "c"}} {
		tl.Op.Tags = tags
		defs := newDefIndex(p)
		listed, described := opSizes(defs, tl)
		if want := toolBytes(defs, tl); listed != want {
			t.Errorf("tags %q: listed %d bytes, want %d", tags, listed, want)
		}
		tool := sdkTool(defs, tl)
		desc := struct {
			Name         string               `json:"name"`
			Title        string               `json:"title,omitempty"`
			Description  string               `json:"description,omitempty"`
			Method       string               `json:"method"`
			Path         string               `json:"path"`
			Tags         []string             `json:"tags,omitempty"`
			Annotations  *mcp.ToolAnnotations `json:"annotations,omitempty"`
			InputSchema  any                  `json:"inputSchema"`
			OutputSchema any                  `json:"outputSchema,omitempty"`
		}{tool.Name, tool.Title, tool.Description, tl.Op.Method, tl.Op.Path, tl.Op.Tags, tool.Annotations, tool.InputSchema, tool.OutputSchema}
		if want := len(encodeRaw(desc)); described != want {
			t.Errorf("tags %q: described %d bytes, want %d\n%s", tags, described, want, encodeRaw(desc))
		}
	}
}
