package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"

	"github.com/mcpgen/mcpgen/generator/ir"
)

// toolsFile emits tools_gen.go: the ToolHandler interface user code
// implements, UnimplementedToolHandler, RegisterTools and the tools' schemas.
func toolsFile(p *ir.Project) *jen.File {
	f := newFile(p, true)

	fileDoc(f, comment.Doc(
		"ToolHandler serves the tools of "+p.Source+": one method per tool.",
		"The methods are yours. mcpgen writes a stub for each new tool once, in the tool's handler file, and never touches it again. Before a method is called, the arguments have been validated against the tool's input schema; an error it returns reaches the client as a tool error (isError), not a protocol error.",
	))
	f.Type().Id("ToolHandler").InterfaceFunc(func(g *jen.Group) {
		for i, t := range p.Tools {
			if i > 0 {
				g.Line()
			}
			groupDoc(g, comment.Doc(
				fmt.Sprintf("%s serves the %q tool (%s).", t.GoName, t.Name, t.HandlerFile),
				comment.Text(t.Description),
				"Source: "+p.Source+t.Pointer,
			))
			g.Id(t.GoName).Params(handlerParams(t)...).Params(handlerResults(t)...)
		}
	})

	fileDoc(f, comment.Doc(
		"UnimplementedToolHandler answers every tool with a \"not implemented\" tool error.",
		"Embed it in a handler type to keep it building while tools are added to "+p.Source+" faster than they are written.",
	))
	f.Type().Id("UnimplementedToolHandler").Struct()
	for _, t := range p.Tools {
		fileDoc(f, fmt.Sprintf("%s answers that the %q tool is not implemented.", t.GoName, t.Name))
		f.Func().Params(jen.Id("UnimplementedToolHandler")).Id(t.GoName).Params(
			jen.Id("_").Qual("context", "Context"),
			jen.Id("_").Op("*").Qual(mcpPkg, "CallToolRequest"),
			jen.Id("_").Id(t.InputType),
		).Params(handlerResults(t)...).Block(
			jen.Return(zeroResult(t), jen.Id("errNotImplemented").Call(jen.Lit(t.Name))),
		)
	}
	fileDoc(f, "errNotImplemented is the error of a tool whose handler is not written yet.")
	f.Func().Id("errNotImplemented").Params(jen.Id("tool").String()).Error().Block(
		jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("tool %q is not implemented"), jen.Id("tool"))),
	)

	fileDoc(f, comment.Doc(
		"RegisterTools adds the tools of "+p.Source+" to s, served by h.",
		"The MCP SDK validates each call's arguments against the tool's input schema before h sees them, and a structured result against its output schema.",
	))
	f.Func().Id("RegisterTools").Params(
		jen.Id("s").Op("*").Qual(mcpPkg, "Server"),
		jen.Id("h").Id("ToolHandler"),
	).BlockFunc(func(g *jen.Group) {
		for _, t := range p.Tools {
			g.Qual(mcpPkg, "AddTool").Call(jen.Id("s"), toolValue(t), adapter(t))
		}
	})

	if needsBoolHint(p) {
		fileDoc(f, "boolHint returns a pointer to b, for the annotations whose default is true.")
		f.Func().Id("boolHint").Params(jen.Id("b").Bool()).Op("*").Bool().Block(jen.Return(jen.Op("&").Id("b")))
	}

	for _, t := range p.Tools {
		fileDoc(f, fmt.Sprintf("%s is the JSON Schema of the %q tool's arguments.\nSource: %s%s/inputSchema", schemaConst(t, "Input"), t.Name, p.Source, t.Pointer))
		f.Const().Id(schemaConst(t, "Input")).Op("=").Add(stringLit(string(t.InputSchema)))
		if t.OutputType != "" {
			fileDoc(f, fmt.Sprintf("%s is the JSON Schema of the %q tool's structured result.\nSource: %s%s/outputSchema", schemaConst(t, "Output"), t.Name, p.Source, t.Pointer))
			f.Const().Id(schemaConst(t, "Output")).Op("=").Add(stringLit(string(t.OutputSchema)))
		}
	}
	return f
}

// schemaConst names the constant that holds a tool's schema.
func schemaConst(t *ir.Tool, which string) string {
	return "schema" + t.GoName + which
}

