package loader

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi3"

	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
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
			p = lookupPath(root, diag.Split(ref.Value))
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

// CollectionFormat is the extension that carries to the importer a Swagger
// 2.0 array parameter's collectionFormat where no OpenAPI 3 style expresses
// it: tsv in the query, and ssv, tsv and pipes in the path or a header
// (OpenAPI 3 has delimited styles for the query only).
const CollectionFormat = "x-mcpgen-collectionFormat"

// fixV2 corrects what openapi2conv makes of a Swagger 2.0 document where
// it departs from what Swagger 2.0 says a request looks like:
//   - a body parameter without consumes is JSON (Swagger 2.0's default),
//     not the media range */* (which would be sent as opaque bytes);
//   - formData parameters are only ever a form: urlencoded, or multipart
//     when a file is among them or consumes says so, never JSON;
//   - an array's collectionFormat defaults to csv, and applies to query,
//     formData, path and header arrays alike.
func fixV2(doc2 *openapi2.T, t *openapi3.T) {
	if t.Components != nil {
		for name, p := range doc2.Parameters {
			if pr := t.Components.Parameters[name]; p != nil && pr != nil && pr.Value != nil {
				fixV2Array(p, pr.Value)
			}
		}
	}
	for path, item := range doc2.Paths {
		item3 := t.Paths.Value(path)
		if item == nil || item3 == nil {
			continue
		}
		fixV2Params(item.Parameters, item3.Parameters)
		for method, op := range item.Operations() {
			op3 := item3.GetOperation(method)
			if op == nil || op3 == nil {
				continue
			}
			fixV2Params(op.Parameters, op3.Parameters)
			consumes := op.Consumes
			if len(consumes) == 0 {
				consumes = doc2.Consumes
			}
			if op3.RequestBody != nil && op3.RequestBody.Value != nil {
				fixV2Body(doc2, append(slices.Clone(item.Parameters), op.Parameters...), consumes, op3.RequestBody.Value)
			}
		}
	}
}

// fixV2Params sets the style of the converted parameters in list3 from
// the Swagger 2.0 parameters in list.
func fixV2Params(list openapi2.Parameters, list3 openapi3.Parameters) {
	for _, p := range list {
		if p == nil || p.Ref != "" {
			continue
		}
		for _, p3 := range list3 {
			if p3 != nil && p3.Ref == "" && p3.Value != nil && p3.Value.In == p.In && p3.Value.Name == p.Name {
				fixV2Array(p, p3.Value)
			}
		}
	}
}

// fixV2Array sets how a converted array parameter is sent, from its
// collectionFormat: for the query, as the style that says the same; for
// the path and headers, whose only OpenAPI 3 style (simple) is csv, a
// delimited format in the CollectionFormat extension. multi, which
// Swagger 2.0 allows in the query and forms only, is csv elsewhere.
func fixV2Array(p *openapi2.Parameter, p3 *openapi3.Parameter) {
	if p.Type == nil || !p.Type.Is("array") {
		return
	}
	format := ""
	switch p.In {
	case "query":
		p3.Style, p3.Explode = v2Style(p.CollectionFormat)
		if p.CollectionFormat == "tsv" {
			format = "tsv"
		}
	case "path", "header":
		if p.CollectionFormat == "ssv" || p.CollectionFormat == "tsv" || p.CollectionFormat == "pipes" {
			format = p.CollectionFormat
		}
	}
	if format != "" {
		if p3.Extensions == nil {
			p3.Extensions = make(map[string]any)
		}
		p3.Extensions[CollectionFormat] = format
	}
}

// v2Style is the OpenAPI 3 style and explode of a collectionFormat; tsv,
// which has none, is form for kin-openapi's sake, and the importer reads
// the CollectionFormat extension.
func v2Style(format string) (string, *bool) {
	switch format {
	case "ssv":
		return openapi3.SerializationSpaceDelimited, openapi3.Ptr(false)
	case "pipes":
		return openapi3.SerializationPipeDelimited, openapi3.Ptr(false)
	case "multi":
		return openapi3.SerializationForm, openapi3.Ptr(true)
	}
	return openapi3.SerializationForm, openapi3.Ptr(false) // csv, the default
}

// fixV2Body corrects the media types of a converted request body.
func fixV2Body(doc2 *openapi2.T, params openapi2.Parameters, consumes []string, rb *openapi3.RequestBody) {
	var media *openapi3.MediaType
	for _, k := range slices.Sorted(maps.Keys(rb.Content)) {
		if media = rb.Content[k]; media != nil {
			break
		}
	}
	if media == nil {
		return
	}
	var form, file bool
	var arrays []*openapi2.Parameter
	for _, p := range params {
		if p != nil && p.Ref != "" {
			p = doc2.Parameters[strings.TrimPrefix(p.Ref, "#/parameters/")]
		}
		if p == nil {
			continue
		}
		switch {
		case p.In != "formData":
		case p.Type.Is("file"):
			form, file = true, true
		case p.Type.Is("array"):
			form = true
			arrays = append(arrays, p)
		default:
			form = true
		}
	}
	if !form {
		if len(consumes) > 0 {
			return
		}
		ct := "application/json"
		if s := media.Schema; s != nil && s.Value != nil && s.Value.Type.Is("string") && s.Value.Format == "binary" {
			ct = "application/octet-stream"
		}
		rb.Content = openapi3.Content{ct: media}
		return
	}
	ct := "application/x-www-form-urlencoded"
	if file || !slices.Contains(consumes, ct) && slices.Contains(consumes, "multipart/form-data") {
		ct = "multipart/form-data"
	}
	for _, p := range arrays {
		if p.CollectionFormat == "tsv" {
			continue // no style sends it; the default (multi) is closest
		}
		style, explode := v2Style(p.CollectionFormat)
		if media.Encoding == nil {
			media.Encoding = make(map[string]*openapi3.Encoding)
		}
		media.Encoding[p.Name] = &openapi3.Encoding{Style: style, Explode: explode}
	}
	rb.Content = openapi3.Content{ct: media}
}
