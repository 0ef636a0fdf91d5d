package openapi

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/itchyny/gojq"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// A response's select changes the shape of a tool's result, and the tool
// must not advertise an output schema its results no longer meet. For the
// projections people write (.items, [.[] | {number, title}],
// {count: length, first: .[0].name}, map(.login)) the schema of what the
// program yields follows from the answer's schema; for anything else the
// tool is left without an output schema.
//
// The schemas made here are sound rather than tight: every value the
// program can yield from an answer that meets the document's schema meets
// them. Where a step cannot be followed (a member the schema does not
// name, a list of several shapes) its part is the empty schema, which any
// value meets.

// selectedOutput is the output schema of a tool whose answers, of the
// schema answer (the API's answer as it comes, before any wrapping), are
// reshaped by the jq program src, and whether the result is wrapped as
// {"result": ...}. out is nil when the program's shape cannot be told.
func (imp *importer) selectedOutput(src string, answer any) (out *object, wrap bool) {
	q, err := gojq.Parse(src)
	if err != nil {
		return nil, false // Validate reported it
	}
	s, ok := imp.infer(q, shape{answer, true})
	if !ok || !s.one || isEmptySchema(s.schema) {
		// A program that yields none or several values gives an array
		// as often as not: the result has no one shape.
		return nil, false
	}
	if imp.surelyObject(s.schema) {
		o := asObject(s.schema)
		if t, _ := o.get("type"); t == "object" {
			return o, false
		}
		root := typeOnly("object")
		for _, k := range o.keys {
			root.set(k, o.vals[k])
		}
		return root, false
	}
	w := typeOnly("object")
	props := newObject()
	props.set("result", s.schema)
	w.set("properties", props)
	w.set("required", []string{"result"})
	return w, true
}

// shape is what a jq expression yields: values of schema, and exactly one
// of them when one is set.
type shape struct {
	schema any
	one    bool
}

// anything is the empty schema, which every value meets.
func anything() *object { return newObject() }

func isEmptySchema(s any) bool {
	if o, ok := s.(*object); ok {
		return o.len() == 0
	}
	return s == true
}

// infer follows the query q applied to values of in.
func (imp *importer) infer(q *gojq.Query, in shape) (shape, bool) {
	if q == nil || q.Meta != nil || len(q.Imports) > 0 || len(q.FuncDefs) > 0 || len(q.Patterns) > 0 {
		return shape{}, false
	}
	if q.Term != nil {
		return imp.inferTerm(q.Term, in)
	}
	switch q.Op {
	case gojq.OpPipe:
		left, ok := imp.infer(q.Left, in)
		if !ok {
			return shape{}, false
		}
		right, ok := imp.infer(q.Right, left)
		return shape{right.schema, left.one && right.one}, ok
	case gojq.OpComma:
		left, ok1 := imp.infer(q.Left, in)
		right, ok2 := imp.infer(q.Right, in)
		return shape{union(left.schema, right.schema), false}, ok1 && ok2
	}
	return shape{}, false
}

// inferTerm follows one term and its suffixes.
func (imp *importer) inferTerm(t *gojq.Term, in shape) (shape, bool) {
	var out shape
	switch t.Type {
	case gojq.TermTypeIdentity:
		out = in
	case gojq.TermTypeIndex:
		s, ok := imp.index(in.schema, t.Index)
		if !ok {
			return shape{}, false
		}
		out = shape{s, in.one}
	case gojq.TermTypeQuery:
		s, ok := imp.infer(t.Query, in)
		if !ok {
			return shape{}, false
		}
		out = s
	case gojq.TermTypeObject:
		s, ok := imp.object(t.Object, in)
		if !ok {
			return shape{}, false
		}
		out = s
	case gojq.TermTypeArray:
		arr := typeOnly("array")
		if t.Array.Query == nil {
			arr.set("maxItems", 0)
		} else {
			s, ok := imp.infer(t.Array.Query, shape{in.schema, true})
			if !ok {
				return shape{}, false
			}
			arr.set("items", s.schema)
		}
		out = shape{arr, in.one}
	case gojq.TermTypeFunc:
		s, ok := imp.function(t.Func, in)
		if !ok {
			return shape{}, false
		}
		out = s
	case gojq.TermTypeString, gojq.TermTypeFormat:
		out = shape{typeOnly("string"), in.one}
	case gojq.TermTypeNumber:
		if _, err := strconv.ParseInt(t.Number, 10, 64); err == nil {
			out = shape{typeOnly("integer"), in.one}
		} else {
			out = shape{typeOnly("number"), in.one}
		}
	case gojq.TermTypeNull:
		out = shape{typeOnly("null"), in.one}
	case gojq.TermTypeTrue, gojq.TermTypeFalse:
		out = shape{typeOnly("boolean"), in.one}
	default:
		return shape{}, false
	}
	for _, sfx := range t.SuffixList {
		switch {
		case sfx.Index != nil:
			s, ok := imp.index(out.schema, sfx.Index)
			if !ok {
				return shape{}, false
			}
			out.schema = s
		case sfx.Iter:
			out = shape{imp.items(out.schema), false}
		case sfx.Optional:
			out.one = false // an error yields nothing
		default:
			return shape{}, false
		}
	}
	return out, true
}