func handlerParams(t *ir.Tool) []jen.Code {
	return []jen.Code{
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("req").Op("*").Qual(mcpPkg, "CallToolRequest"),
		jen.Id("in").Id(t.InputType),
	}
}

// handlerResults is what a handler method returns: the typed result for a
// tool with an output schema, an MCP result otherwise.
func handlerResults(t *ir.Tool) []jen.Code {
	if t.OutputType != "" {
		return []jen.Code{jen.Id(t.OutputType), jen.Error()}
	}
	return []jen.Code{jen.Op("*").Qual(mcpPkg, "CallToolResult"), jen.Error()}
}

func zeroResult(t *ir.Tool) jen.Code {
	if t.OutputType != "" {
		return jen.Id(t.OutputType).Values()
	}
	return jen.Nil()
}

func toolValue(t *ir.Tool) jen.Code {
	return literal(jen.Op("&").Qual(mcpPkg, "Tool"), func(g *jen.Group) {
		kv(g, "Name", jen.Lit(t.Name))
		if t.Title != "" {
			kv(g, "Title", jen.Lit(t.Title))
		}
		kv(g, "Description", jen.Lit(t.Description))
		kv(g, "InputSchema", jen.Qual("encoding/json", "RawMessage").Call(jen.Id(schemaConst(t, "Input"))))
		if t.OutputType != "" {
			kv(g, "OutputSchema", jen.Qual("encoding/json", "RawMessage").Call(jen.Id(schemaConst(t, "Output"))))
		}
		a := t.Annotations
		if a == nil {
			return
		}
		kv(g, "Annotations", literal(jen.Op("&").Qual(mcpPkg, "ToolAnnotations"), func(g *jen.Group) {
			if a.Title != "" {
				kv(g, "Title", jen.Lit(a.Title))
			}
			if a.ReadOnlyHint != nil && *a.ReadOnlyHint {
				kv(g, "ReadOnlyHint", jen.True())
			}
			if a.DestructiveHint != nil {
				kv(g, "DestructiveHint", boolPtr(*a.DestructiveHint))
			}
			if a.IdempotentHint != nil && *a.IdempotentHint {
				kv(g, "IdempotentHint", jen.True())
			}
			if a.OpenWorldHint != nil {
				kv(g, "OpenWorldHint", boolPtr(*a.OpenWorldHint))
			}
		}))
	})
}

// boolPtr is a call of the generated boolHint helper.
func boolPtr(b bool) jen.Code {
	return jen.Id("boolHint").Call(jen.Lit(b))
}

// needsBoolHint reports whether any tool sets a *bool annotation.
func needsBoolHint(p *ir.Project) bool {
	for _, t := range p.Tools {
		if a := t.Annotations; a != nil && (a.DestructiveHint != nil || a.OpenWorldHint != nil) {
			return true
		}
	}
	return false
}

// adapter is the typed handler given to mcp.AddTool: it calls the tool's
// method on h.
func adapter(t *ir.Tool) jen.Code {
	params := []jen.Code{
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("req").Op("*").Qual(mcpPkg, "CallToolRequest"),
		jen.Id("in").Id(t.InputType),
	}
	call := jen.Id("h").Dot(t.GoName).Call(jen.Id("ctx"), jen.Id("req"), jen.Id("in"))
	if t.OutputType != "" {
		return jen.Func().Params(params...).Params(jen.Op("*").Qual(mcpPkg, "CallToolResult"), jen.Id(t.OutputType), jen.Error()).Block(
			jen.List(jen.Id("out"), jen.Id("err")).Op(":=").Add(call),
			jen.Return(jen.Nil(), jen.Id("out"), jen.Id("err")),
		)
	}
	return jen.Func().Params(params...).Params(jen.Op("*").Qual(mcpPkg, "CallToolResult"), jen.Any(), jen.Error()).Block(
		jen.List(jen.Id("res"), jen.Id("err")).Op(":=").Add(call),
		jen.Return(jen.Id("res"), jen.Nil(), jen.Id("err")),
	)
}

// typesFile emits types_gen.go: the Go types of every tool's arguments and
// result.
func typesFile(p *ir.Project) *jen.File {
	f := newFile(p, true)
	for _, t := range p.Tools {
		for _, d := range t.Types {
			f.Add(d.Code)
			f.Line()
		}
	}
	return f
}
