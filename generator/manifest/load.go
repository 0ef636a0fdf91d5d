// Package manifest reads mcpgen.yaml: strict decoding into Go types that
// keeps the position of every node, and validation that reports every
// problem at once as file:line:col: json-pointer: reason.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// File is a loaded manifest and where each of its nodes came from.
type File struct {
	// Filename is the manifest's path as given to Load.
	Filename string
	// Manifest is the decoded content.
	Manifest *Manifest

	positions map[string]diag.Pos
}

// Pos returns the position of the node at pointer, or of its nearest
// ancestor that has one: a missing key points at the mapping that lacks it.
func (f *File) Pos(pointer string) diag.Pos {
	for p := pointer; ; {
		if pos, ok := f.positions[p]; ok {
			return pos
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return diag.Pos{File: f.Filename}
		}
		p = p[:i]
	}
}

// maxNodes bounds the nodes a manifest may expand to through aliases, so an
// alias bomb fails fast instead of exhausting memory.
const maxNodes = 200_000

// Load decodes a manifest. filename is used in positions as given (pass a
// relative path). Every problem is reported. The File is nil only when the
// YAML itself cannot be read; otherwise it holds what could be decoded, so
// that Validate can report the remaining problems too.
//
// Decoding is strict: unknown keys, duplicate keys, values of the wrong kind
// and missing required keys are errors at the offending node. Where a string
// is expected, any scalar is taken as written (`version: 1.0` is "1.0").
func Load(filename string, data []byte) (*File, diag.List) {
	f := &File{Filename: filename, Manifest: &Manifest{}, positions: make(map[string]diag.Pos)}
	d := &decoder{file: f}

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.diags.Add(diag.Pos{File: filename}, "", "the manifest is empty").Hint = "start with a line like: name: my-server"
		} else {
			d.syntaxError(err)
		}
		return nil, d.diags
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		d.diags.Add(d.pos(&second), "", "the manifest holds more than one YAML document").Hint = "remove the '---' separator and what follows"
		return nil, d.diags
	} else if !errors.Is(err, io.EOF) {
		d.syntaxError(err)
		return nil, d.diags
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			d.diags.Add(diag.Pos{File: filename}, "", "the manifest is empty").Hint = "start with a line like: name: my-server"
			return nil, d.diags
		}
		root = root.Content[0]
	}
	d.decode(root, reflect.ValueOf(f.Manifest).Elem(), "#")
	d.diags.Sort()
	return f, d.diags
}

type decoder struct {
	file  *File
	diags diag.List
	nodes int
}

func (d *decoder) pos(n *yaml.Node) diag.Pos {
	return diag.Pos{File: d.file.Filename, Line: n.Line, Col: n.Column}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError reports a YAML parse error at its line; yaml.v3 gives no
// column, so none is invented.
func (d *decoder) syntaxError(err error) {
	msg := err.Error()
	pos := diag.Pos{File: d.file.Filename}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	d.diags.Add(pos, "", "invalid YAML: %s", msg)
}

// resolve follows aliases and counts nodes against maxNodes.
func (d *decoder) resolve(n *yaml.Node, ptr string) (*yaml.Node, bool) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.nodes++
	if d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.diags.Add(d.pos(n), ptr, "the manifest expands to more than %d nodes", maxNodes).Hint = "aliases may repeat content, but not this much"
		}
		return nil, false
	}
	return n, true
}

var schemaType = reflect.TypeFor[Schema]()

// decode decodes n into v, recording positions under ptr.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, ptr string) {
	n, ok := d.resolve(n, ptr)
	if !ok {
		return
	}
	d.file.positions[ptr] = d.pos(n)
	switch {
	case v.Type() == schemaType:
		raw, ok := d.json(n, ptr)
		if !ok {
			return
		}
		if n.Kind != yaml.MappingNode && !(n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool") {
			d.diags.Add(d.pos(n), ptr, "expected a JSON Schema (a mapping), got %s", kind(n))
			return
		}
		v.Set(reflect.ValueOf(Schema{JSON: raw, Pointer: ptr}))
		return
	case v.Kind() == reflect.Pointer:
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
			return
		}
		e := reflect.New(v.Type().Elem())
		d.decode(n, e.Elem(), ptr)
		v.Set(e)
		return
	}

	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, ptr)
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.diags.Add(d.pos(n), ptr, "expected a list, got %s", kind(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), ptr+"/"+strconv.Itoa(i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.diags.Add(d.pos(n), ptr, "expected a string, got %s", kind(n))
			return
		}
		if n.ShortTag() != "!!null" {
			v.SetString(n.Value)
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			d.diags.Add(d.pos(n), ptr, "expected true or false, got %s", kind(n))
			return
		}
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		v.SetBool(b)
	default:
		d.diags.Add(d.pos(n), ptr, "internal error: cannot decode into %s", v.Type())
	}
}

