// Package comment is the one place spec text becomes Go comment text.
//
// Everything generated code says in a comment that came from a spec (a
// description, a title, a summary) passes through Text, so no spec can
// break out of a comment or leave untidy whitespace behind.
package comment

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Width is the column at which comment text is wrapped.
const Width = 76

// Text makes s safe and tidy for a // comment: control and other invisible
// separator characters become spaces, runs of blank space collapse, lines
// are wrapped at Width columns, and paragraph breaks (blank lines) survive.
// A // comment ends only at a newline, which Text controls, so nothing in s
// can end it early.
func Text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var paras []string
	var words []string
	for p := range strings.SplitSeq(s, "\n\n") {
		if words = fields(p, words[:0]); len(words) > 0 {
			paras = append(paras, wrap(words, Width))
		}
	}
	return strings.Join(paras, "\n\n")
}

// fields appends to words the words of p: what the separators (blank
// space, control and other invisible characters) leave. ASCII, nearly all
// of what specs say, is told apart a byte at a time.
func fields(p string, words []string) []string {
	start := -1 // of the current word
	for i := 0; i < len(p); {
		c, size := rune(p[i]), 1
		if c >= utf8.RuneSelf {
			c, size = utf8.DecodeRuneInString(p[i:])
		}
		if separator(c) {
			if start >= 0 {
				words = append(words, p[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start >= 0 {
		words = append(words, p[start:])
	}
	return words
}

// separator reports whether r separates words in a comment.
func separator(r rune) bool {
	if r < utf8.RuneSelf {
		return r <= ' ' || r == 0x7f
	}
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Cf)
}

func wrap(words []string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range words {
		l := utf8.RuneCountInString(w)
		switch {
		case n == 0:
		case n+1+l > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}

// Doc joins paragraphs into one doc comment, dropping empty ones.
func Doc(paras ...string) string {
	var out []string
	for _, p := range paras {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// Lines splits a doc comment into its lines, for emitting one // comment a
// line (a multi-line comment in one piece would be rendered as /* */).
func Lines(doc string) []string {
	return strings.Split(doc, "\n")
}
