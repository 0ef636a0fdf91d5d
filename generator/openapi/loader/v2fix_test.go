package loader

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestV2Requests checks the request bodies and the array parameters of a
// Swagger 2.0 document as Swagger 2.0 defines them, where openapi2conv
// differs.
func TestV2Requests(t *testing.T) {
	src := `swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /user:
    post:
      parameters: [{in: body, name: body, schema: {type: object}}]
      responses: {"200": {description: ok}}
  /blob:
    post:
      parameters: [{in: body, name: body, schema: {type: string, format: binary}}]
      responses: {"200": {description: ok}}
  /form:
    post:
      consumes: [application/json, application/x-www-form-urlencoded]
      parameters:
        - {in: formData, name: a, type: string}
        - {in: formData, name: tags, type: array, items: {type: string}}
      responses: {"200": {description: ok}}
  /file:
    post:
      consumes: [application/json]
      parameters: [{in: formData, name: f, type: file}]
      responses: {"200": {description: ok}}
  /find:
    get:
      parameters:
        - {in: query, name: csv, type: array, items: {type: string}}
        - {in: query, name: ssv, type: array, collectionFormat: ssv, items: {type: string}}
        - {in: query, name: tsv, type: array, collectionFormat: tsv, items: {type: string}}
        - {in: query, name: pipes, type: array, collectionFormat: pipes, items: {type: string}}
        - {in: query, name: multi, type: array, collectionFormat: multi, items: {type: string}}
      responses: {"200": {description: ok}}
  /tags/{csv}/{ssv}/{tsv}/{pipes}:
    get:
      parameters:
        - {in: path, name: csv, required: true, type: array, items: {type: string}}
        - {in: path, name: ssv, required: true, type: array, collectionFormat: ssv, items: {type: string}}
        - {in: path, name: tsv, required: true, type: array, collectionFormat: tsv, items: {type: string}}
        - $ref: "#/parameters/pipes"
        - {in: header, name: X-Pipes, type: array, collectionFormat: pipes, items: {type: string}}
        - {in: header, name: X-Multi, type: array, collectionFormat: multi, items: {type: string}}
        - {in: header, name: X-Tsv, type: string, collectionFormat: tsv}
      responses: {"200": {description: ok}}
parameters:
  pipes: {in: path, name: pipes, required: true, type: array, collectionFormat: pipes, items: {type: string}}
`
	doc, diags := Load("s.yaml", []byte(src), nil)
	if doc == nil {
		t.Fatal(diags)
	}
	types := func(path string) []string {
		rb := doc.T.Paths.Value(path).Post.RequestBody.Value
		var out []string
		for k := range rb.Content {
			out = append(out, k)
		}
		return out
	}
	for path, want := range map[string]string{
		"/user": "application/json",
		"/blob": "application/octet-stream",
		"/form": "application/x-www-form-urlencoded",
		"/file": "multipart/form-data",
	} {
		if got := types(path); !slices.Equal(got, []string{want}) {
			t.Errorf("%s: content %v, want %s", path, got, want)
		}
	}
	enc := doc.T.Paths.Value("/form").Post.RequestBody.Value.Content["application/x-www-form-urlencoded"].Encoding["tags"]
	if enc == nil || enc.Style != "form" || enc.Explode == nil || *enc.Explode {
		t.Errorf("formData array: encoding %+v, want form, not exploded (csv)", enc)
	}
	styles := func(path string) string {
		var got []string
		for _, p := range doc.T.Paths.Value(path).Get.Parameters {
			v := p.Value
			s := v.Name + ":" + v.Style
			if v.Explode != nil && *v.Explode {
				s += ",explode"
			}
			if f := v.Extensions[CollectionFormat]; f != nil {
				s += fmt.Sprintf(",%v", f)
			}
			got = append(got, s)
		}
		return strings.Join(got, " ")
	}
	if got, want := styles("/find"), "csv:form ssv:spaceDelimited tsv:form,tsv pipes:pipeDelimited multi:form,explode"; got != want {
		t.Errorf("query styles %s, want %s", got, want)
	}
	// The path and headers have one OpenAPI 3 style, simple (csv): the
	// other formats are in the extension, multi (query and formData only)
	// is csv, and a collectionFormat on a value that is no array means
	// nothing.
	if got, want := styles("/tags/{csv}/{ssv}/{tsv}/{pipes}"), "csv: ssv:,ssv tsv:,tsv pipes:,pipes X-Pipes:,pipes X-Multi: X-Tsv:"; got != want {
		t.Errorf("path and header styles %s, want %s", got, want)
	}
}
