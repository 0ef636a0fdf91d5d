package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"

	"github.com/mcpgen/mcpgen/generator/ir"
)

// toolsFile emits tools_gen.go: the ToolHandler interface user code
// implements, UnimplementedToolHandler, RegisterTools and the tools' schemas.
func toolsFile(p *ir.Project, fs *forms) *jen.File {
	f := newFile(p, true)

	methods := "one method per tool."
	if len(p.ResourceTemplates) > 0 {
		methods = "one method per tool, and one per resource template."
	}
	fileDoc(f, comment.Doc(
		"ToolHandler serves the tools of "+p.Source+": "+methods,
		"The methods are yours. mcpgen writes a stub for each new tool once, in the tool's handler file, and never touches it again. Before a method is called, the arguments have been validated against the tool's input schema; an error it returns reaches the client as a tool error (isError), not a protocol error.",
	))
	f.Type().Id("ToolHandler").InterfaceFunc(func(g *jen.Group) {
		for i, t := range handlerTools(p) {
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
		resourceMethods(g, p)
	})

	fileDoc(f, comment.Doc(
		"UnimplementedToolHandler answers every tool with a \"not implemented\" tool error.",
		"Embed it in a handler type to keep it building while tools are added to "+p.Source+" faster than they are written.",
	))
	f.Type().Id("UnimplementedToolHandler").Struct()
	for _, t := range handlerTools(p) {
		fileDoc(f, fmt.Sprintf("%s answers that the %q tool is not implemented.", t.GoName, t.Name))
		f.Func().Params(jen.Id("UnimplementedToolHandler")).Id(t.GoName).Params(
			jen.Id("_").Qual("context", "Context"),
			jen.Id("_").Op("*").Qual(mcpPkg, "CallToolRequest"),
			jen.Id("_").Id(t.InputType),
		).Params(handlerResults(t)...).Block(
			jen.Return(zeroResult(t), jen.Id("errNotImplemented").Call(jen.Lit(t.Name))),
		)
	}
	unimplementedResources(f, p)
	fileDoc(f, "errNotImplemented is the error of a tool whose handler is not written yet.")
	f.Func().Id("errNotImplemented").Params(jen.Id("tool").String()).Error().Block(
		jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("tool %q is not implemented"), jen.Id("tool"))),
	)

	doc := []string{
		"RegisterTools adds the tools of " + p.Source + " to s, served by h.",
		"The MCP SDK validates each call's arguments against the tool's input schema before h sees them, and a structured result against its output schema.",
	}
	if p.API != nil {
		doc = []string{
			"RegisterTools adds the tools of " + p.Source + " to s: those of " + p.API.Spec + " call the API through api, the others are served by h.",
			"Every call's arguments are validated against the tool's input schema before anything is called. The results of h's tools are validated against their output schemas; the API's answers are not, so that an API that strays from its document still gets its answer through.",
		}
	}
	fileDoc(f, comment.Doc(doc...))
	params := []jen.Code{
		jen.Id("s").Op("*").Qual(mcpPkg, "Server"),
		jen.Id("h").Id("ToolHandler"),
	}
	if p.API != nil {
		params = append(params, jen.Id("api").Op("*").Qual(upstreamPkg, "Client"))
	}
	var ops []*ir.Tool // served by the dynamic tools
	if p.API != nil && p.API.Dynamic {
		for _, t := range p.Tools {
			if !t.HasHandler() {
				ops = append(ops, t)
			}
		}
	}
	f.Func().Id("RegisterTools").Params(params...).BlockFunc(func(g *jen.Group) {
		for _, t := range p.Tools {
			switch {
			case t.HasHandler():
				g.Qual(mcpPkg, "AddTool").Call(jen.Id("s"), toolValue(inPlace, t), adapter(t))
			case !p.API.Dynamic:
				tool := fs.expr(func(b *filler) jen.Code { return toolValue(b, t) })
				g.Qual(upstreamPkg, "AddTool").Call(jen.Id("s"), tool, jen.Id("api"), jen.Id(t.Op.Var))
			}
		}
		if p.API != nil && p.API.Dynamic {
			if len(ops) <= entriesPerFunc {
				g.Qual(upstreamPkg, "AddDynamicTools").Call(jen.Id("s"), jen.Id("api"), jen.Index().Qual(upstreamPkg, "Entry").ValuesFunc(func(g *jen.Group) {
					for _, t := range ops {
						g.Line().Add(entry(inPlace, jen.Null(), t))
					}
					g.Line()
				}))
				return
			}
			g.Qual(upstreamPkg, "AddDynamicTools").Call(jen.Id("s"), jen.Id("api"), jen.Id("dynamicEntries").Call())
		}
	})
	if len(ops) > entriesPerFunc {
		entriesFuncs(f, p, ops, fs)
	}

	if needsBoolHint(p) {
		fileDoc(f, "boolHint returns a pointer to b, for the annotations whose default is true.")
		f.Func().Id("boolHint").Params(jen.Id("b").Bool()).Op("*").Bool().Block(jen.Return(jen.Op("&").Id("b")))
	}

	fs.run(f, func(decl func(tok, name, doc string, value func() jen.Code)) {
		for _, t := range p.Tools {
			inSrc, outSrc := p.Source+t.Pointer+"/inputSchema", p.Source+t.Pointer+"/outputSchema"
			if t.Op != nil {
				inSrc, outSrc = p.API.Spec+t.Op.Pointer, p.API.Spec+t.Op.Pointer+"/responses"
			}
			decl("const", schemaConst(t, "Input"), fmt.Sprintf("%s is the JSON Schema of the %q tool's arguments.\nSource: %s", schemaConst(t, "Input"), t.Name, inSrc), func() jen.Code {
				return fs.verbatim(stringLitSrc(string(t.InputSchema)))
			})
			if t.OutputSchema != nil {
				decl("const", schemaConst(t, "Output"), fmt.Sprintf("%s is the JSON Schema of the %q tool's structured result.\nSource: %s", schemaConst(t, "Output"), t.Name, outSrc), func() jen.Code {
					return fs.verbatim(stringLitSrc(string(t.OutputSchema)))
				})
			}
		}
	})
	return f
}

