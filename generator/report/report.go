// Package report describes what a generation made: the tools, the
// operations of an OpenAPI document that were left out and why, the
// warnings by kind, and the size of the server's tools/list; and, on
// regeneration, how the tool surface changed for a client, each change
// marked breaking or not.
//
// The surface of the previous generation comes from the project itself,
// with no need for the old document: every generation records it in
// mcpgen.surface.yaml (SurfaceFile). That file starts with the generated-
// code header in YAML's comment syntax, so package write owns it as it
// owns the *_gen.go files: rewritten on every run, checked by --check,
// never mistaken for the user's. Its body is JSON (which YAML reads too),
// a tool a line, so a change of the surface shows in a code review. Parsing
// the surface back out of the generated Go (schema constants spread over
// tools_gen.go and api_gen.go, literals factored into helper calls) would
// tie the diff to the emitter's layout; a JSON file with a marker key would
// not carry the header that package write decides ownership by.
//
// A Report is plain data with JSON tags: `mcpgen new|generate --report=json`
// prints it as is, and schemas/report.schema.json describes it.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/ir"
)

// Thresholds above which the report advises fewer tools: past them, most
// clients truncate the list or spend a large part of the model's context
// on it.
const (
	MaxTools      = 80
	MaxToolsBytes = 100 * 1000
)

// BytesPerToken is the estimate of tokens: JSON of English text and
// schema keywords runs at about four bytes a token with the common
// tokenizers.
const BytesPerToken = 4

// shown is how many left-out operations and large tools the text lists.
const shown = 5

// Report is the summary of one generation.
type Report struct {
	Server string `json:"server"`
	// Tools counts the tools the server lists.
	Tools Counts `json:"tools"`
	// LeftOut are the operations of the OpenAPI document that are not
	// tools because of a defect, in document order.
	LeftOut []LeftOut `json:"leftOut"`
	// Warnings counts the generation's warnings by kind.
	Warnings []Kind `json:"warnings"`
	// ToolsList is the size of the tools/list result.
	ToolsList Size `json:"toolsList"`
	// Largest are the largest tools in tools/list, largest first.
	Largest []ToolSize `json:"largest"`
	// Operations, in dynamic mode, are the operations served through the
	// dynamic tools, which tools/list does not show.
	Operations *Operations `json:"operations,omitempty"`
	// Advice, if set, says how to make what the model reads smaller.
	Advice string `json:"advice,omitempty"`
	// Fallbacks, if set, are where a quicker path of mcpgen's declined and
	// the library's own was taken (see generator.Options.Exact).
	Fallbacks *Fallbacks `json:"fallbacks,omitempty"`
	// Changes are the tool-surface changes since the previous generation;
	// null when there is no previous surface to compare with.
	Changes []Change `json:"changes"`
	// Breaking counts the breaking Changes.
	Breaking int `json:"breaking"`
}

// Fallbacks are where the generation took a library's path instead of
// mcpgen's quicker one: the output is the same, more slowly, and each says
// where a quicker path falls short.
type Fallbacks struct {
	// Declined are the JSON pointers of the OpenAPI document's entries
	// that the loader's typed decoder left to kin-openapi.
	Declined []string `json:"declined,omitempty"`
	// BuiltWhole are the generated files built and formatted whole.
	BuiltWhole []string `json:"builtWhole,omitempty"`
}

// Counts are the tools by origin.
type Counts struct {
	Total    int `json:"total"`
	Manifest int `json:"manifest"`
	API      int `json:"api"`
	// Spec is the OpenAPI document's path, if any.
	Spec string `json:"spec,omitempty"`
	// Dynamic is set when the API's operations are served by the dynamic
	// tools rather than listed one tool each; the tool list then holds
	// those four tools, and Report.Operations the operations.
	Dynamic bool `json:"dynamic,omitempty"`
}

// LeftOut is an operation that is not a tool, and why.
type LeftOut struct {
	Operation string `json:"operation"`
	Reason    string `json:"reason"`
	// Position is where the defect is ("api.yaml:13:11").
	Position string `json:"position,omitempty"`
}

// Kind is a number of warnings of one kind.
type Kind struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// Size is the size of the tool list.
type Size struct {
	Bytes int `json:"bytes"`
	// Tokens is Bytes / BytesPerToken, an estimate.
	Tokens int `json:"tokens"`
	// Estimate says how Tokens was estimated.
	Estimate string `json:"estimate"`
}

// ToolSize is one tool's share of tools/list.
type ToolSize struct {
	Name  string `json:"name"`
	Bytes int    `json:"bytes"`
}

