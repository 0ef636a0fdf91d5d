package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/names"
)

// Import paths of the runtime packages that keep state.
const (
	statePkg = "github.com/mcpgen/mcpgen/runtime/state"
	storePkg = "github.com/mcpgen/mcpgen/runtime/store"
)

// stateFile emits state_gen.go: the State type, one typed accessor per
// value of the manifest's state section, and the values' Go types.
func stateFile(p *ir.Project) *jen.File {
	f := newFile(p, true)

	fileDoc(f, comment.Doc(
		"State is where the tools keep the values declared under state: in "+p.Source+". They live in the server's store, so they survive restarts and every replica sees the same values.",
	))
	f.Type().Id("State").Struct(jen.Id("store").Qual(storePkg, "Store"))
	f.Line()
	fileDoc(f, "NewState returns the State kept in st, the server's store.")
	f.Func().Id("NewState").Params(jen.Id("st").Qual(storePkg, "Store")).Op("*").Id("State").Block(
		jen.Return(jen.Op("&").Id("State").Values(jen.Dict{jen.Id("store"): jen.Id("st")})),
	)
	f.Line()
	fileDoc(f, "st returns the store, or nil for a nil State: the accessors of a Tools without State then return values whose methods fail with an error that says so, rather than panic.")
	f.Func().Params(jen.Id("s").Op("*").Id("State")).Id("st").Params().Qual(storePkg, "Store").Block(
		jen.If(jen.Id("s").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		jen.Return(jen.Id("s").Dot("store")),
	)

	for _, v := range p.State {
		decl := names.Unexported(v.GoName) + "Decl"
		schema := names.Unexported(v.GoName) + "Schema"
		src := "Source: " + p.Source + v.Pointer
		f.Line()
		fileDoc(f, comment.Doc(fmt.Sprintf("%s declares the state value %q.", decl, v.Name), src))
		fields := jen.Dict{
			jen.Id("Name"):   jen.Lit(v.Name),
			jen.Id("Scope"):  jen.Qual(statePkg, scopeConst(v.Scope)),
			jen.Id("Schema"): jen.Qual(statePkg, "MustSchema").Call(jen.Id(schema)),
		}
		if v.TTL > 0 {
			fields[jen.Id("TTL")] = duration(v.TTL)
		}
		f.Var().Id(decl).Op("=").Op("&").Qual(statePkg, "Decl").Values(fields)
		f.Line()
		fileDoc(f, comment.Doc(fmt.Sprintf("%s is the JSON Schema of the state value %q.", schema, v.Name), src))
		f.Const().Id(schema).Op("=").Add(stringLit(string(v.Schema)))
		f.Line()

		about := comment.Text(v.Description)
		value := jen.Qual(statePkg, "Value").Types(jen.Id(v.Type))
		recv := jen.Id("s").Op("*").Id("State")
		switch v.Scope {
		case "user":
			fileDoc(f, comment.Doc(fmt.Sprintf("%s returns the signed-in user's own value %q, or an error when the request has no signed-in user.", v.GoName, v.Name), about, src))
			f.Func().Params(recv).Id(v.GoName).Params(jen.Id("req").Qual(mcpPkg, "Request")).Params(value, jen.Error()).Block(
				jen.Return(jen.Qual(statePkg, "ForUser").Types(jen.Id(v.Type)).Call(jen.Id("s").Dot("st").Call(), jen.Id(decl), jen.Id("req"))),
			)
		case "key":
			fileDoc(f, comment.Doc(fmt.Sprintf("%s returns the value %q of key: each key has its own.", v.GoName, v.Name), about, src))
			f.Func().Params(recv).Id(v.GoName).Params(jen.Id("key").String()).Add(value).Block(
				jen.Return(jen.Qual(statePkg, "Of").Types(jen.Id(v.Type)).Call(jen.Id("s").Dot("st").Call(), jen.Id(decl), jen.Id("key"))),
			)
		default:
			fileDoc(f, comment.Doc(fmt.Sprintf("%s returns the value %q, one for the whole server.", v.GoName, v.Name), about, src))
			f.Func().Params(recv).Id(v.GoName).Params().Add(value).Block(
				jen.Return(jen.Qual(statePkg, "Of").Types(jen.Id(v.Type)).Call(jen.Id("s").Dot("st").Call(), jen.Id(decl), jen.Lit(""))),
			)
		}
		for _, d := range v.Types {
			f.Line()
			f.Add(d.Code)
		}
	}
	return f
}

// scopeConst names the runtime's constant for a scope.
func scopeConst(scope string) string {
	switch scope {
	case "user":
		return "User"
	case "key":
		return "Key"
	}
	return "Global"
}

// openStoreFunc emits OpenStore, which main.go calls: the store STORE_URL
// names, its Redis keys under the server's name.
func openStoreFunc(f *jen.File) {
	fileDoc(f, comment.Doc(
		"OpenStore opens the store that STORE_URL names (STORE_PATH, a file on this machine, when it is unset; Redis, shared by every replica, with redis://…).",
		"In Redis the server's keys start with mcpgen:<its name>:, so that several servers can share one database; a prefix in STORE_URL (?prefix=…) wins.",
	))
	f.Func().Id("OpenStore").Params(jen.Id("ctx").Qual("context", "Context")).Params(jen.Qual(storePkg, "Store"), jen.Error()).Block(
		jen.Id("cfg").Op(":=").Qual(storePkg, "ConfigFromEnv").Call(jen.Qual("os", "LookupEnv")),
		jen.If(jen.Id("cfg").Dot("Prefix").Op("==").Lit("")).Block(
			jen.Id("cfg").Dot("Prefix").Op("=").Qual(storePkg, "DefaultPrefix").Op("+").Id("ServerName").Op("+").Lit(":"),
		),
		jen.Return(jen.Qual(storePkg, "Open").Call(jen.Id("ctx"), jen.Id("cfg"))),
	)
}
