package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/mcpgen/mcpgen/generator/emit"
)

// runtimeReplace decides where a new project's go.mod points the runtime
// module. A released mcpgen writes no replace: the project requires the
// released runtime. A development build (go run, go install from a
// checkout) points the project at the runtime of its own checkout, so the
// project builds offline against exactly the code that generated it.
// MCPGEN_RUNTIME_DIR overrides the location; MCPGEN_RUNTIME_DIR=none turns
// the replace off.
func runtimeReplace(projectDir string) (replace, warning string) {
	dir := os.Getenv("MCPGEN_RUNTIME_DIR")
	if dir == "none" {
		return "", ""
	}
	if dir == "" {
		if v := version(); v != "(devel)" && !strings.Contains(v, "-0.") {
			return "", "" // a release: its runtime is published
		}
		dir = checkoutRuntime()
		if dir == "" {
			return "", "this development build of mcpgen cannot find its runtime/ directory; go.mod requires " +
				emit.RuntimeModule + " " + emit.RuntimeVersion + " as released (set MCPGEN_RUNTIME_DIR to a checkout's runtime/ to build offline)"
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err.Error()
	}
	if !isRuntimeModule(abs) {
		return "", abs + " is not the mcpgen runtime module (no go.mod declaring " + emit.RuntimeModule + "); go.mod requires the released runtime"
	}
	projAbs, err := filepath.Abs(projectDir)
	if err != nil {
		return filepath.ToSlash(abs), ""
	}
	rel, err := filepath.Rel(projAbs, abs)
	if err != nil || strings.Count(rel, "..") > 2 {
		return filepath.ToSlash(abs), ""
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") {
		rel = "./" + rel
	}
	return rel, ""
}

// checkoutRuntime finds runtime/ next to this source file's module root,
// which exists when mcpgen was built from a checkout.
func checkoutRuntime() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "runtime")
	if !isRuntimeModule(dir) {
		return ""
	}
	return dir
}

func isRuntimeModule(dir string) bool {
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	first, _, _ := bytes.Cut(mod, []byte("\n"))
	return strings.TrimSpace(string(first)) == "module "+emit.RuntimeModule
}
