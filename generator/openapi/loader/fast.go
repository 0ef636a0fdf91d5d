package loader

import (
	"math"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// fastDecode decodes n, the node of one job of section ("paths", or a key of
// componentKinds), into the value runJobs would get from n.Decode: a
// *openapi3.PathItem or the type componentKinds gives the section.
//
// kin-openapi decodes its types by reflection, one yaml.Node.Decode per
// struct, each of which looks up fields by tag, checks them, and collects
// the extensions in further passes over the node; that is most of the CPU
// time of loading a large document. This decodes the same types by hand, in
// one pass, for the documents real descriptions are: well-formed, with plain
// JSON-like scalars.
//
// The value is reflect.DeepEqual to what kin-openapi's decoding gives, or ok
// is false and the caller decodes n with kin-openapi, which then also
// reports whatever is wrong with it. Anything whose exact reading is not
// certain is declined rather than guessed: keys neither declared by the type
// nor extensions (kin-openapi keeps those as extensions too, but declining
// them keeps a field forgotten here from passing for one), a $ref with
// sibling keys (kin-openapi keeps those in unexported fields), aliases, merge
// keys, repeated keys, tags other than the core ones, number spellings other
// than JSON's, values of the wrong kind for a field, nulls where a typed
// value belongs, boolean schemas and OpenAPI 3.2 fields.
//
// refs are the $ref wrappers in value (see linkRefs); resolves reports that
// value holds something only kin-openapi's ResolveRefsIn settles (see
// fastDecoder.resolves).
func fastDecode(section string, n *yaml.Node) (value any, refs []any, resolves, ok bool) {
	d := &fastDecoder{}
	switch section {
	case "paths":
		value = d.pathItem(n)
	case "schemas":
		value = d.schemaRef(n)
	case "parameters":
		value = d.parameterRef(n)
	case "headers":
		value = d.headerRef(n)
	case "requestBodies":
		value = d.requestBodyRef(n)
	case "responses":
		value = d.responseRef(n)
	case "securitySchemes":
		value = d.securitySchemeRef(n)
	case "examples":
		value = d.exampleRef(n)
	case "links":
		value = d.linkRef(n)
	case "callbacks":
		value = d.callbackRef(n)
	default:
		return nil, nil, false, false
	}
	if d.bad {
		return nil, nil, false, false
	}
	return value, d.refs, d.resolves, true
}

// fastDecoder holds the state of one fastDecode. Rather than every function
// returning whether it succeeded, a node it cannot decode exactly sets bad,
// after which the values returned are meaningless and the decoding winds
// down: loops stop at the next entry.
type fastDecoder struct {
	bad   bool
	depth int // of schemas and of values decoded into any, nested
	// refs are the $ref wrappers decoded (*openapi3.SchemaRef,
	// *openapi3.ParameterRef…), and the discriminators that map to $refs,
	// for linkRefs.
	refs []any
	// resolves is set by what ResolveRefsIn does more with than resolve
	// the $ref wrappers (and discriminators' mappings to $refs): a path
	// item's $ref, a parameter with both a schema and content (an error).
	resolves bool
}

// record notes r, a $ref wrapper, for linkRefs.
func record[R any](d *fastDecoder, r R) R {
	d.refs = append(d.refs, r)
	return r
}

// maxDecoderDepth bounds how deeply fastDecoder recurses. It is not a limit
// on documents (maxDocumentDepth is): a node nested deeper, which real
// documents never have, is declined and left to kin-openapi, whose result
// the decoder would have to match anyway.
const maxDecoderDepth = 1000

func (d *fastDecoder) fail() { d.bad = true }

func (d *fastDecoder) enter() bool {
	d.depth++
	if d.depth > maxDecoderDepth {
		d.fail()
	}
	return !d.bad
}

func (d *fastDecoder) leave() { d.depth-- }

// tagOf returns the core tag n is decoded by, or "" when it is some other
// tag, or one that does not agree with the node's kind. Only the short
// spellings are taken: kin-openapi's check that a string field holds a
// string compares them as written, and refuses a long one
// ("tag:yaml.org,2002:str") that yaml itself would read. A plain scalar
// without a tag is "" too: yaml resolves it from its text, but every parsed
// tree (yaml's, and jsonParser's) tags its scalars.
func tagOf(n *yaml.Node) string {
	t := n.Tag
	switch t {
	case "!!str", "!!int", "!!float", "!!bool", "!!null":
		if n.Kind == yaml.ScalarNode {
			return t
		}
	case "!!map":
		if n.Kind == yaml.MappingNode {
			return t
		}
	case "!!seq":
		if n.Kind == yaml.SequenceNode {
			return t
		}
	case "":
		switch n.Kind {
		case yaml.MappingNode:
			return "!!map"
		case yaml.SequenceNode:
			return "!!seq"
		case yaml.ScalarNode:
			if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				return "!!str"
			}
		}
	}
	return ""
}

