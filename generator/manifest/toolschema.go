package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// Checks of the JSON Schemas of tools.
//
// The generated server hands each schema to the MCP SDK (go-sdk v1.8), which
// unmarshals it into a jsonschema-go Schema and resolves it with
// ValidateDefaults when the tool is registered, and panics if either fails.
// Everything that can fail there is checked here first, at the node that
// causes it, and the SDK's own steps then run as a backstop. On top of that
// come the rules of the JSON Schema specification the library does not
// enforce, the limits of mcpgen (local references only), and warnings for
// what is valid but probably a mistake.

// role tells which of a tool's schemas is checked.
type role int

const (
	input role = iota
	output
	// value is the schema of a state value, which may be of any type.
	value
)

func (r role) String() string {
	switch r {
	case input:
		return "inputSchema"
	case output:
		return "outputSchema"
	}
	return "schema"
}

// SDKMaxDepth is how deeply the MCP SDK lets JSON nest: its decoder
// (go-sdk's internal/json) refuses anything deeper, in a tool's schema as
// in a message. runtime/upstream holds the same limit for tool arguments;
// the runtime cannot import the generator, so it has its own copy.
const SDKMaxDepth = 1000

// keyword kinds: what a schema keyword's value must be.
type kwKind int

const (
	kSchema        kwKind = iota // one schema
	kItems                       // a schema, or a list of schemas (draft-07)
	kSchemaMap                   // an object of schemas
	kSchemaList                  // a list of schemas
	kDependencies                // an object of schemas or lists of strings (draft-07)
	kStringListMap               // an object of lists of strings
	kType                        // a type name or a list of them
	kArray                       // any list
	kStringList                  // a list of strings
	kAny                         // any value
	kNumber                      // a number
	kCount                       // a non-negative integer
	kPattern                     // a regular expression
	kString                      // a string
	kBool                        // a boolean
	kUnsupported                 // a keyword mcpgen refuses
)

// keywords are the keywords jsonschema-go knows, by JSON name: JSON Schema
// 2020-12 and draft-07.
var keywords = map[string]kwKind{
	"additionalProperties": kSchema, "additionalItems": kSchema, "not": kSchema, "if": kSchema, "then": kSchema,
	"else": kSchema, "contains": kSchema, "propertyNames": kSchema, "unevaluatedItems": kSchema,
	"unevaluatedProperties": kSchema, "contentSchema": kSchema,
	"items":      kItems,
	"properties": kSchemaMap, "patternProperties": kSchemaMap, "$defs": kSchemaMap, "definitions": kSchemaMap,
	"dependentSchemas": kSchemaMap,
	"allOf":            kSchemaList, "anyOf": kSchemaList, "oneOf": kSchemaList, "prefixItems": kSchemaList,
	"dependencies":      kDependencies,
	"dependentRequired": kStringListMap,
	"type":              kType,
	"enum":              kArray, "examples": kArray,
	"required": kStringList,
	"const":    kAny, "default": kAny,
	"multipleOf": kNumber, "minimum": kNumber, "maximum": kNumber, "exclusiveMinimum": kNumber, "exclusiveMaximum": kNumber,
	"minLength": kCount, "maxLength": kCount, "minItems": kCount, "maxItems": kCount, "minProperties": kCount,
	"maxProperties": kCount, "minContains": kCount, "maxContains": kCount,
	"pattern": kPattern,
	"$id":     kString, "$schema": kString, "$ref": kString, "$comment": kString, "title": kString, "description": kString,
	"contentEncoding": kString, "contentMediaType": kString, "format": kString,
	"uniqueItems": kBool, "deprecated": kBool, "readOnly": kBool, "writeOnly": kBool,
	"$anchor": kUnsupported, "$dynamicAnchor": kUnsupported, "$dynamicRef": kUnsupported, "$vocabulary": kUnsupported,
	"$recursiveRef": kUnsupported, "$recursiveAnchor": kUnsupported,
}

var keywordNames = slices.Sorted(maps.Keys(keywords))

// annotations are the keywords that do not take part in validation.
var annotations = map[string]bool{
	"title": true, "description": true, "$comment": true, "examples": true, "deprecated": true,
	"readOnly": true, "writeOnly": true, "format": true, "contentEncoding": true, "contentMediaType": true,
}

