package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/manifest"
)

// Schema conversion: OpenAPI schemas (3.0's dialect or 3.1's JSON Schema)
// become JSON Schema 2020-12, as the MCP SDK reads it.
//
// A schema the document names (a $ref target) becomes a shared definition,
// referred to as "#/$defs/<name>", so that recursive schemas end and shared
// ones are written once. A definition is converted once per role: inputs
// leave readOnly properties out and outputs writeOnly ones, so a schema that
// has either (or reaches one that has) gets a second definition for inputs,
// "<name>Input".

// role is which side of a call a schema describes.
type role int

const (
	input role = iota
	output
)

// def is one shared definition.
type def struct {
	key  defKey
	name string
	// ptr is the $ref that named the schema ("#/components/schemas/Pet").
	ptr    string
	schema *object
	raw    []byte // schema's JSON, once complete
}

// converter converts the schemas of one document.
type converter struct {
	imp *importer
	// defs are the definitions made so far, by schema and role, and in the
	// order they were made.
	defs  map[defKey]*def
	order []*def
	names map[string]bool
	// sensitive records, per named schema, whether it differs between
	// inputs and outputs (see sensitivity).
	sensitive map[*openapi3.Schema]bool
	// merging guards allOf merges against cycles.
	merging map[*openapi3.Schema]bool
	// active and expanding are what the conversion under way is inside of,
	// since the definition it is making began (or the operation, outside
	// any): active the schemas being converted, expanding the named
	// schemas whose content is being converted, as the definition made or
	// copied in by an allOf merge. A merge that would copy in a schema of
	// expanding refers to its definition instead, so that recursion through
	// allOf ends at a $ref as recursion through $ref does; a schema met
	// again while active (a cycle with no name to refer to) converts as the
	// empty schema, with a warning. Each definition starts afresh, so what
	// it converts to does not depend on where it is first used.
	active    map[*openapi3.Schema]bool
	expanding map[*openapi3.Schema]int
	// work counts the steps of conversion done, and limit is where the
	// budget of the operation being converted ends (see spend).
	work, limit int
	// overrun is set once work has passed limit: every conversion then
	// returns at once, and the operation is dropped (see Import).
	overrun bool
	// checked remembers defaults and patterns already reported, so that a
	// schema converted for both roles warns once.
	reported map[string]bool
	// defaults holds the defaults checked, by schema and value: what is
	// wrong with each, or "".
	defaults map[string]string
}

type defKey struct {
	s *openapi3.Schema
	r role
}

func newConverter(imp *importer) *converter {
	return &converter{
		imp:       imp,
		defs:      make(map[defKey]*def),
		names:     make(map[string]bool),
		sensitive: make(map[*openapi3.Schema]bool),
		merging:   make(map[*openapi3.Schema]bool),
		active:    make(map[*openapi3.Schema]bool),
		expanding: make(map[*openapi3.Schema]int),
		limit:     math.MaxInt,
		reported:  make(map[string]bool),
		defaults:  make(map[string]string),
	}
}

// convert converts the schema at ref, found at ptr in the document, for
// role r. A $ref becomes a reference to a definition.
func (c *converter) convert(ref *openapi3.SchemaRef, ptr string, r role) any {
	if ref == nil || ref.Value == nil {
		return newObject() // the empty schema: anything
	}
	if ref.Ref != "" {
		return c.refTo(ref, r)
	}
	return c.schema(ref.Value, ptr, r)
}

// refTo returns {"$ref": "#/$defs/<name>"} for a named schema, making the
// definition on first use.
func (c *converter) refTo(ref *openapi3.SchemaRef, r role) *object {
	s := ref.Value
	if !c.sensitive[s] {
		r = output // the same definition serves both roles
	}
	k := defKey{s, r}
	d, ok := c.defs[k]
	if !ok {
		d = &def{key: k, name: c.defName(ref.Ref, r == input && c.sensitive[s]), ptr: refPointer(ref.Ref)}
		c.defs[k] = d
		c.order = append(c.order, d)
		// Registered before it is converted, so that a schema that refers
		// to itself finds its own definition. A definition is made once, so
		// the walk crosses into each at most once.
		active, expanding := c.active, c.expanding
		c.active, c.expanding = make(map[*openapi3.Schema]bool), map[*openapi3.Schema]int{s: 1}
		d.schema = asObject(c.schema(s, d.ptr, r))
		c.active, c.expanding = active, expanding
	}
	o := newObject()
	o.set("$ref", "#/$defs/"+escapeToken(d.name))
	return o
}

