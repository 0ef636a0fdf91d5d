package loader

import (
	"strings"
	"testing"
)

// TestIsolate: with Options.Isolate, a $ref that does not resolve is
// taken out and marked where it stood, and the rest of the document
// loads; without it, the load stops there, as before.
func TestIsolate(t *testing.T) {
	const doc = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      parameters:
        - {name: q, in: query, schema: {$ref: "gone.yaml#/Q"}}
      responses: {"200": {description: ok}}
  /b:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/info"}
`
	if d, diags := Load("api.yaml", []byte(doc), &Options{SkipValidation: true}); d != nil || !diags.HasErrors() {
		t.Fatalf("without Isolate: loaded, %v", diags)
	}
	d, diags := Load("api.yaml", []byte(doc), &Options{SkipValidation: true, Isolate: true})
	if d == nil || diags.HasErrors() {
		t.Fatalf("with Isolate: %v", diags)
	}
	var got []string
	for _, u := range d.AllUnresolved() {
		got = append(got, u.Pos.String()+" "+u.Pointer+": "+u.Msg)
	}
	want := []string{
		`api.yaml:7:47 #/paths/~1a/get/parameters/0/schema/$ref: cannot resolve $ref "gone.yaml#/Q": this document may not refer to other files`,
		`api.yaml:16:30 #/paths/~1b/get/responses/200/content/application~1json/schema/$ref: cannot resolve $ref "#/info": the value it names is not a schema`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("unresolved:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	q := d.T.Paths.Value("/a").Get.Parameters[0].Value.Schema.Value
	if u, ok := d.Unresolved(q.Extensions); !ok || u.Pointer != "#/paths/~1a/get/parameters/0/schema/$ref" {
		t.Errorf("the parameter's schema is not marked: %v %v", u, ok)
	}
}

// TestDuplicateKey: a YAML mapping that repeats a key is invalid YAML,
// at the second key, citing the first.
func TestDuplicateKey(t *testing.T) {
	doc := "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a: {}\n  /a: {}\n"
	_, diags := Load("api.yaml", []byte(doc), nil)
	want := `api.yaml:5:3: invalid YAML: mapping key "/a" is repeated: it is already at line 4, column 3; keep one of the two`
	if got := strings.TrimSpace(diags.Format(0)); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
