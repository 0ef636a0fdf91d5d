package gotype

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// schema is the part of a JSON Schema that decides a Go type, with object
// keys in source order.
type schema struct {
	ptr string

	types      []string // "type", as a list
	title      string
	desc       string
	props      []property
	required   map[string]bool
	items      *schema
	additional *schema // additionalProperties as a schema; nil if absent or boolean
	enum       []json.RawMessage
	ref        string
	defs       []def
	composite  bool // allOf, anyOf, oneOf, not, if: the Go type is any
	isBool     bool // the schema is `true` or `false`
	hasDefault bool
}

type property struct {
	name string
	s    *schema
}

type def struct {
	name string
	s    *schema
}

// parse reads a schema from JSON, keeping key order.
func parse(raw []byte, ptr string) (*schema, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "true" || string(raw) == "false" {
		return &schema{ptr: ptr, isBool: true}, nil
	}
	obj, err := object(raw)
	if err != nil {
		return nil, &Error{Pointer: ptr, Msg: "a schema must be an object or a boolean"}
	}
	s := &schema{ptr: ptr, required: make(map[string]bool)}
	for _, kv := range obj {
		p := diag.Append(ptr, kv.key)
		switch kv.key {
		case "type":
			var one string
			if json.Unmarshal(kv.val, &one) == nil {
				s.types = []string{one}
			} else if json.Unmarshal(kv.val, &s.types) != nil {
				return nil, &Error{Pointer: p, Msg: "type must be a string or an array of strings"}
			}
		case "title":
			json.Unmarshal(kv.val, &s.title)
		case "description":
			json.Unmarshal(kv.val, &s.desc)
		case "properties":
			props, err := object(kv.val)
			if err != nil {
				return nil, &Error{Pointer: p, Msg: "properties must be an object"}
			}
			for _, pv := range props {
				ps, err := parse(pv.val, diag.Append(p, pv.key))
				if err != nil {
					return nil, err
				}
				s.props = append(s.props, property{name: pv.key, s: ps})
			}
		case "required":
			var req []string
			if json.Unmarshal(kv.val, &req) != nil {
				return nil, &Error{Pointer: p, Msg: "required must be an array of strings"}
			}
			for _, r := range req {
				s.required[r] = true
			}
		case "items":
			if s.items, err = parse(kv.val, p); err != nil {
				return nil, err
			}
		case "additionalProperties":
			a, err := parse(kv.val, p)
			if err != nil {
				return nil, err
			}
			if !a.isBool {
				s.additional = a
			}
		case "enum":
			if json.Unmarshal(kv.val, &s.enum) != nil {
				return nil, &Error{Pointer: p, Msg: "enum must be an array"}
			}
		case "default":
			s.hasDefault = true
		case "$ref":
			json.Unmarshal(kv.val, &s.ref)
		case "$defs", "definitions":
			defs, err := object(kv.val)
			if err != nil {
				return nil, &Error{Pointer: p, Msg: kv.key + " must be an object"}
			}
			for _, dv := range defs {
				ds, err := parse(dv.val, diag.Append(p, dv.key))
				if err != nil {
					return nil, err
				}
				s.defs = append(s.defs, def{name: kv.key + "/" + dv.key, s: ds})
			}
		case "allOf", "anyOf", "oneOf", "not", "if", "prefixItems":
			s.composite = true
		}
	}
	return s, nil
}

type keyValue struct {
	key string
	val json.RawMessage
}

// object decodes a JSON object into its members in source order.
func object(raw []byte) ([]keyValue, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not an object")
	}
	var out []keyValue
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("bad key %v", tok)
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		out = append(out, keyValue{key, val})
	}
	return out, nil
}

// nonNull returns the types other than "null" and whether "null" is one.
func (s *schema) nonNull() (types []string, nullable bool) {
	for _, t := range s.types {
		if t == "null" {
			nullable = true
			continue
		}
		types = append(types, t)
	}
	return types, nullable
}

// stringEnum returns the enum's values if they are all strings.
func (s *schema) stringEnum() ([]string, bool) {
	if len(s.enum) == 0 {
		return nil, false
	}
	var out []string
	for _, raw := range s.enum {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}
