package loader

import (
	"slices"
	"testing"
)

// TestDeclined: the entries the typed decoder declines are listed by the
// document, and none are when it is loaded with Options.Exact, which does
// not use the typed decoder.
func TestDeclined(t *testing.T) {
	// A key that is neither a field nor an extension is read by
	// kin-openapi and declined by the typed decoder; /a and Plain are
	// ordinary.
	doc := []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {description: ok}
  /b:
    get:
      responses:
        "200": {description: ok}
      notAField: 1
components:
  schemas:
    Plain: {type: string}
    Odd: {type: string, notAKeyword: true}
`)
	d, diags := Load("api.yaml", doc, nil)
	if d == nil {
		t.Fatalf("not loaded: %v", diags)
	}
	want := []string{"#/paths/~1b", "#/components/schemas/Odd"}
	got := slices.Clone(d.Declined())
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Declined() = %q, want %q", got, want)
	}
	exact, diags := Load("api.yaml", doc, &Options{Exact: true})
	if exact == nil {
		t.Fatalf("not loaded with Exact: %v", diags)
	}
	if len(exact.Declined()) != 0 {
		t.Errorf("with Exact, Declined() = %q, want none", exact.Declined())
	}
}