// entries returns the key and value nodes of the mapping n, checking that
// the keys are plain strings and none merges another mapping in. Repeated
// keys are for the caller to refuse; fields does it for a struct.
func (d *fastDecoder) entries(n *yaml.Node) []*yaml.Node {
	if d.bad {
		return nil
	}
	if n.Kind != yaml.MappingNode || tagOf(n) != "!!map" || len(n.Content)%2 != 0 {
		d.fail()
		return nil
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || tagOf(k) != "!!str" || k.Value == "<<" {
			d.fail()
			return nil
		}
	}
	return n.Content
}

// fields is entries for a mapping decoded into a struct, whose keys must be
// distinct: yaml refuses a field set twice.
func (d *fastDecoder) fields(n *yaml.Node) []*yaml.Node {
	c := d.entries(n)
	if d.bad {
		return nil
	}
	if len(c) <= 64 {
		for i := 2; i < len(c); i += 2 {
			for j := 0; j < i; j += 2 {
				if c[i].Value == c[j].Value {
					d.fail()
					return nil
				}
			}
		}
		return c
	}
	seen := make(map[string]struct{}, len(c)/2)
	for i := 0; i < len(c); i += 2 {
		if _, dup := seen[c[i].Value]; dup {
			d.fail()
			return nil
		}
		seen[c[i].Value] = struct{}{}
	}
	return c
}

// extension records the value of key, which must name an extension, in ext,
// as kin-openapi does: decoded into an any, numbers as float64.
func (d *fastDecoder) extension(ext *map[string]any, key string, v *yaml.Node) {
	if !strings.HasPrefix(key, "x-") {
		d.fail()
		return
	}
	if *ext == nil {
		*ext = make(map[string]any)
	}
	(*ext)[key] = d.anyValue(v)
}

// Scalars.

func (d *fastDecoder) str(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || tagOf(n) != "!!str" {
		d.fail()
		return ""
	}
	return n.Value
}

func (d *fastDecoder) strPtr(n *yaml.Node) *string {
	s := d.str(n)
	return &s
}

// boolean reads a !!bool; yaml also reads "yes", "on" and the like written
// as strings into a bool field, which is declined.
func (d *fastDecoder) boolean(n *yaml.Node) bool {
	if n.Kind == yaml.ScalarNode && tagOf(n) == "!!bool" {
		switch n.Value {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
	}
	d.fail()
	return false
}

func (d *fastDecoder) boolPtr(n *yaml.Node) *bool {
	b := d.boolean(n)
	return &b
}

// number is a numeric scalar as yaml resolves it: an int64 (kind 'i'), a
// uint64 too large for one ('u'), or a float64 ('f').
type number struct {
	kind byte
	i    int64
	u    uint64
	f    float64
}

// float is the number as a float64 field or kin-openapi's normalisation of
// an any holds it.
func (x number) float() float64 {
	switch x.kind {
	case 'i':
		return float64(x.i)
	case 'u':
		return float64(x.u)
	}
	return x.f
}

// num resolves an !!int or !!float scalar written in JSON's grammar the way
// yaml's resolver does. Other spellings (hex, octal, underscores, a leading
// plus, .inf) and values out of range are declined.
func (d *fastDecoder) num(n *yaml.Node) number {
	if n.Kind != yaml.ScalarNode {
		d.fail()
		return number{}
	}
	tag := tagOf(n)
	s := n.Value
	isInt, ok := jsonNumber(s)
	if !ok || tag != "!!int" && tag != "!!float" {
		d.fail()
		return number{}
	}
	if tag == "!!int" {
		if !isInt || s == "-0" { // yaml resolves -0 to a float, and then refuses it as an !!int
			d.fail()
			return number{}
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return number{kind: 'i', i: i}
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return number{kind: 'u', u: u}
		}
		d.fail()
		return number{}
	}
	if s == "-0" || s == "-0.0" { // in the resolver's table
		return number{kind: 'f', f: math.Copysign(0, -1)}
	}
	if isInt {
		// yaml tries an integer first, and converts it to the float the tag
		// asks for.
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return number{kind: 'f', f: float64(i)}
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return number{kind: 'f', f: float64(u)}
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		d.fail()
		return number{}
	}
	return number{kind: 'f', f: f}
}

// jsonNumber reports whether s is a number in JSON's grammar, and whether it
// is written as an integer (no fraction, no exponent).
func jsonNumber(s string) (isInt, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false, false
	}
	isInt = true
	if i < len(s) && s[i] == '.' {
		i++
		isInt = false
		if digits() == 0 {
			return false, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		isInt = false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false, false
		}
	}
	return isInt, i == len(s)
}

