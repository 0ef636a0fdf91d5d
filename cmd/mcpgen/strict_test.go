package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStrictIsKept checks that new --strict writes strict: true into the
// manifest, so that a later generate stops at any defect too, and that
// validate --strict counts the defects a plain validate warns of.
func TestStrictIsKept(t *testing.T) {
	dir := t.TempDir()
	spec := `openapi: 3.0.0
info: {title: t, version: '1'}
servers: [{url: 'https://api.example.com'}]
paths:
  /b:
    get:
      operationId: fine
      responses: {'200': {description: ok}}
`
	if err := os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	out := filepath.Join(dir, "s")
	if code, _, stderr := mcpgen(t, "", "new", "s", "--from", filepath.Join(dir, "api.yaml"), "--out", out, "--strict"); code != 0 {
		t.Fatalf("mcpgen new --strict: exit %d\n%s", code, stderr)
	}
	if m := readString(t, filepath.Join(out, "mcpgen.yaml")); !strings.Contains(m, "\n  strict: true\n") {
		t.Fatalf("new --strict did not keep strict: true in the manifest:\n%s", m)
	}

	// Now a defect confined to one operation: a warning for validate, an
	// error for validate --strict and for generate with strict: true.
	broken := spec + `  /a:
    post:
      operationId: broken
      requestBody: {description: no content}
      responses: {'200': {description: ok}}
`
	if err := os.WriteFile(filepath.Join(out, "api.yaml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, "", "validate", filepath.Join(out, "mcpgen.yaml")); code != 0 {
		// The manifest says strict: true, so even a plain validate stops.
		if !strings.Contains(stderr, "#/paths/~1a/post/requestBody: the request body has no content") {
			t.Fatalf("validate: exit %d without the positioned error:\n%s", code, stderr)
		}
	} else {
		t.Fatal("validate passed a defect although the manifest says strict: true")
	}
	if code, _, stderr := mcpgen(t, out, "generate"); code == 0 || !strings.Contains(stderr, "nothing was written") {
		t.Fatalf("generate with strict: true: exit %d\n%s", code, stderr)
	}
	manifest := strings.Replace(readString(t, filepath.Join(out, "mcpgen.yaml")), "\n  strict: true\n", "\n", 1)
	if err := os.WriteFile(filepath.Join(out, "mcpgen.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, "", "validate", filepath.Join(out, "mcpgen.yaml")); code != 0 || !strings.Contains(stderr, "warning: the request body has no content") {
		t.Fatalf("validate without strict: exit %d, want a warning\n%s", code, stderr)
	}
	if code, _, stderr := mcpgen(t, "", "validate", "--strict", filepath.Join(out, "mcpgen.yaml")); code == 0 || !strings.Contains(stderr, "#/paths/~1a/post/requestBody: the request body has no content") {
		t.Fatalf("validate --strict: exit %d, want the positioned error\n%s", code, stderr)
	}
}
