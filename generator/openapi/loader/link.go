package loader

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// linkRefs points each $ref wrapper the typed decoder read (see
// fastDecoder.refs) that names a component of the document itself
// ("#/components/schemas/repository") at that component's value, as
// kin-openapi's ResolveRefsIn would, before it runs.
//
// ResolveRefsIn resolves every occurrence of a $ref on its own: it looks the
// target up by walking the document by reflection, then walks the target
// again, sorting the names of its properties on the way. GitHub's
// description writes about 10,000 $refs to its 1,800 components, and
// resolving them was most of the time ResolveRefsIn took. A wrapper that
// already has a value is one ResolveRefsIn leaves alone, and it still walks
// each component once, from the components.
//
// Only the plain case is linked: a target that is a value, not a $ref
// itself, and a wrapper with no summary or description (which OpenAPI 3.1
// applies to the target). Everything else, and a $ref to a component that
// is not there, is left for ResolveRefsIn, which reports what is wrong.
// The one difference from ResolveRefsIn's result is a field of the wrappers
// no exported API reads but InternalizeRefs: the URL they were resolved
// from.
//
// It returns the schema wrappers it linked, for validateWith, and whether it
// linked every wrapper.
func linkRefs(c *openapi3.Components, jobs []job) (schemas []*openapi3.SchemaRef, all bool) {
	if c == nil {
		c = &openapi3.Components{}
	}
	all = true
	for i := range jobs {
		for _, r := range jobs[i].refs {
			linked := false
			switch r := r.(type) {
			case *openapi3.SchemaRef:
				if t := component(c.Schemas, "schemas", r.Ref); t != nil && t.Ref == "" && t.Value != nil {
					r.Value, linked = t.Value, true
					schemas = append(schemas, r)
				}
			case *openapi3.ParameterRef:
				if t := component(c.Parameters, "parameters", r.Ref); t != nil && t.Ref == "" && t.Value != nil && plain(r.Summary, r.Description) {
					r.Value, linked = t.Value, true
				}
			case *openapi3.HeaderRef:
				if t := component(c.Headers, "headers", r.Ref); t != nil && t.Ref == "" && t.Value != nil && plain(r.Summary, r.Description) {
					r.Value, linked = t.Value, true
				}
			case *openapi3.RequestBodyRef:
				if t := component(c.RequestBodies, "requestBodies", r.Ref); t != nil && t.Ref == "" && t.Value != nil && plain(r.Summary, r.Description) {
					r.Value, linked = t.Value, true
				}
			case *openapi3.ResponseRef:
				if t := component(c.Responses, "responses", r.Ref); t != nil && t.Ref == "" && t.Value != nil && plain(r.Summary, r.Description) {
					r.Value, linked = t.Value, true
				}
			case *openapi3.SecuritySchemeRef:
				if t := component(c.SecuritySchemes, "securitySchemes", r.Ref); t != nil && t.Ref == "" && t.Value != nil && plain(r.Summary, r.Description) {
					r.Value, linked = t.Value, true
				}
			case *openapi3.ExampleRef:
				if t := component(c.Examples, "examples", r.Ref); t != nil && t.Ref == "" && t.Value != nil && plain(r.Summary, r.Description) {
					r.Value, linked = t.Value, true
				}
			case *openapi3.LinkRef:
				if t := component(c.Links, "links", r.Ref); t != nil && t.Ref == "" && t.Value != nil && plain(r.Summary, r.Description) {
					r.Value, linked = t.Value, true
				}
			case *openapi3.Discriminator:
				// A mapping to a $ref is resolved by ResolveRefsIn like a
				// schema's $ref; a mapping to a bare name is not.
				linked = true
				for k, m := range r.Mapping {
					if !strings.Contains(m.Ref, "/") {
						continue
					}
					if t := component(c.Schemas, "schemas", m.Ref); t != nil && t.Ref == "" && t.Value != nil {
						m.Value = t.Value
						r.Mapping[k] = m
					} else {
						linked = false
					}
				}
			case *openapi3.CallbackRef:
				if t := component(c.Callbacks, "callbacks", r.Ref); t != nil && t.Ref == "" && t.Value != nil && plain(r.Summary, r.Description) {
					r.Value, linked = t.Value, true
				}
			}
			all = all && linked
		}
	}
	return schemas, all
}

// component returns the entry of m, the components of section, that ref
// names, or nil. Only the plain spelling is looked up,
// "#/components/SECTION/NAME" with no escapes in NAME.
func component[V any](m map[string]*V, section, ref string) *V {
	name, ok := strings.CutPrefix(ref, "#/components/"+section+"/")
	if !ok || name == "" || strings.ContainsAny(name, "/~%") {
		return nil
	}
	return m[name]
}

// plain reports whether a $ref wrapper has neither a summary nor a
// description of its own.
func plain(summary, description *string) bool {
	return summary == nil && description == nil
}