func (d *fastDecoder) floatPtr(n *yaml.Node) *float64 {
	f := d.num(n).float()
	return &f
}

// unsigned reads a uint64 field. yaml also takes a float with no fraction; one
// of 2^63 or more is declined, its conversion being the platform's.
func (d *fastDecoder) unsigned(n *yaml.Node) uint64 {
	x := d.num(n)
	switch x.kind {
	case 'i':
		if x.i >= 0 {
			return uint64(x.i)
		}
	case 'u':
		return x.u
	case 'f':
		if x.f >= 0 && x.f < 1<<63 && float64(uint64(x.f)) == x.f {
			return uint64(x.f)
		}
	}
	d.fail()
	return 0
}

func (d *fastDecoder) unsignedPtr(n *yaml.Node) *uint64 {
	u := d.unsigned(n)
	return &u
}

// Values of type any.

// anyValue decodes n as yaml decodes it into an any, normalised as
// kin-openapi normalises such values: every number a float64, mappings
// map[string]any (even when empty), sequences []any, nulls nil.
func (d *fastDecoder) anyValue(n *yaml.Node) any {
	if d.bad {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch tagOf(n) {
		case "!!str":
			return n.Value
		case "!!bool":
			return d.boolean(n)
		case "!!null":
			switch n.Value {
			case "", "~", "null", "Null", "NULL":
				return nil
			}
		case "!!int", "!!float":
			return d.num(n).float()
		}
	case yaml.MappingNode:
		return d.anyMap(n)
	case yaml.SequenceNode:
		return d.anyList(n)
	}
	d.fail()
	return nil
}

func (d *fastDecoder) anyMap(n *yaml.Node) map[string]any {
	c := d.entries(n)
	if d.bad || !d.enter() {
		return nil
	}
	defer d.leave()
	m := make(map[string]any, len(c)/2)
	for i := 0; i < len(c) && !d.bad; i += 2 {
		k := c[i].Value
		if _, dup := m[k]; dup {
			d.fail()
			break
		}
		m[k] = d.anyValue(c[i+1])
	}
	return m
}

func (d *fastDecoder) anyList(n *yaml.Node) []any {
	if n.Kind != yaml.SequenceNode || tagOf(n) != "!!seq" || !d.enter() {
		d.fail()
		return nil
	}
	defer d.leave()
	s := make([]any, len(n.Content))
	for i, e := range n.Content {
		if d.bad {
			break
		}
		s[i] = d.anyValue(e)
	}
	return s
}

// Collections.

// decodeMap decodes a mapping into a map, each value with elem. Like yaml,
// it makes the map even when the mapping is empty.
func decodeMap[M ~map[string]V, V any](d *fastDecoder, n *yaml.Node, elem func(*fastDecoder, *yaml.Node) V) M {
	c := d.entries(n)
	if d.bad {
		return nil
	}
	m := make(M, len(c)/2)
	for i := 0; i < len(c) && !d.bad; i += 2 {
		k := c[i].Value
		if _, dup := m[k]; dup {
			d.fail()
			break
		}
		m[k] = elem(d, c[i+1])
	}
	return m
}

// decodeList decodes a sequence into a slice, each element with elem. Like
// yaml, it makes the slice even when the sequence is empty.
func decodeList[S ~[]E, E any](d *fastDecoder, n *yaml.Node, elem func(*fastDecoder, *yaml.Node) E) S {
	if d.bad {
		return nil
	}
	if n.Kind != yaml.SequenceNode || tagOf(n) != "!!seq" {
		d.fail()
		return nil
	}
	s := make(S, len(n.Content))
	for i, e := range n.Content {
		if d.bad {
			break
		}
		s[i] = elem(d, e)
	}
	return s
}

// strList reads a list of strings. A null in it (which kin-openapi keeps as
// "", where yaml drops it) is declined with everything else not a string.
func (d *fastDecoder) strList(n *yaml.Node) []string {
	return decodeList[[]string](d, n, (*fastDecoder).str)
}

// types reads a schema's type: one name, or a list of them.
func (d *fastDecoder) types(n *yaml.Node) *openapi3.Types {
	var t openapi3.Types
	if n.Kind == yaml.ScalarNode {
		t = openapi3.Types{d.str(n)}
	} else {
		t = d.strList(n)
	}
	return &t
}

// References.

