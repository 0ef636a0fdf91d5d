package manifest

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

// sameAsLibrary requires DecodeSDKSchema to give what json.Unmarshal into a
// jsonschema.Schema gives: the same value, or the same error. It reports
// whether the fast path decoded raw, which must then agree with the
// library on its own.
func sameAsLibrary(t testing.TB, raw []byte) (fast bool) {
	t.Helper()
	var want jsonschema.Schema
	wantErr := json.Unmarshal(raw, &want)
	s, ok := fastSDKSchema(raw)
	if ok {
		if wantErr != nil {
			t.Fatalf("%.200q: decoded, but json.Unmarshal fails: %v", raw, wantErr)
		}
		if !reflect.DeepEqual(s, &want) {
			t.Fatalf("%.200q: decoded\n%s\njson.Unmarshal gives\n%s", raw, dump(s), dump(&want))
		}
	}
	got, err := DecodeSDKSchema(raw, false)
	switch {
	case wantErr != nil:
		if err == nil || err.Error() != wantErr.Error() {
			t.Fatalf("%.200q: error %v, json.Unmarshal's %v", raw, err, wantErr)
		}
		if got != nil {
			t.Fatalf("%.200q: a Schema with the error", raw)
		}
	case err != nil:
		t.Fatalf("%.200q: error %v, json.Unmarshal none", raw, err)
	case !reflect.DeepEqual(got, &want):
		t.Fatalf("%.200q: got\n%s\njson.Unmarshal gives\n%s", raw, dump(got), dump(&want))
	}
	return ok
}

