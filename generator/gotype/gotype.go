// Package gotype derives Go type declarations from JSON Schema.
//
// The generated types are what tool handlers receive and return. They need
// not express every constraint of the schema: the MCP SDK validates the
// JSON against the exact schema before it is unmarshalled into them. So
// where Go cannot say precisely what a schema allows (allOf, oneOf, a value
// of several types), the Go type is any and the schema still rules.
//
// Mapping:
//
//	object with properties       struct; required → value field, optional → pointer with omitempty
//	object, additionalProperties map[string]T (map[string]any without a schema)
//	array                        []T
//	string / integer / number    string / int64 / float64
//	boolean                      bool
//	string enum                  named string type with one constant per value
//	["T", "null"]                *T
//	$ref to #/$defs/X            named type <Root>X, declared once (recursion allowed)
//	anything else                any
//
// Formats (date-time, uri, …) stay strings.
package gotype

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/comment"
	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/names"
)

// Options control Convert.
type Options struct {
	// Source names the file the schema comes from, for the Source line of
	// doc comments ("mcpgen.yaml").
	Source string
	// Pointer is the schema's JSON pointer in its file ("#/tools/0/inputSchema").
	Pointer string
	// RootDoc is the first paragraph of the root type's doc comment; it
	// should start with the root's name.
	RootDoc string
}

// Decl is one generated declaration.
type Decl struct {
	// Name is the Go type's name.
	Name string
	// Names are all the identifiers the declaration introduces: the type
	// and, for an enum, its constants.
	Names []string
	// Pointer is the JSON pointer of the schema node that produced it.
	Pointer string
	// Code is the declaration with its doc comment.
	Code jen.Code
}

// Result is what Convert derives from one schema.
type Result struct {
	// Root is the name of the root type.
	Root string
	// Decls are the root first, then nested types in source order.
	Decls []Decl
}

// Error is a schema node Convert cannot turn into Go.
type Error struct {
	Pointer string
	Msg     string
}

func (e *Error) Error() string { return e.Pointer + ": " + e.Msg }

// Convert derives the Go types for schema, naming the root type root. All
// problems are returned at once, joined; each is an *Error.
func Convert(root string, raw []byte, opts *Options) (*Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	ptr := opts.Pointer
	if ptr == "" {
		ptr = "#"
	}
	s, err := parse(raw, ptr)
	if err != nil {
		return nil, err
	}
	c := &converter{
		opts:     opts,
		root:     s,
		rootName: root,
		declared: make(map[string]string),
		byRef:    make(map[string]string),
		inFlight: make(map[string]bool),
	}
	c.rootType(s)
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	var decls []Decl
	for _, d := range c.decls {
		decls = append(decls, *d)
	}
	return &Result{Root: root, Decls: decls}, nil
}

type converter struct {
	opts     *Options
	root     *schema
	rootName string
	decls    []*Decl
	declared map[string]string // type or const name → pointer that declared it
	byRef    map[string]string // $ref → type name
	inFlight map[string]bool   // struct types whose fields are being built
	errs     []error
}

func (c *converter) fail(ptr, format string, args ...any) {
	c.errs = append(c.errs, &Error{Pointer: ptr, Msg: fmt.Sprintf(format, args...)})
}

// claim reserves a Go name for the node at ptr; a second claim is an error.
func (c *converter) claim(name, ptr string) bool {
	if prev, ok := c.declared[name]; ok {
		c.fail(ptr, "the Go name %s is also derived from %s", name, prev)
		return false
	}
	c.declared[name] = ptr
	return true
}

// reserve adds a declaration slot now, so declarations keep the order in
// which their names first appear; the code is filled in later.
func (c *converter) reserve(name, ptr string) *Decl {
	d := &Decl{Name: name, Names: []string{name}, Pointer: ptr}
	c.decls = append(c.decls, d)
	return d
}

