// Package manifest reads mcpgen.yaml: strict decoding into Go types that
// keeps the position of every node, validation that reports every problem
// at once as "file:line:col: json-pointer: reason", and the manifest's own
// JSON Schema.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// File is a loaded manifest and where each of its nodes came from.
type File struct {
	// Filename is the manifest's path as given to Load.
	Filename string
	// Manifest is the decoded content. When Load reported errors it holds
	// what could be decoded.
	Manifest *Manifest
	// Exact makes Validate decode schemas as the MCP SDK does with
	// json.Unmarshal alone (see DecodeSDKSchema), for the generator's
	// Exact option.
	Exact bool

	// values maps the JSON pointer of every decoded node, schema nodes
	// included, to the position of its value; keys maps the pointer of
	// every mapping member to the position of its key.
	values, keys map[string]diag.Pos
	// broken holds the pointers at which Load reported an error, and the
	// schemas it could not convert, so that Validate does not report the
	// same nodes again.
	broken map[string]bool
}

// Pos returns the position of the value at pointer, or of its nearest
// ancestor that has one: a missing key points at the mapping that lacks it.
// Without any, it returns a position that holds the file name only.
func (f *File) Pos(pointer string) diag.Pos {
	for p := pointer; ; {
		if pos, ok := f.values[p]; ok {
			return pos
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return diag.Pos{File: f.Filename}
		}
		p = p[:i]
	}
}

// KeyPos returns the position of the key that names the mapping member at
// pointer ("#/tools/0/inputSchema/properties/code" points at "code:"). For
// a node that is not a mapping member, such as a list item, it returns
// Pos(pointer).
func (f *File) KeyPos(pointer string) diag.Pos {
	if pos, ok := f.keys[pointer]; ok {
		return pos
	}
	return f.Pos(pointer)
}

// isBroken reports whether Load reported an error at ptr or at one of its
// ancestors.
func (f *File) isBroken(ptr string) bool {
	for p := ptr; ; {
		if f.broken[p] {
			return true
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}

// Limits that keep a hostile manifest from exhausting the generator.
const (
	// maxAliasNodes bounds the nodes that aliases may add by repeating
	// anchored content: an alias bomb (each level doubling the last) is
	// refused after this many instead of exhausting memory.
	maxAliasNodes = 100_000
	// maxManifestDepth bounds how deeply the manifest's nodes nest,
	// aliases followed. It is well above SDKMaxDepth, so that a schema
	// the SDK would refuse is reported by the schema checks, at the node
	// that is too deep, rather than as a manifest too deep to read.
	maxManifestDepth = 2_000
	// maxSchemaBytes bounds the JSON that schemas expand to, in addition
	// to four bytes for each byte of input.
	maxSchemaBytes = 16 << 20
)

// Load decodes the manifest in data. filename is used in positions as given
// (pass a path relative to the working directory). Every problem is
// reported, sorted by position. The File is nil only when data is not
// valid YAML or holds no document; otherwise it holds what could be
// decoded, so that Validate can report the remaining problems too.
//
// Decoding is strict, by the json names of the Go types: unknown keys,
// duplicate keys, values of the wrong kind and missing required keys (a
// field whose json tag lacks omitempty) are errors at the offending node.
// Aliases are followed; merge keys (<<) are refused. A null value leaves
// its field unset.
//
// Where a string is expected, any scalar is taken as written: YAML reads
// "version: 1.0" as a number, but the user means "1.0", and that is what
// the field gets. Booleans and numbers are not converted the other way.
//
// The schemas (Tool.InputSchema and OutputSchema) are converted to JSON
// with keys in the order written, and every node in them has a position.
// A YAML value JSON cannot hold (.inf, .nan, !!binary, a timestamp written
// without quotes, a custom tag) is an error at its node.
func Load(filename string, data []byte) (*File, diag.List) {
	f := &File{
		Filename: filename,
		Manifest: &Manifest{},
		values:   make(map[string]diag.Pos),
		keys:     make(map[string]diag.Pos),
		broken:   make(map[string]bool),
	}
	d := &decoder{
		file:      f,
		active:    make(map[*yaml.Node]bool),
		jsonBytes: maxSchemaBytes + 4*len(data),
	}

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.empty()
		} else {
			d.syntaxError(err, data)
		}
		return nil, d.diags
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		d.add(d.pos(&second), "", "the manifest holds more than one YAML document").Hint = "remove the '---' line and what follows it"
	case !errors.Is(err, io.EOF):
		d.syntaxError(err, data)
		return nil, d.diags
	}

	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			d.empty()
			return nil, d.diags
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		d.empty()
		return nil, d.diags
	}
	d.decode(root, reflect.ValueOf(f.Manifest).Elem(), "#")
	d.diags.Sort()
	return f, d.diags
}

