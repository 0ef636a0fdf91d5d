package loader

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// refusal is a file the loader asked for and did not get.
type refusal struct {
	url  *url.URL
	err  error
	hint string
}

// refError turns kin-openapi's failure to resolve a $ref into an error at
// the $ref: kin names the ref (or the file it failed to read) but not where
// it is written, so the document is searched for it.
func (d *Document) refError(err error, refused *refusal) error {
	msg := err.Error()
	reason, hint := msg, ""
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		reason = msg[i+2:]
	}
	if refused != nil {
		reason, hint = refused.err.Error(), refused.hint
	}
	candidates := quoted(msg)
	if d.Version == "2.0" {
		// kin-openapi names the $refs of a Swagger 2.0 document as they
		// are once converted.
		for _, c := range candidates {
			if v2, ok := v2Ref(c); ok {
				candidates = append(candidates, v2)
			}
		}
	}
	if what, ok := notA(msg); ok && refused == nil {
		reason = "the value it names is not " + what
	}
	match := func(ref string) bool {
		if slices.Contains(candidates, ref) {
			return true
		}
		if refused == nil {
			return false
		}
		file, _, _ := strings.Cut(ref, "#")
		if u, err := url.Parse(file); err == nil && (u.Scheme != "" || u.Host != "") {
			return u.String() == refused.url.String()
		}
		return file != "" && path.Clean(file) == refused.url.Path
	}
	root, perr := d.isolated, error(nil)
	if root == nil {
		root, perr = parse(bytes.TrimPrefix(d.Source, []byte("\xef\xbb\xbf")), true)
	}
	if perr == nil {
		site, n := findRef(root, match)
		if site == "" {
			// kin-openapi reports some refs by their last part only.
			site, n = findRef(root, func(ref string) bool {
				return slices.ContainsFunc(candidates, func(c string) bool { return strings.HasSuffix(ref, "/"+c) })
			})
		}
		if site != "" {
			if strings.HasPrefix(n.Value, "#") && !strings.HasPrefix(n.Value, "#/") {
				reason = "a $ref to an $anchor is not supported"
				hint = `refer to the schema by its JSON pointer, e.g. "#/components/schemas/Item"`
			} else if refused == nil {
				if why := d.refMissing(root, n.Value); why != "" {
					reason = why
				}
			}
			return &loadError{
				pos:     diag.Pos{File: d.Path, Line: n.Line, Col: n.Column},
				pointer: site,
				msg:     "cannot resolve $ref " + strconv.Quote(n.Value) + ": " + reason,
				hint:    hint,
			}
		}
	}
	return &loadError{pos: diag.Pos{File: d.Path}, msg: "cannot resolve a $ref: " + msg, hint: hint}
}

// v2Refs are the sections of a Swagger 2.0 document, by the section of
// OpenAPI 3 they convert into.
var v2Refs = [][2]string{
	{"#/components/schemas/", "#/definitions/"},
	{"#/components/responses/", "#/responses/"},
	{"#/components/parameters/", "#/parameters/"},
	{"#/components/requestBodies/", "#/parameters/"},
}

// v2Ref is the $ref of a Swagger 2.0 document that converts into ref.
func v2Ref(ref string) (string, bool) {
	for _, r := range v2Refs {
		if rest, ok := strings.CutPrefix(ref, r[0]); ok {
			return r[1] + rest, true
		}
	}
	return "", false
}

// notA reads kin-openapi's message for a $ref to a node of the wrong kind
// ("bad data in \"#/x\" (expecting ref to schema object)"): what the $ref
// should have named.
func notA(msg string) (string, bool) {
	_, rest, ok := strings.Cut(msg, "(expecting ref to ")
	if !ok {
		return "", false
	}
	what, _, ok := strings.Cut(rest, ")")
	if !ok {
		return "", false
	}
	return "a " + strings.TrimSuffix(what, " object"), true
}

// refMissing says what of the pointer of ref, a $ref written in the
// document whose tree is root, names nothing: kin-openapi says it in Go's
// words, or not at all. It returns "" if the pointer names a node, or the
// file it names cannot be read.
func (d *Document) refMissing(root *yaml.Node, ref string) string {
	file, fragment, _ := strings.Cut(ref, "#")
	if file != "" {
		u, err := url.Parse(file)
		if err != nil || u.Scheme != "" || u.Host != "" || d.readFile == nil {
			return ""
		}
		data, err := d.readFile(path.Clean(u.Path))
		if err != nil {
			return ""
		}
		if root, err = parse(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), true); err != nil {
			return ""
		}
	}
	if unescaped, err := url.PathUnescape(fragment); err == nil {
		fragment = unescaped
	}
	tokens := diag.Split("#" + fragment)
	n := root
	for i, tok := range tokens {
		var next *yaml.Node
		if n, next = child(n, tok); next != nil {
			n = next
			continue
		}
		where := "the document"
		switch {
		case file != "" && i == 0:
			where = strconv.Quote(file)
		case i > 0:
			where = file + diag.Pointer(tokens[:i]...)
		}
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			return fmt.Sprintf("%s has no %q", where, tok)
		}
		return fmt.Sprintf("%s is %s, with nothing under it", where, kindName(n))
	}
	return ""
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

// findRef returns the pointer to the first "$ref" in the tree whose value
// match accepts, and its value node.
func findRef(root *yaml.Node, match func(ref string) bool) (pointer string, value *yaml.Node) {
	var tokens []string
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "$ref" && v.Kind == yaml.ScalarNode && match(v.Value) {
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