// object follows an object construction, {a, b: .x, "c d": .y}.
func (imp *importer) object(obj *gojq.Object, in shape) (shape, bool) {
	o := typeOnly("object")
	props := newObject()
	var required []string
	one := in.one
	for _, kv := range obj.KeyVals {
		var key string
		switch {
		case kv.Key != "" && !strings.HasPrefix(kv.Key, "$"):
			key = kv.Key
		case kv.KeyString != nil && len(kv.KeyString.Queries) == 0:
			key = kv.KeyString.Str
		default:
			return shape{}, false // a variable, or a key computed at run time
		}
		var s any
		if kv.Val == nil {
			s = imp.member(in.schema, key)
		} else {
			v, ok := imp.infer(kv.Val, shape{in.schema, true})
			if !ok {
				return shape{}, false
			}
			// A value that yields several makes as many objects.
			s, one = v.schema, one && v.one
		}
		props.set(key, s)
		if !slices.Contains(required, key) {
			required = append(required, key)
		}
	}
	o.set("properties", props)
	if len(required) > 0 {
		o.set("required", required)
	}
	o.set("additionalProperties", false)
	return shape{o, one}, true
}

// function follows a call of one of the builtins projections use.
func (imp *importer) function(f *gojq.Func, in shape) (shape, bool) {
	switch {
	case f.Name == "map" && len(f.Args) == 1:
		s, ok := imp.infer(f.Args[0], shape{imp.items(in.schema), true})
		if !ok {
			return shape{}, false
		}
		arr := typeOnly("array")
		arr.set("items", s.schema)
		return shape{arr, in.one}, true
	case f.Name == "select" && len(f.Args) == 1:
		// Its input, or nothing, whatever the condition is.
		return shape{in.schema, false}, true
	case f.Name == "first" && len(f.Args) == 0:
		return shape{nullable(imp.items(in.schema)), in.one}, true
	case f.Name == "last" && len(f.Args) == 0:
		return shape{nullable(imp.items(in.schema)), in.one}, true
	case f.Name == "length" && len(f.Args) == 0:
		// Of a number, its absolute value; of the rest, a count.
		if imp.surelyObject(in.schema) || imp.surelyArray(in.schema) {
			return shape{typeOnly("integer"), in.one}, true
		}
		return shape{typeOnly("number"), in.one}, true
	case slices.Contains([]string{"sort", "unique", "reverse"}, f.Name) && len(f.Args) == 0,
		slices.Contains([]string{"sort_by", "unique_by"}, f.Name) && len(f.Args) == 1:
		// The same list, in another order or with fewer items.
		if imp.surelyArray(in.schema) {
			return in, true
		}
		return shape{}, false
	case (f.Name == "tostring" || f.Name == "tojson" || f.Name == "type") && len(f.Args) == 0:
		return shape{typeOnly("string"), in.one}, true
	case f.Name == "not" && len(f.Args) == 0, f.Name == "has" && len(f.Args) == 1:
		return shape{typeOnly("boolean"), in.one}, true
	}
	return shape{}, false
}

// index follows .name, ."name", .["name"] and .[n].
func (imp *importer) index(s any, ix *gojq.Index) (any, bool) {
	switch {
	case ix.IsSlice:
		// Part of a list is a list of the same items (of null, null).
		if imp.surelyArray(s) {
			return s, true
		}
		return nil, false
	case ix.Name != "":
		return imp.member(s, ix.Name), true
	case ix.Str != nil && len(ix.Str.Queries) == 0:
		return imp.member(s, ix.Str.Str), true
	case ix.Start != nil && ix.Start.Term != nil && len(ix.Start.Term.SuffixList) == 0 && ix.Start.Op == 0:
		switch t := ix.Start.Term; {
		case t.Type == gojq.TermTypeNumber:
			return nullable(imp.items(s)), true // past the end: null
		case t.Type == gojq.TermTypeString && t.Str != nil && len(t.Str.Queries) == 0:
			return imp.member(s, t.Str.Str), true
		}
	}
	return nil, false
}

