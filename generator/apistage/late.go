package apistage

import (
	"fmt"
	"maps"
	"slices"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// Late is what the checks Build leaves running found.
type Late struct {
	Diags diag.List
	// LeftOut are the tools whose input schema the checks refused, which
	// are to be left out of the project (never in strict mode: there the
	// refusal is an error).
	LeftOut []*ir.Tool
	// NoOutput are the tools whose output schema the checks refused, which
	// are to be served without one.
	NoOutput []*ir.Tool
}

// Apply leaves the tools l.LeftOut out of p, and the output schemas of
// l.NoOutput, and reports whether p changed (and is to be emitted again).
// A nil l changes nothing.
func (l *Late) Apply(p *ir.Project) bool {
	if l == nil || len(l.LeftOut) == 0 && len(l.NoOutput) == 0 {
		return false
	}
	for _, t := range l.NoOutput {
		t.OutputSchema = nil
		t.Op.WrapOutput = false
		if t.Op.Paging != nil {
			// With no output schema, the next page's arguments fit in any
			// result (see openapi's paging).
			t.Op.Paging.InResult = true
		}
	}
	p.Tools = slices.DeleteFunc(p.Tools, func(t *ir.Tool) bool { return slices.Contains(l.LeftOut, t) })
	if p.API != nil {
		p.API.Operations = slices.DeleteFunc(p.API.Operations, func(op *ir.Operation) bool {
			return slices.ContainsFunc(l.LeftOut, func(t *ir.Tool) bool { return t.Op == op })
		})
	}
	return true
}

// late turns the problems found into what Late holds. In strict mode each
// is an error at the operation (or the shared definition) it came from. By
// default, a problem in an input schema leaves its tool out, and one in an
// output schema leaves the output schema out, each with a warning that
// says which and why; a problem in a shared definition does the same to
// every tool whose input (or output) schema reaches it, with a warning at
// the definition.
//
// Checks that ran out of the document's work budget are an error, at the
// document, as an import that runs out of it is.
func (found *schemaProblems) late(doc *loader.Document, res *openapi.Result, strict bool) *Late {
	if found.overrun {
		var l Late
		l.Diags.Add(doc.Pos("#"), "#", "checking the schemas made of the document takes more than the %d steps its import left of the work budget", openapi.DefaultMaxWork-res.Work).Hint = "exclude the operations you do not need, or report the document to mcpgen"
		return &l
	}
	if strict {
		return &Late{Diags: found.errors(doc, res)}
	}
	l := &Late{}
	bad := make(map[string]bool) // the shared definitions found unusable
	for _, p := range found.defs {
		if bad[p.Def] {
			continue
		}
		bad[p.Def] = true
		ptr := res.DefPointer(p.Def)
		l.Diags.Warn(doc.Pos(ptr), ptr, "%s", unusable(nil, "", p.Def, p.Problem)).Hint =
			"this construct of the document is not supported; the operations whose arguments use it are left out, and those whose results use it have no output schema"
	}
	// usesBad names a definition found unusable that schema reaches, or "".
	byName := defsByName(res)
	usesBad := func(schema []byte) string {
		if len(bad) == 0 || schema == nil {
			return ""
		}
		reached := defsReached(byName, [][]byte{schema})
		for _, name := range slices.Sorted(maps.Keys(bad)) {
			if reached[name] {
				return name
			}
		}
		return ""
	}
	// Why a tool is left out, or loses its output schema: its own schema's
	// first problem, or a definition it uses.
	why := func(t *ir.Tool, role string, own []manifest.Problem, schema []byte) string {
		if len(own) > 0 {
			return unusable(t, role, "", own[0]) + more(len(own)-1)
		}
		uses := "arguments"
		if role == "output" {
			uses = "results"
		}
		if def := usesBad(schema); def != "" {
			return fmt.Sprintf("its %s use the schema made of %s, which is not usable (%s)", uses, def, res.DefPointer(def))
		}
		return ""
	}
	for i, t := range res.Tools {
		ptr := t.Op.Pointer
		if reason := why(t, "input", found.input[i], t.InputSchema); reason != "" {
			l.Diags.Warn(doc.Pos(ptr), ptr, "operation %s is left out: %s", t.Op.ID, reason).Hint =
				"this construct of the document is not supported; exclude the operation, or report it to mcpgen"
			l.LeftOut = append(l.LeftOut, t)
		} else if reason := why(t, "output", found.output[i], t.OutputSchema); reason != "" {
			l.Diags.Warn(doc.Pos(ptr), ptr, "the tool of operation %s has no output schema: %s", t.Op.ID, reason).Hint =
				"this construct of the document is not supported; the tool's results go unchecked and undescribed"
			l.NoOutput = append(l.NoOutput, t)
		}
	}
	return l
}

// more says how many more problems a warning leaves unsaid.
func more(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " (and 1 more problem)"
	}
	return fmt.Sprintf(" (and %d more problems)", n)
}
