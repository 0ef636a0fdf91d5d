package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/generator"
	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/write"
	"github.com/mcpgen/mcpgen/internal/testkit"
	"github.com/mcpgen/mcpgen/templates"
)

// Where the Makefile's testdata-corpus target puts the documents in
// .cache/: @readme/oas-examples extracted whole (OAS_EXAMPLES_VERSION), and
// GitHub's REST API description from @octokit/openapi (testdata-github).
const (
	oasExamplesDir = "oas-examples@8.2.2/package"
	githubFile     = "openapi/api.github.com.json"
	fetchTarget    = "make testdata-corpus"
)

// serverName is the name of every project the tests generate, so the base
// URL of its API comes from baseURLEnv.
const (
	serverName = "corpus"
	baseURLEnv = "CORPUS_BASE_URL"
)

// generateTimeout bounds one call of generator.Generate on a corpus
// document: one that takes longer is reported as a hang. GitHub's takes
// seconds.
const generateTimeout = 2 * time.Minute

// checkout is the checkout's root directory, from this file's path.
var checkout = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}()

// repoRoot is the checkout's root directory.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	if !filepath.IsAbs(checkout) {
		tb.Fatal("cannot locate the checkout")
	}
	return checkout
}

// runtimeDir is this checkout's runtime module, which generated projects
// build against.
func runtimeDir(tb testing.TB) string {
	return filepath.Join(repoRoot(tb), "runtime")
}

// cached returns the path of a file or directory in .cache/, and skips the
// test when it is absent.
func cached(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join(repoRoot(tb), ".cache", filepath.FromSlash(name))
	if _, err := os.Stat(p); err != nil {
		tb.Skipf(".cache/%s is absent: run %s to fetch it", name, fetchTarget)
	}
	return p
}

// githubSpec returns the path of GitHub's REST API description.
func githubSpec(tb testing.TB) string {
	tb.Helper()
	return cached(tb, githubFile)
}

// A document is one OpenAPI document of the corpus.
type document struct {
	// Name is the document's path in its package, as the summary shows it
	// ("oas-examples/3.0/json/petstore.json").
	Name string
	// Path is its absolute path.
	Path string
}

// oasExamples returns the OpenAPI documents of @readme/oas-examples, sorted.
func oasExamples(tb testing.TB) []document {
	tb.Helper()
	root := cached(tb, oasExamplesDir)
	var docs []document
	for _, version := range []string{"2.0", "3.0", "3.1"} {
		err := filepath.WalkDir(filepath.Join(root, version), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(p) {
			case ".json", ".yaml", ".yml":
			default:
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			docs = append(docs, document{Name: "oas-examples/" + filepath.ToSlash(rel), Path: p})
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if len(docs) == 0 {
		tb.Fatalf("no documents under %s: run %s again", root, fetchTarget)
	}
	slices.SortFunc(docs, func(a, b document) int { return strings.Compare(a.Name, b.Name) })
	return docs
}

// A generation is the outcome of one call of generator.Generate.
type generation struct {
	plan  *write.Plan
	diags diag.List
	// res is the whole result, when there is a plan.
	res *generator.Result
	// panicked is the panic value and stack when Generate panicked.
	panicked string
	// hung is set when Generate did not return within generateTimeout.
	hung    bool
	elapsed time.Duration
}

// files returns the plan's files by path.
func (g *generation) files() map[string][]byte {
	out := make(map[string][]byte)
	if g.plan != nil {
		for _, f := range g.plan.Files {
			out[f.Path] = f.Content
		}
	}
	return out
}

// generateFrom runs generator.Generate as `mcpgen new corpus --from SPEC
// --mode MODE` does: the openapi template's manifest next to the document
// named spec, whose files read returns. A panic is recovered and reported;
// a call that takes longer than limit is reported as hung (and left to
// finish in the background).
func generateFrom(spec, mode, runtimeReplace string, limit time.Duration, read func(name string) ([]byte, error)) *generation {
	return generateWith(spec, mode, &generator.Options{Template: "openapi", RuntimeReplace: runtimeReplace, WriteManifest: true}, limit, read)
}

// generateWith is generateFrom with the generator's options.
func generateWith(spec, mode string, opts *generator.Options, limit time.Duration, read func(name string) ([]byte, error)) *generation {
	manifest, err := templates.Manifest("openapi", templates.ManifestData{Name: serverName, Spec: spec, Mode: mode, FirstOperation: "GET /path"})
	if err != nil {
		return &generation{panicked: "rendering the openapi manifest: " + err.Error()}
	}
	in := &generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest, ReadFile: read}
	done := make(chan *generation, 1)
	go func() {
		g := &generation{}
		defer func() {
			if v := recover(); v != nil {
				g.panicked = fmt.Sprintf("panic: %v\n%s", v, debug.Stack())
			}
			done <- g
		}()
		t0 := time.Now()
		g.res, g.diags = generator.Run(in, opts)
		g.elapsed = time.Since(t0)
		if g.res != nil {
			g.plan = g.res.Plan
		}
	}()
	select {
	case g := <-done:
		return g
	case <-time.After(limit):
		return &generation{hung: true, elapsed: limit}
	}
}

// generateFile generates a project from the document at path.
func generateFile(path, mode, runtimeReplace string) *generation {
	return generateFrom(filepath.Base(path), mode, runtimeReplace, generateTimeout, dirReader(filepath.Dir(path)))
}

// dirReader reads files relative to dir, refusing any outside it, as the
// CLI does for the document's $refs.
func dirReader(dir string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		clean := path.Clean(name)
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, fmt.Errorf("%s is outside the document's directory", name)
		}
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(clean)))
	}
}

