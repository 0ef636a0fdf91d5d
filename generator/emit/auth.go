package emit

import (
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"
	"github.com/mcpgen/mcpgen/generator/ir"
)

// oauthPkg is the runtime package of OAuth-protected servers. Only projects
// with an auth section import it, so that an open server links no OAuth or
// storage code.
const oauthPkg = "github.com/mcpgen/mcpgen/runtime/oauth"

// authOptions emits AuthOptions, the oauth.Options that the manifest's auth
// section and the tools' auth rules describe.
func authOptions(f *jen.File, p *ir.Project) {
	fileDoc(f, comment.Doc(
		"AuthOptions returns how users sign in to the server and which tools each of them may see and call, as "+p.Source+p.Auth.Pointer+" and the tools' auth rules say.",
		"oauth.New reads the rest (client credentials, BASE_URL, ENCRYPTION_KEY, STORE_PATH) from the environment.",
	))
	f.Func().Id("AuthOptions").Params().Op("*").Qual(oauthPkg, "Options").Block(
		jen.Return(literal(jen.Op("&").Qual(oauthPkg, "Options"), func(g *jen.Group) {
			kv(g, "Provider", jen.Lit(p.Auth.Provider))
			if len(p.Auth.Scopes) > 0 {
				kv(g, "Scopes", stringSlice(p.Auth.Scopes))
			}
			kv(g, "ServerName", jen.Id("ServerName"))
			gated := p.GatedTools()
			if len(gated) == 0 {
				return
			}
			kv(g, "Tools", jen.Map(jen.String()).Qual(oauthPkg, "Rule").ValuesFunc(func(g *jen.Group) {
				for _, t := range gated {
					g.Line().Comment("Source: " + t.Auth.Source(p.Source)).Line().Lit(t.Name).Op(":").Add(literal(jen.Null(), func(g *jen.Group) {
						if len(t.Auth.Users) > 0 {
							kv(g, "Users", stringSlice(t.Auth.Users))
						}
						if t.Auth.UsersEnv != "" {
							kv(g, "UsersEnv", jen.Lit(t.Auth.UsersEnv))
						}
						if len(t.Auth.Scopes) > 0 {
							kv(g, "Scopes", stringSlice(t.Auth.Scopes))
						}
					}))
				}
				g.Line()
			}))
		})),
	)
}

// authNotWired emits the stand-in that ServeOptions puts in Options.Auth,
// so that a project whose manifest gained an auth section, but whose
// main.go (the user's) does not set Options.Auth yet, fails closed.
func authNotWired(f *jen.File, p *ir.Project) {
	fileDoc(f, comment.Doc(
		"authNotWired stands in for the OAuth server until main sets serve.Options.Auth: it refuses every request to /mcp and /sse, and says why in the log.",
		"main.go of a project created with an auth section shows the wiring; see also the README's \"Set up sign-in\".",
	))
	f.Type().Id("authNotWired").Struct()
	f.Line()
	f.Func().Params(jen.Id("authNotWired")).Id("Mount").Params(jen.Op("*").Qual("net/http", "ServeMux")).Block()
	f.Line()
	f.Func().Params(jen.Id("authNotWired")).Id("Protect").Params(jen.Qual("net/http", "Handler")).Qual("net/http", "Handler").Block(
		jen.Qual("log/slog", "Error").Call(jen.Lit(p.Source+" has an auth section, but main does not set serve.Options.Auth: /mcp and /sse refuse every request")),
		jen.Return(jen.Qual("net/http", "HandlerFunc").Call(jen.Func().Params(jen.Id("w").Qual("net/http", "ResponseWriter"), jen.Id("_").Op("*").Qual("net/http", "Request")).Block(
			jen.Qual("net/http", "Error").Call(jen.Id("w"), jen.Lit("authorization is not set up on this server"), jen.Qual("net/http", "StatusServiceUnavailable")),
		))),
	)
}

// stringSlice is a []string literal.
func stringSlice(values []string) jen.Code {
	return jen.Index().String().ValuesFunc(func(g *jen.Group) {
		for _, v := range values {
			g.Lit(v)
		}
	})
}