// ref reads the reference half of a $ref wrapper, as kin-openapi's
// unmarshalRefYAML does. isRef is false when n has no $ref, and n is the
// value itself. A $ref that is not a non-empty string, or that has sibling
// keys other than the summary and description the wrapper holds (none, for
// a schema), is declined: kin-openapi keeps those where this cannot.
func (d *fastDecoder) ref(n *yaml.Node, summarized bool) (ref string, summary, description *string, isRef bool) {
	c := d.fields(n)
	if d.bad {
		return "", nil, nil, false
	}
	var refNode *yaml.Node
	for i := 0; i < len(c); i += 2 {
		if c[i].Value == "$ref" {
			refNode = c[i+1]
			break
		}
	}
	if refNode == nil {
		return "", nil, nil, false
	}
	if refNode.Kind != yaml.ScalarNode || refNode.Tag != "!!str" || refNode.Value == "" {
		d.fail()
		return "", nil, nil, false
	}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; {
		case k == "$ref":
		case k == "summary" && summarized:
			summary = d.strPtr(v)
		case k == "description" && summarized:
			description = d.strPtr(v)
		default:
			d.fail()
		}
	}
	return refNode.Value, summary, description, true
}

func (d *fastDecoder) schemaRef(n *yaml.Node) *openapi3.SchemaRef {
	ref, _, _, isRef := d.ref(n, false)
	if d.bad {
		return nil
	}
	if isRef {
		return record(d, &openapi3.SchemaRef{Ref: ref})
	}
	return &openapi3.SchemaRef{Value: d.schema(n)}
}

func (d *fastDecoder) parameterRef(n *yaml.Node) *openapi3.ParameterRef {
	ref, summary, description, isRef := d.ref(n, true)
	if d.bad {
		return nil
	}
	if isRef {
		return record(d, &openapi3.ParameterRef{Ref: ref, Summary: summary, Description: description})
	}
	p := &openapi3.Parameter{}
	d.parameter(p, n)
	return &openapi3.ParameterRef{Value: p}
}

func (d *fastDecoder) headerRef(n *yaml.Node) *openapi3.HeaderRef {
	ref, summary, description, isRef := d.ref(n, true)
	if d.bad {
		return nil
	}
	if isRef {
		return record(d, &openapi3.HeaderRef{Ref: ref, Summary: summary, Description: description})
	}
	h := &openapi3.Header{}
	d.parameter(&h.Parameter, n) // as Header.UnmarshalYAML
	return &openapi3.HeaderRef{Value: h}
}

func (d *fastDecoder) requestBodyRef(n *yaml.Node) *openapi3.RequestBodyRef {
	ref, summary, description, isRef := d.ref(n, true)
	if d.bad {
		return nil
	}
	if isRef {
		return record(d, &openapi3.RequestBodyRef{Ref: ref, Summary: summary, Description: description})
	}
	return &openapi3.RequestBodyRef{Value: d.requestBody(n)}
}

func (d *fastDecoder) responseRef(n *yaml.Node) *openapi3.ResponseRef {
	ref, summary, description, isRef := d.ref(n, true)
	if d.bad {
		return nil
	}
	if isRef {
		return record(d, &openapi3.ResponseRef{Ref: ref, Summary: summary, Description: description})
	}
	return &openapi3.ResponseRef{Value: d.response(n)}
}

func (d *fastDecoder) securitySchemeRef(n *yaml.Node) *openapi3.SecuritySchemeRef {
	ref, summary, description, isRef := d.ref(n, true)
	if d.bad {
		return nil
	}
	if isRef {
		return record(d, &openapi3.SecuritySchemeRef{Ref: ref, Summary: summary, Description: description})
	}
	return &openapi3.SecuritySchemeRef{Value: d.securityScheme(n)}
}

func (d *fastDecoder) exampleRef(n *yaml.Node) *openapi3.ExampleRef {
	ref, summary, description, isRef := d.ref(n, true)
	if d.bad {
		return nil
	}
	if isRef {
		return record(d, &openapi3.ExampleRef{Ref: ref, Summary: summary, Description: description})
	}
	return &openapi3.ExampleRef{Value: d.example(n)}
}

func (d *fastDecoder) linkRef(n *yaml.Node) *openapi3.LinkRef {
	ref, summary, description, isRef := d.ref(n, true)
	if d.bad {
		return nil
	}
	if isRef {
		return record(d, &openapi3.LinkRef{Ref: ref, Summary: summary, Description: description})
	}
	return &openapi3.LinkRef{Value: d.link(n)}
}

func (d *fastDecoder) callbackRef(n *yaml.Node) *openapi3.CallbackRef {
	ref, summary, description, isRef := d.ref(n, true)
	if d.bad {
		return nil
	}
	if isRef {
		return record(d, &openapi3.CallbackRef{Ref: ref, Summary: summary, Description: description})
	}
	return &openapi3.CallbackRef{Value: d.callback(n)}
}

// Objects. Each reads the fields its type declares, and x- extensions; with
// no extensions, Extensions stays nil, as kin-openapi leaves it.