// field is a struct field as the manifest names it.
type field struct {
	name     string
	index    int
	required bool
}

func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, field{name: name, index: i, required: !strings.Contains(opts, "omitempty")})
	}
	return out
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, ptr string) {
	if n.Kind != yaml.MappingNode {
		d.diags.Add(d.pos(n), ptr, "expected a mapping, got %s", kind(n))
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
			d.diags.Add(d.pos(k), kptr, "duplicate key %q (first at line %d)", key, prev.Line)
			continue
		}
		seen[key] = k
		j := slices.IndexFunc(fields, func(f field) bool { return f.name == key })
		if j < 0 {
			diagnostic := d.diags.Add(d.pos(k), kptr, "unknown key %q", key)
			if s := suggest(key, fields); s != "" {
				diagnostic.Hint = fmt.Sprintf("did you mean %q?", s)
			}
			continue
		}
		d.decode(val, v.Field(fields[j].index), kptr)
	}
	for _, f := range fields {
		if _, ok := seen[f.name]; f.required && !ok {
			d.diags.Add(d.pos(n), diag.Append(ptr, f.name), "missing required key %q", f.name)
		}
	}
}

// key returns a mapping key as a string; keys must be plain scalars.
func (d *decoder) key(k *yaml.Node, ptr string) (string, bool) {
	if k.Kind != yaml.ScalarNode {
		d.diags.Add(d.pos(k), ptr, "mapping keys must be strings, got %s", kind(k))
		return "", false
	}
	if k.ShortTag() == "!!merge" {
		d.diags.Add(d.pos(k), ptr, "merge keys (<<) are not supported").Hint = "write the keys out, or use an alias for a whole value"
		return "", false
	}
	return k.Value, true
}

// json converts a YAML subtree to JSON, keeping key order, and records the
// position of every node in it.
func (d *decoder) json(n *yaml.Node, ptr string) (json.RawMessage, bool) {
	var buf bytes.Buffer
	ok := d.writeJSON(&buf, n, ptr)
	return buf.Bytes(), ok
}

func (d *decoder) writeJSON(buf *bytes.Buffer, n *yaml.Node, ptr string) bool {
	n, ok := d.resolve(n, ptr)
	if !ok {
		return false
	}
	d.file.positions[ptr] = d.pos(n)
	switch n.Kind {
	case yaml.MappingNode:
		buf.WriteByte('{')
		seen := make(map[string]*yaml.Node)
		ok := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			key, kok := d.key(k, ptr)
			if !kok {
				ok = false
				continue
			}
			kptr := diag.Append(ptr, key)
			if prev, dup := seen[key]; dup {
				d.diags.Add(d.pos(k), kptr, "duplicate key %q (first at line %d)", key, prev.Line)
				ok = false
				continue
			}
			seen[key] = k
			if len(seen) > 1 {
				buf.WriteByte(',')
			}
			kb, _ := json.Marshal(key)
			buf.Write(kb)
			buf.WriteByte(':')
			ok = d.writeJSON(buf, val, kptr) && ok
		}
		buf.WriteByte('}')
		return ok
	case yaml.SequenceNode:
		buf.WriteByte('[')
		ok := true
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			ok = d.writeJSON(buf, item, ptr+"/"+strconv.Itoa(i)) && ok
		}
		buf.WriteByte(']')
		return ok
	case yaml.ScalarNode:
		var v any
		switch n.ShortTag() {
		case "!!str":
			v = n.Value
		case "!!null":
			v = nil
		case "!!bool", "!!int", "!!float":
			if err := n.Decode(&v); err != nil {
				d.diags.Add(d.pos(n), ptr, "invalid %s %q", strings.TrimPrefix(n.ShortTag(), "!!"), n.Value)
				return false
			}
			if f, isFloat := v.(float64); isFloat && (math.IsInf(f, 0) || math.IsNaN(f)) {
				d.diags.Add(d.pos(n), ptr, "%s is not a JSON number", n.Value)
				return false
			}
		default:
			d.diags.Add(d.pos(n), ptr, "YAML type %s has no JSON equivalent", n.ShortTag()).Hint = "quote the value to make it a string"
			return false
		}
		b, err := json.Marshal(v)
		if err != nil {
			d.diags.Add(d.pos(n), ptr, "%v", err)
			return false
		}
		buf.Write(b)
		return true
	}
	d.diags.Add(d.pos(n), ptr, "unexpected YAML node")
	return false
}

// kind names a node's kind for messages.
func kind(n *yaml.Node) string {
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
		}
		return fmt.Sprintf("the string %q", n.Value)
	}
	return "an alias"
}

// suggest returns the known key closest to key, if close enough to be a
// typo.
func suggest(key string, fields []field) string {
	best, bestDist := "", 3
	for _, f := range fields {
		if dist := editDistance(strings.ToLower(key), strings.ToLower(f.name)); dist < bestDist {
			best, bestDist = f.name, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
