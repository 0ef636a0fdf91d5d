package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// An Entry is one operation served in dynamic mode: the tool it would be
// on its own (its name, description, schemas and annotations), the
// operation, and the operation's tags, for searching.
type Entry struct {
	Tool *mcp.Tool
	Op   *Operation
	Tags []string
}

// The tools of dynamic mode.
const (
	ListOperationsTool    = "list_operations"
	SearchOperationsTool  = "search_operations"
	DescribeOperationTool = "describe_operation"
	CallOperationTool     = "call_operation"
)

// Page sizes of list_operations and search_operations.
const (
	listPageSize   = 50
	searchPageSize = 20
)

// AddDynamicTools serves the operations of entries through four tools,
// for APIs with too many operations for a tool each:
//
//   - list_operations lists them, a short line each, a page at a time,
//     optionally only those with a tag;
//   - search_operations finds them by words of their name, summary,
//     description, tags, method and path, best matches first;
//   - describe_operation gives one operation's description, annotations,
//     input schema and output schema;
//   - call_operation calls one, with an arguments object.
//
// call_operation validates the arguments against the operation's input
// schema, and fills in its defaults, as [mcp.AddTool] does for a tool of
// its own (with the same JSON Schema implementation); invalid arguments
// are a tool error that names the offending field. Resolved schemas are
// kept for later calls.
//
// An entry whose tool name repeats an earlier one is ignored.
func AddDynamicTools(s *mcp.Server, c *Client, entries []Entry) {
	cat := newCatalog(c, entries)
	name := apiName(c.api)
	if name == "the API" {
		name = "this server's API"
	}

	mcp.AddTool(s, &mcp.Tool{
		Name:        ListOperationsTool,
		Title:       "List operations",
		Description: fmt.Sprintf("Lists the operations of %s, a line each: name, HTTP method and path, summary. Call describe_operation for an operation's arguments, and call_operation to call it.", name),
		InputSchema: json.RawMessage(`{"type":"object","properties":{` +
			`"tag":{"type":"string","description":"Only operations with this tag."},` +
			`"cursor":{"type":"string","description":"Where to continue: the cursor the previous page gave."}},` +
			`"additionalProperties":false}`),
		Annotations: readOnly(),
	}, cat.list)

	mcp.AddTool(s, &mcp.Tool{
		Name:        SearchOperationsTool,
		Title:       "Search operations",
		Description: fmt.Sprintf("Finds the operations of %s whose name, summary, tags or path contain the words of a query, best matches first.", name),
		InputSchema: json.RawMessage(`{"type":"object","properties":{` +
			`"query":{"type":"string","description":"Words to look for, such as \"create invoice\"."},` +
			`"cursor":{"type":"string","description":"Where to continue: the cursor the previous page gave."}},` +
			`"required":["query"],"additionalProperties":false}`),
		Annotations: readOnly(),
	}, cat.search)

	mcp.AddTool(s, &mcp.Tool{
		Name:        DescribeOperationTool,
		Title:       "Describe an operation",
		Description: fmt.Sprintf("Describes an operation of %s: what it does, its HTTP method and path, the JSON Schema of its arguments (for call_operation) and of its result.", name),
		InputSchema: json.RawMessage(`{"type":"object","properties":{` +
			`"name":{"type":"string","description":"The operation's name, as list_operations and search_operations give it."}},` +
			`"required":["name"],"additionalProperties":false}`),
		Annotations: readOnly(),
	}, cat.describe)

	mcp.AddTool(s, &mcp.Tool{
		Name:        CallOperationTool,
		Title:       "Call an operation",
		Description: fmt.Sprintf("Calls an operation of %s with arguments that follow its input schema (see describe_operation), and returns its result.", name),
		InputSchema: json.RawMessage(`{"type":"object","properties":{` +
			`"name":{"type":"string","description":"The operation's name."},` +
			`"arguments":{"type":"object","description":"The operation's arguments, as its input schema describes them."}},` +
			`"required":["name"],"additionalProperties":false}`),
		Annotations: cat.callAnnotations(),
	}, cat.call)
}

func readOnly() *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(bool)}
}

// catalog is the operations of dynamic mode.
type catalog struct {
	c       *Client
	entries []*entry
	byName  map[string]*entry
}

// entry is an Entry with what searching needs.
type entry struct {
	Entry
	summary string
	// The lower-case text that search looks in, by weight.
	name, where, text string

	once     sync.Once
	resolved *jsonschema.Resolved
	err      error
}

