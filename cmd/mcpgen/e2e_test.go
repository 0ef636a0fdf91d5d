package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/generator/write"
	"github.com/mcpgen/mcpgen/internal/testkit"
)

// These tests run mcpgen as a user would: generate a project into a
// temporary directory, build it with the go command, start the binary on a
// loopback port and talk to it with the MCP Go SDK's client over streamable
// HTTP, SSE and stdio. Everything is offline and on 127.0.0.1.

// checkoutRuntimeDir is this checkout's runtime module.
func checkoutRuntimeDir(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "runtime")
}

// mcpgen runs the CLI in-process and returns its status and output.
func mcpgen(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if dir != "" {
		args = append(args[:1:1], append([]string{"-C", dir}, args[1:]...)...)
	}
	var out, errb bytes.Buffer
	code = run(append([]string{"mcpgen"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// goCmd runs the go command offline in dir.
func goCmd(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = testkit.OfflineEnv()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// newFromTemplate runs mcpgen new NAME --template=TMPL into a temporary
// directory, against this checkout's runtime, and returns the project.
func newFromTemplate(t *testing.T, name, tmpl string) string {
	t.Helper()
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	dir := filepath.Join(t.TempDir(), name)
	if code, _, stderr := mcpgen(t, "", "new", name, "--template="+tmpl, "--out", dir); code != 0 {
		t.Fatalf("mcpgen new --template=%s: exit %d\n%s", tmpl, code, stderr)
	}
	return dir
}

// buildServer builds the project in dir, offline, into dir/binary and
// returns the binary's path.
func buildServer(t *testing.T, dir, binary string) string {
	t.Helper()
	binary = filepath.Join(dir, binary)
	if out, err := goCmd(t, dir, "build", "-o", binary, "."); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return binary
}

// newProject generates a project from the authless template and builds it.
func newProject(t *testing.T) (dir, binary string) {
	t.Helper()
	dir = newFromTemplate(t, "calc", "authless")
	binary = buildServer(t, dir, "calc-server")
	return dir, binary
}

// startServer starts the binary on a free loopback port until the test
// ends, and returns its base URL.
func startServer(t *testing.T, binary string, args ...string) string {
	t.Helper()
	s := testkit.StartServer(t, binary, nil, args...)
	t.Cleanup(s.Shutdown)
	return s.URL
}

func connect(t *testing.T, transport mcp.Transport) *mcp.ClientSession {
	t.Helper()
	// The session's streams live as long as the context it was connected
	// with: the test's.
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, nil).Connect(t.Context(), transport, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func toolText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// exercise lists and calls the authless tools and checks every answer.
func exercise(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
	}
	if strings.Join(names, ",") != "add,calculate" {
		t.Errorf("tools/list = %v, want [add calculate]", names)
	}

	call := func(name string, args any) *mcp.CallToolResult {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s(%v): protocol error %v", name, args, err)
		}
		return res
	}

	res := call("add", map[string]any{"a": 2, "b": 3})
	if res.IsError {
		t.Fatalf("add: %s", toolText(res))
	}
	var sum struct{ Sum float64 }
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &sum); err != nil || sum.Sum != 5 {
		t.Errorf("add(2, 3) structuredContent = %s, want {\"sum\":5}", b)
	}

	if res := call("calculate", map[string]any{"operation": "multiply", "a": 6, "b": 7}); res.IsError || toolText(res) != "42" {
		t.Errorf("calculate(multiply, 6, 7) = %q (isError %v), want 42", toolText(res), res.IsError)
	}
	if res := call("calculate", map[string]any{"operation": "divide", "a": 1, "b": 0}); !res.IsError || !strings.Contains(toolText(res), "zero") {
		t.Errorf("calculate(divide, 1, 0) = %q (isError %v), want a division-by-zero tool error", toolText(res), res.IsError)
	}

	// Bad arguments are tool errors that name the problem, not crashes.
	for _, tc := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"add", map[string]any{"a": 1}, "b"},
		{"add", map[string]any{"a": "one", "b": 2}, "a"},
		{"add", map[string]any{"a": 1, "b": 2, "c": 3}, "c"},
		{"calculate", map[string]any{"operation": "power", "a": 1, "b": 2}, "operation"},
	} {
		res := call(tc.name, tc.args)
		if !res.IsError || !strings.Contains(toolText(res), tc.want) {
			t.Errorf("%s(%v) = %q (isError %v), want a tool error mentioning %q", tc.name, tc.args, toolText(res), res.IsError, tc.want)
		}
	}
	// The server still answers after all that.
	if res := call("add", map[string]any{"a": 1, "b": 1}); res.IsError {
		t.Errorf("add after bad calls: %s", toolText(res))
	}
}

func TestEndToEndTransports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated server")
	}
	_, binary := newProject(t)

	t.Run("streamable", func(t *testing.T) {
		base := startServer(t, binary)
		exercise(t, connect(t, &mcp.StreamableClientTransport{Endpoint: base + "/mcp"}))
	})
	t.Run("streamable-stateful", func(t *testing.T) {
		base := startServer(t, binary, "--stateful")
		exercise(t, connect(t, &mcp.StreamableClientTransport{Endpoint: base + "/mcp"}))
	})
	t.Run("sse", func(t *testing.T) {
		base := startServer(t, binary)
		exercise(t, connect(t, &mcp.SSEClientTransport{Endpoint: base + "/sse"}))
	})
	t.Run("stdio", func(t *testing.T) {
		exercise(t, connect(t, &mcp.CommandTransport{Command: exec.Command(binary, "--stdio")}))
	})
	t.Run("origin-and-health", func(t *testing.T) {
		base := startServer(t, binary)
		req, _ := http.NewRequest("POST", base+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Origin", "https://evil.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST /mcp from a foreign Origin: status %d, want 403", resp.StatusCode)
		}
		resp, err = http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /healthz: %d %q", resp.StatusCode, body)
		}
	})
}