// asObject wraps a boolean schema as an object schema.
func asObject(v any) *object {
	if o, ok := v.(*object); ok {
		return o
	}
	o := newObject()
	if v == false {
		o.set("not", newObject())
	}
	return o
}

// refPointer is the JSON pointer a $ref names within its document.
func refPointer(ref string) string {
	if i := strings.IndexByte(ref, '#'); i >= 0 {
		return ref[i:]
	}
	return "#"
}

var nonName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// defName names the definition of the schema that ref names: the last part
// of its pointer ("Pet" for "#/components/schemas/Pet"), in characters that
// need no escaping, unique.
func (c *converter) defName(ref string, forInput bool) string {
	file, frag, _ := strings.Cut(ref, "#")
	frag = strings.TrimPrefix(frag, "/")
	for _, prefix := range []string{"components/schemas/", "definitions/"} {
		if strings.HasPrefix(frag, prefix) {
			frag = strings.TrimPrefix(frag, prefix)
			break
		}
	}
	frag = diag.UnescapeToken(frag)
	name := strings.Trim(nonName.ReplaceAllString(frag, "_"), "_")
	if file != "" {
		base := file[strings.LastIndexByte(file, '/')+1:]
		base = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml"), ".json")
		name = strings.Trim(nonName.ReplaceAllString(base, "_"), "_") + "." + name
	}
	if name == "" || name == "." {
		name = "schema"
	}
	if forInput {
		name += "Input"
	}
	unique := name
	for i := 2; c.names[unique]; i++ {
		unique = fmt.Sprintf("%s%d", name, i)
	}
	c.names[unique] = true
	return unique
}

// escaper writes JSON pointer tokens.
var escaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return escaper.Replace(s)
}

