package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// GitHubSpec is where `make testdata-github` puts GitHub's REST API
// description (npm @octokit/openapi, generated/api.github.com.json), relative
// to the repository's root. It is 13 MB, so it is fetched, not committed.
const GitHubSpec = ".cache/openapi/api.github.com.json"

// githubSpec returns the path and content of GitHub's description, or skips
// the test when it has not been fetched.
func githubSpec(tb testing.TB) (string, []byte) {
	tb.Helper()
	path := githubSpecFile()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("GitHub's OpenAPI description is not there (%v); run `make testdata-github` to fetch it", err)
	}
	return path, data
}

// githubSpecFile is where GitHub's description is: MCPGEN_GITHUB_SPEC, or
// where `make testdata-github` puts it.
func githubSpecFile() string {
	if path := os.Getenv("MCPGEN_GITHUB_SPEC"); path != "" {
		return path
	}
	// The repository's root is three levels up from this package.
	return filepath.Join("..", "..", "..", GitHubSpec)
}

// TestGitHub loads GitHub's description, which is large, real and imperfect:
// it must load, with warnings only, to the document kin-openapi builds.
func TestGitHub(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a 13 MB document twice")
	}
	_, data := githubSpec(t)
	doc, diags := Load("api.github.com.json", data, nil)
	if doc == nil || diags.HasErrors() {
		t.Fatalf("Load: %v", diags)
	}
	for _, d := range diags {
		t.Logf("%s", d)
	}
	if n := len(doc.Operations()); n < 1000 || n > 1500 {
		t.Errorf("%d operations; GitHub has about 1,100–1,250", n)
	}
	if len(diags) == 0 {
		t.Errorf("no warnings; kin-openapi finds conflicting paths in GitHub's description")
	}

	kin, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(kin)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(doc.T)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("Load and kin-openapi differ (%d and %d bytes of JSON)", len(got), len(want))
	}
	if m := shapeMismatchIn(t, data, false); m != "" {
		t.Errorf("kin-openapi reads it, but %s", m)
	}

	// Every operation's position is where its method is written.
	lines := strings.Split(string(data), "\n")
	for _, op := range doc.Operations() {
		pos := doc.Pos(op.Pointer)
		if pos.Line == 0 || pos.Line > len(lines) {
			t.Fatalf("%s: no position (%s)", op.Pointer, pos)
		}
		wantText := fmt.Sprintf("%q:", strings.ToLower(op.Method))
		if text := lines[pos.Line-1]; pos.Col < 1 || pos.Col > len(text) || !strings.HasPrefix(text[pos.Col-1:], wantText) {
			t.Fatalf("%s at %s: line is %q, want %s at column %d", op.Pointer, pos, text, wantText, pos.Col)
		}
	}
}

// TestGitHubValidationSplit checks that validating the document in two
// halves at once finds what kin-openapi's Validate of the whole finds.
func TestGitHubValidationSplit(t *testing.T) {
	if testing.Short() {
		t.Skip("validates a 13 MB document twice")
	}
	_, data := githubSpec(t)
	doc, diags := Load("api.github.com.json", data, &Options{SkipValidation: true})
	if doc == nil {
		t.Fatal(diags)
	}
	whole := doc.T.Validate(context.Background(), validationOptions...)
	var want []string
	for _, e := range flatten(whole) {
		want = append(want, e.Error())
	}
	var got []string
	for _, d := range doc.validateWith(context.Background()) {
		got = append(got, d.Msg)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("split validation:\n%s\nwhole:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// asYAML is the JSON document data written as YAML.
func asYAML(t testing.TB, data []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGitHubYAML loads GitHub's description written as YAML, which goes
// through the YAML parser rather than Load's JSON parser, and checks that
// the result is kin-openapi's too.
func TestGitHubYAML(t *testing.T) {
	if testing.Short() {
		t.Skip("converts and loads a 13 MB document twice")
	}
	_, data := githubSpec(t)
	yamlData := asYAML(t, data)
	doc, diags := Load("api.github.com.yaml", yamlData, &Options{SkipValidation: true})
	if doc == nil {
		t.Fatal(diags)
	}
	kin, err := openapi3.NewLoader().LoadFromData(yamlData)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(kin)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(doc.T)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("Load and kin-openapi differ (%d and %d bytes of JSON)", len(got), len(want))
	}
	if n := len(doc.Operations()); n != len(kinOperations(kin)) {
		t.Errorf("%d operations, kin-openapi has %d", n, len(kinOperations(kin)))
	}
	lines := strings.Split(string(yamlData), "\n")
	for _, op := range doc.Operations() {
		pos := doc.Pos(op.Pointer)
		if pos.Line == 0 || pos.Line > len(lines) {
			t.Fatalf("%s: no position (%s)", op.Pointer, pos)
		}
		want := strings.ToLower(op.Method) + ":"
		if text := lines[pos.Line-1]; pos.Col < 1 || pos.Col > len(text) || !strings.HasPrefix(text[pos.Col-1:], want) {
			t.Fatalf("%s at %s: line is %q, want %s at column %d", op.Pointer, pos, text, want, pos.Col)
		}
	}
}

func kinOperations(t *openapi3.T) []*openapi3.Operation {
	var ops []*openapi3.Operation
	for _, item := range t.Paths.Map() {
		for _, op := range item.Operations() {
			ops = append(ops, op)
		}
	}
	return ops
}