// decoder walks a yaml.Node tree into Go values.
type decoder struct {
	file  *File
	diags diag.List

	// active holds the collections being decoded, to refuse an alias
	// that refers to a node containing it.
	active map[*yaml.Node]bool
	// inAlias counts the aliases being expanded; aliasNodes counts the
	// nodes visited through aliases.
	inAlias, aliasNodes int
	depth               int
	// jsonBytes is what schemas may still expand to.
	jsonBytes int
	// stopped is set when a limit is hit: decoding ends there.
	stopped bool
}

func (d *decoder) pos(n *yaml.Node) diag.Pos {
	return diag.Pos{File: d.file.Filename, Line: n.Line, Col: n.Column}
}

// add reports an error, and marks ptr as one that Validate must not report
// again.
func (d *decoder) add(pos diag.Pos, ptr, format string, args ...any) *diag.Diagnostic {
	if ptr != "" {
		d.file.broken[ptr] = true
	}
	return d.diags.Add(pos, ptr, format, args...)
}

func (d *decoder) empty() {
	d.add(diag.Pos{File: d.file.Filename}, "", "the manifest is empty").Hint = "start with a line like: name: my-server"
}

// enter is called for every node before it is decoded at ptr. It follows
// an alias to its anchored node, refusing cycles, and enforces the limits.
// The caller must call leave with the returned node when done, if ok.
func (d *decoder) enter(n *yaml.Node, ptr string) (_ *yaml.Node, ok bool) {
	if d.stopped {
		return nil, false
	}
	d.depth++
	if d.depth > maxManifestDepth {
		d.depth--
		d.stopped = true
		d.add(d.pos(n), ptr, "the manifest nests more than %d levels deep", maxManifestDepth)
		return nil, false
	}
	if n.Kind == yaml.AliasNode {
		t := n.Alias
		switch {
		case t == nil:
			d.depth--
			d.add(d.pos(n), ptr, "alias *%s refers to nothing", n.Value)
			return nil, false
		case d.active[t]:
			d.depth--
			d.add(d.pos(n), ptr, "alias *%s refers to a node that contains it", n.Value).Hint = "an alias cannot repeat its own anchor's content"
			return nil, false
		}
		// The alias's own position is where its value is written.
		d.file.values[ptr] = d.pos(n)
		d.active[t] = true
		d.inAlias++
		if !d.count(n, ptr) {
			d.leave(n, t)
			return nil, false
		}
		return t, true
	}
	if !d.count(n, ptr) {
		d.depth--
		return nil, false
	}
	d.file.values[ptr] = d.pos(n)
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		d.active[n] = true
	}
	return n, true
}

// count counts a node reached through an alias against maxAliasNodes.
func (d *decoder) count(n *yaml.Node, ptr string) bool {
	if d.inAlias == 0 {
		return true
	}
	d.aliasNodes++
	if d.aliasNodes > maxAliasNodes {
		d.stopped = true
		d.add(d.pos(n), ptr, "aliases expand the manifest by more than %d nodes", maxAliasNodes).Hint = "aliases may repeat content, but not this much"
		return false
	}
	return true
}

// leave undoes enter for the node orig, which enter resolved to n.
func (d *decoder) leave(orig, n *yaml.Node) {
	d.depth--
	delete(d.active, n)
	if orig != n {
		d.inAlias--
	}
}

var schemaType, valueSchemaType = reflect.TypeFor[Schema](), reflect.TypeFor[ValueSchema]()

// decode decodes n into v, recording positions under ptr.
func (d *decoder) decode(orig *yaml.Node, v reflect.Value, ptr string) {
	n, ok := d.enter(orig, ptr)
	if !ok {
		return
	}
	defer d.leave(orig, n)
	if n.Kind == yaml.AliasNode {
		// An alias of an alias: not valid YAML, but be safe.
		d.decode(n, v, ptr)
		return
	}
	if !d.tagOK(n, ptr) {
		return
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) {
			return
		}
		e := reflect.New(v.Type().Elem())
		d.decodeValue(n, e.Elem(), ptr)
		if s, ok := e.Interface().(*Schema); ok && s.JSON == nil {
			return // not converted: leave the field unset
		}
		v.Set(e)
		return
	}
	d.decodeValue(n, v, ptr)
}

