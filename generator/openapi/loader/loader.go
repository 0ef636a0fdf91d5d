// Package loader reads OpenAPI documents (3.0, 3.1 and Swagger 2.0, JSON or
// YAML) into kin-openapi's OpenAPI 3 model, keeping enough of the source to
// say where in it any node sits.
package loader

import (
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// Options control loading; nil means defaults.
type Options struct {
	// ReadFile reads the files the document's $refs name, by slash-separated
	// path relative to the document's directory. Nil refuses external refs.
	ReadFile func(name string) ([]byte, error)
}

// Document is a loaded OpenAPI document.
type Document struct {
	// T is the document in OpenAPI 3 form (a Swagger 2.0 document converted),
	// every $ref resolved.
	T *openapi3.T
	// Version is the version the document declares ("2.0", "3.0.3", "3.1.0").
	Version string
	// Path is the document's path, as given to Load.
	Path string
}

// Pos returns where the node at the JSON pointer (RFC 6901, "#/paths/~1pets/get")
// sits in the document: the file, and the line and column when known.
func (d *Document) Pos(pointer string) diag.Pos {
	return diag.Pos{File: d.Path}
}

// Load reads the document at path, whose content is data. Problems that do
// not stop generation (kin-openapi validation findings) come back as
// warnings; a document that cannot be loaded comes back nil, with errors.
func Load(path string, data []byte, opts *Options) (*Document, diag.List) {
	var diags diag.List
	l := openapi3.NewLoader()
	t, err := l.LoadFromData(data)
	if err != nil {
		diags.Add(diag.Pos{File: path}, "", "%v", err)
		return nil, diags
	}
	return &Document{T: t, Version: t.OpenAPI, Path: path}, diags
}
