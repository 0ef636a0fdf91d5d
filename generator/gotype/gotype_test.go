package gotype

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
)

// renderDecls renders a conversion as a Go file of package main.
func renderDecls(t testing.TB, res *Result) string {
	t.Helper()
	f := jen.NewFile("main")
	for _, d := range res.Decls {
		f.Add(d.Code)
		f.Line()
	}
	var b strings.Builder
	if err := f.Render(&b); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String()
}

func convert(t *testing.T, root, schema string) string {
	t.Helper()
	res, err := Convert(root, []byte(schema), &Options{Source: "m.yaml", Pointer: "#/s", RootDoc: root + " is the root."})
	if err != nil {
		t.Fatal(err)
	}
	return renderDecls(t, res)
}

// body drops the package clause and collapses blank lines, so expectations
// stay readable.
func body(src string) string {
	src = strings.TrimPrefix(src, "package main\n")
	return strings.TrimSpace(src)
}

func TestConvert(t *testing.T) {
	for _, tc := range []struct {
		name, schema, want string
	}{
		{"required and optional", `{"type":"object","properties":{"b":{"type":"string","description":"The b."},"a":{"type":"integer"},"c":{"type":"number"},"d":{"type":"boolean"}},"required":["b","a"]}`, `
// T is the root.
//
// Source: m.yaml#/s
type T struct {
	// The b.
	B string ` + "`json:\"b\"`" + `
	A int64  ` + "`json:\"a\"`" + `
	C *float64 ` + "`json:\"c,omitempty\"`" + `
	D *bool    ` + "`json:\"d,omitempty\"`" + `
}`},
		{"empty object", `{"type":"object"}`, `
// T is the root.
//
// Source: m.yaml#/s
type T struct{}`},
		{"nested, arrays, maps", `{"type":"object","properties":{"opts":{"type":"object","properties":{"x":{"type":"string"}},"required":["x"]},"tags":{"type":"array","items":{"type":"string"}},"meta":{"type":"object","additionalProperties":{"type":"integer"}},"any":{}},"required":["opts"]}`, `
// T is the root.
//
// Source: m.yaml#/s
type T struct {
	Opts TOpts            ` + "`json:\"opts\"`" + `
	Tags []string         ` + "`json:\"tags,omitempty\"`" + `
	Meta map[string]int64 ` + "`json:\"meta,omitempty\"`" + `
	Any  any              ` + "`json:\"any,omitempty\"`" + `
}

// TOpts is the "opts" property of T.
//
// Source: m.yaml#/s/properties/opts
type TOpts struct {
	X string ` + "`json:\"x\"`" + `
}`},
		{"enum and nullable", `{"type":"object","properties":{"op":{"type":"string","enum":["add","sub-tract"]},"n":{"type":["integer","null"]}},"required":["op","n"]}`, `
// T is the root.
//
// Source: m.yaml#/s
type T struct {
	Op TOp    ` + "`json:\"op\"`" + `
	N  *int64 ` + "`json:\"n\"`" + `
}

// TOp is the "op" property of T.
//
// Source: m.yaml#/s/properties/op
type TOp string

// The values TOp may take.
const (
	TOpAdd      TOp = "add"
	TOpSubTract TOp = "sub-tract"
)`},
		{"recursive ref", `{"type":"object","properties":{"root":{"$ref":"#/$defs/node"}},"required":["root"],"$defs":{"node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}},"parent":{"$ref":"#/$defs/node"}},"required":["name","parent"]}}}`, `
// T is the root.
//
// Source: m.yaml#/s
type T struct {
	Root TNode ` + "`json:\"root\"`" + `
}

// TNode is the "node" definition of T.
//
// Source: m.yaml#/s/$defs/node
type TNode struct {
	Name     string  ` + "`json:\"name\"`" + `
	Children []TNode ` + "`json:\"children,omitempty\"`" + `
	Parent   *TNode  ` + "`json:\"parent\"`" + `
}`},
		{"composition is any", `{"type":"object","properties":{"v":{"oneOf":[{"type":"string"},{"type":"integer"}]},"w":{"type":["string","integer"]}},"required":["v","w"]}`, `
// T is the root.
//
// Source: m.yaml#/s
type T struct {
	V any ` + "`json:\"v\"`" + `
	W any ` + "`json:\"w\"`" + `
}`},
		{"default makes a value", `{"type":"object","properties":{"limit":{"type":"integer","default":10}}}`, `
// T is the root.
//
// Source: m.yaml#/s
type T struct {
	Limit int64 ` + "`json:\"limit,omitempty\"`" + `
}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := body(convert(t, "T", tc.schema))
			want := strings.TrimSpace(tc.want)
			if normalize(got) != normalize(want) {
				t.Errorf("got:\n%s\n\nwant:\n%s", got, want)
			}
		})
	}
}

// normalize ignores alignment, which gofmt decides.
func normalize(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "\n")
}

func TestConvertErrors(t *testing.T) {
	for _, tc := range []struct {
		name, schema string
		want         []string
	}{
		{"field collision", `{"type":"object","properties":{"first-name":{},"first_name":{}}}`,
			[]string{`#/s/properties/first_name: properties "first-name" and "first_name" both become the Go field T.FirstName`}},
		{"bad tag", `{"type":"object","properties":{"a,b":{}}}`,
			[]string{`#/s/properties/a,b: property name "a,b" cannot be a Go struct tag`}},
		{"type collision", `{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"object","properties":{"x":{}}}}},"aB":{"type":"object","properties":{"y":{}}}}}`,
			[]string{`#/s/properties/aB: the Go name TAB is also derived from #/s/properties/a/properties/b`}},
		{"enum collision", `{"type":"object","properties":{"e":{"type":"string","enum":["a-b","a_b"]}}}`,
			[]string{`#/s/properties/e/enum/1: the Go name TEAB is also derived from #/s/properties/e`}},
		{"unresolved ref", `{"type":"object","properties":{"x":{"$ref":"#/$defs/nope"}}}`,
			[]string{`#/s/properties/x/$ref: $ref "#/$defs/nope" does not resolve`}},
		{"unknown type", `{"type":"object","properties":{"x":{"type":"text"}}}`,
			[]string{`#/s/properties/x/type: unknown type "text"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Convert("T", []byte(tc.schema), &Options{Pointer: "#/s"})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %T is not an *Error", err)
			}
		})
	}
}

// TestRoundTrip compiles generated types into a program that decodes a
// document, encodes it again and checks nothing was lost.
func TestRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	schema := `{"type":"object","properties":{"title":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"loc":{"type":"object","properties":{"lat":{"type":"number"}},"required":["lat"]},"kind":{"type":"string","enum":["a","b"]},"n":{"type":["integer","null"]},"tree":{"$ref":"#/$defs/node"}},"required":["title","kind","n"],"$defs":{"node":{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}}}}}`
	doc := `{"title":"x","tags":["a","b"],"loc":{"lat":1.5},"kind":"b","n":null,"tree":{"kids":[{}]}}`
	src := convert(t, "Doc", schema) + fmt.Sprintf(`
func main() {
	var d Doc
	if err := json.Unmarshal([]byte(%q), &d); err != nil {
		panic(err)
	}
	out, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
}
`, doc)
	src = strings.Replace(src, "package main\n", "package main\n\nimport (\n\t\"encoding/json\"\n\t\"fmt\"\n)\n", 1)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n\ngo 1.25\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644)
	cmd := exec.Command("go", "vet", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s\n%s", err, out, src)
	}
	cmd = exec.Command("go", "run", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	var got, want any
	json.Unmarshal(out, &got)
	json.Unmarshal([]byte(doc), &want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("round trip:\n got %s\nwant %s", out, doc)
	}
}

// typeCheck parses and type-checks generated source.
func typeCheck(src string) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", src, parser.ParseComments)
	if err != nil {
		return err
	}
	conf := types.Config{Importer: importer.Default()}
	_, err = conf.Check("main", fset, []*ast.File{f}, nil)
	return err
}

func FuzzConvert(f *testing.F) {
	for _, s := range []string{
		`{"type":"object","properties":{"a":{"type":"string"}}}`,
		`{"type":"object","properties":{"a":{"$ref":"#/$defs/x"}},"$defs":{"x":{"type":"object","properties":{"y":{"$ref":"#/$defs/x"}}}}}`,
		`{"type":"object","properties":{"e":{"enum":["x","y",""]},"n":{"type":["null","number"]}}}`,
		`{"type":"object","properties":{"a":{"type":"array","items":{"type":"object","properties":{"b":{}}}}}}`,
		`{"type":"object","additionalProperties":{"type":"object","properties":{"k":{"type":"integer"}}}}`,
		`true`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Convert("Root", data, &Options{Source: "f.yaml", Pointer: "#/s"})
		if err != nil {
			return
		}
		src := renderDecls(t, res)
		if err := typeCheck(src); err != nil {
			t.Fatalf("generated code does not type-check: %v\n%s\nschema: %s", err, src, data)
		}
	})
}
