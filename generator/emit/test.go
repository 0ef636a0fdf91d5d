package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"

	"github.com/mcpgen/mcpgen/generator/ir"
)

// testFile emits mcpgen_gen_test.go: the checks that hold for every
// generated server whatever its handlers do. The server runs with
// UnimplementedToolHandler, so these tests test the generated layer: that
// every tool is listed, and that arguments breaking a tool's schema are
// refused as a tool error before any handler runs.
func testFile(p *ir.Project) *jen.File {
	f := newFile(p, true)

	if p.API != nil {
		fileDoc(f, comment.Doc(
			"testAPIClient is a client of a local stand-in for the API that fails the test if it is ever called:",
			"these tests check what the server refuses before it calls the API.",
		))
		f.Func().Id("testAPIClient").Params(jen.Id("t").Op("*").Qual("testing", "T")).Op("*").Qual(upstreamPkg, "Client").Block(
			jen.Id("t").Dot("Helper").Call(),
			jen.Id("srv").Op(":=").Qual("net/http/httptest", "NewServer").Call(jen.Qual("net/http", "HandlerFunc").Call(
				jen.Func().Params(jen.Id("w").Qual("net/http", "ResponseWriter"), jen.Id("r").Op("*").Qual("net/http", "Request")).Block(
					jen.Id("t").Dot("Errorf").Call(jen.Lit("the API was called: %s %s"), jen.Id("r").Dot("Method"), jen.Id("r").Dot("URL")),
					jen.Qual("net/http", "Error").Call(jen.Id("w"), jen.Lit("unexpected call"), jen.Qual("net/http", "StatusTeapot")),
				),
			)),
			jen.Id("t").Dot("Cleanup").Call(jen.Id("srv").Dot("Close")),
			jen.List(jen.Id("api"), jen.Id("err")).Op(":=").Id("NewAPIClient").Call(
				jen.Func().Params(jen.Id("name").String()).Params(jen.String(), jen.Bool()).Block(
					jen.If(jen.Id("name").Op("==").Id("apiDescription").Dot("BaseURLEnv")).Block(
						jen.Return(jen.Id("srv").Dot("URL"), jen.True()),
					),
					jen.Return(jen.Lit(""), jen.False()),
				),
			),
			jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Id("t").Dot("Fatal").Call(jen.Id("err"))),
			jen.Return(jen.Id("api")),
		)
	}

	if p.Auth != nil {
		fileDoc(f, comment.Doc(
			"connectGenerated connects an in-memory client to the generated server.",
			"The in-memory connection bypasses OAuth (it carries no HTTP requests, so no tokens) and the server has no Gate: these tests see every tool, as a user allowed to call all of them would.",
		))
		f.Func().Id("connectGenerated").Params(jen.Id("t").Op("*").Qual("testing", "T")).Op("*").Qual(mcpPkg, "ClientSession").Block(
			jen.Id("t").Dot("Helper").Call(),
			jen.Return(jen.Id("connectGeneratedServer").Call(jen.Id("t"), newServerCall(p))),
		)
		fileDoc(f, "connectGeneratedServer connects an in-memory client to s.")
		f.Func().Id("connectGeneratedServer").Params(jen.Id("t").Op("*").Qual("testing", "T"), jen.Id("s").Op("*").Qual(mcpPkg, "Server")).Op("*").Qual(mcpPkg, "ClientSession").Block(
			connectBody(jen.Id("s"))...,
		)
	} else {
		fileDoc(f, "connectGenerated connects an in-memory client to the generated server.")
		f.Func().Id("connectGenerated").Params(jen.Id("t").Op("*").Qual("testing", "T")).Op("*").Qual(mcpPkg, "ClientSession").Block(
			connectBody(newServerCall(p))...,
		)
	}

	fileDoc(f, "TestGeneratedToolsListed checks that the server lists exactly the tools of "+p.Source+".")
	f.Func().Id("TestGeneratedToolsListed").Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
		jen.Id("cs").Op(":=").Id("connectGenerated").Call(jen.Id("t")),
		jen.Var().Id("got").Index().String(),
		jen.For(jen.List(jen.Id("tool"), jen.Id("err")).Op(":=").Range().Id("cs").Dot("Tools").Call(jen.Id("t").Dot("Context").Call(), jen.Nil())).Block(
			jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Id("t").Dot("Fatal").Call(jen.Id("err"))),
			jen.Id("got").Op("=").Append(jen.Id("got"), jen.Id("tool").Dot("Name")),
		),
		jen.Id("want").Op(":=").Index().String().ValuesFunc(func(g *jen.Group) {
			for _, name := range listedTools(p) {
				g.Lit(name)
			}
		}),
		jen.Qual("slices", "Sort").Call(jen.Id("got")),
		jen.Qual("slices", "Sort").Call(jen.Id("want")),
		jen.If(jen.Op("!").Qual("slices", "Equal").Call(jen.Id("got"), jen.Id("want"))).Block(
			jen.Id("t").Dot("Errorf").Call(jen.Lit("tools/list = %q, want %q"), jen.Id("got"), jen.Id("want")),
		),
	)

	if p.Auth != nil {
		authTests(f, p)
	}

	var cases []*ir.Tool
	for _, t := range p.Tools {
		if t.BadArguments != "" && (t.HasHandler() || !p.API.Dynamic) {
			cases = append(cases, t)
		}
	}
	if len(cases) == 0 {
		return f
	}
	fileDoc(f, comment.Doc(
		"TestGeneratedArgumentsValidated checks that arguments breaking a tool's input schema come back as a tool error, and never reach the handler.",
		"Each case's arguments were checked against the schema when the code was generated.",
	))
	f.Func().Id("TestGeneratedArgumentsValidated").Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
		jen.Id("cs").Op(":=").Id("connectGenerated").Call(jen.Id("t")),
		jen.For(jen.List(jen.Id("_"), jen.Id("tc")).Op(":=").Range().Index().Struct(
			jen.Id("tool").String(),
			jen.Id("arguments").String(),
		).ValuesFunc(func(g *jen.Group) {
			for _, t := range cases {
				g.Line().Values(jen.Lit(t.Name), jen.Lit(t.BadArguments))
			}
			g.Line()
		})).Block(
			jen.List(jen.Id("res"), jen.Id("err")).Op(":=").Id("cs").Dot("CallTool").Call(
				jen.Id("t").Dot("Context").Call(),
				jen.Op("&").Qual(mcpPkg, "CallToolParams").Values(jen.Dict{
					jen.Id("Name"):      jen.Id("tc").Dot("tool"),
					jen.Id("Arguments"): jen.Qual("encoding/json", "RawMessage").Call(jen.Id("tc").Dot("arguments")),
				}),
			),
			jen.If(jen.Id("err").Op("!=").Nil()).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("%s(%s): protocol error %v, want a tool error"), jen.Id("tc").Dot("tool"), jen.Id("tc").Dot("arguments"), jen.Id("err")),
				jen.Continue(),
			),
			jen.If(jen.Op("!").Id("res").Dot("IsError")).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("%s(%s) succeeded, want a tool error"), jen.Id("tc").Dot("tool"), jen.Id("tc").Dot("arguments")),
				jen.Continue(),
			),
			jen.If(jen.Len(jen.Id("res").Dot("Content")).Op("==").Lit(0)).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("%s(%s): tool error without a message"), jen.Id("tc").Dot("tool"), jen.Id("tc").Dot("arguments")),
				jen.Continue(),
			),
			jen.If(jen.List(jen.Id("text"), jen.Id("ok")).Op(":=").Id("res").Dot("Content").Index(jen.Lit(0)).Assert(jen.Op("*").Qual(mcpPkg, "TextContent")),
				jen.Id("ok").Op("&&").Qual("strings", "Contains").Call(jen.Id("text").Dot("Text"), jen.Lit("not implemented"))).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("%s(%s) reached the handler (%q), want a validation error"), jen.Id("tc").Dot("tool"), jen.Id("tc").Dot("arguments"), jen.Id("text").Dot("Text")),
			),
		),
	)
	return f
}

