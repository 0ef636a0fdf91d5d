package manifest

import (
	"bytes"
	"encoding/json"
	"maps"
	"strings"
	"sync/atomic"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// Problem is an error found in a schema that code made, rather than one
// written in a manifest: where in the schema (a JSON pointer from its
// root, "#/properties/id/minimum") and what.
type Problem struct {
	Pointer string
	Msg     string
}

// CheckOptions say how CheckSchema checks a schema; nil means as a whole
// tool schema that the server resolves.
type CheckOptions struct {
	// Part checks the schema as it sits inside a tool's schema (an
	// operation's input or output schema beside the shared definitions)
	// rather than as a whole one: without the rules for a root, such as
	// type: object.
	Part bool
	// Defs names the shared definitions the schema may refer to as
	// "#/$defs/NAME", which sit beside it rather than in it; they count as
	// empty schemas here (CheckDefs checks them).
	Defs []string
	// Unresolved skips the MCP SDK's own steps (decoding and resolving the
	// schema with jsonschema-go), as Schema.Unresolved does.
	Unresolved bool
	// Budget, when set, bounds the work of the check, with every other
	// check that shares it.
	Budget *Budget
	// Exact is File.Exact: the schemas are decoded as the MCP SDK decodes
	// them, with json.Unmarshal.
	Exact bool
}

// Budget bounds the work of the schema checks that share it, in steps: one
// for each schema checked (an object or a boolean), and for each default,
// one for each DefaultStepBytes of the schema it is validated against,
// which holds the root's definitions when the default's schema refers to
// them. A check that runs out stops, and reports that it did. A Budget is
// safe for concurrent use.
type Budget struct {
	left atomic.Int64
}

// DefaultStepBytes is how much of the schema a default is validated
// against counts as a step: about the JSON of one schema of a document.
// The OpenAPI importer, which checks defaults as it converts, counts them
// the same way.
const DefaultStepBytes = 4

// NewBudget returns a budget of steps.
func NewBudget(steps int) *Budget {
	b := &Budget{}
	b.left.Store(int64(steps))
	return b
}

// spend takes n steps, and reports whether they were left. A nil budget
// never runs out.
func (b *Budget) spend(n int) bool {
	return b == nil || b.left.Add(-int64(n)) >= 0
}

// Spent reports whether the checks that share b ran out of it.
func (b *Budget) Spent() bool {
	return b != nil && b.left.Load() < 0
}

// Left is how many steps of b are left (negative when spent).
func (b *Budget) Left() int {
	return int(b.left.Load())
}

// CheckSchema checks a schema that code made (the tools of an OpenAPI
// import) as Validate checks a tool's schemas, and returns the errors it
// finds; warnings are left out, the code that made the schema reports its
// own.
func CheckSchema(schema json.RawMessage, o *CheckOptions) []Problem {
	if o == nil {
		o = &CheckOptions{}
	}
	v := &validator{f: &File{Exact: o.Exact}, budget: o.Budget}
	if !o.Part {
		v.toolSchema(Schema{JSON: schema, Unresolved: o.Unresolved}, "#", input)
		return problems(v)
	}
	c := &checker{v: v, role: input, rootPtr: "#", part: true, nodes: make(map[string]any), edges: make(map[string][]edge)}
	doc, err := decodeJSON(schema)
	if err != nil {
		c.add("#", "the schema is not valid JSON: %v", err)
		return problems(v)
	}
	if at, depth := tooDeep(doc, "#", 1); at != "" {
		c.add(at, "the schema nests more than %d levels deep (%d)", SDKMaxDepth, depth).Hint = "the MCP SDK refuses deeper JSON"
		return problems(v)
	}
	// The root the defaults are checked against, and the SDK resolves:
	// the schema with the definitions beside it.
	c.root = map[string]any{}
	if m, ok := doc.(map[string]any); ok {
		c.root = maps.Clone(m)
	}
	c.root["$defs"] = stubs(o.Defs)
	c.schema(doc, "#")
	for _, name := range o.Defs {
		c.nodes[diag.Append("#/$defs", name)] = map[string]any{}
	}
	c.finish(true, !o.Unresolved, func() ([]byte, error) { return json.Marshal(c.root) })
	return problems(v)
}

// Def is a shared definition: a schema that tools' schemas refer to as
// "#/$defs/Name".
type Def struct {
	Name   string
	Schema json.RawMessage
}

// DefProblem is a Problem of a shared definition.
type DefProblem struct {
	Def string
	Problem
}

// CheckDefs checks shared definitions as CheckSchema checks a schema,
// together, so that references from one to another resolve (and loop
// only where they descend into the value). Only the definitions in check
// are checked; the others count as empty schemas. Of o, Unresolved and
// Budget and Exact apply.
func CheckDefs(defs []Def, check func(name string) bool, o *CheckOptions) []DefProblem {
	var doc bytes.Buffer
	doc.WriteString(`{"type":"object","$defs":{`)
	for i, d := range defs {
		name, _ := json.Marshal(d.Name)
		if i > 0 {
			doc.WriteByte(',')
		}
		doc.Write(name)
		doc.WriteByte(':')
		if check(d.Name) {
			doc.Write(d.Schema)
		} else {
			doc.WriteString("{}")
		}
	}
	doc.WriteString("}}")
	var out []DefProblem
	for _, p := range CheckSchema(doc.Bytes(), &CheckOptions{Unresolved: o.Unresolved, Budget: o.Budget, Exact: o.Exact}) {
		// A definition's problems are those under its member of $defs.
		rest, ok := strings.CutPrefix(p.Pointer, "#/$defs/")
		if !ok {
			continue
		}
		key, at, _ := strings.Cut(rest, "/")
		p.Pointer = "#"
		if at != "" {
			p.Pointer += "/" + at
		}
		out = append(out, DefProblem{Def: diag.UnescapeToken(key), Problem: p})
	}
	return out
}

// stubs are empty schemas for the definitions names.
func stubs(names []string) map[string]any {
	m := make(map[string]any, len(names))
	for _, name := range names {
		m[name] = map[string]any{}
	}
	return m
}

// problems are the errors v found; when its budget ran out, only that.
func problems(v *validator) []Problem {
	if v.budget.Spent() {
		// What was found may be the work of a check cut short (a $ref to a
		// schema it never reached).
		return []Problem{{Pointer: "#", Msg: "checking the schema takes more steps than its budget"}}
	}
	var out []Problem
	for _, d := range v.diags.Errors() {
		out = append(out, Problem{Pointer: d.Pointer, Msg: d.Msg})
	}
	return out
}