// decodeValue decodes n, already resolved, into v, which is not a pointer.
func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, ptr string) {
	if v.Type() == schemaType || v.Type() == valueSchemaType {
		d.decodeSchema(n, v, ptr)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, ptr)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.add(d.pos(n), ptr, "expected a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), ptr+"/"+strconv.Itoa(i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.add(d.pos(n), ptr, "expected a string, got %s", describe(n))
			return
		}
		switch n.ShortTag() {
		case "!!null":
		case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
			// Any plain scalar is taken as written.
			v.SetString(n.Value)
		default:
			d.add(d.pos(n), ptr, "expected a string, got a %s value", n.ShortTag()).Hint = "remove the tag"
		}
	case reflect.Bool:
		if isNull(n) {
			return
		}
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.add(d.pos(n), ptr, "expected true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if isNull(n) {
			return
		}
		var i int64
		switch {
		case n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int":
			d.add(d.pos(n), ptr, "expected an integer, got %s", describe(n))
		case n.Decode(&i) != nil || v.OverflowInt(i):
			d.add(d.pos(n), ptr, "integer %s is out of range", n.Value)
		default:
			v.SetInt(i)
		}
	case reflect.Float32, reflect.Float64:
		if isNull(n) {
			return
		}
		var x float64
		switch tag := n.ShortTag(); {
		case n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&x) != nil:
			d.add(d.pos(n), ptr, "expected a number, got %s", describe(n))
		case math.IsInf(x, 0) || math.IsNaN(x):
			d.add(d.pos(n), ptr, "expected a finite number, got %s", n.Value)
		default:
			v.SetFloat(x)
		}
	default:
		// A type in types.go this decoder does not know: a programming
		// error, reported rather than panicking on the user.
		d.add(d.pos(n), ptr, "internal error: cannot decode into %s", v.Type())
	}
}

// tagOK reports whether n's tag fits its kind: mcpgen.yaml has no use for
// custom tags or YAML-only types on collections.
func (d *decoder) tagOK(n *yaml.Node, ptr string) bool {
	want := map[yaml.Kind]string{yaml.MappingNode: "!!map", yaml.SequenceNode: "!!seq"}[n.Kind]
	if want == "" || n.ShortTag() == want {
		return true
	}
	d.add(d.pos(n), ptr, "unsupported YAML tag %s", n.ShortTag()).Hint = "remove the tag"
	return false
}

// field is a struct field as the manifest names it.
type field struct {
	name     string
	index    int
	required bool
}

