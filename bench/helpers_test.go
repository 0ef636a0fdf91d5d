package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// repoRoot is the checkout's root directory.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("cannot locate the checkout")
	}
	return filepath.Dir(filepath.Dir(file))
}

// goBuild runs go build -o out pkg in dir and fails the benchmark if it
// fails. It returns the CPU time (user and system) that the go command and
// the compilers and linker it ran used.
func goBuild(tb testing.TB, dir, out, pkg string, env ...string) (cpu time.Duration) {
	tb.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = testkit.OfflineEnv(env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %s in %s: %v\n%s", pkg, dir, err, b)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// buildAuthless builds the committed generated server examples/authless
// into dir and returns the binary's path.
func buildAuthless(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "authless")
	goBuild(tb, filepath.Join(repoRoot(tb), "examples", "authless"), bin, ".")
	return bin
}

// buildAuthlessOTLP builds examples/authless as its user would after adding
// telemetry: {otlp: true} to its manifest and running mcpgen generate: the
// same server with the OTLP exporters linked. It returns the binary's path.
func buildAuthlessOTLP(tb testing.TB, dir string) string {
	tb.Helper()
	root := repoRoot(tb)
	mcpgen := filepath.Join(dir, "mcpgen")
	goBuild(tb, root, mcpgen, "./cmd/mcpgen")
	src := filepath.Join(dir, "authless-otlp")
	if err := os.CopyFS(src, os.DirFS(filepath.Join(root, "examples", "authless"))); err != nil {
		tb.Fatal(err)
	}
	// The copy's runtime is still this checkout's.
	edit := exec.Command("go", "mod", "edit", "-replace", "github.com/mcpgen/mcpgen/runtime="+filepath.Join(root, "runtime"))
	edit.Dir = src
	if out, err := edit.CombinedOutput(); err != nil {
		tb.Fatalf("go mod edit: %v\n%s", err, out)
	}
	manifest := filepath.Join(src, "mcpgen.yaml")
	m, err := os.ReadFile(manifest)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(manifest, append(m, "telemetry:\n  otlp: true\n"...), 0o644); err != nil {
		tb.Fatal(err)
	}
	gen := exec.Command(mcpgen, "generate")
	gen.Dir = src
	gen.Env = testkit.OfflineEnv("MCPGEN_RUNTIME_DIR=" + filepath.Join(root, "runtime"))
	if out, err := gen.CombinedOutput(); err != nil {
		tb.Fatalf("mcpgen generate with telemetry.otlp: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "authless-otlp", "server")
	goBuild(tb, src, bin, ".")
	return bin
}

// buildAuthlessAt builds examples/authless as it was at commit rev,
// against the runtime of that commit, into dir and returns the binary's
// path. It needs the checkout's git history.
func buildAuthlessAt(tb testing.TB, dir, rev string) string {
	tb.Helper()
	archive := exec.Command("git", "archive", rev, "runtime", "examples/authless")
	archive.Dir = repoRoot(tb)
	tarball, err := archive.Output()
	if err != nil {
		tb.Fatalf("git archive %s: %v", rev, err)
	}
	src := filepath.Join(dir, "src@"+rev)
	if err := os.Mkdir(src, 0o755); err != nil {
		tb.Fatal(err)
	}
	untar := exec.Command("tar", "-x", "-C", src)
	untar.Stdin = bytes.NewReader(tarball)
	if out, err := untar.CombinedOutput(); err != nil {
		tb.Fatalf("tar -x: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "authless@"+rev)
	goBuild(tb, filepath.Join(src, "examples", "authless"), bin, ".")
	return bin
}

// buildHandwritten builds the hand-written baseline server into dir and
// returns the binary's path.
func buildHandwritten(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "handwritten")
	goBuild(tb, repoRoot(tb), bin, "./bench/handwritten")
	return bin
}

// server is a server process started on a loopback port.
type server struct {
	*testkit.Server
	base string // http://127.0.0.1:PORT
}

// start starts binary on 127.0.0.1:0, with this process's environment
// and the variables in env, and returns once it has logged the address it
// listens on. It reads the server's stderr to the end, as a log collector
// would. The caller must stop it.
func start(tb testing.TB, binary string, env []string, args ...string) *server {
	tb.Helper()
	// BENCH_SERVER_GOGC sets GOGC for the servers only, not for the
	// benchmark process and its clients (see docs/performance.md).
	if v := os.Getenv("BENCH_SERVER_GOGC"); v != "" {
		env = append(slices.Clip(env), "GOGC="+v)
	}
	if env != nil {
		env = append(os.Environ(), env...)
	}
	s := testkit.StartServer(tb, binary, env, args...)
	return &server{Server: s, base: s.URL}
}

// stop kills the server and waits for it.
func (s *server) stop() { s.Stop() }

// newHTTPClient returns a client whose connections to one server are all
// kept alive: the default transport keeps only two idle connections per
// host, which would make concurrent sessions reconnect all the time.
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 64
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}

// connect opens an MCP client session with the server over streamable
// HTTP. An empty protocolVersion means the SDK's latest.
func connect(ctx context.Context, s *server, hc *http.Client, protocolVersion string) (*mcp.ClientSession, error) {
	transport := &mcp.StreamableClientTransport{
		Endpoint:             s.base + "/mcp",
		HTTPClient:           hc,
		DisableStandaloneSSE: true,
		MaxRetries:           -1,
	}
	var opts *mcp.ClientSessionOptions
	if protocolVersion != "" {
		opts = &mcp.ClientSessionOptions{ProtocolVersion: protocolVersion}
	}
	return mcp.NewClient(&mcp.Implementation{Name: "mcpgen-bench", Version: "v0"}, nil).Connect(ctx, transport, opts)
}

// percentile returns the p-th percentile (0 < p < 100) of ds, which it
// sorts.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(float64(len(ds)-1) * p / 100)
	return ds[i]
}

// mean returns the mean of ds.
func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// ms converts d to milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuTime returns the CPU time the process has used so far, summed over
// its threads from /proc (Linux); ok is false where that is not available.
// Go seldom ends a thread, so the sum loses next to nothing.
func cpuTime(pid int) (d time.Duration, ok bool) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		return 0, false
	}
	for _, name := range tasks {
		b, err := os.ReadFile(name)
		if err != nil {
			continue // a thread that just ended
		}
		var ns int64
		if _, err := fmt.Sscan(string(b), &ns); err != nil {
			return 0, false
		}
		d += time.Duration(ns)
	}
	return d, true
}

