package corpus

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/write"
)

// An outcome is what became of one document of the corpus.
type outcome struct {
	doc document
	// result is ok (a project that type-checks), refused (a clear error) or
	// FAILED.
	result string
	// detail is the first error for refused, the failure for FAILED.
	detail string
	// warnings counts the warnings; unclearWarnings those that would not
	// pass as clear errors.
	warnings, unclearWarnings int
	gen                       time.Duration
	plan                      *write.Plan
	// ops is the number of operations in the document.
	ops int
	// built is set once the project was built, vetted, tested and
	// started; tools is then the number of tools it listed.
	built bool
	tools int
}

const (
	ok      = "ok"
	refused = "refused"
	failed  = "FAILED"
)

// fail records a failure on o and fails the test.
func (o *outcome) fail(t *testing.T, format string, args ...any) {
	t.Helper()
	o.result = failed
	o.detail = fmt.Sprintf(format, args...)
	t.Errorf("%s: %s", o.doc.Name, o.detail)
}

// TestCorpus generates a project from every document of @readme/oas-examples
// (static mode, as `mcpgen new --from` does). Each must either become a
// project whose Go files are gofmt-clean and type-check, in dynamic mode
// too, or be refused with clear errors and no plan. A sample of the projects (every one with
// CORPUS_BUILD=all) is then built, vetted, tested and started on
// 127.0.0.1, and its tools listed through the MCP SDK's client, so that a
// server that panics while registering its tools shows; it must list one
// tool per operation. The summary table is logged.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the corpus test generates and builds real-world projects")
	}
	docs := oasExamples(t)
	rt := filepath.ToSlash(runtimeDir(t))
	outcomes := make([]*outcome, len(docs))
	t.Run("generate", func(t *testing.T) {
		for i, doc := range docs {
			o := &outcome{doc: doc}
			outcomes[i] = o
			t.Run(doc.Name, func(t *testing.T) {
				t.Parallel()
				var err error
				if o.ops, err = operations(doc.Path); err != nil {
					t.Fatalf("counting the operations: %v", err)
				}
				classify(t, o, generateFile(doc.Path, "static", rt))
				if o.result == ok {
					checkDynamic(t, o, generateFile(doc.Path, "dynamic", rt))
				}
			})
		}
	})

	t.Run("build", func(t *testing.T) {
		for _, o := range buildSample(outcomes, os.Getenv("CORPUS_BUILD") == "all") {
			t.Run(o.doc.Name, func(t *testing.T) {
				t.Parallel()
				defer func() {
					if t.Failed() && o.result != failed {
						o.result, o.detail = failed, "generated, but did not build, vet or start (see the test log)"
					}
				}()
				b := buildAndList(t, o.plan, nil)
				o.built, o.tools = true, len(b.Tools)
				o.plan = nil
				if o.tools != o.ops {
					o.fail(t, "%d tools listed for the document's %d operations", o.tools, o.ops)
				}
			})
		}
	})
	t.Log("\n" + summary(outcomes))
}

// classify checks what Generate made of one document and records it on o.
func classify(t *testing.T, o *outcome, g *generation) {
	t.Helper()
	o.gen = g.elapsed
	for i, d := range g.diags.Warnings() {
		if i < 5 {
			t.Logf("%s", d)
		}
		o.warnings++
		if unclearError(d) != "" {
			o.unclearWarnings++
		}
	}
	switch {
	case g.panicked != "":
		o.fail(t, "generator panicked: %s", g.panicked)
	case g.hung:
		o.fail(t, "generator.Generate did not return within %v", generateTimeout)
	case g.diags.HasErrors():
		if g.plan != nil {
			o.fail(t, "errors, yet a plan of %d files", len(g.plan.Files))
			return
		}
		for _, d := range g.diags.Errors() {
			if why := unclearError(d); why != "" {
				o.fail(t, "unclear error: %s (it %s)", d, why)
				return
			}
		}
		o.result, o.detail = refused, g.diags.Errors()[0].String()
	case g.plan == nil:
		o.fail(t, "neither a plan nor an error")
	default:
		if err := checkGo(g.files()); err != nil {
			o.fail(t, "generated code: %v", err)
			return
		}
		o.result, o.plan = ok, g.plan
	}
}

// checkDynamic checks the dynamic-mode project of a document whose static
// project type-checked: it must type-check too.
func checkDynamic(t *testing.T, o *outcome, g *generation) {
	t.Helper()
	switch {
	case g.panicked != "":
		o.fail(t, "dynamic mode: generator panicked: %s", g.panicked)
	case g.hung:
		o.fail(t, "dynamic mode: generator.Generate did not return within %v", generateTimeout)
	case g.diags.HasErrors():
		o.fail(t, "dynamic mode refused what static mode generated: %s", g.diags.Errors()[0])
	default:
		if err := checkGo(g.files()); err != nil {
			o.fail(t, "dynamic mode: generated code: %v", err)
		}
	}
}

// buildSample picks the generated projects to build: all of them, or every
// few, so that each OpenAPI version is represented and the test stays
// within minutes.
func buildSample(outcomes []*outcome, all bool) []*outcome {
	var generated []*outcome
	for _, o := range outcomes {
		if o.result == ok {
			generated = append(generated, o)
		}
	}
	if all {
		return generated
	}
	const want = 12
	stride := max(1, len(generated)/want)
	var sample []*outcome
	for i := 0; i < len(generated); i += stride {
		sample = append(sample, generated[i])
	}
	return sample
}