// member is the schema of .key of a value of schema s: null too, unless s
// is surely an object that requires key.
func (imp *importer) member(s any, key string) any {
	if inner, ok := orNull(s); ok {
		return nullable(imp.member(inner, key)) // .key of null is null
	}
	chain, ok := imp.chain(s)
	if !ok {
		return anything()
	}
	var prop, extra any
	required, closed := false, false
	for _, level := range chain {
		if p, ok := level.get("properties"); ok {
			if po, ok := p.(*object); ok && prop == nil {
				prop, _ = po.get(key)
			}
		}
		if r, ok := level.get("required"); ok && containsString(r, key) {
			required = true
		}
		if _, ok := level.get("patternProperties"); ok {
			extra = anything()
		}
		switch ap, _ := level.get("additionalProperties"); ap := ap.(type) {
		case bool:
			closed = closed || !ap
		case *object:
			if extra == nil {
				extra = ap
			}
		}
	}
	switch {
	case prop != nil:
	case extra != nil:
		prop, required = extra, false
	case closed:
		return typeOnly("null")
	default:
		return anything()
	}
	if required && imp.surelyObject(s) {
		return prop
	}
	return nullable(prop)
}

// items is the schema of the items of an array of schema s.
func (imp *importer) items(s any) any {
	if inner, ok := orNull(s); ok {
		s = inner // iterating null fails: what comes out is inner's
	}
	chain, ok := imp.chain(s)
	if !ok || !imp.surelyArray(s) {
		return anything()
	}
	for _, level := range chain {
		if _, ok := level.get("prefixItems"); ok {
			return anything()
		}
	}
	for _, level := range chain {
		if it, ok := level.get("items"); ok {
			return it
		}
	}
	return anything()
}

// surelyObject and surelyArray report whether every value of schema s is a
// JSON object, or an array.
func (imp *importer) surelyObject(s any) bool { return imp.surelyType(s, "object") }
func (imp *importer) surelyArray(s any) bool  { return imp.surelyType(s, "array") }

func (imp *importer) surelyType(s any, want string) bool {
	chain, ok := imp.chain(s)
	if !ok {
		return false
	}
	for _, level := range chain {
		if t, _ := level.get("type"); t == want {
			return true
		}
	}
	return false
}

// chain is the schema s and the definitions its $refs lead to, in order;
// false when s is not an object schema, one of them is a composition
// (anyOf, oneOf, allOf, not, if) that the steps above do not follow, or a
// $ref leads outside the definitions.
func (imp *importer) chain(s any) ([]*object, bool) {
	var out []*object
	for range 32 {
		o, ok := s.(*object)
		if !ok {
			return nil, false
		}
		for _, k := range []string{"anyOf", "oneOf", "allOf", "not", "if", "$dynamicRef"} {
			if _, ok := o.get(k); ok {
				return nil, false
			}
		}
		out = append(out, o)
		ref, ok := o.get("$ref")
		if !ok {
			return out, true
		}
		if s = imp.definition(ref); s == nil {
			return nil, false
		}
	}
	return nil, false // a loop of references
}

// definition is the schema of a shared definition, by its reference
// ("#/$defs/Pet"), or nil.
func (imp *importer) definition(ref any) *object {
	r, _ := ref.(string)
	name, ok := strings.CutPrefix(r, "#/$defs/")
	if !ok {
		return nil
	}
	name = diag.UnescapeToken(name)
	for _, d := range imp.conv.order {
		if d.name == name {
			return d.schema
		}
	}
	return nil
}

// nullable is s or null.
func nullable(s any) any {
	if isEmptySchema(s) {
		return s
	}
	if o, ok := s.(*object); ok {
		switch t, _ := o.get("type"); t := t.(type) {
		case string:
			if t == "null" {
				return s
			}
		case []any:
			if slices.Contains(t, any("null")) {
				return s
			}
		case []string:
			if slices.Contains(t, "null") {
				return s
			}
		}
		if _, ok := orNull(o); ok {
			return s
		}
	}
	o := newObject()
	o.set("anyOf", []any{s, typeOnly("null")})
	return o
}

// orNull takes apart a schema nullable made: {"anyOf": [s, {"type": "null"}]}.
func orNull(s any) (any, bool) {
	o, ok := s.(*object)
	if !ok || o.len() != 1 {
		return nil, false
	}
	alts, _ := o.vals["anyOf"].([]any)
	if len(alts) != 2 {
		return nil, false
	}
	if n, ok := alts[1].(*object); ok && n.len() == 1 && n.vals["type"] == "null" {
		return alts[0], true
	}
	return nil, false
}

// union is a schema of the values of a and of b.
func union(a, b any) any {
	if isEmptySchema(a) || isEmptySchema(b) {
		return anything()
	}
	if bytes.Equal(marshal(a), marshal(b)) {
		return a
	}
	o := newObject()
	o.set("anyOf", []any{a, b})
	return o
}

func containsString(list any, s string) bool {
	switch l := list.(type) {
	case []string:
		return slices.Contains(l, s)
	case []any:
		return slices.Contains(l, any(s))
	}
	return false
}