// snapshot reads every file of dir that mcpgen does not own.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := make(map[string]string)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "calc-server" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil || write.IsGenerated(b) {
			return err // mcpgen's own files, by their header, are not the user's
		}
		files[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestEndToEndRegeneration(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated servers")
	}
	dir, _ := newProject(t)

	if code, out, stderr := mcpgen(t, dir, "generate", "--check"); code != 0 {
		t.Fatalf("generate --check on a fresh project: exit %d\n%s%s", code, out, stderr)
	}

	// The user writes code: a comment in a handler, a helper file.
	appendTo(t, filepath.Join(dir, "add_tool.go"), "\n// A note the user wrote.\n")
	if err := os.WriteFile(filepath.Join(dir, "helpers.go"), []byte("package main\n\n// double is the user's own helper.\nfunc double(x float64) float64 { return 2 * x }\n\nvar _ = double\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)

	// The manifest changes: a new tool, and add gains an optional argument.
	manifest := readString(t, filepath.Join(dir, "mcpgen.yaml"))
	manifest = strings.Replace(manifest,
		"        b: {type: number, description: The second number.}\n",
		"        b: {type: number, description: The second number.}\n        c: {type: number, description: An optional third number.}\n", 1)
	manifest = strings.Replace(manifest, "\ntransports:", `
  - name: negate
    description: Negate a number.
    inputSchema:
      type: object
      properties:
        x: {type: number}
      required: [x]
    outputSchema:
      type: object
      properties:
        result: {type: number}
      required: [result]

transports:`, 1)
	if err := os.WriteFile(filepath.Join(dir, "mcpgen.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	before["mcpgen.yaml"] = manifest

	if code, _, _ := mcpgen(t, dir, "generate", "--check"); code != 1 {
		t.Errorf("generate --check after a manifest change: exit %d, want 1", code)
	}
	code, out, stderr := mcpgen(t, dir, "generate", "--dry-run")
	if code != 0 || !strings.Contains(out, "created   negate_tool.go") {
		t.Errorf("generate --dry-run: exit %d, output:\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "negate_tool.go")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("--dry-run wrote negate_tool.go")
	}

	code, out, stderr = mcpgen(t, dir, "generate")
	if code != 0 {
		t.Fatalf("generate: exit %d\n%s%s", code, out, stderr)
	}
	for _, want := range []string{"created   negate_tool.go", "updated   tools_gen.go", "updated   types_gen.go", "kept      add_tool.go"} {
		if !strings.Contains(out, want) {
			t.Errorf("generate output lacks %q:\n%s", want, out)
		}
	}
	after := snapshot(t, dir)
	for name, content := range before {
		if after[name] != content {
			t.Errorf("user-owned %s changed on regeneration", name)
		}
	}
	if _, ok := after["negate_tool.go"]; !ok {
		t.Error("no stub for the new tool")
	}
	if out, err := goCmd(t, dir, "build", "./..."); err != nil {
		t.Fatalf("build after adding a tool: %v\n%s", err, out)
	}
	if out, err := goCmd(t, dir, "vet", "./..."); err != nil {
		t.Fatalf("vet after adding a tool: %v\n%s", err, out)
	}
	if out, err := goCmd(t, dir, "test", "-count=1", "./..."); err != nil {
		t.Fatalf("tests after adding a tool: %v\n%s", err, out)
	}
	if code, out, stderr := mcpgen(t, dir, "generate"); code != 0 || strings.Contains(out, "updated") || strings.Contains(out, "created") {
		t.Errorf("second generate is not a no-op: exit %d\n%s%s", code, out, stderr)
	}

	// A tool is removed: its handler stays, is reported, and the build
	// points at it.
	manifest = readString(t, filepath.Join(dir, "mcpgen.yaml"))
	start := strings.Index(manifest, "  - name: calculate")
	end := strings.Index(manifest, "  - name: negate")
	manifest = manifest[:start] + manifest[end:]
	if err := os.WriteFile(filepath.Join(dir, "mcpgen.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = mcpgen(t, dir, "generate")
	if code != 0 || !strings.Contains(out, "orphaned  calculate_tool.go") {
		t.Errorf("generate after removing a tool: exit %d, want calculate_tool.go reported as orphaned:\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "calculate_tool.go")); err != nil {
		t.Errorf("the removed tool's handler file is gone: %v", err)
	}
	if out, err := goCmd(t, dir, "build", "./..."); err == nil || !strings.Contains(out, "calculate_tool.go") {
		t.Errorf("build after removing a tool: err %v, want a failure pointing at calculate_tool.go:\n%s", err, out)
	}
}

func TestNewRefusesNonEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := mcpgen(t, "", "new", "x", "--out", dir)
	if code != exitUsage || !strings.Contains(stderr, "not empty") {
		t.Errorf("new into a non-empty directory: exit %d, stderr %q", code, stderr)
	}
	t.Setenv("MCPGEN_RUNTIME_DIR", "none")
	code, _, stderr = mcpgen(t, "", "new", "x", "--out", dir, "--force")
	if code != 0 {
		t.Fatalf("new --force: exit %d\n%s", code, stderr)
	}
	if got := readString(t, filepath.Join(dir, "README.md")); got != "mine\n" {
		t.Errorf("new --force overwrote README.md: %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "tools_gen.go")); err != nil {
		t.Errorf("new --force did not add the project's files: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"new"}, exitUsage, "expected one NAME"},
		{[]string{"new", "bad name"}, exitUsage, "invalid NAME"},
		{[]string{"new", "x", "--template=nope"}, exitUsage, `unknown template "nope"`},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"generate", "--bogus"}, exitUsage, "flag provided but not defined"},
		{[]string{"validate", filepath.Join(t.TempDir(), "missing.yaml")}, exitUsage, "no such file"},
	} {
		var out, errb bytes.Buffer
		code := run(append([]string{"mcpgen"}, tc.args...), &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("mcpgen %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errb.String(), tc.code, tc.want)
		}
	}
}

func TestTemplatesAndSchemaCommands(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"mcpgen", "templates"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "authless") {
		t.Errorf("templates: exit %d, output %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"mcpgen", "schema"}, &out, &errb); code != 0 || !json.Valid(out.Bytes()) {
		t.Errorf("schema: exit %d, output is not JSON: %.200s", code, out.String())
	}
}

func appendTo(t *testing.T, name, s string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func readString(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