// unclear matches what a clear diagnostic never says: Go's own error
// strings and formatting faults, which mean an error reached the user
// without being translated.
var unclear = regexp.MustCompile(`%!|\(MISSING\)|<nil>|runtime error|internal error|invalid memory address|\bpanic\b|goroutine \d|\bopenapi3\.|\bjson: cannot unmarshal|\bstruct field\b|\*[a-z]+\.[A-Z]\w+`)

// unclearError returns why d is not a clear error, or "" when it is: it must
// name a file, point into it with a JSON pointer unless it concerns the
// whole file (as package diag allows: a document that is no mapping, say),
// and give a one-line reason in plain words.
func unclearError(d diag.Diagnostic) string {
	switch {
	case d.Pos.File == "":
		return "names no file"
	case d.Pointer != "" && !strings.HasPrefix(d.Pointer, "#"):
		return fmt.Sprintf("pointer %q is not a URI fragment (#/...)", d.Pointer)
	case strings.TrimSpace(d.Msg) == "":
		return "has no reason"
	case strings.Contains(d.Msg, "\n"):
		return "reason spans several lines"
	case unclear.MatchString(d.Msg):
		return fmt.Sprintf("reason %q leaks %q", d.Msg, unclear.FindString(d.Msg))
	case repeats(d.Msg):
		return fmt.Sprintf("reason %q only repeats what it quoted", d.Msg)
	}
	return ""
}

// repeats reports whether the last part of msg (after its last ": ") is
// only a quoted value that msg already gave: `cannot resolve $ref "#/x":
// "#/x"` says what failed, not why.
func repeats(msg string) bool {
	i := strings.LastIndex(msg, ": ")
	if i < 0 {
		return false
	}
	tail := msg[i+2:]
	return len(tail) > 2 && strings.HasPrefix(tail, `"`) && strings.HasSuffix(tail, `"`) && strings.Contains(msg[:i], tail)
}

// genHeader is the first line of every file mcpgen owns.
var genHeader = []byte("// Code generated by mcpgen. DO NOT EDIT.\n")

// checkGo checks the Go files of a generated project without building it:
// gofmt-clean, the header on generated files, and package main (tests
// included) type-checks against the real SDK and runtime.
func checkGo(files map[string][]byte) error {
	for _, p := range slices.Sorted(maps.Keys(files)) {
		content := files[p]
		if !strings.HasSuffix(p, ".go") {
			continue
		}
		formatted, err := format.Source(content)
		if err != nil {
			return fmt.Errorf("%s does not parse: %v", p, err)
		}
		if !bytes.Equal(formatted, content) {
			return fmt.Errorf("%s is not gofmt-clean", p)
		}
		if gen := strings.HasSuffix(p, "_gen.go") || strings.HasSuffix(p, "_gen_test.go"); gen != bytes.HasPrefix(content, genHeader) {
			return fmt.Errorf("%s: generated name %v, but header %v", p, gen, !gen)
		}
	}
	return typeCheck(files)
}

// exports maps import paths to their compiled export data (go list
// -export), listed from the runtime module, whose build list is what
// generated projects build against. Type-checking through export data takes
// milliseconds where loading the SDK from source takes seconds.
var exports = struct {
	sync.Mutex
	files map[string]string
	imp   types.Importer
}{files: make(map[string]string)}

// exportsFor makes sure exports holds every package in paths and their
// dependencies.
func exportsFor(paths []string) error {
	var missing []string
	for _, p := range paths {
		if _, ok := exports.files[p]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	cmd := exec.Command("go", append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}} {{.Export}}"}, missing...)...)
	cmd.Dir = filepath.Join(checkout, "runtime")
	cmd.Env = testkit.OfflineEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// Not the generated code's fault: the packages it imports do not
		// build (a runtime/ being edited, say).
		return fmt.Errorf("the packages the generated code imports do not build: go list -export %s: %v\n%s", strings.Join(missing, " "), err, stderr.Bytes())
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if p, file, ok := strings.Cut(line, " "); ok && file != "" {
			exports.files[p] = file
		}
	}
	return nil
}

