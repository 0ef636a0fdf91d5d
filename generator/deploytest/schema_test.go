package deploytest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// registrySchemaEnv names a file holding the MCP Registry's own
// server.schema.json (static.modelcontextprotocol.io/schemas/2025-12-11),
// which server.json is then validated against as well.
const registrySchemaEnv = "MCPGEN_REGISTRY_SCHEMA"

// validateServerJSON validates server.json against
// testdata/server.schema.json: the constraints of the registry's
// 2025-12-11 schema on the fields mcpgen writes, closed to any other field
// so that a misspelt one fails; and against the registry's own schema when
// registrySchemaEnv names a copy.
func validateServerJSON(t *testing.T, root string, doc []byte) {
	t.Helper()
	schemas := []string{filepath.Join(root, "generator", "deploytest", "testdata", "server.schema.json")}
	if p := os.Getenv(registrySchemaEnv); p != "" {
		schemas = append(schemas, p)
	} else {
		t.Logf("%s is unset: server.json is validated against testdata/server.schema.json only", registrySchemaEnv)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("server.json: %v", err)
	}
	for _, p := range schemas {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sch, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		url := "file://" + filepath.ToSlash(p)
		if err := c.AddResource(url, sch); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(url)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := s.Validate(inst); err != nil {
			t.Errorf("server.json does not follow %s:\n%v", filepath.Base(p), err)
		}
	}
	// Valid JSON in the schema's sense, and one document.
	dec := json.NewDecoder(bytes.NewReader(doc))
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		t.Errorf("server.json is not one JSON document: %v", err)
	}
}
