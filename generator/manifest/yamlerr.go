package manifest

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// YAML syntax errors.
//
// yaml.v3 reports a syntax error as "yaml: line N: problem", with no
// column. The line needs care: for scanner errors it is 1-based, for
// parser errors it is 0-based (so one less than the line meant), and it is
// left out when it would be 0. It is also often the line where the
// enclosing construct starts rather than the problem's own. Errors from the
// reader (bad UTF-8, control characters) carry no position at all. Where
// the input itself shows the spot (a bad byte, a tab in indentation), the
// line and column are taken from there; otherwise there is no column.

var yamlLine = regexp.MustCompile(`(?s)^line (\d+): (.*)$`)

// parserProblems are the problems yaml.v3's parser (not its scanner)
// reports; their line numbers are 0-based.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// readerProblems are the problems yaml.v3 finds while decoding the input's
// characters; they carry no position.
var readerProblems = []string{
	"control characters are not allowed",
	"invalid leading UTF-8 octet",
	"invalid trailing UTF-8 octet",
	"incomplete UTF-8 octet sequence",
	"invalid length of a UTF-8 sequence",
	"invalid Unicode character",
}

func (d *decoder) syntaxError(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := diag.Pos{File: d.file.Filename}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if parserProblems[msg] {
			pos.Line++
		}
	} else if parserProblems[msg] || isScannerProblem(msg) {
		// The line is left out when it is the first.
		pos.Line = 1
	}
	var hint string
	switch {
	case slices.Contains(readerProblems, msg):
		if line, col, ok := badCharacter(data); ok {
			pos.Line, pos.Col = line, col
		}
		hint = "save the file as UTF-8 text"
	case strings.Contains(msg, "tab character") || msg == "found character that cannot start any token":
		if line, col, ok := indentTab(data, max(pos.Line, 1)); ok && (pos.Line == 0 || line-pos.Line <= 1) {
			pos.Line, pos.Col = line, col
			hint = "indent with spaces: YAML does not allow tabs in indentation"
		}
	case strings.HasPrefix(msg, "unknown anchor"):
		hint = "define the anchor (&name) before the alias (*name) that uses it"
	}
	d.add(pos, "", "invalid YAML: %s", msg).Hint = hint
}

// isScannerProblem reports whether msg is one of yaml.v3's scanner
// problems, which always come with a mark in the input.
func isScannerProblem(msg string) bool {
	for _, p := range []string{
		"block sequence entries are not allowed", "mapping keys are not allowed", "mapping values are not allowed",
		"could not find expected", "did not find expected", "did not find the expected",
		"found a tab character", "found an indentation indicator", "found character that cannot start any token",
		"found extremely long version number", "found invalid Unicode character escape code",
		"found unexpected document indicator", "found unexpected end of stream", "found unexpected non-alphabetical character",
		"found unknown directive name", "found unknown escape character", "exceeded max depth",
	} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// badCharacter finds the first byte that is not valid UTF-8, or a control
// character YAML does not allow, and returns its line and column.
func badCharacter(data []byte) (line, col int, ok bool) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, col, true
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f || (r >= 0x80 && r < 0xa0 && r != 0x85) || r == 0xfffe || r == 0xffff {
			return line, col, true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 0, 0, false
}

// indentTab finds the first tab in the indentation of a line at or after
// from, and returns its line and column.
func indentTab(data []byte, from int) (line, col int, ok bool) {
	for i, l := range bytes.Split(data, []byte("\n")) {
		if i+1 < from {
			continue
		}
		for j, c := range l {
			if c == '\t' {
				return i + 1, j + 1, true
			}
			if c != ' ' && c != '-' {
				break
			}
		}
	}
	return 0, 0, false
}