// New summarises the generation of p, whose diagnostics were diags.
func New(p *ir.Project, diags diag.List) *Report {
	r := &Report{Server: p.Name, LeftOut: []LeftOut{}, Warnings: []Kind{}, Largest: []ToolSize{}}
	r.Tools.Total = len(p.Tools)
	if p.API != nil {
		r.Tools.Spec, r.Tools.Dynamic = p.API.Spec, p.API.Dynamic
	}
	var sizes []ToolSize
	defs := newDefIndex(p)
	var ops []*ir.Tool // served by the dynamic tools, not listed
	for _, t := range p.Tools {
		if t.Op != nil {
			r.Tools.API++
		} else {
			r.Tools.Manifest++
		}
		if served(p, t) {
			ops = append(ops, t)
			continue
		}
		n := toolBytes(defs, t)
		sizes = append(sizes, ToolSize{Name: t.Name, Bytes: n})
		r.ToolsList.Bytes += n
	}
	if r.Tools.Dynamic {
		for _, tool := range dynamicTools(p, ops) {
			b, _ := json.Marshal(tool) // literal schemas: cannot fail
			sizes = append(sizes, ToolSize{Name: tool.Name, Bytes: len(b)})
			r.ToolsList.Bytes += len(b)
		}
		r.Operations = operations(defs, ops)
	}
	if len(sizes) > 1 {
		// The tools are the elements of one JSON array: a comma between each.
		r.ToolsList.Bytes += len(sizes) - 1
	}
	r.ToolsList.Tokens = tokens(r.ToolsList.Bytes)
	r.ToolsList.Estimate = fmt.Sprintf("bytes/%d", BytesPerToken)
	sort.SliceStable(sizes, func(i, j int) bool { return sizes[i].Bytes > sizes[j].Bytes })
	r.Largest = append(r.Largest, sizes[:min(shown, len(sizes))]...)

	counts := map[string]int{}
	for _, d := range diags.Warnings() {
		kind := warningKind(d.Msg)
		counts[kind]++
		if kind == "operation left out" {
			op, reason := leftOut(d.Msg)
			r.LeftOut = append(r.LeftOut, LeftOut{Operation: op, Reason: reason, Position: d.Pos.String()})
		}
	}
	for k, n := range counts {
		r.Warnings = append(r.Warnings, Kind{Kind: k, Count: n})
	}
	sort.Slice(r.Warnings, func(i, j int) bool {
		if r.Warnings[i].Count != r.Warnings[j].Count {
			return r.Warnings[i].Count > r.Warnings[j].Count
		}
		return r.Warnings[i].Kind < r.Warnings[j].Kind
	})

	r.Advice = advice(p, r, len(sizes))
	return r
}

// operations sizes the operations that the dynamic tools serve.
func operations(defs *defIndex, ops []*ir.Tool) *Operations {
	o := &Operations{Count: len(ops), Largest: []ToolSize{}}
	var sizes []ToolSize
	for _, t := range ops {
		listed, described := opSizes(defs, t)
		o.Bytes += listed
		sizes = append(sizes, ToolSize{Name: t.Name, Bytes: described})
	}
	if len(ops) > 1 {
		o.Bytes += len(ops) - 1
	}
	o.Tokens = tokens(o.Bytes)
	sort.SliceStable(sizes, func(i, j int) bool { return sizes[i].Bytes > sizes[j].Bytes })
	o.Largest = append(o.Largest, sizes[:min(shown, len(sizes))]...)
	return o
}

