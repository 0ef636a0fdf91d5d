package loader

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// maxDocumentDepth bounds how deeply a document's values may nest: the
// limit of encoding/json and of the YAML parser, which jsonParser keeps
// too, so that hostile input cannot exhaust the stack of the walks and
// decoders that follow.
const maxDocumentDepth = 10000

// jsonParser turns a JSON document into the node tree the YAML parser would
// have produced for the same text, without going through the YAML parser.
//
// kin-openapi decodes its types natively from YAML nodes, in one pass over
// the tree; its JSON decoders instead decode every object twice at every
// level of nesting. A JSON document parsed as YAML gets the fast decoders,
// but the YAML parser is the slower part of that path. This parser builds
// the same tree several times faster: nodes and child lists come from slabs,
// and unescaped strings are slices of one copy of the source.
type jsonParser struct {
	src string // the document, copied once
	off int

	// positions asks for Line and Column on every node. Loading never needs
	// them; the position index (see index.go) does.
	positions bool
	line      int // line at lineStart, 1-based
	lineStart int // offset of the first byte of the current line
	colOff    int // offset up to which colRunes counts the current line
	colRunes  int // characters from lineStart to colOff

	nodes   []yaml.Node  // slab the next nodes come from
	content []*yaml.Node // slab the next child lists come from
	stack   []*yaml.Node // children of the containers being parsed
	depth   int
}

// syntaxError is a JSON syntax error at a byte offset of the source.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// parseJSON parses data, a JSON document, into a node tree. With positions,
// every node carries its 1-based line and column (in characters).
func parseJSON(data []byte, positions bool) (node *yaml.Node, err error) {
	p := &jsonParser{src: string(data), positions: positions, line: 1}
	p.skipSpace()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.off < len(p.src) {
		return nil, p.errorf("invalid character %q after top-level value", p.src[p.off])
	}
	return n, nil
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &syntaxError{off: p.off, msg: fmt.Sprintf(format, args...)}
}

// newNode returns a zeroed node from the slab, positioned at the current
// offset when positions are kept.
func (p *jsonParser) newNode(kind yaml.Kind, tag string) *yaml.Node {
	if len(p.nodes) == 0 {
		p.nodes = make([]yaml.Node, 1024)
	}
	n := &p.nodes[0]
	p.nodes = p.nodes[1:]
	n.Kind, n.Tag = kind, tag
	if p.positions {
		// Counted on from the last node, so a long line costs no more.
		if p.colOff < p.lineStart {
			p.colOff, p.colRunes = p.lineStart, 0
		}
		p.colRunes += utf8.RuneCountInString(p.src[p.colOff:p.off])
		p.colOff = p.off
		n.Line = p.line
		n.Column = p.colRunes + 1
	}
	return n
}

// children moves the last n entries of the stack into a child list of
// exactly that length.
func (p *jsonParser) children(n int) []*yaml.Node {
	if n == 0 {
		return nil
	}
	if len(p.content) < n {
		p.content = make([]*yaml.Node, max(n, 4096))
	}
	c := p.content[:n:n]
	p.content = p.content[n:]
	copy(c, p.stack[len(p.stack)-n:])
	clear(p.stack[len(p.stack)-n:])
	p.stack = p.stack[:len(p.stack)-n]
	return c
}

func (p *jsonParser) skipSpace() {
	for p.off < len(p.src) {
		switch p.src[p.off] {
		case ' ', '\t', '\r':
		case '\n':
			p.line++
			p.lineStart = p.off + 1
		default:
			return
		}
		p.off++
	}
}

func (p *jsonParser) value() (*yaml.Node, error) {
	if p.off >= len(p.src) {
		return nil, p.errorf("unexpected end of JSON input")
	}
	switch c := p.src[p.off]; {
	case c == '{':
		return p.object(nil)
	case c == '[':
		return p.array()
	case c == '"':
		n := p.newNode(yaml.ScalarNode, "!!str")
		n.Style = yaml.DoubleQuotedStyle
		s, err := p.str()
		n.Value = s
		return n, err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true", "!!bool")
	case c == 'f':
		return p.literal("false", "!!bool")
	case c == 'n':
		return p.literal("null", "!!null")
	default:
		return nil, p.errorf("invalid character %q looking for beginning of value", c)
	}
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxDocumentDepth {
		return p.errorf("exceeded max depth of %d", maxDocumentDepth)
	}
	return nil
}

// object parses an object. value, if not nil, parses the value of each key
// instead of p.value, and may leave the pair out by returning a nil node.
func (p *jsonParser) object(value func(key string) (*yaml.Node, error)) (*yaml.Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	n := p.newNode(yaml.MappingNode, "!!map")
	n.Style = yaml.FlowStyle
	p.off++ // {
	p.skipSpace()
	count := 0
	if p.off < len(p.src) && p.src[p.off] == '}' {
		p.off++
		p.depth--
		return n, nil
	}
	for {
		if p.off >= len(p.src) || p.src[p.off] != '"' {
			if p.off >= len(p.src) {
				return nil, p.errorf("unexpected end of JSON input")
			}
			return nil, p.errorf("invalid character %q looking for beginning of object key string", p.src[p.off])
		}
		k := p.newNode(yaml.ScalarNode, "!!str")
		k.Style = yaml.DoubleQuotedStyle
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		k.Value = s
		p.skipSpace()
		if p.off >= len(p.src) || p.src[p.off] != ':' {
			return nil, p.unexpected("after object key")
		}
		p.off++
		p.skipSpace()
		var v *yaml.Node
		if value != nil {
			v, err = value(k.Value)
		} else {
			v, err = p.value()
		}
		if err != nil {
			return nil, err
		}
		if v != nil {
			p.stack = append(p.stack, k, v)
			count += 2
		}
		p.skipSpace()
		if p.off >= len(p.src) {
			return nil, p.errorf("unexpected end of JSON input")
		}
		if c := p.src[p.off]; c == '}' {
			p.off++
			break
		} else if c != ',' {
			return nil, p.unexpected("after object key:value pair")
		}
		p.off++
		p.skipSpace()
	}
	n.Content = p.children(count)
	p.depth--
	return n, nil
}