// inPlace are the keywords whose subschemas apply to the value the schema
// applies to, rather than to a part of it: a $ref cycle through only these
// never ends.
var inPlace = map[string]bool{
	"allOf": true, "anyOf": true, "oneOf": true, "not": true, "if": true, "then": true, "else": true,
	"dependentSchemas": true, "dependencies": true,
}

var jsonTypes = []string{"object", "array", "string", "number", "integer", "boolean", "null"}

// schemaVersions are the $schema values the MCP SDK accepts.
var schemaVersions = []string{
	"https://json-schema.org/draft/2020-12/schema",
	"http://json-schema.org/draft-07/schema#",
	"https://json-schema.org/draft-07/schema#",
}

// checker checks one schema.
type checker struct {
	v       *validator
	role    role
	rootPtr string
	root    map[string]any
	// part is set when the schema is a part of a tool's schema (see
	// CheckOptions.Part): its root is not the tool schema's.
	part    bool
	errors  int
	errPtrs []string // where errors were reported

	// nodes maps the pointer of every schema (object or boolean) to it.
	nodes map[string]any
	// edges maps a schema's pointer to the schemas that apply in place.
	edges map[string][]edge
	refs  []ref
	defs  []defaultValue
}

type edge struct {
	to  string
	ref *ref // set when the edge is a $ref
}

type ref struct {
	ptr    string // of the $ref value
	schema string // of the schema holding it
	value  string
}

type defaultValue struct {
	ptr       string // of the default
	schemaPtr string // of the schema holding it
	schema    map[string]any
	value     any
}

func (c *checker) add(ptr, format string, args ...any) *diag.Diagnostic {
	c.errors++
	c.errPtrs = append(c.errPtrs, ptr)
	return c.v.add(ptr, format, args...)
}

func (c *checker) addKey(ptr, format string, args ...any) *diag.Diagnostic {
	c.errors++
	c.errPtrs = append(c.errPtrs, ptr)
	return c.v.addKey(ptr, format, args...)
}

// toolSchema checks the schema s, which sits at ptr.
func (v *validator) toolSchema(s Schema, ptr string, r role) {
	if s.Pointer != "" {
		ptr = s.Pointer
	}
	if s.JSON == nil {
		if !v.f.isBroken(ptr) {
			v.add(ptr, "the tool has no %s", r)
		}
		return
	}
	doc, err := decodeJSON(s.JSON)
	if err != nil {
		v.add(ptr, "%s is not valid JSON: %v", r, err)
		return
	}
	c := &checker{v: v, role: r, rootPtr: ptr, nodes: make(map[string]any), edges: make(map[string][]edge)}

	root, ok := doc.(map[string]any)
	if !ok {
		if r == value {
			c.add(ptr, "%s must be a mapping, got %s", r, jsonKind(doc)).Hint = "write a JSON Schema such as {type: integer}"
		} else {
			c.add(ptr, "%s must be a mapping with type: object, got %s", r, jsonKind(doc))
		}
		return
	}
	c.root = root
	if at, depth := tooDeep(doc, ptr, 1); at != "" {
		c.add(at, "the schema nests more than %d levels deep (%d)", SDKMaxDepth, depth).Hint = "the MCP SDK refuses deeper JSON"
		return
	}
	if r != value {
		c.rootType()
	}
	c.rootKeywords()
	c.schema(doc, ptr)
	c.finish(r == input, !s.Unresolved, func() ([]byte, error) { return s.JSON, nil })
}

// finish runs the checks that need the whole schema walked: references,
// cycles, the headers of an input schema, the defaults, and, when
// resolved, the MCP SDK's own steps on the schema raw returns.
func (c *checker) finish(headers, resolved bool, raw func() ([]byte, error)) {
	c.resolveRefs()
	c.cycles()
	if headers {
		c.headers()
	}
	// A default is checked by the library, which must only see sound
	// schemas: one with a problem might not even terminate (a reference
	// cycle). So a default is checked when the schema holding it has no
	// problem and either refers to nothing or the whole schema is sound.
	sound := c.errors == 0
	for _, d := range c.defs {
		if c.erred(d.schemaPtr) || (!sound && hasRef(d.schema)) {
			continue
		}
		c.checkDefault(d)
	}
	if c.errors == 0 && resolved && !c.v.budget.Spent() {
		// Whatever the checks above missed, the MCP SDK would find.
		if b, err := raw(); err == nil {
			c.backstop(b)
		}
	}
}