// schema converts one schema for role r. ptr is where it sits in the
// document, for warnings.
//
// The walk ends: it goes on into a definition only once (refTo), and
// within one it meets no schema twice on its way down (active), and copies
// in a named schema only once (expanding). Its work is counted, so that a
// document whose schemas multiply when merged stops at its budget.
func (c *converter) schema(s *openapi3.Schema, ptr string, r role) any {
	if !c.spend(1) {
		return newObject()
	}
	if s.Always != nil {
		return *s.Always
	}
	if c.active[s] {
		c.warnOnce(ptr, "the schema contains itself with no name to refer to it by; the inner one accepts any value")
		return newObject()
	}
	c.active[s] = true
	defer delete(c.active, s)
	if merged, inlined, ok := c.mergeAllOf(s, r); ok {
		for _, x := range inlined {
			c.expanding[x]++
		}
		defer func() {
			for _, x := range inlined {
				if c.expanding[x]--; c.expanding[x] == 0 {
					delete(c.expanding, x)
				}
			}
		}()
		s = merged
	}
	if only, desc := soleMember(s); only != nil {
		// allOf: [X], the way OpenAPI 3.0 gives a $ref a description or
		// nullable: X itself.
		o := asObject(c.convert(only, ptr+"/allOf/"+strconv.Itoa(slices.Index(s.AllOf, only)), r)).clone()
		if desc != "" {
			o.set("description", desc)
		}
		if s.Nullable {
			alt := newObject()
			alt.set("anyOf", []any{o, typeOnly("null")})
			return alt
		}
		return o
	}
	o := newObject()

	types := s.Type.Slice()
	nullable := s.Nullable || slices.Contains(types, "null")
	if s.Nullable && len(types) > 0 && !slices.Contains(types, "null") {
		types = append(slices.Clone(types), "null")
	}
	switch len(types) {
	case 0:
	case 1:
		o.set("type", types[0])
	default:
		o.set("type", slices.Clone(types))
	}
	if s.Title != "" {
		o.set("title", s.Title)
	}
	if s.Description != "" {
		o.set("description", s.Description)
	}
	if s.Format != "" {
		o.set("format", s.Format)
	}
	if s.Const != nil {
		o.set("const", s.Const)
	}
	if len(s.Enum) > 0 {
		enum := slices.Clone(s.Enum)
		if nullable && !slices.Contains(enum, nil) {
			enum = append(enum, nil)
		}
		o.set("enum", enum)
	}
	if s.Deprecated {
		o.set("deprecated", true)
	}
	if s.ReadOnly {
		o.set("readOnly", true)
	}
	if s.WriteOnly {
		o.set("writeOnly", true)
	}

	// Numbers. OpenAPI 3.0's boolean exclusive bounds modify minimum and
	// maximum; JSON Schema's are the bounds themselves.
	switch {
	case s.ExclusiveMin.Value != nil:
		o.set("exclusiveMinimum", *s.ExclusiveMin.Value)
		if s.Min != nil {
			o.set("minimum", *s.Min)
		}
	case s.ExclusiveMin.IsTrue() && s.Min != nil:
		o.set("exclusiveMinimum", *s.Min)
	case s.Min != nil:
		o.set("minimum", *s.Min)
	}
	switch {
	case s.ExclusiveMax.Value != nil:
		o.set("exclusiveMaximum", *s.ExclusiveMax.Value)
		if s.Max != nil {
			o.set("maximum", *s.Max)
		}
	case s.ExclusiveMax.IsTrue() && s.Max != nil:
		o.set("exclusiveMaximum", *s.Max)
	case s.Max != nil:
		o.set("maximum", *s.Max)
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		o.set("multipleOf", *s.MultipleOf)
	}

	// Strings.
	if s.MinLength > 0 {
		o.set("minLength", s.MinLength)
	}
	if s.MaxLength != nil {
		o.set("maxLength", *s.MaxLength)
	}
	if s.Pattern != "" {
		if _, err := regexp.Compile(s.Pattern); err != nil {
			c.warnOnce(ptr+"/pattern", "pattern %q is left out: Go's regular expressions, which the server validates with, cannot compile it (%v)", s.Pattern, regexpReason(err))
		} else {
			o.set("pattern", s.Pattern)
		}
	}
	if s.ContentEncoding != "" {
		o.set("contentEncoding", s.ContentEncoding)
	}
	if s.ContentMediaType != "" {
		o.set("contentMediaType", s.ContentMediaType)
	}

	// Arrays.
	if s.Items != nil {
		o.set("items", c.convert(s.Items, ptr+"/items", r))
	}
	if len(s.PrefixItems) > 0 {
		o.set("prefixItems", c.list(s.PrefixItems, ptr+"/prefixItems", r))
	}
	if s.Contains != nil {
		o.set("contains", c.convert(s.Contains, ptr+"/contains", r))
	}
	if s.MinContains != nil {
		o.set("minContains", *s.MinContains)
	}
	if s.MaxContains != nil {
		o.set("maxContains", *s.MaxContains)
	}
	if s.MinItems > 0 {
		o.set("minItems", s.MinItems)
	}
	if s.MaxItems != nil {
		o.set("maxItems", *s.MaxItems)
	}
	if s.UniqueItems {
		o.set("uniqueItems", true)
	}

	// Objects. Inputs leave out readOnly properties, outputs writeOnly ones.
	if len(s.Properties) > 0 {
		props := newObject()
		left := make(map[string]bool)
		for _, name := range sortedKeys(s.Properties) {
			p := s.Properties[name]
			if p == nil || p.Value == nil {
				continue
			}
			if r == input && p.Value.ReadOnly || r == output && p.Value.WriteOnly {
				left[name] = true
				continue
			}
			props.set(name, c.convert(p, ptr+"/properties/"+escapeToken(name), r))
		}
		o.set("properties", props)
	}
	if len(s.Required) > 0 {
		var req []string
		for _, name := range s.Required {
			if p := s.Properties[name]; p != nil && p.Value != nil && (r == input && p.Value.ReadOnly || r == output && p.Value.WriteOnly) {
				continue
			}
			if !slices.Contains(req, name) {
				req = append(req, name)
			}
		}
		if len(req) > 0 {
			o.set("required", req)
		}
	}
	if len(s.PatternProperties) > 0 {
		pp := newObject()
		for _, pat := range sortedKeys(s.PatternProperties) {
			if _, err := regexp.Compile(pat); err != nil {
				c.warnOnce(ptr+"/patternProperties/"+escapeToken(pat), "pattern property %q is left out: Go's regular expressions cannot compile it (%v)", pat, regexpReason(err))
				continue
			}
			pp.set(pat, c.convert(s.PatternProperties[pat], ptr+"/patternProperties/"+escapeToken(pat), r))
		}
		if pp.len() > 0 {
			o.set("patternProperties", pp)
		}
	}
	switch ap := s.AdditionalProperties; {
	case ap.Schema != nil:
		o.set("additionalProperties", c.convert(ap.Schema, ptr+"/additionalProperties", r))
	case ap.Has != nil && !*ap.Has:
		o.set("additionalProperties", false)
	}
	for _, u := range []struct {
		key string
		b   openapi3.BoolSchema
	}{{"unevaluatedProperties", s.UnevaluatedProperties}, {"unevaluatedItems", s.UnevaluatedItems}} {
		switch {
		case u.b.Schema != nil:
			o.set(u.key, c.convert(u.b.Schema, ptr+"/"+u.key, r))
		case u.b.Has != nil:
			o.set(u.key, *u.b.Has)
		}
	}
	if len(s.DependentSchemas) > 0 {
		ds := newObject()
		for _, k := range sortedKeys(s.DependentSchemas) {
			ds.set(k, c.convert(s.DependentSchemas[k], ptr+"/dependentSchemas/"+escapeToken(k), r))
		}
		o.set("dependentSchemas", ds)
	}
	if s.PropertyNames != nil {
		o.set("propertyNames", c.convert(s.PropertyNames, ptr+"/propertyNames", r))
	}
	if s.MinProps > 0 {
		o.set("minProperties", s.MinProps)
	}
	if s.MaxProps != nil {
		o.set("maxProperties", *s.MaxProps)
	}
	if len(s.DependentRequired) > 0 {
		dr := newObject()
		for _, k := range sortedKeys(s.DependentRequired) {
			dr.set(k, s.DependentRequired[k])
		}
		o.set("dependentRequired", dr)
	}

	// Composition.
	if len(s.AllOf) > 0 {
		o.set("allOf", c.list(s.AllOf, ptr+"/allOf", r))
	}
	if len(s.OneOf) > 0 {
		o.set("oneOf", c.list(s.OneOf, ptr+"/oneOf", r))
	}
	if len(s.AnyOf) > 0 {
		o.set("anyOf", c.list(s.AnyOf, ptr+"/anyOf", r))
	}
	if s.Not != nil {
		o.set("not", c.convert(s.Not, ptr+"/not", r))
	}
	if s.If != nil {
		o.set("if", c.convert(s.If, ptr+"/if", r))
	}
	if s.Then != nil {
		o.set("then", c.convert(s.Then, ptr+"/then", r))
	}
	if s.Else != nil {
		o.set("else", c.convert(s.Else, ptr+"/else", r))
	}
	if d := s.Discriminator; d != nil && d.PropertyName != "" {
		disc := newObject()
		disc.set("propertyName", d.PropertyName)
		if len(d.Mapping) > 0 {
			m := newObject()
			for _, k := range sortedKeys(d.Mapping) {
				target := d.Mapping[k].Ref
				// The mapping names schemas of the document; point it at
				// their definitions, when they have one.
				for key, def := range c.defs {
					if key.r == r && def.ptr == refPointer(target) {
						target = "#/$defs/" + escapeToken(def.name)
						break
					}
				}
				m.set(k, target)
			}
			disc.set("mapping", m)
		}
		o.set("discriminator", disc)
	}

	// Values.
	if s.Default != nil {
		if c.defaultOK(o, s.Default, ptr) {
			o.set("default", s.Default)
		}
	}
	var examples []any
	if s.Example != nil {
		examples = append(examples, s.Example)
	}
	examples = append(examples, s.Examples...)
	if len(examples) > 0 {
		o.set("examples", examples)
	}

	// A nullable schema without a type to add null to ($ref siblings in
	// 3.0, compositions): null or the schema.
	if s.Nullable && len(types) == 0 && (len(s.OneOf) > 0 || len(s.AnyOf) > 0 || len(s.AllOf) > 0) {
		alt := newObject()
		alt.set("anyOf", []any{o, typeOnly("null")})
		return alt
	}
	return o
}

