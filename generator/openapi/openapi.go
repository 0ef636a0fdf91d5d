// Package openapi turns the operations of an OpenAPI document into MCP
// tools: one tool per selected operation, whose arguments are the
// operation's parameters and request body and whose result is its success
// response, plus the description of the HTTP API that the runtime package
// upstream calls.
//
// Import works on a document that package loader has read, and on the
// openapi section of the manifest (selection, overrides, mode). It reports
// every problem with the document's file, line, column and JSON pointer,
// and every change it makes to what the document says (a pattern Go cannot
// compile, a renamed argument) as a warning. What it returns is plain IR;
// the generator adds the Go names and types.
package openapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/names"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// MaxToolName is the longest tool name Import derives.
const MaxToolName = names.MaxToolName

// Options are what Import needs besides the document.
type Options struct {
	// Server is the server's name, from which environment variable names
	// derive ("petstore" → PETSTORE_BASE_URL).
	Server string
	// Section is the manifest's openapi section.
	Section *manifest.OpenAPI
	// Confirm is the manifest's confirm policy, for the operations whose
	// override sets none.
	Confirm string
	// Manifest locates nodes of the manifest, for problems with the
	// section ("#/openapi/overrides/0/operation").
	Manifest func(pointer string) diag.Pos
	// Taken reports whether a tool name is already used, by a tool of the
	// manifest.
	Taken func(name string) bool
	// Made, if set, is called with each tool as soon as its schemas are
	// encoded, in the order of Result.Tools, one call at a time, from a
	// goroutine of Import's own that encodes the schemas while the import
	// goes on (which later sets the tools' names, and nothing else). Every
	// call has returned when Import does.
	Made func(t *ir.Tool)
	// MaxWork is the budget of the import, in steps of schema conversion
	// (see DefaultMaxWork, which 0 means). One operation may use an eighth
	// of it.
	MaxWork int
	// Strict makes every defect of the document an error. Without it, an
	// error found while making one operation's tool leaves that operation
	// out, with the error as a warning; one in its result leaves the tool
	// without an output schema; and a $ref the loader could not resolve
	// (loader.Options.Isolate) does the same to the operations that use
	// it.
	Strict bool
	// Exact decodes schemas with json.Unmarshal alone where the importer
	// checks defaults as the MCP SDK would (see manifest.DecodeSDKSchema),
	// for the generator's Exact option.
	Exact bool
}

// encoder encodes the tools' schemas, on a goroutine of its own: their
// objects are complete once tool returns them.
type encoder struct {
	tools chan encoding
	done  chan struct{}
}

type encoding struct {
	t       *ir.Tool
	in, out *object
}

// encodeSchemas starts an encoder that calls made, if not nil, with each
// tool it has encoded.
func encodeSchemas(made func(*ir.Tool)) *encoder {
	e := &encoder{tools: make(chan encoding, 64), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		for x := range e.tools {
			x.t.InputSchema = indented(x.in)
			if x.out != nil {
				x.t.OutputSchema = indented(x.out)
			}
			if made != nil {
				made(x.t)
			}
		}
	}()
	return e
}

// add encodes in and out (which may be nil) as t's schemas.
func (e *encoder) add(t *ir.Tool, in, out *object) { e.tools <- encoding{t, in, out} }

// wait waits for the schemas of every tool added to be encoded.
func (e *encoder) wait() {
	close(e.tools)
	<-e.done
}

// Result is what Import makes.
type Result struct {
	API *ir.API
	// Tools are the tools of the selected operations, in document order;
	// each has Name, Title, Description, Annotations, InputSchema,
	// OutputSchema and Op set. The schemas may refer to API.Defs.
	Tools []*ir.Tool
	// Work is how many steps of schema conversion the import took, of the
	// budget (Options.MaxWork).
	Work int

	defs    map[string][]byte // API.Defs by name, for Full
	defPtrs map[string]string // where each definition comes from
	// maxOpWork is the most work one operation took, maxOp's, for tests.
	maxOpWork int
	maxOp     string
	origins   map[*ir.Tool]Origin
}

