package gotype

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/names"
)

// converter holds the state of one Convert call.
type converter struct {
	opts     Options
	rootName string
	root     *value

	schemas  map[*value]*schema
	decls    []*decl           // in the order their names were first needed
	taken    map[string]string // Go name → pointer of the node that took it
	byTarget map[*value]*decl  // the type declared for a $ref target
	errs     []error
}

// A decl is a named Go type to declare.
type decl struct {
	name string
	ptr  string
	lead string // the first paragraph of the doc comment
	doc  string // the schema's description or title

	kind       declKind
	fields     []*field    // declStruct
	consts     []enumConst // declEnum
	underlying *typ        // declOther
}

type declKind int

const (
	declStruct declKind = iota // type T struct{...}
	declEnum                   // type T string, and constants
	declOther                  // type T <underlying>
)

type field struct {
	name     string // Go name
	jsonName string // property name
	doc      string
	typ      *typ
}

type enumConst struct {
	name, value string
}

// A typ is a Go type as it is being worked out: whether it becomes a
// pointer is decided once every declaration is known.
type typ struct {
	kind typKind
	decl *decl // typNamed
	elem *typ  // typSlice, typMap

	nullable bool // the schema allows null: a pointer, if that helps
	optional bool // an optional struct field: a pointer, if that helps
	cycle    bool // a pointer that keeps a struct from containing itself
}

type typKind int

const (
	typAny typKind = iota
	typString
	typInt64
	typFloat64
	typBool
	typSlice
	typMap
	typNamed
)

func (c *converter) fail(ptr, format string, args ...any) {
	c.errs = append(c.errs, &Error{Pointer: ptr, Msg: fmt.Sprintf(format, args...)})
}

// claim takes a package-level Go name for the node at ptr, and reports a
// collision with the node that took it first.
func (c *converter) claim(name, ptr string) bool {
	if prev, ok := c.taken[name]; ok {
		c.fail(ptr, "the Go name %s is already derived from %s; rename one of them", name, prev)
		return false
	}
	c.taken[name] = ptr
	return true
}

// newDecl claims name and adds a declaration for it, so that declarations
// keep the order in which their names are first needed. It returns nil if
// the name is taken.
func (c *converter) newDecl(name, ptr, lead string) *decl {
	if !c.claim(name, ptr) {
		return nil
	}
	d := &decl{name: name, ptr: ptr, lead: lead}
	c.decls = append(c.decls, d)
	return d
}

func docOf(s *schema) string {
	if s.desc != "" {
		return s.desc
	}
	return s.title
}

// A shape is what Go type a schema maps to, before names are given.
type shape int

const (
	shapeAny shape = iota
	shapeStruct
	shapeEnum
	shapeMap
	shapeSlice
	shapeString
	shapeInt64
	shapeFloat64
	shapeBool
)

// shapeOf decides the Go type of s, which has no $ref to follow. A root is
// an object even when its "type" is missing.
func shapeOf(s *schema, root bool) shape {
	switch {
	case root && s.boolean:
		return shapeStruct
	case root && s.shaped:
		return shapeMap
	case s.boolean || s.shaped:
		return shapeAny
	}
	t := ""
	switch {
	case len(s.types) == 1:
		t = s.types[0]
	case len(s.types) == 2 && (s.types[0] == "integer" && s.types[1] == "number" || s.types[0] == "number" && s.types[1] == "integer"):
		t = "number"
	case !s.typed && root:
		t = "object"
	case !s.typed:
		t = s.inferred()
	}
	switch t {
	case "object":
		switch {
		case len(s.props) > 0:
			return shapeStruct
		case root && s.additional == nil && !s.patterned:
			// Not map[string]any: tool arguments are unmarshalled into
			// the root, and an empty struct says there are none.
			return shapeStruct
		}
		return shapeMap
	case "array":
		return shapeSlice
	case "string":
		if _, ok := s.stringEnum(); ok {
			return shapeEnum
		}
		return shapeString
	case "integer":
		return shapeInt64
	case "number":
		return shapeFloat64
	case "boolean":
		return shapeBool
	}
	return shapeAny
}