func (p *jsonParser) array() (*yaml.Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	n := p.newNode(yaml.SequenceNode, "!!seq")
	n.Style = yaml.FlowStyle
	p.off++ // [
	p.skipSpace()
	count := 0
	if p.off < len(p.src) && p.src[p.off] == ']' {
		p.off++
		p.depth--
		return n, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, v)
		count++
		p.skipSpace()
		if p.off >= len(p.src) {
			return nil, p.errorf("unexpected end of JSON input")
		}
		if c := p.src[p.off]; c == ']' {
			p.off++
			break
		} else if c != ',' {
			return nil, p.unexpected("after array element")
		}
		p.off++
		p.skipSpace()
	}
	n.Content = p.children(count)
	p.depth--
	return n, nil
}

func (p *jsonParser) unexpected(context string) error {
	if p.off >= len(p.src) {
		return p.errorf("unexpected end of JSON input")
	}
	return p.errorf("invalid character %q %s", p.src[p.off], context)
}

// str reads the string starting at the current quote. A string without
// escapes is a slice of the source; one with escapes, or with bytes that are
// not UTF-8, is left to encoding/json, which decodes both as JSON defines.
func (p *jsonParser) str() (string, error) {
	start := p.off
	p.off++ // "
	escaped, nonASCII := false, false
	for p.off < len(p.src) {
		c := p.src[p.off]
		switch {
		case c == '"':
			p.off++
			if !escaped && !nonASCII {
				return p.src[start+1 : p.off-1], nil
			}
			raw := p.src[start:p.off]
			if !escaped && utf8.ValidString(raw) {
				return raw[1 : len(raw)-1], nil
			}
			var s string
			if err := json.Unmarshal([]byte(raw), &s); err != nil {
				p.off = start
				var se *json.SyntaxError
				if errors.As(err, &se) {
					p.off += int(se.Offset) - 1
				}
				return "", p.errorf("%v", err)
			}
			return s, nil
		case c == '\\':
			escaped = true
			p.off++ // the escaped byte cannot end the string
		case c < ' ':
			return "", p.errorf("invalid character %q in string literal", c)
		case c >= utf8.RuneSelf:
			nonASCII = true
		}
		p.off++
	}
	return "", p.errorf("unexpected end of JSON input")
}

// number reads a number with JSON's grammar and tags it as the YAML parser
// would: an integer that fits 64 bits is !!int, any other number (and -0,
// which an integer cannot hold) !!float.
func (p *jsonParser) number() (*yaml.Node, error) {
	n := p.newNode(yaml.ScalarNode, "!!int")
	start := p.off
	digits := func() int {
		s := p.off
		for p.off < len(p.src) && p.src[p.off] >= '0' && p.src[p.off] <= '9' {
			p.off++
		}
		return p.off - s
	}
	if p.src[p.off] == '-' {
		p.off++
	}
	if p.off < len(p.src) && p.src[p.off] == '0' {
		p.off++
	} else if digits() == 0 {
		return nil, p.unexpected("in numeric literal")
	}
	isInt := true
	if p.off < len(p.src) && p.src[p.off] == '.' {
		p.off++
		isInt = false
		if digits() == 0 {
			return nil, p.unexpected("after decimal point in numeric literal")
		}
	}
	if p.off < len(p.src) && (p.src[p.off] == 'e' || p.src[p.off] == 'E') {
		p.off++
		isInt = false
		if p.off < len(p.src) && (p.src[p.off] == '+' || p.src[p.off] == '-') {
			p.off++
		}
		if digits() == 0 {
			return nil, p.unexpected("in exponent of numeric literal")
		}
	}
	n.Value = p.src[start:p.off]
	if !isInt || n.Value == "-0" {
		n.Tag = "!!float"
	} else if len(n.Value) > 18 {
		if _, err := strconv.ParseInt(n.Value, 10, 64); err != nil {
			if _, err := strconv.ParseUint(n.Value, 10, 64); err != nil {
				n.Tag = "!!float"
			}
		}
	}
	return n, nil
}

func (p *jsonParser) literal(word, tag string) (*yaml.Node, error) {
	for i := range len(word) {
		if p.off+i >= len(p.src) {
			p.off += i
			return nil, p.errorf("unexpected end of JSON input")
		}
		if p.src[p.off+i] != word[i] {
			p.off += i
			return nil, p.errorf("invalid character %q in literal %s (expecting %q)", p.src[p.off], word, word[i])
		}
	}
	n := p.newNode(yaml.ScalarNode, tag)
	n.Value = word
	p.off += len(word)
	return n, nil
}
