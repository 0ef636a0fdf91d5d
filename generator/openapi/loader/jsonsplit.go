package loader

import (
	"strings"

	"go.yaml.in/yaml/v4"
)

// parseJSONSplit parses a JSON document like parseJSON, except for the path
// items and the component entries: those it skips over, recording where
// each one is, for decodeDocument's workers to parse and decode on their
// own. The workers then parse concurrently too, and each entry's tree lives
// only as long as its decoding, rather than the whole document's tree
// staying in memory until the last entry is decoded.
//
// ok is false when a section repeats a key, which splitting would hide from
// kin-openapi's decoder.
func parseJSONSplit(src string) (stub *yaml.Node, jobs []job, order []string, ok bool, err error) {
	return splitJSON(src, false)
}

// splitJSON is parseJSONSplit; with positions, it keeps the lines and
// columns, and leaves a placeholder node where each entry was (see
// index.expand).
//
// src is the document's text, whose strings the nodes and the jobs share.
func splitJSON(src string, positions bool) (stub *yaml.Node, jobs []job, order []string, ok bool, err error) {
	p := &jsonParser{src: src, line: 1, positions: positions}
	p.skipSpace()
	if p.off >= len(p.src) || p.src[p.off] != '{' {
		n, err := parseJSON([]byte(src), false)
		return n, nil, nil, true, err
	}
	ok = true
	stub, err = p.splitObject(func(key string) (*yaml.Node, error) {
		switch key {
		case "paths":
			return p.splitSection("paths", &jobs, &order, &ok)
		case "components":
			return p.splitObject(func(kind string) (*yaml.Node, error) {
				if _, known := componentKinds[kind]; known {
					return p.splitSection(kind, &jobs, nil, &ok)
				}
				return p.value()
			})
		}
		return p.value()
	})
	if err != nil {
		return nil, nil, nil, false, err
	}
	p.skipSpace()
	if p.off < len(p.src) {
		return nil, nil, nil, false, p.errorf("invalid character %q after top-level value", p.src[p.off])
	}
	return stub, jobs, order, ok, nil
}

// splitObject parses an object, or any other value, with value parsing the
// value of each of its keys.
func (p *jsonParser) splitObject(value func(key string) (*yaml.Node, error)) (*yaml.Node, error) {
	if p.off >= len(p.src) || p.src[p.off] != '{' {
		return p.value()
	}
	return p.object(value)
}

// splitSection parses the object of a section ("paths", or a kind of
// component), recording a job for each entry whose value is an object
// (extensions of paths excepted) and keeping the rest.
func (p *jsonParser) splitSection(section string, jobs *[]job, order *[]string, ok *bool) (*yaml.Node, error) {
	if p.off >= len(p.src) || p.src[p.off] != '{' {
		return p.value()
	}
	seen := make(map[string]struct{})
	return p.object(func(key string) (*yaml.Node, error) {
		if _, dup := seen[key]; dup {
			*ok = false
		}
		seen[key] = struct{}{}
		isExt := section == "paths" && strings.HasPrefix(key, "x-")
		if order != nil && !isExt {
			*order = append(*order, key)
		}
		if isExt || p.off >= len(p.src) || p.src[p.off] != '{' {
			return p.value()
		}
		var placeholder *yaml.Node
		if p.positions {
			placeholder = p.newNode(lazyKind, "")
		}
		start := p.off
		if err := p.skipObject(); err != nil {
			return nil, err
		}
		*jobs = append(*jobs, job{section: section, key: key, node: placeholder, src: p.src, start: start, end: p.off})
		return placeholder, nil // nil: left out of the stub
	})
}

// skipObject moves past the object at the current offset, minding only
// strings and nesting: the worker that parses it checks the rest. Most of a
// description's bytes are in strings (descriptions, examples), which it
// crosses a closing quote at a time, or indentation.
func (p *jsonParser) skipObject() error {
	depth := 0
	for p.off < len(p.src) {
		switch p.src[p.off] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				p.off++
				return nil
			}
		case '"':
			if !p.skipString() {
				return p.errorf("unexpected end of JSON input")
			}
			continue
		case '\n':
			p.line++
			p.lineStart = p.off + 1
			// The indentation that follows, which is nearly half of a
			// pretty-printed document.
			p.off++
			for p.off < len(p.src) && p.src[p.off] == ' ' {
				p.off++
			}
			continue
		}
		p.off++
	}
	return p.errorf("unexpected end of JSON input")
}

// skipString moves past the string at the current offset, its closing
// quote included, and reports whether it is closed. (A string has no
// newline to count: the worker refuses one.)
func (p *jsonParser) skipString() bool {
	i := p.off + 1
	for {
		q := strings.IndexByte(p.src[i:], '"')
		if q < 0 {
			p.off = len(p.src)
			return false
		}
		i += q
		// The quote is escaped if an odd number of backslashes precede it.
		n := 0
		for i-1-n > p.off && p.src[i-1-n] == '\\' {
			n++
		}
		i++
		if n%2 == 0 {
			p.off = i
			return true
		}
	}
}

// lazyKind marks a placeholder node: an entry the position index has not
// parsed yet.
const lazyKind yaml.Kind = 0

// parseRange parses the value src[start:end], which must be exactly one
// value, with p (reused across a worker's jobs for its slabs).
func (p *jsonParser) parseRange(src string, start, end int) (*yaml.Node, error) {
	p.src, p.off, p.depth, p.line = src[:end], start, 0, 1
	if p.positions {
		p.line = 1 + strings.Count(src[:start], "\n")
		p.lineStart = strings.LastIndexByte(src[:start], '\n') + 1
		p.colOff, p.colRunes = p.lineStart, 0
	}
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.off != end {
		return nil, p.errorf("invalid character %q after object", p.src[p.off])
	}
	return n, nil
}
