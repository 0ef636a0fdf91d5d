package openapi

import (
	"slices"

	"github.com/mcpgen/mcpgen/generator/ir"
)

// The query parameters by which an operation pages its answers. A name
// counts only with the type it has in every API that uses it: a number for
// a page, an offset or a size, a string for a cursor. The runtime then
// fills the next page's arguments (upstream.Paging).
var (
	pageParams   = []string{"page"}
	offsetParams = []string{"offset"}
	cursorParams = []string{"cursor", "page_token", "pageToken", "next_token", "nextToken"}
	sizeParams   = []string{"per_page", "perPage", "page_size", "pageSize", "limit", "first", "max_results", "maxResults"}
)

// paging finds the parameters that page an operation's answers, or nil.
// A cursor wins over an offset, which wins over a page number; "after" is
// a cursor only beside a page size (as in after and first), since alone it
// is as often a date.
func (imp *importer) paging(params []param) *ir.Paging {
	find := func(names []string, types ...string) (string, *object) {
		for _, name := range names {
			for _, p := range params {
				if p.ir.In == "query" && p.ir.Name == name && imp.hasType(p.schema, types) {
					return p.ir.Arg, p.schema
				}
			}
		}
		return "", nil
	}
	pg := &ir.Paging{}
	pg.Size, _ = find(sizeParams, "integer", "number")
	var pageSchema *object
	switch pg.Cursor, _ = find(cursorParams, "string"); {
	case pg.Cursor != "":
	case pg.Size != "":
		if after, s := find([]string{"after"}, "string"); after != "" {
			if f, _ := s.get("format"); f == nil {
				pg.Cursor = after
			}
		}
	}
	if pg.Cursor == "" {
		pg.Offset, _ = find(offsetParams, "integer", "number")
	}
	if pg.Cursor == "" && pg.Offset == "" {
		pg.Page, pageSchema = find(pageParams, "integer", "number")
	}
	if pg.Cursor == "" && pg.Offset == "" && pg.Page == "" {
		return nil
	}
	if pageSchema != nil {
		// An unset page is the first: the one the document says is the
		// default, or the lowest it allows, or else 1.
		pg.FirstPage = 1
		if n, ok := wholeNumber(pageSchema, "default"); ok {
			pg.FirstPage = n
		} else if n, ok := wholeNumber(pageSchema, "minimum"); ok && (n == 0 || n == 1) {
			pg.FirstPage = n
		}
	}
	return pg
}

// hasType reports whether the schema's type (through $refs) is one of
// types, maybe with null.
func (imp *importer) hasType(s *object, types []string) bool {
	if s == nil {
		return false
	}
	chain, ok := imp.chain(s)
	if !ok {
		return false
	}
	for _, level := range chain {
		switch t, _ := level.get("type"); t := t.(type) {
		case string:
			return slices.Contains(types, t)
		case []any:
			found := false
			for _, v := range t {
				if s, _ := v.(string); slices.Contains(types, s) {
					found = true
				} else if s != "null" {
					return false
				}
			}
			return found
		case []string:
			for _, v := range t {
				if !slices.Contains(types, v) && v != "null" {
					return false
				}
			}
			return len(t) > 0
		}
	}
	return false
}

// wholeNumber is the member key of a schema when it is a whole number.
func wholeNumber(s *object, key string) (int, bool) {
	switch v, _ := s.get(key); v := v.(type) {
	case float64:
		if v == float64(int(v)) {
			return int(v), true
		}
	case int:
		return v, true
	case int64:
		return int(v), true
	}
	return 0, false
}

// nextSchema is the schema of the "_next" member of a paged result.
func nextSchema(pg *ir.Paging) *object {
	s := typeOnly("object")
	s.set("description", "The arguments that get the next page, with the others unchanged.")
	props := newObject()
	for _, arg := range []string{pg.Page, pg.Offset, pg.Cursor, pg.Size} {
		switch {
		case arg == "":
		case arg == pg.Cursor:
			props.set(arg, typeOnly("string"))
		default:
			props.set(arg, typeOnly("integer"))
		}
	}
	s.set("properties", props)
	return s
}

// roomForNext adds "_next" to the properties of the output schema out,
// when the schema lets a result have that member, and reports whether it
// did. It does when the properties are out's own, or out (a wrapper, a
// projection of a select) is mcpgen's; not when a definition out refers
// to closes its members or combines schemas, or names "_next" itself.
func (imp *importer) roomForNext(out *object, pg *ir.Paging) bool {
	chain, ok := imp.chain(out)
	if !ok {
		return false
	}
	for i, level := range chain {
		if p, ok := level.get("properties"); ok {
			if po, ok := p.(*object); ok {
				if _, taken := po.get("_next"); taken {
					return false
				}
			}
		}
		for _, k := range []string{"additionalProperties", "unevaluatedProperties", "patternProperties", "propertyNames", "maxProperties", "dependentSchemas", "dependentRequired"} {
			v, ok := level.get(k)
			if !ok || v == true {
				continue
			}
			// Beside the properties "_next" joins, additionalProperties and
			// unevaluatedProperties let it be.
			if i == 0 && (k == "additionalProperties" || k == "unevaluatedProperties") {
				continue
			}
			return false
		}
	}
	props := newObject()
	if p, ok := out.get("properties"); ok {
		if po, ok := p.(*object); ok {
			props = po.clone()
		}
	}
	props.set("_next", nextSchema(pg))
	out.set("properties", props)
	return true
}