// convertRoot declares the root type.
func (c *converter) convertRoot() {
	lead := c.opts.RootDoc
	if lead == "" {
		lead = c.rootName + " is derived from the JSON Schema cited below."
	}
	d := c.newDecl(c.rootName, c.root.ptr, lead)
	c.byTarget[c.root] = d
	s := c.schema(c.root)
	if s == nil {
		return
	}
	d.doc = docOf(s)
	if s.ref != "" && !s.shaped {
		// The root is another schema of the document: that schema's type
		// is the root type, under the root's name.
		target, _ := c.resolve(s)
		if target == nil {
			return
		}
		c.byTarget[target] = d
		s = c.schema(target)
		if d.doc == "" {
			d.doc = docOf(s)
		}
	}
	c.define(d, s, true)
}

// define gives the declaration d the type of s.
func (c *converter) define(d *decl, s *schema, root bool) {
	switch shapeOf(s, root) {
	case shapeStruct:
		d.kind = declStruct
		c.defineStruct(d, s)
	case shapeEnum:
		d.kind = declEnum
		c.defineEnum(d, s)
	default:
		d.kind = declOther
		if root && s.shaped {
			d.underlying = &typ{kind: typMap, elem: &typ{kind: typAny}}
			return
		}
		d.underlying = c.unnamed(s, d.name, d.name)
		d.underlying.nullable = false // the pointer, if any, is where the type is used
	}
}

// typeOf maps the schema at v to a Go type. A struct or enum it needs is
// declared as name; role says what it is, for its doc comment ("the
// "options" property of CalculateInput").
func (c *converter) typeOf(v *value, name, role string) *typ {
	s := c.schema(v)
	switch {
	case s == nil || s.shaped:
		return &typ{kind: typAny}
	case s.ref != "":
		return c.refType(s)
	case s.orNull != nil:
		t := c.typeOf(s.orNull, name, role)
		t.nullable = true
		return t
	}
	switch shapeOf(s, false) {
	case shapeStruct, shapeEnum:
		d := c.newDecl(name, s.ptr, name+" is "+role+".")
		if d == nil {
			return &typ{kind: typAny}
		}
		d.doc = docOf(s)
		c.define(d, s, false)
		return &typ{kind: typNamed, decl: d, nullable: s.nullable}
	}
	return c.unnamed(s, name, role)
}

// unnamed maps a schema whose shape needs no declaration of its own; the
// types of items and values may, called after name.
func (c *converter) unnamed(s *schema, name, role string) *typ {
	t := &typ{nullable: s.nullable}
	switch shapeOf(s, false) {
	case shapeString:
		t.kind = typString
	case shapeInt64:
		t.kind = typInt64
	case shapeFloat64:
		t.kind = typFloat64
	case shapeBool:
		t.kind = typBool
	case shapeSlice:
		t.kind = typSlice
		if s.items == nil || s.tuple {
			t.elem = &typ{kind: typAny}
		} else {
			t.elem = c.typeOf(s.items, name+"Item", "an item of "+role)
		}
	case shapeMap:
		t.kind = typMap
		if s.additional == nil || s.patterned {
			t.elem = &typ{kind: typAny}
		} else {
			t.elem = c.typeOf(s.additional, name+"Value", "a value of "+role)
		}
	default:
		t.kind = typAny
	}
	return t
}

func (c *converter) defineStruct(d *decl, s *schema) {
	byField := make(map[string]string) // Go field name → property name
	for _, p := range s.props {
		fname := names.Exported(p.name)
		if prev, ok := byField[fname]; ok {
			c.fail(p.v.ptr, "properties %q and %q both become the Go field %s.%s; rename one of them", prev, p.name, d.name, fname)
			continue
		}
		byField[fname] = p.name
		if !validTag(p.name) {
			c.fail(p.v.ptr, "property name %q cannot be a struct tag name: encoding/json allows only letters, digits, spaces and %s in one; rename the property", p.name, tagPunct)
			continue
		}
		t := c.typeOf(p.v, d.name+fname, fmt.Sprintf("the %q property of %s", p.name, d.name))
		t.optional = !s.required[p.name]
		f := &field{name: fname, jsonName: p.name, typ: t}
		if ps := c.schema(p.v); ps != nil {
			f.doc = docOf(ps)
		}
		d.fields = append(d.fields, f)
	}
}

