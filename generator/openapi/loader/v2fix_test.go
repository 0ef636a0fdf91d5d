package loader

import (
	"slices"
	"strings"
	"testing"
)

// TestV2Requests checks the request bodies and query styles of a Swagger
// 2.0 document as Swagger 2.0 defines them, where openapi2conv differs.
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
	var got []string
	for _, p := range doc.T.Paths.Value("/find").Get.Parameters {
		v := p.Value
		s := v.Name + ":" + v.Style
		if v.Explode != nil && *v.Explode {
			s += ",explode"
		}
		if v.Extensions[CollectionFormat] != nil {
			s += ",tsv"
		}
		got = append(got, s)
	}
	want := "csv:form ssv:spaceDelimited tsv:form,tsv pipes:pipeDelimited multi:form,explode"
	if strings.Join(got, " ") != want {
		t.Errorf("query styles %s, want %s", strings.Join(got, " "), want)
	}
}
