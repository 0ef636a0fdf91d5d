package gotype

import (
	"bytes"
	"errors"
	"go/format"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDecls(t *testing.T) {
	schema := `{
	  "type": "object",
	  "properties": {
	    "b": {"$ref": "#/$defs/shared"},
	    "a": {"type": "object", "properties": {"mode": {"enum": ["on", "off"]}}},
	    "c": {"type": "array", "items": {"$ref": "#/$defs/shared"}}
	  },
	  "$defs": {"shared": {"type": "object", "properties": {"x": {"type": "string"}}}}
	}`
	res, err := Convert("In", []byte(schema), &Options{Source: "m.yaml", Pointer: "#/tools/3/inputSchema"})
	if err != nil {
		t.Fatal(err)
	}
	type decl struct {
		Name    string
		Names   []string
		Pointer string
	}
	var got []decl
	for _, d := range res.Decls {
		got = append(got, decl{d.Name, d.Names, d.Pointer})
	}
	want := []decl{
		{"In", []string{"In"}, "#/tools/3/inputSchema"},
		{"InShared", []string{"InShared"}, "#/tools/3/inputSchema/$defs/shared"},
		{"InA", []string{"InA"}, "#/tools/3/inputSchema/properties/a"},
		{"InAMode", []string{"InAMode", "InAModeOn", "InAModeOff"}, "#/tools/3/inputSchema/properties/a/properties/mode"},
	}
	if res.Root != "In" || !reflect.DeepEqual(got, want) {
		t.Errorf("Convert: root %q, decls\n%+v\nwant\n%+v", res.Root, got, want)
	}
}

func TestOptions(t *testing.T) {
	res, err := Convert("AddInput", []byte(`{"type":"object","properties":{"o":{"type":"object","properties":{}}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	src := mustRender(t, res)
	for _, want := range []string{"// AddInput is derived from the JSON Schema cited below.", "// Source: #\n"} {
		if !strings.Contains(src, want) {
			t.Errorf("nil options: no %q in\n%s", want, src)
		}
	}

	res, err = Convert("AddInput", []byte(`{"type":"object"}`), &Options{
		Source:  "dir/my spec.yaml",
		Pointer: "#/tools/0/inputSchema",
		RootDoc: "AddInput holds the arguments of the add tool, which adds two numbers and returns their sum, so that nobody has to.",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `// AddInput holds the arguments of the add tool, which adds two numbers and
// returns their sum, so that nobody has to.
//
// Source: dir/my spec.yaml#/tools/0/inputSchema
type AddInput struct{}
`
	if got := strings.TrimPrefix(mustRender(t, res), "package main\n\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRootName(t *testing.T) {
	for _, root := range []string{"", "_", "1x", "a-b", "type", "string", "any", "error", "init", "main"} {
		_, err := Convert(root, []byte(`{"type":"object"}`), &Options{Pointer: "#/p"})
		var e *Error
		if !errors.As(err, &e) || e.Pointer != "#/p" {
			t.Errorf("Convert(%q): err = %v, want an *Error at #/p", root, err)
		}
	}
	if _, err := Convert("x", []byte(`{"type":"object"}`), nil); err != nil {
		t.Errorf("Convert(x): %v", err)
	}
}

// TestErrors checks the form of errors: all of them at once, each an
// *Error with the pointer of its node.
func TestErrors(t *testing.T) {
	_, err := Convert("T", []byte(`{"type":"object","properties":{"a":{"type":"text"},"b":{"$ref":"#/$defs/x"},"c":{"enum":["x-y","x_y"]}}}`), &Options{Pointer: "#/tools/1/outputSchema"})
	if err == nil {
		t.Fatal("no error")
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %T does not join several", err)
	}
	var pointers []string
	for _, e := range j.Unwrap() {
		var ge *Error
		if !errors.As(e, &ge) {
			t.Fatalf("%T is not an *Error", e)
		}
		pointers = append(pointers, ge.Pointer)
	}
	want := []string{
		"#/tools/1/outputSchema/properties/a/type",
		"#/tools/1/outputSchema/properties/b/$ref",
		"#/tools/1/outputSchema/properties/c/enum/1",
	}
	if !reflect.DeepEqual(pointers, want) {
		t.Errorf("pointers %q, want %q", pointers, want)
	}
}

// TestDeterministic converts every case twice and compares the bytes.
func TestDeterministic(t *testing.T) {
	files, _ := filepath.Glob("testdata/convert/*.txtar")
	for _, file := range append(files, "") {
		schema := sampleSchema
		if file != "" {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			schema, _ = parseArchive(string(data)).file("schema.json")
		}
		var outs []string
		for range 3 {
			res, err := Convert("T", []byte(schema), &Options{Source: "s.yaml"})
			if err != nil {
				outs = append(outs, err.Error())
				continue
			}
			outs = append(outs, mustRender(t, res))
		}
		if outs[0] != outs[1] || outs[1] != outs[2] {
			t.Errorf("%s: output differs between runs", file)
		}
	}
}

func FuzzConvert(f *testing.F) {
	files, _ := filepath.Glob("testdata/convert/*.txtar")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		schema, _ := parseArchive(string(data)).file("schema.json")
		f.Add([]byte(schema))
	}
	f.Add([]byte(sampleSchema))
	for _, s := range []string{
		`true`, `false`, `null`, `{}`, `[]`, `"x"`,
		`{"$ref":"#"}`,
		`{"properties":{"a":{"$ref":"#"}},"required":["a"]}`,
		`{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"$ref":"#/properties/a"}}}}}`,
		`{"type":"object","properties":{"x":{"description":"a\n\nB\n\nc"}},"description":"x\n\nTitle\n\n- a\n- b\n\n1. one\n\n# Head\n\n\tcode"}`,
		`{"type":"object","properties":{"e":{"enum":["A","a","B b","b_b"]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const root = "Root"
		res, err := Convert(root, data, &Options{Source: "f.yaml", Pointer: "#/s"})
		if err != nil {
			j, ok := err.(interface{ Unwrap() []error })
			errs := []error{err}
			if ok {
				errs = j.Unwrap()
			}
			for _, e := range errs {
				var ge *Error
				if !errors.As(e, &ge) || !strings.HasPrefix(ge.Pointer, "#/s") || ge.Msg == "" {
					t.Fatalf("bad error %#v", e)
				}
			}
			return
		}
		if res.Root != root || len(res.Decls) == 0 || res.Decls[0].Name != root {
			t.Fatalf("root %q, decls %v", res.Root, res.Decls)
		}
		seen := make(map[string]bool)
		for _, d := range res.Decls {
			for _, n := range d.Names {
				if !token.IsIdentifier(n) || seen[n] {
					t.Fatalf("bad or repeated name %q", n)
				}
				seen[n] = true
			}
		}
		src, err := renderFile(res)
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		if err := typeCheck(src); err != nil {
			t.Fatalf("generated code does not type-check: %v\n%s", err, src)
		}
		if formatted, err := format.Source([]byte(src)); err != nil || !bytes.Equal(formatted, []byte(src)) {
			t.Fatalf("generated code is not gofmt-clean (%v):\n%s", err, src)
		}
		res2, err := Convert(root, data, &Options{Source: "f.yaml", Pointer: "#/s"})
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		if src2, _ := renderFile(res2); src2 != src {
			t.Fatalf("not deterministic:\n%s\n---\n%s", src, src2)
		}
	})
}
