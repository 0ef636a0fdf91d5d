package loader

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// Options control loading; nil means defaults.
type Options struct {
	// ReadFile reads the files the document's $refs name, by slash-separated
	// path relative to the document's directory. Nil refuses external refs.
	ReadFile func(name string) ([]byte, error)

	// SkipValidation skips kin-openapi's validation of the loaded document,
	// and with it the warnings it would give.
	SkipValidation bool

	// Isolate loads past defects confined to a part of the document,
	// rather than stopping at them: a $ref that does not resolve is taken
	// out and marked (see Document.Unresolved) for the importer to leave
	// out what uses it, and a schema's examples that are not a list, and
	// nulls in a list of schemas (allOf, anyOf, oneOf), are dropped, with a
	// warning. Without it, any of them stops the load, at its position.
	Isolate bool

	// Exact loads the document with kin-openapi's own decoding and $ref
	// resolution alone, leaving out the quicker paths that mirror them (the
	// typed decoder, the linking of $refs, the split of a JSON document into
	// entries decoded concurrently). The result is the same, only slower:
	// it is there to check those paths, and to rule them out of a bug.
	Exact bool
}

// Document is a loaded OpenAPI document.
type Document struct {
	// T is the document in OpenAPI 3 form (a Swagger 2.0 document converted),
	// every $ref resolved.
	T *openapi3.T
	// Version is the version the document declares ("2.0", "3.0.3", "3.1.0").
	Version string
	// Path is the document's path, as given to Load.
	Path string
	// Source is the document's text, as given to Load.
	Source []byte

	readFile func(name string) ([]byte, error)
	isolate  bool
	exact    bool
	// declined are the entries the typed decoder declined (see Declined).
	declined []string
	// isolated is the tree defects are taken out of, and unresolved the
	// $refs taken out (see isolate.go).
	isolated   *yaml.Node
	unresolved []Unresolved
	paths      []string // in source order
	order      []Operation
	warnings   diag.List // found while loading
	// linked are the schema $refs linked before ResolveRefsIn (see
	// linkRefs), which validation leaves out.
	linked []*openapi3.SchemaRef
	// linkedAll is set when linking left nothing for ResolveRefsIn to do,
	// which then did not run.
	linkedAll bool
	// validating is held by validateWith, which points the linked $refs
	// elsewhere while it runs.
	validating sync.Mutex

	// text is the document's text after any byte order mark, as a string:
	// the JSON parser's, whose strings the document shares, and the
	// position index's.
	text string

	// The position index, built by the first call to Pos.
	indexOnce sync.Once
	index     *index
}

// Operation is an operation of the document, as Operations lists them.
type Operation struct {
	// Path is the operation's path template ("/pets/{petId}").
	Path string
	// Method is the HTTP method in upper case ("GET").
	Method string
	// Operation is the operation in T.
	Operation *openapi3.Operation
	// Pointer locates the operation in the document ("#/paths/~1pets/get").
	Pointer string
}

// Operations returns the document's operations in the order the document
// lists them (kin-openapi's maps have no order of their own).
func (d *Document) Operations() []Operation {
	return d.order
}

// Declined returns the JSON pointers of the path items and components the
// typed decoder declined, which kin-openapi's decoder read instead: nothing
// is lost, but each is slower, and a document with many says where the
// typed decoder falls short. It is empty when loaded with Options.Exact.
func (d *Document) Declined() []string {
	return d.declined
}

// PathOrder returns the document's paths in the order the document lists
// them, those without operations too.
func (d *Document) PathOrder() []string {
	return d.paths
}

// Load reads the document at path, whose content is data. Problems that do
// not stop generation (kin-openapi validation findings) come back as
// warnings; a document that cannot be loaded comes back nil, with errors.
func Load(path string, data []byte, opts *Options) (*Document, diag.List) {
	if opts == nil {
		opts = &Options{}
	}
	d := &Document{Path: path, Source: data, readFile: opts.ReadFile, isolate: opts.Isolate, exact: opts.Exact}
	var diags diag.List
	if err := d.load(); err != nil {
		var le *loadError
		if errors.As(err, &le) {
			diags.Add(le.pos, le.pointer, "%s", le.msg).Hint = le.hint
		} else {
			diags.Add(diag.Pos{File: path}, "", "%v", err)
		}
		return nil, diags
	}
	diags = append(diags, d.warnings...)
	if !opts.SkipValidation {
		diags = append(diags, d.Validate()...)
	}
	return d, diags
}

