package upstream

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// These helpers read valid JSON text (what json.Compact or a jq program
// wrote) by its bytes, without decoding it: a budget only needs to know
// where values start and end, and a 1 MB answer decoded into Go values
// costs far more than one pass over it.

// skipSpace returns the offset of the first byte at or after i that is not
// JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the offset just past the string that starts at i.
func skipString(data []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(data[i:], '"')
		if j < 0 {
			return len(data)
		}
		i += j
		k := i - 1
		for data[k] == '\\' {
			k--
		}
		i++
		if (i-2-k)%2 == 0 { // an even run of backslashes escapes nothing
			return i
		}
	}
}

// skipValue returns the offset just past the value that starts at i.
func skipValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(data)
	default:
		return skipScalar(data, i)
	}
}

// skipScalar returns the offset just past the number, true, false or null
// that starts at i.
func skipScalar(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ',', ']', '}', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// member is one member of a JSON object: its key, decoded, and where its
// value is.
type member struct {
	key        string
	start, end int
}

// members lists the members of the object data holds, or nil when it holds
// no object.
func members(data []byte) []member {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil
	}
	var out []member
	for i++; ; {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return out
		}
		kend := skipString(data, i)
		key := decodeKey(data[i:kend])
		i = skipSpace(data, kend)
		if i >= len(data) || data[i] != ':' {
			return out
		}
		i = skipSpace(data, i+1)
		if i >= len(data) {
			return out
		}
		end := skipValue(data, i)
		out = append(out, member{key, i, end})
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ',' {
			return out
		}
		i++
	}
}

// decodeKey decodes a JSON string, quotes included.
func decodeKey(s []byte) string {
	if bytes.IndexByte(s, '\\') < 0 && len(s) >= 2 {
		return string(s[1 : len(s)-1])
	}
	var k string
	_ = json.Unmarshal(s, &k)
	return k
}

// countItems counts the items of the array that starts at i.
func countItems(data []byte, i int) int {
	n := 0
	for i = skipSpace(data, i+1); i < len(data) && data[i] != ']'; {
		n++
		i = skipSpace(data, skipValue(data, i))
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return n
}

// jsonArray is where one array and its items are in a JSON text.
type jsonArray struct {
	start, end int   // its '[' and just past its ']'
	first      int   // the start of its first item, -1 when it has none
	ends       []int // just past each item
}

// scanArrays finds every array in data, outer ones before those they hold.
func scanArrays(data []byte) []jsonArray {
	var arrays []jsonArray
	var open []int // the containers open at i: an index in arrays, or -1 for an object
	itemStart := func(i int) {
		if n := len(open); n > 0 && open[n-1] >= 0 && arrays[open[n-1]].first < 0 {
			arrays[open[n-1]].first = i
		}
	}
	itemEnd := func(i int) {
		if n := len(open); n > 0 && open[n-1] >= 0 {
			a := &arrays[open[n-1]]
			a.ends = append(a.ends, i)
		}
	}
	for i := 0; i < len(data); {
		switch c := data[i]; c {
		case '[', '{':
			itemStart(i)
			if c == '[' {
				arrays = append(arrays, jsonArray{start: i, first: -1})
				open = append(open, len(arrays)-1)
			} else {
				open = append(open, -1)
			}
			i++
		case ']', '}':
			if n := len(open); n > 0 {
				if a := open[n-1]; a >= 0 {
					arrays[a].end = i + 1
				}
				open = open[:n-1]
			}
			i++
			itemEnd(i)
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
		default:
			// A string (an object's key or any value) or a scalar: only in
			// an array is it an item.
			var end int
			if c == '"' {
				end = skipString(data, i)
			} else {
				end = skipScalar(data, i)
			}
			itemStart(i)
			itemEnd(end)
			i = end
		}
	}
	return arrays
}

// pathTo is the jq path of the value that starts at target (".items",
// ".[0].labels", "." for the whole).
func pathTo(data []byte, target int) string {
	type level struct {
		array   bool
		index   int
		key     string
		wantKey bool
	}
	var stack []level
	render := func() string {
		var b strings.Builder
		for _, l := range stack {
			switch {
			case l.array:
				b.WriteString("[" + strconv.Itoa(l.index) + "]")
			case isIdent(l.key):
				b.WriteString("." + l.key)
			default:
				b.WriteString("[" + strconv.Quote(l.key) + "]")
			}
		}
		if b.Len() == 0 || b.String()[0] == '[' {
			return "." + b.String()
		}
		return b.String()
	}
	for i := 0; i < len(data); {
		if i == target {
			return render()
		}
		switch c := data[i]; c {
		case '[', '{':
			stack = append(stack, level{array: c == '[', wantKey: c == '{'})
			i++
		case ']', '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			i++
		case ',':
			if n := len(stack); n > 0 {
				if stack[n-1].array {
					stack[n-1].index++
				} else {
					stack[n-1].wantKey = true
				}
			}
			i++
		case '"':
			end := skipString(data, i)
			if n := len(stack); n > 0 && stack[n-1].wantKey {
				stack[n-1].key, stack[n-1].wantKey = decodeKey(data[i:end]), false
			}
			i = end
		case ' ', '\t', '\n', '\r', ':':
			i++
		default:
			i = skipScalar(data, i)
		}
	}
	return "."
}

// isIdent reports whether jq can write .key for key.
func isIdent(key string) bool {
	if key == "" {
		return false
	}
	for i, r := range key {
		switch {
		case r == '_', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case '0' <= r && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
