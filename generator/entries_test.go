package generator

import (
	"fmt"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"testing"
)

// TestDynamicEntriesSplit generates a dynamic-mode project with more
// operations than one function appends, and requires every operation in
// tools_gen.go exactly once, in functions the compiler handles quickly,
// and the file to parse.
func TestDynamicEntriesSplit(t *testing.T) {
	var spec strings.Builder
	spec.WriteString("openapi: 3.0.3\ninfo: {title: T, version: \"1\"}\nservers: [{url: \"https://api.example.com\"}]\npaths:\n")
	const ops = 120
	for i := range ops {
		fmt.Fprintf(&spec, "  /r%d:\n    get:\n      operationId: op%d\n      responses: {\"200\": {description: OK}}\n", i, i)
	}
	manifest := "name: many\nversion: 0.1.0\nopenapi:\n  spec: api.yaml\n  mode: dynamic\n"
	plan, diags := Generate(&Input{ManifestPath: "mcpgen.yaml", Manifest: []byte(manifest), ReadFile: func(string) ([]byte, error) {
		return []byte(spec.String()), nil
	}}, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Format(0))
	}
	var src string
	for _, f := range plan.Files {
		if f.Path == "tools_gen.go" {
			src = string(f.Content)
		}
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "tools_gen.go", src, 0); err != nil {
		t.Fatal(err)
	}
	for i := range ops {
		if n := len(regexp.MustCompile(fmt.Sprintf(`Op:\s+opOp%d,`, i)).FindAllString(src, -1)); n != 1 {
			t.Errorf("operation op%d is in tools_gen.go %d times, want once", i, n)
		}
	}
	for _, want := range []string{"upstream.AddDynamicTools(s, api, dynamicEntries())", "func appendEntries3(", "entries = appendEntries3(entries)"} {
		if !strings.Contains(src, want) {
			t.Errorf("tools_gen.go has no %q", want)
		}
	}
	if strings.Contains(src, "func appendEntries4(") {
		t.Error("120 operations in more than 3 functions")
	}
}
