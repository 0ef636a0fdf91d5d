package loader

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// check31 looks, in an OpenAPI 3.1 document, for what kin-openapi reads
// without being able to represent it:
//
//   - $dynamicRef (with $dynamicAnchor) is kept as a string and never
//     resolved, so the schema holding it would reach the generator as a
//     schema that allows anything. That is refused, with its position.
//   - A description or summary next to a $ref to a component other than a
//     schema is written by kin-openapi into the shared component, so every
//     other use of that component gets it too. That is only documentation,
//     so it is a warning.
//
// ($ref to an $anchor ("#name") kin-openapi refuses itself; Load reports it
// as an unresolvable $ref.)
func (d *Document) check31(root *yaml.Node) (diag.List, error) {
	if !strings.HasPrefix(d.Version, "3.1") {
		return nil, nil
	}
	var warnings diag.List
	var failure error
	var tokens []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if failure != nil {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			if ref := scalar(n, "$ref"); ref != nil && strings.HasPrefix(ref.Value, "#/components/") && !strings.HasPrefix(ref.Value, "#/components/schemas/") {
				for _, key := range []string{"description", "summary"} {
					if scalar(n, key) != nil {
						p := diag.Pointer(append(tokens, key)...)
						warnings.Warn(d.Pos(p), p, "the %s next to $ref %q replaces that of the component everywhere it is used", key, ref.Value).Hint =
							"kin-openapi applies it to the shared component; move it into the component, or inline it"
					}
				}
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				tokens = append(tokens, k.Value)
				if k.Value == "$dynamicRef" {
					p := diag.Pointer(tokens...)
					failure = d.errorAt(p, "use $ref to the schema itself", "$dynamicRef is not supported (kin-openapi does not resolve it)")
					return
				}
				walk(n.Content[i+1])
				tokens = tokens[:len(tokens)-1]
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				tokens = append(tokens, strconv.Itoa(i))
				walk(c)
				tokens = tokens[:len(tokens)-1]
			}
		}
	}
	walk(root)
	return warnings, failure
}
