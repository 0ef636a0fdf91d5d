package gotype

import "slices"

// A schema is what Convert needs to know of one JSON Schema node. It is
// read from a value once, and the problems found on the way are reported
// once.
type schema struct {
	v   *value
	ptr string

	// boolean is set for the schemas true and false.
	boolean bool

	// types are the names in "type" other than "null", in source order;
	// typed tells whether "type" is present at all, and nullable whether
	// it allows null.
	types    []string
	typed    bool
	nullable bool

	title, desc string

	props    []property
	required map[string]bool

	// items is the schema of every array item, or nil. tuple is set when
	// the items are described position by position (prefixItems, or the
	// array form of items from drafts before 2020-12).
	items *value
	tuple bool

	// additional is additionalProperties when it is a schema object, and
	// nil when it is absent or a boolean; patterned tells that
	// patternProperties describes some members, so that no one schema
	// describes them all.
	additional *value
	patterned  bool

	enum    []*value
	hasEnum bool
	konst   *value

	ref string

	// shaped is set when a keyword such as allOf or oneOf may change what
	// the instance holds in a way the mapped Go type would not capture.
	// Keywords that only constrain (a oneOf of "required" lists, say) leave
	// it unset.
	shaped bool

	// orNull is set for anyOf/oneOf [S, {"type": "null"}] (the way many
	// generators spell "S or null"): the node is S, nullable.
	orNull *value
}

type property struct {
	name string
	v    *value
}

// jsonTypes are the values "type" may name.
var jsonTypes = []string{"null", "boolean", "object", "array", "number", "string", "integer"}

// schema reads the schema at v, or returns nil (having reported why) when
// v is not a schema.
func (c *converter) schema(v *value) *schema {
	if s, ok := c.schemas[v]; ok {
		return s
	}
	s := c.parse(v)
	c.schemas[v] = s
	return s
}

func (c *converter) parse(v *value) *schema {
	switch v.kind {
	case kindBool:
		return &schema{v: v, ptr: v.ptr, boolean: true}
	case kindObject:
	default:
		c.fail(v.ptr, "a schema must be an object or a boolean, not %s", v.kind)
		return nil
	}
	s := &schema{v: v, ptr: v.ptr, required: make(map[string]bool)}
	for _, m := range v.members {
		val := m.val
		switch m.key {
		case "type":
			c.parseType(s, val)
		case "title":
			if val.kind == kindString {
				s.title = val.str
			}
		case "description":
			if val.kind == kindString {
				s.desc = val.str
			}
		case "properties":
			if val.kind != kindObject {
				c.fail(val.ptr, "properties must be an object, not %s", val.kind)
				continue
			}
			for _, p := range val.members {
				if !isSchema(p.val) {
					c.fail(p.val.ptr, "the schema of property %q must be an object or a boolean, not %s", p.key, p.val.kind)
					continue
				}
				s.props = append(s.props, property{name: p.key, v: p.val})
			}
		case "required":
			if val.kind != kindArray {
				c.fail(val.ptr, "required must be an array of strings, not %s", val.kind)
				continue
			}
			for _, e := range val.elems {
				if e.kind != kindString {
					c.fail(e.ptr, "required must list property names as strings, not %s", e.kind)
					continue
				}
				s.required[e.str] = true
			}
		case "items":
			switch {
			case val.kind == kindArray:
				s.tuple = true
			case isSchema(val):
				s.items = val
			default:
				c.fail(val.ptr, "items must be a schema, not %s", val.kind)
			}
		case "prefixItems":
			s.tuple = true
		case "additionalProperties":
			switch {
			case val.kind == kindObject:
				s.additional = val
			case val.kind != kindBool:
				c.fail(val.ptr, "additionalProperties must be a schema, not %s", val.kind)
			}
		case "patternProperties":
			s.patterned = true
		case "enum":
			if val.kind != kindArray {
				c.fail(val.ptr, "enum must be an array, not %s", val.kind)
				continue
			}
			s.enum, s.hasEnum = val.elems, true
		case "const":
			s.konst = val
		case "$ref":
			if val.kind != kindString {
				c.fail(val.ptr, "$ref must be a string, not %s", val.kind)
				continue
			}
			s.ref = val.str
		case "$dynamicRef", "$recursiveRef":
			s.shaped = true
		}
	}
	c.parseComposites(s)
	return s
}

func (c *converter) parseType(s *schema, val *value) {
	var names []*value
	switch val.kind {
	case kindString:
		names = []*value{val}
	case kindArray:
		if len(val.elems) == 0 {
			c.fail(val.ptr, "type must name at least one type")
			return
		}
		names = val.elems
	default:
		c.fail(val.ptr, "type must be a string or an array of strings, not %s", val.kind)
		return
	}
	s.typed = true
	for _, n := range names {
		switch {
		case n.kind != kindString:
			c.fail(n.ptr, "type must name types as strings, not %s", n.kind)
		case !slices.Contains(jsonTypes, n.str):
			c.fail(n.ptr, "unknown type %q; JSON Schema's types are %q", n.str, jsonTypes)
		case n.str == "null":
			s.nullable = true
		case !slices.Contains(s.types, n.str):
			s.types = append(s.types, n.str)
		}
	}
}

func isSchema(v *value) bool { return v.kind == kindObject || v.kind == kindBool }