// providerEnv are the environment variables without which oauth.New
// refuses to start, per provider: the generated tests check that it does.
var providerEnv = map[string][]string{
	"github": {"GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"},
	"google": {"GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"},
	"oidc":   {"OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"},
}

// authTests emits the generated tests of an OAuth-protected server that need
// no identity provider: the server refuses to start without its provider's
// credentials, and a caller who has not signed in sees none of the gated
// tools and cannot call them.
func authTests(f *jen.File, p *ir.Project) {
	required := providerEnv[p.Auth.Provider]

	fileDoc(f, comment.Doc(
		"TestGeneratedAuthSettingsRequired checks that the server does not start without the settings of its identity provider ("+strings.Join(required, ", ")+"), and that the error names each of them.",
	))
	f.Func().Id("TestGeneratedAuthSettingsRequired").Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
		jen.Id("store").Op(":=").Qual("path/filepath", "Join").Call(jen.Id("t").Dot("TempDir").Call(), jen.Lit("oauth.db")),
		jen.Id("env").Op(":=").Func().Params(jen.Id("name").String()).Params(jen.String(), jen.Bool()).Block(
			jen.If(jen.Id("name").Op("==").Lit("STORE_PATH")).Block(jen.Return(jen.Id("store"), jen.True())),
			jen.Return(jen.Lit(""), jen.False()),
		),
		jen.List(jen.Id("auth"), jen.Id("err")).Op(":=").Qual(oauthPkg, "New").Call(jen.Id("AuthOptions").Call(), jen.Id("env"), jen.Nil()),
		jen.If(jen.Id("err").Op("==").Nil()).Block(
			jen.Id("auth").Dot("Close").Call(),
			jen.Id("t").Dot("Fatal").Call(jen.Lit("oauth.New succeeded without credentials")),
		),
		jen.For(jen.List(jen.Id("_"), jen.Id("name")).Op(":=").Range().Add(stringSlice(required))).Block(
			jen.If(jen.Op("!").Qual("strings", "Contains").Call(jen.Id("err").Dot("Error").Call(), jen.Id("name"))).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("oauth.New without settings: %v; want it to name %s"), jen.Id("err"), jen.Id("name")),
			),
		),
	)

	gated := p.GatedTools()
	if len(gated) == 0 {
		return
	}
	fileDoc(f, "generatedToolText is the text of a tool result.")
	f.Func().Id("generatedToolText").Params(jen.Id("res").Op("*").Qual(mcpPkg, "CallToolResult")).String().Block(
		jen.Var().Id("parts").Index().String(),
		jen.For(jen.List(jen.Id("_"), jen.Id("c")).Op(":=").Range().Id("res").Dot("Content")).Block(
			jen.If(jen.List(jen.Id("text"), jen.Id("ok")).Op(":=").Id("c").Assert(jen.Op("*").Qual(mcpPkg, "TextContent")), jen.Id("ok")).Block(
				jen.Id("parts").Op("=").Append(jen.Id("parts"), jen.Id("text").Dot("Text")),
			),
		),
		jen.Return(jen.Qual("strings", "Join").Call(jen.Id("parts"), jen.Lit("\n"))),
	)

	fileDoc(f, comment.Doc(
		"TestGeneratedToolsGated checks that a caller who has not signed in neither sees the tools that "+p.Source+" restricts nor can call them.",
		"The provider's settings are stand-ins: nobody signs in, so the provider is never called.",
	))
	f.Func().Id("TestGeneratedToolsGated").Params(jen.Id("t").Op("*").Qual("testing", "T")).Block(
		jen.Id("settings").Op(":=").Map(jen.String()).String().ValuesFunc(func(g *jen.Group) {
			for _, name := range required {
				value := "stand-in"
				if name == "OIDC_ISSUER" {
					value = "https://issuer.invalid" // never contacted: nobody signs in
				}
				g.Line().Lit(name).Op(":").Lit(value)
			}
			g.Line().Lit("ENCRYPTION_KEY").Op(":").Qual("encoding/base64", "StdEncoding").Dot("EncodeToString").Call(jen.Make(jen.Index().Byte(), jen.Lit(32)))
			g.Line().Lit("STORE_PATH").Op(":").Qual("path/filepath", "Join").Call(jen.Id("t").Dot("TempDir").Call(), jen.Lit("oauth.db"))
			g.Line()
		}),
		jen.Id("env").Op(":=").Func().Params(jen.Id("name").String()).Params(jen.String(), jen.Bool()).Block(
			jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id("settings").Index(jen.Id("name")),
			jen.Return(jen.Id("v"), jen.Id("ok")),
		),
		jen.List(jen.Id("auth"), jen.Id("err")).Op(":=").Qual(oauthPkg, "New").Call(jen.Id("AuthOptions").Call(), jen.Id("env"), jen.Qual("log/slog", "New").Call(jen.Qual("log/slog", "DiscardHandler"))),
		jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Id("t").Dot("Fatal").Call(jen.Id("err"))),
		jen.Id("t").Dot("Cleanup").Call(jen.Func().Params().Block(jen.Id("auth").Dot("Close").Call())),
		jen.Id("s").Op(":=").Add(newServerCall(p)),
		jen.Id("auth").Dot("Gate").Call(jen.Id("s")),
		jen.Id("cs").Op(":=").Id("connectGeneratedServer").Call(jen.Id("t"), jen.Id("s")),

		jen.Id("gated").Op(":=").Add(stringSlice(toolNames(gated))),
		jen.For(jen.List(jen.Id("tool"), jen.Id("err")).Op(":=").Range().Id("cs").Dot("Tools").Call(jen.Id("t").Dot("Context").Call(), jen.Nil())).Block(
			jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Id("t").Dot("Fatal").Call(jen.Id("err"))),
			jen.If(jen.Qual("slices", "Contains").Call(jen.Id("gated"), jen.Id("tool").Dot("Name"))).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("tools/list shows %s to a caller who has not signed in"), jen.Id("tool").Dot("Name")),
			),
		),
		jen.For(jen.List(jen.Id("_"), jen.Id("name")).Op(":=").Range().Id("gated")).Block(
			jen.List(jen.Id("res"), jen.Id("err")).Op(":=").Id("cs").Dot("CallTool").Call(
				jen.Id("t").Dot("Context").Call(),
				jen.Op("&").Qual(mcpPkg, "CallToolParams").Values(jen.Dict{
					jen.Id("Name"):      jen.Id("name"),
					jen.Id("Arguments"): jen.Map(jen.String()).Any().Values(),
				}),
			),
			jen.If(jen.Id("err").Op("!=").Nil()).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("%s: protocol error %v, want a tool error"), jen.Id("name"), jen.Id("err")),
				jen.Continue(),
			),
			jen.Comment("The handlers are unimplemented: a call that got through to one"),
			jen.Comment("answers \"not implemented\"."),
			jen.If(jen.Op("!").Id("res").Dot("IsError").Op("||").Qual("strings", "Contains").Call(jen.Id("generatedToolText").Call(jen.Id("res")), jen.Lit("not implemented"))).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("%s called by a caller who has not signed in: %q (isError %v), want it refused"), jen.Id("name"), jen.Id("generatedToolText").Call(jen.Id("res")), jen.Id("res").Dot("IsError")),
			),
		),
	)
}

