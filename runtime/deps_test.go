// Package runtime_test keeps the runtime thin: every generated server
// links it, so it must not pull in generator-time code.
package runtime_test

import (
	"os"
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
		"github.com/chromedp", // the browser tests' driver
	} {
		for _, pkg := range strings.Fields(string(out)) {
			if strings.HasPrefix(pkg, forbidden) {
				t.Errorf("the runtime depends on %s; generated servers would link it", pkg)
			}
		}
	}
}

// TestAuthlessServersLinkNoOAuth keeps the OAuth server and the store out
// of what a server without auth or state links: serve must not import them.
func TestAuthlessServersLinkNoOAuth(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./serve", "./upstream").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, forbidden := range []string{
		"github.com/mcpgen/mcpgen/runtime/oauth",
		"github.com/mcpgen/mcpgen/runtime/store",
		"github.com/mcpgen/mcpgen/runtime/state",
		"go.etcd.io/bbolt",
		"github.com/redis/go-redis",
	} {
		for _, pkg := range strings.Fields(string(out)) {
			if strings.HasPrefix(pkg, forbidden) {
				t.Errorf("an authless server links %s", pkg)
			}
		}
	}
}

// TestUpstreamLinksNoJQ keeps the jq interpreter out of the servers of
// OpenAPI documents that select nothing: only package upstream/jq, which
// generated code imports for a select, may link it.
func TestUpstreamLinksNoJQ(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./serve", "./upstream").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/itchyny/gojq") || pkg == "github.com/mcpgen/mcpgen/runtime/upstream/jq" {
			t.Errorf("a server without a select links %s", pkg)
		}
	}
}

// TestProjectTemplateGoMod checks that generated projects pin the
// runtime's own requirements: templates/project/runtime.go.mod and
// runtime.go.sum are copies of this module's go.mod and go.sum.
func TestProjectTemplateGoMod(t *testing.T) {
	for _, pair := range [][2]string{
		{"go.mod", "../templates/project/runtime.go.mod"},
		{"go.sum", "../templates/project/runtime.go.sum"},
	} {
		want, err := os.ReadFile(pair[0])
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(pair[1])
		if err != nil {
			t.Skipf("not in the mcpgen repository: %v", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from runtime/%s; copy it over", pair[1], pair[0])
		}
	}
}