// fieldsOf lists the fields of struct type t by their json names; a field
// whose tag lacks omitempty is required.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" || name == "" {
			continue
		}
		required := !slices.Contains(strings.Split(opts, ","), "omitempty")
		out = append(out, field{name: name, index: i, required: required})
	}
	return out
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, ptr string) {
	if n.Kind != yaml.MappingNode {
		d.add(d.pos(n), ptr, "expected a mapping, got %s", describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	seen := make(map[string]*yaml.Node)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key, ok := d.key(k, ptr)
		if !ok {
			continue
		}
		kptr := diag.Append(ptr, key)
		if prev, dup := seen[key]; dup {
			d.add(d.pos(k), kptr, "duplicate key %q (first at line %d)", key, prev.Line)
			continue
		}
		seen[key] = k
		d.file.keys[kptr] = d.pos(k)
		j := slices.IndexFunc(fields, func(f field) bool { return f.name == key })
		if j < 0 {
			diagnostic := d.add(d.pos(k), kptr, "unknown key %q", key)
			if s := diag.Suggest(key, fieldNames(fields)); s != "" {
				diagnostic.Hint = fmt.Sprintf("did you mean %q?", s)
			} else {
				diagnostic.Hint = "the keys here are " + strings.Join(fieldNames(fields), ", ")
			}
			continue
		}
		d.decode(val, v.Field(fields[j].index), kptr)
	}
	for _, f := range fields {
		if _, ok := seen[f.name]; f.required && !ok {
			d.add(d.pos(n), diag.Append(ptr, f.name), "missing required key %q", f.name)
		}
	}
}

func fieldNames(fields []field) []string {
	var names []string
	for _, f := range fields {
		names = append(names, f.name)
	}
	return names
}

// key returns a mapping key, which must be a string.
func (d *decoder) key(k *yaml.Node, ptr string) (string, bool) {
	for i := 0; k.Kind == yaml.AliasNode && k.Alias != nil && i < 10; i++ {
		k = k.Alias
	}
	switch {
	case k.Kind != yaml.ScalarNode:
		d.add(d.pos(k), ptr, "mapping keys must be strings, got %s", describe(k))
		return "", false
	case k.ShortTag() == "!!merge":
		d.add(d.pos(k), diag.Append(ptr, k.Value), "merge keys (<<) are not supported").Hint = "write the keys out; an alias (*name) can stand for a whole value"
		return "", false
	case k.ShortTag() != "!!str":
		d.add(d.pos(k), diag.Append(ptr, k.Value), "mapping key %s is %s, not a string", k.Value, describe(k)).Hint = fmt.Sprintf("quote it: %q", k.Value)
		return "", false
	}
	return k.Value, true
}

// decodeSchema converts a schema written in YAML to JSON.
func (d *decoder) decodeSchema(n *yaml.Node, v reflect.Value, ptr string) {
	if n.Kind != yaml.MappingNode {
		d.add(d.pos(n), ptr, "expected a JSON Schema (a mapping), got %s", describe(n)).Hint = "a tool's schema is a mapping such as {type: object}"
		return
	}
	var buf bytes.Buffer
	if !d.writeJSON(&buf, n, ptr) {
		// Validate has nothing sound to check.
		d.file.broken[ptr] = true
		return
	}
	v.Set(reflect.ValueOf(Schema{JSON: buf.Bytes(), Pointer: ptr}).Convert(v.Type()))
}

// writeJSON writes the YAML subtree at orig to buf as JSON, keeping key
// order, and records the position of every node in it. It reports whether
// the conversion succeeded.
func (d *decoder) writeJSON(buf *bytes.Buffer, orig *yaml.Node, ptr string) bool {
	n, ok := d.enter(orig, ptr)
	if !ok {
		return false
	}
	defer d.leave(orig, n)
	if n.Kind == yaml.AliasNode {
		return d.writeJSON(buf, n, ptr) // an alias of an alias: be safe
	}
	if !d.tagOK(n, ptr) {
		return false
	}
	start := buf.Len()
	ok = true
	switch n.Kind {
	case yaml.MappingNode:
		buf.WriteByte('{')
		seen := make(map[string]*yaml.Node)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			key, kok := d.key(k, ptr)
			if !kok {
				ok = false
				continue
			}
			kptr := diag.Append(ptr, key)
			if prev, dup := seen[key]; dup {
				d.add(d.pos(k), kptr, "duplicate key %q (first at line %d)", key, prev.Line)
				ok = false
				continue
			}
			seen[key] = k
			d.file.keys[kptr] = d.pos(k)
			if len(seen) > 1 {
				buf.WriteByte(',')
			}
			buf.Write(jsonString(key))
			buf.WriteByte(':')
			ok = d.writeJSON(buf, val, kptr) && ok
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			ok = d.writeJSON(buf, item, ptr+"/"+strconv.Itoa(i)) && ok
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		ok = d.writeScalar(buf, n, ptr)
	default:
		d.add(d.pos(n), ptr, "unexpected YAML node")
		ok = false
	}
	if d.inAlias > 0 {
		// Content repeated by aliases counts against the budget.
		d.jsonBytes -= buf.Len() - start
		if d.jsonBytes < 0 && !d.stopped {
			d.stopped = true
			d.add(d.pos(n), ptr, "aliases expand the schemas beyond %d MiB", maxSchemaBytes>>20).Hint = "aliases may repeat content, but not this much"
			return false
		}
	}
	return ok
}

// writeScalar writes a scalar as the JSON value YAML resolves it to.
func (d *decoder) writeScalar(buf *bytes.Buffer, n *yaml.Node, ptr string) bool {
	switch tag := n.ShortTag(); tag {
	case "!!str":
		buf.Write(jsonString(n.Value))
	case "!!null":
		buf.WriteString("null")
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			d.add(d.pos(n), ptr, "invalid boolean %q", n.Value)
			return false
		}
		buf.WriteString(strconv.FormatBool(b))
	case "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			d.add(d.pos(n), ptr, "invalid number %q", n.Value)
			return false
		}
		if f, isFloat := v.(float64); isFloat && (math.IsInf(f, 0) || math.IsNaN(f)) {
			d.add(d.pos(n), ptr, "%s is not a JSON number", n.Value).Hint = "JSON has no infinity or NaN; leave the keyword out"
			return false
		}
		b, err := json.Marshal(v)
		if err != nil {
			d.add(d.pos(n), ptr, "invalid number %q", n.Value)
			return false
		}
		buf.Write(b)
	case "!!timestamp":
		d.add(d.pos(n), ptr, "%s is a YAML timestamp, which JSON has no type for", n.Value).Hint = fmt.Sprintf("quote it to make it a string: %q", n.Value)
		return false
	default:
		d.add(d.pos(n), ptr, "YAML type %s has no JSON equivalent", tag).Hint = "remove the tag, or quote the value to make it a string"
		return false
	}
	return true
}

// jsonString encodes s as a JSON string, leaving <, > and & as they are.
func jsonString(s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		case "!!timestamp":
			return "a timestamp"
		case "!!str":
			v := n.Value
			if utf8.RuneCountInString(v) > 40 {
				v = string([]rune(v)[:40]) + "..."
			}
			return fmt.Sprintf("the string %q", v)
		}
		return "a " + n.ShortTag() + " value"
	}
	return "an alias"
}