// loadError is a problem that stops loading, where it is known.
type loadError struct {
	pos     diag.Pos
	pointer string
	msg     string
	hint    string
}

func (e *loadError) Error() string { return e.msg }

func (d *Document) errorAt(pointer, hint, format string, args ...any) error {
	return &loadError{pos: d.Pos(pointer), pointer: pointer, msg: fmt.Sprintf(format, args...), hint: hint}
}

func (d *Document) load() error {
	data := bytes.TrimPrefix(d.Source, []byte("\xef\xbb\xbf"))
	// JSON is parsed with the path items and components left as ranges of
	// text for decodeDocument's workers to parse (see parseJSONSplit); YAML
	// has to be parsed whole.
	var root *yaml.Node
	var err error
	p := &parsed{}
	switch {
	case isJSON(data) && d.exact:
		d.text = string(data)
		root, err = parseJSON(data, false)
	case isJSON(data):
		d.text = string(data)
		root, p.jobs, p.order, p.ok, err = parseJSONSplit(d.text)
		if err != nil {
			_, err = parseJSON(data, false) // for the first error, in order
		}
		p.split = true
	default:
		root, err = parseYAML(data)
		if err == nil {
			// The YAML parser's tree has the positions, and decoding leaves
			// it whole: it is the position index, rather than parsing the
			// document again (the slowest step of loading YAML) when Pos is
			// first called, as the importer always does.
			d.indexOnce.Do(func() { d.index = newIndex(root) })
		}
	}
	if err != nil {
		return d.syntaxError(err)
	}
	if root.Kind != yaml.MappingNode {
		return &loadError{pos: diag.Pos{File: d.Path},
			msg:  fmt.Sprintf("not an OpenAPI document: the top level is %s, not a mapping", kindName(root)),
			hint: `an OpenAPI document starts with "openapi: 3.x.y" (or "swagger: \"2.0\"")`}
	}
	openapiVersion, swaggerVersion := scalar(root, "openapi"), scalar(root, "swagger")
	for _, key := range []string{"openapi", "swagger"} {
		if v := lookup(root, key); v != nil && v.Kind != yaml.ScalarNode {
			return d.errorAt("#/"+key, `write it as a string, e.g. "3.1.0"`, "the %s version is %s, not a string", key, kindName(v))
		}
	}
	switch {
	case swaggerVersion != nil && openapiVersion == nil:
		d.Version = swaggerVersion.Value
		if d.Version != "2.0" {
			return d.errorAt("#/swagger", `mcpgen reads Swagger 2.0 and OpenAPI 3.0 and 3.1`, "unsupported Swagger version %q", d.Version)
		}
		return d.loadV2(data, root, p)
	case openapiVersion != nil:
		d.Version = openapiVersion.Value
		if !strings.HasPrefix(d.Version, "3.0") && !strings.HasPrefix(d.Version, "3.1") {
			return d.errorAt("#/openapi", `mcpgen reads OpenAPI 3.0 and 3.1 (and Swagger 2.0)`, "unsupported OpenAPI version %q", d.Version)
		}
		return d.loadV3(data, root, p)
	default:
		return &loadError{pos: diag.Pos{File: d.Path}, msg: `not an OpenAPI document: it has no "openapi" or "swagger" version field`,
			hint: `an OpenAPI document starts with "openapi: 3.x.y" (or "swagger: \"2.0\"")`}
	}
}

// isJSON reports whether data is to be read as JSON: an object, which is
// what an OpenAPI document is, starts with a brace. Anything else is read as
// YAML (of which JSON is nearly a subset).
func isJSON(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// parse reads data, JSON or YAML, into its top-level node.
func parse(data []byte, positions bool) (*yaml.Node, error) {
	if isJSON(data) {
		return parseJSON(data, positions)
	}
	return parseYAML(data)
}

func (d *Document) syntaxError(err error) error {
	if errors.Is(err, errEmpty) {
		return &loadError{pos: diag.Pos{File: d.Path}, msg: "the document is empty", hint: `an OpenAPI document starts with "openapi: 3.x.y" (or "swagger: \"2.0\"")`}
	}
	var se *syntaxError
	if errors.As(err, &se) {
		line, col := lineCol(d.Source, se.off+bomLen(d.Source))
		return &loadError{pos: diag.Pos{File: d.Path, Line: line, Col: col}, msg: "invalid JSON: " + se.msg}
	}
	var ag *aliasGrowthError
	if errors.As(err, &ag) {
		return &loadError{pos: diag.Pos{File: d.Path, Line: ag.at.Line, Col: ag.at.Column}, msg: "invalid document: " + ag.Error(),
			hint: "write a repeated schema once, under components, and refer to it with $ref"}
	}
	var dup *dupKeyError
	if errors.As(err, &dup) {
		return &loadError{pos: diag.Pos{File: d.Path, Line: dup.key.Line, Col: dup.key.Column}, msg: "invalid YAML: " + dup.Error(),
			hint: "keep one of the two"}
	}
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return &loadError{pos: diag.Pos{File: d.Path, Line: le.Mark.Line, Col: le.Mark.Column}, msg: "invalid YAML: " + le.Message}
	}
	return &loadError{pos: diag.Pos{File: d.Path}, msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
}

func bomLen(data []byte) int {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return 3
	}
	return 0
}

