package emit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"
	"github.com/mcpgen/mcpgen/generator/ir"
)

// upstreamPkg is the runtime package that makes the HTTP calls; jqPkg runs
// the programs of response.select, and is imported only where one is set.
const (
	upstreamPkg = "github.com/mcpgen/mcpgen/runtime/upstream"
	jqPkg       = upstreamPkg + "/jq"
)

// apiFile emits api_gen.go: the HTTP API an OpenAPI project's tools call,
// one upstream.Operation per operation, and the schema definitions their
// tools share.
func apiFile(p *ir.Project, fs *forms) *jen.File {
	a := p.API
	f := newFile(p, true)

	fileDoc(f, comment.Doc(
		fmt.Sprintf("apiDescription describes the HTTP API of %s, which the tools call.", a.Spec),
		"Source: "+a.Spec,
	))
	f.Var().Id("apiDescription").Op("=").Add(literal(jen.Op("&").Qual(upstreamPkg, "API"), func(g *jen.Group) {
		kv(g, "Name", jen.Lit(apiName(p)))
		if a.BaseURL != "" {
			kv(g, "BaseURL", jen.Lit(a.BaseURL))
		}
		kv(g, "BaseURLEnv", jen.Lit(a.BaseURLEnv))
		if len(a.Schemes) > 0 {
			kv(g, "Schemes", jen.Index().Qual(upstreamPkg, "SecurityScheme").ValuesFunc(func(g *jen.Group) {
				for _, s := range a.Schemes {
					g.Line().Add(literal(jen.Null(), func(g *jen.Group) { scheme(g, s) }))
				}
				g.Line()
			}))
		}
		if a.SignedInUser {
			kv(g, "SignedInUser", jen.True())
		}
		if a.Timeout > 0 {
			kv(g, "Timeout", duration(a.Timeout))
		}
		if a.MaxResponseBytes > 0 {
			kv(g, "MaxResponseBytes", jen.Lit(a.MaxResponseBytes))
		}
	}))

	env := []string{a.BaseURLEnv}
	for _, s := range a.Schemes {
		env = append(env, s.Env...)
		if s.AccessTokenEnv != "" {
			env = append(env, s.AccessTokenEnv)
		}
	}
	fileDoc(f, comment.Doc(
		"NewAPIClient returns a client of the API, configured from the environment as lookupEnv reads it (os.LookupEnv in main): "+strings.Join(env, ", ")+".",
		"It fails when the base URL is missing or not an absolute http(s) URL. Credentials may be missing: calls are then sent without them, and an answer of 401 or 403 becomes a tool error naming the variables to set.",
	))
	f.Func().Id("NewAPIClient").Params(
		jen.Id("lookupEnv").Func().Params(jen.String()).Params(jen.String(), jen.Bool()),
	).Params(jen.Op("*").Qual(upstreamPkg, "Client"), jen.Error()).Block(
		jen.Return(jen.Qual(upstreamPkg, "New").Call(jen.Id("apiDescription"), jen.Id("lookupEnv"), jen.Nil())),
	)

	fs.run(f, func(decl func(tok, name, doc string, value func() jen.Code)) {
		for _, t := range p.Tools {
			op := t.Op
			if op == nil {
				continue
			}
			decl("var", op.Var, comment.Doc(
				fmt.Sprintf("%s is the %s operation of the %q tool: %s %s.", op.Var, op.ID, t.Name, op.Method, op.Path),
				"Source: "+a.Spec+op.Pointer,
			), func() jen.Code {
				return fs.expr(func(b *filler) jen.Code { return operation(b, t, p.API.Dynamic) })
			})
		}
	})

	for _, t := range p.Tools {
		if t.Op == nil || !t.Op.Custom {
			continue
		}
		fileDoc(f, comment.Doc(
			fmt.Sprintf("Call%s makes the HTTP call of the %q tool (%s %s) with the arguments in, and returns the API's response.", t.GoName, t.Name, t.Op.Method, t.Op.Path),
			"Its Result method turns the response into the tool result the generated tool would return: a tool error for a status other than 2xx, structured content for JSON.",
		))
		f.Func().Id("Call"+t.GoName).Params(
			jen.Id("ctx").Qual("context", "Context"),
			jen.Id("c").Op("*").Qual(upstreamPkg, "Client"),
			jen.Id("in").Id(t.InputType),
		).Params(jen.Op("*").Qual(upstreamPkg, "Response"), jen.Error()).Block(
			jen.List(jen.Id("args"), jen.Id("err")).Op(":=").Qual(upstreamPkg, "Args").Call(jen.Id("in")),
			jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Id("err"))),
			jen.Return(jen.Id("c").Dot("Do").Call(jen.Id("ctx"), jen.Id(t.Op.Var), jen.Id("args"))),
		)
	}

	if len(a.Defs) > 0 {
		fileDoc(f, comment.Doc(
			fmt.Sprintf("apiDefs are the schemas of %s that the tools' schemas share, referred to as #/$defs/<name>.", a.Spec),
			"apiSchema adds to a tool's schema the definitions it needs.",
		))
		f.Var().Id("apiDefs").Op("=").Id("mustParseDefs").Call(jen.Id("apiDefsJSON"))
		fileDoc(f, "apiSchema returns schema with the definitions it refers to, which is what clients see.")
		f.Func().Id("apiSchema").Params(jen.Id("schema").String()).Qual("encoding/json", "RawMessage").Block(
			jen.List(jen.Id("s"), jen.Id("err")).Op(":=").Id("apiDefs").Dot("Schema").Call(jen.Id("schema")),
			jen.If(jen.Id("err").Op("!=").Nil()).Block(
				jen.Comment("Not reached: mcpgen resolved every schema against apiDefs when it"),
				jen.Comment("generated this file."),
				jen.Panic(jen.Id("err")),
			),
			jen.Return(jen.Id("s")),
		)
		fileDoc(f, "mustParseDefs parses the shared definitions; like apiSchema, it cannot fail on what mcpgen generated.")
		f.Func().Id("mustParseDefs").Params(jen.Id("data").String()).Qual(upstreamPkg, "Defs").Block(
			jen.List(jen.Id("d"), jen.Id("err")).Op(":=").Qual(upstreamPkg, "ParseDefs").Call(jen.Index().Byte().Parens(jen.Id("data"))),
			jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Panic(jen.Id("err"))),
			jen.Return(jen.Id("d")),
		)
		fileDoc(f, fmt.Sprintf("apiDefsJSON holds the definitions, one per schema of %s.", a.Spec))
		f.Const().Id("apiDefsJSON").Op("=").Add(fs.verbatim(stringLitSrc(defsJSON(a.Defs))))
	}
	return f
}