// advice says how to make what the model reads smaller, if it should be:
// in static mode the tool list; in dynamic mode the tools listed beside
// the dynamic ones, and the largest operations, which describe_operation
// gives whole. Dynamic mode costs a search and a description before each
// call, so for operations that would fit in the list it advises static.
func advice(p *ir.Project, r *Report, listed int) string {
	var parts []string
	if listed > MaxTools || r.ToolsList.Bytes > MaxToolsBytes {
		s := fmt.Sprintf("%d tools in %s bytes is more than most clients handle well (%d tools, %s bytes); ", listed, thousands(r.ToolsList.Bytes), MaxTools, thousands(MaxToolsBytes))
		if p.API != nil && !p.API.Dynamic {
			s += "keep the operations you need with openapi: include/exclude in mcpgen.yaml, or serve them all through four tools with --mode dynamic (openapi: {mode: dynamic})"
		} else {
			s += "consider fewer tools, or shorter descriptions and schemas"
		}
		parts = append(parts, s)
	}
	if o := r.Operations; o != nil {
		if o.Count > 0 && listed-4+o.Count <= MaxTools && r.ToolsList.Bytes+o.Bytes <= MaxToolsBytes {
			parts = append(parts, fmt.Sprintf("the %d operation%s would fit in tools/list as tools of their own (%s bytes); static mode (openapi: {mode: static}) spares the model a search and a description before each call", o.Count, plural(o.Count), thousands(o.Bytes)))
		}
		if len(o.Largest) > 0 && o.Largest[0].Bytes > MaxOperationBytes {
			n := 0
			for _, t := range o.Largest {
				if t.Bytes > MaxOperationBytes {
					n++
				}
			}
			more := ""
			if n == len(o.Largest) {
				more = " or more"
			}
			parts = append(parts, fmt.Sprintf("describe_operation returns more than %s bytes for %d%s operation%s (%s: %s bytes); exclude what the model does not need (openapi: exclude, or an override with exclude: true), or shorten its description", thousands(MaxOperationBytes), n, more, plural(n), o.Largest[0].Name, thousands(o.Largest[0].Bytes)))
		}
	}
	return strings.Join(parts, "; ")
}

// tokens estimates the tokens of n bytes.
func tokens(n int) int { return (n + BytesPerToken - 1) / BytesPerToken }

// SetChanges records the surface changes since the previous generation.
func (r *Report) SetChanges(changes []Change) {
	r.Changes = changes
	r.Breaking = Breaking(changes)
}

// warningKind sorts a warning into a few kinds, by the wording the
// generator's stages use.
func warningKind(msg string) string {
	switch {
	case strings.HasPrefix(msg, "operation ") && strings.Contains(msg, " is left out: "):
		return "operation left out"
	case strings.HasPrefix(msg, "invalid "):
		return "document validation"
	case strings.HasPrefix(msg, "unknown field "):
		return "unknown field"
	case strings.Contains(msg, "filter matches no operation"), strings.HasPrefix(msg, "the override of "):
		return "filter"
	case strings.Contains(msg, "no output schema"):
		return "no output schema"
	case strings.Contains(msg, " left out"), strings.Contains(msg, " replaces "), strings.Contains(msg, " is ignored"):
		return "schema weakened"
	}
	return "other"
}

// leftOut splits "operation X is left out: reason".
func leftOut(msg string) (op, reason string) {
	head, reason, _ := strings.Cut(msg, " is left out: ")
	return strings.TrimPrefix(head, "operation "), reason
}

// toolBytes is the size of t's entry in tools/list: the JSON of the
// mcp.Tool the generated server registers, as the go-sdk marshals it.
func toolBytes(defs *defIndex, t *ir.Tool) int {
	b, err := json.Marshal(sdkTool(defs, t))
	if err != nil {
		// Not reached for schemas the IR checked; count the raw text.
		return len(t.Name) + len(t.Description) + len(t.InputSchema) + len(t.OutputSchema)
	}
	return len(b)
}

// sdkTool is the mcp.Tool the generated server registers for t (name,
// title, description, schemas with the shared definitions they reach,
// annotations).
func sdkTool(defs *defIndex, t *ir.Tool) *mcp.Tool {
	tool := &mcp.Tool{Name: t.Name, Title: t.Title, Description: t.Description}
	tool.InputSchema = json.RawMessage(defs.withDefs(t, t.InputSchema))
	if t.OutputSchema != nil {
		tool.OutputSchema = json.RawMessage(defs.withDefs(t, t.OutputSchema))
	}
	if a := t.Annotations; a != nil {
		tool.Annotations = &mcp.ToolAnnotations{
			Title:           a.Title,
			DestructiveHint: a.DestructiveHint,
			OpenWorldHint:   a.OpenWorldHint,
		}
		if a.ReadOnlyHint != nil {
			tool.Annotations.ReadOnlyHint = *a.ReadOnlyHint
		}
		if a.IdempotentHint != nil {
			tool.Annotations.IdempotentHint = *a.IdempotentHint
		}
	}
	return tool
}

// defsPrefix starts a reference to the API's shared definitions.
const defsPrefix = "#/$defs/"

// defIndex holds the API's shared definitions by name, and the names each
// refers to, so that the definitions a tool reaches are found without
// decoding a definition again for every tool that reaches it.
type defIndex struct {
	schema map[string]json.RawMessage
	refs   map[string][]string // filled on first use
}