// Origin is where a tool's name and its custom flag come from: a node of
// the document or of the manifest (the InManifest flags say which), for
// messages about them.
type Origin struct {
	// NamePointer is the operationId, the x-mcp name or the override's
	// name; the operation when it has no operationId.
	NamePointer      string
	NameInManifest   bool
	CustomPointer    string // "" for a tool that is not custom
	CustomInManifest bool
}

// Origin is where the name and the custom flag of t, one of r's tools,
// come from.
func (r *Result) Origin(t *ir.Tool) Origin {
	if o, ok := r.origins[t]; ok {
		return o
	}
	if t.Op != nil {
		return Origin{NamePointer: t.Op.Pointer}
	}
	return Origin{NamePointer: "#"}
}

// DefPointer is where in the document the definition name comes from.
func (r *Result) DefPointer(name string) string {
	if p, ok := r.defPtrs[name]; ok {
		return p
	}
	return "#"
}

// importer holds the state of one import.
type importer struct {
	doc   *loader.Document
	opts  *Options
	diags diag.List
	conv  *converter
	// unplaced are the diagnostics (by index) at a pointer of the
	// document whose position is looked up once the import is done: the
	// first lookup builds the document's position index (see
	// loader.Document.Pos), which the caller may be building meanwhile.
	unplaced []int
	// maxOpWork is the most work one operation took, maxOp's.
	maxOpWork int
	maxOp     string
	strict    bool
	// usedUnresolved are the $refs taken out of the document (see
	// loader.Options.Isolate) that an operation reached, by pointer.
	usedUnresolved map[string]bool
}

func (imp *importer) warn(ptr, format string, args ...any) *diag.Diagnostic {
	imp.unplaced = append(imp.unplaced, len(imp.diags))
	return imp.diags.Warn(diag.Pos{}, ptr, format, args...)
}

func (imp *importer) fail(ptr, format string, args ...any) *diag.Diagnostic {
	imp.unplaced = append(imp.unplaced, len(imp.diags))
	return imp.diags.Add(diag.Pos{}, ptr, format, args...)
}

// demote turns the errors found since the diagnostic numbered since into
// warnings whose reason starts with prefix (what became of the operation),
// and reports whether there were any.
func (imp *importer) demote(since int, prefix string) bool {
	found := false
	for i := since; i < len(imp.diags); i++ {
		if d := &imp.diags[i]; d.Severity == diag.Error {
			d.Severity, d.Msg = diag.Warning, prefix+d.Msg
			found = true
		}
	}
	return found
}

// defect reports a defect that is an error in strict mode and otherwise a
// warning, the importer working around it.
func (imp *importer) defect(ptr, format string, args ...any) *diag.Diagnostic {
	if imp.strict {
		return imp.fail(ptr, format, args...)
	}
	return imp.warn(ptr, format, args...)
}

// placed returns the diagnostics, each at its position.
func (imp *importer) placed() diag.List {
	for _, i := range imp.unplaced {
		imp.diags[i].Pos = imp.doc.Pos(imp.diags[i].Pointer)
	}
	imp.unplaced = nil
	return imp.diags
}

func (imp *importer) manifestPos(ptr string) diag.Pos {
	if imp.opts.Manifest == nil {
		return diag.Pos{}
	}
	return imp.opts.Manifest(ptr)
}

// methods are the HTTP methods of a path item, in the order their tools
// are made.
var methods = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}

// operation is one operation of the document, as found.
type operation struct {
	method, path string
	op           *openapi3.Operation
	item         *openapi3.PathItem
	ptr          string // "#/paths/~1pets/get"
	id           string // operationId, or "METHOD /path"
	xmcp         xMCP
	override     *manifest.OperationOverride
	overridePtr  string

	tool *ir.Tool
	// explicit is set when the tool's name was given (x-mcp or override).
	explicit bool
	// namePtr is where the name came from, for collisions: in the
	// document, or in the manifest.
	namePtr        string
	nameInManifest bool
}

