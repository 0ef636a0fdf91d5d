package jq

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		program, answer, want, err string
	}{
		{`.`, `{"b":1,"a":[true,null]}`, `{"a":[true,null],"b":1}`, ""},
		{`.[] | .n`, `[{"n":1},{"n":2.5}]`, `[1,2.5]`, ""},
		{`.[] | .n`, `[{"n":1}]`, `1`, ""},
		{`empty`, `1`, `[]`, ""},
		{`.a`, `{"a":18446744073709551616}`, `18446744073709551616`, ""},
		{`1, halt, 2`, `null`, `1`, ""},
		{`env | length`, `null`, `0`, ""},
		{`.a.b`, `{"a":"x"}`, ``, `expected an object but got: string ("x")`},
		{`.`, `{"a":`, ``, "reading the answer"},
	} {
		p, err := Compile(tc.program)
		if err != nil {
			t.Fatalf("%s: %v", tc.program, err)
		}
		got, err := p.Select(context.Background(), []byte(tc.answer), 1000)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s on %s: error %v, want one with %q", tc.program, tc.answer, err, tc.err)
		case tc.err == "" && (err != nil || string(got) != tc.want):
			t.Errorf("%s on %s: %s, %v; want %s", tc.program, tc.answer, got, err, tc.want)
		}
	}
}

func TestCompile(t *testing.T) {
	for program, want := range map[string]string{
		`.[] | {a`:  `jq program ".[] | {a": unexpected EOF`,
		`nosuch(1)`: `jq program "nosuch(1)": function not defined: nosuch/1`,
		`$x`:        `jq program "$x": variable not defined: $x`,
		`input`:     `jq program "input": input(s)/0 is not allowed`,
	} {
		if _, err := Compile(program); err == nil || err.Error() != want {
			t.Errorf("Compile(%q) = %v, want %q", program, err, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("MustCompile did not panic on a bad program")
		}
	}()
	MustCompile(`{`)
}

// TestSelectLimits checks the guards: a program stops when it yields more
// than the limit, one value at a time or at once, and when its context is
// done, even while it yields nothing.
func TestSelectLimits(t *testing.T) {
	for program, want := range map[string]string{
		`range(100000)`:   "what the program yields is longer than 1000 bytes",
		`[range(1000)]`:   "what the program yields is longer than 1000 bytes",
		`last(repeat(1))`: "the program did not finish in time",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := MustCompile(program).Select(ctx, []byte(`null`), 1000)
		cancel()
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", program, err, want)
		}
	}
}
