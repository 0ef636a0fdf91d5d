package loader

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// v2Sections are the Swagger 2.0 homes of the OpenAPI 3 components a
// conversion produces from them.
var v2Sections = map[string]string{
	"schemas":         "definitions",
	"parameters":      "parameters",
	"responses":       "responses",
	"securitySchemes": "securityDefinitions",
}

// v2Tokens maps the reference tokens of a pointer into the OpenAPI 3 form of
// a Swagger 2.0 document to those of the Swagger node it was converted from,
// as far as the correspondence is plain; past that point the pointer stops,
// so that Pos gives the nearest node above rather than a wrong one.
func (d *Document) v2Tokens(root *yaml.Node, t []string) []string {
	if len(t) == 0 {
		return t
	}
	switch t[0] {
	case "info", "tags", "externalDocs", "security":
		return t
	case "servers":
		return []string{"host"}
	case "components":
		if len(t) < 3 {
			return nil
		}
		home, ok := v2Sections[t[1]]
		if !ok {
			return nil
		}
		out := []string{home, t[2]}
		switch t[1] {
		case "schemas":
			return append(out, t[3:]...) // the same JSON Schema subset
		case "responses":
			return append(out, v2ResponseTail(t[3:])...)
		case "parameters":
			if len(t) > 3 && sameParameterField(t[3]) {
				return append(out, t[3])
			}
		}
		return out
	case "paths":
		if len(t) < 3 {
			return t
		}
		out := []string{"paths", t[1]}
		if t[2] == "parameters" {
			return append(out, d.v2Parameter(root, out, t[3:])...)
		}
		out = append(out, t[2]) // the method
		if len(t) < 4 {
			return out
		}
		switch rest := t[4:]; t[3] {
		case "summary", "description", "operationId", "tags", "deprecated", "security", "externalDocs":
			return append(out, t[3:]...)
		case "parameters":
			return append(out, d.v2Parameter(root, out, rest)...)
		case "requestBody":
			if body := v2BodyIndex(lookupPath(root, out)); body >= 0 {
				out = append(out, "parameters", strconv.Itoa(body))
				// requestBody/content/<type>/schema/... is the body's schema.
				if len(rest) >= 3 && rest[0] == "content" && rest[2] == "schema" {
					out = append(out, rest[2:]...)
				}
			}
			return out
		case "responses":
			if len(rest) == 0 {
				return append(out, "responses")
			}
			return append(append(out, "responses", rest[0]), v2ResponseTail(rest[1:])...)
		default:
			if len(t[3]) > 2 && t[3][:2] == "x-" {
				return append(out, t[3:]...)
			}
			return out
		}
	default:
		if len(t[0]) > 2 && t[0][:2] == "x-" {
			return t
		}
		return nil
	}
}

// v2ResponseTail maps the tokens after a response: the description stays,
// content/<type>/schema/... is the response's schema, a header is a header.
func v2ResponseTail(t []string) []string {
	switch {
	case len(t) == 0:
		return nil
	case t[0] == "description":
		return t[:1]
	case t[0] == "content" && len(t) >= 3 && t[2] == "schema":
		return t[2:]
	case t[0] == "headers" && len(t) >= 2:
		return t[:2]
	}
	return nil
}

func sameParameterField(f string) bool {
	switch f {
	case "name", "in", "description", "required", "deprecated", "allowEmptyValue":
		return true
	}
	return false
}

// v2Parameter maps parameters/<i>/... of the converted operation (or path
// item) at the tokens at to the Swagger parameter of the same name and
// location: the conversion moves body and form parameters out of the list,
// so the indexes differ.
func (d *Document) v2Parameter(root *yaml.Node, at []string, t []string) []string {
	if len(t) == 0 {
		return []string{"parameters"}
	}
	i, err := strconv.Atoi(t[0])
	if err != nil || d.T == nil {
		return []string{"parameters"}
	}
	name, in := d.v3Parameter(at, i)
	list := lookupPath(root, append(at[:len(at):len(at)], "parameters"))
	if name == "" || list == nil || list.Kind != yaml.SequenceNode {
		return []string{"parameters"}
	}
	for j, p := range list.Content {
		if ref := scalar(p, "$ref"); ref != nil && strings.HasPrefix(ref.Value, "#/") {
			p = lookupPath(root, splitPointer(ref.Value))
		}
		if n, l := scalar(p, "name"), scalar(p, "in"); n != nil && l != nil && n.Value == name && l.Value == in {
			out := []string{"parameters", strconv.Itoa(j)}
			switch {
			case len(t) > 1 && sameParameterField(t[1]):
				out = append(out, t[1])
			case len(t) > 1 && t[1] == "schema":
				// A Swagger parameter other than the body holds its
				// schema's keywords (type, maximum, items…) itself.
				out = append(out, t[2:]...)
			}
			return out
		}
	}
	return []string{"parameters"}
}

// v3Parameter returns the name and location of parameter i of the converted
// path item or operation at ("paths", path[, method]).
func (d *Document) v3Parameter(at []string, i int) (name, in string) {
	if d.T.Paths == nil {
		return "", ""
	}
	item := d.T.Paths.Value(at[1])
	if item == nil {
		return "", ""
	}
	params := item.Parameters
	if len(at) > 2 {
		op := item.GetOperation(strings.ToUpper(at[2]))
		if op == nil {
			return "", ""
		}
		params = op.Parameters
	}
	if i < 0 || i >= len(params) || params[i] == nil || params[i].Value == nil {
		return "", ""
	}
	return params[i].Value.Name, params[i].Value.In
}

// v2BodyIndex returns the index of the body parameter of the Swagger
// operation node op, or of its first form parameter, or -1.
func v2BodyIndex(op *yaml.Node) int {
	list := lookup(op, "parameters")
	if list == nil || list.Kind != yaml.SequenceNode {
		return -1
	}
	form := -1
	for j, p := range list.Content {
		switch in := scalar(p, "in"); {
		case in == nil:
		case in.Value == "body":
			return j
		case in.Value == "formData" && form < 0:
			form = j
		}
	}
	return form
}

// lookupPath follows keys from n through mappings, or returns nil.
func lookupPath(n *yaml.Node, keys []string) *yaml.Node {
	for _, k := range keys {
		if n = lookup(n, k); n == nil {
			return nil
		}
	}
	return n
}