// namePos locates where the operation's tool name came from. (Positions
// are looked up only for messages: finding one costs more than importing.)
func (imp *importer) namePos(o *operation) diag.Pos {
	if o.nameInManifest {
		return imp.manifestPos(o.namePtr)
	}
	return imp.doc.Pos(o.namePtr)
}

// xMCP is the x-mcp extension of an operation.
type xMCP struct {
	Name        string
	Description string
	Exclude     bool
	Custom      bool
}

// Import converts doc's selected operations into tools.
func Import(doc *loader.Document, opts *Options) (*Result, diag.List) {
	imp := &importer{doc: doc, opts: opts, strict: opts.Strict || opts.Section != nil && opts.Section.Strict}
	imp.conv = newConverter(imp)
	sec := opts.Section
	if sec == nil {
		sec = &manifest.OpenAPI{}
	}
	t := doc.T

	api := &ir.API{
		Spec:             sec.Spec,
		BaseURLEnv:       sec.BaseURLEnv,
		MaxResponseBytes: sec.MaxResponseBytes,
		Dynamic:          sec.Mode == "dynamic",
		SignedInUser:     sec.Credentials == manifest.CredentialsSignedInUser,
	}
	if t.Info != nil {
		api.Title = t.Info.Title
	}
	if api.BaseURLEnv == "" {
		api.BaseURLEnv = envName(opts.Server, "BASE_URL")
	}
	if sec.Timeout != "" {
		// Validate checked the duration.
		api.Timeout, _ = time.ParseDuration(sec.Timeout)
	}
	api.BaseURL = imp.baseURL(api.BaseURLEnv)

	ops := imp.operations()
	ops = imp.selectOps(ops, sec)

	// Which named schemas differ between inputs and outputs depends on all
	// of them, so it is settled before any is converted.
	var roots []*openapi3.SchemaRef
	for _, o := range ops {
		roots = append(roots, operationSchemas(o)...)
	}
	imp.conv.sensitivity(roots)

	schemes := imp.securitySchemes()
	used := make(map[string]bool)
	var tools []*ir.Tool
	enc := encodeSchemas(opts.Made)
	budget := opts.MaxWork
	if budget <= 0 {
		budget = DefaultMaxWork
	}
	for _, o := range ops {
		m := imp.conv.begin(budget)
		before := len(imp.diags)
		tool, in, out := imp.tool(o, schemes, used)
		if tool == nil && !imp.strict && imp.demote(before, "operation "+o.id+" is left out: ") {
			// Its definitions stay out of the API too, unless another
			// operation makes them again.
			imp.conv.undo(m)
			continue
		}
		if imp.conv.overrun {
			imp.conv.undo(m)
			if !m.opLimit {
				imp.fail(o.ptr, "converting the document's schemas takes more than %d steps; the import stopped at operation %s", budget, o.id).Hint = "exclude the operations whose schemas expand the most (allOf members that repeat one another, long chains of definitions with defaults), or report the document to mcpgen"
				break
			}
			imp.warn(o.ptr, "operation %s is left out: converting its schemas takes more than %d steps", o.id, budget/opShare).Hint = "its schemas expand too far (allOf members that repeat one another, or a long chain of definitions with defaults); exclude the operation, or report the document to mcpgen"
			continue
		}
		if w := imp.conv.work - m.work; w > imp.maxOpWork {
			imp.maxOpWork, imp.maxOp = w, o.id
		}
		if tool == nil {
			continue
		}
		imp.confirm(o, tool)
		o.tool = tool
		tools = append(tools, tool)
		enc.add(tool, in, out)
		api.Operations = append(api.Operations, tool.Op)
	}
	enc.wait()
	imp.nameTools(ops, api.Dynamic)
	if imp.diags.HasErrors() {
		return nil, imp.placed()
	}
	api.Schemes = imp.usedSchemes(schemes, used, opts.Server, api.BaseURLEnv)

	defPtrs := make(map[string]string, len(imp.conv.order))
	for _, d := range imp.conv.order {
		api.Defs = append(api.Defs, ir.Def{Name: d.name, Schema: marshal(d.schema)})
		defPtrs[d.name] = d.ptr
	}
	for _, u := range doc.AllUnresolved() {
		if !imp.usedUnresolved[u.Pointer] {
			d := imp.diags.Warn(u.Pos, u.Pointer, "%s; no operation made into a tool uses it", u.Msg)
			d.Hint = u.Hint
		}
	}
	if len(tools) == 0 {
		imp.warn("#/paths", "no operation of the document is selected, so the server has no tools from it").Hint = "check the openapi section's include and exclude filters"
	}
	origins := make(map[*ir.Tool]Origin, len(tools))
	for _, o := range ops {
		if o.tool == nil {
			continue
		}
		or := Origin{NamePointer: o.namePtr, NameInManifest: o.nameInManifest}
		switch {
		case o.override != nil && o.override.Custom:
			or.CustomPointer, or.CustomInManifest = o.overridePtr+"/custom", true
		case o.xmcp.Custom:
			or.CustomPointer = o.ptr + "/x-mcp/custom"
		}
		origins[o.tool] = or
	}
	return &Result{API: api, Tools: tools, Work: imp.conv.work, maxOpWork: imp.maxOpWork, maxOp: imp.maxOp, origins: origins, defPtrs: defPtrs}, imp.placed()
}

