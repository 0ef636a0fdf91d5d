package confirm

import (
	"encoding/json"
	"strings"
)

// Template returns a [Rule.Summary] that is tmpl with each {{name}}
// replaced by the argument name: a string as it is, any other value as
// JSON, and an absent one as "(none)". It is how the manifest's
// confirmMessage is served; mcpgen checks at generation time that each
// placeholder names an argument.
func Template(tmpl string) func(args map[string]any) (string, error) {
	return func(args map[string]any) (string, error) {
		var b strings.Builder
		rest := tmpl
		for {
			open := strings.Index(rest, "{{")
			if open < 0 {
				break
			}
			end := strings.Index(rest[open+2:], "}}")
			if end < 0 {
				break
			}
			b.WriteString(rest[:open])
			b.WriteString(value(args, rest[open+2:open+2+end]))
			rest = rest[open+2+end+2:]
		}
		b.WriteString(rest)
		return b.String(), nil
	}
}

// value is the text of argument name.
func value(args map[string]any, name string) string {
	v, ok := args[name]
	switch s, isString := v.(string); {
	case !ok || v == nil:
		return "(none)"
	case isString:
		return s
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "(?)"
	}
	return string(data)
}