// entriesPerFunc is how many operations of dynamic mode one function
// appends. A single slice literal of a thousand entries, each with calls in
// it, keeps the compiler's register allocator busy for most of a build
// (docs/performance.md has the figures); functions of a few dozen entries
// each compile in a fraction of a second.
const entriesPerFunc = 50

// entry is the upstream.Entry literal of an operation that dynamic mode
// serves, of type typ (jen.Null() in a slice literal).
func entry(b *filler, typ *jen.Statement, t *ir.Tool) jen.Code {
	return literal(typ, func(g *jen.Group) {
		b.kv(g, "Tool", toolValue(b, t))
		b.kv(g, "Op", b.id(t.Op.Var))
		if len(t.Op.Tags) > 0 {
			b.kv(g, "Tags", strs(b, t.Op.Tags))
		}
	})
}

// entriesFuncs emits dynamicEntries, which collects ops, the operations of
// dynamic mode, from functions that append entriesPerFunc each.
func entriesFuncs(f *jen.File, p *ir.Project, ops []*ir.Tool, fs *forms) {
	var parts [][2]int
	for i := 0; i < len(ops); i += entriesPerFunc {
		parts = append(parts, [2]int{i, min(i+entriesPerFunc, len(ops))})
	}
	fileDoc(f, fmt.Sprintf("dynamicEntries returns the %d operations that the dynamic tools serve, in the order of %s. They are appended by functions of %d each, which the compiler handles far faster than one literal of them all.", len(ops), p.API.Spec, entriesPerFunc))
	f.Func().Id("dynamicEntries").Params().Index().Qual(upstreamPkg, "Entry").BlockFunc(func(g *jen.Group) {
		g.Id("entries").Op(":=").Make(jen.Index().Qual(upstreamPkg, "Entry"), jen.Lit(0), jen.Lit(len(ops)))
		for i := range parts {
			g.Id("entries").Op("=").Id(entriesFunc(i)).Call(jen.Id("entries"))
		}
		g.Return(jen.Id("entries"))
	})
	for i, part := range parts {
		fileDoc(f, fmt.Sprintf("%s appends the operations %s to %s.", entriesFunc(i), ops[part[0]].Name, ops[part[1]-1].Name))
		f.Func().Id(entriesFunc(i)).Params(jen.Id("entries").Index().Qual(upstreamPkg, "Entry")).Index().Qual(upstreamPkg, "Entry").Block(
			jen.Return(jen.Id("append").CallFunc(func(g *jen.Group) {
				g.Id("entries")
				for _, t := range ops[part[0]:part[1]] {
					g.Line().Add(fs.expr(func(b *filler) jen.Code { return entry(b, jen.Qual(upstreamPkg, "Entry"), t) }))
				}
				g.Line()
			})),
		)
	}
}

