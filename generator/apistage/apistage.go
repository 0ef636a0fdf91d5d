// Package apistage imports the OpenAPI document a manifest's openapi
// section names into the project being built: a tool per selected
// operation, each with its package-level Go names, and the last checks of
// the schemas the import made, which run while the project is emitted.
//
// The generator calls Build once per generation; it reads nothing but what
// Options.ReadFile gives it and keeps no state between calls.
package apistage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/gotype"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/names"
	"github.com/mcpgen/mcpgen/generator/openapi"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// Options are what Build needs from the rest of the generation.
type Options struct {
	// ReadFile reads the document, and the files its $refs name, by
	// slash-separated path relative to the manifest. Nil when no file can
	// be read.
	ReadFile func(name string) ([]byte, error)
	// Strict makes every defect of the document an error, as the openapi
	// section's strict: true does.
	Strict bool
	// Declared holds the names of the manifest's own tools.
	Declared map[string]bool
	// Claimed reports whether a package-level Go name, or "file:" and a
	// handler file, is taken; Claim takes one, saying by what, and reports
	// whether it was free. The imported tools share these with the
	// manifest's tools and the generated code.
	Claimed func(name string) bool
	Claim   func(name, what string) bool
	// Reserved are the names the generated code declares, and what for
	// (for messages).
	Reserved map[string]string
}

// Checks waits for the checks Build left running and returns what they
// found.
type Checks func() *Late