// parsed is what parseJSONSplit left for the decoders: the document's path
// items and component entries, unparsed, and the paths in order.
type parsed struct {
	split bool // root is a stub, and jobs hold the rest
	jobs  []job
	order []string
	ok    bool // false: a section repeats a key (see split)
}

// full returns the whole tree of the document whose top level is root.
func (p *parsed) full(data []byte, root *yaml.Node) (*yaml.Node, error) {
	if !p.split {
		return root, nil
	}
	return parseJSON(data, false)
}

func (d *Document) loadV3(data []byte, root *yaml.Node, p *parsed) error {
	var dec *decoded
	var order []string
	var err error
	if p.split && p.ok {
		order = p.order
		dec, err = decodeSplit(root, p.jobs)
	} else {
		if root, err = p.full(data, root); err != nil {
			return d.syntaxError(err)
		}
		dec, order, err = decodeDocument(root, d.exact)
	}
	if se := (*syntaxError)(nil); errors.As(err, &se) {
		// In an entry a worker parsed: parse the whole document for the
		// first error in it, which may come before.
		if _, perr := parseJSON(data, false); perr != nil {
			err = perr
		}
		return d.syntaxError(err)
	}
	if err != nil && isJSON(data) {
		// kin-openapi reads a JSON document that YAML cannot decode (one
		// with a repeated key, say) with encoding/json; so does this.
		var doc openapi3.T
		if json.Unmarshal(data, &doc) == nil {
			dec, err = &decoded{t: &doc}, nil
			if full, perr := p.full(data, root); perr == nil {
				order, dec.keys = pathOrder(full), pathKeys(full, nil)
			}
		}
	}
	if err != nil && d.isolate && d.dropExamples() {
		dec, order, err = decodeDocument(d.isolated, d.exact)
	}
	if err != nil {
		return d.decodeError(err)
	}
	t := dec.t
	if strings.HasPrefix(d.Version, "3.1") {
		// What the stub left out is looked at too: this parses a JSON
		// document a second time, which only 3.1 documents pay.
		full, err := p.full(data, root)
		if err != nil {
			return d.syntaxError(err)
		}
		more, err := d.check31(full)
		if err != nil {
			return err
		}
		d.warnings = append(d.warnings, more...)
	}
	// A document the decoder read whole, every $ref linked, is resolved
	// already: in OpenAPI 3.0, where a $ref has nothing next to it, what
	// ResolveRefsIn would still do is walk it all. (TestLinkRefs compares
	// the two.)
	for {
		d.linkedAll = dec.resolved && strings.HasPrefix(d.Version, "3.0")
		if d.linkedAll {
			break
		}
		err := d.resolve(func(l *openapi3.Loader, loc *url.URL) error { return l.ResolveRefsIn(t, loc) })
		if err == nil {
			break
		}
		if !d.isolate {
			if nerr := d.nullSchemaError(); nerr != nil {
				return nerr
			}
			return err
		}
		if !d.isolateRef(err) && !d.dropNullSchemas() {
			return err
		}
		// Decoded again without the $ref: ResolveRefsIn leaves a
		// document half resolved when it fails.
		if dec, order, err = decodeDocument(d.isolated, d.exact); err != nil {
			return d.decodeError(err)
		}
		t = dec.t
	}
	d.T, d.linked, d.declined = t, dec.linked, dec.declined
	order = unique(order)
	d.paths, d.order = order, operationOrder(t, order, dec.keys)
	return nil
}

