package serve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The tests of Main run this test binary as a server: with
// MCPGEN_SERVE_TEST_MAIN set, TestMain calls Main with the arguments in
// that variable (separated by the ASCII unit separator, 0x1F) instead of running tests.
const mainEnv = "MCPGEN_SERVE_TEST_MAIN"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(mainEnv); ok {
		os.Args = append([]string{"test-server"}, strings.Split(args, "\x1f")...)
		if args == "" {
			os.Args = os.Args[:1]
		}
		s := testServer(nil, nil)
		// A tool that prints to stdout, as careless handlers do: over
		// stdio, that must not reach the protocol stream.
		mcp.AddTool(s, &mcp.Tool{Name: "print"}, func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, echoOut, error) {
			fmt.Println("stray output")
			return nil, echoOut{Echo: "printed"}, nil
		})
		Main(s, &Options{Name: "test-server", Version: "v1"})
		return // a clean shutdown: Main returned
	}
	os.Exit(m.Run())
}

// mainCommand returns a command running Main with args and extra
// environment variables, in an environment cleared of the variables Main
// reads.
func mainCommand(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !isSettingEnv(name) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, mainEnv+"="+strings.Join(args, "\x1f"))
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

func isSettingEnv(name string) bool {
	for _, s := range settings {
		for _, e := range s.env {
			if e == name {
				return true
			}
		}
	}
	return false
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestMainBadSettings(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--log-level=loud"}, `test-server: --log-level="loud": want debug, info, warn or error`},
		{[]string{"PORT=abc"}, nil, `test-server: PORT="abc": want a port number`},
		{nil, []string{"--bogus"}, "flag provided but not defined: -bogus"},
		{nil, []string{"--stdio", "--stateful=maybe"}, `invalid boolean value "maybe" for -stateful`},
	} {
		var stdout, stderr strings.Builder
		cmd := mainCommand(t, tc.env, tc.args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if code := exitCode(err); code != 2 {
			t.Errorf("%v %v: exit status %d (%v), want 2", tc.env, tc.args, code, err)
		}
		if !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "--help") {
			t.Errorf("%v %v: stderr %q, want it to contain %q and point to --help", tc.env, tc.args, stderr.String(), tc.want)
		}
		if stdout.Len() > 0 {
			t.Errorf("%v %v: stdout %q", tc.env, tc.args, stdout.String())
		}
	}
}

func TestMainHelp(t *testing.T) {
	var stdout, stderr strings.Builder
	cmd := mainCommand(t, nil, "--help")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("--help: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"test-server v1", "--addr host:port", "$MCP_ALLOWED_ORIGINS", "--disable-host-check"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() > 0 {
		t.Errorf("--help wrote to stdout: %q", stdout.String())
	}
}

// TestMainSignal runs Main over HTTP, calls the tool, and stops it with
// SIGTERM: it shuts down, exits 0, and says so on stderr.
func TestMainSignal(t *testing.T) {
	cmd := mainCommand(t, []string{"LOG_FORMAT=json", "MCP_STATEFUL=true"}, "--addr", "127.0.0.1:0", "--log-format=text")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	listening := regexp.MustCompile(`msg=listening addr=(127\.0\.0\.1:\d+) .*stateful=true`)
	var base string
	var logs []string
	for base == "" {
		line, ok := <-lines
		if !ok {
			t.Fatalf("exited before listening:\n%s", strings.Join(logs, "\n"))
		}
		logs = append(logs, line)
		if m := listening.FindStringSubmatch(line); m != nil {
			base = "http://" + m[1]
		}
	}
	callEcho(t, connect(t, streamable(base), nil, nil), "main")

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for line := range lines {
		logs = append(logs, line)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if err := waitFor(t, done, "the server to exit"); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, strings.Join(logs, "\n"))
	}
	all := strings.Join(logs, "\n")
	for _, want := range []string{`msg="shutting down"`, "msg=stopped"} {
		if !strings.Contains(all, want) {
			t.Errorf("logs lack %s:\n%s", want, all)
		}
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout: %q", stdout.String())
	}
}

// TestStdio runs Main with --stdio and talks to it as a stdio client does.
func TestStdio(t *testing.T) {
	cmd := mainCommand(t, []string{"LOG_LEVEL=debug"}, "--stdio")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "v0"}, nil).Connect(t.Context(), &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	callEcho(t, cs, "over stdio")
	if res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "print"}); err != nil || res.IsError {
		t.Fatalf("print: %v %+v", err, res)
	}
	callEcho(t, cs, "after printing")
	// Closing stdin ends the session; the server exits 0.
	begin := time.Now()
	if err := cs.Close(); err != nil {
		t.Errorf("close: %v (exit status %d)\n%s", err, cmd.ProcessState.ExitCode(), stderr.String())
	}
	if d := time.Since(begin); d > 4*time.Second {
		t.Errorf("the server took %v to exit after stdin closed", d)
	}
	for _, want := range []string{"serving over stdio", "stray output"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q: %q", want, stderr.String())
		}
	}
}

// TestStdioRefused checks that a server without stdio refuses --stdio.
func TestStdioRefused(t *testing.T) {
	_, err := ParseConfig([]string{"--stdio"}, nil, &Options{Transports: []string{"streamable", "sse"}})
	if err == nil || !strings.Contains(err.Error(), "does not serve stdio") {
		t.Errorf("ParseConfig --stdio without stdio: %v", err)
	}
}
