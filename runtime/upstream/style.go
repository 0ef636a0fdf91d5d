package upstream

// This file serializes parameters as the OpenAPI Parameter Object defines
// it (OpenAPI 3.1.2, "Style Values" and "Style Examples", which follow RFC
// 6570 URI templates).
//
// Where the specification leaves a case undefined, the choices are:
//   - Object members are sent in the order of their names: a JSON object
//     has no order, and a Go map keeps none.
//   - Arrays and objects nested in an array or object are sent as their
//     JSON text (RFC 6570 stops at one level).
//   - spaceDelimited and pipeDelimited with explode, or with a primitive
//     value, are sent as form would send them.
//   - tabDelimited, which OpenAPI 3 does not have, is Swagger 2.0's
//     collectionFormat tsv: spaceDelimited with tabs.
//   - In the path and in headers, where OpenAPI 3 has no delimited
//     styles, spaceDelimited, pipeDelimited and tabDelimited are Swagger
//     2.0's collectionFormats ssv, pipes and tsv: the items joined by the
//     delimiter, which the path percent-encodes as it does the items.
//   - deepObject nests: {"a": {"b": 1}} is color[a][b]=1, and an array
//     member repeats the name with [] (color[a][]=1&color[a][]=2), the
//     convention of Rails, PHP and qs. A value that is not an object is
//     sent as form would send it.
//   - Cookies follow form, but separate name=value pairs with "; " as
//     cookies require (OpenAPI 3.1.2 Appendix D).
//   - An empty array or object is undefined, as in RFC 6570: the parameter
//     is not sent (in the path, where it must be, it is an error).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// pathValue is the expansion of a path parameter, escaped.
func pathValue(p *Param, v any) (string, error) {
	if p.JSON {
		s, err := jsonText(v)
		return escape(s), err
	}
	items, obj, err := split(v)
	if err != nil {
		return "", fmt.Errorf("argument %q: %v", argName(p), err)
	}
	if len(items) == 0 {
		return "", fmt.Errorf("argument %q is empty, but the path needs a value", argName(p))
	}
	name := escape(p.Name)
	switch p.Style {
	case "", "simple":
		return joinValues(items, obj, p.Explode, ",", escape), nil
	case "spaceDelimited", "pipeDelimited", "tabDelimited":
		return joinValues(items, obj, false, escape(delimiters[p.Style]), escape), nil
	case "label":
		sep := ","
		if p.Explode {
			sep = "."
		}
		return "." + joinValues(items, obj, p.Explode, sep, escape), nil
	case "matrix":
		var b strings.Builder
		switch {
		case isPrimitive(v):
			writeMatrix(&b, name, escape(items[0]))
		case !p.Explode:
			writeMatrix(&b, name, joinValues(items, obj, false, ",", escape))
		case obj:
			for i := 0; i < len(items); i += 2 {
				writeMatrix(&b, escape(items[i]), escape(items[i+1]))
			}
		default:
			for _, it := range items {
				writeMatrix(&b, name, escape(it))
			}
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("parameter %q: style %q is not a path style", p.Name, p.Style)
}

// writeMatrix writes ;name=value, or ;name for an empty value (RFC 6570's
// rule for the ";" operator).
func writeMatrix(b *strings.Builder, name, value string) {
	b.WriteByte(';')
	b.WriteString(name)
	if value != "" {
		b.WriteByte('=')
		b.WriteString(value)
	}
}

// appendQuery appends the name=value pairs of a query parameter.
func appendQuery(q []string, p *Param, v any) ([]string, error) {
	enc := escape
	if p.AllowReserved {
		enc = escapeReserved
	}
	if p.JSON {
		s, err := jsonText(v)
		return append(q, escape(p.Name)+"="+enc(s)), err
	}
	pairs, err := styled(p.Name, p.Style, p.Explode, v, escape, enc)
	if err != nil {
		return q, fmt.Errorf("argument %q: %v", argName(p), err)
	}
	for _, kv := range pairs {
		q = append(q, kv[0]+"="+kv[1])
	}
	return q, nil
}

// styled serializes a value as a query parameter called name of the given
// style: the name=value pairs it makes, names encoded with encName and
// values with enc. Form bodies use it too, with their own encoding (and
// multipart bodies with none), so separators that are not commas are
// encoded the same way.
func styled(name, style string, explode bool, v any, encName, enc func(string) string) ([][2]string, error) {
	items, obj, err := split(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, nil // undefined
	}
	n := encName(name)
	primitive := isPrimitive(v)
	switch style {
	case "spaceDelimited", "pipeDelimited", "tabDelimited":
		if explode || primitive {
			break
		}
		return [][2]string{{n, joinValues(items, obj, false, enc(delimiters[style]), enc)}}, nil
	case "deepObject":
		if m, ok := v.(map[string]any); ok {
			return appendDeep(nil, n, m, enc)
		}
	case "", "form":
	default:
		return nil, fmt.Errorf("style %q is not a query style", style)
	}
	// form
	var out [][2]string
	switch {
	case primitive || !explode:
		out = append(out, [2]string{n, joinValues(items, obj, false, ",", enc)})
	case obj:
		for i := 0; i < len(items); i += 2 {
			out = append(out, [2]string{enc(items[i]), enc(items[i+1])})
		}
	default:
		for _, it := range items {
			out = append(out, [2]string{n, enc(it)})
		}
	}
	return out, nil
}

// delimiters are the separators of the delimited styles.
var delimiters = map[string]string{"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}

// appendDeep appends the pairs of a deepObject parameter: prefix[key]=value.
func appendDeep(q [][2]string, prefix string, m map[string]any, enc func(string) string) ([][2]string, error) {
	open, close := enc("["), enc("]")
	for _, k := range sortedKeys(m) {
		key := prefix + open + enc(k) + close
		switch v := m[k].(type) {
		case nil:
		case map[string]any:
			var err error
			if q, err = appendDeep(q, key, v, enc); err != nil {
				return q, err
			}
		case []any:
			for _, it := range v {
				s, err := itemText(it)
				if err != nil {
					return q, err
				}
				q = append(q, [2]string{key + open + close, enc(s)})
			}
		default:
			s, err := itemText(v)
			if err != nil {
				return q, err
			}
			q = append(q, [2]string{key, enc(s)})
		}
	}
	return q, nil
}

// reservedHeaders are the header parameters OpenAPI says to ignore: the
// client sets them itself.
var reservedHeaders = []string{"Accept", "Content-Type", "Authorization"}

// setHeader sets a header parameter, style simple (or delimited, for a
// Swagger 2.0 array). Header values are not percent-encoded; they must not
// hold control characters.
func setHeader(h http.Header, p *Param, v any) error {
	if slices.ContainsFunc(reservedHeaders, func(s string) bool { return strings.EqualFold(s, p.Name) }) {
		return nil
	}
	var s string
	if p.JSON {
		var err error
		if s, err = jsonText(v); err != nil {
			return err
		}
	} else {
		items, obj, err := split(v)
		if err != nil {
			return fmt.Errorf("argument %q: %v", argName(p), err)
		}
		if len(items) == 0 {
			return nil // undefined
		}
		sep, explode := ",", p.Explode
		if d, ok := delimiters[p.Style]; ok {
			sep, explode = d, false
		}
		s = joinValues(items, obj, explode, sep, func(s string) string { return s })
	}
	for _, r := range s {
		if r < ' ' && r != '\t' || r == 0x7f {
			return fmt.Errorf("argument %q cannot be sent in the %s header: it holds a control character", argName(p), p.Name)
		}
	}
	h.Add(p.Name, s)
	return nil
}

// appendCookie appends the name=value pairs of a cookie parameter, style
// form.
func appendCookie(c []string, p *Param, v any) ([]string, error) {
	name := escape(p.Name)
	if p.JSON {
		s, err := jsonText(v)
		return append(c, name+"="+escape(s)), err
	}
	items, obj, err := split(v)
	if err != nil {
		return c, fmt.Errorf("argument %q: %v", argName(p), err)
	}
	switch {
	case len(items) == 0:
		return c, nil // undefined
	case isPrimitive(v):
		return append(c, name+"="+escape(items[0])), nil
	case !p.Explode:
		return append(c, name+"="+joinValues(items, obj, false, ",", escape)), nil
	case obj:
		for i := 0; i < len(items); i += 2 {
			c = append(c, escape(items[i])+"="+escape(items[i+1]))
		}
	default:
		for _, it := range items {
			c = append(c, name+"="+escape(it))
		}
	}
	return c, nil
}

// split flattens a value for serialization: a primitive is one item; an
// array is its items; an object is its names and values, alternating, in
// the order of the names (obj is then true). Nested arrays and objects
// are JSON text. An empty array or object gives an empty, non-nil slice.
func split(v any) (items []string, obj bool, err error) {
	switch v := v.(type) {
	case []any:
		items = make([]string, 0, len(v))
		for _, it := range v {
			s, err := itemText(it)
			if err != nil {
				return nil, false, err
			}
			items = append(items, s)
		}
		return items, false, nil
	case map[string]any:
		items = make([]string, 0, 2*len(v))
		for _, k := range sortedKeys(v) {
			s, err := itemText(v[k])
			if err != nil {
				return nil, false, err
			}
			items = append(items, k, s)
		}
		return items, true, nil
	}
	s, err := itemText(v)
	return []string{s}, false, err
}

func isPrimitive(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return false
	}
	return true
}

// joinValues joins the items of split with sep, each encoded with enc.
// The members of an object are name=value when explode is set, and
// name<sep>value otherwise, as in every style's table row.
func joinValues(items []string, obj, explode bool, sep string, enc func(string) string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			if obj && explode && i%2 == 1 {
				b.WriteByte('=')
			} else {
				b.WriteString(sep)
			}
		}
		b.WriteString(enc(it))
	}
	return b.String()
}