func (c *converter) defineEnum(d *decl, s *schema) {
	values, _ := s.stringEnum()
	seen := make(map[string]bool)      // values
	byConst := make(map[string]string) // constant name → value
	for _, v := range values {
		if seen[v.str] {
			continue // a repeated value needs no second constant
		}
		seen[v.str] = true
		name := names.Append(d.name, v.str)
		if v.str == "" {
			name = d.name + "Empty"
		}
		if prev, ok := byConst[name]; ok {
			c.fail(v.ptr, "enum values %q and %q both become the Go constant %s; Go constants need distinct names", prev, v.str, name)
			continue
		}
		byConst[name] = v.str
		if !c.claim(name, v.ptr) {
			continue
		}
		d.consts = append(d.consts, enumConst{name: name, value: v.str})
	}
}

// refType returns the type a $ref names, declaring it on first use.
func (c *converter) refType(s *schema) *typ {
	target, defName := c.resolve(s)
	if target == nil {
		return &typ{kind: typAny}
	}
	ts := c.schema(target)
	if ts == nil {
		return &typ{kind: typAny}
	}
	d, ok := c.byTarget[target]
	if !ok {
		name := c.rootName + names.Exported(defName)
		d = c.newDecl(name, target.ptr, fmt.Sprintf("%s is the %q definition of %s.", name, defName, c.rootName))
		c.byTarget[target] = d
		if d == nil {
			return &typ{kind: typAny}
		}
		d.doc = docOf(ts)
		c.define(d, ts, false)
	}
	if d == nil {
		return &typ{kind: typAny}
	}
	return &typ{kind: typNamed, decl: d, nullable: ts.nullable}
}

// resolve follows the $ref of s, and on through definitions that are
// themselves only a $ref, to the schema that says what the type is. It
// returns that schema's value and its name in $defs (or definitions), or
// nil after reporting why the reference cannot be followed.
func (c *converter) resolve(s *schema) (*value, string) {
	seen := map[*value]bool{s.v: true}
	path := []string{s.ref}
	at := s.ptr + "/$ref"
	for {
		target, defName := c.lookup(s)
		if target == nil {
			return nil, ""
		}
		ts := c.schema(target)
		if ts == nil || ts.ref == "" || ts.shaped {
			return target, defName
		}
		if seen[target] {
			if len(path) == 1 {
				c.fail(at, "$ref %q refers to the schema it is in, which gives it no type", path[0])
			} else {
				c.fail(at, "$ref %q goes round in a circle without reaching a type: %s", path[0], strings.Join(path, " → "))
			}
			return nil, ""
		}
		seen[target] = true
		path = append(path, ts.ref)
		s = ts
	}
}

// lookup finds the target of one $ref: "#" or "#/$defs/NAME" or
// "#/definitions/NAME", in URI fragment form.
func (c *converter) lookup(s *schema) (*value, string) {
	ptr := s.ptr + "/$ref"
	if s.ref == "#" {
		return c.root, ""
	}
	unsupported := func() (*value, string) {
		c.fail(ptr, "$ref %q is not supported; only \"#\", \"#/$defs/NAME\" and \"#/definitions/NAME\" are", s.ref)
		return nil, ""
	}
	frag, ok := strings.CutPrefix(s.ref, "#/")
	if !ok {
		return unsupported()
	}
	frag, err := url.PathUnescape(frag)
	if err != nil {
		return unsupported()
	}
	keyword, name, ok := strings.Cut(frag, "/")
	if !ok || keyword != "$defs" && keyword != "definitions" || strings.Contains(name, "/") {
		return unsupported()
	}
	name = diag.UnescapeToken(name)
	var target *value
	if defs := c.root.get(keyword); defs != nil && defs.kind == kindObject {
		target = defs.get(name)
	}
	if target == nil {
		c.fail(ptr, "$ref %q does not resolve: the schema has no %s named %q", s.ref, keyword, name)
		return nil, ""
	}
	return target, name
}

// tagPunct is the punctuation encoding/json accepts in a tag name.
const tagPunct = "!#$%&()*+-./:;<=>?@[]^_{|}~"

// validTag reports whether encoding/json accepts name as the name in a
// struct tag (its isValidTag). A name that fails would silently fall back
// to the Go field name.
func validTag(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !strings.ContainsRune(tagPunct+" ", r) && !isLetterOrDigit(r) {
			return false
		}
	}
	return true
}
