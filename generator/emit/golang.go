// Package emit turns an ir.Project into the files of a Go project: Go code
// with jennifer, everything else with the text templates of package
// templates.
//
// Emitters read only the IR and the options; they never touch the disk.
package emit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"

	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/write"
)

// Import paths used by generated code.
const (
	mcpPkg   = "github.com/modelcontextprotocol/go-sdk/mcp"
	servePkg = "github.com/mcpgen/mcpgen/runtime/serve"
)

// newFile starts a Go file in package main. Generated files carry mcpgen's
// header and the source they come from.
func newFile(p *ir.Project, generated bool) *jen.File {
	f := jen.NewFile("main")
	f.ImportName(mcpPkg, "mcp")
	f.ImportName(servePkg, "serve")
	f.ImportName(oauthPkg, "oauth")
	f.ImportName(upstreamPkg, "upstream")
	f.ImportName(statePkg, "state")
	f.ImportName(storePkg, "store")
	f.ImportName(confirmPkg, "confirm")
	if generated {
		f.HeaderComment(strings.TrimPrefix(write.Header, "// "))
		f.HeaderComment("Source: " + p.Source)
	}
	return f
}

// render renders f and groups its imports as goimports does (standard
// library first), which jennifer does not.
func render(f *jen.File, path string, owner write.Owner) (write.File, error) {
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return write.File{}, fmt.Errorf("emitting %s: %w", path, err)
	}
	// Render has gofmt-ed the file; splitting its sorted import block into
	// two sorted groups keeps it gofmt-clean (the golden tests check).
	return write.File{Path: path, Content: groupImports(buf.Bytes()), Owner: owner}, nil
}

// renderForms builds a generated file with the declarations it repeats
// written through forms (see forms.go), renders it and splices them in. If
// that fails, the file is built and rendered whole, and whole is set.
// exact builds it whole from the start (Options.Exact).
func renderForms(p *ir.Project, build func(*ir.Project, *forms) *jen.File, path string, exact bool) (_ write.File, whole bool, _ error) {
	fs := newForms(exact)
	f := build(p, fs)
	if fs == nil || len(fs.uses) == 0 {
		file, err := render(f, path, write.Generated)
		return file, false, err
	}
	fs.declare(f)
	var buf bytes.Buffer
	if f.Render(&buf) == nil {
		if out, ok := fs.splice(buf.Bytes()); ok {
			return write.File{Path: path, Content: groupImports(out), Owner: write.Generated}, false, nil
		}
	}
	file, err := render(build(p, nil), path, write.Generated)
	return file, true, err
}