// erred reports whether an error was reported at ptr or under it.
func (c *checker) erred(ptr string) bool {
	for _, p := range c.errPtrs {
		if p == ptr || strings.HasPrefix(p, ptr+"/") {
			return true
		}
	}
	return false
}

// hasRef reports whether v holds a $ref anywhere.
func hasRef(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["$ref"]; ok {
			return true
		}
		for _, e := range t {
			if hasRef(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if hasRef(e) {
				return true
			}
		}
	}
	return false
}

// rootType checks that the schema describes an object.
func (c *checker) rootType() {
	why := "MCP tool arguments are JSON objects; the MCP SDK panics at start-up on any other input schema"
	if c.role == output {
		why = "the generated server returns structured content, which MCP requires to be a JSON object"
	}
	t, ok := c.root["type"]
	switch {
	case !ok:
		c.add(c.rootPtr, "%s has no type; it must have type: object", c.role).Hint = why
	case t != "object":
		c.add(c.rootPtr+"/type", "%s must have type: object, not %s", c.role, compact(t, 40)).Hint = why
	}
}

// rootKeywords checks the keywords that only matter at the root.
func (c *checker) rootKeywords() {
	if s, ok := c.root["$schema"].(string); ok && !slices.Contains(schemaVersions, s) {
		c.add(c.rootPtr+"/$schema", "$schema %q is not a version the MCP SDK validates", s).Hint = "use https://json-schema.org/draft/2020-12/schema, or leave $schema out"
	}
	if id, ok := c.root["$id"].(string); ok {
		u, err := url.Parse(id)
		switch {
		case err != nil || !u.IsAbs():
			c.add(c.rootPtr+"/$id", "$id %q is not an absolute URI", id).Hint = "the MCP SDK resolves $id against no base; use an absolute URI, or leave $id out"
		case u.Fragment != "" || strings.HasSuffix(id, "#"):
			c.add(c.rootPtr+"/$id", "$id %q has a fragment", id).Hint = "JSON Schema 2020-12 does not allow one"
		}
	}
	_, defs := c.root["$defs"]
	_, definitions := c.root["definitions"]
	if defs && definitions {
		c.addKey(c.rootPtr+"/definitions", "a schema may have $defs or definitions, not both").Hint = "move these under $defs"
	}
}

// schema checks the schema node at ptr and everything under it.
func (c *checker) schema(node any, ptr string) {
	if !c.v.budget.spend(1) {
		return
	}
	c.nodes[ptr] = node
	obj, ok := node.(map[string]any)
	if !ok {
		if _, isBool := node.(bool); !isBool {
			c.add(ptr, "a schema must be a mapping or a boolean, got %s", jsonKind(node))
		}
		return
	}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		c.keyword(obj, ptr, key, obj[key])
	}
	if ptr != c.rootPtr || c.part {
		if _, ok := obj["$id"]; ok {
			c.addKey(diag.Append(ptr, "$id"), "$id is only supported at the root of a tool's schema").Hint = "mcpgen resolves every $ref against the root; move the schema under the root's $defs"
		}
		_, defs := obj["$defs"]
		_, definitions := obj["definitions"]
		if defs && definitions {
			c.addKey(diag.Append(ptr, "definitions"), "a schema may have $defs or definitions, not both").Hint = "move these under $defs"
		}
	}
	c.undeclaredRequired(obj, ptr)
}

