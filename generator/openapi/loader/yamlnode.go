package loader

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"
)

// errEmpty is a document with nothing in it.
var errEmpty = errors.New("the document is empty")

// parseYAML parses data, a YAML document, into its top-level node, and gives
// the tree the reading kin-openapi gives a YAML document before decoding it,
// so that both load the same document from the same text:
//
//   - an application's own tag (description: !md text) reads as a string;
//   - a date-shaped scalar stays the string it is written as, not a time;
//   - a mapping key is the text it is written as (200 is "200");
//   - .inf and .nan, which JSON cannot hold, are refused, as are null keys,
//     keys a mapping repeats, and anchors whose value contains an alias to
//     itself.
func parseYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	root := &doc
	if doc.Kind == 0 || doc.Kind == yaml.DocumentNode && len(doc.Content) == 0 {
		return nil, errEmpty
	}
	if doc.Kind == yaml.DocumentNode {
		root = doc.Content[0]
	}
	hasAlias := false
	if err := normalize(root, &hasAlias); err != nil {
		return nil, err
	}
	if hasAlias {
		if err := checkCycles(root); err != nil {
			return nil, err
		}
		if err := checkAliasGrowth(root); err != nil {
			return nil, err
		}
	}
	return root, nil
}

// maxAliasNodes bounds the nodes that YAML aliases add to a document, each
// alias counting as the whole value it repeats: every later stage works on
// the expanded tree, so a few lines of nested aliases would otherwise cost
// minutes and gigabytes (docs/openapi.md, "Documents that cannot sink the
// generator").
const maxAliasNodes = 250_000

// aliasGrowthError is a document whose aliases add more than maxAliasNodes
// nodes; at is the alias that adds the most.
type aliasGrowthError struct {
	at    *yaml.Node
	added int
}

func (e *aliasGrowthError) Error() string {
	return fmt.Sprintf("YAML aliases repeat more than %d nodes of the document; the alias of %q here repeats %d", maxAliasNodes, e.at.Value, e.added)
}

// checkAliasGrowth refuses a document whose aliases add more than
// maxAliasNodes nodes once expanded. It runs after checkCycles, so every
// alias ends.
func checkAliasGrowth(root *yaml.Node) error {
	size := make(map[*yaml.Node]int) // expanded size of a node, saturating
	var biggest *yaml.Node
	added := 0
	var expanded func(n *yaml.Node) int
	expanded = func(n *yaml.Node) int {
		if v, ok := size[n]; ok {
			return v
		}
		v := 1
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			v = expanded(n.Alias)
		}
		for _, c := range n.Content {
			v = min(v+expanded(c), maxAliasNodes+1)
		}
		size[n] = v
		return v
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if added > maxAliasNodes {
			return
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			v := expanded(n.Alias)
			added = min(added+v, maxAliasNodes+1)
			if biggest == nil || v > size[biggest.Alias] {
				biggest = n
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	if added > maxAliasNodes {
		return &aliasGrowthError{at: biggest, added: size[biggest.Alias]}
	}
	return nil
}

func normalize(n *yaml.Node, hasAlias *bool) error {
	switch n.Kind {
	case yaml.AliasNode:
		*hasAlias = true
		return nil // its target is normalized where it is written
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") || n.Tag == "!!timestamp" {
			n.Tag = "!!str"
		}
		if n.Tag == "!!float" {
			switch strings.ToLower(strings.TrimLeft(n.Value, "+-")) {
			case ".inf", ".nan":
				return fmt.Errorf("line %d: %s cannot be represented in JSON", n.Line, n.Value)
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if isMergeKey(k) {
				continue
			}
			if k.Kind == yaml.AliasNode && k.Alias != nil && k.Alias.Kind == yaml.ScalarNode {
				// The key is the text of the anchored scalar, at the alias.
				named := *k.Alias
				named.Anchor = ""
				named.Line, named.Column = k.Line, k.Column
				k = &named
				n.Content[i] = k
			}
			if k.Kind != yaml.ScalarNode || k.Tag == "!!str" {
				continue
			}
			if k.Tag == "!!null" {
				return fmt.Errorf("line %d: a mapping key is null", k.Line)
			}
			k.Tag = "!!str"
		}
		if err := uniqueKeys(n); err != nil {
			return err
		}
	}
	for _, c := range n.Content {
		if err := normalize(c, hasAlias); err != nil {
			return err
		}
	}
	return nil
}

// dupKeyError is a key a mapping repeats. YAML forbids it, and decoding
// would keep one of the two values without a word (kin-openapi keeps the
// last path item of a repeated path, so an operation would vanish).
type dupKeyError struct {
	key, first *yaml.Node
}

func (e *dupKeyError) Error() string {
	return fmt.Sprintf("mapping key %q is repeated: it is already at line %d, column %d", e.key.Value, e.first.Line, e.first.Column)
}

// uniqueKeys refuses a mapping that repeats a key. Merged mappings may
// repeat keys (the mapping's own win), so "<<" is left out.
func uniqueKeys(n *yaml.Node) error {
	if len(n.Content) <= 16 {
		for i := 2; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || isMergeKey(k) {
				continue
			}
			for j := 0; j < i; j += 2 {
				if f := n.Content[j]; f.Kind == yaml.ScalarNode && f.Value == k.Value && !isMergeKey(f) {
					return &dupKeyError{key: k, first: f}
				}
			}
		}
		return nil
	}
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || isMergeKey(k) {
			continue
		}
		if f, ok := seen[k.Value]; ok {
			return &dupKeyError{key: k, first: f}
		}
		seen[k.Value] = k
	}
	return nil
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 && (k.Tag == "" || k.Tag == "!!str" || k.Tag == "!!merge")
}

// checkCycles refuses an anchor whose value holds an alias back to itself,
// which would make every decoder that expands aliases recurse forever. Each
// node is visited once, however many aliases lead to it.
func checkCycles(root *yaml.Node) error {
	const (
		open = iota + 1
		closed
	)
	state := make(map[*yaml.Node]uint8)
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		switch state[n] {
		case open:
			return fmt.Errorf("line %d: anchor %q contains an alias to itself", n.Line, n.Anchor)
		case closed:
			return nil
		}
		state[n] = open
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			if err := walk(n.Alias); err != nil {
				return err
			}
		}
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		state[n] = closed
		return nil
	}
	return walk(root)
}

// hasMergeKey reports whether the mapping n merges another into itself.
func hasMergeKey(n *yaml.Node) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMergeKey(n.Content[i]) {
			return true
		}
	}
	return false
}
