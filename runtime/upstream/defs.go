package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Defs are JSON Schema definitions that tool schemas share, by name: the
// converted components of an OpenAPI document. Generated code keeps each
// tool's schema small, referring to them as "#/$defs/<name>", and
// [Defs.Schema] adds to a schema the definitions it needs.
type Defs map[string]json.RawMessage

// ParseDefs parses definitions from a JSON object, {"Name": schema, ...}.
func ParseDefs(data []byte) (Defs, error) {
	var d Defs
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("parsing schema definitions: %w", err)
	}
	if d == nil {
		return nil, errors.New("parsing schema definitions: not a JSON object")
	}
	for name, s := range d {
		if !isSchema(s) {
			return nil, fmt.Errorf("parsing schema definitions: %q is not a schema (an object or a boolean)", name)
		}
	}
	return d, nil
}

func isSchema(s json.RawMessage) bool {
	s = bytes.TrimSpace(s)
	return len(s) > 0 && s[0] == '{' || bytes.Equal(s, []byte("true")) || bytes.Equal(s, []byte("false"))
}

// defsPrefix starts the references that Schema resolves.
const defsPrefix = "#/$defs/"

// Schema returns schema, a JSON Schema object, with a "$defs" member that
// holds exactly the definitions it reaches: those it refers to as
// "#/$defs/<name>" (the name JSON-pointer escaped), those they refer to,
// and so on. A definition the schema has in its own "$defs" takes
// precedence. It is an error to refer to a definition that is in neither.
func (d Defs) Schema(schema string) (json.RawMessage, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal([]byte(schema), &root); err != nil || root == nil {
		return nil, errors.New("the schema is not a JSON object")
	}
	own := map[string]json.RawMessage{}
	if raw, ok := root["$defs"]; ok {
		if err := json.Unmarshal(raw, &own); err != nil {
			return nil, fmt.Errorf("the schema's $defs is not an object: %v", err)
		}
	}

	queue, err := refs([]byte(schema), true)
	if err != nil {
		return nil, err
	}
	reached := map[string]json.RawMessage{}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := reached[name]; done {
			continue
		}
		def, ok := own[name]
		if !ok {
			if def, ok = d[name]; !ok {
				return nil, fmt.Errorf("the schema refers to %q, which is not defined", defsPrefix+name)
			}
		}
		reached[name] = def
		more, err := defRefs(def)
		if err != nil {
			return nil, fmt.Errorf("definition %q: %v", name, err)
		}
		queue = append(queue, more...)
	}
	if len(reached) == 0 {
		return json.RawMessage(schema), nil
	}
	for name, def := range own {
		reached[name] = def
	}
	defs, err := json.Marshal(reached)
	if err != nil {
		return nil, err
	}
	root["$defs"] = defs
	return json.Marshal(root)
}

// defRefsCache holds what defRefs found, by the definition's text: a
// server builds the schema of every tool from the same definitions, and
// reading each again for every tool that reaches it was most of the time
// Schema took at start.
var defRefsCache struct {
	sync.Mutex
	m map[string][]string
}

// defRefs is refs(def, false), remembered.
func defRefs(def json.RawMessage) ([]string, error) {
	defRefsCache.Lock()
	names, ok := defRefsCache.m[string(def)]
	defRefsCache.Unlock()
	if ok {
		return names, nil
	}
	names, err := refs(def, false)
	if err != nil {
		return nil, err
	}
	defRefsCache.Lock()
	if defRefsCache.m == nil {
		defRefsCache.m = make(map[string][]string)
	}
	defRefsCache.m[string(def)] = names
	defRefsCache.Unlock()
	return names, nil
}

// refs returns the names of the definitions that a schema refers to
// directly. At the root, the schema's own $defs are left out: they count
// only when something refers to them.
func refs(schema []byte, root bool) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	var names []string
	var walkSchema func(v any, root bool) error
	var walk func(v any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			return walkSchema(v, false)
		case []any:
			for _, it := range v {
				if err := walk(it); err != nil {
					return err
				}
			}
		}
		return nil
	}
	walkSchema = func(v any, root bool) error {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for k, sub := range m {
			switch k {
			case "$ref":
				if ref, ok := sub.(string); ok && strings.HasPrefix(ref, defsPrefix) {
					name, err := defName(ref)
					if err != nil {
						return err
					}
					names = append(names, name)
				}
			case "const", "enum", "default", "examples", "example":
				// Values, not schemas.
			case "$defs", "definitions":
				if root {
					continue
				}
				fallthrough
			case "properties", "patternProperties", "dependentSchemas":
				if mm, ok := sub.(map[string]any); ok {
					for _, s := range mm {
						if err := walkSchema(s, false); err != nil {
							return err
						}
					}
				}
			default:
				if err := walk(sub); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walkSchema(v, root); err != nil {
		return nil, err
	}
	slices.Sort(names) // for the same error every time
	return names, nil
}

// defName is the definition a reference points into: the first token of
// its JSON pointer, unescaped.
func defName(ref string) (string, error) {
	tok, _, _ := strings.Cut(strings.TrimPrefix(ref, defsPrefix), "/")
	tok, err := url.PathUnescape(tok)
	if err != nil || tok == "" {
		return "", fmt.Errorf("the reference %q is not a valid JSON pointer", ref)
	}
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(tok), nil
}