func newCatalog(c *Client, entries []Entry) *catalog {
	cat := &catalog{c: c, byName: make(map[string]*entry, len(entries))}
	for _, e := range entries {
		if e.Tool == nil || e.Op == nil {
			continue
		}
		if _, dup := cat.byName[e.Tool.Name]; dup {
			continue
		}
		ent := &entry{
			Entry:   e,
			summary: summary(e.Tool),
			name:    strings.ToLower(e.Tool.Name),
			where:   strings.ToLower(e.Op.Method + " " + e.Op.Path + " " + strings.Join(e.Tags, " ")),
			text:    strings.ToLower(e.Tool.Title + " " + e.Tool.Description),
		}
		cat.entries = append(cat.entries, ent)
		cat.byName[e.Tool.Name] = ent
	}
	return cat
}

// summary is a tool's title, or the first sentence of its description, cut
// short.
func summary(t *mcp.Tool) string {
	s := t.Title
	if s == "" && t.Annotations != nil {
		s = t.Annotations.Title
	}
	if s == "" {
		s = strings.Join(strings.Fields(t.Description), " ")
		if i := strings.Index(s, ". "); i >= 0 {
			s = s[:i+1]
		}
	}
	const max = 100
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimSpace(s[:cut]) + "…"
	}
	return s
}

// callAnnotations are call_operation's: read-only when every operation is.
func (cat *catalog) callAnnotations() *mcp.ToolAnnotations {
	for _, e := range cat.entries {
		if a := e.Tool.Annotations; a == nil || !a.ReadOnlyHint {
			return nil
		}
	}
	if len(cat.entries) == 0 {
		return nil
	}
	return &mcp.ToolAnnotations{ReadOnlyHint: true}
}

type listArgs struct {
	Tag    string `json:"tag"`
	Cursor string `json:"cursor"`
}

func (cat *catalog) list(_ context.Context, _ *mcp.CallToolRequest, in listArgs) (*mcp.CallToolResult, any, error) {
	var picked []*entry
	for _, e := range cat.entries {
		if in.Tag == "" || slices.ContainsFunc(e.Tags, func(t string) bool { return strings.EqualFold(t, in.Tag) }) {
			picked = append(picked, e)
		}
	}
	what := "operations"
	if in.Tag != "" {
		what = fmt.Sprintf("operations tagged %q", in.Tag)
	}
	return cat.page(picked, what, ListOperationsTool, in.Cursor, listPageSize)
}

type searchArgs struct {
	Query  string `json:"query"`
	Cursor string `json:"cursor"`
}

func (cat *catalog) search(_ context.Context, _ *mcp.CallToolRequest, in searchArgs) (*mcp.CallToolResult, any, error) {
	words := strings.Fields(strings.ToLower(in.Query))
	if len(words) == 0 {
		return errorResult("the query has no words to look for"), nil, nil
	}
	type hit struct {
		e            *entry
		words, score int
	}
	var hits []hit
	for _, e := range cat.entries {
		h := hit{e: e}
		for _, w := range words {
			weight := 0
			switch {
			case strings.Contains(e.name, w):
				weight = 3
			case strings.Contains(e.where, w):
				weight = 2
			case strings.Contains(e.text, w):
				weight = 1
			}
			if weight > 0 {
				h.words++
				h.score += weight
			}
		}
		if h.words > 0 {
			hits = append(hits, h)
		}
	}
	// Operations with more of the words first, then those where the words
	// weigh more; the order is stable, so ties keep the API's order.
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.words != b.words {
			return b.words - a.words
		}
		return b.score - a.score
	})
	picked := make([]*entry, len(hits))
	for i, h := range hits {
		picked[i] = h.e
	}
	if len(picked) == 0 {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{
			Text: fmt.Sprintf("No operation matches %q; list_operations lists them all.", in.Query),
		}}}, nil, nil
	}
	return cat.page(picked, fmt.Sprintf("operations matching %q", in.Query), SearchOperationsTool, in.Cursor, searchPageSize)
}

