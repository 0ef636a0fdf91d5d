package openapi

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// object is a JSON object whose members keep the order they were set in,
// so that generated schemas read in a fixed, sensible order ("type" before
// "properties") and the output is the same on every run.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: make(map[string]any)} }

// set adds or replaces a member; a new member goes last.
func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *object) len() int { return len(o.keys) }

// clone copies o one level deep.
func (o *object) clone() *object {
	c := &object{keys: append([]string(nil), o.keys...), vals: make(map[string]any, len(o.vals))}
	for k, v := range o.vals {
		c.vals[k] = v
	}
	return c
}

// encode writes v as compact JSON. Values that are not objects or lists of
// them come from the document (enums, defaults, examples) and are written
// by encoding/json.
func encode(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case *object:
		buf.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			encode(buf, v.vals[k])
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, it := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			encode(buf, it)
		}
		buf.WriteByte(']')
	case []string:
		buf.WriteByte('[')
		for i, s := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, s)
		}
		buf.WriteByte(']')
	case string:
		writeString(buf, v)
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case nil:
		buf.WriteString("null")
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			buf.WriteString("null")
			return
		}
		b, _ := json.Marshal(v)
		buf.Write(b)
	case json.RawMessage:
		buf.Write(v)
	default:
		writeValue(buf, v)
	}
}

func writeString(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			writeValue(buf, s) // escapes, or UTF-8 to check
			return
		}
	}
	buf.WriteByte('"')
	buf.WriteString(s)
	buf.WriteByte('"')
}

// writeValue writes a value decoded from the document as JSON, leaving
// <, > and & as they are: schemas are read by people and models, not
// embedded in HTML.
func writeValue(buf *bytes.Buffer, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values decoded from a document always encode; anything else is
		// left out rather than breaking the schema.
		buf.WriteString("null")
		return
	}
	buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// marshal is v as compact JSON.
func marshal(v any) []byte {
	var buf bytes.Buffer
	encode(&buf, v)
	return buf.Bytes()
}

// indented is v as indented JSON, two spaces a level, as the generated code
// shows schemas.
func indented(v any) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, marshal(v), "", "  "); err != nil {
		return marshal(v)
	}
	return buf.Bytes()
}
