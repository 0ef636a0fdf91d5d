package gotype

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expectations in testdata/convert")

// TestConvert runs the cases in testdata/convert. Each is a txtar archive:
// a comment (whose line "root: Name" names the root type, T by default),
// the schema in schema.json, and what Convert must give: the rendered file
// without its package clause in want.go, or the errors, one a line, in
// errors. go test -update rewrites them.
func TestConvert(t *testing.T) {
	files, err := filepath.Glob("testdata/convert/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a := parseArchive(string(data))
			root := "T"
			for _, line := range strings.Split(a.comment, "\n") {
				if r, ok := strings.CutPrefix(line, "root: "); ok {
					root = strings.TrimSpace(r)
				}
			}
			schema, ok := a.file("schema.json")
			if !ok {
				t.Fatal("no schema.json")
			}
			opts := &Options{Source: "mcpgen.yaml", Pointer: "#/tools/0/inputSchema"}
			res, err := Convert(root, []byte(schema), opts)

			var gotFile, got string
			if err != nil {
				gotFile, got = "errors", errorLines(t, err)
			} else {
				src := mustRender(t, res)
				if err := typeCheck(src); err != nil {
					t.Errorf("generated code does not type-check: %v\n%s", err, src)
				}
				if res.Root != root || len(res.Decls) == 0 || res.Decls[0].Name != root {
					t.Errorf("root: got %q, first decl %v; want %q first", res.Root, res.Decls, root)
				}
				gotFile, got = "want.go", strings.TrimPrefix(src, "package main\n\n")
			}

			if *update {
				a.remove("want.go")
				a.remove("errors")
				a.set(gotFile, got)
				if err := os.WriteFile(file, []byte(a.format()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := a.file(gotFile)
			if !ok {
				t.Fatalf("got %s, but the case has no %s:\n%s", gotFile, gotFile, got)
			}
			if got != want {
				t.Errorf("%s differs.\ngot:\n%s\nwant:\n%s", gotFile, got, want)
			}
		})
	}
}
