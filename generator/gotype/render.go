package gotype

import (
	doccomment "go/doc/comment"
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"
)

// pointer reports whether t is written as a pointer.
func (t *typ) pointer() bool {
	return t.cycle || (t.nullable || t.optional) && t.pointerable()
}

// pointerable reports whether a pointer to t adds something: the absence
// of a scalar, a struct or an enum. Slices, maps and any have nil already.
func (t *typ) pointerable() bool {
	switch t.kind {
	case typString, typInt64, typFloat64, typBool:
		return true
	case typNamed:
		switch t.decl.kind {
		case declStruct, declEnum:
			return true
		}
		return t.decl.underlying != nil && t.decl.underlying.kind != typNamed && t.decl.underlying.pointerable()
	}
	return false
}

// breakCycles makes pointers of the struct fields that would otherwise
// make a struct contain itself by value. It walks the structs depth first
// in declaration order and cuts each edge back to a struct still being
// walked, so which field becomes a pointer is deterministic.
func (c *converter) breakCycles() {
	const (
		unseen = iota
		walking
		done
	)
	state := make(map[*decl]int)
	var walk func(d *decl)
	walk = func(d *decl) {
		state[d] = walking
		for _, f := range d.fields {
			t := f.typ
			if t.kind != typNamed || t.decl.kind != declStruct || t.pointer() {
				continue
			}
			switch state[t.decl] {
			case walking:
				t.cycle = true
			case unseen:
				walk(t.decl)
			}
		}
		state[d] = done
	}
	for _, d := range c.decls {
		if d.kind == declStruct && state[d] == unseen {
			walk(d)
		}
	}
}

// render writes the declaration d.
func (c *converter) render(d *decl) Decl {
	out := Decl{Name: d.name, Names: []string{d.name}, Pointer: d.ptr}
	code := docComment(d.lead, d.doc, c.source(d.ptr)).Line().Type().Id(d.name)
	switch d.kind {
	case declStruct:
		var fields []jen.Code
		for i, f := range d.fields {
			if f.doc != "" {
				if i > 0 {
					// A blank line keeps a comment with its field.
					fields = append(fields, jen.Line())
				}
				fields = append(fields, docComment(f.doc))
			}
			fields = append(fields, jen.Id(f.name).Add(goType(f.typ)).Tag(map[string]string{"json": tag(f)}))
		}
		code.Struct(fields...)
	case declEnum:
		var consts []jen.Code
		for _, k := range d.consts {
			consts = append(consts, jen.Id(k.name).Id(d.name).Op("=").Lit(k.value))
			out.Names = append(out.Names, k.name)
		}
		code.String().Line().Line().
			Add(docComment("The values " + d.name + " may take.")).Line().
			Const().Defs(consts...)
	default:
		code.Add(goType(d.underlying))
	}
	out.Code = code
	return out
}

// tag returns the json struct tag of f. The property name "-" needs a
// comma, which makes encoding/json read it as a name, not as "skip".
func tag(f *field) string {
	name := f.jsonName
	if name == "-" {
		name += ","
	}
	if f.typ.optional {
		if !strings.Contains(name, ",") {
			name += ","
		}
		name += "omitempty"
	}
	return name
}

func goType(t *typ) *jen.Statement {
	var s *jen.Statement
	switch t.kind {
	case typString:
		s = jen.String()
	case typInt64:
		s = jen.Int64()
	case typFloat64:
		s = jen.Float64()
	case typBool:
		s = jen.Bool()
	case typSlice:
		s = jen.Index().Add(goType(t.elem))
	case typMap:
		s = jen.Map(jen.String()).Add(goType(t.elem))
	case typNamed:
		s = jen.Id(t.decl.name)
	default:
		s = jen.Any()
	}
	if t.pointer() {
		return jen.Op("*").Add(s)
	}
	return s
}

// source returns the Source paragraph for the node at ptr.
func (c *converter) source(ptr string) string {
	return "Source: " + c.opts.Source + ptr
}

// docComment returns paragraphs as a // comment, with a blank comment
// line between paragraphs and no newline after the last; empty paragraphs
// are dropped.
//
// All comment text the package writes passes through here, and so through
// comment.Text, the project's one sanitiser: it removes control and
// invisible characters, collapses blank space and wraps lines. Each line
// is then written as a line comment of its own, so no text can end the
// comment early ("*/" is plain text in a // comment), and jennifer's own
// formatting (which turns text with a newline into a /* */ block) is never
// used. The Source paragraph is kept on one line, unwrapped, so that the
// pointer stays whole and easy to search for.
//
// Last, the text is put in the canonical form of a Go doc comment, the
// form gofmt would give it, so that generated code is gofmt-clean as it
// is. A paragraph that Go would read as a heading (a short title such as
// "Person" between two paragraphs, or a Markdown "# Usage") stays a
// sentence instead: it gets a full stop.
func docComment(paras ...string) *jen.Statement {
	var kept []string
	for _, p := range paras {
		text := comment.Text(p)
		if strings.HasPrefix(p, "Source: ") {
			text = strings.Join(strings.Fields(text), " ")
		}
		if text != "" {
			kept = append(kept, text)
		}
	}
	if len(kept) == 0 {
		return jen.Null()
	}
	var parser doccomment.Parser
	doc := parser.Parse(strings.Join(kept, "\n\n"))
	for i, b := range doc.Content {
		if h, ok := b.(*doccomment.Heading); ok {
			doc.Content[i] = &doccomment.Paragraph{Text: append(h.Text, doccomment.Plain("."))}
		}
	}
	var printer doccomment.Printer
	s := jen.Null()
	for i, line := range strings.Split(strings.TrimSuffix(string(printer.Comment(doc)), "\n"), "\n") {
		if i > 0 {
			s.Line()
		}
		// The markers go/printer adds. A line that starts with "//" is
		// written by jennifer as it is; the space after the marker keeps
		// text such as "go:generate" from reading as a directive.
		switch line = strings.TrimRightFunc(line, unicode.IsSpace); {
		case line == "":
			line = "//"
		case strings.HasPrefix(line, "\t"):
			line = "//" + line
		default:
			line = "// " + line
		}
		s.Comment(line)
	}
	return s
}

func isLetterOrDigit(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