// newServerCall is the NewServer call of the tests: every handler
// unimplemented, and the API a stand-in that must not be called.
func newServerCall(p *ir.Project) jen.Code {
	if p.API != nil {
		return jen.Id("NewServer").Call(jen.Id("UnimplementedToolHandler").Values(), jen.Id("testAPIClient").Call(jen.Id("t")), jen.Nil())
	}
	return jen.Id("NewServer").Call(jen.Id("UnimplementedToolHandler").Values(), jen.Nil())
}

// dynamicTools are the tools through which a dynamic API is served.
var dynamicTools = []string{"list_operations", "search_operations", "describe_operation", "call_operation"}

// listedTools are the names tools/list returns.
func listedTools(p *ir.Project) []string {
	var names []string
	for _, t := range p.Tools {
		if t.HasHandler() || !p.API.Dynamic {
			names = append(names, t.Name)
		}
	}
	if p.API != nil && p.API.Dynamic {
		names = append(names, dynamicTools...)
	}
	return names
}

// connectBody is the body of a function that connects an in-memory client
// to server and returns the client's session.
func connectBody(server jen.Code) []jen.Code {
	return []jen.Code{
		jen.Id("t").Dot("Helper").Call(),
		jen.Id("ctx").Op(":=").Id("t").Dot("Context").Call(),
		jen.List(jen.Id("serverTransport"), jen.Id("clientTransport")).Op(":=").Qual(mcpPkg, "NewInMemoryTransports").Call(),
		jen.List(jen.Id("ss"), jen.Id("err")).Op(":=").Add(server).Dot("Connect").Call(jen.Id("ctx"), jen.Id("serverTransport"), jen.Nil()),
		jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Id("t").Dot("Fatal").Call(jen.Id("err"))),
		jen.Id("t").Dot("Cleanup").Call(jen.Func().Params().Block(jen.Id("ss").Dot("Close").Call())),
		jen.Id("client").Op(":=").Qual(mcpPkg, "NewClient").Call(jen.Op("&").Qual(mcpPkg, "Implementation").Values(jen.Dict{
			jen.Id("Name"):    jen.Lit("test"),
			jen.Id("Version"): jen.Lit("v0"),
		}), jen.Nil()),
		jen.List(jen.Id("cs"), jen.Id("err")).Op(":=").Id("client").Dot("Connect").Call(jen.Id("ctx"), jen.Id("clientTransport"), jen.Nil()),
		jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Id("t").Dot("Fatal").Call(jen.Id("err"))),
		jen.Id("t").Dot("Cleanup").Call(jen.Func().Params().Block(jen.Id("cs").Dot("Close").Call())),
		jen.Return(jen.Id("cs")),
	}
}
