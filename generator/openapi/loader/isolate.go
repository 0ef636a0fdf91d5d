package loader

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// Isolating defects. Real documents carry defects confined to one part of
// them: a $ref to a file that was never published, a Swagger 2.0 response
// whose schema refers to a response, a 3.1 schema whose examples are a
// mapping. kin-openapi stops at the first. With Options.Isolate, the loader
// instead takes the defect out of a copy of the document's tree and decodes
// that again, so the rest of the document loads: an unresolvable $ref is
// replaced by a marker the importer finds (see Unresolved), and examples
// that are not a list are dropped with a warning. Only documents with such
// defects pay for the extra decoding.

// unresolvedKey is the extension that marks where a $ref was taken out.
// Its value is the number of the Unresolved, as a string: extensions
// survive decoding and Swagger 2.0's conversion, on every object a $ref
// may stand for.
const unresolvedKey = "x-mcpgen-unresolved"

// maxIsolated bounds how many defects one load takes out: each costs a
// decoding of the whole document, and a document with more is not one
// whose defects are confined anywhere.
const maxIsolated = 64

// Unresolved is a $ref the loader could not resolve and took out of the
// document (see Options.Isolate).
type Unresolved struct {
	// Pos and Pointer are where the $ref is written.
	Pos     diag.Pos
	Pointer string
	// Msg and Hint say why it does not resolve, as the error would.
	Msg, Hint string
}

// Unresolved returns the $ref taken out where an object with extensions
// ext stands, if it is one.
func (d *Document) Unresolved(ext map[string]any) (Unresolved, bool) {
	v, ok := ext[unresolvedKey].(string)
	if !ok {
		return Unresolved{}, false
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 || i >= len(d.unresolved) {
		return Unresolved{}, false
	}
	return d.unresolved[i], true
}

// AllUnresolved returns every $ref taken out of the document, in the order
// they were found.
func (d *Document) AllUnresolved() []Unresolved {
	return d.unresolved
}

// isolationTree returns the tree defects are taken out of: the document
// parsed again, with positions, apart from the tree the position index
// holds, which must keep describing the text.
func (d *Document) isolationTree() (*yaml.Node, error) {
	if d.isolated == nil {
		root, err := parse(bytes.TrimPrefix(d.Source, []byte("\xef\xbb\xbf")), true)
		if err != nil {
			return nil, err
		}
		if d.Version == "2.0" {
			// As loadV2 read it (which warned about the keys).
			if c := shapeCheck(root, true, true); len(c.caseKeys) > 0 {
				removeKeys(c.caseKeys)
			}
		}
		d.isolated = root
	}
	return d.isolated, nil
}

// isolateRef takes the $ref that err, a failure to resolve, is about out of
// the isolation tree, replacing the object that holds it by a marker, and
// reports whether it did. It does not when the $ref was not found, or too
// many were taken out already.
func (d *Document) isolateRef(err error) bool {
	var le *loadError
	if !errors.As(err, &le) || !strings.HasSuffix(le.pointer, "/$ref") || len(d.unresolved) >= maxIsolated {
		return false
	}
	root, perr := d.isolationTree()
	if perr != nil {
		return false
	}
	tokens := diag.Split(le.pointer)
	holder := nodeAt(root, tokens[:len(tokens)-1])
	if holder == nil || holder.Kind != yaml.MappingNode {
		return false
	}
	n := len(d.unresolved)
	d.unresolved = append(d.unresolved, Unresolved{Pos: le.pos, Pointer: le.pointer, Msg: le.msg, Hint: le.hint})
	holder.Content = []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: unresolvedKey},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: strconv.Itoa(n)},
	}
	return true
}

// dropExamples takes out of the isolation tree every schema's examples
// that are not a list (3.1 documents written as if examples were those of
// a media type, a mapping of example objects), with a warning each, and
// reports whether it dropped any: kin-openapi cannot decode them, and they
// only document the schema.
func (d *Document) dropExamples() bool {
	root, err := d.isolationTree()
	if err != nil {
		return false
	}
	dropped := false
	for range maxIsolated {
		m := shapeCheck(root, false, false).first
		if m == nil || len(m.tokens) == 0 || m.tokens[len(m.tokens)-1] != "examples" || m.want != "a list of values" {
			break
		}
		parent := nodeAt(root, m.tokens[:len(m.tokens)-1])
		if parent == nil || parent.Kind != yaml.MappingNode {
			break
		}
		p := diag.Pointer(m.tokens...)
		at := m.key
		if at == nil {
			at = m.node
		}
		d.warnings.Warn(diag.Pos{File: d.Path, Line: at.Line, Col: at.Column}, p, "the schema's examples are left out: they are %s, and must be a list of values", kindName(m.node)).Hint =
			"write them as a list (examples: [Ok]); named examples belong to a media type or parameter"
		content := parent.Content[:0:0]
		for i := 0; i+1 < len(parent.Content); i += 2 {
			if parent.Content[i] != m.key && parent.Content[i+1] != m.node {
				content = append(content, parent.Content[i], parent.Content[i+1])
			}
		}
		parent.Content = content
		dropped = true
	}
	return dropped
}

// nodeAt returns the node tokens lead to from root, following aliases, or
// nil.
func nodeAt(root *yaml.Node, tokens []string) *yaml.Node {
	n := root
	for _, tok := range tokens {
		if _, n = child(n, tok); n == nil {
			return nil
		}
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// child follows an alias at n, then tok into it: a mapping's member or a
// sequence's item. It returns n as followed, and the child or nil.
func child(n *yaml.Node, tok string) (followed, next *yaml.Node) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		_, next = find(n, tok)
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			next = n.Content[i]
		}
	}
	return n, next
}