func (d *fastDecoder) pathItem(n *yaml.Node) *openapi3.PathItem {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	p := &openapi3.PathItem{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "$ref":
			p.Ref = d.str(v)
			d.resolves = true
		case "summary":
			p.Summary = d.str(v)
		case "description":
			p.Description = d.str(v)
		case "connect":
			p.Connect = d.operation(v)
		case "delete":
			p.Delete = d.operation(v)
		case "get":
			p.Get = d.operation(v)
		case "head":
			p.Head = d.operation(v)
		case "options":
			p.Options = d.operation(v)
		case "patch":
			p.Patch = d.operation(v)
		case "post":
			p.Post = d.operation(v)
		case "put":
			p.Put = d.operation(v)
		case "trace":
			p.Trace = d.operation(v)
		case "servers":
			p.Servers = d.servers(v)
		case "parameters":
			p.Parameters = decodeList[openapi3.Parameters](d, v, (*fastDecoder).parameterRef)
		default: // query and additionalOperations (OpenAPI 3.2) too
			d.extension(&p.Extensions, k, v)
		}
	}
	return p
}

func (d *fastDecoder) operation(n *yaml.Node) *openapi3.Operation {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	o := &openapi3.Operation{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "tags":
			o.Tags = d.strList(v)
		case "summary":
			o.Summary = d.str(v)
		case "description":
			o.Description = d.str(v)
		case "operationId":
			o.OperationID = d.str(v)
		case "parameters":
			o.Parameters = decodeList[openapi3.Parameters](d, v, (*fastDecoder).parameterRef)
		case "requestBody":
			o.RequestBody = d.requestBodyRef(v)
		case "responses":
			// A null (which kin-openapi marks as explicitly null) is not a
			// mapping, and declined.
			o.Responses = d.responses(v)
		case "callbacks":
			o.Callbacks = decodeMap[openapi3.Callbacks](d, v, (*fastDecoder).callbackRef)
		case "deprecated":
			o.Deprecated = d.boolean(v)
		case "security":
			s := decodeList[openapi3.SecurityRequirements](d, v, (*fastDecoder).securityRequirement)
			o.Security = &s
		case "servers":
			s := d.servers(v)
			o.Servers = &s
		case "externalDocs":
			o.ExternalDocs = d.externalDocs(v)
		default:
			d.extension(&o.Extensions, k, v)
		}
	}
	return o
}

func (d *fastDecoder) parameter(p *openapi3.Parameter, n *yaml.Node) {
	c := d.fields(n)
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "name":
			p.Name = d.str(v)
		case "in":
			p.In = d.str(v)
		case "description":
			p.Description = d.str(v)
		case "style":
			p.Style = d.str(v)
		case "explode":
			p.Explode = d.boolPtr(v)
		case "allowEmptyValue":
			p.AllowEmptyValue = d.boolean(v)
		case "allowReserved":
			p.AllowReserved = d.boolean(v)
		case "deprecated":
			p.Deprecated = d.boolean(v)
		case "required":
			p.Required = d.boolean(v)
		case "schema":
			p.Schema = d.schemaRef(v)
		case "example":
			p.Example = d.anyValue(v)
		case "examples":
			p.Examples = decodeMap[openapi3.Examples](d, v, (*fastDecoder).exampleRef)
		case "content":
			p.Content = d.content(v)
		default:
			d.extension(&p.Extensions, k, v)
		}
	}
	d.resolves = d.resolves || p.Schema != nil && p.Content != nil
}

func (d *fastDecoder) requestBody(n *yaml.Node) *openapi3.RequestBody {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	b := &openapi3.RequestBody{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "description":
			b.Description = d.str(v)
		case "required":
			b.Required = d.boolean(v)
		case "content":
			b.Content = d.content(v)
		default:
			d.extension(&b.Extensions, k, v)
		}
	}
	return b
}

// responses reads a Responses as kin-openapi's maplike decoding does: its
// Extensions and its map are made even when empty.
func (d *fastDecoder) responses(n *yaml.Node) *openapi3.Responses {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	r := openapi3.NewResponsesWithCapacity(len(c) / 2)
	r.Extensions = make(map[string]any)
	for i := 0; i < len(c) && !d.bad; i += 2 {
		k, v := c[i].Value, c[i+1]
		if strings.HasPrefix(k, "x-") {
			r.Extensions[k] = d.anyValue(v)
			continue
		}
		r.Set(k, d.responseRef(v))
	}
	return r
}

func (d *fastDecoder) response(n *yaml.Node) *openapi3.Response {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	r := &openapi3.Response{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "description":
			r.Description = d.strPtr(v)
		case "headers":
			r.Headers = decodeMap[openapi3.Headers](d, v, (*fastDecoder).headerRef)
		case "content":
			r.Content = d.content(v)
		case "links":
			r.Links = decodeMap[openapi3.Links](d, v, (*fastDecoder).linkRef)
		default:
			d.extension(&r.Extensions, k, v)
		}
	}
	return r
}