// keyword checks one keyword of the schema obj at ptr.
func (c *checker) keyword(obj map[string]any, ptr, key string, val any) {
	kptr := diag.Append(ptr, key)
	kind, known := keywords[key]
	if !known {
		for _, k := range keywordNames {
			if !strings.EqualFold(k, key) {
				continue
			}
			hint := fmt.Sprintf("JSON Schema keywords are case-sensitive, yet the MCP SDK reads %q as %q", key, k)
			if annotations[k] {
				// Read either way, it changes no validation.
				c.v.warnKey(kptr, "keyword %q should be written %q", key, k).Hint = hint
			} else {
				c.addKey(kptr, "keyword %q must be written %q", key, k).Hint = hint
			}
			return
		}
		if len(key) >= 4 && !strings.HasPrefix(key, "x-") {
			if s := diag.Suggest(key, keywordNames); s != "" {
				c.v.warnKey(kptr, "unknown keyword %q is ignored", key).Hint = fmt.Sprintf("did you mean %q?", s)
			}
		}
		return
	}
	switch kind {
	case kSchema:
		c.sub(ptr, key, val, kptr)
	case kItems:
		if list, ok := val.([]any); ok {
			for i, s := range list {
				c.sub(ptr, key, s, diag.Append(kptr, strconv.Itoa(i)))
			}
			return
		}
		c.sub(ptr, key, val, kptr)
	case kSchemaMap:
		m, ok := val.(map[string]any)
		if !ok {
			c.add(kptr, "%s must be a mapping of names to schemas, got %s", key, jsonKind(val))
			return
		}
		for _, name := range slices.Sorted(maps.Keys(m)) {
			nptr := diag.Append(kptr, name)
			if key == "patternProperties" {
				c.pattern(name, nptr, true)
			}
			c.sub(ptr, key, m[name], nptr)
		}
	case kSchemaList:
		list, ok := val.([]any)
		if !ok {
			c.add(kptr, "%s must be a list of schemas, got %s", key, jsonKind(val))
			return
		}
		if len(list) == 0 && key != "prefixItems" {
			c.add(kptr, "%s must list at least one schema", key)
		}
		for i, s := range list {
			c.sub(ptr, key, s, diag.Append(kptr, strconv.Itoa(i)))
		}
	case kDependencies:
		m, ok := val.(map[string]any)
		if !ok {
			c.add(kptr, "dependencies must be a mapping, got %s", jsonKind(val))
			return
		}
		for _, name := range slices.Sorted(maps.Keys(m)) {
			nptr := diag.Append(kptr, name)
			if list, ok := m[name].([]any); ok {
				c.strings(list, nptr, "dependencies")
				continue
			}
			c.sub(ptr, key, m[name], nptr)
		}
	case kStringListMap:
		m, ok := val.(map[string]any)
		if !ok {
			c.add(kptr, "%s must be a mapping of names to lists of names, got %s", key, jsonKind(val))
			return
		}
		for _, name := range slices.Sorted(maps.Keys(m)) {
			nptr := diag.Append(kptr, name)
			list, ok := m[name].([]any)
			if !ok {
				c.add(nptr, "%s must be a list of property names, got %s", key, jsonKind(m[name]))
				continue
			}
			c.strings(list, nptr, key)
		}
	case kType:
		c.typ(val, kptr)
	case kArray:
		list, ok := val.([]any)
		if !ok {
			c.add(kptr, "%s must be a list, got %s", key, jsonKind(val))
			return
		}
		if key == "enum" && len(list) == 0 {
			c.v.warn(kptr, "enum lists no values, so no value is valid")
		}
	case kStringList:
		list, ok := val.([]any)
		if !ok {
			c.add(kptr, "%s must be a list of property names, got %s", key, jsonKind(val))
			return
		}
		c.strings(list, kptr, key)
	case kAny:
		if key == "default" {
			c.defs = append(c.defs, defaultValue{ptr: kptr, schemaPtr: ptr, schema: obj, value: val})
		}
	case kNumber:
		c.number(key, val, kptr)
	case kCount:
		c.count(key, val, kptr)
	case kPattern:
		s, ok := val.(string)
		if !ok {
			c.add(kptr, "pattern must be a string, got %s", jsonKind(val))
			return
		}
		c.pattern(s, kptr, false)
	case kString:
		s, ok := val.(string)
		if !ok {
			c.add(kptr, "%s must be a string, got %s", key, jsonKind(val))
			return
		}
		if key == "$ref" {
			c.refs = append(c.refs, ref{ptr: kptr, schema: ptr, value: s})
		}
	case kBool:
		if _, ok := val.(bool); !ok {
			c.add(kptr, "%s must be true or false, got %s", key, jsonKind(val))
		}
	case kUnsupported:
		c.addKey(kptr, "%s is not supported", key).Hint = "mcpgen supports $ref to $defs and definitions only: write $ref: '#/$defs/name'"
	}
}