func toolNames(tools []*ir.Tool) []string {
	var names []string
	for _, t := range tools {
		names = append(names, t.Name)
	}
	return names
}

// authMain is the body of main.go's main for an OAuth-protected server: the
// authorization server is built from AuthOptions and the environment (a
// missing setting stops the server with a message naming it), gates the
// tools, and protects the HTTP transports.
func authMain(p *ir.Project) []jen.Code {
	exitOn := func() jen.Code {
		return jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Id("fatal").Call(jen.Id("err")))
	}
	var code []jen.Code
	code = append(code,
		jen.Comment("Settings in .env (cp .env.example .env) apply unless the environment"),
		jen.Comment("sets them already."),
		jen.If(jen.Id("err").Op(":=").Id("loadEnvFile").Call(jen.Lit(".env")), jen.Id("err").Op("!=").Nil()).Block(
			jen.Id("fatal").Call(jen.Id("err")),
		),
		jen.Id("opts").Op(":=").Id("ServeOptions").Call(),
		jen.Comment("The flags first, so that --help and a bad flag are answered before"),
		jen.Comment("OAuth asks for its settings, and OAuth logs as the server does."),
		jen.List(jen.Id("cfg"), jen.Id("err")).Op(":=").Qual(servePkg, "ParseConfig").Call(
			jen.Qual("os", "Args").Index(jen.Lit(1), jen.Empty()), jen.Qual("os", "LookupEnv"), jen.Id("opts"),
		),
		jen.If(jen.Qual("errors", "Is").Call(jen.Id("err"), jen.Qual("flag", "ErrHelp"))).Block(jen.Return()),
		exitOn(),
	)
	tools := jen.Dict{jen.Id("Auth"): jen.Id("auth")}
	newServer := []jen.Code{jen.Op("&").Id("Tools").Values(tools)}
	if p.API != nil {
		code = append(code,
			jen.List(jen.Id("api"), jen.Id("err")).Op(":=").Id("NewAPIClient").Call(jen.Qual("os", "LookupEnv")),
			exitOn(),
		)
		tools[jen.Id("API")] = jen.Id("api")
		newServer = append(newServer, jen.Id("api"))
	}
	newServer = append(newServer, jen.Nil())
	// One store for the OAuth server and the tools' state, so that one
	// setting moves both to Redis.
	what := "The OAuth server's records live"
	if p.HasState() {
		what = "The OAuth server's records and the tools' state live"
	}
	code = append(code,
		jen.Comment(what+" in the store STORE_URL names."),
		jen.List(jen.Id("st"), jen.Id("err")).Op(":=").Id("OpenStore").Call(jen.Qual("context", "Background").Call()),
		exitOn(),
		jen.Defer().Id("st").Dot("Close").Call(),
		jen.Id("authOpts").Op(":=").Id("AuthOptions").Call(),
		jen.Id("authOpts").Dot("Store").Op("=").Id("st"),
	)
	authOpts := jen.Id("authOpts")
	if p.HasState() {
		tools[jen.Id("State")] = jen.Id("NewState").Call(jen.Id("st"))
	}
	code = append(code,
		jen.List(jen.Id("auth"), jen.Id("err")).Op(":=").Qual(oauthPkg, "New").Call(
			authOpts, jen.Qual("os", "LookupEnv"), jen.Qual(servePkg, "NewLogger").Call(jen.Id("cfg"), jen.Qual("os", "Stderr")),
		),
		exitOn(),
		jen.Defer().Id("auth").Dot("Close").Call(),
	)
	if p.API != nil && p.API.SignedInUser {
		code = append(code,
			jen.Comment("The API is called as the user who made each call, with the token"),
			jen.Comment("they signed in with."),
			jen.Id("api").Dot("UseSignedInUser").Call(jen.Id("auth")),
		)
	}
	code = append(code,
		jen.Line(),
		jen.Id("s").Op(":=").Id("NewServer").Call(newServer...),
		jen.Comment("Each caller sees and calls only the tools its rules allow."),
		jen.Id("auth").Dot("Gate").Call(jen.Id("s")),
		jen.Comment("The OAuth endpoints are mounted next to /mcp, which needs a token."),
		jen.Id("opts").Dot("Auth").Op("=").Id("auth"),
		jen.Qual(servePkg, "Main").Call(jen.Id("s"), jen.Id("opts")),
	)
	return code
}

