package upstream

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

const testDefs = `{
	"Pet": {"type": "object", "properties": {"id": {"type": "integer"}, "owner": {"$ref": "#/$defs/Owner"}, "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}}}, "required": ["id"]},
	"Owner": {"type": "object", "properties": {"name": {"type": "string"}, "pets": {"type": "array", "items": {"$ref": "#/$defs/Pet"}}}},
	"Tag": {"type": "string", "minLength": 1},
	"Error": {"type": "object", "properties": {"message": {"type": "string"}}},
	"a/b~c": {"type": "boolean"},
	"Spaced Name": {"type": "null"},
	"Any": true
}`

func TestParseDefs(t *testing.T) {
	d, err := ParseDefs([]byte(testDefs))
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 7 {
		t.Errorf("%d definitions, want 7", len(d))
	}
	for _, bad := range []string{`[]`, `null`, `{"A": 1}`, `{"A": "x"}`, `{`} {
		if _, err := ParseDefs([]byte(bad)); err == nil {
			t.Errorf("ParseDefs(%s) succeeded, want an error", bad)
		}
	}
}

func TestDefsSchema(t *testing.T) {
	d, err := ParseDefs([]byte(testDefs))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		schema  string
		want    []string // the names in $defs, or nil for the schema unchanged
		wantErr string
	}{
		{"transitive, with a cycle", `{"type":"object","properties":{"pet":{"$ref":"#/$defs/Pet"}}}`, []string{"Owner", "Pet", "Tag"}, ""},
		{"inner pointer", `{"type":"object","properties":{"id":{"$ref":"#/$defs/Pet/properties/id"}}}`, []string{"Owner", "Pet", "Tag"}, ""},
		{"escaped names", `{"type":"object","properties":{"x":{"$ref":"#/$defs/a~1b~0c"},"y":{"$ref":"#/$defs/Spaced%20Name"}}}`, []string{"Spaced Name", "a/b~c"}, ""},
		{"boolean schema", `{"type":"object","additionalProperties":{"$ref":"#/$defs/Any"}}`, []string{"Any"}, ""},
		{"in composition", `{"type":"object","properties":{"x":{"anyOf":[{"$ref":"#/$defs/Tag"},{"not":{"$ref":"#/$defs/Error"}}]}}}`, []string{"Error", "Tag"}, ""},
		{"no references", `{"type":"object","properties":{"x":{"type":"string"}}}`, nil, ""},
		{"values are not schemas", `{"type":"object","properties":{"x":{"const":{"$ref":"#/$defs/Nope"},"default":{"$ref":"#/$defs/Nope"},"enum":[{"$ref":"#/$defs/Nope"}]}}}`, nil, ""},
		{"a property named $ref", `{"type":"object","properties":{"$ref":{"type":"string"}}}`, nil, ""},
		{"other references left alone", `{"type":"object","properties":{"x":{"$ref":"#/properties/y"},"y":{"$ref":"https://example.com/s.json"}}}`, nil, ""},
		{"own definitions win", `{"type":"object","properties":{"t":{"$ref":"#/$defs/Tag"}},"$defs":{"Tag":{"type":"integer"},"Unused":{"type":"null"}}}`, []string{"Tag", "Unused"}, ""},
		{"missing", `{"type":"object","properties":{"x":{"$ref":"#/$defs/Nope"}}}`, nil, `the schema refers to "#/$defs/Nope", which is not defined`},
		{"not an object", `[1]`, nil, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.Schema(tc.schema)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if string(got) != tc.schema {
					t.Errorf("schema changed to %s", got)
				}
				return
			}
			var out struct {
				Defs map[string]json.RawMessage `json:"$defs"`
			}
			if err := json.Unmarshal(got, &out); err != nil {
				t.Fatal(err)
			}
			var names []string
			for name := range out.Defs {
				names = append(names, name)
			}
			slices.Sort(names)
			if !slices.Equal(names, tc.want) {
				t.Errorf("$defs has %q, want %q", names, tc.want)
			}
		})
	}

	// Own definitions are kept as they are, and win over the shared ones.
	got, err := d.Schema(`{"type":"object","properties":{"t":{"$ref":"#/$defs/Tag"}},"$defs":{"Tag":{"type":"integer"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), `"Tag":{"type":"integer"}`) {
		t.Errorf("the schema's own Tag was replaced: %s", got)
	}
}

// TestDefsSchemaValidates checks that a composed schema works with the
// JSON Schema implementation the SDK validates arguments with.
func TestDefsSchemaValidates(t *testing.T) {
	d, err := ParseDefs([]byte(testDefs))
	if err != nil {
		t.Fatal(err)
	}
	data, err := d.Schema(`{"type":"object","properties":{"pet":{"$ref":"#/$defs/Pet"}},"required":["pet"]}`)
	if err != nil {
		t.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	resolved, err := s.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		instance string
		valid    bool
	}{
		{`{"pet":{"id":1,"tags":["a"],"owner":{"name":"Ann","pets":[{"id":2}]}}}`, true},
		{`{"pet":{"id":1,"tags":[""]}}`, false},                   // Tag has minLength 1
		{`{"pet":{"id":1,"owner":{"pets":[{"id":"x"}]}}}`, false}, // through the cycle
		{`{}`, false},
	} {
		var v any
		if err := json.Unmarshal([]byte(tc.instance), &v); err != nil {
			t.Fatal(err)
		}
		if err := resolved.Validate(v); (err == nil) != tc.valid {
			t.Errorf("%s: valid = %v, want %v (%v)", tc.instance, err == nil, tc.valid, err)
		}
	}
}

func ExampleDefs_Schema() {
	defs, err := ParseDefs([]byte(`{
		"Pet": {"type": "object", "properties": {"tag": {"$ref": "#/$defs/Tag"}}},
		"Tag": {"type": "string"},
		"Unused": {"type": "null"}
	}`))
	if err != nil {
		panic(err)
	}
	schema, err := defs.Schema(`{"type": "object", "properties": {"pet": {"$ref": "#/$defs/Pet"}}}`)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(schema))
	// Output:
	// {"$defs":{"Pet":{"type":"object","properties":{"tag":{"$ref":"#/$defs/Tag"}}},"Tag":{"type":"string"}},"properties":{"pet":{"$ref":"#/$defs/Pet"}},"type":"object"}
}
