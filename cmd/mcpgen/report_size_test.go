package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpreport "github.com/mcpgen/mcpgen/generator/report"
	"github.com/mcpgen/mcpgen/internal/testkit"
)

// TestReportToolsListSize checks the report's size of tools/list against
// the tools/list of the generated server, built and running, in both
// modes; in dynamic mode also the size it gives the largest operation
// against what describe_operation returns for it.
func TestReportToolsListSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a server")
	}
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	spec, err := filepath.Abs("testdata/petstore.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"static", "dynamic"} {
		t.Run(mode, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "petstore")
			code, stdout, stderr := mcpgen(t, "", "new", "petstore", "--from", spec, "--out", dir, "--mode", mode, "--report=json")
			if code != 0 {
				t.Fatalf("mcpgen new: exit %d\n%s", code, stderr)
			}
			validateReport(t, []byte(stdout))
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
				t.Errorf("tools/list of the server: %d bytes; the report says %d\n%s", got, r.ToolsList.Bytes, listed)
			}
			if mode == "static" {
				if r.Operations != nil {
					t.Errorf("static mode: operations reported: %+v", r.Operations)
				}
				return
			}
			o := r.Operations
			if o == nil || o.Count != r.Tools.API || len(o.Largest) == 0 {
				t.Fatalf("dynamic mode: operations = %+v; want the %d of the API, the largest listed", o, r.Tools.API)
			}
			for _, op := range o.Largest {
				got, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "describe_operation", Arguments: map[string]any{"name": op.Name}})
				if err != nil || got.IsError || len(got.Content) != 1 {
					t.Fatalf("describe_operation %s: %v %+v", op.Name, err, got)
				}
				text := got.Content[0].(*mcp.TextContent).Text
				if len(text) != op.Bytes {
					t.Errorf("describe_operation %s: %d bytes; the report says %d\n%s", op.Name, len(text), op.Bytes, text)
				}
			}
		})
	}
}

// TestReportDynamicJSON checks the JSON report of a dynamic generation
// against schemas/report.schema.json, without building the server.
func TestReportDynamicJSON(t *testing.T) {
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	spec, err := filepath.Abs("testdata/petstore.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "petstore")
	code, stdout, stderr := mcpgen(t, "", "new", "petstore", "--from", spec, "--out", dir, "--mode", "dynamic", "--report=json")
	if code != 0 {
		t.Fatalf("mcpgen new: exit %d\n%s", code, stderr)
	}
	validateReport(t, []byte(stdout))
	var r mcpreport.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if !r.Tools.Dynamic || r.Operations == nil || r.Operations.Count == 0 || r.ToolsList.Bytes == 0 {
		t.Errorf("dynamic report: tools %+v, operations %+v, tools/list %+v", r.Tools, r.Operations, r.ToolsList)
	}
	if !strings.Contains(stderr, "\n  largest by describe_operation: ") {
		t.Errorf("the text report lacks the operations:\n%s", stderr)
	}
}