// peakRSS returns the most memory the process has had resident, in bytes,
// from /proc (Linux); ok is false where that is not available.
func peakRSS(pid int) (bytes int64, ok bool) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, found := strings.CutPrefix(line, "VmHWM:"); found {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err != nil {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

// setNonce writes into dir a constant that changes on every call, so that
// go build must compile the package there again rather than find it in the
// cache.
func setNonce(tb testing.TB, dir string) {
	tb.Helper()
	src := fmt.Sprintf("package main\n\n// benchNonce changes on every iteration, so that go build compiles this package again.\nconst benchNonce = %d\n", time.Now().UnixNano())
	if err := os.WriteFile(filepath.Join(dir, "bench_nonce.go"), []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// benchWarmBuild times go build of the package in dir into out with the
// dependencies already in the build cache: the first build, untimed, puts
// them there, and each iteration changes one constant (setNonce) so that
// the package is compiled and linked again. It reports the wall-clock and
// CPU time of one build.
func benchWarmBuild(b *testing.B, dir, out string) {
	setNonce(b, dir)
	goBuild(b, dir, out, ".")
	i := 0
	var total, cpu time.Duration
	for b.Loop() {
		i++
		b.StopTimer()
		setNonce(b, dir)
		b.StartTimer()
		t0 := time.Now()
		cpu += goBuild(b, dir, out, ".")
		total += time.Since(t0)
	}
	b.ReportMetric(total.Seconds()/float64(i), "s/build")
	b.ReportMetric(cpu.Seconds()/float64(i), "cpu-s/build")
}