// entriesFunc names the i-th function of entriesFuncs.
func entriesFunc(i int) string {
	return fmt.Sprintf("appendEntries%d", i+1)
}

// schemaValue is a tool schema as mcp.Tool takes it: the constant, with
// the shared definitions it refers to when it refers to any.
func schemaValue(b *filler, t *ir.Tool, schema []byte, which string) jen.Code {
	if t.Op != nil && usesDefs(schema) {
		b.mark("apiSchema")
		return jen.Id("apiSchema").Call(b.id(schemaConst(t, which)))
	}
	return jen.Qual("encoding/json", "RawMessage").Call(b.id(schemaConst(t, which)))
}

// handlerTools are the tools served by a ToolHandler method.
func handlerTools(p *ir.Project) []*ir.Tool {
	var out []*ir.Tool
	for _, t := range p.Tools {
		if t.HasHandler() {
			out = append(out, t)
		}
	}
	return out
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

// toolValue is the mcp.Tool literal of t.
func toolValue(b *filler, t *ir.Tool) jen.Code {
	return literal(jen.Op("&").Qual(mcpPkg, "Tool"), func(g *jen.Group) {
		b.kv(g, "Name", b.lit(t.Name))
		if t.Title != "" {
			b.kv(g, "Title", b.lit(t.Title))
		}
		b.kv(g, "Description", b.lit(t.Description))
		b.kv(g, "InputSchema", schemaValue(b, t, t.InputSchema, "Input"))
		if t.OutputSchema != nil {
			b.kv(g, "OutputSchema", schemaValue(b, t, t.OutputSchema, "Output"))
		}
		a := t.Annotations
		if a == nil {
			return
		}
		b.kv(g, "Annotations", literal(jen.Op("&").Qual(mcpPkg, "ToolAnnotations"), func(g *jen.Group) {
			if a.Title != "" {
				b.kv(g, "Title", b.lit(a.Title))
			}
			if a.ReadOnlyHint != nil && *a.ReadOnlyHint {
				b.kv(g, "ReadOnlyHint", jen.True())
			}
			if a.DestructiveHint != nil {
				b.kv(g, "DestructiveHint", boolPtr(b, *a.DestructiveHint))
			}
			if a.IdempotentHint != nil && *a.IdempotentHint {
				b.kv(g, "IdempotentHint", jen.True())
			}
			if a.OpenWorldHint != nil {
				b.kv(g, "OpenWorldHint", boolPtr(b, *a.OpenWorldHint))
			}
		}))
	})
}

// boolPtr is a call of the generated boolHint helper.
func boolPtr(b *filler, v bool) jen.Code {
	return jen.Id("boolHint").Call(b.lit(v))
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
