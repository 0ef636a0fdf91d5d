package emit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"
)

// The generated files of a large OpenAPI project repeat a few forms of
// declaration over and over: GitHub's 1,223 operations are 127 forms of
// upstream.Operation literal, and their tool registrations 19. Nearly all
// of the time jennifer's gofmt pass takes on such a file goes to those
// literals (go/printer measures every nested literal by printing it), and
// little to the long string constants around them.
//
// So such a declaration is written through forms: each form is formatted
// once, with slots where its literals go, and the file is formatted with a
// short placeholder in each declaration's place, which is then replaced by
// its form with its own literals in the slots. The result is byte for byte
// what formatting the whole file gives — gofmt lays out a composite literal
// by its keys and line breaks alone, and indents it from the line it starts
// on — and forms_test.go holds the two ways to each other on every golden
// project, corpus.TestExact on the OpenAPI corpus and GitHub's API
// (Options.Exact builds every file whole). Should a placeholder go missing,
// the file is built and formatted whole instead, and Options.BuiltWhole
// hears of it.

// forms collects the forms of one file and the declarations written
// through them. A nil *forms writes every declaration in place.
type forms struct {
	byKey map[string]*form
	list  []*form
	uses  []use
}

// form is one form of declaration: its code, built for the first
// declaration of the form with slots for its literals, and, once the file
// is formatted, its text cut at the slots.
type form struct {
	code  jen.Code
	text  []string // text[0] slot text[1] slot … text[n]
	slots []int    // which literal goes in each slot
}

// use is one declaration written through a form, or — form nil — a
// literal written verbatim in the placeholder's place (a long string
// constant, which costs gofmt little but is still best left out).
type use struct {
	form *form
	args []string // Go source of each literal
	// run is a run of top-level declarations of runTok (see forms.run),
	// when set.
	run    []decl
	runTok string
}

// decl is one declaration of a run: "tok name = value" under its doc
// comment, value being the use of that index.
type decl struct {
	doc   []string // the comment's lines
	name  string
	value int
}

// newForms returns the forms of a file, or nil, which builds it whole, when
// exact (Options.Exact).
func newForms(exact bool) *forms {
	if exact {
		return nil
	}
	return &forms{byKey: make(map[string]*form)}
}

// filler gives one declaration its literals: in place when direct, or
// through slots, recording the declaration's form in key as it goes. Every
// choice a builder makes that changes the shape of the code (a field set or
// not, a call of one function or another, the length of a list) goes
// through the filler, so that two declarations of one key have one form.
type filler struct {
	direct bool
	key    strings.Builder
	args   []string
}

// inPlace is the filler of a declaration that is not written through a form.
var inPlace = &filler{direct: true}

// lit is a literal (a string, bool or int), written as jennifer writes it.
func (b *filler) lit(v any) jen.Code {
	if b.direct {
		return jen.Lit(v)
	}
	switch v := v.(type) {
	case string:
		return b.slot(quote(v))
	case bool:
		return b.slot(strconv.FormatBool(v))
	case int:
		return b.slot(strconv.Itoa(v))
	}
	panic(fmt.Sprintf("emit: no slot for a %T literal", v))
}

// id is an identifier that differs between declarations of one form.
func (b *filler) id(name string) jen.Code {
	if b.direct {
		return jen.Id(name)
	}
	return b.slot(name)
}

func (b *filler) slot(src string) jen.Code {
	b.key.WriteString("$,")
	b.args = append(b.args, src)
	return jen.Id(slotName(len(b.args) - 1))
}

// kv adds a "Name: value," line to a composite literal.
func (b *filler) kv(g *jen.Group, name string, value jen.Code) {
	b.mark(name)
	kv(g, name, value)
}

// mark records a choice that shapes the code.
func (b *filler) mark(choice string) {
	if !b.direct {
		b.key.WriteString(choice)
		b.key.WriteByte(',')
	}
}

// expr is the expression build returns, written through a form. It must be
// a composite literal laid out on several lines (as literal lays it out).
func (fs *forms) expr(build func(b *filler) jen.Code) jen.Code {
	if fs == nil {
		return build(inPlace)
	}
	b := &filler{}
	code := build(b)
	key := b.key.String()
	f := fs.byKey[key]
	if f == nil {
		f = &form{code: code}
		fs.byKey[key] = f
		fs.list = append(fs.list, f)
	}
	fs.uses = append(fs.uses, use{form: f, args: b.args})
	return jen.Id(useName(len(fs.uses) - 1))
}

// verbatim is the Go source src, written in place after formatting.
func (fs *forms) verbatim(src string) jen.Code {
	if fs == nil {
		return jen.Id(src)
	}
	fs.uses = append(fs.uses, use{args: []string{src}})
	return jen.Id(useName(len(fs.uses) - 1))
}