// soleMember returns X for a schema that is allOf: [X] and nothing else
// but a description, a title or nullable, and the description to give X.
// Other members that carry only a description or a title annotate X
// (allOf: [{$ref: X}, {description: …}] is how some documents describe a
// reference); the schema's own description comes first.
func soleMember(s *openapi3.Schema) (*openapi3.SchemaRef, string) {
	var only *openapi3.SchemaRef
	desc := s.Description
	for _, m := range s.AllOf {
		if m == nil || m.Value == nil {
			return nil, ""
		}
		if m.Ref == "" && annotationOnly(m.Value) {
			if desc == "" {
				desc = m.Value.Description
			}
			continue
		}
		if only != nil {
			return nil, ""
		}
		only = m
	}
	if only == nil && len(s.AllOf) == 1 {
		only, desc = s.AllOf[0], s.Description // allOf: [{description: …}]
	}
	if only == nil {
		return nil, ""
	}
	bare := openapi3.Schema{AllOf: s.AllOf, Description: s.Description, Title: s.Title, Nullable: s.Nullable, Extensions: s.Extensions, Origin: s.Origin}
	if !reflect.DeepEqual(*s, bare) {
		return nil, ""
	}
	return only, desc
}

// annotationOnly reports whether s says nothing but a description or a
// title.
func annotationOnly(s *openapi3.Schema) bool {
	bare := openapi3.Schema{Description: s.Description, Title: s.Title, Extensions: s.Extensions, Origin: s.Origin}
	return reflect.DeepEqual(*s, bare)
}

