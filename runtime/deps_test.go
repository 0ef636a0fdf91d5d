// Package runtime_test keeps the runtime thin: every generated server
// links it, so it must not pull in generator-time code.
package runtime_test

import (
	"os/exec"
	"strings"
	"testing"
)

func TestNoGeneratorDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, forbidden := range []string{
		"github.com/mcpgen/mcpgen/generator",
		"github.com/mcpgen/mcpgen/templates",
		"github.com/getkin/kin-openapi",
		"github.com/dave/jennifer",
		"github.com/invopop/jsonschema",
		"github.com/urfave/cli",
		"go.yaml.in/yaml",
		"gopkg.in/yaml",
		"go.etcd.io/bbolt",
	} {
		for _, pkg := range strings.Fields(string(out)) {
			if strings.HasPrefix(pkg, forbidden) {
				t.Errorf("the runtime depends on %s; generated servers would link it", pkg)
			}
		}
	}
}
