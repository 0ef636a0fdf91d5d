package loader

import (
	"os"
	"testing"
)

// TestSplitYAML checks the cut of YAML documents into entries: where it
// applies, every entry parses on its own and the stub keeps every line;
// where an entry needs the rest of the document (an alias to an anchor
// elsewhere), the entry refuses, so that Load parses the document whole
// (TestSameAsKin checks the result of both).
func TestSplitYAML(t *testing.T) {
	tests := []struct {
		file    string
		jobs    int
		refused int // entries that do not parse on their own
	}{
		{"petstore.yaml", 7, 0},
		{"v31.yaml", 5, 0},
		{"cyclic.yaml", 3, 0},
		{"yaml-features.yaml", 1, 1},
	}
	for _, tt := range tests {
		data, err := os.ReadFile("testdata/" + tt.file)
		if err != nil {
			t.Fatal(err)
		}
		stub, jobs, ok := splitYAML(data)
		if !ok {
			t.Errorf("%s: not split", tt.file)
			continue
		}
		if got, want := len(lineStarts(stub)), len(lineStarts(data)); got != want {
			t.Errorf("%s: the stub has %d lines, the document %d", tt.file, got, want)
		}
		if _, err := parseYAML(stub); err != nil {
			t.Errorf("%s: the stub does not parse: %v", tt.file, err)
		}
		refused := 0
		for i := range jobs {
			key, _, err := parseYAMLEntry(&jobs[i])
			if err != nil {
				refused++
				continue
			}
			// The key's line is its line in the document.
			lines := lineStarts(data)
			if l := string(data[lines[key.Line-1]:]); len(l) < key.Column-1 || l[key.Column-1:key.Column-1+len(key.Value)] != key.Value {
				t.Errorf("%s: entry %q at %d:%d, where the text is %.40q", tt.file, key.Value, key.Line, key.Column, l)
			}
		}
		if len(jobs) != tt.jobs || refused != tt.refused {
			t.Errorf("%s: %d entries, %d refused; want %d, %d", tt.file, len(jobs), refused, tt.jobs, tt.refused)
		}
	}

	// Documents the cut leaves alone.
	for _, doc := range []string{
		"openapi: 3.0.3\npaths: {/a: {}}\n",                  // flow style
		"%YAML 1.2\n---\nopenapi: 3.0.3\npaths:\n  /a: {}\n", // a directive
		"openapi: 3.0.3\npaths:\n  x-a: 1\n  /a: {}\n",       // an extension of paths
		"openapi: 3.0.3\npaths:\n- a\n",                      // not a mapping
	} {
		if _, _, ok := splitYAML([]byte(doc)); ok {
			t.Errorf("splitYAML(%q) split it", doc)
		}
	}
}
