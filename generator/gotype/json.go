package gotype

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// A value is one JSON value that remembers where it is and, for an object,
// the order of its members. Schemas are read into values rather than into
// map[string]any so that struct fields follow the order in which the user
// wrote the properties.
type value struct {
	kind    kind
	ptr     string   // JSON pointer of the value
	members []member // object members in source order
	elems   []*value // array elements
	str     string   // a string, or a number's literal text
	boolean bool
}

type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

type member struct {
	key string
	val *value
}

// get returns the member key of an object, or nil.
func (v *value) get(key string) *value {
	for _, m := range v.members {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// maxSchemaDepth bounds the nesting of a schema that Go types are made
// from, so that hostile input cannot exhaust the stack; real schemas nest a
// few levels. It is this package's limit, far below the SDK's
// (manifest.SDKMaxDepth), which bounds the schemas a server only passes on.
const maxSchemaDepth = 200

// readJSON reads one JSON document whose root is at pointer ptr.
func readJSON(raw []byte, ptr string) (*value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := readValue(dec, ptr, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Pointer: ptr, Msg: "the schema is not valid JSON: data after the top-level value"}
	}
	return v, nil
}

func readValue(dec *json.Decoder, ptr string, depth int) (*value, error) {
	if depth > maxSchemaDepth {
		return nil, &Error{Pointer: ptr, Msg: fmt.Sprintf("the schema nests more than %d levels deep", maxSchemaDepth)}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(ptr, err)
	}
	v := &value{ptr: ptr}
	switch tok := tok.(type) {
	case nil:
		v.kind = kindNull
	case bool:
		v.kind, v.boolean = kindBool, tok
	case json.Number:
		v.kind, v.str = kindNumber, tok.String()
	case string:
		v.kind, v.str = kindString, tok
	case json.Delim:
		switch tok {
		case '[':
			v.kind = kindArray
			for i := 0; dec.More(); i++ {
				e, err := readValue(dec, diag.Append(ptr, fmt.Sprint(i)), depth+1)
				if err != nil {
					return nil, err
				}
				v.elems = append(v.elems, e)
			}
		case '{':
			v.kind = kindObject
			seen := make(map[string]bool)
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					return nil, syntaxError(ptr, err)
				}
				key, ok := tok.(string)
				if !ok { // the decoder allows only strings here
					return nil, &Error{Pointer: ptr, Msg: "the schema is not valid JSON: an object key is not a string"}
				}
				mptr := diag.Append(ptr, key)
				if seen[key] {
					return nil, &Error{Pointer: mptr, Msg: fmt.Sprintf("duplicate key %q", key)}
				}
				seen[key] = true
				val, err := readValue(dec, mptr, depth+1)
				if err != nil {
					return nil, err
				}
				v.members = append(v.members, member{key, val})
			}
		}
		// The closing delimiter.
		if _, err := dec.Token(); err != nil {
			return nil, syntaxError(ptr, err)
		}
	}
	return v, nil
}

func syntaxError(ptr string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &Error{Pointer: ptr, Msg: "the schema is not valid JSON: " + err.Error()}
}
