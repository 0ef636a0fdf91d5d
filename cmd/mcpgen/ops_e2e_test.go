package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// opsManifestTail is added to the authless calculator's manifest: the
// server-wide settings a production server would have (a rate limit on
// all requests, a time limit on calls); newOpsProject gives add a tighter
// limit of its own.
const opsManifestTail = `
rateLimit: {perMinute: 600, burst: 100}
toolTimeout: 30s
`

// newOpsProject generates the authless template, adds limits to its
// manifest, regenerates, and builds the server.
func newOpsProject(t *testing.T) (dir, binary string) {
	t.Helper()
	dir = newFromTemplate(t, "ops", "authless")
	manifest := readString(t, filepath.Join(dir, "mcpgen.yaml"))
	// add gets five calls per client, and hardly refills within the test:
	// one a minute.
	manifest = strings.Replace(manifest, "    annotations: {readOnlyHint: true, openWorldHint: false}\n",
		"    annotations: {readOnlyHint: true, openWorldHint: false}\n    rateLimit: {perMinute: 1, burst: 5}\n    audit: {arguments: true, redact: [b]}\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "mcpgen.yaml"), []byte(manifest+opsManifestTail), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, dir, "generate"); code != 0 {
		t.Fatalf("mcpgen generate: exit %d\n%s", code, stderr)
	}
	binary = buildServer(t, dir, "ops-server")
	return dir, binary
}

// forwardedFor sends every request as if a proxy had forwarded it from
// client.
type forwardedFor string

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", string(f))
	return http.DefaultTransport.RoundTrip(r)
}

func connectAs(t *testing.T, url string, client string) *mcp.ClientSession {
	t.Helper()
	return connect(t, &mcp.StreamableClientTransport{Endpoint: url + "/mcp",
		HTTPClient: &http.Client{Transport: forwardedFor(client)}})
}

// TestEndToEndRateLimits runs two processes of one server on one Redis,
// behind a (pretend) trusted proxy, and calls add over its limit from two
// clients, alternating between the processes: each client gets exactly
// its burst, whichever process counts, and the refusals are tool errors
// that say when to retry.
func TestEndToEndRateLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two servers and Redis")
	}
	redis := testkit.StartRedis(t)
	dir, binary := newOpsProject(t)
	settings := []string{"STORE_URL=" + redis.URL(), "TRUSTED_PROXIES=127.0.0.1"}
	set := newReplicaSet(t, binary, dir, settings)
	var urls []string
	for range 2 {
		r, err := set.start(testkit.FreeLoopbackAddr(t))
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, r.url)
	}
	for _, client := range []string{"198.51.100.1", "198.51.100.2"} {
		sessions := []*mcp.ClientSession{connectAs(t, urls[0], client), connectAs(t, urls[1], client)}
		allowed, refused := 0, 0
		for i := range 8 {
			res, err := sessions[i%2].CallTool(t.Context(), &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"a": i, "b": 1}})
			if err != nil {
				t.Fatalf("%s call %d: %v", client, i, err)
			}
			if !res.IsError {
				allowed++
				continue
			}
			refused++
			text := toolText(res)
			if !strings.Contains(text, "rate limit exceeded") || !strings.Contains(text, "retry in") || !strings.Contains(text, "tool add") {
				t.Errorf("%s call %d: refusal %q does not name the limit and when to retry", client, i, text)
			}
		}
		// The limit refills one call a minute: the calls above take far
		// less, so exactly the burst goes through.
		if allowed != 5 || refused != 3 {
			t.Errorf("client %s: %d allowed, %d refused over two processes; want 5 and 3", client, allowed, refused)
		}
	}
	// calculate has no limit of its own, only the server's, far above.
	cs := connectAs(t, urls[0], "198.51.100.1")
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "calculate", Arguments: map[string]any{"a": 6, "b": 3, "operation": "divide"}})
	if err != nil || res.IsError {
		t.Fatalf("calculate after add's limit: %v %s", err, toolText(res))
	}
}

// TestEndToEndDrain stops a server that has a drain delay: /readyz turns
// 503 at once while /mcp still serves, then the process exits cleanly.
func TestEndToEndDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a server")
	}
	dir, binary := newOpsProject(t)
	set := newReplicaSet(t, binary, dir, []string{"SHUTDOWN_DRAIN_DELAY=4s"})
	r, err := set.start(testkit.FreeLoopbackAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	status := func(path string) int {
		resp, err := http.Get(r.url + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz before shutdown: %d", got)
	}
	cs := connectAs(t, r.url, "198.51.100.9")
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for status("/readyz") != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatalf("/readyz did not turn 503 after SIGTERM:\n%s", r.stderr())
		}
		time.Sleep(20 * time.Millisecond)
	}
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "calculate", Arguments: map[string]any{"a": 1, "b": 2, "operation": "add"}})
	if err != nil || res.IsError {
		t.Fatalf("a call while draining failed: %v %s", err, toolText(res))
	}
	select {
	case <-r.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("the server did not exit after draining:\n%s", r.stderr())
	}
	if code := r.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit status %d after draining:\n%s", code, r.stderr())
	}
	for _, want := range []string{"draining", "shutting down", "stopped"} {
		if !strings.Contains(r.stderr(), want) {
			t.Errorf("log lacks %q:\n%s", want, r.stderr())
		}
	}
}

// TestEndToEndWithoutOTLP: a server generated without telemetry.otlp
// refuses OTLP settings at start, exit 2, naming the variable and the
// manifest line that links the exporters, rather than run believed to
// export. The binary does not even contain them.
func TestEndToEndWithoutOTLP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a server")
	}
	dir, binary := newOpsProject(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "--addr", testkit.FreeLoopbackAddr(t))
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 2 {
		t.Fatalf("with OTEL_EXPORTER_OTLP_ENDPOINT: exit %d (%v), want 2\n%s", code, err, stderr.String())
	}
	for _, want := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT: this server was built without OTLP export", "telemetry: {otlp: true}"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the message lacks %q:\n%s", want, stderr.String())
		}
	}
	out, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "otlptrace") || strings.Contains(string(out), "google.golang.org/grpc") {
		t.Errorf("the server links the OTLP exporters:\n%s", out)
	}
}