// Build imports the OpenAPI document of the manifest's openapi section:
// it sets p.API and appends a tool per selected operation to p.Tools.
// p.Tools holds the manifest's tools when it is called.
//
// The last checks of the tools' schemas, and kin-openapi's validation, are
// still running when it returns, so that the project can be emitted
// meanwhile: checks waits for them. A project they find an error in is not
// to be written; one they change (see Late.Apply) is to be emitted again.
func Build(f *manifest.File, p *ir.Project, o *Options) (diags diag.List, checks Checks) {
	sec := f.Manifest.OpenAPI
	specPtr := "#/openapi/spec"
	if o.ReadFile == nil {
		diags.Add(f.Pos(specPtr), specPtr, "the OpenAPI document %s cannot be read here", sec.Spec)
		return diags, nil
	}
	spec := path.Clean(sec.Spec)
	data, err := o.ReadFile(spec)
	if err != nil {
		diags.Add(f.Pos(specPtr), specPtr, "cannot read the OpenAPI document: %v", err).Hint = "the path is relative to " + f.Filename
		return diags, nil
	}
	dir := path.Dir(spec)
	strict := o.Strict || sec.Strict
	doc, more := loader.Load(spec, data, &loader.Options{
		Isolate: !strict,
		Exact:   f.Exact,
		ReadFile: func(name string) ([]byte, error) {
			return o.ReadFile(path.Join(dir, name))
		},
		SkipValidation: true, // validated below, after the import
	})
	diags = append(diags, more...)
	if doc == nil || diags.HasErrors() {
		return diags, nil
	}
	// The importer reads the document on one core. The other builds the
	// position index its messages need, meanwhile, and takes apart each
	// tool's input schema as soon as it is made (Made), for the steps
	// below.
	var indexed sync.WaitGroup
	indexed.Go(doc.BuildIndex)
	var early []madeTool
	res, more := openapi.Import(doc, &openapi.Options{
		Server:   f.Manifest.Name,
		Section:  sec,
		Confirm:  f.Manifest.Confirm,
		Strict:   strict,
		Exact:    f.Exact,
		Manifest: f.Pos,
		Taken:    func(name string) bool { return o.Declared[name] },
		Made: func(t *ir.Tool) {
			early = append(early, madeTool{t, splitSchema(t.InputSchema), opBadArguments(t.InputSchema)})
		},
	})
	indexed.Wait()
	diags = append(diags, more...)
	// kin-openapi's validation only finds warnings. It changes the document
	// while it runs (see loader.Document.Validate), which nothing reads
	// after the import: it runs alongside the steps below.
	validated := make(chan diag.List, 1)
	go func() { validated <- doc.Validate() }()
	if res == nil || diags.HasErrors() {
		return append(diags, <-validated...), nil
	}
	res.API.Spec = sec.Spec
	res.API.Declined = doc.Declined()

	// Each tool's Go names, and a custom tool's types, which the user's
	// code refers to.
	tn := newToolNames(f, doc, res, p.Tools, o.Claimed, o.Claim)
	tn.reserved = o.Reserved
	taken := tn.claimAll(res.Tools, func(t *ir.Tool) []gotype.Decl {
		op := t.Op
		r, err := gotype.Convert(t.InputType, res.Full(t.InputSchema), &gotype.Options{
			Source:  sec.Spec,
			Pointer: op.Pointer,
			RootDoc: fmt.Sprintf("%s holds the arguments of the %q tool.", t.InputType, t.Name),
		})
		if err != nil {
			for _, e := range gotype.Errors(err) {
				diags.Add(doc.Pos(op.Pointer), op.Pointer, "the arguments of custom tool %q have no Go type: %s", t.Name, e.Msg).Hint = "serve the operation without custom: true"
			}
			return nil
		}
		return r.Decls
	})
	diags = append(diags, taken...)
	for i, t := range res.Tools {
		op := t.Op
		// t.Pos stays unset: positions are looked up for messages only.
		t.Pointer = op.Pointer
		if t.GoName == "" {
			continue // its names are taken (an error above)
		}
		op.Var = "op" + t.GoName
		if !op.Custom {
			t.BadArguments = madeFor(early, i, t).bad
			continue
		}
		// A custom tool's handler is the user's: its test needs arguments
		// that break the schema itself, not only its list of names.
		t.BadArguments = manifest.BadArguments(res.Full(t.InputSchema), f.Exact)
	}
	checked := make(chan *Late, 1)
	budget := manifest.NewBudget(openapi.DefaultMaxWork - res.Work)
	go func() { checked <- checkSchemas(res, early, budget, f.Exact).late(doc, res, strict) }()
	p.API = res.API
	p.Tools = append(p.Tools, res.Tools...)
	if p.Auth != nil && f.Manifest.Auth != nil && f.Manifest.Auth.Scopes == nil {
		if extra := openapi.UserScopes(p.API); len(extra) > 0 {
			// Sign-in asks once for what the tools need, besides what
			// the server needs to know who signed in.
			p.Auth.Scopes = append(providerScopes(p.Auth.Provider), extra...)
			slices.Sort(p.Auth.Scopes)
			p.Auth.Scopes = slices.Compact(p.Auth.Scopes)
		}
	}
	return diags, func() *Late {
		l := <-checked
		l.Diags = append(l.Diags, <-validated...)
		return l
	}
}

// defRef finds the references to shared definitions in encoded schemas.
var defRef = regexp.MustCompile(`"\$ref"\s*:\s*"#/\$defs/([^"/]*)`)

// schemaParts splits tool schemas into what they are made of, each once:
// the importer writes the object around the schemas of the parameters and
// the body, or of the result ({"type": "object", "properties", "required",
// "additionalProperties"}), and the same parameter schema ("owner",
// "repo", "per_page") stands in hundreds of tools. parts are the schemas of
// the properties, and the schemas with any other keyword, whole; roots are
// the objects around the properties, with each property's schema left
// empty. A large API's input schemas hold far fewer distinct parts than
// schemas (docs/performance.md).
// Unless split, each schema is a part whole, once (output schemas are
// mostly a reference, or a wrapper around one, and splitting them costs
// more than it saves).
func schemaParts(schemas [][]byte, split bool) (parts, roots [][]byte) {
	splits := make([]schemaSplit, len(schemas))
	for i, schema := range schemas {
		if split {
			splits[i] = splitSchema(schema)
		} else if schema != nil {
			splits[i] = schemaSplit{parts: [][]byte{schema}}
		}
	}
	return mergeParts(splits)
}