func typeOnly(t string) *object {
	o := newObject()
	o.set("type", t)
	return o
}

func (c *converter) list(refs openapi3.SchemaRefs, ptr string, r role) []any {
	out := make([]any, 0, len(refs))
	for i, ref := range refs {
		out = append(out, c.convert(ref, fmt.Sprintf("%s/%d", ptr, i), r))
	}
	return out
}

// defaultOK reports whether a default satisfies the schema it sits in: the
// MCP SDK refuses to register a tool whose schema has one that does not.
// A schema that refers to definitions is checked when the whole tool
// schema is (see the generator's last check).
func (c *converter) defaultOK(o *object, v any, ptr string) bool {
	if c.overrun {
		return true // the operation is left out: no more checks for it
	}
	raw := marshal(o)
	if bytes.Contains(raw, []byte(`"$ref"`)) {
		// Check it with the definitions it reaches, unless one of them is
		// still being made (a default inside a recursive schema): the
		// generator's last check covers those.
		var ok bool
		if raw, ok = c.withDefs(raw); !ok {
			return true
		}
	}
	// The same parameter schema, default and all, stands in many
	// operations (GitHub's per_page in hundreds): each is checked once.
	value, err := json.Marshal(v)
	if err != nil {
		return true
	}
	key := string(raw) + "\x00" + string(value)
	problem, checked := c.defaults[key]
	if !checked {
		// Validating costs in proportion to the schema with the
		// definitions it reaches: counted, so that a long chain of
		// definitions with defaults cannot take unbounded time. An
		// operation past its budget is left out (see budget.go).
		if !c.spend(1 + len(raw)/manifest.DefaultStepBytes) {
			return true
		}
		problem = defaultProblem(raw, value, c.imp.opts.Exact)
		c.defaults[key] = problem
	}
	if problem != "" {
		var val any // as the library saw it, numbers as float64
		if json.Unmarshal(value, &val) == nil {
			v = val
		}
		c.warnOnce(ptr+"/default", "default %s is left out: it does not satisfy its own schema (%s)", compact(v), problem)
		return false
	}
	return true
}

// defaultProblem is why the default value (JSON) does not satisfy the
// schema raw, or "". A schema the library cannot read is left to the
// generator's last check.
func defaultProblem(raw, value []byte, exact bool) string {
	js, err := manifest.DecodeSDKSchema(raw, exact)
	if err != nil {
		return ""
	}
	resolved, err := js.Resolve(nil)
	if err != nil {
		return ""
	}
	// The value as JSON brings it, numbers as float64.
	var v any
	if err := json.Unmarshal(value, &v); err != nil {
		return ""
	}
	if err := resolved.Validate(v); err != nil {
		return err.Error()
	}
	return ""
}

