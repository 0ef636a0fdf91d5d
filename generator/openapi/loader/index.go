package loader

import (
	"bytes"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// maxRefHops bounds how many $refs one position lookup follows, so that a
// cycle of refs ends.
const maxRefHops = 64

// index finds the nodes JSON pointers name. For a JSON file it is built on
// the first call to Pos, from the source, so that loading, where nothing is
// wrong, spends nothing on positions: the file is parsed again, this time
// keeping lines and columns. It starts as the tree parseJSONSplit builds,
// with a placeholder for each path item and component, parsed when a walk
// first enters it: skipping over the rest of a large document is several
// times faster than building all of its tree, and a walk enters few entries.
//
// A YAML document's index is the tree Load parsed it into, which has the
// positions already; parsing YAML again would cost more than loading did.
// Other YAML files are parsed when a walk first reaches them.
type index struct {
	mu    sync.Mutex
	files map[string]*yaml.Node // by path relative to the document's directory; "" is the document
	lazy  map[*yaml.Node]job    // placeholders, and where their text is
}

// newIndex returns an index, with the document's tree if it is at hand.
func newIndex(root *yaml.Node) *index {
	x := &index{files: make(map[string]*yaml.Node), lazy: make(map[*yaml.Node]job)}
	if root != nil {
		x.files[""] = root
	}
	return x
}

// Pos returns where the node at the JSON pointer (RFC 6901, "#/paths/~1pets/get")
// sits in the document: the file, and the line and column when known.
//
// A pointer into a part of the document that a $ref brings in from another
// file gives that file's path and position. A pointer that names no node
// gives the position of the nearest node above it that exists. For a
// Swagger 2.0 document, pointers are those of the converted OpenAPI 3
// document, and are mapped back to the Swagger node they came from where
// that is clear (#/components/schemas/X is #/definitions/X), or to the
// nearest node above.
func (d *Document) Pos(pointer string) diag.Pos {
	d.indexOnce.Do(func() { d.index = newIndex(nil) })
	d.index.mu.Lock()
	defer d.index.mu.Unlock()

	root := d.fileNode("")
	if root == nil {
		return diag.Pos{File: d.Path}
	}
	tokens := diag.Split(pointer)
	if d.Version == "2.0" {
		tokens = d.v2Tokens(root, tokens)
	}
	w := d.walk("", root, tokens, 0)
	return w.pos(d)
}

// BuildIndex builds the document's position index now, rather than on the
// first call to Pos: for a caller with a CPU to spare while it does
// something else. Pos may be called meanwhile; it waits for the index.
func (d *Document) BuildIndex() {
	d.indexOnce.Do(func() { d.index = newIndex(nil) })
	d.index.mu.Lock()
	defer d.index.mu.Unlock()
	d.fileNode("")
}

// fileNode returns the top-level node of file (relative to the document's
// directory, "" for the document), with positions, or nil if it cannot be
// read or parsed. The caller holds the index lock.
func (d *Document) fileNode(file string) *yaml.Node {
	if n, ok := d.index.files[file]; ok {
		return n
	}
	var data []byte
	if file == "" {
		data = d.Source
	} else if d.readFile != nil {
		data, _ = d.readFile(file)
	}
	var n *yaml.Node
	if data != nil {
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if isJSON(data) {
			text := string(data)
			if file == "" && d.text != "" {
				text = d.text // the same bytes, already a string
			}
			var jobs []job
			if n, jobs, _, _, _ = splitJSON(text, true); n != nil {
				for _, j := range jobs {
					d.index.lazy[j.node] = j
				}
			}
		} else {
			n, _ = parseYAML(data)
		}
	}
	d.index.files[file] = n
	return n
}

// expand parses the entry a placeholder stands for, in its place, or leaves
// the placeholder if the entry does not parse.
func (d *Document) expand(n *yaml.Node) {
	j, ok := d.index.lazy[n]
	if !ok {
		return
	}
	delete(d.index.lazy, n)
	p := &jsonParser{positions: true}
	if parsed, err := p.parseRange(j.src, j.start, j.end); err == nil {
		*n = *parsed
	}
}

// displayPath is how diagnostics name file.
func (d *Document) displayPath(file string) string {
	if file == "" {
		return d.Path
	}
	return path.Join(path.Dir(strings.ReplaceAll(d.Path, "\\", "/")), file)
}

// walked is how far a walk got: the last node it reached, in which file, and
// the key node it was reached by, if any.
type walked struct {
	file     string
	node     *yaml.Node
	key      *yaml.Node
	complete bool
}

// pos is where w points: a collection at the key that introduces it (the
// line a reader looks for), a scalar at its value.
func (w walked) pos(d *Document) diag.Pos {
	n := w.node
	if w.key != nil && n.Kind != yaml.ScalarNode && n.Kind != yaml.AliasNode {
		n = w.key
	}
	return diag.Pos{File: d.displayPath(w.file), Line: n.Line, Col: n.Column}
}

// walk follows tokens from node in file, through aliases and $refs, as far
// as they lead.
func (d *Document) walk(file string, node *yaml.Node, tokens []string, hops int) walked {
	w := walked{file: file, node: node}
	for i, tok := range tokens {
		cur := w.node
		if cur.Kind == lazyKind {
			d.expand(cur)
		}
		if cur.Kind == yaml.AliasNode && cur.Alias != nil {
			cur = cur.Alias
		}
		switch cur.Kind {
		case yaml.MappingNode:
			if k, v := find(cur, tok); v != nil {
				w.key, w.node = k, v
				continue
			}
			if ref := scalar(cur, "$ref"); ref != nil && hops < maxRefHops {
				if t := d.refTarget(w.file, ref.Value, hops+1); t.complete {
					if r := d.walk(t.file, t.node, tokens[i:], hops+1); r.node != nil {
						if t.key != nil && r.node == t.node {
							r.key = t.key
						}
						return r
					}
				}
			}
			return w
		case yaml.SequenceNode:
			j, err := strconv.Atoi(tok)
			if err != nil || j < 0 || j >= len(cur.Content) {
				return w
			}
			w.key, w.node = nil, cur.Content[j]
		default:
			return w
		}
	}
	w.complete = true
	return w
}

// refTarget walks to the node a $ref written in file names.
func (d *Document) refTarget(file, ref string, hops int) walked {
	target, fragment, _ := strings.Cut(ref, "#")
	if target != "" {
		u, err := url.Parse(target)
		if err != nil || u.Scheme != "" || u.Host != "" {
			return walked{}
		}
		target = path.Join(path.Dir(file), u.Path)
	} else {
		target = file
	}
	n := d.fileNode(target)
	if n == nil {
		return walked{}
	}
	if unescaped, err := url.PathUnescape(fragment); err == nil {
		fragment = unescaped
	}
	return d.walk(target, n, diag.Split("#"+fragment), hops)
}

// find returns the key and value nodes of key in the mapping n, looking into
// mappings merged with "<<" too.
func find(n *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && !isMergeKey(n.Content[i]) {
			return n.Content[i], n.Content[i+1]
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !isMergeKey(n.Content[i]) {
			continue
		}
		m := n.Content[i+1]
		merged := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			merged = m.Content
		}
		for _, m := range merged {
			if m.Kind == yaml.AliasNode && m.Alias != nil {
				m = m.Alias
			}
			if m.Kind == yaml.MappingNode {
				if k, v := find(m, key); v != nil {
					return k, v
				}
			}
		}
	}
	return nil, nil
}

// lineCol returns the 1-based line and column (in characters) of the byte
// at off in data.
func lineCol(data []byte, off int) (line, col int) {
	off = min(off, len(data))
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, utf8.RuneCount(data[start:off]) + 1
}
