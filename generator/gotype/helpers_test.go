package gotype

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
)

// renderFile writes the declarations of res into one file of package main,
// the way the emitter does.
func renderFile(res *Result) (string, error) {
	f := jen.NewFile("main")
	for _, d := range res.Decls {
		f.Add(d.Code)
		f.Line()
	}
	var buf bytes.Buffer
	err := f.Render(&buf)
	return buf.String(), err
}

func mustRender(t testing.TB, res *Result) string {
	t.Helper()
	src, err := renderFile(res)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return src
}

// typeCheck parses and type-checks a generated file. The types use only
// the language, so no importer is needed.
func typeCheck(src string) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "types_gen.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	_, err = (&types.Config{}).Check("main", fset, []*ast.File{f}, nil)
	return err
}

// errorLines returns the *Error values joined in err, one a line.
func errorLines(t testing.TB, err error) string {
	t.Helper()
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var b strings.Builder
	for _, e := range errs {
		var ge *Error
		if !errors.As(e, &ge) {
			t.Errorf("error %v is a %T, not an *Error", e, e)
		}
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// An archive is a txtar file: a comment, then files, each introduced by a
// line "-- name --". (golang.org/x/tools/txtar, without the dependency.)
type archive struct {
	comment string
	files   []archiveFile
}

type archiveFile struct {
	name string
	data string
}

func parseArchive(data string) *archive {
	a := &archive{}
	cur := &a.comment
	for _, line := range strings.SplitAfter(data, "\n") {
		trimmed := strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			a.files = append(a.files, archiveFile{name: trimmed[3 : len(trimmed)-3]})
			cur = &a.files[len(a.files)-1].data
			continue
		}
		*cur += line
	}
	return a
}

func (a *archive) file(name string) (string, bool) {
	for _, f := range a.files {
		if f.name == name {
			return f.data, true
		}
	}
	return "", false
}

func (a *archive) set(name, data string) {
	for i := range a.files {
		if a.files[i].name == name {
			a.files[i].data = data
			return
		}
	}
	a.files = append(a.files, archiveFile{name, data})
}

func (a *archive) remove(name string) {
	for i := range a.files {
		if a.files[i].name == name {
			a.files = append(a.files[:i], a.files[i+1:]...)
			return
		}
	}
}

func (a *archive) format() string {
	var b strings.Builder
	b.WriteString(a.comment)
	for _, f := range a.files {
		b.WriteString("-- " + f.name + " --\n")
		b.WriteString(f.data)
		if f.data != "" && !strings.HasSuffix(f.data, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