// serverFile emits server_gen.go: the server's identity, NewServer, and its
// static resources and prompts.
func serverFile(p *ir.Project) *jen.File {
	f := newFile(p, true)

	fileDoc(f, "The generated code needs a runtime package of this version or newer;")
	fileDoc(f, "an older runtime fails the build here rather than misbehaving at run time.")
	f.Const().Id("_").Op("=").Qual(servePkg, "SupportPackageIsVersion1")
	f.Line()

	f.Const().DefsFunc(func(g *jen.Group) {
		g.Comment("ServerName is the server's name, sent to clients as serverInfo.name.")
		g.Id("ServerName").Op("=").Lit(p.Name)
		g.Comment("ServerVersion is sent to clients as serverInfo.version.")
		g.Id("ServerVersion").Op("=").Lit(p.Version)
	})
	if p.Instructions != "" {
		fileDoc(f, "serverInstructions tell clients how to use the server.")
		f.Const().Id("serverInstructions").Op("=").Add(stringLit(p.Instructions))
	}

	params := []jen.Code{jen.Id("h").Id("ToolHandler")}
	doc := "NewServer returns the MCP server that " + p.Source + " describes, its tools served by h. opts may be nil."
	if p.API != nil {
		params = append(params, jen.Id("api").Op("*").Qual(upstreamPkg, "Client"))
		doc = "NewServer returns the MCP server that " + p.Source + " describes: the tools of " + p.API.Spec + " call the API through api, and the tools served by your code are served by h. opts may be nil."
	}
	params = append(params, jen.Id("opts").Op("*").Qual(mcpPkg, "ServerOptions"))
	fileDoc(f, doc)
	f.Func().Id("NewServer").Params(params...).Op("*").Qual(mcpPkg, "Server").BlockFunc(func(g *jen.Group) {
		g.Var().Id("o").Qual(mcpPkg, "ServerOptions")
		g.If(jen.Id("opts").Op("!=").Nil()).Block(
			jen.Id("o").Op("=").Op("*").Id("opts"),
		)
		if p.Instructions != "" {
			g.If(jen.Id("o").Dot("Instructions").Op("==").Lit("")).Block(
				jen.Id("o").Dot("Instructions").Op("=").Id("serverInstructions"),
			)
		}
		g.Id("s").Op(":=").Qual(mcpPkg, "NewServer").Call(
			literal(jen.Op("&").Qual(mcpPkg, "Implementation"), func(g *jen.Group) {
				kv(g, "Name", jen.Id("ServerName"))
				if p.Title != "" {
					kv(g, "Title", jen.Lit(p.Title))
				}
				kv(g, "Version", jen.Id("ServerVersion"))
			}),
			jen.Op("&").Id("o"),
		)
		g.Comment("A call whose arguments are null is taken as one without arguments,")
		g.Comment("which the SDK would otherwise fail on.")
		g.Qual(servePkg, "NormalizeRequests").Call(jen.Id("s"))
		if p.API != nil {
			g.Id("RegisterTools").Call(jen.Id("s"), jen.Id("h"), jen.Id("api"))
		} else {
			g.Id("RegisterTools").Call(jen.Id("s"), jen.Id("h"))
		}
		if len(p.Resources) > 0 {
			g.Id("registerResources").Call(jen.Id("s"))
		}
		if len(p.ResourceTemplates) > 0 {
			g.Id("registerResourceTemplates").Call(jen.Id("s"), jen.Id("h"))
		}
		if len(p.Prompts) > 0 {
			g.Id("registerPrompts").Call(jen.Id("s"))
		}
		g.Return(jen.Id("s"))
	})

	serveDoc := "ServeOptions returns what the runtime needs to serve this server: its name,\nversion and the transports " + p.Source + " enables."
	if p.Auth != nil {
		serveDoc = comment.Doc(serveDoc, "Its Auth must be set to the server's oauth.Server, as main.go does. Until it is, /mcp and /sse refuse every request: a server whose manifest asks for auth is never served open.")
	}
	fileDoc(f, serveDoc)
	f.Func().Id("ServeOptions").Params().Op("*").Qual(servePkg, "Options").Block(
		jen.Return(jen.Op("&").Qual(servePkg, "Options").Values(jen.DictFunc(func(d jen.Dict) {
			d[jen.Id("Name")] = jen.Id("ServerName")
			d[jen.Id("Version")] = jen.Id("ServerVersion")
			d[jen.Id("Transports")] = jen.Index().String().ValuesFunc(func(g *jen.Group) {
				for _, t := range p.Transports {
					g.Lit(t)
				}
			})
			if p.Auth != nil {
				d[jen.Id("Auth")] = jen.Id("authNotWired").Values()
			}
			if p.ToolTimeout > 0 {
				d[jen.Id("ToolTimeout")] = duration(p.ToolTimeout)
			}
			if policies := toolPolicies(p); policies != nil {
				d[jen.Id("Tools")] = policies
			}
			if p.HasRateLimits() {
				d[jen.Id("RateLimits")] = rateLimits(p)
			}
			if p.OTLP {
				d[jen.Id("OTLP")] = jen.Qual(otlpPkg, "Exporters").Values()
			}
			if p.HasConfirmations() {
				d[jen.Id("Confirmations")] = confirmations(p)
			}
			if settings := projectSettings(p); len(settings) > 0 {
				d[jen.Id("Settings")] = settingsList(settings)
			}
		}))),
	)

	confirmedOperations(f, p)
	if p.Auth != nil {
		authOptions(f, p)
		authNotWired(f, p)
		envFileFunc(f)
	}
	if len(p.ResourceTemplates) > 0 {
		resourceTemplates(f, p)
	}
	if p.HasState() || p.Auth != nil {
		openStoreFunc(f)
	}
	if len(p.Resources) > 0 {
		resources(f, p)
	}
	if len(p.Prompts) > 0 {
		prompts(f, p)
	}
	return f
}