// operations lists the document's operations in the order the document
// gives them.
func (imp *importer) operations() []*operation {
	t := imp.doc.T
	if t.Paths == nil {
		return nil
	}
	m := t.Paths.Map()
	listed := imp.doc.Operations()
	if len(listed) == 0 {
		// A loader without the source order: paths sorted, methods in a
		// fixed order.
		for _, p := range sortedKeys(m) {
			for _, method := range methods {
				if m[p] != nil && m[p].GetOperation(method) != nil {
					listed = append(listed, loader.Operation{Path: p, Method: method, Operation: m[p].GetOperation(method)})
				}
			}
		}
	}
	var out []*operation
	for _, l := range listed {
		item := m[l.Path]
		if item == nil || l.Operation == nil || !slices.Contains(methods, l.Method) {
			continue
		}
		o := &operation{
			method: l.Method, path: l.Path, op: l.Operation, item: item,
			ptr: diag.Pointer("paths", l.Path, strings.ToLower(l.Method)),
			id:  l.Operation.OperationID,
		}
		if o.id == "" {
			o.id = o.method + " " + o.path
		}
		o.xmcp = imp.xmcp(o)
		out = append(out, o)
	}
	return out
}

// xmcp reads an operation's x-mcp extension.
func (imp *importer) xmcp(o *operation) xMCP {
	var x xMCP
	raw, ok := o.op.Extensions["x-mcp"]
	if !ok {
		return x
	}
	ptr := o.ptr + "/x-mcp"
	m, ok := raw.(map[string]any)
	if !ok {
		imp.warn(ptr, "x-mcp is ignored: it must be a mapping").Hint = "give name, description, exclude or custom"
		return x
	}
	for _, k := range sortedKeys(m) {
		v := m[k]
		kptr := ptr + "/" + escapeToken(k)
		switch k {
		case "name", "description":
			s, ok := v.(string)
			if !ok {
				imp.warn(kptr, "x-mcp %s is ignored: it must be a string", k)
				continue
			}
			if k == "name" {
				if reason, hint := names.CheckToolName("tool", s); reason != "" {
					imp.fail(kptr, "%s", reason).Hint = hint
					continue
				}
				x.Name = s
			} else {
				x.Description = s
			}
		case "exclude", "custom":
			b, ok := v.(bool)
			if !ok {
				imp.warn(kptr, "x-mcp %s is ignored: it must be true or false", k)
				continue
			}
			if k == "exclude" {
				x.Exclude = b
			} else {
				x.Custom = b
			}
		default:
			imp.warn(kptr, "unknown x-mcp key %q is ignored", k).Hint = "x-mcp takes name, description, exclude and custom"
		}
	}
	return x
}

