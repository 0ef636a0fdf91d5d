package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"
)

// fileDoc adds a comment to f, wrapped, one // line per line.
func fileDoc(f *jen.File, text string) {
	for _, l := range comment.Lines(comment.Text(text)) {
		f.Comment(l)
	}
}

// groupDoc adds a comment to g, wrapped, one // line per line.
func groupDoc(g *jen.Group, text string) {
	for _, l := range comment.Lines(comment.Text(text)) {
		g.Comment(l)
	}
}

// kv adds a "Name: value," line to a composite literal.
func kv(g *jen.Group, name string, value jen.Code) {
	g.Line().Id(name).Op(":").Add(value)
}

// literal is a composite literal of typ whose fields, added by fill in the
// order a person would write them, stand one to a line.
func literal(typ *jen.Statement, fill func(g *jen.Group)) *jen.Statement {
	return typ.ValuesFunc(func(g *jen.Group) {
		fill(g)
		g.Line()
	})
}
