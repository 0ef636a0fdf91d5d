package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.yaml.in/yaml/v4"
)

// TestSchemasMatchAuthless checks that the hand-written server validates
// exactly what the generated one does: its schemas are those of
// examples/authless/mcpgen.yaml.
func TestSchemasMatchAuthless(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "examples", "authless", "mcpgen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Tools []struct {
			Name         string `yaml:"name"`
			InputSchema  any    `yaml:"inputSchema"`
			OutputSchema any    `yaml:"outputSchema"`
		} `yaml:"tools"`
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	normalize := func(v any) any {
		if v == nil || reflect.ValueOf(v).IsNil() {
			return nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, raw := range []bool{false, true} {
		addTool, calculateTool := tools()
		if raw {
			rawSchemas(addTool, calculateTool)
		}
		tools := []*mcp.Tool{addTool, calculateTool}
		if len(m.Tools) != len(tools) {
			t.Fatalf("examples/authless has %d tools, the hand-written server %d", len(m.Tools), len(tools))
		}
		for i, want := range m.Tools {
			got := tools[i]
			if got.Name != want.Name {
				t.Fatalf("tool %d: name %q, want %q", i, got.Name, want.Name)
			}
			if g, w := normalize(got.InputSchema), normalize(want.InputSchema); !reflect.DeepEqual(g, w) {
				t.Errorf("%s input schema (raw %v):\n got %v\nwant %v", want.Name, raw, g, w)
			}
			if g, w := normalize(got.OutputSchema), normalize(want.OutputSchema); !reflect.DeepEqual(g, w) {
				t.Errorf("%s output schema (raw %v):\n got %v\nwant %v", want.Name, raw, g, w)
			}
		}
	}
}
