package diag

import (
	"slices"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	var l List
	l.Add(Pos{File: "m.yaml", Line: 9, Col: 3}, "#/b", "second %q", "x").Hint = "do this"
	l.Add(Pos{File: "m.yaml", Line: 2, Col: 7}, "#/a", "first")
	l.Warn(Pos{File: "m.yaml"}, "", "whole file")
	l.Add(Pos{File: "m.yaml", Line: 2, Col: 7}, "#/a", "first") // a duplicate
	want := "m.yaml: warning: whole file\n" +
		"m.yaml:2:7: #/a: first\n" +
		`m.yaml:9:3: #/b: second "x"; do this` + "\n"
	if got := l.Format(0); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
	if got := l.Format(1); !strings.HasSuffix(got, "... and 2 more\n") {
		t.Errorf("Format(1) = %q", got)
	}
	if !l.HasErrors() || len(l.Errors()) != 3 || len(l.Warnings()) != 1 {
		t.Errorf("errors %d, warnings %d", len(l.Errors()), len(l.Warnings()))
	}
	if l.Err() == nil || (List{}).Err() != nil {
		t.Error("Err")
	}
}

func TestPosString(t *testing.T) {
	for _, tc := range []struct {
		p    Pos
		want string
	}{
		{Pos{File: "a.yaml", Line: 3, Col: 4}, "a.yaml:3:4"},
		{Pos{File: "a.yaml", Line: 3}, "a.yaml:3"},
		{Pos{File: "a.yaml"}, "a.yaml"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%#v = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestPointer(t *testing.T) {
	if got := Pointer("paths", "/pets/{petId}", "get"); got != "#/paths/~1pets~1{petId}/get" {
		t.Errorf("Pointer = %q", got)
	}
	if got := Append("#/a", "b~c", "d e"); got != "#/a/b~0c/d%20e" {
		t.Errorf("Append = %q", got)
	}
}

func TestSplitUndoesPointer(t *testing.T) {
	for _, tokens := range [][]string{
		nil,
		{"paths", "/pets/{id}", "get"},
		{"a~b", "~1", "~01", "0"},
		{"with space", "100%", "tab\there", ""},
	} {
		p := Pointer(tokens...)
		got := Split(p)
		if !slices.Equal(got, tokens) {
			t.Errorf("Split(%q) = %q, want %q", p, got, tokens)
		}
		if plain := Split(strings.TrimPrefix(p, "#")); !slices.Equal(plain, tokens) {
			t.Errorf("Split(%q) = %q, want %q", strings.TrimPrefix(p, "#"), plain, tokens)
		}
	}
}

func TestUnescapeToken(t *testing.T) {
	for in, want := range map[string]string{
		"pets":    "pets",
		"~1pets":  "/pets",
		"a~0b":    "a~b",
		"~01":     "~1",
		"~10":     "/0",
		"a%20b":   "a%20b", // percent-encoding is Split's business
		"~0~1~0~": "~/~~",
	} {
		if got := UnescapeToken(in); got != want {
			t.Errorf("UnescapeToken(%q) = %q, want %q", in, got, want)
		}
	}
}