// callback reads a Callback, maplike as Responses is.
func (d *fastDecoder) callback(n *yaml.Node) *openapi3.Callback {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	cb := openapi3.NewCallbackWithCapacity(len(c) / 2)
	cb.Extensions = make(map[string]any)
	for i := 0; i < len(c) && !d.bad; i += 2 {
		k, v := c[i].Value, c[i+1]
		if strings.HasPrefix(k, "x-") {
			cb.Extensions[k] = d.anyValue(v)
			continue
		}
		cb.Set(k, d.pathItem(v))
	}
	return cb
}

func (d *fastDecoder) content(n *yaml.Node) openapi3.Content {
	return decodeMap[openapi3.Content](d, n, (*fastDecoder).mediaType)
}

func (d *fastDecoder) mediaType(n *yaml.Node) *openapi3.MediaType {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	m := &openapi3.MediaType{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "schema":
			m.Schema = d.schemaRef(v)
		case "example":
			m.Example = d.anyValue(v)
		case "examples":
			m.Examples = decodeMap[openapi3.Examples](d, v, (*fastDecoder).exampleRef)
		case "encoding":
			m.Encoding = decodeMap[openapi3.Encodings](d, v, (*fastDecoder).encoding)
		default: // itemSchema (OpenAPI 3.2) too
			d.extension(&m.Extensions, k, v)
		}
	}
	return m
}

func (d *fastDecoder) encoding(n *yaml.Node) *openapi3.Encoding {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	e := &openapi3.Encoding{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "contentType":
			e.ContentType = d.str(v)
		case "headers":
			e.Headers = decodeMap[openapi3.Headers](d, v, (*fastDecoder).headerRef)
		case "style":
			e.Style = d.str(v)
		case "explode":
			e.Explode = d.boolPtr(v)
		case "allowReserved":
			e.AllowReserved = d.boolean(v)
		default:
			d.extension(&e.Extensions, k, v)
		}
	}
	return e
}

func (d *fastDecoder) example(n *yaml.Node) *openapi3.Example {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	e := &openapi3.Example{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "summary":
			e.Summary = d.str(v)
		case "description":
			e.Description = d.str(v)
		case "value":
			e.Value = d.anyValue(v)
		case "externalValue":
			e.ExternalValue = d.str(v)
		default:
			d.extension(&e.Extensions, k, v)
		}
	}
	return e
}

func (d *fastDecoder) link(n *yaml.Node) *openapi3.Link {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	l := &openapi3.Link{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "operationRef":
			l.OperationRef = d.str(v)
		case "operationId":
			l.OperationID = d.str(v)
		case "description":
			l.Description = d.str(v)
		case "parameters":
			l.Parameters = d.anyMap(v)
		case "server":
			l.Server = d.server(v)
		case "requestBody":
			l.RequestBody = d.anyValue(v)
		default:
			d.extension(&l.Extensions, k, v)
		}
	}
	return l
}

func (d *fastDecoder) servers(n *yaml.Node) openapi3.Servers {
	return decodeList[openapi3.Servers](d, n, (*fastDecoder).server)
}

func (d *fastDecoder) server(n *yaml.Node) *openapi3.Server {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	s := &openapi3.Server{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "url":
			s.URL = d.str(v)
		case "description":
			s.Description = d.str(v)
		case "variables":
			s.Variables = decodeMap[openapi3.ServerVariables](d, v, (*fastDecoder).serverVariable)
		default:
			d.extension(&s.Extensions, k, v)
		}
	}
	return s
}

func (d *fastDecoder) serverVariable(n *yaml.Node) *openapi3.ServerVariable {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	s := &openapi3.ServerVariable{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "enum":
			s.Enum = d.strList(v)
		case "default":
			s.Default = d.str(v)
		case "description":
			s.Description = d.str(v)
		default:
			d.extension(&s.Extensions, k, v)
		}
	}
	return s
}

// securityRequirement reads one requirement: scheme names to lists of
// scopes, the map made even when empty.
func (d *fastDecoder) securityRequirement(n *yaml.Node) openapi3.SecurityRequirement {
	return decodeMap[openapi3.SecurityRequirement](d, n, (*fastDecoder).strList)
}

func (d *fastDecoder) externalDocs(n *yaml.Node) *openapi3.ExternalDocs {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	e := &openapi3.ExternalDocs{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "description":
			e.Description = d.str(v)
		case "url":
			e.URL = d.str(v)
		default:
			d.extension(&e.Extensions, k, v)
		}
	}
	return e
}