// selectOps applies the section's filters and overrides.
func (imp *importer) selectOps(ops []*operation, sec *manifest.OpenAPI) []*operation {
	byID := make(map[string]*operation)
	for _, o := range ops {
		byID[o.id] = o
		byID[o.method+" "+o.path] = o
	}
	for i := range sec.Overrides {
		ov := &sec.Overrides[i]
		ptr := diag.Pointer("openapi", "overrides", fmt.Sprint(i))
		o := byID[ov.Operation]
		if o == nil {
			o = byID[normalizeMethodPath(ov.Operation)]
		}
		if o == nil {
			// A warning, not an error: when an operation leaves the document,
			// regeneration goes on (its custom handler is reported orphaned).
			d := imp.diags.Warn(imp.manifestPos(ptr+"/operation"), ptr+"/operation", "override ignored: %s has no operation %q", imp.doc.Path, ov.Operation)
			d.Hint = "give an operationId of the document, or METHOD /path; remove the override if the operation is gone"
			if s := closest(ov.Operation, ops); s != "" {
				d.Hint = fmt.Sprintf("did you mean %q?", s)
			}
			continue
		}
		if o.override != nil {
			imp.diags.Add(imp.manifestPos(ptr+"/operation"), ptr+"/operation", "operation %q already has an override, at %s", ov.Operation, o.overridePtr).Hint = "merge the two"
			continue
		}
		o.override, o.overridePtr = ov, ptr
	}

	incUsed, excUsed := make([]bool, len(sec.Include)), make([]bool, len(sec.Exclude))

	var out []*operation
	for _, o := range ops {
		if len(sec.Include) > 0 {
			in := false
			for i, f := range sec.Include {
				if matches(f, o) {
					incUsed[i], in = true, true
				}
			}
			if !in {
				if ov := o.override; ov != nil && !ov.Exclude {
					imp.diags.Warn(imp.manifestPos(o.overridePtr), o.overridePtr, "the override of %s does nothing: no include filter matches the operation", o.id).Hint = "add the operation to an include filter, or remove the override"
				}
				continue
			}
		}
		out2 := false
		for i, f := range sec.Exclude {
			if matches(f, o) {
				excUsed[i], out2 = true, true
			}
		}
		if out2 || o.xmcp.Exclude || o.override != nil && o.override.Exclude {
			if ov := o.override; ov != nil && !ov.Exclude && (ov.Name != "" || ov.Description != "" || ov.Custom) {
				ptr := o.overridePtr
				imp.diags.Warn(imp.manifestPos(ptr), ptr, "the override of %s does nothing: the operation is excluded", o.id).Hint = "remove the override, or the filter or x-mcp exclude that leaves the operation out"
			}
			continue
		}
		out = append(out, o)
	}
	for _, f := range []struct {
		name string
		list []manifest.OperationFilter
		used []bool
	}{{"include", sec.Include, incUsed}, {"exclude", sec.Exclude, excUsed}} {
		for i, used := range f.used {
			if !used {
				ptr := diag.Pointer("openapi", f.name, fmt.Sprint(i))
				imp.diags.Warn(imp.manifestPos(ptr), ptr, "this %s filter matches no operation of %s", f.name, imp.doc.Path).Hint = "check its tags, operations, paths and methods against the document"
			}
		}
	}
	return out
}

// normalizeMethodPath upper-cases the method of "get /pets".
func normalizeMethodPath(s string) string {
	m, p, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return s
	}
	return strings.ToUpper(m) + " " + strings.TrimSpace(p)
}

// closest suggests the operationId nearest to a misspelt one.
func closest(s string, ops []*operation) string {
	ids := make([]string, len(ops))
	for i, o := range ops {
		ids[i] = o.id
	}
	return diag.Suggest(s, ids)
}

