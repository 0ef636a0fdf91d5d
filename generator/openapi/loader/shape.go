package loader

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// A document whose structure kin-openapi cannot decode (a number where the
// servers list belongs, say) makes its decoders fail with messages in terms
// of Go types. shapeCheck finds the node instead: it walks the document's
// node tree against the Go types kin-openapi decodes it into, by reflection
// on their json tags, and stops at the first node whose kind (mapping, list,
// string, number, boolean) does not fit the type at that place, which gives
// the node's JSON pointer and, from the type, what the specification expects
// there. The same walk, for Swagger 2.0, finds the keys that differ from a
// field name only by case: encoding/json would take them for the field.

// shapeMismatch is a node whose kind does not fit the object model.
type shapeMismatch struct {
	tokens  []string
	node    *yaml.Node
	key     *yaml.Node // the key the node is the value of, if any
	subject string     // "servers", "item 0 of parameters"
	want    string     // "a list of server objects"
}

func (m *shapeMismatch) reason() string {
	return fmt.Sprintf("%s must be %s, not %s", m.subject, m.want, kindName(m.node))
}

// hint suggests quoting a scalar written where a string belongs.
func (m *shapeMismatch) hint() string {
	if m.node.Kind == yaml.ScalarNode && m.want == "a string" {
		return fmt.Sprintf("write it in quotes: %q", m.node.Value)
	}
	return ""
}

// caseKey is a key of an object that is no field of it, but differs from
// one only by case.
type caseKey struct {
	parent *yaml.Node
	key    *yaml.Node
	tokens []string
	field  string
}

type shapeChecker struct {
	swagger  bool // the Swagger 2.0 model, decoded with encoding/json
	findCase bool // collect caseKeys
	first    *shapeMismatch
	caseKeys []caseKey
	tokens   []string
	seen     map[seenKey]bool // alias targets checked, by type
}

type seenKey struct {
	n *yaml.Node
	t reflect.Type
}

// shapeCheck walks root, the top level of a document, against the Swagger
// 2.0 or the OpenAPI 3 model.
func shapeCheck(root *yaml.Node, swagger, findCase bool) *shapeChecker {
	c := &shapeChecker{swagger: swagger, findCase: findCase}
	t := reflect.TypeFor[openapi3.T]()
	if swagger {
		t = reflect.TypeFor[openapi2.T]()
	}
	c.check(root, nil, t, "the document", 0)
	return c
}