// page is the result of list and search: one page of operations, a line
// each, and the cursor of the next page.
func (cat *catalog) page(all []*entry, what, tool, cursor string, size int) (*mcp.CallToolResult, any, error) {
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 || n > len(all) {
			return errorResult(fmt.Sprintf("the cursor %q is not one that %s gave; leave it out to start from the first page", cursor, tool)), nil, nil
		}
		start = n
	}
	end := min(start+size, len(all))
	var b strings.Builder
	switch {
	case len(all) == 0:
		fmt.Fprintf(&b, "There are no %s.\n", what)
	case start == 0 && end == len(all):
		fmt.Fprintf(&b, "%d %s:\n", len(all), what)
	default:
		fmt.Fprintf(&b, "%d %s; %d to %d:\n", len(all), what, start+1, end)
	}
	for _, e := range all[start:end] {
		fmt.Fprintf(&b, "%s: %s %s", e.Tool.Name, e.Op.Method, e.Op.Path)
		if e.summary != "" {
			fmt.Fprintf(&b, " — %s", e.summary)
		}
		b.WriteByte('\n')
	}
	if end < len(all) {
		fmt.Fprintf(&b, "More: call %s again with cursor %q.\n", tool, strconv.Itoa(end))
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: strings.TrimSuffix(b.String(), "\n")}}}, nil, nil
}

type describeArgs struct {
	Name string `json:"name"`
}

func (cat *catalog) describe(_ context.Context, _ *mcp.CallToolRequest, in describeArgs) (*mcp.CallToolResult, any, error) {
	e, ok := cat.byName[in.Name]
	if !ok {
		return cat.unknown(in.Name), nil, nil
	}
	desc := struct {
		Name         string               `json:"name"`
		Title        string               `json:"title,omitempty"`
		Description  string               `json:"description,omitempty"`
		Method       string               `json:"method"`
		Path         string               `json:"path"`
		Tags         []string             `json:"tags,omitempty"`
		Annotations  *mcp.ToolAnnotations `json:"annotations,omitempty"`
		InputSchema  any                  `json:"inputSchema"`
		OutputSchema any                  `json:"outputSchema,omitempty"`
	}{
		Name:         e.Tool.Name,
		Title:        e.Tool.Title,
		Description:  e.Tool.Description,
		Method:       e.Op.Method,
		Path:         e.Op.Path,
		Tags:         e.Tags,
		Annotations:  e.Tool.Annotations,
		InputSchema:  e.Tool.InputSchema,
		OutputSchema: e.Tool.OutputSchema,
	}
	if desc.InputSchema == nil {
		desc.InputSchema = json.RawMessage(`{"type":"object"}`)
	}
	data, err := jsonText(desc)
	if err != nil {
		return errorResult(fmt.Sprintf("describing %s: %v", in.Name, err)), nil, nil
	}
	return &mcp.CallToolResult{
		Content:           []mcp.Content{&mcp.TextContent{Text: data}},
		StructuredContent: json.RawMessage(data),
	}, nil, nil
}

type callArgs struct {
	Name      string         `json:"name"`
	Arguments map[string]any `json:"arguments"`
}

func (cat *catalog) call(ctx context.Context, req *mcp.CallToolRequest, in callArgs) (*mcp.CallToolResult, any, error) {
	e, ok := cat.byName[in.Name]
	if !ok {
		return cat.unknown(in.Name), nil, nil
	}
	resolved, err := e.schema()
	if err != nil {
		return errorResult(fmt.Sprintf("the input schema of %s cannot be used: %v", in.Name, err)), nil, nil
	}
	// As the SDK validates the arguments of a tool: defaults first, then
	// validation of the result.
	var args any = in.Arguments
	if in.Arguments == nil {
		args = map[string]any{}
	}
	if err := resolved.ApplyDefaults(&args); err != nil {
		return errorResult(fmt.Sprintf("invalid arguments for %s: %v", in.Name, err)), nil, nil
	}
	if err := resolved.Validate(&args); err != nil {
		return errorResult(fmt.Sprintf("invalid arguments for %s: %v (describe_operation gives its input schema)", in.Name, err)), nil, nil
	}
	res, err := cat.c.Call(withRequest(ctx, req), e.Op, args.(map[string]any))
	return res, nil, err
}

// schema is the entry's input schema, resolved once.
func (e *entry) schema() (*jsonschema.Resolved, error) {
	e.once.Do(func() {
		var s *jsonschema.Schema
		switch in := e.Tool.InputSchema.(type) {
		case *jsonschema.Schema:
			s = in
		case nil:
			s = &jsonschema.Schema{Type: "object"}
		default:
			data, err := json.Marshal(in)
			if err == nil {
				err = json.Unmarshal(data, &s)
			}
			if err != nil {
				e.err = err
				return
			}
		}
		e.resolved, e.err = s.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	})
	return e.resolved, e.err
}

// unknown is the error for an operation name that is not in the catalog.
func (cat *catalog) unknown(name string) *mcp.CallToolResult {
	return errorResult(fmt.Sprintf("there is no operation named %q; search_operations finds operations by words, list_operations lists them all", name))
}
