package bench

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/generator"
	"github.com/mcpgen/mcpgen/generator/write"
)

// BenchmarkGenerate200 times generator.Generate on the 200-tool manifest:
// load, validate, derive the Go types, render and gofmt every file. It is
// pure CPU and memory, so it runs with any -benchtime:
//
//	go test -run '^$' -bench Generate200 ./bench
func BenchmarkGenerate200(b *testing.B) {
	in := &generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest200()}
	opts := &generator.Options{WriteManifest: true}
	var plan *write.Plan
	b.ReportAllocs()
	for b.Loop() {
		p, diags := generator.Generate(in, opts)
		if diags.HasErrors() {
			b.Fatalf("generate:\n%s", diags.Format(0))
		}
		plan = p
	}
	var bytes int
	for _, f := range plan.Files {
		bytes += len(f.Content)
	}
	b.ReportMetric(float64(len(plan.Files)), "files")
	b.ReportMetric(float64(bytes), "bytes-out")
}

// writeProject generates the 200-tool project into dir, its go.mod pointing
// at this checkout's runtime, as mcpgen new from a development build does.
func writeProject(tb testing.TB, dir string) {
	tb.Helper()
	plan, diags := generator.Generate(
		&generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest200()},
		&generator.Options{WriteManifest: true, RuntimeReplace: filepath.ToSlash(filepath.Join(repoRoot(tb), "runtime"))},
	)
	if diags.HasErrors() {
		tb.Fatalf("generate:\n%s", diags.Format(0))
	}
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

// BenchmarkBuild200 times go build of the 200-tool project, offline.
//
// warm: the build cache already holds the dependencies (the standard
// library, the MCP SDK, the runtime), as on a developer's machine after the
// first build; each iteration changes one constant in the project so that
// its own package is compiled and linked again.
//
// cold: each iteration starts from an empty GOCACHE, so the standard
// library and the SDK are compiled too, as in a fresh CI job or a docker
// build without a cache mount. It takes one to two minutes on 2 cores;
// -short skips it.
//
// s/build is the wall-clock time of one build (= ns/op); cpu-s/build the
// CPU time it used (go command, compiler, linker), which depends less on
// what else the machine is running.
func BenchmarkBuild200(b *testing.B) {
	dir := b.TempDir()
	writeProject(b, dir)
	out := filepath.Join(b.TempDir(), "server")

	b.Run("warm", func(b *testing.B) { benchWarmBuild(b, dir, out) })

	b.Run("cold", func(b *testing.B) {
		if testing.Short() {
			b.Skip("-short: skipping the build with an empty cache")
		}
		caches := b.TempDir() // removes what a failed iteration leaves
		i := 0
		var total, cpu time.Duration
		for b.Loop() {
			i++
			b.StopTimer()
			cache, err := os.MkdirTemp(caches, "gocache")
			if err != nil {
				b.Fatal(err)
			}
			setNonce(b, dir)
			b.StartTimer()
			t0 := time.Now()
			cpu += goBuild(b, dir, out, ".", "GOCACHE="+cache)
			total += time.Since(t0)
			b.StopTimer()
			os.RemoveAll(cache)
			b.StartTimer()
		}
		b.ReportMetric(total.Seconds()/float64(i), "s/build")
		b.ReportMetric(cpu.Seconds()/float64(i), "cpu-s/build")
	})
}