// fatalFunc emits main.go's fatal, which reports a bad setting as
// serve.Main does: one line per problem, then exit status 2.
func fatalFunc(f *jen.File) {
	fileDoc(f, "fatal reports err, one line per problem, and exits with status 2, as serve.Main does for bad settings.")
	f.Func().Id("fatal").Params(jen.Id("err").Error()).Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("line")).Op(":=").Range().Qual("strings", "Split").Call(jen.Id("err").Dot("Error").Call(), jen.Lit("\n"))).Block(
			jen.Qual("fmt", "Fprintf").Call(jen.Qual("os", "Stderr"), jen.Lit("%s: %s\n"), jen.Id("ServerName"), jen.Id("line")),
		),
		jen.Qual("os", "Exit").Call(jen.Lit(2)),
	)
}

// envFileFunc emits loadEnvFile, which main of an OAuth-protected server
// calls so that `cp .env.example .env && go run .` works as the README
// says. It reads the subset of the dotenv format that .env.example uses.
func envFileFunc(f *jen.File) {
	fileDoc(f, comment.Doc(
		"loadEnvFile sets the environment variables that the file name assigns, KEY=VALUE one to a line, except those the environment already sets: the environment wins.",
		"Blank lines and lines starting with # are skipped; a value may be quoted. A missing file is not an error.",
	))
	f.Func().Id("loadEnvFile").Params(jen.Id("name").String()).Error().Block(
		jen.List(jen.Id("data"), jen.Id("err")).Op(":=").Qual("os", "ReadFile").Call(jen.Id("name")),
		jen.If(jen.Qual("errors", "Is").Call(jen.Id("err"), jen.Qual("io/fs", "ErrNotExist"))).Block(jen.Return(jen.Nil())),
		jen.If(jen.Id("err").Op("!=").Nil()).Block(jen.Return(jen.Id("err"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("line")).Op(":=").Range().Qual("strings", "Split").Call(jen.String().Call(jen.Id("data")), jen.Lit("\n"))).Block(
			jen.Id("line").Op("=").Qual("strings", "TrimSpace").Call(jen.Id("line")),
			jen.If(jen.Id("line").Op("==").Lit("").Op("||").Qual("strings", "HasPrefix").Call(jen.Id("line"), jen.Lit("#"))).Block(jen.Continue()),
			jen.List(jen.Id("key"), jen.Id("value"), jen.Id("ok")).Op(":=").Qual("strings", "Cut").Call(
				jen.Qual("strings", "TrimPrefix").Call(jen.Id("line"), jen.Lit("export ")), jen.Lit("="),
			),
			jen.Id("key").Op("=").Qual("strings", "TrimSpace").Call(jen.Id("key")),
			jen.If(jen.Op("!").Id("ok").Op("||").Id("key").Op("==").Lit("").Op("||").Qual("strings", "ContainsAny").Call(jen.Id("key"), jen.Lit(" \t"))).Block(
				jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("%s:%d: want KEY=VALUE"), jen.Id("name"), jen.Id("i").Op("+").Lit(1))),
			),
			jen.Id("value").Op("=").Qual("strings", "TrimSpace").Call(jen.Id("value")),
			jen.If(jen.Len(jen.Id("value")).Op(">=").Lit(2).Op("&&").Parens(
				jen.Id("value").Index(jen.Lit(0)).Op("==").LitRune('"').Op("||").Id("value").Index(jen.Lit(0)).Op("==").LitRune('\''),
			).Op("&&").Id("value").Index(jen.Len(jen.Id("value")).Op("-").Lit(1)).Op("==").Id("value").Index(jen.Lit(0))).Block(
				jen.Id("value").Op("=").Id("value").Index(jen.Lit(1), jen.Len(jen.Id("value")).Op("-").Lit(1)),
			),
			jen.If(jen.List(jen.Id("_"), jen.Id("set")).Op(":=").Qual("os", "LookupEnv").Call(jen.Id("key")), jen.Id("set")).Block(jen.Continue()),
			jen.If(jen.Id("err").Op(":=").Qual("os", "Setenv").Call(jen.Id("key"), jen.Id("value")), jen.Id("err").Op("!=").Nil()).Block(
				jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("%s:%d: %w"), jen.Id("name"), jen.Id("i").Op("+").Lit(1), jen.Id("err"))),
			),
		),
		jen.Return(jen.Nil()),
	)
}

// providerTitle is the provider's name as prose uses it.
func providerTitle(provider string) string {
	switch provider {
	case "github":
		return "GitHub"
	case "google":
		return "Google"
	}
	return "the OpenID Connect provider"
}