// itemText is the text of a value inside a parameter: a primitive as
// itself, null as empty, anything else as its JSON.
func itemText(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return formatFloat(v), nil
	case json.Number:
		return v.String(), nil
	}
	return jsonText(v)
}

// formatFloat formats a number as encoding/json does.
func formatFloat(f float64) string {
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// 1e-07 is 1e-7 in JSON.
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// jsonText is v as compact JSON, with <, > and & left as they are.
func jsonText(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// normalize returns v as encoding/json decodes JSON into an any: nil,
// bool, float64 (or json.Number), string, []any or map[string]any. Other
// Go values, from callers that build arguments by hand, go through JSON.
func normalize(v any) (any, error) {
	if isDecoded(v) {
		return v, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	err = dec.Decode(&out)
	return out, err
}

func isDecoded(v any) bool {
	switch v := v.(type) {
	case nil, bool, float64, json.Number, string:
		return true
	case []any:
		for _, it := range v {
			if !isDecoded(it) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, it := range v {
			if !isDecoded(it) {
				return false
			}
		}
		return true
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// escape percent-encodes every byte outside RFC 3986's unreserved set,
// as RFC 6570's simple expansion does.
func escape(s string) string {
	return percentEncode(s, false)
}

// escapeReserved is RFC 6570's reserved expansion, for allowReserved
// query parameters: reserved characters and percent-encoded triples stay
// as they are. The exceptions are the characters that would change the
// query's structure: #, [ and ], which no query may hold, and &, = and +,
// which form encoding gives a meaning.
func escapeReserved(s string) string {
	return percentEncode(s, true)
}

func percentEncode(s string, reserved bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keep(s, i, reserved) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep(s, i, reserved) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

// keep reports whether s[i] stays as it is.
func keep(s string, i int, reserved bool) bool {
	c := s[i]
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '-', c == '.', c == '_', c == '~':
		return true
	case !reserved:
		return false
	case c == '%':
		return i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
	}
	return strings.IndexByte(":/?@!$'()*,;", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// escapeLiteral escapes the literal text of a path template: what a path
// may hold stays, anything else is percent-encoded.
func escapeLiteral(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep(s, i, false) || strings.IndexByte("/:@!$&'()*+,;=", c) >= 0 ||
			c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