func newDefIndex(p *ir.Project) *defIndex {
	ix := &defIndex{schema: map[string]json.RawMessage{}, refs: map[string][]string{}}
	if p.API != nil {
		for _, d := range p.API.Defs {
			ix.schema[d.Name] = d.Schema
		}
	}
	return ix
}

// withDefs is schema with a "$defs" member that holds the definitions it
// reaches, as the runtime's upstream.Defs.Schema serves it. Only the size
// matters here: the members' order is left as it falls.
func (ix *defIndex) withDefs(t *ir.Tool, schema []byte) []byte {
	if t.Op == nil || len(ix.schema) == 0 || !strings.Contains(string(schema), `"`+defsPrefix) {
		return schema
	}
	var root map[string]json.RawMessage
	if json.Unmarshal(schema, &root) != nil {
		return schema
	}
	reached := map[string]json.RawMessage{}
	queue := refNames(schema)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		def, ok := ix.schema[name]
		if _, done := reached[name]; done || !ok {
			continue
		}
		reached[name] = def
		refs, ok := ix.refs[name]
		if !ok {
			refs = refNames(def)
			ix.refs[name] = refs
		}
		queue = append(queue, refs...)
	}
	if len(reached) == 0 {
		return schema
	}
	d, _ := json.Marshal(reached)
	root["$defs"] = d
	out, err := json.Marshal(root)
	if err != nil {
		return schema
	}
	return out
}

// refNames are the definitions a schema refers to, JSON-pointer unescaped.
func refNames(schema []byte) []string {
	var v any
	if json.Unmarshal(schema, &v) != nil {
		return nil
	}
	var names []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && strings.HasPrefix(ref, defsPrefix) {
				name := strings.TrimPrefix(ref, defsPrefix)
				names = append(names, diag.UnescapeToken(name))
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return names
}

// WriteText prints the report for a person: a few lines, the lists cut
// short.
func (r *Report) WriteText(w io.Writer) {
	c := r.Tools
	switch {
	case c.Dynamic && r.Operations != nil:
		ops := r.Operations.Count
		fmt.Fprintf(w, "\nReport: %d operation%s of %s, served by the dynamic tools", ops, plural(ops), c.Spec)
		if own := c.Total - ops; own > 0 {
			fmt.Fprintf(w, "; %d other tool%s listed", own, plural(own))
		}
		fmt.Fprintln(w)
	case c.Manifest > 0 && c.API > 0:
		fmt.Fprintf(w, "\nReport: %d tools (%d from mcpgen.yaml, %d from %s)\n", c.Total, c.Manifest, c.API, c.Spec)
	case c.API > 0:
		fmt.Fprintf(w, "\nReport: %d tool%s from %s\n", c.API, plural(c.API), c.Spec)
	default:
		fmt.Fprintf(w, "\nReport: %d tool%s from mcpgen.yaml\n", c.Manifest, plural(c.Manifest))
	}
	if n := len(r.LeftOut); n > 0 {
		fmt.Fprintf(w, "  left out: %d operation%s\n", n, plural(n))
		for _, l := range r.LeftOut[:min(shown, n)] {
			fmt.Fprintf(w, "    %s: %s\n", l.Operation, l.Reason)
		}
		if n > shown {
			fmt.Fprintf(w, "    … and %d more (see the warnings above)\n", n-shown)
		}
	}
	if len(r.Warnings) > 0 {
		var parts []string
		total := 0
		for _, k := range r.Warnings {
			parts = append(parts, fmt.Sprintf("%d %s", k.Count, k.Kind))
			total += k.Count
		}
		fmt.Fprintf(w, "  warnings: %d (%s)\n", total, strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "  tools/list: %s bytes, about %s tokens (%s)\n", thousands(r.ToolsList.Bytes), thousands(r.ToolsList.Tokens), r.ToolsList.Estimate)
	if len(r.Largest) > 1 {
		fmt.Fprintf(w, "  largest: %s\n", sizes(r.Largest))
	}
	if o := r.Operations; o != nil && o.Count > 0 {
		fmt.Fprintf(w, "  operations: %s bytes as tools, about %s tokens, behind call_operation\n", thousands(o.Bytes), thousands(o.Tokens))
		fmt.Fprintf(w, "  largest by describe_operation: %s\n", sizes(o.Largest))
	}
	if r.Advice != "" {
		fmt.Fprintf(w, "  advice: %s\n", r.Advice)
	}
}

// sizes lists tools and their sizes.
func sizes(ts []ToolSize) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, fmt.Sprintf("%s %s B", t.Name, thousands(t.Bytes)))
	}
	return strings.Join(parts, ", ")
}

// thousands formats n with a comma every three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