func (d *Document) loadV2(data []byte, root *yaml.Node, p *parsed) error {
	root, err := p.full(data, root)
	if err != nil {
		return d.syntaxError(err)
	}
	// encoding/json matches keys to fields regardless of case, so that
	// "HOST" would be taken for "host": such keys are dropped, with a
	// warning, and the document decoded from what is left.
	dropped := false
	if c := shapeCheck(root, true, true); len(c.caseKeys) > 0 {
		if isJSON(data) {
			// The tree has no positions; the warnings need them.
			if root, err = parseJSON(data, true); err != nil {
				return d.syntaxError(err)
			}
			c = shapeCheck(root, true, true)
		}
		d.dropCaseKeys(c.caseKeys)
		dropped = true
	}
	var doc2 openapi2.T
	if isJSON(data) && !dropped {
		if err := json.Unmarshal(data, &doc2); err != nil {
			return d.decodeError(err)
		}
	} else {
		if err := decodeV2(root, &doc2); err != nil {
			return d.decodeError(err)
		}
	}
	var t *openapi3.T
	for {
		err = d.resolve(func(l *openapi3.Loader, loc *url.URL) error {
			var err error
			t, err = openapi2conv.ToV3WithLoader(&doc2, l, loc)
			return err
		})
		if err == nil {
			break
		}
		if !d.isolate {
			if nerr := d.nullSchemaError(); nerr != nil {
				return nerr
			}
			return err
		}
		if !d.isolateRef(err) && !d.dropNullSchemas() {
			return err
		}
		// Converted again from the tree without the $ref or the nulls.
		doc2 = openapi2.T{}
		if err := decodeV2(d.isolated, &doc2); err != nil {
			return d.decodeError(err)
		}
	}
	fixV2(&doc2, t)
	d.T = t
	order := pathOrder(root)
	d.paths, d.order = order, operationOrder(t, order, pathKeys(root, nil))
	return nil
}

// decodeV2 decodes a Swagger 2.0 document from its tree. Swagger 2.0
// documents decode through JSON only: this goes through the tree, already
// read, rather than the text.
func decodeV2(root *yaml.Node, doc2 *openapi2.T) error {
	var v any
	if err := root.Decode(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, doc2)
}

// dropCaseKeys warns about each key of keys, which differs from a field
// name only by case, and takes it out of the tree.
func (d *Document) dropCaseKeys(keys []caseKey) {
	for _, k := range keys {
		p := diag.Pointer(k.tokens...)
		d.warnings.Warn(diag.Pos{File: d.Path, Line: k.key.Line, Col: k.key.Column}, p, "unknown field %q is ignored", k.key.Value).Hint =
			fmt.Sprintf("field names are case-sensitive: did you mean %q?", k.field)
	}
	removeKeys(keys)
}

// removeKeys takes keys out of the tree.
func removeKeys(keys []caseKey) {
	drop := make(map[*yaml.Node]bool, len(keys))
	for _, k := range keys {
		drop[k.key] = true
	}
	for _, k := range keys {
		n := k.parent
		content := n.Content[:0:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !drop[n.Content[i]] {
				content = append(content, n.Content[i], n.Content[i+1])
			}
		}
		n.Content = content
	}
}

// decodeError reports a document whose structure kin-openapi cannot decode
// (a string where a mapping belongs, say). Decoding threw the positions away
// for speed, so the document is parsed again, with them, and checked against
// the object model for the node that does not fit (see shapeCheck).
func (d *Document) decodeError(err error) error {
	root, perr := parse(bytes.TrimPrefix(d.Source, []byte("\xef\xbb\xbf")), true)
	if perr == nil {
		if m := shapeCheck(root, d.Version == "2.0", false).first; m != nil {
			n := m.node
			if m.key != nil && n.Kind != yaml.ScalarNode {
				n = m.key
			}
			return &loadError{pos: diag.Pos{File: d.Path, Line: n.Line, Col: n.Column}, pointer: diag.Pointer(m.tokens...), msg: m.reason(), hint: m.hint()}
		}
		if d.Version != "2.0" {
			// Decoded again, with positions, for where kin-openapi fails.
			var doc openapi3.T
			if derr := root.Decode(&doc); derr != nil {
				err = derr
			}
		}
	}
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 0 {
		err = les.Errors[0]
	}
	// The innermost load error says what, and where.
	var found *yaml.LoadError
	for e := err; e != nil; {
		var le *yaml.LoadError
		if !errors.As(e, &le) {
			break
		}
		found, e = le, errors.Unwrap(le)
	}
	pos, msg := diag.Pos{File: d.Path}, strings.TrimPrefix(err.Error(), "yaml: ")
	if found != nil {
		pos.Line, pos.Col, msg = found.Mark.Line, found.Mark.Column, found.Message
	} else if _, rest, ok := strings.Cut(msg, "line "); ok {
		fmt.Sscanf(rest, "%d", &pos.Line)
	}
	if goish(msg) {
		// What the check above does not catch, kin-openapi's decoders say
		// in terms of Go types.
		msg = "a value here is not of the type the specification expects"
	}
	return &loadError{pos: pos, msg: "cannot read the document: " + msg}
}

