package loader

import (
	"bytes"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// refError turns kin-openapi's failure to resolve a $ref into an error at
// the $ref: kin names the ref but not where it is written, so the document
// is searched for it. refused is the reason ReadFile (or the policy in front
// of it) gave, when it gave one.
func (d *Document) refError(err error, refused error) error {
	msg := err.Error()
	reason := msg
	if refused != nil {
		reason = refused.Error()
	}
	for _, ref := range quoted(msg) {
		root, perr := parse(bytes.TrimPrefix(d.Source, []byte("\xef\xbb\xbf")), true)
		if perr != nil {
			break
		}
		if site, n := findRef(root, ref); site != "" {
			reason = strings.TrimPrefix(reason, "error resolving reference "+strconv.Quote(ref)+": ")
			return &loadError{
				pos:     diag.Pos{File: d.Path, Line: n.Line, Col: n.Column},
				pointer: site,
				msg:     "cannot resolve $ref " + strconv.Quote(ref) + ": " + reason,
			}
		}
	}
	return &loadError{pos: diag.Pos{File: d.Path}, msg: "cannot resolve a $ref: " + msg}
}

// quoted returns the double-quoted strings in s, in order.
func quoted(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return out
		}
		q, err := strconv.QuotedPrefix(s[i:])
		if err != nil {
			s = s[i+1:]
			continue
		}
		if u, err := strconv.Unquote(q); err == nil && u != "" {
			out = append(out, u)
		}
		s = s[i+len(q):]
	}
}

// findRef returns the pointer to the first "$ref" in the tree whose value is
// ref, or ends with it (kin-openapi reports some refs resolved against the
// document's path), and its value node.
func findRef(root *yaml.Node, ref string) (pointer string, value *yaml.Node) {
	var tokens []string
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "$ref" && v.Kind == yaml.ScalarNode && (v.Value == ref || strings.HasSuffix(ref, v.Value) || strings.HasSuffix(v.Value, ref)) {
					tokens = append(tokens, "$ref")
					pointer, value = diag.Pointer(tokens...), v
					return true
				}
				tokens = append(tokens, k.Value)
				if walk(v) {
					return true
				}
				tokens = tokens[:len(tokens)-1]
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				tokens = append(tokens, strconv.Itoa(i))
				if walk(c) {
					return true
				}
				tokens = tokens[:len(tokens)-1]
			}
		}
		return false
	}
	walk(root)
	return pointer, value
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