var (
	typesType          = reflect.TypeFor[openapi3.Types]()
	boolSchemaType     = reflect.TypeFor[openapi3.BoolSchema]()
	exclusiveBoundType = reflect.TypeFor[openapi3.ExclusiveBound]()
	schemaType         = reflect.TypeFor[openapi3.Schema]()
	schemaRefType      = reflect.TypeFor[openapi3.SchemaRef]()
	textUnmarshaler    = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// maxMergeDepth bounds how many merge keys ("<<") deep pairs follows
// mappings merged into mappings, so that merges that loop through aliases
// end. It bounds chains of merges, not the nesting of the document.
const maxMergeDepth = 64

func (c *shapeChecker) mismatch(n, key *yaml.Node, subject string, t reflect.Type) {
	if c.first == nil {
		c.first = &shapeMismatch{tokens: append([]string(nil), c.tokens...), node: n, key: key, subject: subject, want: article(noun(t, c.swagger))}
	}
}

// check checks the node n, the value of key (or an item of a list), against
// the type t.
func (c *shapeChecker) check(n, key *yaml.Node, t reflect.Type, subject string, depth int) {
	if c.first != nil && !c.findCase {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		if c.seen == nil {
			c.seen = make(map[seenKey]bool)
		}
		k := seenKey{n.Alias, t}
		if c.seen[k] {
			return
		}
		c.seen[k] = true
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // null decodes into anything, as nothing
	}
	scalar := func(tags ...string) {
		if n.Kind != yaml.ScalarNode || !hasTag(n, tags) {
			c.mismatch(n, key, subject, t)
		}
	}
	switch {
	case t == typesType:
		if n.Kind == yaml.SequenceNode {
			c.items(n, t.Elem(), subject, depth)
			return
		}
		scalar("!!str")
		return
	case t == boolSchemaType:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
			return
		}
		c.check(n, key, schemaRefType, subject, depth)
		return
	case t == exclusiveBoundType:
		if n.Kind == yaml.ScalarNode {
			scalar("!!bool", "!!int", "!!float")
		}
		return
	case t == schemaType && n.Kind == yaml.ScalarNode && n.Tag == "!!bool":
		return // a boolean schema
	case t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(textUnmarshaler):
		scalar("!!str")
		return
	}
	switch t.Kind() {
	case reflect.Interface:
	case reflect.String:
		scalar("!!str")
	case reflect.Bool:
		scalar("!!bool")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		scalar("!!int")
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		scalar("!!int")
		if c.first == nil && strings.HasPrefix(n.Value, "-") {
			c.mismatch(n, key, subject, t)
		}
	case reflect.Float32, reflect.Float64:
		scalar("!!int", "!!float")
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			c.mismatch(n, key, subject, t)
			return
		}
		c.items(n, t.Elem(), subject, depth)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.mismatch(n, key, subject, t)
			return
		}
		c.entries(n, t.Elem(), false, subject, depth)
	case reflect.Struct:
		info := structOf(t)
		switch {
		case info.value != nil: // a $ref or a value
			if n.Kind == yaml.MappingNode {
				if ref := lookup(n, "$ref"); ref != nil && ref.Kind == yaml.ScalarNode && ref.Tag == "!!str" && ref.Value != "" {
					return
				}
			}
			c.check(n, key, info.value, subject, depth)
		case info.entries != nil: // a map with extensions
			if n.Kind != yaml.MappingNode {
				c.mismatch(n, key, subject, t)
				return
			}
			c.entries(n, info.entries, true, subject, depth)
		default:
			if n.Kind != yaml.MappingNode {
				c.mismatch(n, key, subject, t)
				return
			}
			c.fields(n, info, depth)
		}
	}
}

func hasTag(n *yaml.Node, tags []string) bool {
	for _, t := range tags {
		if n.Tag == t {
			return true
		}
	}
	return false
}

func (c *shapeChecker) items(n *yaml.Node, elem reflect.Type, subject string, depth int) {
	for i, item := range n.Content {
		c.tokens = append(c.tokens, strconv.Itoa(i))
		c.check(item, nil, elem, fmt.Sprintf("item %d of %s", i, lastWord(subject)), depth)
		c.tokens = c.tokens[:len(c.tokens)-1]
	}
}

func (c *shapeChecker) entries(n *yaml.Node, elem reflect.Type, extensions bool, subject string, depth int) {
	c.pairs(n, depth, func(k, v *yaml.Node) {
		if extensions && strings.HasPrefix(k.Value, "x-") {
			return
		}
		c.tokens = append(c.tokens, k.Value)
		c.check(v, k, elem, fmt.Sprintf("entry %q of %s", k.Value, lastWord(subject)), depth)
		c.tokens = c.tokens[:len(c.tokens)-1]
	})
}

func (c *shapeChecker) fields(n *yaml.Node, info *structInfo, depth int) {
	c.pairs(n, depth, func(k, v *yaml.Node) {
		if f, ok := info.fields[k.Value]; ok {
			c.tokens = append(c.tokens, k.Value)
			c.check(v, k, f, k.Value, depth)
			c.tokens = c.tokens[:len(c.tokens)-1]
			return
		}
		if c.findCase && !strings.HasPrefix(k.Value, "x-") {
			if name, ok := info.folded[strings.ToLower(k.Value)]; ok {
				c.caseKeys = append(c.caseKeys, caseKey{parent: n, key: k, tokens: append(append([]string(nil), c.tokens...), k.Value), field: name})
			}
		}
	})
}

// pairs calls fn with each key and value of the mapping n, those merged into
// it with "<<" too.
func (c *shapeChecker) pairs(n *yaml.Node, depth int, fn func(k, v *yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !isMergeKey(k) {
			if k.Kind == yaml.ScalarNode {
				fn(k, v)
			}
			continue
		}
		if depth >= maxMergeDepth {
			continue
		}
		merged := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			merged = v.Content
		}
		for _, m := range merged {
			if m.Kind == yaml.AliasNode && m.Alias != nil {
				m = m.Alias
			}
			if m.Kind == yaml.MappingNode {
				c.pairs(m, depth+1, fn)
			}
		}
	}
}

