package openapi

import (
	"mime"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// The $refs the loader could not resolve (loader.Options.Isolate) stand in
// the document as markers, each where the object the $ref was in stood.
// An operation that reaches one through its arguments is left out; one
// that reaches one only through its result keeps its tool, without an
// output schema. Without the marker's check, the marker would convert as
// the schema that allows anything, and the tool would accept, or promise,
// anything.

// unresolvedWalk finds the markers a part of an operation reaches.
type unresolvedWalk struct {
	doc   *loader.Document
	seen  map[*openapi3.Schema]bool
	found []loader.Unresolved
}

func (w *unresolvedWalk) ext(ext map[string]any) {
	if u, ok := w.doc.Unresolved(ext); ok {
		w.found = append(w.found, u)
	}
}

func (w *unresolvedWalk) schema(ref *openapi3.SchemaRef) {
	if ref == nil || ref.Value == nil || w.seen[ref.Value] {
		return
	}
	s := ref.Value
	w.seen[s] = true
	w.ext(s.Extensions)
	for _, list := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf, s.PrefixItems} {
		for _, r := range list {
			w.schema(r)
		}
	}
	for _, r := range []*openapi3.SchemaRef{s.Not, s.Items, s.Contains, s.PropertyNames, s.If, s.Then, s.Else, s.ContentSchema,
		s.AdditionalProperties.Schema, s.UnevaluatedItems.Schema, s.UnevaluatedProperties.Schema} {
		w.schema(r)
	}
	for _, m := range []openapi3.Schemas{s.Properties, s.PatternProperties, s.DependentSchemas} {
		for _, k := range sortedKeys(m) {
			w.schema(m[k])
		}
	}
}

func (w *unresolvedWalk) content(c openapi3.Content) {
	for _, k := range sortedKeys(c) {
		if mt := c[k]; mt != nil {
			w.ext(mt.Extensions)
			w.schema(mt.Schema)
		}
	}
}

// unresolved returns the markers the operation reaches through its
// parameters and request body (in), and through the responses output
// reads (out).
func (imp *importer) unresolved(o *operation) (in, out []loader.Unresolved) {
	if len(imp.doc.AllUnresolved()) == 0 {
		return nil, nil
	}
	w := &unresolvedWalk{doc: imp.doc, seen: make(map[*openapi3.Schema]bool)}
	for _, list := range []openapi3.Parameters{o.item.Parameters, o.op.Parameters} {
		for _, p := range list {
			if p == nil || p.Value == nil {
				continue
			}
			w.ext(p.Value.Extensions)
			w.schema(p.Value.Schema)
			w.content(p.Value.Content)
		}
	}
	if rb := o.op.RequestBody; rb != nil && rb.Value != nil {
		w.ext(rb.Value.Extensions)
		w.content(rb.Value.Content)
	}
	in = w.found
	w.found = nil
	if _, r := successResponse(o.op); r != nil && r.Value != nil {
		w.ext(r.Value.Extensions)
		for _, k := range sortedKeys(r.Value.Content) {
			// Only the JSON content makes the output schema.
			if mt, _, _ := mime.ParseMediaType(k); isJSON(mt) {
				if c := r.Value.Content[k]; c != nil {
					w.ext(c.Extensions)
					w.schema(c.Schema)
				}
			}
		}
	}
	return in, w.found
}