// withDefs adds to a schema the definitions it reaches, as Result.Full
// does; false when one of them is not complete yet.
func (c *converter) withDefs(raw []byte) ([]byte, bool) {
	byName := make(map[string][]byte, len(c.order))
	for _, d := range c.order {
		if d.schema == nil {
			byName[d.name] = nil
			continue
		}
		if d.raw == nil {
			d.raw = marshal(d.schema)
		}
		byName[d.name] = d.raw
	}
	for _, m := range defRef.FindAllSubmatch(raw, -1) {
		if b, ok := byName[string(m[1])]; ok && b == nil {
			return nil, false
		}
	}
	r := &Result{defs: byName}
	full := r.Full(raw)
	for _, m := range defRef.FindAllSubmatch(full, -1) {
		if b := byName[string(m[1])]; b == nil {
			return nil, false
		}
	}
	return full, true
}

// warnOnce warns about the node at ptr, once however often it is converted.
func (c *converter) warnOnce(ptr, format string, args ...any) {
	if c.reported[ptr] {
		return
	}
	c.reported[ptr] = true
	c.imp.warn(ptr, format, args...)
}

func regexpReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "error parsing regexp") {
		return strings.TrimPrefix(msg, "error parsing regexp: ")
	}
	return msg
}

// compact shows a value briefly, for messages.
func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 40 {
		return string(b[:37]) + "..."
	}
	return string(b)
}

// mergeAllOf merges an allOf of object schemas into one schema, when that
// changes nothing a validator would decide: every member is an object
// schema of plain properties and required lists, no property is given
// twice, and none has a composition of its own. Models and the generated Go
// types read one object far better than an intersection.
//
// inlined are the named schemas ($ref targets) whose properties the merge
// copies in: the conversion of the merged schema is inside them (see
// converter.expanding). A merge that would copy in a schema the conversion
// is already inside is declined, and so is one past the budget.
func (c *converter) mergeAllOf(s *openapi3.Schema, r role) (merged *openapi3.Schema, inlined []*openapi3.Schema, ok bool) {
	if len(s.AllOf) == 0 || len(s.OneOf) > 0 || len(s.AnyOf) > 0 || s.Not != nil || s.Discriminator != nil || s.Nullable {
		return nil, nil, false
	}
	if !plainObject(s, true) {
		return nil, nil, false
	}
	if c.merging[s] || !c.spend(1+len(s.AllOf)+len(s.Properties)) {
		return nil, nil, false
	}
	c.merging[s] = true
	defer delete(c.merging, s)

	m := *s
	m.AllOf = nil
	m.Properties = make(openapi3.Schemas, len(s.Properties))
	for k, v := range s.Properties {
		m.Properties[k] = v
	}
	m.Required = slices.Clone(s.Required)
	for _, member := range s.AllOf {
		if member == nil || member.Value == nil {
			return nil, nil, false
		}
		v := member.Value
		if member.Ref != "" {
			if c.expanding[v] > 0 {
				return nil, nil, false
			}
			inlined = append(inlined, v)
		}
		if len(v.AllOf) > 0 {
			inner, more, ok := c.mergeAllOf(v, r)
			if !ok {
				return nil, nil, false
			}
			v = inner
			inlined = append(inlined, more...)
		}
		if !plainObject(v, false) || !c.spend(len(v.Properties)) {
			return nil, nil, false
		}
		for k, p := range v.Properties {
			if prev, dup := m.Properties[k]; dup && prev != p {
				return nil, nil, false
			}
			m.Properties[k] = p
		}
		for _, req := range v.Required {
			if !slices.Contains(m.Required, req) {
				m.Required = append(m.Required, req)
			}
		}
		if m.Description == "" {
			m.Description = v.Description
		}
		if m.AdditionalProperties.Has == nil && m.AdditionalProperties.Schema == nil {
			m.AdditionalProperties = v.AdditionalProperties
		} else if v.AdditionalProperties.Has != nil || v.AdditionalProperties.Schema != nil {
			return nil, nil, false
		}
	}
	t := openapi3.Types{"object"}
	m.Type = &t
	return &m, inlined, true
}

