// Package gotype derives Go type declarations from a JSON Schema (draft
// 2020-12), for the arguments and results of generated MCP tools.
//
// The types need not express every constraint of the schema. A generated
// server hands the MCP SDK the schema itself, and the SDK validates the
// JSON against it before unmarshalling it into these types, and validates
// a result after marshalling it. So where Go cannot say precisely what a
// schema allows (a oneOf of different shapes, a value of several types),
// the Go type is any and the schema still rules.
//
// # Mapping
//
//	type: object with properties          struct, fields in property order
//	  required property                     value field, `json:"name"`
//	  optional property                     pointer to a scalar, struct or enum,
//	                                        `json:"name,omitempty"`; slices, maps
//	                                        and any are not pointers
//	type: object, no properties,          map[string]T (T from S)
//	  additionalProperties: S
//	type: object, otherwise               map[string]any
//	type: array                           []T from items; []any without items,
//	                                        or for tuples (prefixItems)
//	type: string / integer / number       string / int64 / float64
//	type: boolean                         bool
//	type: [T, "null"]                     *T (slices, maps and any stay as they are)
//	type: [integer, number]               float64
//	anyOf or oneOf [S, {type: null}]      as for [T, "null"]
//	string enum (type string, or no type  named string type and a constant
//	  and string values; null aside)        per value
//	other enum, const                     the plain type of the values (from
//	                                        "type", or from the values)
//	$ref "#/$defs/X", "#/definitions/X"   named type <Root>X, declared once
//	$ref "#"                              the root type
//	no type, true, false, or several      any
//	  types; allOf, anyOf, oneOf,
//	  if/then/else that may add members
//
// Nested object schemas become named struct types called after their place:
// <Parent><Field> for a property, <...>Item for array items, <...>Value for
// map values. A string enum likewise becomes <Parent><Field>, with
// constants <Type><Value>. Formats (date-time, uri, int32, …) do not change
// the Go type: a date-time is a string.
//
// Applicators that only narrow what is valid keep the mapping: a oneOf of
// "required" lists, an "if" condition, a "not", or branches that constrain
// properties the node declares. Anything else makes the node any, which is
// safe because the SDK validates first; a richer mapping of allOf may come
// later.
//
// The root type is always declared, even when it is not a struct: a root
// object with no properties is an empty struct (type PingInput struct{}),
// since the SDK unmarshals tool arguments into it; with only
// additionalProperties it is a named map; when an applicator decides its
// shape it is a named map[string]any.
//
// A struct that would contain itself by value (through required
// properties) gets a pointer field at the point where the cycle closes, so
// every type is finite.
//
// # Limitations
//
// Only named properties are fields: members matched by
// additionalProperties or patternProperties of an object that also has
// properties are dropped when unmarshalling. Integers are int64, so larger
// ones do not fit. A required array or map left nil marshals as null, which
// an output schema rejects: handlers must return empty ones instead. A
// property with a default is optional like any other (a pointer): the SDK
// fills in defaults before unmarshalling, but not everywhere (not behind a
// $ref), so nil stays possible. Only $defs and definitions at the root of
// the schema are followed, and only those referenced are declared; $id,
// $anchor and $dynamicRef are not followed (a $dynamicRef is any).
//
// # Names and comments
//
// Go names come from package names. Names that collide (two properties
// that give the same field name, two nodes that give the same type name,
// two enum values that give the same constant) are errors, never a silent
// suffix. Every declaration has a doc comment that starts with its name,
// carries the schema's description (or title), and ends with the line
// "Source: <file><pointer>". Spec text reaches the code only through
// package comment and, as values and struct tags, through jen.Lit and
// jen.Tag.
package gotype

import (
	"errors"
	"fmt"
	"go/token"
	"go/types"

	"github.com/dave/jennifer/jen"
)

// Options control Convert. A nil *Options means the zero value.
type Options struct {
	// Source names the file the schema comes from, as it should appear in
	// comments ("mcpgen.yaml"). The Source line of each doc comment is
	// Source followed by the node's JSON pointer:
	// "Source: mcpgen.yaml#/tools/0/inputSchema/properties/options".
	Source string
	// Pointer is the JSON pointer of the schema in its file
	// ("#/tools/0/inputSchema"); pointers of nested nodes, in Decls and in
	// errors, extend it. Empty means "#".
	Pointer string
	// RootDoc, if set, is the first paragraph of the root type's doc
	// comment, such as "AddInput holds the arguments of the add tool." It
	// should start with the root type's name. Empty means a generic one.
	RootDoc string
}

// Decl is one generated declaration.
type Decl struct {
	// Name is the name of the Go type.
	Name string
	// Names are all the identifiers the declaration introduces at package
	// level: Name and, for an enum, its constants. A caller that puts
	// several results in one package must check that they do not collide.
	Names []string
	// Pointer is the full JSON pointer of the schema node the type comes
	// from ("#/tools/0/inputSchema/properties/options").
	Pointer string
	// Code is the declaration with its doc comment; for an enum, the type
	// and its const block.
	Code jen.Code
}

// Result is what Convert derives from one schema.
type Result struct {
	// Root is the name of the root type: the name Convert was given.
	Root string
	// Decls are the root type first, then the types it needs in the order
	// in which the schema first mentions them, depth first.
	Decls []Decl
}

// Error is a problem with one node of the schema.
type Error struct {
	// Pointer is the full JSON pointer of the offending node.
	Pointer string
	// Msg says what is wrong, in lower case, and possibly, after "; ",
	// what to do about it.
	Msg string
}

func (e *Error) Error() string { return e.Pointer + ": " + e.Msg }

// Convert derives the Go types for schemaJSON, a JSON Schema, naming
// the root type root. The result is deterministic: the same input gives
// the same declarations, in the same order.
//
// Convert reports every problem it finds at once: the error is then a
// join (errors.Join) of *Error values, in the order the nodes were met.
// It does not panic on any input.
func Convert(root string, schemaJSON []byte, opts *Options) (*Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Pointer == "" {
		o.Pointer = "#"
	}
	switch {
	case !token.IsIdentifier(root) || root == "_":
		return nil, &Error{Pointer: o.Pointer, Msg: fmt.Sprintf("the root type name %q is not a Go identifier", root)}
	case types.Universe.Lookup(root) != nil || root == "init" || root == "main":
		return nil, &Error{Pointer: o.Pointer, Msg: fmt.Sprintf("the root type name %q is predeclared or special in Go", root)}
	}
	v, err := readJSON(schemaJSON, o.Pointer)
	if err != nil {
		return nil, err
	}
	c := &converter{
		opts:     o,
		rootName: root,
		root:     v,
		schemas:  make(map[*value]*schema),
		taken:    make(map[string]string),
		byTarget: make(map[*value]*decl),
	}
	c.convertRoot()
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	c.breakCycles()
	res := &Result{Root: root}
	for _, d := range c.decls {
		res.Decls = append(res.Decls, c.render(d))
	}
	return res, nil
}
