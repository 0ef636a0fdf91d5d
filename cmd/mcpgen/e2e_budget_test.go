package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// TestEndToEndResponseBudget generates a server from testdata/issues.yaml
// with response budgets, builds it, and calls it over streamable HTTP in
// front of a stand-in API whose list of issues is 1 MB of JSON: the
// select's projection comes back cut to maxBytes, valid, meeting the
// output schema the server lists, with a note and the next page's
// arguments; a cursor-paged operation gives the cursor the API returned.
func TestEndToEndResponseBudget(t *testing.T) {
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	dir := filepath.Join(t.TempDir(), "issues")
	spec, err := filepath.Abs("testdata/issues.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, "", "new", "issues", "--from", spec, "--out", dir); code != 0 {
		t.Fatalf("mcpgen new --from: exit %d\n%s", code, stderr)
	}
	const limit = 32 << 10
	appendTo(t, filepath.Join(dir, "mcpgen.yaml"), fmt.Sprintf(`  maxResponseBytes: 4194304
  response:
    maxBytes: %d
  overrides:
    - operation: listIssues
      response:
        select: '[.[] | {number, title, author: .user.login}]'
`, limit))
	if code, _, stderr := mcpgen(t, dir, "generate"); code != 0 {
		t.Fatalf("mcpgen generate: exit %d\n%s", code, stderr)
	}
	binary := buildServer(t, dir, "issues-server")

	var issues strings.Builder
	issues.WriteByte('[')
	for i := range 5000 {
		if i > 0 {
			issues.WriteByte(',')
		}
		fmt.Fprintf(&issues, `{"number":%d,"title":"Issue %d","body":"%s","user":{"login":"user%d"}}`, i+1, i+1, strings.Repeat("text ", 35), i%9)
	}
	issues.WriteByte(']')
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/repos/o/r/issues":
			n, _ := strconv.Atoi(r.URL.Query().Get("page"))
			w.Header().Set("Link", fmt.Sprintf(`<https://issues.example.com/repos/o/r/issues?page=%d>; rel="next"`, n+1))
			fmt.Fprint(w, issues.String())
		case "/events":
			fmt.Fprint(w, `{"events":[{"id":1},{"id":2}],"next_cursor":"c-`+r.URL.Query().Get("cursor")+`-2"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(api.Close)
	if len(issues.String()) < 1<<20 {
		t.Fatalf("the answer is %d bytes, want 1 MB", len(issues.String()))
	}

	srv := testkit.StartServer(t, binary, testkit.OfflineEnv("ISSUES_BASE_URL="+api.URL))
	t.Cleanup(srv.Shutdown)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	schemas := make(map[string]*jsonschema.Resolved)
	for _, tool := range tools.Tools {
		data, err := json.Marshal(tool.OutputSchema)
		if err != nil {
			t.Fatal(err)
		}
		var s jsonschema.Schema
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatalf("%s: output schema %s: %v", tool.Name, data, err)
		}
		if schemas[tool.Name], err = s.Resolve(nil); err != nil {
			t.Fatalf("%s: output schema %s: %v", tool.Name, data, err)
		}
	}

	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "list_issues", Arguments: map[string]any{"owner": "o", "repo": "r", "page": 2}})
	if err != nil || res.IsError {
		t.Fatalf("list_issues: %v %s", err, toolText(res))
	}
	data, _ := json.Marshal(res.StructuredContent)
	var got struct {
		Result []map[string]any
		Next   map[string]any `json:"_next"`
	}
	if err := json.Unmarshal(data, &got); err != nil || len(data) > limit {
		t.Fatalf("structured content of %d bytes (at most %d): %v", len(data), limit, err)
	}
	if n := len(got.Result); n < 100 || n >= 5000 || len(got.Result[0]) != 3 || got.Result[0]["author"] != "user0" {
		t.Errorf("%d items, the first %v", n, got.Result[0])
	}
	if got.Next["page"] != float64(3) {
		t.Errorf("_next %v, want page 3", got.Next)
	}
	if err := schemas["list_issues"].Validate(res.StructuredContent); err != nil {
		t.Errorf("the result does not meet list_issues' output schema: %v", err)
	}
	text := toolText(res)
	for _, want := range []string{
		fmt.Sprintf("of 5000 items of the list .result were left out. To get them, ask for fewer items at a time, such as per_page: %d;", len(got.Result)),
		`[More results: call list_issues again with the same arguments and {"page":3}.]`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("list_issues' text lacks %q", want)
		}
	}

	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "list_events", Arguments: map[string]any{"cursor": "c1"}})
	if err != nil || res.IsError {
		t.Fatalf("list_events: %v %s", err, toolText(res))
	}
	data, _ = json.Marshal(res.StructuredContent)
	if want := `{"_next":{"cursor":"c-c1-2"},"events":[{"id":1},{"id":2}],"next_cursor":"c-c1-2"}`; string(data) != want {
		t.Errorf("list_events: %s, want %s", data, want)
	}
	if err := schemas["list_events"].Validate(res.StructuredContent); err != nil {
		t.Errorf("the result does not meet list_events' output schema: %v", err)
	}
}