// sub checks the subschema val of keyword key of the schema at parent.
func (c *checker) sub(parent, key string, val any, ptr string) {
	if inPlace[key] {
		c.edges[parent] = append(c.edges[parent], edge{to: ptr})
	}
	c.schema(val, ptr)
}

func (c *checker) strings(list []any, ptr, key string) {
	for i, e := range list {
		if _, ok := e.(string); !ok {
			c.add(diag.Append(ptr, strconv.Itoa(i)), "%s must list property names (strings), got %s", key, jsonKind(e))
		}
	}
}

func (c *checker) typ(val any, ptr string) {
	check := func(name any, ptr string) {
		s, ok := name.(string)
		if !ok {
			c.add(ptr, "type must name a type (a string), got %s", jsonKind(name))
			return
		}
		if !slices.Contains(jsonTypes, s) {
			d := c.add(ptr, "unknown type %q", s)
			if sg := diag.Suggest(s, jsonTypes); sg != "" {
				d.Hint = fmt.Sprintf("did you mean %q?", sg)
			} else {
				d.Hint = "use one of " + strings.Join(jsonTypes, ", ")
			}
		}
	}
	switch t := val.(type) {
	case []any:
		if len(t) == 0 {
			c.add(ptr, "type must name at least one type")
		}
		seen := make(map[any]bool)
		for i, name := range t {
			iptr := diag.Append(ptr, strconv.Itoa(i))
			check(name, iptr)
			if seen[name] {
				c.add(iptr, "type %s is listed twice", compact(name, 40))
			}
			seen[name] = true
		}
	default:
		check(val, ptr)
	}
}

func (c *checker) number(key string, val any, ptr string) {
	if b, ok := val.(bool); ok && (key == "exclusiveMinimum" || key == "exclusiveMaximum") {
		c.add(ptr, "%s must be a number, got %t", key, b).Hint = fmt.Sprintf("the boolean form is draft-04's; since draft-06 %s is the limit itself", key)
		return
	}
	n, ok := val.(json.Number)
	if !ok {
		c.add(ptr, "%s must be a number, got %s", key, jsonKind(val))
		return
	}
	if key == "multipleOf" {
		if f, err := n.Float64(); err != nil || f <= 0 {
			c.add(ptr, "multipleOf must be greater than 0, got %s", n)
		}
	}
}

// count checks a keyword whose value is a non-negative integer, parsed as
// jsonschema-go parses it (a 32-bit integer, possibly written "2.0").
func (c *checker) count(key string, val any, ptr string) {
	n, ok := val.(json.Number)
	if !ok {
		c.add(ptr, "%s must be a non-negative integer, got %s", key, jsonKind(val))
		return
	}
	var i int64
	var err error
	if strings.Contains(string(n), ".") {
		var f float64
		f, err = n.Float64()
		i = int64(f)
		if err == nil && float64(i) != f {
			err = errors.New("not an integer")
		}
	} else {
		i, err = strconv.ParseInt(string(n), 10, 64)
	}
	switch {
	case err != nil:
		c.add(ptr, "%s must be a non-negative integer, got %s", key, n)
	case i < 0:
		c.add(ptr, "%s must not be negative, got %s", key, n)
	case i > 1<<31-1:
		c.add(ptr, "%s is too large: %s", key, n).Hint = "the MCP SDK reads it as a 32-bit integer"
	}
}

// pattern checks that p compiles with Go's regexp, as the MCP SDK compiles
// it when the server starts. A key of patternProperties is reported at the
// key.
func (c *checker) pattern(p, ptr string, isKey bool) {
	_, err := regexp.Compile(p)
	if err == nil {
		return
	}
	msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
	add := c.add
	if isKey {
		add = c.addKey
	}
	add(ptr, "pattern %q does not compile with Go's regexp: %s", p, msg).Hint = "Go's regexp (RE2) has no lookaround or backreferences; rewrite the pattern"
}

