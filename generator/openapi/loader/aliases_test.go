package loader

import (
	"fmt"
	"strings"
	"testing"
)

// nestedAliases is a document whose schema Sn repeats S(n-1) three times
// through YAML aliases: 3^n copies of S0 once expanded.
func nestedAliases(n int) string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: T, version: \"1\"}\npaths: {}\ncomponents:\n  schemas:\n")
	b.WriteString("    S0: &s0 {type: object, properties: {a: {type: string}, b: {type: string}}}\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    S%d: &s%d {type: object, properties: {a: *s%d, b: *s%d, c: *s%d}}\n", i, i, i-1, i-1, i-1)
	}
	return b.String()
}

// TestAliasGrowth: aliases that repeat a little load as before; aliases
// that would grow the document past maxAliasNodes are refused at an alias,
// at once.
func TestAliasGrowth(t *testing.T) {
	// 3^6 copies of S0 and its parents: thousands of nodes.
	if d, diags := Load("api.yaml", []byte(nestedAliases(6)), nil); d == nil {
		t.Fatalf("a document with a few aliases:\n%s", diags.Format(0))
	}
	d, diags := Load("api.yaml", []byte(nestedAliases(12)), nil)
	if d != nil || len(diags) != 1 {
		t.Fatalf("aliases repeating millions of nodes: loaded %v\n%s", d != nil, diags.Format(0))
	}
	got := diags[0]
	if got.Pos.Line == 0 || got.Pos.Col == 0 || !strings.Contains(got.Msg, "YAML aliases repeat more than 250000 nodes") {
		t.Errorf("diagnostic %s: %s, want a positioned error about the aliases", got.Pos, got.Msg)
	}
	line := strings.Split(nestedAliases(12), "\n")[got.Pos.Line-1]
	if !strings.HasPrefix(line[got.Pos.Col-1:], "*s") {
		t.Errorf("the error points at %q, not at an alias", line[got.Pos.Col-1:])
	}
}