// schemaSplit is what one schema is made of (see schemaParts): parts, and
// the root around them, or nil when the schema is a part whole.
type schemaSplit struct {
	parts [][]byte
	root  []byte
}

// splitSchema takes one schema apart, as schemaParts does.
func splitSchema(schema []byte) schemaSplit {
	if schema == nil {
		return schemaSplit{}
	}
	whole := schemaSplit{parts: [][]byte{schema}}
	var top map[string]json.RawMessage
	if json.Unmarshal(schema, &top) != nil {
		return whole
	}
	var props map[string]json.RawMessage
	if json.Unmarshal(top["properties"], &props) != nil {
		return whole
	}
	for k, v := range top {
		switch k {
		case "type":
			if string(v) != `"object"` {
				return whole
			}
		case "properties", "required":
		case "additionalProperties":
			if string(v) != "false" && string(v) != "true" {
				return whole
			}
		default:
			return whole
		}
	}
	var sp schemaSplit
	empty := make(map[string]json.RawMessage, len(props))
	for _, name := range slices.Sorted(maps.Keys(props)) {
		sp.parts = append(sp.parts, props[name])
		empty[name] = json.RawMessage(`{}`)
	}
	top["properties"], _ = json.Marshal(empty)
	root, err := json.Marshal(top)
	if err != nil {
		return whole
	}
	sp.root = root
	return sp
}

// mergeParts lists the parts and roots of splits, each once, in order.
func mergeParts(splits []schemaSplit) (parts, roots [][]byte) {
	seen := make(map[string]bool)
	add := func(list [][]byte, s []byte) [][]byte {
		if seen[string(s)] {
			return list
		}
		seen[string(s)] = true
		return append(list, s)
	}
	for _, sp := range splits {
		for _, p := range sp.parts {
			parts = add(parts, p)
		}
		if sp.root != nil {
			roots = add(roots, sp.root)
		}
	}
	return parts, roots
}

// madeTool is what is taken from a tool's input schema while the import
// goes on: its parts, and the arguments opBadArguments finds.
type madeTool struct {
	tool  *ir.Tool
	split schemaSplit
	bad   string
}

// madeFor is what early holds for t, the i-th tool, or else is worked out
// now.
func madeFor(early []madeTool, i int, t *ir.Tool) madeTool {
	if i < len(early) && early[i].tool == t {
		return early[i]
	}
	return madeTool{t, splitSchema(t.InputSchema), opBadArguments(t.InputSchema)}
}

// toolSchemas are the input or the output schemas of the tools, by tool
// (nil for a tool without an output schema).
func toolSchemas(res *openapi.Result, output bool) [][]byte {
	list := make([][]byte, len(res.Tools))
	for i, t := range res.Tools {
		list[i] = t.InputSchema
		if output {
			list[i] = t.OutputSchema
		}
	}
	return list
}

// propertiesBatch is one schema with schemas as its properties, named by
// their number, and stubs as its definitions.
func propertiesBatch(schemas [][]byte, stubs []byte) []byte {
	props := make(map[string][]byte, len(schemas))
	for i, s := range schemas {
		props[strconv.Itoa(i)] = s
	}
	return namedBatch(props, stubs)
}