// undeclaredRequired warns about required properties that properties does
// not declare: valid, but usually a typo.
func (c *checker) undeclaredRequired(obj map[string]any, ptr string) {
	req, _ := obj["required"].([]any)
	props, ok := obj["properties"].(map[string]any)
	if !ok || len(req) == 0 {
		return
	}
	patterns, _ := obj["patternProperties"].(map[string]any)
	for i, r := range req {
		name, ok := r.(string)
		if _, declared := props[name]; !ok || declared || matchesAny(name, patterns) {
			continue
		}
		d := c.v.warn(diag.Append(ptr, "required", strconv.Itoa(i)), "required property %q is not declared under properties", name)
		if obj["additionalProperties"] == false {
			d.Hint = "with additionalProperties: false, no value can have it"
		} else if s := diag.Suggest(name, slices.Collect(maps.Keys(props))); s != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		}
	}
}

func matchesAny(name string, patterns map[string]any) bool {
	for p := range patterns {
		if re, err := regexp.Compile(p); err == nil && re.MatchString(name) {
			return true
		}
	}
	return false
}

// resolveRefs checks every $ref: local, into $defs or definitions, and
// naming a schema.
func (c *checker) resolveRefs() {
	for i := range c.refs {
		r := &c.refs[i]
		if !strings.HasPrefix(r.value, "#") {
			c.add(r.ptr, "$ref %q is not a local reference", r.value).Hint = "external references are not supported; move the schema under $defs"
			continue
		}
		u, err := url.Parse(r.value)
		if err != nil {
			c.add(r.ptr, "$ref %q is not a valid URI reference", r.value)
			continue
		}
		frag := u.Fragment
		if !strings.HasPrefix(frag, "/$defs/") && !strings.HasPrefix(frag, "/definitions/") {
			c.add(r.ptr, "$ref %q does not point into $defs or definitions", r.value).Hint = "mcpgen supports references to $defs and definitions only: move the schema there"
			continue
		}
		target := c.rootPtr
		for _, seg := range strings.Split(frag[1:], "/") {
			target = diag.Append(target, diag.UnescapeToken(seg))
		}
		if _, ok := c.nodes[target]; !ok {
			c.add(r.ptr, "$ref %q does not resolve", r.value)
			continue
		}
		c.edges[r.schema] = append(c.edges[r.schema], edge{to: target, ref: r})
	}
}

// cycles reports $ref cycles that never descend into the value: validating
// any value against them would recurse until the stack runs out.
func (c *checker) cycles() {
	const (
		white = iota
		grey
		black
	)
	color := make(map[string]int)
	var path []edge
	reported := make(map[string]bool)
	var visit func(n string)
	visit = func(n string) {
		color[n] = grey
		for _, e := range c.edges[n] {
			switch color[e.to] {
			case white:
				path = append(path, e)
				visit(e.to)
				path = path[:len(path)-1]
			case grey:
				// The cycle is the part of path after the edge into
				// e.to (all of it if e.to is where the walk began), then e.
				start := 0
				for j := len(path) - 1; j >= 0; j-- {
					if path[j].to == e.to {
						start = j + 1
						break
					}
				}
				var refs []*ref
				for _, ce := range append(slices.Clone(path[start:]), e) {
					if ce.ref != nil {
						refs = append(refs, ce.ref)
					}
				}
				if len(refs) == 0 || reported[refs[0].ptr] {
					continue
				}
				reported[refs[0].ptr] = true
				chain := ""
				for _, r := range refs {
					chain += r.value + " → "
				}
				chain += refs[0].value
				c.add(refs[0].ptr, "$ref %q loops back without descending into the value (%s)", refs[0].value, chain).Hint = "validating any value would recurse forever; recurse through properties or items instead"
			}
		}
		color[n] = black
	}
	for _, n := range slices.Sorted(maps.Keys(c.nodes)) {
		if color[n] == white {
			visit(n)
		}
	}
}

