// Package names turns spec names into Go names and file names, one way
// everywhere: "get_pet" → GetPet, "get-pet-by-id" → GetPetByID,
// "userURL" → UserURL.
package names

import (
	"go/token"
	"strings"
	"unicode"
)

// initialisms are written in capitals in Go names (golint's list).
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true,
	"EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true,
	"IP": true, "JSON": true, "JWT": true, "LHS": true, "OS": true, "QPS": true, "RAM": true,
	"RHS": true, "RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true,
	"TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true,
	"UUID": true, "URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true,
	"XMPP": true, "XSRF": true, "XSS": true,
}

// Words splits s into words: at any character that is not a letter or
// digit, and at case changes inside a word ("getPetByID" → get, Pet, By,
// ID; "HTTPServer" → HTTP, Server).
func Words(s string) []string {
	var words []string
	for _, field := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		words = append(words, splitCase(field)...)
	}
	return words
}

func splitCase(s string) []string {
	rs := []rune(s)
	var words []string
	start := 0
	for i := 1; i < len(rs); i++ {
		prev, cur := rs[i-1], rs[i]
		var next rune
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case unicode.IsLower(prev) && unicode.IsUpper(cur):
			// getPet: boundary before P.
		case unicode.IsUpper(prev) && unicode.IsUpper(cur) && next != 0 && unicode.IsLower(next):
			// HTTPServer: boundary before S.
		case unicode.IsDigit(prev) && unicode.IsLetter(cur) && unicode.IsUpper(cur):
			// v2Pets: boundary before P.
		default:
			continue
		}
		words = append(words, string(rs[start:i]))
		start = i
	}
	return append(words, string(rs[start:]))
}

// Exported returns the exported Go name for s. Words are capitalised and
// joined; known initialisms are written in capitals ("id" → ID). A name that
// would start with a digit gets the prefix "X" ("2fa_code" → X2faCode), and
// a name with no letters or digits at all becomes "X".
func Exported(s string) string {
	var b strings.Builder
	for _, w := range Words(s) {
		b.WriteString(capitalize(w))
	}
	name := b.String()
	if name == "" {
		return "X"
	}
	if r := []rune(name)[0]; !unicode.IsLetter(r) {
		name = "X" + name
	}
	return name
}

func capitalize(w string) string {
	up := strings.ToUpper(w)
	if initialisms[up] {
		return up
	}
	// Plurals of initialisms: ids → IDs, urls → URLs.
	if base, ok := strings.CutSuffix(up, "S"); ok && len(base) > 1 && initialisms[base] {
		return base + "s"
	}
	rs := []rune(strings.ToLower(w))
	rs[0] = unicode.ToUpper(rs[0])
	// Words that are all capitals in the source and longer than an
	// initialism ("PETS") read better as Pets; mixed words keep their tail
	// lower-cased for the same reason.
	return string(rs)
}

// Unexported returns the unexported Go name for s: like Exported with the
// first word in lower case ("GetPet" → getPet, "ID" → id, "URLPath" →
// urlPath). A Go keyword or predeclared identifier gets a trailing
// underscore ("type" → type_).
func Unexported(s string) string {
	words := Words(s)
	var b strings.Builder
	for i, w := range words {
		if i == 0 {
			b.WriteString(strings.ToLower(w))
			continue
		}
		b.WriteString(capitalize(w))
	}
	name := b.String()
	if name == "" {
		return "x"
	}
	if r := []rune(name)[0]; !unicode.IsLetter(r) {
		name = "x" + name
	}
	if token.Lookup(name).IsKeyword() || predeclared[name] {
		name += "_"
	}
	return name
}

var predeclared = map[string]bool{
	"any": true, "append": true, "bool": true, "byte": true, "cap": true, "clear": true,
	"close": true, "comparable": true, "complex": true, "complex128": true, "complex64": true,
	"copy": true, "delete": true, "error": true, "false": true, "float32": true, "float64": true,
	"imag": true, "int": true, "int16": true, "int32": true, "int64": true, "int8": true,
	"iota": true, "len": true, "make": true, "max": true, "min": true, "new": true, "nil": true,
	"panic": true, "print": true, "println": true, "real": true, "recover": true, "rune": true,
	"string": true, "true": true, "uint": true, "uint16": true, "uint32": true, "uint64": true,
	"uint8": true, "uintptr": true,
}

// Snake returns s in snake case, for file names: "getPetByID" → get_pet_by_id,
// "Get Pet" → get_pet. Only ASCII letters, digits and '_' remain; the result
// is never empty and never starts with '_' or '.'.
func Snake(s string) string {
	var parts []string
	for _, w := range Words(s) {
		var b strings.Builder
		for _, r := range strings.ToLower(w) {
			if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			parts = append(parts, b.String())
		}
	}
	if len(parts) == 0 {
		return "x"
	}
	return strings.Join(parts, "_")
}
