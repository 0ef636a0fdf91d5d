package bench

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator"
	"github.com/mcpgen/mcpgen/generator/write"
	"github.com/mcpgen/mcpgen/templates"
)

// githubSpecPath is GitHub's REST API description (@octokit/openapi, the
// version the Makefile pins), where `make testdata-github` puts it.
const githubSpecPath = ".cache/openapi/api.github.com.json"

// githubSpec reads GitHub's REST API description, or skips the benchmark.
func githubSpec(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(tb), filepath.FromSlash(githubSpecPath)))
	if err != nil {
		tb.Skipf("%s is absent: run make testdata-github to fetch it", githubSpecPath)
	}
	return data
}

// githubInput is what `mcpgen new github --from api.github.com.json --mode
// MODE` passes to generator.Generate.
func githubInput(tb testing.TB, spec []byte, mode string) *generator.Input {
	tb.Helper()
	manifest, err := templates.Manifest("openapi", templates.ManifestData{Name: "github", Spec: "api.github.com.json", Mode: mode, FirstOperation: "meta/root"})
	if err != nil {
		tb.Fatal(err)
	}
	return &generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest, ReadFile: func(name string) ([]byte, error) {
		if name != "api.github.com.json" {
			return nil, fmt.Errorf("%s: not part of the document", name)
		}
		return spec, nil
	}}
}

// BenchmarkOpenAPIGitHub times the whole generation of a server from
// GitHub's REST API (13 MB of JSON, about 1,100 operations) — load,
// import, validate, Go types, render, gofmt — in static mode (a tool per
// operation) and dynamic mode (four tools over the operations), each also
// with generator.Options.Exact (the "-exact" runs), next to
// two baselines on the same bytes: kin-openapi's default loader alone
// (openapi3.NewLoader().LoadFromData) and encoding/json into any.
//
//	make testdata-github
//	go test -run '^$' -bench 'OpenAPIGitHub$' -benchtime 5x -benchmem ./bench
func BenchmarkOpenAPIGitHub(b *testing.B) {
	spec := githubSpec(b)
	for _, run := range []struct {
		mode  string
		exact bool // the libraries' path everywhere (generator.Options.Exact)
	}{{"static", false}, {"dynamic", false}, {"static", true}, {"dynamic", true}} {
		name := "generate-" + run.mode
		if run.exact {
			name += "-exact"
		}
		b.Run(name, func(b *testing.B) {
			in := githubInput(b, spec, run.mode)
			opts := &generator.Options{Template: "openapi", WriteManifest: true, Exact: run.exact}
			var plan *write.Plan
			loopCPU(b, func() {
				p, diags := generator.Generate(in, opts)
				if diags.HasErrors() {
					b.Fatalf("generate:\n%s", diags.Format(20))
				}
				plan = p
			})
			var bytes int
			for _, f := range plan.Files {
				bytes += len(f.Content)
			}
			b.ReportMetric(float64(len(plan.Files)), "files")
			b.ReportMetric(float64(bytes), "bytes-out")
		})
	}
	b.Run("kin-openapi-LoadFromData", func(b *testing.B) {
		loopCPU(b, func() {
			if _, err := openapi3.NewLoader().LoadFromData(spec); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("encoding-json-any", func(b *testing.B) {
		loopCPU(b, func() {
			var v any
			if err := json.Unmarshal(spec, &v); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// loopCPU runs f in b.Loop, reporting allocations and the CPU time per
// iteration: every thread of the process, the garbage collector's
// included, which depends less on what else the machine runs than
// wall-clock time does.
func loopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	cpu0, ok0 := cpuTime(os.Getpid())
	for b.Loop() {
		f()
	}
	if cpu1, ok := cpuTime(os.Getpid()); ok && ok0 {
		b.ReportMetric((cpu1-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	}
}

// BenchmarkOpenAPIGitHubBuild times go build of the generated GitHub
// project, offline, with the dependencies already in the build cache (as
// BenchmarkBuild200/warm does): each iteration changes one constant, so
// that the project's own package is compiled and linked again.
//
//	go test -run '^$' -bench OpenAPIGitHubBuild -benchtime 3x ./bench
func BenchmarkOpenAPIGitHubBuild(b *testing.B) {
	spec := githubSpec(b)
	for _, mode := range []string{"static", "dynamic"} {
		b.Run(mode, func(b *testing.B) {
			plan, diags := generator.Generate(githubInput(b, spec, mode), &generator.Options{
				Template: "openapi", WriteManifest: true,
				RuntimeReplace: filepath.ToSlash(filepath.Join(repoRoot(b), "runtime")),
			})
			if diags.HasErrors() {
				b.Fatalf("generate:\n%s", diags.Format(20))
			}
			dir := b.TempDir()
			writePlan(b, dir, plan)
			benchWarmBuild(b, dir, filepath.Join(b.TempDir(), "server"))
		})
	}
}

// writePlan writes a generated project into dir.
func writePlan(tb testing.TB, dir string, plan *write.Plan) {
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