// plainObject reports whether s says nothing but that a value is an object
// with some properties. The schema being merged may also carry the
// annotations that describe it.
func plainObject(s *openapi3.Schema, outer bool) bool {
	if s.Type != nil && !s.Type.Is("object") {
		return false
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 || s.Not != nil || s.Discriminator != nil || s.Nullable ||
		len(s.Enum) > 0 || s.Const != nil || s.Default != nil || len(s.PatternProperties) > 0 ||
		s.PropertyNames != nil || s.If != nil || len(s.DependentRequired) > 0 || len(s.DependentSchemas) > 0 ||
		s.MinProps > 0 || s.MaxProps != nil || s.Always != nil || s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil {
		return false
	}
	if !outer && len(s.AllOf) > 0 {
		return false
	}
	return true
}

// sensitivity finds the named schemas that differ between inputs and
// outputs: those with a readOnly or writeOnly property, and those that
// reach one through their subschemas. roots are the schemas of the
// selected operations.
func (c *converter) sensitivity(roots []*openapi3.SchemaRef) {
	// Walk every schema reachable from the roots once, noting for each
	// named schema the named schemas it refers to and whether it has such
	// a property itself.
	refersTo := make(map[*openapi3.Schema][]*openapi3.Schema) // reverse edges: target → named schemas referring to it
	local := make(map[*openapi3.Schema]bool)
	seenNamed := make(map[*openapi3.Schema]bool)
	seenInline := make(map[*openapi3.Schema]bool)
	var queue []*openapi3.Schema

	var walk func(owner *openapi3.Schema, ref *openapi3.SchemaRef)
	walk = func(owner *openapi3.Schema, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil {
			return
		}
		s := ref.Value
		if ref.Ref != "" {
			if owner != nil {
				refersTo[s] = append(refersTo[s], owner)
			}
			if !seenNamed[s] {
				seenNamed[s] = true
				queue = append(queue, s)
			}
			return
		}
		if seenInline[s] {
			return
		}
		seenInline[s] = true
		inner(owner, s, walk, local)
	}
	for _, r := range roots {
		walk(nil, r)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		inner(s, s, walk, local)
	}
	// Propagate from the schemas that have such a property to those that
	// reach them.
	var stack []*openapi3.Schema
	for s := range local {
		if seenNamed[s] && !c.sensitive[s] {
			c.sensitive[s] = true
			stack = append(stack, s)
		}
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, from := range refersTo[s] {
			if !c.sensitive[from] {
				c.sensitive[from] = true
				stack = append(stack, from)
			}
		}
	}
}

// inner visits the subschemas of s, a part of the named schema owner (nil
// for an operation's inline schema), and records in local whether owner has
// a readOnly or writeOnly property.
func inner(owner, s *openapi3.Schema, walk func(*openapi3.Schema, *openapi3.SchemaRef), local map[*openapi3.Schema]bool) {
	for _, p := range s.Properties {
		if p != nil && p.Value != nil && (p.Value.ReadOnly || p.Value.WriteOnly) && owner != nil {
			local[owner] = true
		}
		walk(owner, p)
	}
	for _, l := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf, s.PrefixItems} {
		for _, ref := range l {
			walk(owner, ref)
		}
	}
	for _, ref := range []*openapi3.SchemaRef{s.Items, s.Not, s.AdditionalProperties.Schema, s.Contains, s.PropertyNames, s.If, s.Then, s.Else} {
		walk(owner, ref)
	}
	for _, ref := range s.PatternProperties {
		walk(owner, ref)
	}
	for _, ref := range s.DependentSchemas {
		walk(owner, ref)
	}
	walk(owner, s.UnevaluatedProperties.Schema)
	walk(owner, s.UnevaluatedItems.Schema)
}

// isObject reports whether every value the schema at ref accepts is a JSON
// object (through $refs and merged allOfs).
func (c *converter) isObject(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Value == nil {
		return false
	}
	s := ref.Value
	if s.Nullable || s.Type.Includes("null") {
		return false
	}
	if s.Type.Is("object") {
		return true
	}
	if s.Type == nil && len(s.AllOf) > 0 {
		if _, _, ok := c.mergeAllOf(s, output); ok {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