// goish reports whether a decoder's message speaks of Go types.
func goish(msg string) bool {
	for _, s := range []string{"cannot construct", "cannot unmarshal", "json:", "openapi3.", "openapi2.", "Go struct", "Go value", "of type "} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// resolve runs fn, which resolves the $refs of a document, with a kin-openapi
// loader that reads external files through Options.ReadFile, and turns its
// failure into an error that says which $ref, and where.
func (d *Document) resolve(fn func(*openapi3.Loader, *url.URL) error) error {
	l := openapi3.NewLoader()
	// Refs resolve against the document's base name, so that a path kin
	// joins to it is relative to the document's directory, ".." kept.
	loc := &url.URL{Path: path.Base(strings.ReplaceAll(d.Path, "\\", "/"))}
	var refused *refusal
	l.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		var err error
		hint := ""
		switch {
		case u.Scheme != "" || u.Host != "":
			err = errors.New("only files next to the document are read, not URLs")
			hint = "save the file next to the document and refer to it by a relative path"
		case d.readFile == nil:
			err = errors.New("this document may not refer to other files")
		default:
			var b []byte
			if b, err = d.readFile(u.Path); err == nil {
				return b, nil
			}
			if u.Path == ".." || strings.HasPrefix(u.Path, "../") {
				hint = "a $ref may only name files in the document's directory or below it"
			}
		}
		refused = &refusal{url: u, err: err, hint: hint}
		return nil, err
	}
	err := fn(l, loc)
	if err == nil {
		return nil
	}
	return d.refError(err, refused)
}

// operationOrder lists t's operations in the order of the source: paths as
// order has them, methods as keys, the keys of each path item, do.
func operationOrder(t *openapi3.T, order []string, keys map[string][]string) []Operation {
	if t.Paths == nil {
		return nil
	}
	var ops []Operation
	for _, p := range order {
		item := t.Paths.Value(p)
		if item == nil {
			continue
		}
		byMethod := item.Operations()
		seen := make(map[string]bool)
		add := func(m string) {
			if op := byMethod[m]; op != nil && !seen[m] {
				seen[m] = true
				ops = append(ops, Operation{Path: p, Method: m, Operation: op, Pointer: diag.Pointer("paths", p, strings.ToLower(m))})
			}
		}
		for _, m := range keys[p] {
			add(strings.ToUpper(m))
		}
		// A path item that is a $ref, or merges another: its methods are not
		// in its node, so they follow in kin-openapi's (alphabetical) order.
		for _, m := range sortedKeys(byMethod) {
			add(m)
		}
	}
	return ops
}

// pathOrder returns the paths of the document whose top level is root, in
// order, once each.
func pathOrder(root *yaml.Node) []string {
	var order []string
	if paths := mapping(root, "paths"); paths != nil {
		for i := 0; i+1 < len(paths.Content); i += 2 {
			if k := paths.Content[i].Value; !strings.HasPrefix(k, "x-") {
				order = append(order, k)
			}
		}
	}
	return unique(order)
}

// unique returns s without repeats, in order: a key a JSON document repeats
// names one path (the last one wins, as in kin-openapi).
func unique(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// scalar returns the scalar value of key in the mapping n, or nil.
func scalar(n *yaml.Node, key string) *yaml.Node {
	v := lookup(n, key)
	if v == nil || v.Kind != yaml.ScalarNode {
		return nil
	}
	return v
}

// mapping returns the mapping value of key in the mapping n, or nil.
func mapping(n *yaml.Node, key string) *yaml.Node {
	v := lookup(n, key)
	if v != nil && v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	if v == nil || v.Kind != yaml.MappingNode {
		return nil
	}
	return v
}

func lookup(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return "a string"
		case "!!bool":
			return "a boolean"
		default:
			return "a number"
		}
	}
	return "an alias"
}

// Validate runs kin-openapi's validation with the checks that matter to a
// generator, and reports what it finds as warnings: what Load does unless
// Options.SkipValidation is set.
//
// While it runs, the schema $refs linked on loading point at an empty
// schema (see validateWith), and it puts them back before it returns: it
// must not run while anything else reads the document.
func (d *Document) Validate() diag.List {
	return d.validateWith(context.Background())
}
