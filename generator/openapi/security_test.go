package openapi

import (
	"slices"
	"testing"

	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// TestUserScopes checks the scopes an operation needs of the signed-in
// user's token: those every security alternative it could be called with
// needs, for the schemes that token stands for.
func TestUserScopes(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://x.example.com"}]
security: [{oauth: [read]}]
paths:
  /a:
    get: {operationId: inherited, responses: {"200": {description: OK}}}
    post:
      operationId: both
      security: [{oauth: [write, read]}]
      responses: {"200": {description: OK}}
    put:
      operationId: either
      security: [{oauth: [write, admin]}, {bearer: [write]}]
      responses: {"200": {description: OK}}
    patch:
      operationId: optional
      security: [{oauth: [write]}, {}]
      responses: {"200": {description: OK}}
    delete:
      operationId: keyOrToken
      security: [{key: []}, {oauth: [admin]}]
      responses: {"200": {description: OK}}
  /b:
    get:
      operationId: undefinedAlternative
      security: [{nowhere: []}, {oauth: [admin]}]
      responses: {"200": {description: OK}}
    post:
      operationId: open
      security: []
      responses: {"200": {description: OK}}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows: {authorizationCode: {authorizationUrl: "https://x.example.com/a", tokenUrl: "https://x.example.com/t", scopes: {read: r, write: w, admin: a}}}
    bearer: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
`
	want := map[string][]string{
		"inherited":             {"read"},
		"both":                  {"read", "write"},
		"either":                {"write"},
		"optional":              nil,
		"key_or_token":          nil, // the API key needs no scope
		"undefined_alternative": {"admin"},
		"open":                  nil,
	}
	for _, credentials := range []string{manifest.CredentialsSignedInUser, ""} {
		d, diags := loader.Load("api.yaml", []byte(doc), nil)
		if d == nil {
			t.Fatalf("load:\n%s", diags.Format(0))
		}
		res, diags := Import(d, &Options{Server: "demo", Section: &manifest.OpenAPI{Spec: "api.yaml", Credentials: credentials}})
		if diags.HasErrors() {
			t.Fatalf("import:\n%s", diags.Format(0))
		}
		if len(res.Tools) != len(want) {
			t.Fatalf("%d tools, want %d", len(res.Tools), len(want))
		}
		for _, tool := range res.Tools {
			w, ok := want[tool.Name]
			if !ok {
				t.Errorf("unexpected tool %s", tool.Name)
			}
			if credentials == "" {
				// With the environment's credentials, the API decides.
				w = nil
			}
			var got []string
			var ptr string
			if tool.Auth != nil {
				got, ptr = tool.Auth.Scopes, tool.Auth.Pointer
			}
			if !slices.Equal(got, w) {
				t.Errorf("%s (credentials %q): user scopes %v, want %v", tool.Name, credentials, got, w)
			}
			if (len(w) > 0) != (ptr != "") {
				t.Errorf("%s: security pointer %q", tool.Name, ptr)
			}
		}
	}
}