// namedBatch is one schema with props as its properties and stubs as its
// definitions.
func namedBatch(props map[string][]byte, stubs []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"object","properties":{`)
	for i, name := range slices.Sorted(maps.Keys(props)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(name))
		b.WriteByte(':')
		b.Write(props[name])
	}
	b.WriteString(`},"$defs":`)
	b.Write(stubs)
	b.WriteString("}")
	return b.Bytes()
}

// resolvesLikeSDK runs what the MCP SDK runs on a tool's schema when the
// tool is added (decoding into jsonschema-go's Schema, then Resolve with
// the defaults validated) on one schema whose properties are parts, with
// stand-ins for the shared definitions, and reports whether it passes.
func resolvesLikeSDK(parts [][]byte, stubs []byte) bool {
	var b bytes.Buffer
	b.WriteString(`{"type":"object","properties":{`)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%d":`, i)
		b.Write(p)
	}
	b.WriteString(`},"$defs":`)
	b.Write(stubs)
	b.WriteString("}")
	if nestsDeeper(b.Bytes(), manifest.SDKMaxDepth) {
		// The SDK refuses it (the checker says where), after reading it
		// in time that grows with the square of the depth.
		return false
	}
	// Parts are checked only off the exact path (see checkSchemas).
	js, err := manifest.DecodeSDKSchema(b.Bytes(), false) // json.Unmarshal's result, faster
	if err != nil {
		return false
	}
	_, err = js.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	return err == nil
}

// nestsDeeper reports whether the JSON text raw nests objects and lists
// more than limit levels deep.
func nestsDeeper(raw []byte, limit int) bool {
	depth := 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '{', '[':
			if depth++; depth > limit {
				return true
			}
		case '}', ']':
			depth--
		case '"':
			for i++; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
		}
	}
	return false
}

// inputDefs are the shared definitions that the tools' input schemas reach,
// directly or through other definitions: those the server resolves at
// start. It reads references off the encoded schemas, so a "$ref" inside a
// value (an enum, a default) counts too; that only adds a definition to
// check fully. A name it cannot match makes every definition count.
func inputDefs(res *openapi.Result) map[string]bool {
	var inputs [][]byte
	for _, t := range res.Tools {
		inputs = append(inputs, t.InputSchema)
	}
	return defsReached(defsByName(res), inputs)
}

// defsByName are the API's shared definitions by name.
func defsByName(res *openapi.Result) map[string][]byte {
	byName := make(map[string][]byte, len(res.API.Defs))
	for _, d := range res.API.Defs {
		byName[d.Name] = d.Schema
	}
	return byName
}