// lastWord shortens "item 0 of parameters" to "parameters", so that
// subjects stay short however deep the node.
func lastWord(subject string) string {
	if i := strings.LastIndex(subject, " of "); i >= 0 {
		return subject[i+4:]
	}
	return subject
}

// structInfo is what the walk needs of a struct type of the model.
type structInfo struct {
	fields map[string]reflect.Type // by key
	folded map[string]string       // key by lower case
	value  reflect.Type            // a $ref wrapper: the type of its Value
	// entries is the element type of a map with extensions (Paths,
	// Responses, Callback): its m field.
	entries reflect.Type
}

var structInfos sync.Map // reflect.Type -> *structInfo

func structOf(t reflect.Type) *structInfo {
	if v, ok := structInfos.Load(t); ok {
		return v.(*structInfo)
	}
	info := &structInfo{fields: make(map[string]reflect.Type), folded: make(map[string]string)}
	if ref, ok := t.FieldByName("Ref"); ok && ref.Type.Kind() == reflect.String && ref.Tag.Get("json") == "" {
		if v, ok := t.FieldByName("Value"); ok && v.Type.Kind() == reflect.Pointer {
			info.value = v.Type.Elem()
		}
	}
	if m, ok := t.FieldByName("m"); ok && m.Type.Kind() == reflect.Map {
		info.entries = m.Type.Elem()
	}
	addFields(info, t)
	structInfos.Store(t, info)
	return info
}

func addFields(info *structInfo, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(info, ft)
			}
			continue
		}
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		info.fields[name] = f.Type
		info.folded[strings.ToLower(name)] = name
	}
}

// noun says what a value of type t is, in the specification's words,
// without an article: "list of server objects".
func noun(t reflect.Type, swagger bool) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == typesType:
		if swagger {
			return "string" // a list of types is OpenAPI 3.1's
		}
		return "string or list of strings"
	case t == boolSchemaType:
		return "boolean or schema"
	case t == exclusiveBoundType:
		return "boolean or number"
	case t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(textUnmarshaler):
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "list of " + plural(noun(t.Elem(), swagger))
	case reflect.Map:
		return "mapping of " + plural(noun(t.Elem(), swagger))
	case reflect.Struct:
		info := structOf(t)
		if info.value != nil {
			return noun(info.value, swagger)
		}
		return objectName(t, swagger)
	}
	return "value"
}

// objectName names the object a struct type of the model is.
func objectName(t reflect.Type, swagger bool) string {
	switch name := t.Name(); name {
	case "T":
		if swagger {
			return "Swagger object"
		}
		return "OpenAPI object"
	case "Schema":
		return "schema"
	case "ExternalDocs":
		return "external documentation object"
	case "OAuthFlows":
		return "OAuth flows object"
	case "OAuthFlow":
		return "OAuth flow object"
	case "XML":
		return "XML object"
	default:
		var b strings.Builder
		for i, r := range name {
			if unicode.IsUpper(r) && i > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(unicode.ToLower(r))
		}
		return b.String() + " object"
	}
}

// plural makes a noun of noun plural: "lists of strings", "server objects".
func plural(noun string) string {
	parts := strings.Split(noun, " or ")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, "list of "):
			parts[i] = "lists of " + p[len("list of "):]
		case strings.HasPrefix(p, "mapping of "):
			parts[i] = "mappings of " + p[len("mapping of "):]
		default:
			parts[i] = p + "s"
		}
	}
	return strings.Join(parts, " or ")
}

// article puts an article before each alternative of noun: "a string or a
// list of strings".
func article(noun string) string {
	parts := strings.Split(noun, " or ")
	for i, p := range parts {
		if strings.HasPrefix(p, "XML") || strings.IndexByte("aeiouAEIOU", p[0]) >= 0 {
			parts[i] = "an " + p
		} else {
			parts[i] = "a " + p
		}
	}
	return strings.Join(parts, " or ")
}