// run writes the declarations add makes through decl, at the top level of
// f, through one placeholder per run of them: gofmt has only that to
// format, rather than each declaration's doc comment and line (nearly half
// the time it took on GitHub's api_gen.go and tools_gen.go). Each
// declaration is
//
//	// doc
//	tok name = value
//
// value being made by fs.expr or fs.verbatim (in the function decl calls).
// gofmt leaves one blank line between declarations with doc comments, and
// lays a doc comment out anew only when it is not in its own layout
// already: a declaration whose comment might not be (see settledDoc) is
// written in place instead, and ends the run, as one of another tok does.
// add must write to f only through decl.
func (fs *forms) run(f *jen.File, add func(decl func(tok, name, doc string, value func() jen.Code))) {
	current := -1 // the use holding the run, if one is open
	add(func(tok, name, doc string, value func() jen.Code) {
		lines := comment.Lines(comment.Text(doc))
		inPlace := func(v jen.Code) {
			current = -1
			for _, l := range lines {
				f.Comment(l)
			}
			f.Add(jen.Id(tok).Id(name).Op("=").Add(v))
		}
		if fs == nil {
			inPlace(value())
			return
		}
		n := len(fs.uses)
		if v := value(); len(fs.uses) != n+1 || !settledDoc(lines) {
			inPlace(v)
			return
		}
		if current < 0 || fs.uses[current].runTok != tok {
			fs.uses = append(fs.uses, use{runTok: tok})
			current = len(fs.uses) - 1
			f.Comment(useName(current))
			f.Add(jen.Id(tok).Id(useName(current)).Op("=").Lit(0))
		}
		fs.uses[current].run = append(fs.uses[current].run, decl{doc: lines, name: name, value: n})
	})
}

// settledDoc reports whether gofmt leaves the doc comment of these lines
// (comment.Text's, so with no blank space at either end of a line and
// none doubled) as it is: every line plain text, valid UTF-8 without the
// doubled quotes go/doc/comment turns into “ and ”, and no paragraph one
// that go/doc/comment might take for something else. A line may not start
// as a list item, a heading, a link definition or a code block do; a
// paragraph of one line between two others might be an old-style heading.
// FuzzSettledDoc holds this to gofmt.
func settledDoc(lines []string) bool {
	for i, l := range lines {
		if !utf8.ValidString(l) || strings.Contains(l, "``") || strings.Contains(l, "''") {
			return false // gofmt refuses the first, and makes quotes of the others
		}
		if l == "" {
			if i == 0 || i == len(lines)-1 || lines[i-1] == "" {
				return false
			}
			continue
		}
		switch l[0] {
		case ' ', '\t', '-', '*', '+', '#', '[', '>', '|':
			return false
		}
		if strings.HasPrefix(l, "•") {
			return false
		}
		if d := strings.TrimLeft(l, "0123456789"); len(d) < len(l) && (d == "" || d[0] == '.' || d[0] == ')') {
			return false
		}
		if i > 0 && lines[i-1] == "" && i+1 < len(lines) && lines[i+1] == "" {
			return false // a paragraph of one line, with paragraphs around it
		}
	}
	return len(lines) > 0
}

// The placeholders: names no generated identifier has (those start with a
// capital letter or a lower-case word of mcpgen's own), each checked to
// stand in the formatted file exactly once.
const (
	formPrefix = "mcpgenForm"
	slotPrefix = "mcpgenSlot"
	usePrefix  = "mcpgenUse"
)

func slotName(i int) string { return slotPrefix + strconv.Itoa(i) + "_" }
func useName(i int) string  { return usePrefix + strconv.Itoa(i) + "_" }
func formName(i int) string { return formPrefix + strconv.Itoa(i) + "_" }

// declare adds the forms to the end of f, to be formatted with it: in the
// same file, they are written with the same import names.
func (fs *forms) declare(f *jen.File) {
	for i, fm := range fs.list {
		f.Line()
		f.Var().Id(formName(i)).Op("=").Add(fm.code)
	}
}

