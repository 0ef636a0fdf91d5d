package emit_test

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/generator"
	"github.com/mcpgen/mcpgen/generator/comment"
	"github.com/mcpgen/mcpgen/generator/emit"
	"github.com/mcpgen/mcpgen/generator/ir"
)

// TestFormsLikeWhole generates every golden project with the declarations
// it repeats written through forms, as Project does, and with
// generator.Options.Exact, which builds and formats every file whole (and
// takes the libraries' path elsewhere too), and requires the same bytes. No
// file may have had to be built whole because its forms failed. The
// OpenAPI corpus and GitHub's API are compared the same way by
// corpus.TestExact.
func TestFormsLikeWhole(t *testing.T) {
	root := filepath.Join("..", "..")
	goldens, _ := filepath.Glob(filepath.Join(root, "golden", "*", "input", "mcpgen.yaml"))
	if len(goldens) < 10 {
		t.Fatalf("%d golden projects; expected over 10", len(goldens))
	}
	compared := 0
	for _, m := range goldens {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		in := &generator.Input{ManifestPath: "mcpgen.yaml", Manifest: data, ReadFile: reader(filepath.Dir(m))}
		res, diags := generator.Run(in, nil)
		whole, _ := generator.Run(in, &generator.Options{Exact: true})
		if res == nil || whole == nil {
			if (res == nil) != (whole == nil) {
				t.Errorf("%s: a plan one way only", m)
			}
			if diags.HasErrors() {
				continue // refused; the golden test says why
			}
			t.Fatalf("%s: no plan: %v", m, diags)
		}
		if len(res.BuiltWhole) > 0 {
			t.Errorf("%s: built whole because their forms did not splice: %s", m, strings.Join(res.BuiltWhole, ", "))
		}
		plan, wplan := res.Plan, whole.Plan
		if len(plan.Files) != len(wplan.Files) {
			t.Errorf("%s: %d files, built whole %d", m, len(plan.Files), len(wplan.Files))
			continue
		}
		for i, f := range plan.Files {
			w := wplan.Files[i]
			if f.Path != w.Path || !bytes.Equal(f.Content, w.Content) {
				t.Errorf("%s: %s differs from %s built whole%s", m, f.Path, w.Path, firstDiff(f.Content, w.Content))
			}
		}
		compared++
	}
	if compared < 10 {
		t.Errorf("only %d projects compared", compared)
	}
}

func reader(dir string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		clean := path.Clean(name)
		if strings.HasPrefix(clean, "../") || clean == ".." {
			return nil, fmt.Errorf("%s is outside %s", name, dir)
		}
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(clean)))
	}
}

// firstDiff shows where a and b first differ.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	line := bytes.Count(a[:i], []byte("\n")) + 1
	cut := func(s []byte) string { return string(s[i:min(len(s), i+80)]) }
	return fmt.Sprintf(" at line %d: %q vs %q", line, cut(a), cut(b))
}

