package comment

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Add two numbers.", "Add two numbers."},
		{"  spaced\tout \r\n text ", "spaced out text"},
		{"para one\n\npara two", "para one\n\npara two"},
		{"evil */ close\x00 and \u2028 separator", "evil */ close and separator"},
		{strings.Repeat("word ", 20), strings.TrimSpace(strings.Repeat("word ", 15)) + "\n" + strings.TrimSpace(strings.Repeat("word ", 5))},
		{"", ""},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDoc(t *testing.T) {
	if got := Doc("a", "", "  ", "b"); got != "a\n\nb" {
		t.Errorf("Doc = %q", got)
	}
}

// FuzzText holds Text's splitting into words to strings.FieldsFunc with
// the separators spelled out, rune by rune, as Text's doc says.
func FuzzText(f *testing.F) {
	for _, s := range []string{"Add two numbers.", "  spaced\tout \r\n text ", "para one\n\npara two", "evil */ close\x00 and \u2028 separator\u00a0nbsp\u200bzw \x7f\x85\xff", strings.Repeat("wörd ", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			words := strings.FieldsFunc(p, func(r rune) bool {
				return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Cf)
			})
			if len(words) > 0 {
				want = append(want, strings.Join(words, " "))
			}
		}
		var got []string
		for _, p := range strings.Split(Text(s), "\n\n") {
			if p != "" {
				got = append(got, strings.ReplaceAll(p, "\n", " "))
			}
		}
		if strings.Join(got, "\n\n") != strings.Join(want, "\n\n") {
			t.Fatalf("Text(%q) has the words\n%q\nwant\n%q", s, got, want)
		}
		for _, line := range strings.Split(Text(s), "\n") {
			if n := utf8.RuneCountInString(line); n > Width && strings.Contains(line, " ") {
				t.Fatalf("Text(%q): line %q is %d characters wide, over %d, and could be broken", s, line, n, Width)
			}
		}
	})
}
