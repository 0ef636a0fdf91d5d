package upstream

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/upstream/jq"
)

// TestBudgetOverMCP serves two tools of a paged operation as generated
// code does (AddTool), over streamable HTTP on loopback, in front of a
// stand-in API whose pages are 1 MB of JSON with a Link header: one tool
// bounds its answers to 64 KiB, the other first selects two fields of
// each item. A client gets valid JSON within the bound that meets the
// tool's output schema, a note saying what was left out, and the next
// page's arguments.
func TestBudgetOverMCP(t *testing.T) {
	page := issues(5000)
	if len(page) < 1<<20 {
		t.Fatalf("the stand-in page is %d bytes, want 1 MB", len(page))
	}
	var (
		mu   sync.Mutex
		seen []string
	)
	api := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RequestURI())
		mu.Unlock()
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if n == 0 {
			n = 1
		}
		// As GitHub does: the links keep the query, with another page.
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n+1))
		next := "http://" + r.Host + r.URL.Path + "?" + q.Encode()
		q.Set("page", "9")
		w.Header().Set("Link", `<`+next+`>; rel="next", <http://`+r.Host+r.URL.Path+"?"+q.Encode()+`>; rel="last"`)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})
	c := newClient(t, &API{Name: "Issues", MaxResponseBytes: 4 << 20}, api, nil)
	params := []Param{
		{Name: "owner", In: "path", Style: "simple", Required: true},
		{Name: "repo", In: "path", Style: "simple", Required: true},
		{Name: "page", In: "query", Style: "form", Explode: true},
		{Name: "per_page", In: "query", Style: "form", Explode: true},
	}
	paging := &Paging{Page: "page", FirstPage: 1, Size: "per_page", InResult: true}
	const limit = 64 << 10
	input := json.RawMessage(`{"type":"object","properties":{"owner":{"type":"string"},"repo":{"type":"string"},"page":{"type":"integer"},"per_page":{"type":"integer"}},"required":["owner","repo"],"additionalProperties":false}`)
	next := `"_next":{"type":"object","properties":{"page":{"type":"integer"},"per_page":{"type":"integer"}}}`
	whole := `{"type":"object","properties":{"result":{"type":"array","items":{"type":"object","properties":{"number":{"type":"integer"},"title":{"type":"string"},"labels":{"type":"array"}},"required":["number","title","labels"]}},` + next + `},"required":["result"]}`
	picked := `{"type":"object","properties":{"result":{"type":"array","items":{"type":"object","properties":{"number":{"type":"integer"},"title":{"type":"string"}},"required":["number","title"],"additionalProperties":false}},` + next + `},"required":["result"],"additionalProperties":false}`

	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v0"}, nil)
	AddTool(s, &mcp.Tool{Name: "list_issues", InputSchema: input, OutputSchema: json.RawMessage(whole)}, c, &Operation{
		Tool: "list_issues", Method: "GET", Path: "/repos/{owner}/{repo}/issues", Params: params,
		WrapOutput: true, OutputSchema: true, Paging: paging, Budget: &Budget{MaxBytes: limit},
	})
	AddTool(s, &mcp.Tool{Name: "list_issue_titles", InputSchema: input, OutputSchema: json.RawMessage(picked)}, c, &Operation{
		Tool: "list_issue_titles", Method: "GET", Path: "/repos/{owner}/{repo}/issues", Params: params,
		WrapOutput: true, OutputSchema: true, Paging: paging,
		Budget: &Budget{MaxBytes: limit, Select: jq.MustCompile(`[.[] | {number, title}]`)},
	})
	srv := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true}))
	t.Cleanup(srv.Close)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })

	for _, tc := range []struct {
		tool, schema string
		wantKeys     []string // of each item
	}{
		{"list_issues", whole, []string{"body", "labels", "number", "state", "title", "url", "user"}},
		{"list_issue_titles", picked, []string{"number", "title"}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tc.tool, Arguments: map[string]any{"owner": "o", "repo": "r", "page": 2}})
			if err != nil {
				t.Fatal(err)
			}
			if res.IsError {
				t.Fatalf("tool error: %s", resultText(res))
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
				var keys []string
				for k := range item {
					keys = append(keys, k)
				}
				if len(keys) != len(tc.wantKeys) || item["number"] != float64(i+1) {
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
			text := resultText(res)
			if want := "items of the list .result were left out. To get them, ask for fewer items at a time, such as per_page: " + strconv.Itoa(len(got.Result)) + "; the next page as given here does not hold them.]"; !strings.Contains(text, want) {
				t.Errorf("text lacks %q:\n%s", want, text[max(0, len(text)-600):])
			}
			if want := `[More results: call ` + tc.tool + ` again with the same arguments and {"page":3}.]`; !strings.HasSuffix(text, want) {
				t.Errorf("text does not end with %q", want)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != "/repos/o/r/issues?page=2" {
		t.Errorf("the API saw %q", seen)
	}
}