func (d *fastDecoder) securityScheme(n *yaml.Node) *openapi3.SecurityScheme {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	s := &openapi3.SecurityScheme{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "type":
			s.Type = d.str(v)
		case "description":
			s.Description = d.str(v)
		case "name":
			s.Name = d.str(v)
		case "in":
			s.In = d.str(v)
		case "scheme":
			s.Scheme = d.str(v)
		case "bearerFormat":
			s.BearerFormat = d.str(v)
		case "flows":
			s.Flows = d.oauthFlows(v)
		case "openIdConnectUrl":
			s.OpenIdConnectUrl = d.str(v)
		default:
			d.extension(&s.Extensions, k, v)
		}
	}
	return s
}

func (d *fastDecoder) oauthFlows(n *yaml.Node) *openapi3.OAuthFlows {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	f := &openapi3.OAuthFlows{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "implicit":
			f.Implicit = d.oauthFlow(v)
		case "password":
			f.Password = d.oauthFlow(v)
		case "clientCredentials":
			f.ClientCredentials = d.oauthFlow(v)
		case "authorizationCode":
			f.AuthorizationCode = d.oauthFlow(v)
		default:
			d.extension(&f.Extensions, k, v)
		}
	}
	return f
}

func (d *fastDecoder) oauthFlow(n *yaml.Node) *openapi3.OAuthFlow {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	f := &openapi3.OAuthFlow{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "authorizationUrl":
			f.AuthorizationURL = d.str(v)
		case "tokenUrl":
			f.TokenURL = d.str(v)
		case "refreshUrl":
			f.RefreshURL = d.str(v)
		case "scopes":
			f.Scopes = decodeMap[map[string]string](d, v, (*fastDecoder).str)
		default:
			d.extension(&f.Extensions, k, v)
		}
	}
	return f
}

// Schemas.

func (d *fastDecoder) schemaRefs(n *yaml.Node) openapi3.SchemaRefs {
	return decodeList[openapi3.SchemaRefs](d, n, (*fastDecoder).schemaRef)
}

func (d *fastDecoder) schemas(n *yaml.Node) openapi3.Schemas {
	return decodeMap[openapi3.Schemas](d, n, (*fastDecoder).schemaRef)
}

// schema reads a schema written as a mapping; a boolean schema (OpenAPI
// 3.1) is declined.
func (d *fastDecoder) schema(n *yaml.Node) *openapi3.Schema {
	c := d.fields(n)
	if d.bad || !d.enter() {
		return nil
	}
	defer d.leave()
	s := &openapi3.Schema{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "oneOf":
			s.OneOf = d.schemaRefs(v)
		case "anyOf":
			s.AnyOf = d.schemaRefs(v)
		case "allOf":
			s.AllOf = d.schemaRefs(v)
		case "not":
			s.Not = d.schemaRef(v)
		case "type":
			s.Type = d.types(v)
		case "title":
			s.Title = d.str(v)
		case "format":
			s.Format = d.str(v)
		case "description":
			s.Description = d.str(v)
		case "enum":
			s.Enum = d.anyList(v)
		case "default":
			s.Default = d.anyValue(v)
		case "example":
			s.Example = d.anyValue(v)
		case "externalDocs":
			s.ExternalDocs = d.externalDocs(v)
		case "uniqueItems":
			s.UniqueItems = d.boolean(v)
		case "exclusiveMinimum":
			s.ExclusiveMin = d.exclusiveBound(v)
		case "exclusiveMaximum":
			s.ExclusiveMax = d.exclusiveBound(v)
		case "nullable":
			s.Nullable = d.boolean(v)
		case "readOnly":
			s.ReadOnly = d.boolean(v)
		case "writeOnly":
			s.WriteOnly = d.boolean(v)
		case "allowEmptyValue":
			s.AllowEmptyValue = d.boolean(v)
		case "deprecated":
			s.Deprecated = d.boolean(v)
		case "xml":
			s.XML = d.xml(v)
		case "minimum":
			s.Min = d.floatPtr(v)
		case "maximum":
			s.Max = d.floatPtr(v)
		case "multipleOf":
			s.MultipleOf = d.floatPtr(v)
		case "minLength":
			s.MinLength = d.unsigned(v)
		case "maxLength":
			s.MaxLength = d.unsignedPtr(v)
		case "pattern":
			s.Pattern = d.str(v)
		case "minItems":
			s.MinItems = d.unsigned(v)
		case "maxItems":
			s.MaxItems = d.unsignedPtr(v)
		case "items":
			s.Items = d.schemaRef(v)
		case "required":
			s.Required = d.strList(v)
		case "properties":
			s.Properties = d.schemas(v)
		case "minProperties":
			s.MinProps = d.unsigned(v)
		case "maxProperties":
			s.MaxProps = d.unsignedPtr(v)
		case "additionalProperties":
			s.AdditionalProperties = d.boolSchema(v)
		case "discriminator":
			s.Discriminator = d.discriminator(v)

		// OpenAPI 3.1 keywords whose reading is as plain as the above.
		case "const":
			s.Const = d.anyValue(v)
		case "examples":
			s.Examples = d.anyList(v)
		case "prefixItems":
			s.PrefixItems = d.schemaRefs(v)
		case "contains":
			s.Contains = d.schemaRef(v)
		case "minContains":
			s.MinContains = d.unsignedPtr(v)
		case "maxContains":
			s.MaxContains = d.unsignedPtr(v)
		case "patternProperties":
			s.PatternProperties = d.schemas(v)
		case "dependentSchemas":
			s.DependentSchemas = d.schemas(v)
		case "propertyNames":
			s.PropertyNames = d.schemaRef(v)
		case "unevaluatedItems":
			s.UnevaluatedItems = d.boolSchema(v)
		case "unevaluatedProperties":
			s.UnevaluatedProperties = d.boolSchema(v)
		case "if":
			s.If = d.schemaRef(v)
		case "then":
			s.Then = d.schemaRef(v)
		case "else":
			s.Else = d.schemaRef(v)
		case "dependentRequired":
			s.DependentRequired = decodeMap[map[string][]string](d, v, (*fastDecoder).strList)
		case "$defs":
			s.Defs = d.schemas(v)
		case "$schema":
			s.SchemaDialect = d.str(v)
		case "$comment":
			s.Comment = d.str(v)
		case "$id":
			s.SchemaID = d.str(v)
		case "$anchor":
			s.Anchor = d.str(v)
		case "$dynamicRef":
			s.DynamicRef = d.str(v)
		case "$dynamicAnchor":
			s.DynamicAnchor = d.str(v)
		case "contentMediaType":
			s.ContentMediaType = d.str(v)
		case "contentEncoding":
			s.ContentEncoding = d.str(v)
		case "contentSchema":
			s.ContentSchema = d.schemaRef(v)
		default:
			d.extension(&s.Extensions, k, v)
		}
	}
	return s
}