func (c *converter) rootType(s *schema) {
	if !c.claim(c.rootName, s.ptr) {
		return
	}
	d := c.reserve(c.rootName, s.ptr)
	types, _ := s.nonNull()
	if len(s.props) > 0 || (len(types) == 1 && types[0] == "object" && s.additional == nil) || s.isBool || len(types) == 0 {
		c.structDecl(d, s, c.opts.RootDoc)
		return
	}
	// A root that is not a plain object (an output schema may be a map)
	// becomes a named type of whatever it is.
	t := c.typeOf(s, c.rootName+"Value", false, "")
	d.Code = docs(c.docFor(c.rootName, s, c.opts.RootDoc)).Type().Id(c.rootName).Add(t)
}

// docFor builds a type's doc comment: lead (by default, where the type sits
// in the schema), the schema's description, and its source.
func (c *converter) docFor(name string, s *schema, lead string) string {
	if lead == "" {
		lead = fmt.Sprintf("%s is the schema at %s in %s.", name, strings.TrimPrefix(s.ptr, c.opts.Pointer), c.rootName)
	}
	return comment.Doc(comment.Text(lead), comment.Text(describe(s)), "Source: "+c.opts.Source+s.ptr)
}

// docs starts a statement with a doc comment, one // line per line.
func docs(text string) *jen.Statement {
	s := jen.Null()
	for _, l := range comment.Lines(text) {
		s.Comment(l).Line()
	}
	return s
}

func describe(s *schema) string {
	if s.desc != "" {
		return s.desc
	}
	return s.title
}

// structDecl fills d with a struct type for the object schema s.
func (c *converter) structDecl(d *Decl, s *schema, lead string) {
	c.inFlight[d.Name] = true
	defer delete(c.inFlight, d.Name)

	fieldOwner := make(map[string]string)
	var fields []jen.Code
	for _, p := range s.props {
		fptr := p.s.ptr
		fname := names.Exported(p.name)
		if prev, ok := fieldOwner[fname]; ok {
			c.fail(fptr, "properties %q and %q both become the Go field %s.%s", prev, p.name, d.Name, fname)
			continue
		}
		fieldOwner[fname] = p.name
		if !validTag(p.name) {
			c.fail(fptr, "property name %q cannot be a Go struct tag (encoding/json allows letters, digits and !#$%%&()*+-./:;<=>?@[]^_{|}~ and space)", p.name)
			continue
		}
		required := s.required[p.name]
		// The MCP SDK fills in defaults before the handler sees the
		// arguments, so a property with a default is always present.
		t := c.typeOf(p.s, d.Name+fname, !required && !p.s.hasDefault, fmt.Sprintf("%s%s is the %q property of %s.", d.Name, fname, p.name, d.Name))
		tag := p.name
		if !required {
			tag += ",omitempty"
		}
		field := jen.Id(fname).Add(t).Tag(map[string]string{"json": tag})
		if text := comment.Text(describe(p.s)); text != "" {
			for _, l := range comment.Lines(text) {
				fields = append(fields, jen.Comment(l))
			}
		}
		fields = append(fields, field)
	}
	d.Code = docs(c.docFor(d.Name, s, lead)).Type().Id(d.Name).Struct(fields...)
}

// typeOf returns the Go type for s, declaring named types under the name
// hint as needed. optional asks for a type that can be absent: a pointer
// for scalars and structs.
func (c *converter) typeOf(s *schema, hint string, optional bool, lead string) *jen.Statement {
	if s.ref != "" {
		name := c.refType(s)
		if name == "" {
			return jen.Any()
		}
		if optional || c.inFlight[name] {
			return jen.Op("*").Id(name)
		}
		return jen.Id(name)
	}
	if s.composite || s.isBool {
		return jen.Any()
	}
	types, nullable := s.nonNull()
	if len(types) == 0 {
		switch {
		case len(s.props) > 0:
			types = []string{"object"}
		case s.items != nil:
			types = []string{"array"}
		}
		if _, ok := s.stringEnum(); ok {
			types = []string{"string"}
		}
	}
	if len(types) != 1 {
		return jen.Any()
	}
	ptr := func(t *jen.Statement) *jen.Statement {
		if optional || nullable {
			return jen.Op("*").Add(t)
		}
		return t
	}
	switch types[0] {
	case "object":
		if len(s.props) > 0 {
			if !c.claim(hint, s.ptr) {
				return jen.Any()
			}
			d := c.reserve(hint, s.ptr)
			c.structDecl(d, s, lead)
			return ptr(jen.Id(hint))
		}
		if s.additional != nil {
			return jen.Map(jen.String()).Add(c.elemType(s.additional, hint+"Value"))
		}
		return jen.Map(jen.String()).Any()
	case "array":
		if s.items == nil {
			return jen.Index().Any()
		}
		return jen.Index().Add(c.elemType(s.items, hint+"Item"))
	case "string":
		if values, ok := s.stringEnum(); ok {
			if !c.enumDecl(hint, s, values, lead) {
				return jen.String()
			}
			return ptr(jen.Id(hint))
		}
		return ptr(jen.String())
	case "integer":
		return ptr(jen.Int64())
	case "number":
		return ptr(jen.Float64())
	case "boolean":
		return ptr(jen.Bool())
	}
	c.fail(diag.Append(s.ptr, "type"), "unknown type %q", types[0])
	return jen.Any()
}

