package comment

import (
	"strings"
	"testing"
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
