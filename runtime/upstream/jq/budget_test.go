package jq_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/upstream"
	"github.com/mcpgen/mcpgen/runtime/upstream/jq"
)

// issues is a JSON array of n objects shaped like GitHub's issues, about
// 220 bytes each.
func issues(n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"number":%d,"url":"https://api.github.com/repos/o/r/issues/%d","title":"Issue number %d: \"quoted\", [bracketed] and {braced}","state":"open","labels":[{"name":"bug"},{"name":"p%d"}],"user":{"login":"user%d"},"body":"%s"}`,
			i+1, i+1, i+1, i%3, i%7, strings.Repeat("é", i%5))
	}
	b.WriteByte(']')
	return b.String()
}

// issuesAPI is a stand-in for GitHub's list of issues on loopback: every
// page is the same answer, with a Link header to the next page as GitHub
// writes it. seen returns the requests' URIs.
func issuesAPI(t testing.TB, answer string) (srv *httptest.Server, seen func() []string) {
	var (
		mu   sync.Mutex
		uris []string
	)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		uris = append(uris, r.URL.RequestURI())
		mu.Unlock()
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if n == 0 {
			n = 1
		}
		// The links keep the query, with another page.
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n+1))
		next := "http://" + r.Host + r.URL.Path + "?" + q.Encode()
		q.Set("page", "9")
		w.Header().Set("Link", `<`+next+`>; rel="next", <http://`+r.Host+r.URL.Path+"?"+q.Encode()+`>; rel="last"`)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), uris...)
	}
}