// summary formats the outcomes as a table, with the totals under it.
func summary(outcomes []*outcome) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "document\tresult\toperations\ttools\tgenerate\twarnings\tdetail")
	counts := make(map[string]int)
	built := 0
	for _, o := range outcomes {
		if o.result == "" {
			o.result, o.detail = failed, "not checked (the test stopped early)"
		}
		counts[o.result]++
		tools := "-"
		if o.built {
			built++
			tools = fmt.Sprint(o.tools)
		}
		warnings := fmt.Sprint(o.warnings)
		if o.unclearWarnings > 0 {
			warnings += fmt.Sprintf(" (%d unclear)", o.unclearWarnings)
		}
		detail := o.detail
		if len(detail) > 160 {
			detail = detail[:160] + "…"
		}
		detail = strings.ReplaceAll(detail, "\n", " ")
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%v\t%s\t%s\n", o.doc.Name, o.result, o.ops, tools, o.gen.Round(time.Millisecond), warnings, detail)
	}
	w.Flush()
	fmt.Fprintf(&b, "\n%d documents: %d generated a project that type-checks (%d of them built, vetted, tested, started and listed their tools), %d refused with a clear error, %d failed\n",
		len(outcomes), counts[ok], built, counts[refused], counts[failed])
	return b.String()
}

// operations counts the operations of an OpenAPI document (JSON or YAML):
// the methods under each path item, following a path item's local $ref.
func operations(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var doc map[string]any
	if filepath.Ext(path) == ".json" {
		err = json.Unmarshal(data, &doc)
	} else {
		err = yaml.Unmarshal(data, &doc)
	}
	if err != nil {
		return 0, err
	}
	paths, _ := doc["paths"].(map[string]any)
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	n := 0
	for _, v := range paths {
		item, _ := v.(map[string]any)
		if ref, ok := item["$ref"].(string); ok {
			item, _ = resolve(doc, ref).(map[string]any)
		}
		for m := range item {
			if slices.Contains(methods, m) {
				n++
			}
		}
	}
	return n, nil
}

// resolve returns the node a local reference ("#/a/b") names in doc, or nil.
func resolve(doc map[string]any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var node any = doc
	for tok := range strings.SplitSeq(rest, "/") {
		m, _ := node.(map[string]any)
		node = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)]
	}
	return node
}

// TestGitHub generates GitHub's REST API (about 1,100 operations) in static
// and in dynamic mode, checks and type-checks the output, builds and vets
// it, starts the server and lists its tools: one per operation in static
// mode, the four operation tools in dynamic mode. It logs the sizes and
// times (docs/performance.md interprets them); it asserts none of the times.
func TestGitHub(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: generating and building GitHub's REST API takes minutes")
	}
	spec := githubSpec(t)
	rt := filepath.ToSlash(runtimeDir(t))
	ops, err := operations(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"static", "dynamic"} {
		t.Run(mode, func(t *testing.T) {
			g := generateFile(spec, mode, rt)
			switch {
			case g.panicked != "":
				t.Fatalf("generator panicked: %s", g.panicked)
			case g.hung:
				t.Fatalf("generator.Generate did not return within %v", generateTimeout)
			case g.diags.HasErrors():
				t.Fatalf("generate:\n%s", g.diags.Format(30))
			}
			for i, d := range g.diags.Warnings() {
				if i < 5 {
					t.Logf("%s", d)
				}
			}
			files := g.files()
			if err := checkGo(files); err != nil {
				t.Fatalf("generated code: %v", err)
			}
			var size int
			for _, content := range files {
				size += len(content)
			}
			var also func(context.Context, *mcp.ClientSession)
			if mode == "dynamic" {
				also = func(ctx context.Context, cs *mcp.ClientSession) { checkCatalog(t, ctx, cs, ops) }
			}
			b := buildAndList(t, g.plan, also)
			names := make([]string, len(b.Tools))
			for i, tool := range b.Tools {
				names[i] = tool.Name
			}
			switch mode {
			case "static":
				if len(b.Tools) != ops {
					t.Errorf("%d tools listed, want one for each of the document's %d operations", len(b.Tools), ops)
				}
			case "dynamic":
				slices.Sort(names)
				want := []string{"call_operation", "describe_operation", "list_operations", "search_operations"}
				if !slices.Equal(names, want) {
					t.Errorf("tools %v, want %v", names, want)
				}
			}
			t.Logf("%s: %d operations; generate %v (%d warnings), %d files, %d bytes; go build %v; tools/list: %d tools, %d bytes",
				mode, ops, g.elapsed.Round(time.Millisecond), len(g.diags.Warnings()), len(files), size,
				b.BuildTime.Round(time.Millisecond), len(b.Tools), b.ListBytes)
		})
	}
}

// checkCatalog checks through a dynamic server's tools that it knows every
// operation: list_operations counts them all, and describe_operation
// describes the first it lists.
func checkCatalog(t *testing.T, ctx context.Context, cs *mcp.ClientSession, ops int) {
	t.Helper()
	text := func(name string, args map[string]any) string {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var b strings.Builder
		for _, c := range res.Content {
			if tc, ok := c.(*mcp.TextContent); ok {
				b.WriteString(tc.Text)
			}
		}
		if res.IsError {
			t.Fatalf("%s: tool error: %s", name, b.String())
		}
		return b.String()
	}
	list := text("list_operations", map[string]any{})
	if want := fmt.Sprintf("%d operations", ops); !strings.HasPrefix(list, want) {
		t.Fatalf("list_operations begins %q, want %q", firstLine(list), want)
	}
	// The lines after the first are "name: METHOD /path — summary".
	lines := strings.Split(list, "\n")
	first, _, ok := strings.Cut(lines[min(1, len(lines)-1)], ":")
	if !ok {
		t.Fatalf("list_operations lists no operation:\n%s", list)
	}
	if d := text("describe_operation", map[string]any{"name": first}); !strings.Contains(d, `"inputSchema"`) {
		t.Errorf("describe_operation %s gives no input schema:\n%.500s", first, d)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
