// Package comment is the one place spec text becomes Go comment text.
//
// Everything generated code says in a comment that came from a spec (a
// description, a title, a summary) passes through Text, so no spec can
// break out of a comment or leave untidy whitespace behind.
package comment

import (
	"strings"
	"unicode"
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
	for _, p := range strings.Split(s, "\n\n") {
		words := strings.FieldsFunc(p, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Cf)
		})
		if len(words) > 0 {
			paras = append(paras, wrap(words, Width))
		}
	}
	return strings.Join(paras, "\n\n")
}

func wrap(words []string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range words {
		l := len([]rune(w))
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
