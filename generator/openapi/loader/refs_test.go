package loader

import (
	"io/fs"
	"testing"
)

// TestRefNamesNothing: a $ref whose pointer names nothing says which part of
// it does not exist, in the document's terms.
func TestRefNamesNothing(t *testing.T) {
	const head = "openapi: 3.0.0\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    get:\n"
	files := map[string]string{"other.yaml": "Pet: {type: object}\nlist: [1]\n"}
	readFile := func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	tests := []struct{ in, want string }{
		{head + "      responses: {\"200\": {description: ok, content: {application/json: {schema: {$ref: \"#/Nope\"}}}}}\n",
			`doc.yaml:6:88: #/paths/~1a/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "#/Nope": the document has no "Nope"`},
		{head + "      parameters: [{$ref: \"#/components/parameters/Nope\"}]\n      responses: {}\ncomponents: {parameters: {}}\n",
			`doc.yaml:6:27: #/paths/~1a/get/parameters/0/$ref: cannot resolve $ref "#/components/parameters/Nope": #/components/parameters has no "Nope"`},
		{head + "      responses: {\"200\": {description: ok, content: {application/json: {schema: {$ref: \"#/info/title/x\"}}}}}\n",
			`doc.yaml:6:88: #/paths/~1a/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "#/info/title/x": #/info/title is a string, with nothing under it`},
		{head + "      responses: {\"200\": {description: ok, content: {application/json: {schema: {$ref: \"other.yaml#/Cat\"}}}}}\n",
			`doc.yaml:6:88: #/paths/~1a/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "other.yaml#/Cat": "other.yaml" has no "Cat"`},
		{head + "      responses: {\"200\": {description: ok, content: {application/json: {schema: {$ref: \"other.yaml#/list/3\"}}}}}\n",
			`doc.yaml:6:88: #/paths/~1a/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "other.yaml#/list/3": other.yaml#/list has no "3"`},
	}
	for _, tt := range tests {
		files["doc.yaml"] = tt.in // kin-openapi reads the document through ReadFile too
		doc, diags := Load("doc.yaml", []byte(tt.in), &Options{ReadFile: readFile})
		if doc != nil || len(diags) != 1 || diags[0].String() != tt.want {
			t.Errorf("Load(%q) = %v, %q;\nwant nil, %q", tt.in, doc != nil, diags, tt.want)
		}
	}
}