// typeCheck parses and type-checks the Go files of a generated project.
func typeCheck(files map[string][]byte) error {
	exports.Lock()
	defer exports.Unlock()
	if exports.imp == nil {
		exports.imp = importer.ForCompiler(token.NewFileSet(), "gc", func(p string) (io.ReadCloser, error) {
			file, ok := exports.files[p]
			if !ok {
				return nil, fmt.Errorf("no export data for %s", p)
			}
			return os.Open(file)
		})
	}
	fset := token.NewFileSet()
	var asts []*ast.File
	imports := make(map[string]bool)
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if !strings.HasSuffix(p, ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, files[p], parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, spec := range f.Imports {
			if ip, err := strconv.Unquote(spec.Path.Value); err == nil {
				imports[ip] = true
			}
		}
		asts = append(asts, f)
	}
	if err := exportsFor(slices.Sorted(maps.Keys(imports))); err != nil {
		return err
	}
	var errs []string
	conf := types.Config{Importer: exports.imp, Error: func(err error) {
		if len(errs) < 10 {
			errs = append(errs, err.Error())
		}
	}}
	if _, err := conf.Check("main", fset, asts, nil); err != nil {
		return fmt.Errorf("type-check: %s", strings.Join(errs, "\n"))
	}
	return nil
}

// writeProject writes a generated project into dir.
func writeProject(tb testing.TB, dir string, plan *write.Plan) {
	tb.Helper()
	for _, f := range plan.Files {
		name := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			tb.Fatal(err)
		}
		mode := fs.FileMode(f.Mode)
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(name, f.Content, mode); err != nil {
			tb.Fatal(err)
		}
	}
}

// goCmd runs the go command in dir, offline, and returns its combined
// output and how long it took.
func goCmd(dir string, args ...string) ([]byte, time.Duration, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = testkit.OfflineEnv()
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	return out, time.Since(t0), err
}

// A build is a generated project built, vetted, tested and started.
type build struct {
	// BuildTime is the wall-clock time of go build.
	BuildTime time.Duration
	// Tools are the tools the running server listed.
	Tools []*mcp.Tool
	// ListBytes is the size of the tools as JSON, as tools/list sends them
	// (the tools array of every page, concatenated).
	ListBytes int
}

// buildAndList writes the project into a temporary directory, builds it,
// vets it, runs its tests, starts the server on 127.0.0.1 with its API pointed at a local
// httptest server, and lists its tools through the MCP SDK's client; then
// it runs also, if not nil, in the same session.
func buildAndList(tb testing.TB, plan *write.Plan, also func(context.Context, *mcp.ClientSession)) *build {
	tb.Helper()
	dir := tb.TempDir()
	writeProject(tb, dir, plan)
	bin := filepath.Join(tb.TempDir(), serverName)
	b := &build{}
	out, elapsed, err := goCmd(dir, "build", "-o", bin, ".")
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	b.BuildTime = elapsed
	if out, _, err := goCmd(dir, "vet", "./..."); err != nil {
		tb.Fatalf("go vet: %v\n%s", err, out)
	}
	// The project's own generated tests: every tool is listed, and
	// arguments its schema rejects are refused before the API is called
	// (the API is a local stand-in that fails the test if called).
	if out, _, err := goCmd(dir, "test", "-count=1", "./..."); err != nil {
		tb.Fatalf("go test: %v\n%s", err, out)
	}

	// The API is never called: listing tools must not need it, but the
	// server may refuse to start without a base URL.
	api := httptest.NewServer(http.NotFoundHandler())
	tb.Cleanup(api.Close)
	s := testkit.StartServer(tb, bin, append(os.Environ(), baseURLEnv+"="+api.URL))
	defer s.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "mcpgen-corpus", Version: "v0"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: s.URL + "/mcp", DisableStandaloneSSE: true, MaxRetries: -1}, nil)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	defer cs.Close()
	params := &mcp.ListToolsParams{}
	for {
		res, err := cs.ListTools(ctx, params)
		if err != nil {
			tb.Fatalf("tools/list: %v", err)
		}
		page, err := json.Marshal(res.Tools)
		if err != nil {
			tb.Fatal(err)
		}
		b.ListBytes += len(page)
		b.Tools = append(b.Tools, res.Tools...)
		if res.NextCursor == "" {
			break
		}
		params.Cursor = res.NextCursor
	}
	if also != nil {
		also(ctx, cs)
	}
	if s.Cmd.ProcessState != nil {
		tb.Fatalf("the server exited while listing its tools")
	}
	return b
}
