package manifest

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// YAML syntax errors.
//
// The YAML library reports a syntax error as a *yaml.LoadError that says
// where, in 1-based lines and columns, and what: the position comes from
// its fields, never from the message text. Errors of its reader (bad UTF-8,
// control characters) have no line and column but the byte offset of the
// offending input, from which both are counted here.

// syntaxError reports err, the error of decoding data, as invalid YAML.
func (d *decoder) syntaxError(err error, data []byte) {
	pos := diag.Pos{File: d.file.Filename}
	var le *yaml.LoadError
	if !errors.As(err, &le) {
		d.add(pos, "", "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	// The library counts columns after a byte order mark, and offsets
	// with it.
	index := le.Mark.Index
	if bom := []byte("\xef\xbb\xbf"); bytes.HasPrefix(data, bom) {
		data, index = data[len(bom):], index-len(bom)
	}
	msg, mark := le.Message, le.Mark
	if le.ContextMark.Line > 0 && before(le.ContextMark, mark) && atEnd(data, mark) {
		// The input ends inside a construct (a quoted string, a flow
		// sequence): it is where the construct starts that needs a fix.
		mark = le.ContextMark
		if le.ContextMsg != "" {
			msg += " " + le.ContextMsg
		}
	}
	pos.Line, pos.Col = mark.Line, mark.Column
	if pos.Line == 0 && le.Stage == yaml.ReaderStage {
		pos.Line, pos.Col = lineCol(data, index)
	}
	var hint string
	switch {
	case le.Stage == yaml.ReaderStage:
		hint = "save the file as UTF-8 text"
	case charAt(data, pos) == '\t':
		hint = "indent with spaces: YAML does not allow tabs in indentation"
	case le.Stage == yaml.ComposerStage && charAt(data, pos) == '*':
		hint = "define the anchor (&name) before the alias (*name) that uses it"
	}
	d.add(pos, "", "invalid YAML: %s", msg).Hint = hint
}

// before reports whether a is before b in the input.
func before(a, b yaml.Mark) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
}

// atEnd reports whether nothing but white space follows mark in data.
func atEnd(data []byte, mark yaml.Mark) bool {
	off, ok := offset(data, mark.Line, mark.Column)
	return ok && len(bytes.TrimSpace(data[off:])) == 0
}

// charAt returns the character at pos in data, or utf8.RuneError when pos
// is not in data.
func charAt(data []byte, pos diag.Pos) rune {
	off, ok := offset(data, pos.Line, pos.Col)
	if !ok || off == len(data) {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeRune(data[off:])
	return r
}

// offset returns the byte offset in data of the 1-based line and column,
// counted in characters as the YAML library counts them. The end of data
// is a valid position.
func offset(data []byte, line, col int) (int, bool) {
	if line < 1 || col < 1 {
		return 0, false
	}
	off := 0
	for ; line > 1; line-- {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	for ; col > 1; col-- {
		if off >= len(data) || data[off] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off, true
}

// lineCol returns the 1-based line and column (in characters) of the byte
// at off in data, or zeros when off is outside data.
func lineCol(data []byte, off int) (line, col int) {
	if off < 0 || off > len(data) {
		return 0, 0
	}
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, utf8.RuneCount(data[start:off]) + 1
}
