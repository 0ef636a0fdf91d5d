package upstream

import (
	"context"
	"strings"
	"testing"
)

// TestDescribe checks that Describe says what Do sends: the same method,
// path and query, as the API receives them.
func TestDescribe(t *testing.T) {
	srv, last := recorder(t)
	api := &API{Schemes: []SecurityScheme{{Name: "key", Type: "apiKey", In: "query", ParamName: "api_key", Env: []string{"KEY"}}}}
	c := newClient(t, api, srv, map[string]string{"KEY": "s3cret"})
	label := &Operation{Tool: "delete_label", Method: "DELETE", Path: "/repos/{owner}/{repo}/labels/{name}",
		Params: []Param{
			{Name: "owner", In: "path", Style: "simple", Required: true},
			{Name: "repo", In: "path", Style: "simple", Required: true},
			{Name: "name", In: "path", Style: "simple", Required: true},
			{Name: "force", In: "query", Style: "form", Explode: true},
			{Name: "tags", In: "query", Style: "form", Explode: true},
			{Name: "X-Reason", In: "header", Style: "simple"},
		},
		Security: [][]string{{"key"}},
	}
	for _, tc := range []struct{ args, want string }{
		{`{"owner":"octo","repo":"hello","name":"bug"}`, "DELETE /repos/octo/hello/labels/bug"},
		{`{"owner":"octo","repo":"hello","name":"good first issue","force":true,"tags":["a","b c"],"X-Reason":"cleanup"}`,
			"DELETE /repos/octo/hello/labels/good%20first%20issue?force=true&tags=a&tags=b%20c"},
		{`{"owner":"octo","repo":"..","name":"x/y"}`, "DELETE /repos/octo/%2E%2E/labels/x%2Fy"},
		{`{"owner":"octo","repo":"hello","name":7}`, "DELETE /repos/octo/hello/labels/7"},
	} {
		got, err := label.Describe(decoded(t, tc.args))
		if err != nil || got != tc.want {
			t.Errorf("Describe(%s) = %q, %v; want %q", tc.args, got, err, tc.want)
			continue
		}
		if _, err := c.Do(context.Background(), label, decoded(t, tc.args)); err != nil {
			t.Fatal(err)
		}
		sent := last()
		// Do adds the credentials, which Describe never shows.
		uri := strings.Replace(strings.Replace(sent.URI, "api_key=s3cret", "", 1), "?&", "?", 1)
		uri = strings.TrimSuffix(strings.TrimSuffix(uri, "&"), "?")
		if sent.Method+" "+uri != tc.want {
			t.Errorf("Describe(%s) = %q, but Do sent %s %s", tc.args, got, sent.Method, sent.URI)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "cleanup") {
			t.Errorf("Describe(%s) = %q shows a credential or a header", tc.args, got)
		}
	}

	if _, err := label.Describe(decoded(t, `{"owner":"octo","repo":"hello"}`)); err == nil || !strings.Contains(err.Error(), `missing required argument "name"`) {
		t.Errorf("Describe without a path argument: %v", err)
	}
}

func TestConfirmed(t *testing.T) {
	del := &Operation{Method: "DELETE", Path: "/pets/{id}", Params: []Param{{Name: "id", In: "path", Style: "simple", Required: true}}}
	c := Confirmed{"delete_pet": del.Describe}
	if !c.Ask(decoded(t, `{"name":"delete_pet","arguments":{"id":1}}`)) || c.Ask(decoded(t, `{"name":"list_pets"}`)) || c.Ask(nil) {
		t.Error("Ask does not tell the confirmed operation from the others")
	}
	if got, err := c.Summary(decoded(t, `{"name":"delete_pet","arguments":{"id":1}}`)); got != "DELETE /pets/1" || err != nil {
		t.Errorf("Summary = %q, %v", got, err)
	}
	if _, err := c.Summary(decoded(t, `{"name":"delete_pet","arguments":"1"}`)); err == nil {
		t.Error("Summary of arguments that are not an object: no error")
	}
}
