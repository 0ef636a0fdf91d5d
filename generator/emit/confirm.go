package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"
	"github.com/mcpgen/mcpgen/generator/ir"
)

const confirmPkg = RuntimeModule + "/confirm"

// confirmedTools splits the tools whose calls are confirmed into those
// served as tools of their own and the operations that call_operation
// serves in dynamic mode.
func confirmedTools(p *ir.Project) (own, operations []*ir.Tool) {
	for _, t := range p.Tools {
		switch {
		case t.Confirm == nil:
		case !t.HasHandler() && p.API.Dynamic:
			operations = append(operations, t)
		default:
			own = append(own, t)
		}
	}
	return own, operations
}

// toolSource is where a tool comes from, for Source comments.
func toolSource(p *ir.Project, t *ir.Tool) string {
	if t.Op != nil {
		return p.API.Spec + t.Op.Pointer
	}
	return p.Source + t.Pointer
}

// confirmations is the Confirmations starter of serve.Options: the tools
// whose calls the user confirms first, each with the question it asks.
func confirmations(p *ir.Project) jen.Code {
	own, operations := confirmedTools(p)
	return jen.Qual(confirmPkg, "ForTools").Call(
		jen.Qual("os", "LookupEnv"),
		jen.Qual(storePkg, "DefaultPrefix").Op("+").Id("ServerName").Op("+").Lit(":"),
		jen.Map(jen.String()).Qual(confirmPkg, "Rule").ValuesFunc(func(g *jen.Group) {
			for _, t := range own {
				g.Line().Comment("Source: " + toolSource(p, t)).Line().Lit(t.Name).Op(":").Add(jen.ValuesFunc(func(g *jen.Group) {
					if s := confirmSummary(t); s != nil {
						g.Id("Summary").Op(":").Add(s)
					}
				}))
			}
			if len(operations) > 0 {
				g.Line().Comment("The operations of confirmedOperations, called through call_operation.").
					Line().Lit("call_operation").Op(":").Values(
					jen.Id("Ask").Op(":").Id("confirmedOperations").Dot("Ask"),
					jen.Id("Summary").Op(":").Id("confirmedOperations").Dot("Summary"),
				)
			}
			g.Line()
		}),
	)
}

// confirmSummary is the Summary of t's confirmation rule, or nil for the
// default (the tool's name and arguments).
func confirmSummary(t *ir.Tool) jen.Code {
	switch {
	case t.Confirm.Message != "":
		return jen.Qual(confirmPkg, "Template").Call(jen.Lit(t.Confirm.Message))
	case t.Op != nil:
		return jen.Id(t.Op.Var).Dot("Describe")
	}
	return nil
}

// confirmedOperations declares, in dynamic mode, the operations whose
// calls through call_operation are confirmed.
func confirmedOperations(f *jen.File, p *ir.Project) {
	_, operations := confirmedTools(p)
	if len(operations) == 0 {
		return
	}
	fileDoc(f, comment.Doc(
		"confirmedOperations are the operations of "+p.API.Spec+" whose calls through call_operation the user confirms before they run, each with the question it asks.",
	))
	f.Var().Id("confirmedOperations").Op("=").Qual(upstreamPkg, "Confirmed").ValuesFunc(func(g *jen.Group) {
		for _, t := range operations {
			g.Line().Comment("Source: " + toolSource(p, t)).Line().Lit(t.Name).Op(":").Add(confirmSummary(t))
		}
		g.Line()
	})
}
