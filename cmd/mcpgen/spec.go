package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// dirReader reads the files a manifest refers to, relative to its
// directory.
func dirReader(dir string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	}
}

// specFiles is an OpenAPI document that mcpgen new imports. The files the
// import reads are copied into the new project, which then imports them
// from there.
type specFiles struct {
	dir  string // the document's directory
	name string // the document's file name
	read map[string][]byte
}

func openSpec(from string) (*specFiles, error) {
	info, err := os.Stat(from)
	switch {
	case err != nil:
		return nil, ioError("--from: %v", err)
	case info.IsDir():
		return nil, ioError("--from: %s is a directory; give the OpenAPI document's file", from)
	}
	return &specFiles{dir: filepath.Dir(from), name: filepath.Base(from), read: make(map[string][]byte)}, nil
}

// reader reads a file of the document, by a path relative to the document's
// directory. Files outside that directory are refused: the project could
// not carry them.
func (s *specFiles) reader(name string) ([]byte, error) {
	clean := path.Clean(name)
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return nil, fmt.Errorf("%s is outside the directory of %s, so it cannot be copied into the project; move it next to the document", name, s.name)
	}
	if data, ok := s.read[clean]; ok {
		return data, nil
	}
	data, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(clean)))
	if err != nil {
		return nil, err
	}
	s.read[clean] = data
	return data, nil
}

var operationID = regexp.MustCompile(`"?operationId"?\s*:\s*["']?([A-Za-z0-9_.\-/]+)`)

// firstOperation is an operationId of the document, for the examples in the
// new manifest; a placeholder when it has none.
func (s *specFiles) firstOperation() string {
	data, err := s.reader(s.name)
	if err == nil {
		if m := operationID.FindSubmatch(data); m != nil {
			return string(m[1])
		}
	}
	return "GET /path"
}