// dump shows a Schema's fields, which %v does not (Schema has a String
// method) and MarshalJSON does not tell apart (nil and empty, null and
// absent).
func dump(s *jsonschema.Schema) string {
	type plain jsonschema.Schema // without the methods
	b, err := json.MarshalIndent((*plain)(s), "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// TestSDKKeywords: sdkKeywords are the keys the library reads into
// Schema's fields, and Schema has no field the decoder does not know of: a
// jsonschema-go upgrade that changes either fails here.
func TestSDKKeywords(t *testing.T) {
	var names []string
	var untagged []string
	st := reflect.TypeFor[jsonschema.Schema]()
	for i := range st.NumField() {
		f := st.Field(i)
		if !f.IsExported() {
			t.Errorf("Schema has an unexported field, %s", f.Name)
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			untagged = append(untagged, f.Name)
		case "":
			t.Errorf("Schema's field %s has no JSON name", f.Name)
		default:
			names = append(names, name)
		}
	}
	names = append(names, "type", "items", "dependencies")
	slices.Sort(names)
	if want := slices.Sorted(slices.Values(sdkKeywords)); !slices.Equal(names, want) {
		t.Errorf("the library reads the keywords\n%q\nsdkKeywords are\n%q", names, want)
	}
	// The fields UnmarshalJSON fills itself (or, PropertyOrder, not at all).
	slices.Sort(untagged)
	if want := []string{"DependencySchemas", "DependencyStrings", "Extra", "Items", "ItemsArray", "PropertyOrder", "Type", "Types"}; !slices.Equal(untagged, want) {
		t.Errorf("Schema's fields without a JSON name are %q, want %q", untagged, want)
	}
}

// TestSDKKeywordsRead: every keyword is read into its field by the fast
// path, from some value, and its spelling in another case is declined.
func TestSDKKeywordsRead(t *testing.T) {
	values := []string{`"x"`, `true`, `1`, `2.5`, `{}`, `{"a":{}}`, `{"a":["b"]}`, `{"a":true}`, `[]`, `["a"]`, `[{}]`, `[1,"a",null]`, `null`}
	for _, k := range sdkKeywords {
		read := 0
		for _, v := range values {
			raw := []byte(`{"` + k + `":` + v + `}`)
			if !sameAsLibrary(t, raw) {
				continue
			}
			s, _ := DecodeSDKSchema(raw, false)
			if s.Extra != nil {
				t.Errorf("%s: read into Extra", raw)
			}
			if !reflect.DeepEqual(s, &jsonschema.Schema{}) {
				read++
			}
		}
		if read == 0 {
			t.Errorf("%s: no value is read into a field by the fast path", k)
		}
		for _, variant := range []string{strings.ToUpper(k), strings.ToUpper(k[:1]) + k[1:], strings.ReplaceAll(k, "s", "ſ")} {
			if variant == k {
				continue
			}
			if sameAsLibrary(t, []byte(`{"`+variant+`":"x"}`)) {
				t.Errorf("%s: the key %q is decoded, not declined", k, variant)
			}
		}
	}
}

// sdkCases are inputs for each of the library's rules the decoder follows,
// and for each kind it declines; fast is whether the fast path decodes it.
var sdkCases = []struct {
	name, json string
	fast       bool
}{
	// Boolean schemas: true is empty, false is {"not": {}}, wherever a
	// schema goes.
	{"true", `true`, true},
	{"false", `false`, true},
	{"spaced true", " \t\r\ntrue\n", true},
	{"empty", `{}`, true},
	{"false subschemas", `{"not":false,"items":false,"additionalProperties":false,"properties":{"a":false,"b":true},"allOf":[false,true],"dependencies":{"a":false},"if":false,"then":true,"else":false}`, true},
	{"false as written", `{"not":{}}`, true},

	// "type" is Type or Types.
	{"type", `{"type":"string"}`, true},
	{"empty type", `{"type":""}`, true},
	{"types", `{"type":["string","null"]}`, true},
	{"no types", `{"type":[]}`, true},
	{"type number", `{"type":5}`, false},
	{"type object", `{"type":{}}`, false},
	{"type null", `{"type":null}`, false},
	{"types of numbers", `{"type":["string",1]}`, false},

	// "items" is Items or ItemsArray.
	{"items", `{"type":"array","items":{"type":"string"}}`, true},
	{"items true", `{"items":true}`, true},
	{"items array", `{"items":[{"type":"string"},true,false]}`, true},
	{"items empty array", `{"items":[]}`, true},
	{"items null", `{"items":null}`, false},
	{"items string", `{"items":"x"}`, false},
	{"items list of strings", `{"items":["x"]}`, false},

	// "dependencies" splits into DependencySchemas and DependencyStrings.
	{"dependencies", `{"dependencies":{"a":["b","c"],"d":{"required":["e"]},"f":true,"g":[],"h":false}}`, true},
	{"dependencies strings", `{"dependencies":{"a":["b"]}}`, true},
	{"dependencies schemas", `{"dependencies":{"a":{}}}`, true},
	{"dependencies empty", `{"dependencies":{}}`, true},
	{"dependencies null", `{"dependencies":null}`, false},
	{"dependencies number", `{"dependencies":{"a":1}}`, false},
	{"dependencies null entry", `{"dependencies":{"a":null}}`, false},
	{"dependencies list of numbers", `{"dependencies":{"a":[1]}}`, false},
	{"dependencies list", `{"dependencies":[]}`, false},

	// The integer keywords.
	{"integers", `{"minLength":1,"maxLength":2,"minItems":3,"maxItems":4,"minContains":5,"maxContains":6,"minProperties":7,"maxProperties":8}`, true},
	{"integer 2.0", `{"minLength":2.0}`, true},
	{"integer 2.000", `{"maxItems":2.000}`, true},
	{"integer 1.5e1", `{"minLength":1.5e1}`, true},
	{"integer 2.5", `{"minLength":2.5}`, false},
	{"integer 1e2", `{"minLength":1e2}`, false},
	{"integer 1E2", `{"minLength":1E2}`, false},
	{"integer -0", `{"minLength":-0}`, true},
	{"integer -0.0", `{"minLength":-0.0}`, true},
	{"integer negative", `{"minLength":-3}`, true},
	{"integer max", `{"maxLength":2147483647}`, true},
	{"integer min", `{"maxLength":-2147483648}`, true},
	{"integer over", `{"maxLength":2147483648}`, false},
	{"integer under", `{"maxLength":-2147483649}`, false},
	{"integer over float", `{"maxLength":2147483648.0}`, false},
	{"integer over int64", `{"maxLength":9223372036854775808}`, false},
	{"integer huge", `{"maxLength":1.0e400}`, false},
	{"integer string", `{"minItems":"2"}`, false},
	{"integer null", `{"minLength":null}`, false},
	{"integer true", `{"minLength":true}`, false},

	// Numbers.
	{"numbers", `{"minimum":1.5,"maximum":1e2,"multipleOf":0.01,"exclusiveMinimum":-0,"exclusiveMaximum":123456789012345678}`, true},
	{"number digits", `{"minimum":999999999999999,"maximum":9999999999999999,"multipleOf":-999999999999999}`, true},
	{"number precision", `{"minimum":0.1000000000000000055511151231257827,"maximum":4.9e-324,"multipleOf":1e-400}`, true},
	{"number huge", `{"minimum":1e400}`, false},
	{"number huge elsewhere", `{"x":[1e400]}`, false},
	{"number string", `{"minimum":"1"}`, false},
	{"number null", `{"minimum":null}`, false},

	// "const" is a pointer, to nil for null.
	{"const null", `{"const":null}`, true},
	{"const number", `{"const":1}`, true},
	{"const false", `{"const":false}`, true},
	{"const value", `{"const":{"a":[1,"x",null,true,{}],"b":-2.5e-3}}`, true},
	{"const empty list", `{"const":[]}`, true},

	// "default" keeps its JSON, as written.
	{"default null", `{"default":null}`, true},
	{"default spaced", `{"default": { "a" : [1, 2 ,"\u0041"] } }`, true},
	{"default string", `{"default":"x"}`, true},
	{"default huge", `{"default":1e400}`, false},
	{"default repeated key", `{"default":{"a":1,"a":2}}`, false},

	// "enum" and "examples" are lists of any values.
	{"enum", `{"enum":[1,"a",null,{"b":[]},[],true,1.25]}`, true},
	{"enum empty", `{"enum":[]}`, true},
	{"examples", `{"examples":[1.5,{"x":null}]}`, true},
	{"enum null", `{"enum":null}`, false},
	{"enum object", `{"enum":{}}`, false},

	// Everything else goes to Extra.
	{"extra", `{"x-foo":1,"nullable":true,"example":{"a":[1,null]},"$ID":null}`, false},
	{"extras", `{"x-foo":1,"nullable":true,"example":{"a":[1,null]},"":"empty","x":null}`, true},
	{"extra and keywords", `{"type":"object","x-order":["a"],"properties":{"a":{"type":"string","x-go-name":"A"}}}`, true},
	{"no extra", `{"type":"object"}`, true},

	// The other keywords.
	{"strings", `{"$id":"https://x/y","$schema":"https://json-schema.org/draft/2020-12/schema","$ref":"#/$defs/a","$comment":"c","$anchor":"a","$dynamicAnchor":"d","$dynamicRef":"#d","title":"t","description":"d","pattern":"^a$","contentEncoding":"base64","contentMediaType":"text/plain","format":"date"}`, true},
	{"booleans", `{"deprecated":true,"readOnly":false,"writeOnly":true,"uniqueItems":true}`, true},
	{"vocabulary", `{"$vocabulary":{"https://a":true,"https://b":false}}`, true},
	{"vocabulary number", `{"$vocabulary":{"https://a":1}}`, false},
	{"maps", `{"$defs":{"a":{},"b":true},"definitions":{"c":{"type":"string"}},"patternProperties":{"^x":{}},"dependentSchemas":{"d":{"required":["e"]}},"properties":{}}`, true},
	{"lists", `{"prefixItems":[{},true],"allOf":[{"type":"string"}],"anyOf":[],"oneOf":[false],"required":["a","b"],"dependentRequired":{"a":["b"],"c":[]}}`, true},
	{"subschemas", `{"additionalItems":{},"contains":true,"unevaluatedItems":false,"additionalProperties":{"type":"string"},"propertyNames":{"pattern":"^a"},"unevaluatedProperties":false,"not":{},"if":{},"then":{},"else":{},"contentSchema":{}}`, true},
	{"required null", `{"required":null}`, false},
	{"required element null", `{"required":["a",null]}`, false},
	{"properties null", `{"properties":null}`, false},
	{"property null", `{"properties":{"a":null}}`, false},
	{"allOf null element", `{"allOf":[null]}`, false},
	{"not null", `{"not":null}`, false},
	{"title null", `{"title":null}`, false},
	{"deprecated null", `{"deprecated":null}`, false},

	// Nesting.
	{"nested", `{"type":"object","properties":{"a":{"type":"array","items":{"anyOf":[{"type":"object","properties":{"b":{"enum":["x"],"default":"x"}},"required":["b"],"additionalProperties":false},{"type":"null"}]}}},"$defs":{"d":{"allOf":[{"$ref":"#/$defs/e"}]},"e":{"type":"integer","minimum":0,"maximum":10,"x-foo":{"bar":[{"baz":1}]}}}}`, true},
	{"deep", strings.Repeat(`{"items":`, 300) + `{}` + strings.Repeat(`}`, 300), true},
	{"too deep", strings.Repeat(`{"items":`, SDKMaxDepth+1) + `{}` + strings.Repeat(`}`, SDKMaxDepth+1), false},
	{"deep value", `{"x":` + strings.Repeat(`[`, SDKMaxDepth-1) + strings.Repeat(`]`, SDKMaxDepth-1) + `}`, true},
	{"too deep value", `{"x":` + strings.Repeat(`[`, SDKMaxDepth) + strings.Repeat(`]`, SDKMaxDepth) + `}`, false},
	{"deeper than encoding/json", strings.Repeat(`{"not":`, 10001) + `{}` + strings.Repeat(`}`, 10001), false},

	// Keys that are keywords but for case.
	{"Title", `{"Title":"x"}`, false},
	{"TYPE", `{"TYPE":"string"}`, false},
	{"Items", `{"Items":{}}`, false},
	{"Dependencies", `{"Dependencies":{}}`, false},
	{"CONST", `{"CONST":1}`, false},
	{"long s", `{"$ſchema":"x"}`, false},
	{"case and keyword", `{"title":"a","TITLE":"b"}`, false},
	{"case in a property name", `{"properties":{"Title":{}}}`, true},
	{"case in a value", `{"x":{"Title":1}}`, true},

	// Repeated keys.
	{"repeated keyword", `{"title":"a","title":"b"}`, false},
	{"repeated escaped keyword", `{"title":"a","\u0074itle":"b"}`, false},
	{"repeated extra", `{"x":1,"x":2}`, false},
	{"repeated property", `{"properties":{"a":{},"a":true}}`, false},
	{"repeated in const", `{"const":{"a":1,"a":2}}`, false},
	{"repeated dependency", `{"dependencies":{"a":[],"a":{}}}`, false},
	{"repeated properties", `{"properties":{"a":{}},"properties":{"b":{}}}`, false},
	{"repeated vocabulary", `{"$vocabulary":{"a":true,"a":false}}`, false},
	{"repeated required", `{"dependentRequired":{"a":[],"a":["b"]}}`, false},

	// Values of the wrong kind.
	{"title number", `{"title":5}`, false},
	{"required string", `{"required":"a"}`, false},
	{"required numbers", `{"required":[1]}`, false},
	{"properties list", `{"properties":[]}`, false},
	{"deprecated string", `{"deprecated":"true"}`, false},
	{"dependentRequired string", `{"dependentRequired":{"a":"b"}}`, false},
	{"schema number", `5`, false},
	{"schema string", `"x"`, false},
	{"schema list", `[]`, false},
	{"schema null", `null`, false},
	{"subschema number", `{"not":1}`, false},
	{"subschema string", `{"properties":{"a":"x"}}`, false},

	// Strings.
	{"escapes", `{"description":"a\"b\\c\/d\b\f\n\r\t\u00e9\u2028\ud83d\ude00 é ☃ \u0000 \uFFFD"}`, true},
	{"non-ASCII", `{"description":"é ☃ 😀","properties":{"naïve":{}}}`, true},
	{"escaped key", `{"propert\u0069es":{"\"a\"":{}}}`, true},
	{"lone surrogate", `{"description":"\ud800"}`, false},
	{"lone low surrogate", `{"description":"\udc00\ud800"}`, false},
	{"surrogate and letter", `{"description":"\ud800\u0041"}`, false},
	{"invalid UTF-8", "{\"description\":\"\xff\"}", false},
	{"invalid UTF-8 after escape", "{\"description\":\"\\n\xc3\"}", false},
	{"encoded surrogate", "{\"description\":\"\xed\xa0\x80\"}", false},

	// Not JSON.
	{"nothing", ``, false},
	{"spaces", `   `, false},
	{"open", `{`, false},
	{"open key", `{"a"`, false},
	{"no value", `{"a":}`, false},
	{"trailing comma", `{"a":1,}`, false},
	{"trailing comma list", `{"a":[1,]}`, false},
	{"two values", `{} {}`, false},
	{"garbage after", `{}x`, false},
	{"leading zero", `{"a":01}`, false},
	{"bare point", `{"a":1.}`, false},
	{"point first", `{"a":.5}`, false},
	{"plus", `{"a":+1}`, false},
	{"bare minus", `{"a":-}`, false},
	{"bare exponent", `{"a":1e}`, false},
	{"hex", `{"a":0x1}`, false},
	{"infinity", `{"a":Infinity}`, false},
	{"tru", `{"a":tru}`, false},
	{"truex", `{"a":truex}`, false},
	{"control character", "{\"a\":\"\x01\"}", false},
	{"bad escape", `{"a":"\q"}`, false},
	{"short escape", `{"a":"\u12"}`, false},
	{"open string", `{"a":"x`, false},
	{"single quotes", `{'a':1}`, false},
	{"unquoted key", `{a:1}`, false},
	{"colon missing", `{"a" 1}`, false},
	{"comma missing", `{"a":1 "b":2}`, false},
	{"byte order mark", "\ufeff{}", false},
	{"NUL", "{}\x00", false},
	{"vertical tab", "{\v}", false},
}

// TestDecodeSDKSchemaCases: the library's rules, case by case, each on the
// path it is meant to take.
func TestDecodeSDKSchemaCases(t *testing.T) {
	for _, c := range sdkCases {
		t.Run(c.name, func(t *testing.T) {
			if fast := sameAsLibrary(t, []byte(c.json)); fast != c.fast {
				t.Errorf("decoded by the fast path: %v, want %v", fast, c.fast)
			}
		})
	}
}

// TestDecodeSDKSchemaFalse: false is exactly the library's falseSchema,
// which Resolve and validation recognize by value.
func TestDecodeSDKSchemaFalse(t *testing.T) {
	s, err := DecodeSDKSchema([]byte(`{"properties":{"a":false}}`), false)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(map[string]any{"b": 1}); err != nil {
		t.Errorf("without a: %v", err)
	}
	if err := r.Validate(map[string]any{"a": 1}); err == nil {
		t.Error("with a: valid")
	}
}

// TestDecodeSDKSchemaOwnCopy: the Schema does not share memory with the
// input.
func TestDecodeSDKSchemaOwnCopy(t *testing.T) {
	raw := []byte(`{"default":{"a":1},"title":"t","properties":{"p":{"const":"c"}}}`)
	s, err := DecodeSDKSchema(raw, false)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DecodeSDKSchema(raw, false)
	for i := range raw {
		raw[i] = ' '
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("changing the input changed the Schema: %s", dump(s))
	}
}

// githubSpecPath is GitHub's REST API description, where `make
// testdata-github` puts it.
var githubSpecPath = filepath.Join("..", "..", ".cache", "openapi", "api.github.com.json")

// githubSchemas returns the schemas of GitHub's REST API description, by
// name: the OpenAPI 3.0 dialect of JSON Schema, with its "nullable" and
// "example" (Extra for jsonschema-go). It skips when the description is
// absent.
func githubSchemas(tb testing.TB) map[string]json.RawMessage {
	tb.Helper()
	data, err := os.ReadFile(githubSpecPath)
	if err != nil {
		tb.Skip("GitHub's description is absent; run `make testdata-github` to fetch it")
	}
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		tb.Fatal(err)
	}
	return doc.Components.Schemas
}

// githubBatch is GitHub's schemas as the properties of one schema, as
// resolvesLikeSDK checks parts.
func githubBatch(schemas map[string]json.RawMessage) []byte {
	var b strings.Builder
	b.WriteString(`{"type":"object","properties":{`)
	for i, name := range slices.Sorted(maps.Keys(schemas)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(name))
		b.WriteByte(':')
		b.Write(schemas[name])
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// TestDecodeSDKSchemaGitHub: GitHub's schemas, as written (indented, with
// escapes), each and all in one, decode as the library decodes them, all
// by the fast path.
func TestDecodeSDKSchemaGitHub(t *testing.T) {
	if testing.Short() {
		t.Skip("reads GitHub's 13 MB description")
	}
	schemas := githubSchemas(t)
	if len(schemas) < 500 {
		t.Fatalf("%d schemas in GitHub's description; expected over 500", len(schemas))
	}
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		if !sameAsLibrary(t, schemas[name]) {
			t.Errorf("%s: declined", name)
		}
	}
	if !sameAsLibrary(t, githubBatch(schemas)) {
		t.Error("the batch: declined")
	}
}

// FuzzDecodeSDKSchema: on any input, DecodeSDKSchema gives what
// json.Unmarshal gives.
func FuzzDecodeSDKSchema(f *testing.F) {
	for _, c := range sdkCases {
		if len(c.json) < 1000 {
			f.Add([]byte(c.json))
		}
	}
	for _, k := range sdkKeywords {
		f.Add([]byte(`{"` + k + `":{}}`))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		sameAsLibrary(t, raw)
	})
}

// BenchmarkDecodeSDKSchema decodes GitHub's schemas with DecodeSDKSchema
// and with json.Unmarshal: each on its own, and all as the properties of
// one schema (the batch resolvesLikeSDK checks).
func BenchmarkDecodeSDKSchema(b *testing.B) {
	schemas := githubSchemas(b)
	var each [][]byte
	size := 0
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		each = append(each, schemas[name])
		size += len(schemas[name])
	}
	batch := githubBatch(schemas)
	decoders := []struct {
		name   string
		decode func([]byte) error
	}{
		{"DecodeSDKSchema", func(raw []byte) error {
			_, err := DecodeSDKSchema(raw, false)
			return err
		}},
		{"json.Unmarshal", func(raw []byte) error {
			var s jsonschema.Schema
			return json.Unmarshal(raw, &s)
		}},
	}
	for _, dec := range decoders {
		b.Run("each/"+dec.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, raw := range each {
					if err := dec.decode(raw); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run("batch/"+dec.name, func(b *testing.B) {
			b.SetBytes(int64(len(batch)))
			b.ReportAllocs()
			for b.Loop() {
				if err := dec.decode(batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