// checkDefault validates a default against the schema that holds it, with
// the root's $defs in reach, as the MCP SDK does with ValidateDefaults.
func (c *checker) checkDefault(d defaultValue) {
	if c.v.budget.Spent() {
		return
	}
	doc := maps.Clone(d.schema)
	for _, k := range []string{"$defs", "definitions", "$schema", "$id"} {
		delete(doc, k)
		if v, ok := c.root[k]; ok && k != "$id" && (k == "$schema" || hasRef(d.schema)) {
			doc[k] = v
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil || !c.v.budget.spend(1+len(raw)/DefaultStepBytes) {
		return
	}
	js, err := DecodeSDKSchema(raw, c.v.f.Exact)
	if err != nil {
		return // the backstop reports it
	}
	resolved, err := js.Resolve(nil)
	if err != nil {
		return // the backstop reports it
	}
	value, err := json.Marshal(d.value)
	if err != nil {
		return
	}
	var instance any
	if json.Unmarshal(value, &instance) != nil {
		return
	}
	if err := resolved.Validate(instance); err != nil {
		c.add(d.ptr, "default %s does not match its schema: %s", compact(d.value, 60), libraryMessage(err)).Hint = "the MCP SDK refuses the tool at start-up; fix the default or the schema"
	}
}

// headers checks the x-mcp-header annotations of the input schema's
// properties as the MCP SDK does when the tool is added: on primitive
// properties only, with a valid and unique HTTP header name.
func (c *checker) headers() {
	annotated := false
	var find func(props map[string]any)
	find = func(props map[string]any) {
		for _, p := range props {
			if pm, ok := p.(map[string]any); ok {
				if _, ok := pm["x-mcp-header"]; ok {
					annotated = true
				}
				sub, _ := pm["properties"].(map[string]any)
				find(sub)
			}
		}
	}
	props, _ := c.root["properties"].(map[string]any)
	find(props)
	if !annotated {
		return
	}
	if at := headerUnreadable(c.root, c.rootPtr); at != "" {
		c.v.warn(at, "the MCP SDK ignores every x-mcp-header of this tool, because it cannot read this schema's type or properties").Hint = "give each property a single type"
		return
	}
	seen := make(map[string]string)
	var walk func(props map[string]any, ptr string)
	walk = func(props map[string]any, ptr string) {
		for _, name := range slices.Sorted(maps.Keys(props)) {
			pm, _ := props[name].(map[string]any)
			pptr := diag.Append(ptr, name)
			if h, ok := pm["x-mcp-header"]; ok {
				hptr := diag.Append(pptr, "x-mcp-header")
				t, _ := pm["type"].(string)
				header, isString := h.(string)
				switch {
				case t != "string" && t != "integer" && t != "boolean":
					c.add(hptr, "x-mcp-header is only allowed on a property of type string, integer or boolean").Hint = "the MCP SDK panics at start-up otherwise"
				case !isString || header == "":
					c.add(hptr, "x-mcp-header must be a non-empty string (an HTTP header name)")
				case strings.IndexFunc(header, func(r rune) bool { return !isTChar(r) }) >= 0:
					c.add(hptr, "x-mcp-header %q is not a valid HTTP header name", header).Hint = "use letters, digits and !#$%&'*+-.^_`|~"
				default:
					if prev, dup := seen[strings.ToLower(header)]; dup {
						c.add(hptr, "x-mcp-header %q is already used by %s", header, prev).Hint = "header names must be unique, ignoring case"
					} else {
						seen[strings.ToLower(header)] = pptr
					}
				}
			}
			sub, _ := pm["properties"].(map[string]any)
			walk(sub, diag.Append(pptr, "properties"))
		}
	}
	walk(props, c.rootPtr+"/properties")
}

// headerUnreadable returns the pointer of the first node that keeps the
// MCP SDK from reading the properties tree for x-mcp-header (it then
// ignores them all), or "".
func headerUnreadable(node any, ptr string) string {
	if node == nil {
		return ""
	}
	m, ok := node.(map[string]any)
	if !ok {
		return ptr
	}
	if t, ok := m["type"]; ok && t != nil {
		if _, ok := t.(string); !ok {
			return diag.Append(ptr, "type")
		}
	}
	props, ok := m["properties"]
	if !ok || props == nil {
		return ""
	}
	pm, ok := props.(map[string]any)
	if !ok {
		return diag.Append(ptr, "properties")
	}
	for _, name := range slices.Sorted(maps.Keys(pm)) {
		if at := headerUnreadable(pm[name], diag.Append(ptr, "properties", name)); at != "" {
			return at
		}
	}
	return ""
}

func isTChar(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// backstop runs what the MCP SDK runs when the tool is added. The checks
// above should leave it nothing to find; if it finds something anyway, the
// error is reported where its message points, or at the schema's root.
func (c *checker) backstop(raw json.RawMessage) {
	js, err := DecodeSDKSchema(raw, c.v.f.Exact) // json.Unmarshal's result and error, faster
	if err != nil {
		c.add(c.rootPtr, "the MCP SDK cannot read this schema: %s", libraryMessage(err))
		return
	}
	if _, err := js.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true}); err != nil {
		c.add(c.libraryPointer(err), "the MCP SDK refuses this schema: %s", libraryMessage(err))
	}
}

var libraryPath = regexp.MustCompile(`(?:^|\s)(/[^\s:]*)`)

// libraryPointer finds the schema path in a jsonschema-go error, and
// returns it as a pointer into the manifest.
func (c *checker) libraryPointer(err error) string {
	m := libraryPath.FindAllStringSubmatch(err.Error(), -1)
	if m == nil {
		return c.rootPtr
	}
	ptr := c.rootPtr
	for _, seg := range strings.Split(m[len(m)-1][1][1:], "/") {
		ptr = diag.Append(ptr, diag.UnescapeToken(seg))
	}
	if _, ok := c.nodes[ptr]; !ok {
		return c.rootPtr
	}
	return ptr
}

var (
	rational    = regexp.MustCompile(`\b(-?\d+)/1\b`)
	fixedFloat  = regexp.MustCompile(`\b-?\d+\.\d{6}\b`)
	validatingX = regexp.MustCompile(`validating (root|/\S*): `)
)

// libraryMessage makes a jsonschema-go error read like the rest: one line,
// without the library's path prefixes, numbers as written.
func libraryMessage(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	s = strings.TrimPrefix(s, "jsonschema: ")
	s = validatingX.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "validating root") {
			return ""
		}
		return "at " + strings.TrimPrefix(m, "validating ")
	})
	s = rational.ReplaceAllString(s, "$1")
	s = fixedFloat.ReplaceAllStringFunc(s, func(m string) string {
		f, err := strconv.ParseFloat(m, 64)
		if err != nil {
			return m
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	})
	return s
}