// parseComposites decides whether the applicators of s (allOf, anyOf,
// oneOf, if/then/else, dependentSchemas) leave its Go type as the rest of
// s describes it.
func (c *converter) parseComposites(s *schema) {
	declared := make(map[string]bool)
	for _, p := range s.props {
		declared[p.name] = true
	}
	var branches []*value
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		if val := s.v.get(key); val != nil {
			if val.kind != kindArray {
				s.shaped = true
				continue
			}
			branches = append(branches, val.elems...)
		}
	}
	for _, key := range []string{"then", "else"} {
		if val := s.v.get(key); val != nil {
			branches = append(branches, val)
		}
	}
	if val := s.v.get("dependentSchemas"); val != nil {
		if val.kind != kindObject {
			s.shaped = true
		}
		for _, m := range val.members {
			branches = append(branches, m.val)
		}
	}
	// S or null, spelled with anyOf or oneOf: the type of S, nullable.
	// Only when nothing else on the node says what it is.
	if len(branches) == 2 && !s.typed && s.ref == "" && len(s.props) == 0 && s.items == nil && !s.hasEnum && s.konst == nil {
		for _, key := range []string{"anyOf", "oneOf"} {
			if val := s.v.get(key); val != nil && len(val.elems) == 2 {
				if other := nullBranch(val.elems); other != nil {
					s.orNull = other
					return
				}
			}
		}
	}
	for _, b := range branches {
		if !onlyConstrains(b, declared) {
			s.shaped = true
		}
	}
}

// nullBranch returns the branch other than {"type": "null"} of a pair, or
// nil when neither or both are that.
func nullBranch(pair []*value) *value {
	isNull := func(v *value) bool {
		if v.kind != kindObject {
			return false
		}
		t := v.get("type")
		if t == nil || t.kind != kindString || t.str != "null" {
			return false
		}
		for _, m := range v.members {
			if m.key != "type" && !annotations[m.key] {
				return false
			}
		}
		return true
	}
	switch a, b := isNull(pair[0]), isNull(pair[1]); {
	case a && !b && isSchema(pair[1]):
		return pair[1]
	case b && !a && isSchema(pair[0]):
		return pair[0]
	}
	return nil
}

// annotations are keywords that say something about a value without
// constraining it.
var annotations = map[string]bool{
	"title": true, "description": true, "$comment": true, "examples": true,
	"default": true, "deprecated": true, "readOnly": true, "writeOnly": true,
}

// onlyConstrains reports whether the subschema v of an applicator can only
// narrow which instances are valid, never add members or items that the Go
// type of its parent would not hold. declared are the property names the
// parent declares: a branch may constrain those ("oneOf": [{"required":
// ["id"]}, {"required": ["name"]}]) and nothing else.
//
// The check is conservative: anything it does not know to be harmless
// makes the parent's Go type any.
func onlyConstrains(v *value, declared map[string]bool) bool {
	if v.kind == kindBool {
		return true
	}
	if v.kind != kindObject {
		return false
	}
	for _, m := range v.members {
		switch m.key {
		case "not", "if":
			// Only ever narrow: "not" rejects, "if" merely selects.
		case "properties":
			if m.val.kind != kindObject {
				return false
			}
			for _, p := range m.val.members {
				if !declared[p.key] || !onlyConstrains(p.val, nil) {
					return false
				}
			}
		case "additionalProperties", "items", "unevaluatedProperties", "unevaluatedItems":
			if m.val.kind != kindBool {
				return false
			}
		case "allOf", "anyOf", "oneOf":
			if m.val.kind != kindArray {
				return false
			}
			for _, b := range m.val.elems {
				if !onlyConstrains(b, declared) {
					return false
				}
			}
		case "then", "else":
			if !onlyConstrains(m.val, declared) {
				return false
			}
		case "patternProperties", "prefixItems", "dependentSchemas", "contains",
			"$ref", "$dynamicRef", "$recursiveRef", "$defs", "definitions", "$id", "$anchor", "$dynamicAnchor":
			return false
		}
	}
	return true
}

// stringEnum returns the values of an enum whose values are all strings,
// null aside, and reports whether it is one.
func (s *schema) stringEnum() ([]*value, bool) {
	if !s.hasEnum {
		return nil, false
	}
	var out []*value
	for _, e := range s.enum {
		switch e.kind {
		case kindString:
			out = append(out, e)
		case kindNull:
		default:
			return nil, false
		}
	}
	return out, len(out) > 0
}

// inferred returns the JSON type every value of an enum or const has, for
// a schema without "type": "string", "integer", "number" or "boolean", or
// "" when they differ or are of another type.
func (s *schema) inferred() string {
	var values []*value
	switch {
	case s.hasEnum:
		values = s.enum
	case s.konst != nil:
		values = []*value{s.konst}
	}
	var t string
	for _, v := range values {
		var vt string
		switch v.kind {
		case kindNull:
			continue
		case kindString:
			vt = "string"
		case kindBool:
			vt = "boolean"
		case kindNumber:
			vt = "integer"
			if !isInteger(v.str) {
				vt = "number"
			}
		default:
			return ""
		}
		switch {
		case t == "" || t == vt:
			t = vt
		case t == "integer" && vt == "number", t == "number" && vt == "integer":
			t = "number"
		default:
			return ""
		}
	}
	return t
}

// isInteger reports whether a JSON number literal has no fraction or
// exponent, so that it fits the Go type the mapping picks for integers.
func isInteger(lit string) bool {
	for _, r := range lit {
		if r == '.' || r == 'e' || r == 'E' {
			return false
		}
	}
	return true
}