// defsReached are the definitions of byName that schemas refer to, directly
// or through other definitions: every one of them when a reference is not
// one to a definition by its plain name.
func defsReached(byName map[string][]byte, schemas [][]byte) map[string]bool {
	reached := make(map[string]bool)
	all := func() map[string]bool {
		for name := range byName {
			reached[name] = true
		}
		return reached
	}
	queue := slices.Clone(schemas)
	for len(queue) > 0 {
		schema := queue[0]
		queue = queue[1:]
		for _, m := range defRef.FindAllSubmatch(schema, -1) {
			name := diag.UnescapeToken(string(m[1]))
			def, ok := byName[name]
			if !ok || strings.Contains(name, `\`) {
				return all()
			}
			if !reached[name] {
				reached[name] = true
				queue = append(queue, def)
			}
		}
	}
	return reached
}

// opBadArguments is the BadArguments of an imported tool: its input
// schema, as the importer makes it, lists the arguments it requires and
// refuses any other, so {} breaks it when it requires any and an unknown
// argument when not. (The generated test proves it, with an API that fails
// the test when it is called.)
func opBadArguments(schema []byte) string {
	var top struct {
		Required             []string                   `json:"required"`
		Properties           map[string]json.RawMessage `json:"properties"`
		AdditionalProperties json.RawMessage            `json:"additionalProperties"`
	}
	if json.Unmarshal(schema, &top) != nil {
		return ""
	}
	if len(top.Required) > 0 {
		return "{}"
	}
	const unknown = "mcpgenUnexpectedProperty"
	if _, ok := top.Properties[unknown]; !ok && string(top.AdditionalProperties) == "false" {
		return `{"` + unknown + `":true}`
	}
	return ""
}

// defOf is the shared definition a type's pointer is in ("Note" for
// "#/paths/~1notes/post/$defs/Note/properties/x"), or "".
func defOf(ptr string) string {
	_, rest, ok := strings.Cut(ptr, "/$defs/")
	if !ok {
		return ""
	}
	return rest
}

// schemaProblems are what checkSchemas found: each tool's, by its index in
// the import's tools and by role, and the shared definitions'.
type schemaProblems struct {
	input, output map[int][]manifest.Problem
	defs          []manifest.DefProblem
	// overrun is set when the checks ran out of their budget: then
	// nothing else they found counts.
	overrun bool
}

// checkSchemas runs the manifest's checks of tool schemas on every schema
// the import made, as the last guard: the MCP SDK panics at start on a
// schema that fails them. A failure here means the document has a
// construct the importer does not translate (see schemaProblems.late for
// what becomes of it).
//
// The schemas are checked in a few large batches, at once: the shared
// definitions in two, checked once however many tools use them, and the
// tools' schemas in the others, each batch a schema whose properties are
// what the tools' schemas are made of, each once (schemaParts), and whose
// definitions are stand-ins (the importer checked the defaults that reach
// them already). Only when that finds a problem are the tools' schemas
// checked one by one, to say which tool's it is. early holds the input
// schemas taken apart while the import went on (see Build); a tool it
// lacks is taken apart here. exact (Options.Exact) skips the parts and
// checks the tools' schemas one by one, as the MCP SDK would.
//
// The checks share budget, what is left of the document's work budget
// after the import: past it, they stop (see schemaProblems.late).
func checkSchemas(res *openapi.Result, early []madeTool, budget *manifest.Budget, exact bool) *schemaProblems {
	found := &schemaProblems{input: make(map[int][]manifest.Problem), output: make(map[int][]manifest.Problem)}
	var wg sync.WaitGroup
	// The shared definitions, in two batches: those the input schemas
	// reach, which the server resolves, and the rest (reached only from
	// output schemas), checked without the SDK's steps, with stand-ins for
	// the first.
	reached := inputDefs(res)
	defs := make([]manifest.Def, len(res.API.Defs))
	names := make([]string, len(res.API.Defs))
	stubs := []byte(`{`)
	for i, d := range res.API.Defs {
		defs[i] = manifest.Def{Name: d.Name, Schema: d.Schema}
		names[i] = d.Name
		name, _ := json.Marshal(d.Name)
		if i > 0 {
			stubs = append(stubs, ',')
		}
		stubs = append(stubs, name...)
		stubs = append(stubs, ":{}"...)
	}
	stubs = append(stubs, '}')
	var defProblems [2][]manifest.DefProblem
	for i, unresolved := range []bool{false, true} {
		wg.Go(func() {
			defProblems[i] = manifest.CheckDefs(defs, func(name string) bool { return reached[name] != unresolved }, &manifest.CheckOptions{Unresolved: unresolved, Budget: budget, Exact: exact})
		})
	}

	// The input schemas, then the output schemas. The server resolves
	// only the input schemas (with the definitions they reach), at start;
	// the output schemas are shown to clients and never resolved
	// (runtime/upstream.AddTool), so the SDK's own steps, the costliest of
	// the checks, are not run on them. The input schemas skip them at
	// first too: those run once on each distinct part of the inputs (see
	// resolvesLikeSDK), and on the whole schemas only if that finds a
	// problem.
	//
	// Each role's schemas are checked as the distinct parts and roots they
	// are made of (see schemaParts), and only if that finds a problem,
	// checked again tool by tool, for messages that say where.
	var inputParts [][]byte
	var sound [2]bool
	for i, output := range []bool{false, true} {
		if exact {
			break
		}
		var parts, roots [][]byte
		if output {
			parts, roots = schemaParts(toolSchemas(res, output), false)
		} else {
			splits := make([]schemaSplit, len(res.Tools))
			for i, t := range res.Tools {
				splits[i] = madeFor(early, i, t).split
			}
			parts, roots = mergeParts(splits)
			inputParts = parts
		}
		batch := propertiesBatch(append(parts, roots...), stubs)
		wg.Go(func() {
			sound[i] = len(manifest.CheckSchema(batch, &manifest.CheckOptions{Unresolved: true, Budget: budget})) == 0
		})
	}
	// The SDK's steps take longest: they run in as many pieces as there
	// are CPUs.
	n := max(1, runtime.GOMAXPROCS(0))
	resolves := make([]bool, n) // all false when exact: checked whole below
	if !exact {
		per := (len(inputParts) + n - 1) / n
		for i := range n {
			piece := inputParts[min(i*per, len(inputParts)):min((i+1)*per, len(inputParts))]
			wg.Go(func() { resolves[i] = resolvesLikeSDK(piece, stubs) })
		}
	}
	wg.Wait()
	found.defs = append(defProblems[0], defProblems[1]...)
	inputsResolve := !slices.Contains(resolves, false)
	if budget.Spent() {
		found.overrun = true
		return found
	}

	// A problem found: the schemas, tool by tool, for where it is.
	var mu sync.Mutex
	for i, output := range []bool{false, true} {
		if sound[i] && (output || inputsResolve) {
			continue
		}
		list, byTool := toolSchemas(res, output), found.input
		if output {
			byTool = found.output
		}
		opts := &manifest.CheckOptions{Part: true, Defs: names, Unresolved: output || inputsResolve, Budget: budget, Exact: exact}
		per := (len(list) + n - 1) / n
		for start := 0; start < len(list); start += per {
			wg.Go(func() {
				for j := start; j < min(start+per, len(list)); j++ {
					if list[j] == nil {
						continue
					}
					if p := manifest.CheckSchema(list[j], opts); len(p) > 0 {
						mu.Lock()
						byTool[j] = p
						mu.Unlock()
					}
				}
			})
		}
	}
	wg.Wait()
	found.overrun = budget.Spent()
	return found
}

// unusable is the message for a problem the last checks found in a schema
// made for tool t, in role ("input" or "output"), or of the shared
// definition def when t is nil.
func unusable(t *ir.Tool, role, def string, p manifest.Problem) string {
	what := "the schema made of " + def
	if t != nil {
		what = fmt.Sprintf("the %s schema made for tool %q", role, t.Name)
	}
	at := p.Pointer
	if len(at) > maxAt {
		// A schema nested too deep is reported at its depth: the start of
		// the way there says where.
		at = at[:strings.LastIndexByte(at[:maxAt], '/')] + "/…"
	}
	return fmt.Sprintf("%s is not usable: %s (at %s)", what, p.Msg, at)
}

// maxAt is how much of a pointer into a schema a message shows.
const maxAt = 80

// unsupported is the hint of the errors the last checks find.
const unsupported = "this construct of the document is not supported; exclude the operations that use it, or report it to mcpgen"

// errors are the problems found, each an error at the operation or the
// definition of the document it came from.
func (found *schemaProblems) errors(doc *loader.Document, res *openapi.Result) diag.List {
	return append(found.toolErrors(doc, res), found.defErrors(doc, res)...)
}

// toolErrors are the problems found in the tools' schemas, as errors.
func (found *schemaProblems) toolErrors(doc *loader.Document, res *openapi.Result) diag.List {
	var diags diag.List
	for i, t := range res.Tools {
		for _, role := range []string{"input", "output"} {
			byTool := found.input
			if role == "output" {
				byTool = found.output
			}
			for _, p := range byTool[i] {
				ptr := t.Op.Pointer
				diags.Add(doc.Pos(ptr), ptr, "%s", unusable(t, role, "", p)).Hint = unsupported
			}
		}
	}
	return diags
}

// defErrors are the problems found in the shared definitions, as errors.
func (found *schemaProblems) defErrors(doc *loader.Document, res *openapi.Result) diag.List {
	var diags diag.List
	for _, p := range found.defs {
		ptr := res.DefPointer(p.Def)
		diags.Add(doc.Pos(ptr), ptr, "%s", unusable(nil, "", p.Def, p.Problem)).Hint = unsupported
	}
	return diags
}

// toolNames hands out the package-level Go names and the handler files of
// the imported tools, after the manifest's tools and the generated code
// have taken theirs, and knows who holds each name, for messages.
type toolNames struct {
	f       *manifest.File
	doc     *loader.Document
	res     *openapi.Result
	claimed func(string) bool
	claim   func(name, what string) bool
	// reserved are the names the generated code declares (Options.Reserved).
	reserved map[string]string
	// holders are who took each name: a tool of the manifest, or an
	// imported tool (their positions are looked up only for messages).
	holders map[string]holder
}

// holder is who holds a name.
type holder struct {
	what     string
	manifest *ir.Tool // a tool of the manifest
	imported *ir.Tool // an imported tool
}

func newToolNames(f *manifest.File, doc *loader.Document, res *openapi.Result, declared []*ir.Tool, claimed func(string) bool, claim func(name, what string) bool) *toolNames {
	tn := &toolNames{f: f, doc: doc, res: res, claimed: claimed, claim: claim, holders: make(map[string]holder)}
	for _, t := range declared {
		add := func(name, what string) {
			if name != "" && name != "file:" {
				tn.holders[name] = holder{what: what, manifest: t}
			}
		}
		for _, d := range t.Types {
			for _, name := range d.Names {
				add(name, "its type for "+d.Pointer)
			}
		}
		add(t.GoName, "its handler method")
		add(t.InputType, "its input type")
		add(t.OutputType, "its output type")
		add("file:"+t.HandlerFile, "its handler file")
	}
	return tn
}

// claimAll gives each imported tool its Go name (GoName, and for a custom
// tool InputType, HandlerFile and Types, from typesOf), claiming every
// package-level name and file that goes with it. It is the one place where
// these names are handed out; a tool whose names are taken is left without
// a GoName.
//
// A custom tool's names are the user's: the handler method, its input type
// and its types, and the file they write their code in. So a custom tool
// tries one set of names, and a taken one is an error that cites both
// holders, never a silent suffix. The custom tools claim first, types and
// all, so that their names never lose to another tool's. Any other tool's
// Go name only makes unexported names of generated code (its operation
// variable and schema constants), so a taken one is followed by the first
// free number: Ping2, Ping3, ….
//
// It ends: a custom tool makes one attempt. Any other tries a new name
// each time, claimed changes only after the search, and there are finitely
// many names taken, so one of the first (that number + 1) attempts is free.
func (tn *toolNames) claimAll(tools []*ir.Tool, typesOf func(*ir.Tool) []gotype.Decl) diag.List {
	var diags diag.List
	declared := make(map[string]string) // type name → the definition it declares
	for _, custom := range []bool{true, false} {
		for _, t := range tools {
			if t.Op.Custom != custom {
				continue
			}
			base := names.Exported(t.Name)
			if !custom {
				goName := base
				for n := 2; tn.claimed(goName); n++ {
					goName = base + strconv.Itoa(n)
				}
				tn.take(t, goName, "its generated code")
				t.GoName = goName
				continue
			}
			wanted := []struct{ name, what string }{
				{"file:" + names.Snake(t.Name) + "_tool.go", "its handler file"},
				{base, "its handler method"},
				{base + "Input", "its input type"},
				{"Call" + base, "the function that calls its operation"},
			}
			// The first name taken is reported: the others are most
			// often taken by the same tool.
			if i := slices.IndexFunc(wanted, func(w struct{ name, what string }) bool { return tn.claimed(w.name) }); i >= 0 {
				tn.collision(&diags, t, wanted[i].name, wanted[i].what)
				continue
			}
			for _, w := range wanted {
				tn.take(t, w.name, w.what)
			}
			t.GoName = base
			t.InputType = base + "Input"
			t.HandlerFile = names.Snake(t.Name) + "_tool.go"
			for _, d := range typesOf(t) {
				def := defOf(d.Pointer)
				if prev, ok := declared[d.Name]; ok && def != "" && prev == def {
					continue // declared for an earlier custom tool
				}
				ok := true
				for _, name := range d.Names {
					if name != t.InputType && !tn.claimType(t, name, d.Pointer, &diags) {
						ok = false
					}
				}
				if ok {
					declared[d.Name] = def
					t.Types = append(t.Types, d)
				}
			}
		}
	}
	return diags
}

// claimType claims name, a type the custom tool t's arguments need, for
// the schema at ptr; a type taken is an error citing its holder.
func (tn *toolNames) claimType(t *ir.Tool, name, ptr string, diags *diag.List) bool {
	what := "its type for " + ptr
	if tn.claimed(name) {
		tn.collision(diags, t, name, what)
		return false
	}
	tn.take(t, name, what)
	return true
}

// take claims name for the imported tool t.
func (tn *toolNames) take(t *ir.Tool, name, what string) {
	tn.claim(name, fmt.Sprintf("tool %q (%s%s)", t.Name, tn.res.API.Spec, t.Op.Pointer))
	tn.holders[name] = holder{what: what, imported: t}
}

// collision reports that the imported tool t needs name for what, and
// that another holds it: at where t's name comes from, citing where the
// holder is (or, for a name of the generated code, where t is made
// custom, the other way out).
func (tn *toolNames) collision(diags *diag.List, t *ir.Tool, name, what string) {
	origin := tn.res.Origin(t)
	pos := tn.doc.Pos(origin.NamePointer)
	if origin.NameInManifest {
		pos = tn.f.Pos(origin.NamePointer)
	}
	need := fmt.Sprintf("custom tool %q needs the Go name %s for %s", t.Name, name, what)
	if file, ok := strings.CutPrefix(name, "file:"); ok {
		need = fmt.Sprintf("custom tool %q needs the handler file %s", t.Name, file)
	}
	h, ok := tn.holders[name]
	var d *diag.Diagnostic
	switch {
	case ok && h.manifest != nil:
		d = diags.Add(pos, origin.NamePointer, "%s, which tool %q of the manifest (%s %s) already takes for %s", need, h.manifest.Name, h.manifest.Pos, h.manifest.Pointer, h.what)
		d.Hint = "rename one of them"
	case ok && h.imported != nil:
		ho := tn.res.Origin(h.imported)
		hpos := tn.doc.Pos(ho.NamePointer)
		if ho.NameInManifest {
			hpos = tn.f.Pos(ho.NamePointer)
		}
		d = diags.Add(pos, origin.NamePointer, "%s, which tool %q (%s %s) already takes for %s", need, h.imported.Name, hpos, ho.NamePointer, h.what)
		d.Hint = "rename one of them"
	default:
		// A name the generated code declares (reserved).
		of := "the generated code declares"
		if r, ok := tn.reserved[name]; ok {
			of += " (" + r + ")"
		}
		d = diags.Add(pos, origin.NamePointer, "%s, which %s", need, of)
		d.Hint = "rename the tool, or serve it without custom: true"
		if p := origin.CustomPointer; p != "" {
			cpos := tn.doc.Pos(p)
			if origin.CustomInManifest {
				cpos = tn.f.Pos(p)
			}
			d.Hint += fmt.Sprintf(" (%s %s)", cpos, p)
		}
	}
}

// providerScopes are the scopes the runtime asks for at sign-in when the
// manifest names none (runtime/oauth's defaults): those that tell it who
// signed in.
func providerScopes(provider string) []string {
	if provider == "github" {
		return []string{"read:user", "user:email"}
	}
	return []string{"email", "openid", "profile"}
}