// client is a client of the API at url.
func client(t testing.TB, url string) *upstream.Client {
	c, err := upstream.New(&upstream.API{Name: "Issues", BaseURLEnv: "ISSUES_BASE_URL", MaxResponseBytes: 4 << 20},
		func(name string) (string, bool) { return url, name == "ISSUES_BASE_URL" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// listIssues is the operation of GitHub's list of issues, with budget.
func listIssues(tool string, budget *upstream.Budget) *upstream.Operation {
	return &upstream.Operation{
		Tool: tool, Method: "GET", Path: "/repos/{owner}/{repo}/issues",
		Params: []upstream.Param{
			{Name: "owner", In: "path", Style: "simple", Required: true},
			{Name: "repo", In: "path", Style: "simple", Required: true},
			{Name: "page", In: "query", Style: "form", Explode: true},
			{Name: "per_page", In: "query", Style: "form", Explode: true},
		},
		WrapOutput: true, OutputSchema: true,
		Paging: &upstream.Paging{Page: "page", FirstPage: 1, Size: "per_page", InResult: true},
		Budget: budget,
	}
}

// TestBudgetOverMCP serves two tools of a paged operation as generated
// code does (upstream.AddTool), over streamable HTTP on loopback, in front
// of a stand-in API whose pages are 1 MB of JSON with a Link header: one
// tool bounds its answers to 64 KiB, the other first selects two fields of
// each item. A client gets valid JSON within the bound that meets the
// tool's output schema, a note saying what was left out, and the next
// page's arguments.
func TestBudgetOverMCP(t *testing.T) {
	answer := issues(5000)
	if len(answer) < 1<<20 {
		t.Fatalf("the stand-in page is %d bytes, want 1 MB", len(answer))
	}
	api, seen := issuesAPI(t, answer)
	c := client(t, api.URL)
	const limit = 64 << 10
	input := json.RawMessage(`{"type":"object","properties":{"owner":{"type":"string"},"repo":{"type":"string"},"page":{"type":"integer"},"per_page":{"type":"integer"}},"required":["owner","repo"],"additionalProperties":false}`)
	next := `"_next":{"type":"object","properties":{"page":{"type":"integer"},"per_page":{"type":"integer"}}}`
	whole := `{"type":"object","properties":{"result":{"type":"array","items":{"type":"object","properties":{"number":{"type":"integer"},"title":{"type":"string"},"labels":{"type":"array"}},"required":["number","title","labels"]}},` + next + `},"required":["result"]}`
	picked := `{"type":"object","properties":{"result":{"type":"array","items":{"type":"object","properties":{"number":{"type":"integer"},"title":{"type":"string"}},"required":["number","title"],"additionalProperties":false}},` + next + `},"required":["result"],"additionalProperties":false}`

	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v0"}, nil)
	upstream.AddTool(s, &mcp.Tool{Name: "list_issues", InputSchema: input, OutputSchema: json.RawMessage(whole)}, c,
		listIssues("list_issues", &upstream.Budget{MaxBytes: limit}))
	upstream.AddTool(s, &mcp.Tool{Name: "list_issue_titles", InputSchema: input, OutputSchema: json.RawMessage(picked)}, c,
		listIssues("list_issue_titles", &upstream.Budget{MaxBytes: limit, Select: jq.MustCompile(`[.[] | {number, title}]`)}))
	srv := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true}))
	t.Cleanup(srv.Close)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })

	for _, tc := range []struct {
		tool, schema string
		keys         int // of each item
	}{
		{"list_issues", whole, 7},
		{"list_issue_titles", picked, 2},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tc.tool, Arguments: map[string]any{"owner": "o", "repo": "r", "page": 2}})
			if err != nil {
				t.Fatal(err)
			}
			text := resultText(res)
			if res.IsError {
				t.Fatalf("tool error: %s", text)
			}
			data, err := json.Marshal(res.StructuredContent)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) > limit {
				t.Errorf("structured content of %d bytes, more than %d", len(data), limit)
			}
			var got struct {
				Result []map[string]any
				Next   map[string]any `json:"_next"`
			}
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if n := len(got.Result); n == 0 || n == 5000 {
				t.Fatalf("%d items", n)
			}
			for i, item := range got.Result {
				if len(item) != tc.keys || item["number"] != float64(i+1) {
					t.Fatalf("item %d: %v", i, item)
				}
			}
			if len(got.Next) != 1 || got.Next["page"] != float64(3) {
				t.Errorf("_next %v, want page 3", got.Next)
			}
			var schema jsonschema.Schema
			if err := json.Unmarshal([]byte(tc.schema), &schema); err != nil {
				t.Fatal(err)
			}
			rs, err := schema.Resolve(nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := rs.Validate(res.StructuredContent); err != nil {
				t.Errorf("the result does not meet the output schema: %v", err)
			}
			if want := fmt.Sprintf("the last %d of 5000 items of the list .result were left out. To get them, ask for fewer items at a time, such as per_page: %d; the next page as given here does not hold them.]", 5000-len(got.Result), len(got.Result)); !strings.Contains(text, want) {
				t.Errorf("text lacks %q:\n%s", want, text[max(0, len(text)-600):])
			}
			if want := `[More results: call ` + tc.tool + ` again with the same arguments and {"page":3}.]`; !strings.HasSuffix(text, want) {
				t.Errorf("text does not end with %q", want)
			}
		})
	}
	if got := seen(); len(got) != 2 || got[0] != "/repos/o/r/issues?page=2" {
		t.Errorf("the API saw %q", got)
	}
}

// resultText is the text of a result's content, joined.
func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// BenchmarkResponseBudget measures one call of GitHub's list of issues
// whose answer is 1 MB of JSON (5,000 issues), over loopback, from the
// request to the tool result: without a budget, with a maxBytes of 64 KiB,
// with a select of two fields of each issue, with both, and with the next
// page worked out from the Link header. The differences from "none" are
// what each costs.
func BenchmarkResponseBudget(b *testing.B) {
	answer := issues(5000)
	api, _ := issuesAPI(b, answer)
	c := client(b, api.URL)
	project := jq.MustCompile(`[.[] | {number, title}]`)
	args := map[string]any{"owner": "o", "repo": "r", "page": 2.0}
	for _, bc := range []struct {
		name   string
		budget *upstream.Budget
		paged  bool
	}{
		{"none", nil, false},
		{"maxBytes", &upstream.Budget{MaxBytes: 64 << 10}, false},
		{"select", &upstream.Budget{Select: project}, false},
		{"select+maxBytes", &upstream.Budget{Select: project, MaxBytes: 64 << 10}, false},
		{"paging", nil, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			op := listIssues("list_issues", bc.budget)
			if !bc.paged {
				op.Paging = nil
			}
			b.SetBytes(int64(len(answer)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := c.Call(b.Context(), op, args)
				if err != nil || res.IsError {
					b.Fatalf("%v %s", err, resultText(res))
				}
			}
		})
	}
}