func resources(f *jen.File, p *ir.Project) {
	fileDoc(f, "registerResources adds the static resources of "+p.Source+" to s.")
	f.Func().Id("registerResources").Params(jen.Id("s").Op("*").Qual(mcpPkg, "Server")).BlockFunc(func(g *jen.Group) {
		for _, r := range p.Resources {
			groupDoc(g, "Source: "+p.Source+r.Pointer)
			g.Id("addTextResource").Call(
				jen.Id("s"),
				literal(jen.Op("&").Qual(mcpPkg, "Resource"), func(g *jen.Group) {
					kv(g, "URI", jen.Lit(r.URI))
					kv(g, "Name", jen.Lit(r.Name))
					if r.Title != "" {
						kv(g, "Title", jen.Lit(r.Title))
					}
					if r.Description != "" {
						kv(g, "Description", jen.Lit(r.Description))
					}
					kv(g, "MIMEType", jen.Lit(r.MIMEType))
				}),
				stringLit(r.Text),
			)
		}
	})
	fileDoc(f, "addTextResource adds a resource whose content is the fixed text.")
	f.Func().Id("addTextResource").Params(
		jen.Id("s").Op("*").Qual(mcpPkg, "Server"),
		jen.Id("r").Op("*").Qual(mcpPkg, "Resource"),
		jen.Id("text").String(),
	).Block(
		jen.Id("s").Dot("AddResource").Call(jen.Id("r"), jen.Func().Params(
			jen.Id("_").Qual("context", "Context"),
			jen.Id("req").Op("*").Qual(mcpPkg, "ReadResourceRequest"),
		).Params(jen.Op("*").Qual(mcpPkg, "ReadResourceResult"), jen.Error()).Block(
			jen.Return(jen.Op("&").Qual(mcpPkg, "ReadResourceResult").Values(jen.Dict{
				jen.Id("Contents"): jen.Index().Op("*").Qual(mcpPkg, "ResourceContents").Values(jen.Values(jen.Dict{
					jen.Id("URI"):      jen.Id("r").Dot("URI"),
					jen.Id("MIMEType"): jen.Id("r").Dot("MIMEType"),
					jen.Id("Text"):     jen.Id("text"),
				})),
			}), jen.Nil()),
		)),
	)
}

func prompts(f *jen.File, p *ir.Project) {
	fileDoc(f, "registerPrompts adds the prompts of "+p.Source+" to s.")
	f.Func().Id("registerPrompts").Params(jen.Id("s").Op("*").Qual(mcpPkg, "Server")).BlockFunc(func(g *jen.Group) {
		for _, pr := range p.Prompts {
			groupDoc(g, "Source: "+p.Source+pr.Pointer)
			g.Id("addTemplatePrompt").Call(
				jen.Id("s"),
				literal(jen.Op("&").Qual(mcpPkg, "Prompt"), func(g *jen.Group) {
					kv(g, "Name", jen.Lit(pr.Name))
					if pr.Title != "" {
						kv(g, "Title", jen.Lit(pr.Title))
					}
					if pr.Description != "" {
						kv(g, "Description", jen.Lit(pr.Description))
					}
					if len(pr.Arguments) == 0 {
						return
					}
					kv(g, "Arguments", jen.Index().Op("*").Qual(mcpPkg, "PromptArgument").ValuesFunc(func(g *jen.Group) {
						for _, a := range pr.Arguments {
							g.Line().Add(literal(jen.Null(), func(g *jen.Group) {
								kv(g, "Name", jen.Lit(a.Name))
								if a.Description != "" {
									kv(g, "Description", jen.Lit(a.Description))
								}
								if a.Required {
									kv(g, "Required", jen.True())
								}
							}))
						}
						g.Line()
					}))
				}),
				jen.Index().Qual(mcpPkg, "PromptMessage").ValuesFunc(func(g *jen.Group) {
					for _, m := range pr.Messages {
						g.Values(jen.Dict{
							jen.Id("Role"):    jen.Lit(m.Role),
							jen.Id("Content"): jen.Op("&").Qual(mcpPkg, "TextContent").Values(jen.Dict{jen.Id("Text"): stringLit(m.Text)}),
						})
					}
				}),
			)
		}
	})
	fileDoc(f, comment.Doc(
		"addTemplatePrompt adds a prompt whose messages are fixed texts in which\n{{name}} stands for the argument of that name.",
		"A missing required argument is an error.",
	))
	f.Func().Id("addTemplatePrompt").Params(
		jen.Id("s").Op("*").Qual(mcpPkg, "Server"),
		jen.Id("p").Op("*").Qual(mcpPkg, "Prompt"),
		jen.Id("messages").Index().Qual(mcpPkg, "PromptMessage"),
	).Block(
		jen.Id("s").Dot("AddPrompt").Call(jen.Id("p"), jen.Func().Params(
			jen.Id("_").Qual("context", "Context"),
			jen.Id("req").Op("*").Qual(mcpPkg, "GetPromptRequest"),
		).Params(jen.Op("*").Qual(mcpPkg, "GetPromptResult"), jen.Error()).Block(
			jen.Var().Id("pairs").Index().String(),
			jen.For(jen.List(jen.Id("_"), jen.Id("a")).Op(":=").Range().Id("p").Dot("Arguments")).Block(
				jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("req").Dot("Params").Dot("Arguments").Index(jen.Id("a").Dot("Name")),
				jen.If(jen.Op("!").Id("ok").Op("&&").Id("a").Dot("Required")).Block(
					jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit("prompt %q: missing required argument %q"), jen.Id("p").Dot("Name"), jen.Id("a").Dot("Name"))),
				),
				jen.Id("pairs").Op("=").Append(jen.Id("pairs"), jen.Lit("{{").Op("+").Id("a").Dot("Name").Op("+").Lit("}}"), jen.Id("v")),
			),
			jen.Id("r").Op(":=").Qual("strings", "NewReplacer").Call(jen.Id("pairs").Op("...")),
			jen.Id("res").Op(":=").Op("&").Qual(mcpPkg, "GetPromptResult").Values(jen.Dict{jen.Id("Description"): jen.Id("p").Dot("Description")}),
			jen.For(jen.List(jen.Id("_"), jen.Id("m")).Op(":=").Range().Id("messages")).Block(
				jen.Id("text").Op(":=").Id("m").Dot("Content").Assert(jen.Op("*").Qual(mcpPkg, "TextContent")).Dot("Text"),
				jen.Id("res").Dot("Messages").Op("=").Append(jen.Id("res").Dot("Messages"), jen.Op("&").Qual(mcpPkg, "PromptMessage").Values(jen.Dict{
					jen.Id("Role"):    jen.Id("m").Dot("Role"),
					jen.Id("Content"): jen.Op("&").Qual(mcpPkg, "TextContent").Values(jen.Dict{jen.Id("Text"): jen.Id("r").Dot("Replace").Call(jen.Id("text"))}),
				})),
			),
			jen.Return(jen.Id("res"), jen.Nil()),
		)),
	)
}