// splice takes the formatted forms off the end of src, the formatted file,
// and writes each declaration in its placeholder's place. ok is false when
// a placeholder is not found exactly once where it belongs.
func (fs *forms) splice(src []byte) (out []byte, ok bool) {
	if len(fs.uses) == 0 {
		return src, true
	}
	if len(fs.list) > 0 {
		start := bytes.Index(src, []byte("\n\nvar "+formName(0)+" = "))
		if start < 0 {
			return nil, false
		}
		rest := src[start+2:]
		src = src[:start+1]
		for i, fm := range fs.list {
			head := "var " + formName(i) + " = "
			if !bytes.HasPrefix(rest, []byte(head)) {
				return nil, false
			}
			rest = rest[len(head):]
			end := len(rest)
			if i+1 < len(fs.list) {
				end = bytes.Index(rest, []byte("\n\nvar "+formName(i+1)+" = "))
				if end < 0 {
					return nil, false
				}
			}
			text := strings.TrimSuffix(string(rest[:end]), "\n")
			rest = rest[min(end+2, len(rest)):]
			if !fm.cut(text) {
				return nil, false
			}
		}
	}

	var b bytes.Buffer
	b.Grow(len(src) * 4)
	seen := make([]bool, len(fs.uses))
	for {
		i := bytes.Index(src, []byte(usePrefix))
		if i < 0 {
			b.Write(src)
			break
		}
		n, size := placeholder(src[i+len(usePrefix):])
		if n < 0 || n >= len(fs.uses) || seen[n] || (i > 0 && isIdentByte(src[i-1])) {
			return nil, false
		}
		seen[n] = true
		u := fs.uses[n]
		if u.run != nil {
			// "// mcpgenUseN_\ntok mcpgenUseN_ = 0", at the top level.
			name := useName(n)
			placeholder := "// " + name + "\n" + u.runTok + " " + name + " = 0"
			start := i - len("// ")
			if start < 0 || !strings.HasPrefix(string(src[start:]), placeholder) || (start > 0 && src[start-1] != '\n') {
				return nil, false
			}
			b.Write(src[:start])
			if !fs.writeRun(&b, u, seen) {
				return nil, false
			}
			src = src[start+len(placeholder):]
			continue
		}
		b.Write(src[:i])
		if u.form == nil {
			b.WriteString(u.args[0])
		} else {
			u.form.write(&b, u.args, indentAt(src, i))
		}
		src = src[i+len(usePrefix)+size:]
	}
	for _, s := range seen {
		if !s {
			return nil, false
		}
	}
	return b.Bytes(), true
}

// writeRun writes the declarations of u, a run, marking their values'
// uses seen; false if one is seen already.
func (fs *forms) writeRun(b *bytes.Buffer, u use, seen []bool) bool {
	for j, d := range u.run {
		if j > 0 {
			b.WriteString("\n\n")
		}
		for _, l := range d.doc {
			if l == "" {
				b.WriteString("//\n")
			} else {
				b.WriteString("// " + l + "\n")
			}
		}
		b.WriteString(u.runTok + " " + d.name + " = ")
		if seen[d.value] {
			return false
		}
		seen[d.value] = true
		v := fs.uses[d.value]
		if v.form == nil {
			b.WriteString(v.args[0])
		} else {
			v.form.write(b, v.args, 0)
		}
	}
	return true
}

// cut records the formatted text of the form, cut at its slots.
func (fm *form) cut(text string) bool {
	for {
		i := strings.Index(text, slotPrefix)
		if i < 0 {
			fm.text = append(fm.text, text)
			return true
		}
		n, size := placeholder([]byte(text[i+len(slotPrefix):]))
		if n < 0 {
			return false
		}
		fm.text = append(fm.text, text[:i])
		fm.slots = append(fm.slots, n)
		text = text[i+len(slotPrefix)+size:]
	}
}

// write writes the form with args in its slots, every line after the first
// indented by indent more tabs than the form was formatted with (gofmt
// indents a literal from the line it starts on; blank lines stay empty).
func (fm *form) write(b *bytes.Buffer, args []string, indent int) {
	tabs := strings.Repeat("\t", indent)
	for i, t := range fm.text {
		for j, line := range strings.Split(t, "\n") {
			if j > 0 {
				b.WriteByte('\n')
				if line != "" {
					b.WriteString(tabs)
				}
			}
			b.WriteString(line)
		}
		if i < len(fm.slots) {
			b.WriteString(args[fm.slots[i]])
		}
	}
}

// placeholder reads the number and the closing "_" after a placeholder's
// prefix, and returns the number and how many bytes it took, or -1.
func placeholder(src []byte) (n, size int) {
	i := 0
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(src) || src[i] != '_' || (i+1 < len(src) && isIdentByte(src[i+1])) {
		return -1, 0
	}
	n, err := strconv.Atoi(string(src[:i]))
	if err != nil {
		return -1, 0
	}
	return n, i + 1
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// indentAt is the number of tabs that start the line holding src[i].
func indentAt(src []byte, i int) int {
	start := bytes.LastIndexByte(src[:i], '\n') + 1
	n := 0
	for start+n < i && src[start+n] == '\t' {
		n++
	}
	return n
}