// matches reports whether an operation matches every list of a filter.
func matches(f manifest.OperationFilter, o *operation) bool {
	if len(f.Tags) > 0 && !slices.ContainsFunc(f.Tags, func(t string) bool { return slices.Contains(o.op.Tags, t) }) {
		return false
	}
	if len(f.Operations) > 0 && !slices.ContainsFunc(f.Operations, func(id string) bool {
		return id == o.id || normalizeMethodPath(id) == o.method+" "+o.path
	}) {
		return false
	}
	if len(f.Paths) > 0 && !slices.ContainsFunc(f.Paths, func(g string) bool { return globMatch(g, o.path) }) {
		return false
	}
	if len(f.Methods) > 0 && !slices.ContainsFunc(f.Methods, func(m string) bool { return strings.EqualFold(m, o.method) }) {
		return false
	}
	return true
}

// globMatch matches a path against a glob: "*" matches within a segment,
// "**" any number of segments.
func globMatch(glob, p string) bool {
	return globSegments(strings.Split(strings.Trim(glob, "/"), "/"), strings.Split(strings.Trim(p, "/"), "/"))
}

func globSegments(g, p []string) bool {
	for len(g) > 0 {
		if g[0] == "**" {
			for i := 0; i <= len(p); i++ {
				if globSegments(g[1:], p[i:]) {
					return true
				}
			}
			return false
		}
		if len(p) == 0 {
			return false
		}
		if ok, err := path.Match(g[0], p[0]); err != nil || !ok {
			return false
		}
		g, p = g[1:], p[1:]
	}
	return len(p) == 0
}

// baseURL is the document's first server URL, its variables set to their
// defaults; "" when it is missing or relative.
func (imp *importer) baseURL(env string) string {
	t := imp.doc.T
	if len(t.Servers) == 0 || t.Servers[0] == nil {
		imp.warn("#", "the document names no server, so %s must be set to the API's URL at run time", env)
		return ""
	}
	s := t.Servers[0]
	u := s.URL
	for _, name := range sortedKeys(s.Variables) {
		v := s.Variables[name]
		if v == nil {
			continue
		}
		u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
	}
	if strings.ContainsAny(u, "{}") {
		imp.warn("#/servers/0/url", "the server URL %q has variables without defaults, so %s must be set at run time", s.URL, env)
		return ""
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		imp.warn("#/servers/0/url", "the server URL %q is not an absolute http(s) URL, so %s must be set to the API's URL at run time", s.URL, env).Hint = "the generated .env.example lists it"
		return ""
	}
	return u
}

// envName is an environment variable name: the server's name and parts in
// upper snake case.
func envName(server string, parts ...string) string {
	all := append([]string{server}, parts...)
	for i, p := range all {
		all[i] = strings.ToUpper(asciiSnake(p))
	}
	return strings.Join(all, "_")
}

// asciiSnake is names.Snake restricted to ASCII letters, digits and '_'.
func asciiSnake(s string) string {
	out := strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, names.Snake(s))
	out = strings.Trim(out, "_")
	for strings.Contains(out, "__") {
		out = strings.ReplaceAll(out, "__", "_")
	}
	return out
}

// derivedName is the tool name an operation gets by default: its
// operationId in snake case, else its method and path.
func derivedName(o *operation) string {
	name := ""
	if o.op.OperationID != "" {
		name = asciiSnake(o.op.OperationID)
	}
	if name == "" {
		name = asciiSnake(strings.ToLower(o.method) + " " + o.path)
	}
	if name == "" {
		name = strings.ToLower(o.method)
	}
	return name
}

// shorten cuts a name to MaxToolName, ending it with a hash of the whole
// name and key, so that two long names with the same start stay apart.
func shorten(name, key string) string {
	if len(name) <= MaxToolName {
		return name
	}
	sum := sha256.Sum256([]byte(name + "\x00" + key))
	suffix := "_" + hex.EncodeToString(sum[:])[:8]
	return strings.TrimRight(name[:MaxToolName-len(suffix)], "_.-") + suffix
}

// dynamicTools are the tool names of dynamic mode.
var dynamicTools = []string{"list_operations", "search_operations", "describe_operation", "call_operation"}