// apiName is the API's name in errors and the User-Agent.
func apiName(p *ir.Project) string {
	if p.API.Title != "" {
		return p.API.Title
	}
	return p.Name
}

func scheme(g *jen.Group, s ir.Scheme) {
	kv(g, "Name", jen.Lit(s.Name))
	kv(g, "Type", jen.Lit(s.Type))
	if s.In != "" {
		kv(g, "In", jen.Lit(s.In))
	}
	if s.ParamName != "" {
		kv(g, "ParamName", jen.Lit(s.ParamName))
	}
	if s.Scheme != "" {
		kv(g, "Scheme", jen.Lit(s.Scheme))
	}
	if s.TokenURL != "" {
		kv(g, "TokenURL", jen.Lit(s.TokenURL))
	}
	if len(s.Scopes) > 0 {
		kv(g, "Scopes", strs(inPlace, s.Scopes))
	}
	if len(s.Env) > 0 {
		kv(g, "Env", strs(inPlace, s.Env))
	}
	if s.AccessTokenEnv != "" {
		kv(g, "AccessTokenEnv", jen.Lit(s.AccessTokenEnv))
	}
}

// operation is the upstream.Operation literal of t.
//
// OutputSchema is set for a tool of its own with an output schema; in
// dynamic mode the tool that calls operations has none.
func operation(b *filler, t *ir.Tool, dynamic bool) jen.Code {
	op := t.Op
	return literal(jen.Op("&").Qual(upstreamPkg, "Operation"), func(g *jen.Group) {
		b.kv(g, "Tool", b.lit(t.Name))
		b.kv(g, "Method", b.lit(op.Method))
		b.kv(g, "Path", b.lit(op.Path))
		if len(op.Params) > 0 {
			b.kv(g, "Params", jen.Index().Qual(upstreamPkg, "Param").ValuesFunc(func(g *jen.Group) {
				for _, prm := range op.Params {
					g.Line().Add(param(b, prm))
				}
				g.Line()
			}))
		}
		if body := op.Body; body != nil {
			b.kv(g, "Body", literal(jen.Op("&").Qual(upstreamPkg, "Body"), func(g *jen.Group) {
				b.kv(g, "Arg", b.lit(body.Arg))
				b.kv(g, "ContentType", b.lit(body.ContentType))
				if body.Required {
					b.kv(g, "Required", jen.True())
				}
				if len(body.Files) > 0 {
					b.kv(g, "Files", strs(b, body.Files))
				}
				if len(body.Encoding) > 0 {
					b.kv(g, "Encoding", jen.Index().Qual(upstreamPkg, "Encoding").ValuesFunc(func(g *jen.Group) {
						for _, e := range body.Encoding {
							g.Line().Add(encoding(b, e))
						}
						g.Line()
					}))
				}
			}))
		}
		if op.Security != nil {
			b.kv(g, "Security", jen.Index().Index().String().ValuesFunc(func(g *jen.Group) {
				for _, alt := range op.Security {
					g.Add(strsValues(b, alt))
				}
			}))
		}
		if op.WrapOutput {
			b.kv(g, "WrapOutput", jen.True())
		}
		if t.OutputSchema != nil && !dynamic {
			b.kv(g, "OutputSchema", jen.True())
		}
		if pg := op.Paging; pg != nil {
			b.kv(g, "Paging", literal(jen.Op("&").Qual(upstreamPkg, "Paging"), func(g *jen.Group) {
				for _, f := range []struct{ name, arg string }{{"Page", pg.Page}, {"Offset", pg.Offset}, {"Cursor", pg.Cursor}} {
					if f.arg != "" {
						b.kv(g, f.name, b.lit(f.arg))
					}
				}
				if pg.Page != "" {
					b.kv(g, "FirstPage", b.lit(pg.FirstPage))
				}
				if pg.Size != "" {
					b.kv(g, "Size", b.lit(pg.Size))
				}
				if pg.InResult {
					b.kv(g, "InResult", jen.True())
				}
			}))
		}
		if bu := op.Budget; bu != nil {
			b.kv(g, "Budget", literal(jen.Op("&").Qual(upstreamPkg, "Budget"), func(g *jen.Group) {
				if bu.Select != "" {
					b.kv(g, "Select", jen.Qual(jqPkg, "MustCompile").Call(b.lit(bu.Select)))
				}
				if bu.MaxBytes > 0 {
					b.kv(g, "MaxBytes", b.lit(int(bu.MaxBytes)))
				}
			}))
		}
	})
}

