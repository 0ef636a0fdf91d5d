package testkit

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// OASExamples lists the OpenAPI documents of npm's @readme/oas-examples
// that `make testdata-corpus` extracts into the .cache/ of the checkout at
// root, or none when it has not been fetched.
func OASExamples(tb testing.TB, root string) []string {
	tb.Helper()
	dirs, _ := filepath.Glob(filepath.Join(root, ".cache", "oas-examples@*", "package"))
	if len(dirs) == 0 {
		return nil
	}
	var files []string
	err := filepath.WalkDir(dirs[len(dirs)-1], func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == "test" || e.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(p); !e.IsDir() && (ext == ".json" || ext == ".yaml") && e.Name() != "package.json" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// GitHubSpec is where `make testdata-github` puts GitHub's REST API
// description in the checkout at root, or "" when it is not there.
func GitHubSpec(root string) string {
	p := filepath.Join(root, ".cache", "openapi", "api.github.com.json")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
