package upstream

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// dynamicServer is an MCP server in dynamic mode for a pet store API with
// many operations, and a record of the calls that reached the API.
func dynamicServer(t *testing.T) (*mcp.ClientSession, func() []string) {
	t.Helper()
	var (
		mu    sync.Mutex
		calls []string
	)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, strings.TrimSpace(r.Method+" "+r.RequestURI+" "+string(body)))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/pets":
			_, _ = io.WriteString(w, `[{"id":1,"name":"Rex"}]`)
		case strings.HasPrefix(r.URL.Path, "/pets/"):
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"no such pet"}`)
		default:
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	})
	c := newClient(t, &API{Name: "Pet Store"}, srv, nil)
	defs, err := ParseDefs([]byte(`{"Pet":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	petSchema, err := defs.Schema(`{"type":"object","properties":{"result":{"type":"array","items":{"$ref":"#/$defs/Pet"}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	entries := []Entry{
		{
			Tool: &mcp.Tool{
				Name: "list_pets", Title: "List pets",
				Description:  "Lists the pets in the store. Supports paging.",
				InputSchema:  json.RawMessage(`{"type":"object","properties":{"limit":{"type":"integer","minimum":1,"default":20}}}`),
				OutputSchema: petSchema,
				Annotations:  &mcp.ToolAnnotations{ReadOnlyHint: true},
			},
			Op: &Operation{Method: "GET", Path: "/pets", Params: []Param{
				{Name: "limit", In: "query", Style: "form", Explode: true},
			}, WrapOutput: true},
			Tags: []string{"pets"},
		},
		{
			Tool: &mcp.Tool{
				Name:        "get_pet",
				Description: "Returns one pet. The pet must exist.",
				InputSchema: json.RawMessage(`{"type":"object","properties":{"petId":{"type":"integer"}},"required":["petId"]}`),
			},
			Op:   &Operation{Method: "GET", Path: "/pets/{petId}", Params: []Param{{Name: "petId", In: "path", Style: "simple", Required: true}}},
			Tags: []string{"pets"},
		},
		{
			Tool: &mcp.Tool{
				Name:        "create_invoice",
				Description: "Bills a customer.",
				InputSchema: json.RawMessage(`{"type":"object","properties":{"body":{"type":"object","properties":{"amount":{"type":"number","exclusiveMinimum":0},"currency":{"type":"string","default":"EUR"}},"required":["amount"]}}}`),
			},
			Op:   &Operation{Method: "POST", Path: "/invoices", Body: &Body{Arg: "body", ContentType: "application/json"}},
			Tags: []string{"billing"},
		},
	}
	for i := range 55 {
		entries = append(entries, Entry{
			Tool: &mcp.Tool{Name: fmt.Sprintf("thing_%02d", i), Description: "Gets a thing.", InputSchema: json.RawMessage(`{"type":"object"}`)},
			Op:   &Operation{Method: "GET", Path: fmt.Sprintf("/things/%d", i)},
			Tags: []string{"things"},
		})
	}
	// A repeated name is ignored.
	entries = append(entries, Entry{Tool: &mcp.Tool{Name: "get_pet", InputSchema: json.RawMessage(`{"type":"object"}`)}, Op: &Operation{Method: "DELETE", Path: "/"}})

	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v0"}, nil)
	AddDynamicTools(s, c, entries)
	return connect(t, s), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(calls)
	}
}

// call calls a tool, failing the test on a protocol error.
func call(t *testing.T, cs *mcp.ClientSession, name, args string) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: json.RawMessage(args)})
	if err != nil {
		t.Fatalf("%s(%s): %v", name, args, err)
	}
	return res
}

func TestDynamicTools(t *testing.T) {
	cs, calls := dynamicServer(t)

	var names []string
	for tool, err := range cs.Tools(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
		if tool.Name == CallOperationTool && tool.Annotations != nil && tool.Annotations.ReadOnlyHint {
			t.Errorf("call_operation is read-only, but create_invoice is not")
		}
	}
	slices.Sort(names)
	if want := []string{"call_operation", "describe_operation", "list_operations", "search_operations"}; !slices.Equal(names, want) {
		t.Errorf("tools %q, want %q", names, want)
	}

	t.Run("list", func(t *testing.T) {
		res := call(t, cs, ListOperationsTool, `{}`)
		lines := strings.Split(resultText(res), "\n")
		if lines[0] != "58 operations; 1 to 50:" {
			t.Errorf("first line %q", lines[0])
		}
		if want := "list_pets: GET /pets — List pets"; lines[1] != want {
			t.Errorf("second line %q, want %q", lines[1], want)
		}
		if want := "get_pet: GET /pets/{petId} — Returns one pet."; lines[2] != want {
			t.Errorf("third line %q, want %q", lines[2], want)
		}
		if last := lines[len(lines)-1]; last != `More: call list_operations again with cursor "50".` {
			t.Errorf("last line %q", last)
		}
		if len(lines) != 52 {
			t.Errorf("%d lines, want 52", len(lines))
		}

		res = call(t, cs, ListOperationsTool, `{"cursor":"50"}`)
		lines = strings.Split(resultText(res), "\n")
		if lines[0] != "58 operations; 51 to 58:" || len(lines) != 9 || lines[8] != "thing_54: GET /things/54 — Gets a thing." {
			t.Errorf("second page:\n%s", resultText(res))
		}

		res = call(t, cs, ListOperationsTool, `{"tag":"PETS"}`)
		if want := "2 operations tagged \"PETS\":\nlist_pets: GET /pets — List pets\nget_pet: GET /pets/{petId} — Returns one pet."; resultText(res) != want {
			t.Errorf("tagged:\n%s\nwant:\n%s", resultText(res), want)
		}

		if res := call(t, cs, ListOperationsTool, `{"cursor":"x"}`); !res.IsError {
			t.Errorf("a bad cursor is accepted: %s", resultText(res))
		}
	})

	t.Run("search", func(t *testing.T) {
		for _, tc := range []struct{ query, first string }{
			{"invoice", "create_invoice: POST /invoices — Bills a customer."},
			{"billing", "create_invoice: POST /invoices — Bills a customer."},
			{"Get Pet", "get_pet: GET /pets/{petId} — Returns one pet."},
			{"pets paging", "list_pets: GET /pets — List pets"},
		} {
			res := call(t, cs, SearchOperationsTool, fmt.Sprintf(`{"query":%q}`, tc.query))
			lines := strings.Split(resultText(res), "\n")
			if len(lines) < 2 || lines[1] != tc.first {
				t.Errorf("search %q:\n%s\nwant first %q", tc.query, resultText(res), tc.first)
			}
		}
		res := call(t, cs, SearchOperationsTool, `{"query":"zebra"}`)
		if res.IsError || !strings.Contains(resultText(res), `No operation matches "zebra"`) {
			t.Errorf("no match: %s", resultText(res))
		}
		res = call(t, cs, SearchOperationsTool, `{"query":"thing"}`)
		if !strings.HasPrefix(resultText(res), `55 operations matching "thing"; 1 to 20:`) || !strings.Contains(resultText(res), `cursor "20"`) {
			t.Errorf("paged search:\n%s", resultText(res))
		}
	})

	t.Run("describe", func(t *testing.T) {
		res := call(t, cs, DescribeOperationTool, `{"name":"list_pets"}`)
		if res.IsError {
			t.Fatal(resultText(res))
		}
		var desc struct {
			Name, Method, Path string
			Tags               []string
			InputSchema        map[string]any `json:"inputSchema"`
			OutputSchema       map[string]any `json:"outputSchema"`
		}
		if err := json.Unmarshal([]byte(resultText(res)), &desc); err != nil {
			t.Fatal(err)
		}
		if desc.Name != "list_pets" || desc.Method != "GET" || desc.Path != "/pets" || !slices.Equal(desc.Tags, []string{"pets"}) {
			t.Errorf("description %+v", desc)
		}
		if desc.InputSchema["properties"] == nil || desc.OutputSchema["$defs"] == nil {
			t.Errorf("schemas %v and %v, want the input schema and the output schema with its definitions", desc.InputSchema, desc.OutputSchema)
		}
		if res := call(t, cs, DescribeOperationTool, `{"name":"nope"}`); !res.IsError || !strings.Contains(resultText(res), `no operation named "nope"`) {
			t.Errorf("unknown operation: %s", resultText(res))
		}
	})

	t.Run("call", func(t *testing.T) {
		before := len(calls())
		res := call(t, cs, CallOperationTool, `{"name":"list_pets","arguments":{}}`)
		if res.IsError || structured(t, res) != `{"result":[{"id":1,"name":"Rex"}]}` {
			t.Errorf("list_pets: %s %s", resultText(res), structured(t, res))
		}
		res = call(t, cs, CallOperationTool, `{"name":"create_invoice","arguments":{"body":{"amount":12.5}}}`)
		if res.IsError || structured(t, res) != `{"ok":true}` {
			t.Errorf("create_invoice: %s", resultText(res))
		}
		res = call(t, cs, CallOperationTool, `{"name":"get_pet","arguments":{"petId":7}}`)
		if want := "Pet Store answered 404 Not Found to GET /pets/{petId}: no such pet"; !res.IsError || resultText(res) != want {
			t.Errorf("get_pet: %q, want %q", resultText(res), want)
		}
		got := calls()[before:]
		// Defaults are applied as the SDK applies them to a tool's own
		// arguments: the limit, and the currency of the body. (The SDK
		// does not look into required properties for defaults, so neither
		// does call_operation; body is optional here for that reason.)
		want := []string{"GET /pets?limit=20", `POST /invoices {"amount":12.5,"currency":"EUR"}`, "GET /pets/7"}
		if !slices.Equal(got, want) {
			t.Errorf("calls %q, want %q", got, want)
		}
	})

	t.Run("bad arguments", func(t *testing.T) {
		before := len(calls())
		for _, tc := range []struct{ args, field string }{
			{`{"name":"get_pet","arguments":{"petId":"seven"}}`, "petId"},
			{`{"name":"get_pet","arguments":{}}`, "petId"},
			{`{"name":"get_pet"}`, "petId"},
			{`{"name":"list_pets","arguments":{"limit":0}}`, "limit"},
			{`{"name":"create_invoice","arguments":{"body":{"amount":-1}}}`, "amount"},
			{`{"name":"create_invoice","arguments":{"body":{"currency":"USD"}}}`, "amount"},
		} {
			res := call(t, cs, CallOperationTool, tc.args)
			if !res.IsError || !strings.Contains(resultText(res), tc.field) || !strings.Contains(resultText(res), "invalid arguments") {
				t.Errorf("%s: %q (IsError %v), want a tool error naming %s", tc.args, resultText(res), res.IsError, tc.field)
			}
		}
		if res := call(t, cs, CallOperationTool, `{"name":"nope","arguments":{}}`); !res.IsError {
			t.Errorf("an unknown operation was called: %s", resultText(res))
		}
		// The arguments of call_operation itself are checked by the SDK.
		if res := call(t, cs, CallOperationTool, `{"arguments":{}}`); !res.IsError {
			t.Errorf("call_operation without a name: %s", resultText(res))
		}
		if got := calls()[before:]; len(got) != 0 {
			t.Errorf("invalid arguments reached the API: %q", got)
		}
	})
}

// TestDynamicMatchesStatic serves one operation both as a tool of its own
// and through call_operation, and checks that the same arguments are
// refused, or sent, the same way.
func TestDynamicMatchesStatic(t *testing.T) {
	var (
		mu   sync.Mutex
		last string
	)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = r.RequestURI + " " + string(body)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	c := newClient(t, &API{Name: "test"}, srv, nil)
	schema := json.RawMessage(`{"type":"object","properties":{
		"q":{"type":"string","default":"all"},
		"n":{"type":"integer","minimum":1,"maximum":10,"default":5},
		"mode":{"enum":["a","b"]},
		"body":{"type":"object","properties":{"x":{"type":"boolean","default":true},"y":{"type":"array","items":{"type":"string"}}},"additionalProperties":false},
		"req":{"type":"object","properties":{"z":{"type":"string","default":"zz"}}}
	},"required":["req"],"additionalProperties":false}`)
	op := &Operation{Method: "POST", Path: "/x", Params: []Param{
		{Name: "q", In: "query", Style: "form", Explode: true},
		{Name: "n", In: "query", Style: "form", Explode: true},
		{Name: "mode", In: "query", Style: "form", Explode: true},
		{Name: "req", In: "query", Style: "deepObject", Explode: true, Required: true},
	}, Body: &Body{Arg: "body", ContentType: "application/json"}}
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v0"}, nil)
	AddTool(s, &mcp.Tool{Name: "op", InputSchema: schema}, c, op)
	AddDynamicTools(s, c, []Entry{{Tool: &mcp.Tool{Name: "op", InputSchema: schema}, Op: op}})
	cs := connect(t, s)

	sent := func() string {
		mu.Lock()
		defer mu.Unlock()
		s := last
		last = ""
		return s
	}
	var ok, refused int
	for _, args := range []string{
		`{"req":{}}`,
		`{"req":{"z":"1"},"q":"x y","n":10,"mode":"b","body":{"y":["p","q"]}}`,
		`{"req":{},"body":{}}`,
		`{"req":{},"n":0}`,
		`{"req":{},"n":2.5}`,
		`{"req":{},"mode":"c"}`,
		`{"req":{},"body":{"w":1}}`,
		`{"req":{},"extra":1}`,
		`{"req":"x"}`,
		`{}`,
	} {
		static := call(t, cs, "op", args)
		staticSent := sent()
		dynamic := call(t, cs, CallOperationTool, `{"name":"op","arguments":`+args+`}`)
		dynamicSent := sent()
		if static.IsError != dynamic.IsError || staticSent != dynamicSent {
			t.Errorf("%s:\n static: error %v, sent %q (%s)\ndynamic: error %v, sent %q (%s)",
				args, static.IsError, staticSent, resultText(static), dynamic.IsError, dynamicSent, resultText(dynamic))
		}
		if static.IsError {
			refused++
		} else {
			ok++
		}
	}
	if ok != 3 || refused != 7 {
		t.Errorf("%d calls made and %d refused, want 3 and 7", ok, refused)
	}
}
