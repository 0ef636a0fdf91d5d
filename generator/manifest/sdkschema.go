package manifest

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/jsonschema-go/jsonschema"
)

// DecodeSDKSchema decodes raw into a jsonschema-go Schema, as the MCP SDK
// does when a tool is added: the result is what
//
//	var s jsonschema.Schema
//	err := json.Unmarshal(raw, &s)
//
// gives, or nil and that error when it fails.
//
// jsonschema-go's Schema.UnmarshalJSON reads each schema object twice, into
// a struct (which calls UnmarshalJSON again on the bytes of every schema
// inside) and into a map of the whole object, for the keywords it does not
// know (Extra): the time it takes grows with the square of how deeply the
// schemas nest, and the schemas checked here, one large schema whose
// properties are hundreds of parts among them, spend most of theirs there.
// This reads the JSON once and builds the Schema tree as it goes, by the
// library's rules: true is the empty schema and false {"not": {}}; "type"
// is Type when a string and Types when a list, "items" Items or ItemsArray,
// and the entries of "dependencies" go to DependencySchemas or, when lists,
// DependencyStrings; the integer keywords (minLength…) take an integral
// number, 2.0 too, but not 1e2; "const" is a pointer, to nil for null;
// "default" keeps its JSON as written; every other key goes to Extra, with
// the values encoding/json decodes into any.
//
// The value is reflect.DeepEqual to the library's, or the input is handed
// to json.Unmarshal whole, which then also reports whatever is wrong with
// it. Anything whose exact reading is not certain is declined rather than
// guessed: keys that match a keyword only when case is ignored
// (encoding/json reads those into the keyword's field, and the library
// keeps them in Extra too), repeated keys, values of the wrong kind for a
// keyword, nulls where a schema or a typed value belongs, numbers
// strconv.ParseFloat refuses, integer keywords with exponents or fractions,
// strings with invalid UTF-8 or lone surrogates, nesting deeper than
// SDKMaxDepth (which the SDK refuses, and the callers check first), and
// anything that is not JSON. The generator's own schemas
// have none of these.
//
// exact leaves all of it to json.Unmarshal, for the generator's Exact
// option, which checks this reading against the library's.
func DecodeSDKSchema(raw []byte, exact bool) (*jsonschema.Schema, error) {
	if !exact {
		if s, ok := fastSDKSchema(raw); ok {
			return s, nil
		}
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// fastSDKSchema decodes raw as DecodeSDKSchema does, or reports that it
// cannot be sure to.
func fastSDKSchema(raw []byte) (*jsonschema.Schema, bool) {
	d := &sdkDecoder{data: raw}
	s := d.schema()
	d.space()
	if d.bad || d.pos != len(d.data) {
		return nil, false
	}
	return s, true
}

// sdkKeywords are the keys Schema.UnmarshalJSON reads into Schema's fields
// rather than Extra: the JSON names of the fields, and "type", "items" and
// "dependencies", which it reads itself. A test holds the list to the
// library's struct.
var sdkKeywords = []string{
	"$id", "$schema", "$ref", "$comment", "$defs", "definitions",
	"$anchor", "$dynamicAnchor", "$dynamicRef", "$vocabulary",
	"title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
	"type", "enum", "const",
	"multipleOf", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
	"minLength", "maxLength", "pattern",
	"prefixItems", "items", "minItems", "maxItems", "additionalItems", "uniqueItems",
	"contains", "minContains", "maxContains", "unevaluatedItems",
	"minProperties", "maxProperties", "required", "dependentRequired", "dependencies",
	"properties", "patternProperties", "additionalProperties", "propertyNames", "unevaluatedProperties",
	"allOf", "anyOf", "oneOf", "not",
	"if", "then", "else", "dependentSchemas",
	"contentEncoding", "contentMediaType", "contentSchema",
	"format",
}

// sdkDecoder holds the state of one fastSDKSchema. Rather than every
// function returning whether it succeeded, input it cannot decode exactly
// sets bad, after which the values returned are meaningless and the
// decoding winds down: loops stop at the next entry.
type sdkDecoder struct {
	data  []byte
	pos   int // of the next byte to read
	depth int // of the objects and lists being read
	bad   bool
}

func (d *sdkDecoder) fail() { d.bad = true }

// space skips JSON's whitespace.
func (d *sdkDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end of the
// input or once bad (a 0 in the input is never valid there either).
func (d *sdkDecoder) peek() byte {
	d.space()
	if d.bad || d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// literal reads word (true, false, null), which peek found the start of.
func (d *sdkDecoder) literal(word string) {
	end := d.pos + len(word)
	if end > len(d.data) || string(d.data[d.pos:end]) != word {
		d.fail()
		return
	}
	d.pos = end
}

// object reads an object, calling entry with each key, at its value, which
// entry reads.
func (d *sdkDecoder) object(entry func(key string)) {
	if d.peek() != '{' {
		d.fail()
		return
	}
	d.pos++
	if d.enter(); d.peek() == '}' {
		d.pos++
		d.depth--
		return
	}
	for !d.bad {
		if d.peek() != '"' {
			d.fail()
			break
		}
		key := d.str()
		if d.peek() != ':' {
			d.fail()
			break
		}
		d.pos++
		entry(key)
		if c := d.peek(); c == '}' {
			d.pos++
			break
		} else if c != ',' {
			d.fail()
		}
		d.pos++
	}
	d.depth--
}

// array reads a list, calling elem at each element, which elem reads.
func (d *sdkDecoder) array(elem func()) {
	if d.peek() != '[' {
		d.fail()
		return
	}
	d.pos++
	if d.enter(); d.peek() == ']' {
		d.pos++
		d.depth--
		return
	}
	for !d.bad {
		elem()
		if c := d.peek(); c == ']' {
			d.pos++
			break
		} else if c != ',' {
			d.fail()
		}
		d.pos++
	}
	d.depth--
}

// enter counts one more level of nesting, and fails past SDKMaxDepth.
func (d *sdkDecoder) enter() {
	if d.depth++; d.depth > SDKMaxDepth {
		d.fail()
	}
}

// schema reads a schema: an object, or a boolean.
func (d *sdkDecoder) schema() *jsonschema.Schema {
	switch d.peek() {
	case 't':
		d.literal("true")
		return &jsonschema.Schema{}
	case 'f':
		// jsonschema-go's falseSchema().
		d.literal("false")
		return &jsonschema.Schema{Not: &jsonschema.Schema{}}
	case '{':
	default:
		d.fail()
		return nil
	}
	s := &jsonschema.Schema{}
	var buf [8]string
	seen := buf[:0] // the keywords read, to refuse repeated ones
	d.object(func(key string) {
		if !d.keyword(s, key) {
			d.extra(s, key)
			return
		}
		if slices.Contains(seen, key) {
			d.fail()
		}
		seen = append(seen, key)
	})
	return s
}

// keyword reads the value of key into its field of s, if key is one of
// sdkKeywords, and reports whether it is.
func (d *sdkDecoder) keyword(s *jsonschema.Schema, key string) bool {
	switch key {
	// core
	case "$id":
		s.ID = d.string()
	case "$schema":
		s.Schema = d.string()
	case "$ref":
		s.Ref = d.string()
	case "$comment":
		s.Comment = d.string()
	case "$defs":
		s.Defs = d.schemaMap()
	case "definitions":
		s.Definitions = d.schemaMap()
	case "$anchor":
		s.Anchor = d.string()
	case "$dynamicAnchor":
		s.DynamicAnchor = d.string()
	case "$dynamicRef":
		s.DynamicRef = d.string()
	case "$vocabulary":
		s.Vocabulary = d.boolMap()

	// metadata
	case "title":
		s.Title = d.string()
	case "description":
		s.Description = d.string()
	case "default":
		s.Default = d.raw()
	case "deprecated":
		s.Deprecated = d.bool()
	case "readOnly":
		s.ReadOnly = d.bool()
	case "writeOnly":
		s.WriteOnly = d.bool()
	case "examples":
		s.Examples = d.list()

	// validation
	case "type":
		if d.peek() == '[' {
			s.Types = d.strings()
		} else {
			s.Type = d.string()
		}
	case "enum":
		s.Enum = d.list()
	case "const":
		v := d.value() // nil for null: a pointer to nil
		s.Const = &v
	case "multipleOf":
		s.MultipleOf = d.number()
	case "minimum":
		s.Minimum = d.number()
	case "maximum":
		s.Maximum = d.number()
	case "exclusiveMinimum":
		s.ExclusiveMinimum = d.number()
	case "exclusiveMaximum":
		s.ExclusiveMaximum = d.number()
	case "minLength":
		s.MinLength = d.integer()
	case "maxLength":
		s.MaxLength = d.integer()
	case "pattern":
		s.Pattern = d.string()

	// arrays
	case "prefixItems":
		s.PrefixItems = d.schemaList()
	case "items":
		if d.peek() == '[' {
			s.ItemsArray = d.schemaList()
		} else {
			s.Items = d.schema()
		}
	case "minItems":
		s.MinItems = d.integer()
	case "maxItems":
		s.MaxItems = d.integer()
	case "additionalItems":
		s.AdditionalItems = d.schema()
	case "uniqueItems":
		s.UniqueItems = d.bool()
	case "contains":
		s.Contains = d.schema()
	case "minContains":
		s.MinContains = d.integer()
	case "maxContains":
		s.MaxContains = d.integer()
	case "unevaluatedItems":
		s.UnevaluatedItems = d.schema()

	// objects
	case "minProperties":
		s.MinProperties = d.integer()
	case "maxProperties":
		s.MaxProperties = d.integer()
	case "required":
		s.Required = d.strings()
	case "dependentRequired":
		s.DependentRequired = d.stringsMap()
	case "dependencies":
		d.dependencies(s)
	case "properties":
		s.Properties = d.schemaMap()
	case "patternProperties":
		s.PatternProperties = d.schemaMap()
	case "additionalProperties":
		s.AdditionalProperties = d.schema()
	case "propertyNames":
		s.PropertyNames = d.schema()
	case "unevaluatedProperties":
		s.UnevaluatedProperties = d.schema()

	// logic
	case "allOf":
		s.AllOf = d.schemaList()
	case "anyOf":
		s.AnyOf = d.schemaList()
	case "oneOf":
		s.OneOf = d.schemaList()
	case "not":
		s.Not = d.schema()

	// conditional
	case "if":
		s.If = d.schema()
	case "then":
		s.Then = d.schema()
	case "else":
		s.Else = d.schema()
	case "dependentSchemas":
		s.DependentSchemas = d.schemaMap()

	// other
	case "contentEncoding":
		s.ContentEncoding = d.string()
	case "contentMediaType":
		s.ContentMediaType = d.string()
	case "contentSchema":
		s.ContentSchema = d.schema()
	case "format":
		s.Format = d.string()

	default:
		return false
	}
	return true
}

// extra reads the value of key, not a keyword, into s.Extra. A key that is
// a keyword but for case is declined: encoding/json matches field names
// regardless of case, so the library reads it into the keyword's field
// (unless the keyword itself comes after it) and keeps it in Extra too.
func (d *sdkDecoder) extra(s *jsonschema.Schema, key string) {
	if keywordButCase(key) {
		d.fail()
		return
	}
	if _, dup := s.Extra[key]; dup {
		d.fail()
		return
	}
	v := d.value()
	if s.Extra == nil {
		s.Extra = make(map[string]any)
	}
	s.Extra[key] = v
}

// sdkKeywordsLower are sdkKeywords in lower case.
var sdkKeywordsLower = func() map[string]bool {
	m := make(map[string]bool, len(sdkKeywords))
	for _, k := range sdkKeywords {
		m[strings.ToLower(k)] = true
	}
	return m
}()

// keywordButCase reports whether key, not a keyword, is one when case is
// ignored as encoding/json ignores it (strings.EqualFold). The keywords are
// ASCII, which an ASCII key matches in lower case; but some letters beyond
// ASCII fold to ASCII ones (ſ to s, K to k).
func keywordButCase(key string) bool {
	for i := range len(key) {
		if key[i] >= utf8.RuneSelf {
			return slices.ContainsFunc(sdkKeywords, func(k string) bool { return strings.EqualFold(key, k) })
		}
	}
	return sdkKeywordsLower[strings.ToLower(key)]
}

// dependencies reads draft-07's "dependencies": each entry a list of
// property names, or a schema.
func (d *sdkDecoder) dependencies(s *jsonschema.Schema) {
	d.object(func(key string) {
		_, dupSchema := s.DependencySchemas[key]
		_, dupStrings := s.DependencyStrings[key]
		if dupSchema || dupStrings {
			d.fail()
			return
		}
		if d.peek() == '[' {
			if s.DependencyStrings == nil {
				s.DependencyStrings = make(map[string][]string)
			}
			s.DependencyStrings[key] = d.strings()
			return
		}
		if s.DependencySchemas == nil {
			s.DependencySchemas = make(map[string]*jsonschema.Schema)
		}
		s.DependencySchemas[key] = d.schema()
	})
}

// schemaMap reads an object of schemas.
func (d *sdkDecoder) schemaMap() map[string]*jsonschema.Schema {
	m := make(map[string]*jsonschema.Schema)
	d.object(func(key string) {
		if _, dup := m[key]; dup {
			d.fail()
			return
		}
		m[key] = d.schema()
	})
	return m
}

// schemaList reads a list of schemas.
func (d *sdkDecoder) schemaList() []*jsonschema.Schema {
	list := make([]*jsonschema.Schema, 0)
	d.array(func() { list = append(list, d.schema()) })
	return list
}

// strings reads a list of strings.
func (d *sdkDecoder) strings() []string {
	list := make([]string, 0)
	d.array(func() { list = append(list, d.string()) })
	return list
}

// stringsMap reads an object of lists of strings.
func (d *sdkDecoder) stringsMap() map[string][]string {
	m := make(map[string][]string)
	d.object(func(key string) {
		if _, dup := m[key]; dup {
			d.fail()
			return
		}
		m[key] = d.strings()
	})
	return m
}

// boolMap reads an object of booleans.
func (d *sdkDecoder) boolMap() map[string]bool {
	m := make(map[string]bool)
	d.object(func(key string) {
		if _, dup := m[key]; dup {
			d.fail()
			return
		}
		m[key] = d.bool()
	})
	return m
}

// list reads a list of any values.
func (d *sdkDecoder) list() []any {
	list := make([]any, 0)
	d.array(func() { list = append(list, d.value()) })
	return list
}

// raw reads a value and returns its JSON as written, as json.RawMessage
// keeps it. The value is decoded all the same: the library also decodes it
// into any, for Extra, and fails on a number out of float64's range.
func (d *sdkDecoder) raw() json.RawMessage {
	d.space()
	start := d.pos
	d.value()
	if d.bad {
		return nil
	}
	return bytes.Clone(d.data[start:d.pos])
}

// value reads a value as encoding/json decodes it into any: maps, lists,
// strings, float64s, booleans and nil.
func (d *sdkDecoder) value() any {
	switch c := d.peek(); {
	case c == '{':
		m := make(map[string]any)
		d.object(func(key string) {
			if _, dup := m[key]; dup {
				d.fail()
				return
			}
			m[key] = d.value()
		})
		return m
	case c == '[':
		return d.list()
	case c == '"':
		return d.str()
	case c == 't':
		d.literal("true")
		return true
	case c == 'f':
		d.literal("false")
		return false
	case c == 'n':
		d.literal("null")
		return nil
	case c == '-' || '0' <= c && c <= '9':
		return d.float()
	}
	d.fail()
	return nil
}

// bool reads a boolean.
func (d *sdkDecoder) bool() bool {
	switch d.peek() {
	case 't':
		d.literal("true")
		return true
	case 'f':
		d.literal("false")
		return false
	}
	d.fail()
	return false
}

// string reads a string.
func (d *sdkDecoder) string() string {
	if d.peek() != '"' {
		d.fail()
		return ""
	}
	return d.str()
}

// str reads the string that starts at d.pos, unescaped as encoding/json
// does. Invalid UTF-8, which encoding/json replaces by U+FFFD, and escaped
// surrogates that are not a pair are declined.
func (d *sdkDecoder) str() string {
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return string(d.data[start:i])
		case c == '\\' || c >= utf8.RuneSelf:
			return d.escaped(start, i)
		case c < ' ':
			d.fail()
			return ""
		}
	}
	d.fail()
	return ""
}

// escaped reads the rest of the string that starts at start, from i, the
// first escape or byte past ASCII.
func (d *sdkDecoder) escaped(start, i int) string {
	b := make([]byte, 0, len(d.data[start:i])+16)
	b = append(b, d.data[start:i]...)
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(b)
		case c < ' ':
			d.fail()
			return ""
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && n == 1 {
				d.fail()
				return ""
			}
			b = append(b, d.data[i:i+n]...)
			i += n
			continue
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(d.data) {
			d.fail()
			return ""
		}
		switch e := d.data[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := d.hex4(i + 2)
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 >= len(d.data) || d.data[i] != '\\' || d.data[i+1] != 'u' {
					d.fail()
					return ""
				}
				r = utf16.DecodeRune(r, d.hex4(i+2))
				i += 6
				if r == utf8.RuneError {
					d.fail()
					return ""
				}
			}
			if d.bad {
				return ""
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			d.fail()
			return ""
		}
		i += 2
	}
	d.fail()
	return ""
}

// hex4 returns the rune spelled by the four hex digits at i.
func (d *sdkDecoder) hex4(i int) rune {
	if i+4 > len(d.data) {
		d.fail()
		return 0
	}
	var r rune
	for _, c := range d.data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			d.fail()
			return 0
		}
		r = r<<4 | rune(c)
	}
	return r
}