// groupImports puts a blank line between the standard library imports and
// the others in the import block jennifer writes (sorted, in one group).
func groupImports(src []byte) []byte {
	start := bytes.Index(src, []byte("\nimport (\n"))
	if start < 0 {
		return src
	}
	start += len("\nimport (\n")
	end := bytes.Index(src[start:], []byte("\n)\n"))
	if end < 0 {
		return src
	}
	var std, other [][]byte
	for _, line := range bytes.Split(src[start:start+end], []byte("\n")) {
		path := bytes.Trim(bytes.TrimSpace(line), `"`)
		if i := bytes.IndexByte(path, '"'); i >= 0 { // an aliased import
			path = path[i+1:]
		}
		first, _, _ := bytes.Cut(path, []byte("/"))
		if bytes.Contains(first, []byte(".")) {
			other = append(other, line)
		} else {
			std = append(std, line)
		}
	}
	if len(std) == 0 || len(other) == 0 {
		return src
	}
	block := append(bytes.Join(std, []byte("\n")), []byte("\n\n")...)
	block = append(block, bytes.Join(other, []byte("\n"))...)
	out := append([]byte{}, src[:start]...)
	out = append(out, block...)
	return append(out, src[start+end:]...)
}

// stringLit is a string literal: a raw string when that reads better
// (several lines, no backquote), a quoted one otherwise.
func stringLit(s string) jen.Code {
	return jen.Id(stringLitSrc(s))
}

// stringLitSrc is the Go source of stringLit(s).
func stringLitSrc(s string) string {
	if strings.Contains(s, "\n") && !strings.ContainsAny(s, "`\r") && isPrintable(s) {
		return "`" + s + "`"
	}
	return quote(s)
}

// quote is s as a quoted Go string, as jen.Lit writes it (strconv.Quote).
// The long schema constants are printable text, which it escapes in one
// pass; anything else is left to strconv.Quote.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8 + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
			i++
		case c == '\n':
			b.WriteString(`\n`)
			i++
		case c == '\t':
			b.WriteString(`\t`)
			i++
		case c >= ' ' && c < utf8.RuneSelf && c != 0x7f:
			b.WriteByte(c)
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || !strconv.IsPrint(r) {
				return strconv.Quote(s)
			}
			b.WriteString(s[i : i+size])
			i += size
		default:
			return strconv.Quote(s)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func isPrintable(s string) bool {
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if r < ' ' || r == 0x7f || r == '\uFEFF' || r == '\uFFFD' {
			return false
		}
	}
	return true
}