// TestFormsEveryChoice writes, through forms and whole, an API of
// operations that each differ from a first one in one choice the builders
// of the repeated declarations make: a declaration of a form other than
// the first one's must not be written in the first one's form.
func TestFormsEveryChoice(t *testing.T) {
	yes, no := true, false
	base := func(i int) *ir.Tool {
		name := fmt.Sprintf("op_%d", i)
		op := &ir.Operation{ID: name, Method: "GET", Path: "/" + name, Var: fmt.Sprintf("opOp%d", i), Pointer: "#/paths/~1" + name,
			Params: []ir.Param{{Name: "a", Arg: "a", In: "query", Style: "form"}, {Name: "b", Arg: "b", In: "query", Style: "form"}},
			Body:   &ir.Body{Arg: "body", ContentType: "application/json", Files: []string{"f"}},
			// Two alternatives of one scheme each.
			Security: [][]string{{"s"}, {"t"}},
		}
		return &ir.Tool{Name: name, GoName: fmt.Sprintf("Op%d", i), Title: "Title", Description: "Description.",
			InputSchema: []byte(`{"type":"object"}`), OutputSchema: []byte(`{"type":"object"}`),
			Annotations: &ir.Annotations{Title: "t", ReadOnlyHint: &yes}, Op: op, Pointer: op.Pointer}
	}
	refs := []byte(`{"type":"object","properties":{"a":{"$ref":"#/$defs/a"}}}`)
	choices := []func(t *ir.Tool){
		func(t *ir.Tool) {},
		func(t *ir.Tool) { t.Title = "" },
		func(t *ir.Tool) { t.OutputSchema = nil },
		func(t *ir.Tool) { t.InputSchema = refs },
		func(t *ir.Tool) { t.OutputSchema = refs },
		func(t *ir.Tool) { t.Annotations = nil },
		func(t *ir.Tool) { t.Annotations.Title = "" },
		func(t *ir.Tool) { t.Annotations.ReadOnlyHint = &no },
		func(t *ir.Tool) { t.Annotations.ReadOnlyHint, t.Annotations.IdempotentHint = nil, &yes },
		func(t *ir.Tool) { t.Annotations.DestructiveHint = &no },
		func(t *ir.Tool) { t.Annotations.DestructiveHint = &yes },
		func(t *ir.Tool) { t.Annotations.OpenWorldHint = &no },
		func(t *ir.Tool) { t.Op.Params = nil },
		func(t *ir.Tool) { t.Op.Params = t.Op.Params[:1] },
		func(t *ir.Tool) { t.Op.Params[1].Arg = "query_b" },
		func(t *ir.Tool) { t.Op.Params[1].Explode = true },
		func(t *ir.Tool) { t.Op.Params[1].AllowReserved = true },
		func(t *ir.Tool) { t.Op.Params[1].Required = true },
		func(t *ir.Tool) { t.Op.Params[1].JSON = true },
		func(t *ir.Tool) { t.Op.Body = nil },
		func(t *ir.Tool) { t.Op.Body.Required = true },
		func(t *ir.Tool) { t.Op.Body.Files = nil },
		func(t *ir.Tool) { t.Op.Body.Files = []string{"f", "g"} },
		func(t *ir.Tool) { t.Op.Security = nil },
		func(t *ir.Tool) { t.Op.Security = [][]string{{"s", "t"}} },
		func(t *ir.Tool) { t.Op.Security = [][]string{{"s", "t"}, {}} },
		func(t *ir.Tool) { t.Op.WrapOutput = true },
		func(t *ir.Tool) { t.Op.Tags = []string{"tag"} },
		func(t *ir.Tool) { t.Op.Tags = []string{"tag", "other"} },
	}
	p := &ir.Project{Name: "choices", Version: "1.0.0", Source: "mcpgen.yaml", Transports: []string{"streamable"},
		API: &ir.API{Spec: "api.json", BaseURLEnv: "CHOICES_BASE_URL", Defs: []ir.Def{{Name: "a", Schema: []byte(`{"type":"string"}`)}}}}
	// Twice over, so that dynamic mode has more operations than one
	// function of entries takes.
	for i := range 2 * len(choices) {
		tool := base(i)
		choices[i%len(choices)](tool)
		p.API.Operations = append(p.API.Operations, tool.Op)
		p.Tools = append(p.Tools, tool)
	}
	for _, dynamic := range []bool{false, true} {
		p.API.Dynamic = dynamic
		var builtWhole []string
		plan, err := emit.Project(p, &emit.Options{Module: "choices", Binary: "choices", BuiltWhole: func(path string) { builtWhole = append(builtWhole, path) }})
		if err != nil {
			t.Fatal(err)
		}
		whole, err := emit.Project(p, &emit.Options{Module: "choices", Binary: "choices", Exact: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(builtWhole) > 0 {
			t.Errorf("dynamic %v: forms did not splice in %s", dynamic, strings.Join(builtWhole, ", "))
		}
		for i, f := range plan.Files {
			if !bytes.Equal(f.Content, whole.Files[i].Content) {
				t.Errorf("dynamic %v: %s differs from %s built whole%s", dynamic, f.Path, whole.Files[i].Path, firstDiff(f.Content, whole.Files[i].Content))
			}
		}
	}
}

// FuzzSettledDoc holds settledDoc to gofmt: a doc comment it calls settled
// (comment.Text's lines of any text) comes out of go/format as it went in.
func FuzzSettledDoc(f *testing.F) {
	for _, s := range []string{
		"opMetaRoot is the meta/root operation of the \"meta_root\" tool: GET /.\n\nSource: api.github.com.json#/paths/~1/get",
		"A summary.\n\nA heading\n\nMore text.",
		"- a list\n- of items",
		"1. first\n2. second",
		"# Heading\n\ntext",
		"[link]: https://example.com",
		"text\n\n\tcode",
		"Lists all global security advisories that match the specified parameters. If no other parameters are defined, the request will return only GitHub-reviewed advisories that are not malware.",
		"go:generate x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lines := comment.Lines(comment.Text(s))
		if !emit.SettledDoc(lines) {
			return
		}
		var src strings.Builder
		src.WriteString("package p\n\n")
		for _, l := range lines {
			if l == "" {
				src.WriteString("//\n")
			} else {
				src.WriteString("// " + l + "\n")
			}
		}
		src.WriteString("var x = 0\n")
		out, err := format.Source([]byte(src.String()))
		if err != nil {
			t.Fatalf("%q: %v", src.String(), err)
		}
		if string(out) != src.String() {
			t.Fatalf("settled, but gofmt changes it:\n%s\nto\n%s", src.String(), out)
		}
	})
}
