package emit

import (
	"fmt"
	"testing"
)

// FuzzQuote holds quote to what jen.Lit writes for a string.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", `{"type":"object","description":"a ` + "`code`" + ` span"}`, "tab\there\nnew line\r", "ünïcödé ✓ \u00a0\u200b\u2028", "\x00\x7f\xff\xfe", `back\slash "quote"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := quote(s), fmt.Sprintf("%#v", s); got != want {
			t.Fatalf("quote(%q) = %s, want %s", s, got, want)
		}
	})
}