// nameTools gives every tool a unique name: explicit names first (two that
// collide are an error), then derived ones, which give way.
func (imp *importer) nameTools(ops []*operation, dynamic bool) {
	owner := make(map[string]*operation)
	taken := func(name string) bool {
		if _, ok := owner[name]; ok {
			return true
		}
		if imp.opts.Taken != nil && imp.opts.Taken(name) {
			return true
		}
		return dynamic && slices.Contains(dynamicTools, name)
	}
	for _, o := range ops {
		if o.tool == nil || !o.explicit {
			continue
		}
		name := o.tool.Name
		if prev, ok := owner[name]; ok {
			imp.diags.Add(imp.namePos(o), o.namePtr, "tool name %q is also given to operation %s (%s %s)", name, prev.id, imp.namePos(prev), prev.namePtr).Hint = "give one of them another name"
			continue
		}
		if taken(name) {
			what := "a tool of the manifest"
			if dynamic && slices.Contains(dynamicTools, name) {
				what = "a tool of dynamic mode"
			}
			imp.diags.Add(imp.namePos(o), o.namePtr, "tool name %q of operation %s is already the name of %s", name, o.id, what).Hint = "give the operation another name"
			continue
		}
		owner[name] = o
	}
	for _, o := range ops {
		if o.tool == nil || o.explicit {
			continue
		}
		name := o.tool.Name
		if taken(name) {
			base := name
			sum := sha256.Sum256([]byte(o.method + " " + o.path))
			h := hex.EncodeToString(sum[:])
			for n := 6; taken(name); n++ {
				if n > len(h) {
					imp.fail(o.ptr, "no unique tool name can be derived for operation %s", o.id).Hint = "give it a name with x-mcp or an override"
					break
				}
				suffix := "_" + h[:n]
				name = strings.TrimRight(base[:min(len(base), MaxToolName-len(suffix))], "_.-") + suffix
			}
			prev := owner[base]
			with := "a tool of the manifest"
			if dynamic && slices.Contains(dynamicTools, base) {
				with = "a tool of dynamic mode"
			}
			if prev != nil {
				with = fmt.Sprintf("operation %s (%s)", prev.id, prev.ptr)
			}
			imp.warn(o.ptr, "operation %s is named %q: %q is taken by %s", o.id, name, base, with).Hint = "give it a name with x-mcp or an override"
			o.tool.Name = name
		}
		owner[name] = o
	}
}

// defRef finds the references to shared definitions in a schema's JSON.
var defRef = regexp.MustCompile(`"\$ref":\s*"#/\$defs/([^"]+)"`)

// Full returns schema, a tool schema of r, with a "$defs" member holding
// the definitions it reaches: the schema as clients see it, and as the
// generator checks it. The generated server does the same at start (see
// upstream.Defs).
func (r *Result) Full(schema []byte) []byte {
	if r.defs == nil {
		r.defs = make(map[string][]byte, len(r.API.Defs))
		for _, d := range r.API.Defs {
			r.defs[d.Name] = d.Schema
		}
	}
	var reached []string
	seen := make(map[string]bool)
	queue := [][]byte{schema}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, m := range defRef.FindAllSubmatch(s, -1) {
			name := diag.UnescapeToken(string(m[1]))
			if seen[name] {
				continue
			}
			seen[name] = true
			if d, ok := r.defs[name]; ok {
				reached = append(reached, name)
				queue = append(queue, d)
			}
		}
	}
	trimmed := bytes.TrimRight(schema, " \n\t")
	if len(reached) == 0 || len(trimmed) < 2 || trimmed[len(trimmed)-1] != '}' {
		return schema
	}
	slices.Sort(reached)
	var b bytes.Buffer
	b.Write(trimmed[:len(trimmed)-1]) // the root object, open
	b.WriteString(`,"$defs":{`)
	for i, name := range reached {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, name)
		b.WriteByte(':')
		b.Write(r.defs[name])
	}
	b.WriteString("}}")
	return b.Bytes()
}
