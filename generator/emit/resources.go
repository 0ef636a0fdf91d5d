package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"
	"github.com/mcpgen/mcpgen/generator/ir"
)

// resourceParams and resourceResults are the signature of a method that
// reads a resource template: the MCP SDK's ResourceHandler.
func resourceParams(named bool) []jen.Code {
	ctx, req := jen.Id("ctx"), jen.Id("req")
	if !named {
		ctx, req = jen.Id("_"), jen.Id("req")
	}
	return []jen.Code{
		ctx.Qual("context", "Context"),
		req.Op("*").Qual(mcpPkg, "ReadResourceRequest"),
	}
}

func resourceResults() []jen.Code {
	return []jen.Code{jen.Op("*").Qual(mcpPkg, "ReadResourceResult"), jen.Error()}
}

// resourceMethods adds the ToolHandler methods that read resource
// templates.
func resourceMethods(g *jen.Group, p *ir.Project) {
	for _, rt := range p.ResourceTemplates {
		g.Line()
		groupDoc(g, comment.Doc(
			fmt.Sprintf("%s reads the resources %s (%s).", rt.GoName, rt.URITemplate, rt.HandlerFile),
			comment.Text(rt.Description),
			"Source: "+p.Source+rt.Pointer,
		))
		g.Id(rt.GoName).Params(resourceParams(true)...).Params(resourceResults()...)
	}
}

// unimplementedResources answers every resource template as not found.
func unimplementedResources(f *jen.File, p *ir.Project) {
	for _, rt := range p.ResourceTemplates {
		fileDoc(f, fmt.Sprintf("%s answers that no resource %s exists yet.", rt.GoName, rt.URITemplate))
		f.Func().Params(jen.Id("UnimplementedToolHandler")).Id(rt.GoName).Params(resourceParams(false)...).Params(resourceResults()...).Block(
			jen.Return(jen.Nil(), jen.Qual(mcpPkg, "ResourceNotFoundError").Call(jen.Id("req").Dot("Params").Dot("URI"))),
		)
	}
}

// resourceTemplates emits registerResourceTemplates, which adds the
// resource templates to the server, each read by h.
func resourceTemplates(f *jen.File, p *ir.Project) {
	fileDoc(f, "registerResourceTemplates adds the resource templates of "+p.Source+" to s, read by h.")
	f.Func().Id("registerResourceTemplates").Params(
		jen.Id("s").Op("*").Qual(mcpPkg, "Server"), jen.Id("h").Id("ToolHandler"),
	).BlockFunc(func(g *jen.Group) {
		for _, rt := range p.ResourceTemplates {
			groupDoc(g, "Source: "+p.Source+rt.Pointer)
			g.Id("s").Dot("AddResourceTemplate").Call(
				literal(jen.Op("&").Qual(mcpPkg, "ResourceTemplate"), func(g *jen.Group) {
					kv(g, "URITemplate", jen.Lit(rt.URITemplate))
					kv(g, "Name", jen.Lit(rt.Name))
					if rt.Title != "" {
						kv(g, "Title", jen.Lit(rt.Title))
					}
					if rt.Description != "" {
						kv(g, "Description", jen.Lit(rt.Description))
					}
					if rt.MIMEType != "" {
						kv(g, "MIMEType", jen.Lit(rt.MIMEType))
					}
				}),
				jen.Id("h").Dot(rt.GoName),
			)
		}
	})
}

// resourceStubFile emits the user's file that reads a resource template:
// created once, then theirs.
func resourceStubFile(p *ir.Project, rt *ir.ResourceTemplate) *jen.File {
	f := newFile(p, false)
	fileDoc(f, comment.Doc(
		fmt.Sprintf("%s reads the resources %s: %s", rt.GoName, rt.URITemplate, comment.Text(rt.Description)),
		"mcpgen created this file once and will not change it: it is yours.",
	))
	f.Func().Params(jen.Id("t").Op("*").Id("Tools")).Id(rt.GoName).Params(resourceParams(true)...).Params(resourceResults()...).Block(
		jen.Comment("TODO: implement. req.Params.URI is the URI the client reads; return its"),
		jen.Comment("contents, or mcp.ResourceNotFoundError(req.Params.URI) for one that does not exist."),
		jen.Return(jen.Nil(), jen.Qual(mcpPkg, "ResourceNotFoundError").Call(jen.Id("req").Dot("Params").Dot("URI"))),
	)
	return f
}
