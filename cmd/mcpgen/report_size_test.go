package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpreport "github.com/mcpgen/mcpgen/generator/report"
	"github.com/mcpgen/mcpgen/internal/testkit"
)

// TestReportToolsListSize checks the report's size of tools/list against
// the tools/list of the generated server, built and running.
func TestReportToolsListSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a server")
	}
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	dir := filepath.Join(t.TempDir(), "petstore")
	spec, err := filepath.Abs("testdata/petstore.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := mcpgen(t, "", "new", "petstore", "--from", spec, "--out", dir, "--report=json")
	if code != 0 {
		t.Fatalf("mcpgen new: exit %d\n%s", code, stderr)
	}
	var r mcpreport.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	binary := buildServer(t, dir, "petstore-server")
	srv := testkit.StartServer(t, binary, testkit.OfflineEnv("PETSTORE_BASE_URL=http://127.0.0.1:1/v1"))
	t.Cleanup(srv.Shutdown)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	listed, err := json.Marshal(res.Tools)
	if err != nil {
		t.Fatal(err)
	}
	// The report counts the array's elements and commas, not its brackets.
	if got := len(listed) - 2; got != r.ToolsList.Bytes {
		t.Errorf("tools/list of the server: %d bytes; the report says %d", got, r.ToolsList.Bytes)
	}
}
