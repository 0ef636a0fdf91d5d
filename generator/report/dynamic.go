package report

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/generator/ir"
)

// MaxOperationBytes is the size of one operation's description past which
// the report advises trimming it: describe_operation returns it whole, so
// every call of the operation costs the model that much context first.
const MaxOperationBytes = MaxToolsBytes / 4

// Operations are the API's operations that a server in dynamic mode
// serves through its four tools rather than lists.
type Operations struct {
	Count int `json:"count"`
	// Bytes is their size as tools, what the tools/list of the same server
	// in static mode would be.
	Bytes int `json:"bytes"`
	// Tokens is Bytes / BytesPerToken, an estimate.
	Tokens int `json:"tokens"`
	// Largest are the largest operations by the size of what
	// describe_operation returns for them, largest first.
	Largest []ToolSize `json:"largest"`
}

// served reports whether t is one of the operations that the dynamic
// tools serve: a tool of the API without a handler of the user's, which
// stays a tool of its own.
func served(p *ir.Project, t *ir.Tool) bool {
	return p.API != nil && p.API.Dynamic && !t.HasHandler()
}

// dynamicTools are the four tools that upstream.AddDynamicTools registers
// for the operations ops of p, as the running server lists them; the
// report sizes them as it sizes any other listed tool. The runtime is
// another module, so this mirrors it rather than calling it;
// TestReportToolsListSize in cmd/mcpgen compares the result with a running
// server's tools/list.
func dynamicTools(p *ir.Project, ops []*ir.Tool) []*mcp.Tool {
	// The generated code names the API by its title, or the server's name.
	name := p.API.Title
	if name == "" {
		name = p.Name
	}
	if name == "" || name == "the API" {
		name = "this server's API"
	}
	readOnly := &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(bool)}
	const cursor = `"cursor":{"type":"string","description":"Where to continue: the cursor the previous page gave."}`
	return []*mcp.Tool{{
		Name:        "list_operations",
		Title:       "List operations",
		Description: fmt.Sprintf("Lists the operations of %s, a line each: name, HTTP method and path, summary. Call describe_operation for an operation's arguments, and call_operation to call it.", name),
		InputSchema: json.RawMessage(`{"type":"object","properties":{` +
			`"tag":{"type":"string","description":"Only operations with this tag."},` + cursor + `},` +
			`"additionalProperties":false}`),
		Annotations: readOnly,
	}, {
		Name:        "search_operations",
		Title:       "Search operations",
		Description: fmt.Sprintf("Finds the operations of %s whose name, summary, tags or path contain the words of a query, best matches first.", name),
		InputSchema: json.RawMessage(`{"type":"object","properties":{` +
			`"query":{"type":"string","description":"Words to look for, such as \"create invoice\"."},` + cursor + `},` +
			`"required":["query"],"additionalProperties":false}`),
		Annotations: readOnly,
	}, {
		Name:        "describe_operation",
		Title:       "Describe an operation",
		Description: fmt.Sprintf("Describes an operation of %s: what it does, its HTTP method and path, the JSON Schema of its arguments (for call_operation) and of its result.", name),
		InputSchema: json.RawMessage(`{"type":"object","properties":{` +
			`"name":{"type":"string","description":"The operation's name, as list_operations and search_operations give it."}},` +
			`"required":["name"],"additionalProperties":false}`),
		Annotations: readOnly,
	}, {
		Name:        "call_operation",
		Title:       "Call an operation",
		Description: fmt.Sprintf("Calls an operation of %s with arguments that follow its input schema (see describe_operation), and returns its result.", name),
		InputSchema: json.RawMessage(`{"type":"object","properties":{` +
			`"name":{"type":"string","description":"The operation's name."},` +
			`"arguments":{"type":"object","description":"The operation's arguments, as its input schema describes them."}},` +
			`"required":["name"],"additionalProperties":false}`),
		Annotations: callAnnotations(ops),
	}}
}

// callAnnotations are call_operation's: read-only when every operation is.
func callAnnotations(ops []*ir.Tool) *mcp.ToolAnnotations {
	if len(ops) == 0 {
		return nil
	}
	for _, t := range ops {
		if a := t.Annotations; a == nil || a.ReadOnlyHint == nil || !*a.ReadOnlyHint {
			return nil
		}
	}
	return &mcp.ToolAnnotations{ReadOnlyHint: true}
}

// opSizes are the sizes of t as a tool in tools/list and as
// describe_operation's result, from one encoding of its definition. The
// result holds the tool's members and the HTTP method, path and tags, and
// the runtime writes it without HTML escaping; the go-sdk marshals a tool
// with it, which writes each '<', '>' and '&' (found only in strings) as
// six bytes rather than one. Encoding each of a large API's definitions
// once rather than twice saves a good part of a dynamic generation's time.
func opSizes(defs *defIndex, t *ir.Tool) (listed, described int) {
	b := encodeRaw(sdkTool(defs, t))
	if b == nil {
		n := toolBytes(defs, t)
		return n, n
	}
	html := bytes.Count(b, []byte("<")) + bytes.Count(b, []byte(">")) + bytes.Count(b, []byte("&"))
	listed = len(b) + 5*html
	described = len(b) + len(`,"method":`) + len(encodeRaw(t.Op.Method)) + len(`,"path":`) + len(encodeRaw(t.Op.Path))
	if len(t.Op.Tags) > 0 {
		described += len(`,"tags":`) + len(encodeRaw(t.Op.Tags))
	}
	return listed, described
}

// encodeRaw is v's JSON without HTML escaping, or nil.
func encodeRaw(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