// decodeJSON decodes one JSON value, numbers as json.Number.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the value")
	}
	return v, nil
}

// tooDeep returns the pointer of the first container nested deeper than
// the MCP SDK allows, in key order, and its depth.
func tooDeep(v any, ptr string, depth int) (string, int) {
	if !deeper(v, depth) {
		return "", 0 // nearly always: no pointer is built
	}
	switch t := v.(type) {
	case map[string]any:
		if depth > SDKMaxDepth {
			return ptr, depth
		}
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if at, d := tooDeep(t[k], diag.Append(ptr, k), depth+1); at != "" {
				return at, d
			}
		}
	case []any:
		if depth > SDKMaxDepth {
			return ptr, depth
		}
		for i, e := range t {
			if at, d := tooDeep(e, diag.Append(ptr, strconv.Itoa(i)), depth+1); at != "" {
				return at, d
			}
		}
	}
	return "", 0
}

// deeper reports whether v, at depth, holds a container nested deeper than
// the MCP SDK allows.
func deeper(v any, depth int) bool {
	switch t := v.(type) {
	case map[string]any:
		if depth > SDKMaxDepth {
			return true
		}
		for _, e := range t {
			if deeper(e, depth+1) {
				return true
			}
		}
	case []any:
		if depth > SDKMaxDepth {
			return true
		}
		for _, e := range t {
			if deeper(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// jsonKind names the kind of a JSON value, in the words of YAML.
func jsonKind(v any) string {
	switch t := v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %s", compact(t, 40))
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// compact renders v as short JSON for a message.
func compact(v any, max int) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(buf.String())
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "..."
	}
	return s
}
