package loader

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// A null where a list of schemas wants a schema (allOf: [{$ref: X}, null],
// which converters write for an optional part) decodes to a nil schema,
// and kin-openapi's resolver then fails the whole document with "invalid
// schema: value MUST be an object" and no place. nullSchemas finds them
// in the tree instead.

// compositions are the keys whose value is a list of schemas.
var compositions = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}

// nullSchema is a null item of a list of schemas.
type nullSchema struct {
	list   *yaml.Node // the sequence that holds it
	item   *yaml.Node
	tokens []string
}

// nullSchemas returns the null items of every allOf, anyOf, oneOf and
// prefixItems below root, outside examples, defaults, enums and
// extensions, whose values are data rather than schemas.
func nullSchemas(root *yaml.Node) []nullSchema {
	var out []nullSchema
	var walk func(n *yaml.Node, tokens []string, depth int)
	walk = func(n *yaml.Node, tokens []string, depth int) {
		if n == nil || depth > maxDocumentDepth {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, tokens, depth+1)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, append(tokens[:len(tokens):len(tokens)], strconv.Itoa(i)), depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				switch {
				case strings.HasPrefix(k, "x-"), k == "example", k == "examples", k == "default", k == "enum", k == "const":
					continue
				case compositions[k] && v.Kind == yaml.SequenceNode:
					for j, item := range v.Content {
						if item.Kind == yaml.ScalarNode && item.Tag == "!!null" {
							out = append(out, nullSchema{list: v, item: item, tokens: append(tokens[:len(tokens):len(tokens)], k, strconv.Itoa(j))})
						}
					}
				}
				walk(v, append(tokens[:len(tokens):len(tokens)], k), depth+1)
			}
		}
	}
	walk(root, nil, 0)
	return out
}

// dropNullSchemas takes every null item of a list of schemas out of the
// isolation tree, with a warning each, and reports whether it took any: a
// null adds nothing to allOf and matches nothing in anyOf or oneOf.
func (d *Document) dropNullSchemas() bool {
	root, err := d.isolationTree()
	if err != nil {
		return false
	}
	nulls := nullSchemas(root)
	for _, n := range nulls {
		d.warnings.Warn(diag.Pos{File: d.Path, Line: n.item.Line, Col: n.item.Column}, diag.Pointer(n.tokens...),
			"null is not a schema; it is left out of %s", n.tokens[len(n.tokens)-2]).Hint = "remove it, or write {} for a schema that allows any value"
		content := n.list.Content[:0:0]
		for _, c := range n.list.Content {
			if c != n.item {
				content = append(content, c)
			}
		}
		n.list.Content = content
	}
	return len(nulls) > 0
}

// nullSchemaError is the error for the first null item of a list of
// schemas, when the loader does not isolate defects; nil when there is
// none.
func (d *Document) nullSchemaError() error {
	root, err := parse(d.Source, true)
	if err != nil {
		return nil
	}
	nulls := nullSchemas(root)
	if len(nulls) == 0 {
		return nil
	}
	n := nulls[0]
	return &loadError{
		pos:     diag.Pos{File: d.Path, Line: n.item.Line, Col: n.item.Column},
		pointer: diag.Pointer(n.tokens...),
		msg:     "null is not a schema, in " + n.tokens[len(n.tokens)-2],
		hint:    "remove it, or write {} for a schema that allows any value",
	}
}
