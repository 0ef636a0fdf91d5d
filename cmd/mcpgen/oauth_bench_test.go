package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// BenchmarkOAuthToolsCall measures what OAuth adds to a tools/call: the
// same "add" tool over stateless streamable HTTP on loopback, served by
// the authless template's server without a token and by the github-oauth
// template's with one (its bearer check, the grant and user lookup in the
// bbolt store, and the per-tool gate).
//
//	go test -run '^$' -bench OAuthToolsCall -benchtime 3000x ./cmd/mcpgen
func BenchmarkOAuthToolsCall(b *testing.B) {
	b.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(b))
	build := func(template string) (dir, binary string) {
		dir = filepath.Join(b.TempDir(), template)
		var out, errb bytes.Buffer
		if code := run([]string{"mcpgen", "new", template, "--template=" + template, "--out", dir}, &out, &errb); code != 0 {
			b.Fatalf("mcpgen new: exit %d\n%s", code, errb.String())
		}
		binary = filepath.Join(dir, template+"-server")
		cmd := exec.Command("go", "build", "-o", binary, ".")
		cmd.Dir = dir
		cmd.Env = testkit.OfflineEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
		return dir, binary
	}
	ctx := context.Background()
	// Latency on a shared machine is noisy; the server's CPU time per call
	// (from /proc) is what the token check costs.
	bench := func(b *testing.B, cs *mcp.ClientSession, pid int) {
		args := map[string]any{"a": 1, "b": 2}
		before := cpuTime(b, pid)
		b.ResetTimer()
		for b.Loop() {
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: args})
			if err != nil || res.IsError {
				b.Fatalf("add: %v %v", err, res)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64((cpuTime(b, pid)-before).Microseconds())/float64(b.N), "server-cpu-us/call")
	}

	_, authless := build("authless")
	s := testkit.StartServer(b, authless, nil)
	b.Cleanup(s.Shutdown)
	plain, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "v0"}, nil).Connect(ctx, &mcp.StreamableClientTransport{Endpoint: s.URL + "/mcp"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()

	dir, protected := build("github-oauth")
	gh := newFakeGitHub(b)
	base := "http://" + freeLoopbackAddr(b)
	gh.callback = base + "/callback"
	srv := startAuthServer(b, protected, dir, base, gh.serverSettings(base,
		"STORE_PATH="+filepath.Join(b.TempDir(), "oauth.db"),
		"ALLOWED_USERS=octocat",
		"LOG_LEVEL=warn",
	))
	signed := signInAs(b, ctx, gh, http.DefaultTransport, base, "octocat")
	if signed == nil {
		b.Fatal("sign-in failed")
	}

	// The two servers take turns, so that a slow moment of the machine
	// does not fall on one of them only.
	for _, round := range []string{"", "-again"} {
		b.Run("authless"+round, func(b *testing.B) { bench(b, plain, s.Cmd.Process.Pid) })
		b.Run("github-oauth"+round, func(b *testing.B) { bench(b, signed.session, srv.cmd.Process.Pid) })
	}
}

// cpuTime is the user and system CPU time process pid has used so far.
func cpuTime(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	// The fields after the command name, which is in parentheses.
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	// Linux counts in clock ticks of 1/100 s (USER_HZ).
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
