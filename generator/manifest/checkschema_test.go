package manifest

import (
	"slices"
	"strings"
	"testing"
)

// TestCheckSchemaPart: a part of a tool's schema is checked beside the
// shared definitions it names, with the problems placed from its own
// root, and without the rules for a tool schema's root.
func TestCheckSchemaPart(t *testing.T) {
	defs := []string{"Pet", "a/b"}
	for _, tt := range []struct {
		schema     string
		unresolved bool
		want       []string // pointer: message fragment
	}{
		{`{"$ref":"#/$defs/Pet"}`, false, nil},
		{`{"type":"object","properties":{"p":{"$ref":"#/$defs/a~1b"}}}`, false, nil},
		{`{"type":"object","properties":{"p":{"$ref":"#/$defs/Missing"}}}`, true, []string{`#/properties/p/$ref: $ref "#/$defs/Missing" does not resolve`}},
		{`{"type":"object","properties":{"n":{"type":"integer","minimum":"one"}}}`, true, []string{"#/properties/n/minimum: minimum must be a number"}},
		{`{"type":"object","properties":{"n":{"type":"integer","default":"one"}}}`, false, []string{"#/properties/n/default: default \"one\" does not match its schema"}},
		{`{"$id":"https://example.com/s"}`, true, []string{"#/$id: $id is only supported at the root"}},
	} {
		got := CheckSchema([]byte(tt.schema), &CheckOptions{Part: true, Defs: defs, Unresolved: tt.unresolved})
		var lines []string
		for _, p := range got {
			lines = append(lines, p.Pointer+": "+p.Msg)
		}
		if len(lines) != len(tt.want) {
			t.Errorf("%s: got\n%s\nwant %d problems", tt.schema, strings.Join(lines, "\n"), len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%s: problem %q, want %q", tt.schema, lines[i], w)
			}
		}
	}
	// A whole tool schema must be an object; a part need not.
	if got := CheckSchema([]byte(`{"type":"string"}`), nil); len(got) != 1 || got[0].Pointer != "#/type" {
		t.Errorf("whole: %v, want the root's type refused", got)
	}
}

// TestCheckDefs places each problem in the definition it is in, and checks
// only the definitions asked for.
func TestCheckDefs(t *testing.T) {
	defs := []Def{
		{Name: "Good", Schema: []byte(`{"type":"object","properties":{"b":{"$ref":"#/$defs/Bad~1x"}}}`)},
		{Name: "Bad/x", Schema: []byte(`{"type":"string","pattern":"(?!x)"}`)},
		{Name: "Loop", Schema: []byte(`{"allOf":[{"$ref":"#/$defs/Loop"}]}`)},
	}
	got := CheckDefs(defs, func(name string) bool { return name != "Loop" }, &CheckOptions{})
	var lines []string
	for _, p := range got {
		lines = append(lines, p.Def+" "+p.Pointer)
	}
	if !slices.Equal(lines, []string{"Bad/x #/pattern"}) {
		t.Errorf("CheckDefs = %q, want the pattern of Bad/x only", lines)
	}
	got = CheckDefs(defs, func(string) bool { return true }, &CheckOptions{Unresolved: true})
	if len(got) != 2 || got[1].Def != "Loop" || got[1].Pointer != "#/allOf/0/$ref" {
		t.Errorf("CheckDefs of all = %+v, want Bad/x and the loop of Loop", got)
	}
}

// TestCheckBudget: a check that runs out of its budget says so, and only
// that; one within it spends a step a schema.
func TestCheckBudget(t *testing.T) {
	schema := []byte(`{"type":"object","properties":{"a":{"type":"string"},"b":{"$ref":"#/$defs/B"}},"$defs":{"B":{"type":"integer"}}}`)
	b := NewBudget(3)
	got := CheckSchema(schema, &CheckOptions{Budget: b})
	if !b.Spent() || len(got) != 1 || !strings.Contains(got[0].Msg, "budget") {
		t.Errorf("with 3 steps: spent %v, problems %v", b.Spent(), got)
	}
	b = NewBudget(100)
	if got := CheckSchema(schema, &CheckOptions{Budget: b}); len(got) != 0 || b.Left() != 96 {
		t.Errorf("with 100 steps: %d left, problems %v; want 96 left (four schemas)", b.Left(), got)
	}
}