// param is one Param on one line: the fields in a fixed order, false ones
// left out.
func param(b *filler, p ir.Param) jen.Code {
	b.mark("{")
	defer b.mark("}")
	return jen.ValuesFunc(func(g *jen.Group) {
		field := func(name string, v jen.Code) {
			b.mark(name)
			g.Id(name).Op(":").Add(v)
		}
		field("Name", b.lit(p.Name))
		if p.Arg != p.Name {
			field("Arg", b.lit(p.Arg))
		}
		field("In", b.lit(p.In))
		field("Style", b.lit(p.Style))
		for _, f := range []struct {
			name string
			set  bool
		}{{"Explode", p.Explode}, {"AllowReserved", p.AllowReserved}, {"Required", p.Required}, {"JSON", p.JSON}} {
			if f.set {
				field(f.name, jen.True())
			}
		}
	})
}

// encoding is one Encoding on one line, as param writes a Param.
func encoding(b *filler, e ir.Encoding) jen.Code {
	b.mark("{")
	defer b.mark("}")
	return jen.ValuesFunc(func(g *jen.Group) {
		field := func(name string, v jen.Code) {
			b.mark(name)
			g.Id(name).Op(":").Add(v)
		}
		field("Name", b.lit(e.Name))
		if e.Style != "" {
			field("Style", b.lit(e.Style))
		}
		if e.Explode {
			field("Explode", jen.True())
		}
		if e.AllowReserved {
			field("AllowReserved", jen.True())
		}
		if e.ContentType != "" {
			field("ContentType", b.lit(e.ContentType))
		}
	})
}

func strs(b *filler, list []string) jen.Code { return jen.Index().String().Add(strsValues(b, list)) }

func strsValues(b *filler, list []string) jen.Code {
	b.mark("[")
	defer b.mark("]")
	return jen.ValuesFunc(func(g *jen.Group) {
		for _, s := range list {
			g.Add(b.lit(s))
		}
	})
}

// duration writes d as a Go expression: 30 * time.Second.
func duration(d time.Duration) jen.Code {
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "Hour"}, {time.Minute, "Minute"}, {time.Second, "Second"}, {time.Millisecond, "Millisecond"}} {
		if d%u.unit == 0 {
			return jen.Lit(int(d/u.unit)).Op("*").Qual("time", u.name)
		}
	}
	return jen.Qual("time", "Duration").Call(jen.Lit(int64(d)))
}

// defsJSON is the definitions as one JSON object, a definition per member,
// in the order given.
func defsJSON(defs []ir.Def) string {
	var b bytes.Buffer
	b.WriteString("{")
	for i, d := range defs {
		if i > 0 {
			b.WriteString(",")
		}
		name, _ := json.Marshal(d.Name)
		b.WriteString("\n  ")
		b.Write(name)
		b.WriteString(": ")
		var ind bytes.Buffer
		if json.Indent(&ind, d.Schema, "  ", "  ") != nil {
			ind.Reset()
			ind.Write(d.Schema)
		}
		b.Write(ind.Bytes())
	}
	b.WriteString("\n}")
	return b.String()
}

// usesDefs reports whether a tool schema refers to the shared definitions.
func usesDefs(schema []byte) bool {
	return bytes.Contains(schema, []byte(`"#/$defs/`))
}