// boolSchema reads additionalProperties and the like: a !!bool, or a
// schema. Other scalars, which kin-openapi reads as booleans when yaml can,
// are declined.
func (d *fastDecoder) boolSchema(n *yaml.Node) openapi3.BoolSchema {
	if n.Kind == yaml.ScalarNode {
		return openapi3.BoolSchema{Has: d.boolPtr(n)}
	}
	return openapi3.BoolSchema{Schema: d.schemaRef(n)}
}

// exclusiveBound reads exclusiveMinimum or exclusiveMaximum: a bool (OpenAPI
// 3.0) or a number (3.1).
func (d *fastDecoder) exclusiveBound(n *yaml.Node) openapi3.ExclusiveBound {
	if n.Kind == yaml.ScalarNode && tagOf(n) == "!!bool" {
		return openapi3.ExclusiveBound{Bool: d.boolPtr(n)}
	}
	return openapi3.ExclusiveBound{Value: d.floatPtr(n)}
}

func (d *fastDecoder) xml(n *yaml.Node) *openapi3.XML {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	x := &openapi3.XML{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "name":
			x.Name = d.str(v)
		case "namespace":
			x.Namespace = d.str(v)
		case "prefix":
			x.Prefix = d.str(v)
		case "attribute":
			x.Attribute = d.boolean(v)
		case "wrapped":
			x.Wrapped = d.boolean(v)
		default:
			d.extension(&x.Extensions, k, v)
		}
	}
	return x
}

func (d *fastDecoder) discriminator(n *yaml.Node) *openapi3.Discriminator {
	c := d.fields(n)
	if d.bad {
		return nil
	}
	x := &openapi3.Discriminator{}
	for i := 0; i < len(c) && !d.bad; i += 2 {
		switch k, v := c[i].Value, c[i+1]; k {
		case "propertyName":
			x.PropertyName = d.str(v)
		case "mapping":
			// Each a string, which MappingRef's UnmarshalText takes as the
			// $ref.
			mapsRefs := false
			x.Mapping = decodeMap[map[string]openapi3.MappingRef](d, v, func(d *fastDecoder, n *yaml.Node) openapi3.MappingRef {
				ref := d.str(n)
				mapsRefs = mapsRefs || strings.Contains(ref, "/")
				return openapi3.MappingRef{Ref: ref}
			})
			if mapsRefs {
				record(d, x) // ResolveRefsIn resolves its $refs too
			}
		default:
			d.extension(&x.Extensions, k, v)
		}
	}
	return x
}
