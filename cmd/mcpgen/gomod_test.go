package main

import (
	"os"
	"strings"
	"testing"
)

// TestNoReplaceDirectives keeps `go install github.com/mcpgen/mcpgen/cmd/mcpgen@version`
// working: the go command refuses to install from a module whose go.mod has
// replace directives.
func TestNoReplaceDirectives(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(mod), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "replace") {
			t.Errorf("go.mod:%d: %s; go install @version would refuse the module", i+1, line)
		}
	}
}