// numberText reads a number spelled as JSON allows, and returns its text,
// and whether it has a fraction or an exponent.
func (d *sdkDecoder) numberText() (text []byte, integral bool) {
	if d.peek() == 0 {
		d.fail()
		return nil, false
	}
	data, start := d.data, d.pos
	i := start
	digits := func() bool {
		j := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return i > j
	}
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case !digits():
		d.fail()
		return nil, false
	}
	integral = true
	if i < len(data) && data[i] == '.' {
		i++
		integral = false
		if !digits() {
			d.fail()
			return nil, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		integral = false
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			d.fail()
			return nil, false
		}
	}
	d.pos = i
	return data[start:i], integral
}

// float reads a number as encoding/json decodes it into a float64.
func (d *sdkDecoder) float() float64 {
	text, integral := d.numberText()
	if d.bad {
		return 0
	}
	// Most numbers are small integers, which a float64 holds exactly;
	// but -0 is a float64 of its own.
	if integral && len(text) <= 15 && text[0] != '-' {
		var n int64
		for _, c := range text {
			n = n*10 + int64(c-'0')
		}
		return float64(n)
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		d.fail()
	}
	return f
}

// number reads a number for a float64 keyword (minimum…).
func (d *sdkDecoder) number() *float64 {
	f := d.float()
	return &f
}

// integer reads the value of an integer keyword (minLength…) as the
// library's integer type does: a number with a decimal point must be
// integral, one without is read by strconv.ParseInt (which refuses an
// exponent), and both must fit in an int32.
func (d *sdkDecoder) integer() *int {
	text, _ := d.numberText()
	if d.bad {
		return nil
	}
	var f float64
	var err error
	if bytes.IndexByte(text, '.') >= 0 {
		f, err = strconv.ParseFloat(string(text), 64)
		if f != math.Trunc(f) {
			err = strconv.ErrSyntax // "not an integer value"
		}
	} else {
		var n int64
		n, err = strconv.ParseInt(string(text), 10, 64)
		f = float64(n)
	}
	if err != nil || f < math.MinInt32 || f > math.MaxInt32 {
		d.fail()
		return nil
	}
	n := int(f)
	return &n
}
