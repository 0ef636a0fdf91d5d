package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
)

// BadArguments finds a JSON object that the input schema rejects, for the
// generated tests: missing required properties, a property of the wrong
// type, or a property the schema forbids. It returns "" when the schema
// rejects none of those. exact is File.Exact.
func BadArguments(raw []byte, exact bool) string {
	s, err := DecodeSDKSchema(raw, exact)
	if err != nil {
		return ""
	}
	resolved, err := s.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	if err != nil {
		return ""
	}
	rejects := func(candidate string) bool {
		var v map[string]any
		if err := json.Unmarshal([]byte(candidate), &v); err != nil {
			return false
		}
		return resolved.Validate(v) != nil
	}
	candidates := []string{"{}"}
	for _, name := range orderedKeys(raw, "properties") {
		key, _ := json.Marshal(name)
		for _, v := range []string{`{"unexpected":true}`, `[1,2,3]`, `"not-a-valid-value"`, `-1.5`, `true`} {
			candidates = append(candidates, fmt.Sprintf("{%s:%s}", key, v))
		}
		break
	}
	candidates = append(candidates, `{"mcpgenUnexpectedProperty":true}`)
	for _, c := range candidates {
		if rejects(c) {
			return c
		}
	}
	return ""
}

// orderedKeys returns the keys of the object at raw[field], in source order.
func orderedKeys(raw []byte, field string) []string {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return nil
	}
	obj, ok := top[field]
	if !ok {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		key, _ := tok.(string)
		keys = append(keys, key)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}