// elemType is the type of a slice or map element: like typeOf, but a
// reference is never a pointer, since a slice or map already breaks a
// recursive type's cycle.
func (c *converter) elemType(s *schema, hint string) *jen.Statement {
	if s.ref != "" {
		if name := c.refType(s); name != "" {
			return jen.Id(name)
		}
		return jen.Any()
	}
	return c.typeOf(s, hint, false, "")
}

// refType declares (once) and names the type a local $ref points to.
func (c *converter) refType(s *schema) string {
	if name, ok := c.byRef[s.ref]; ok {
		return name
	}
	var target *schema
	var defName string
	for _, d := range c.root.defs {
		if "#/"+d.name == s.ref {
			target, defName = d.s, d.name
			break
		}
	}
	if s.ref == "#" {
		c.byRef[s.ref] = c.rootName
		return c.rootName
	}
	if target == nil {
		c.fail(diag.Append(s.ptr, "$ref"), "$ref %q does not resolve; only local references to #/$defs/NAME or #/definitions/NAME are supported", s.ref)
		return ""
	}
	short := defName[strings.Index(defName, "/")+1:]
	name := c.rootName + names.Exported(short)
	lead := fmt.Sprintf("%s is the %q definition of %s.", name, short, c.rootName)
	c.byRef[s.ref] = name
	types, _ := target.nonNull()
	isStruct := len(target.props) > 0 && !target.composite && (len(types) == 0 || slices.Equal(types, []string{"object"}))
	if values, ok := target.stringEnum(); ok && !isStruct {
		if !c.enumDecl(name, target, values, lead) {
			return ""
		}
		return name
	}
	if !c.claim(name, target.ptr) {
		return ""
	}
	d := c.reserve(name, target.ptr)
	if isStruct {
		c.structDecl(d, target, lead)
		return name
	}
	c.inFlight[name] = true
	t := c.typeOf(target, name+"Value", false, "")
	delete(c.inFlight, name)
	d.Code = docs(c.docFor(name, target, lead)).Type().Id(name).Add(t)
	return name
}

// enumDecl declares a string type with one constant per value.
func (c *converter) enumDecl(name string, s *schema, values []string, lead string) bool {
	if !c.claim(name, s.ptr) {
		return false
	}
	d := c.reserve(name, s.ptr)
	var consts []jen.Code
	for i, v := range values {
		suffix := names.Exported(v)
		if v == "" {
			suffix = "Empty"
		}
		cname := name + suffix
		if !c.claim(cname, diag.Append(s.ptr, "enum", fmt.Sprint(i))) {
			continue
		}
		d.Names = append(d.Names, cname)
		consts = append(consts, jen.Id(cname).Id(name).Op("=").Lit(v))
	}
	d.Code = docs(c.docFor(name, s, lead)).
		Type().Id(name).String().Line().Line().
		Comment("The values " + name + " may take.").Line().
		Const().Defs(consts...)
	return true
}

// validTag reports whether encoding/json accepts name as a tag name.
func validTag(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r):
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r > 0x7f && (isLetterOrDigit(r)):
		default:
			return false
		}
	}
	return true
}

func isLetterOrDigit(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
