// Package names turns names from a spec (tool names, JSON property names,
// enum values) into Go identifiers and file names, the same way everywhere:
//
//	get_pet        → GetPet
//	get-pet-by-id  → GetPetByID
//	userURL        → UserURL
//	user_ids       → UserIDs
//
// A name is split into words at every character that is not a letter or a
// digit and at case changes ("getPetByID" → get, Pet, By, ID). Each word is
// capitalised, except that the fixed initialisms below are written in
// capitals. The functions are pure and deterministic; different inputs may
// map to the same name ("get-pet" and "get_pet" both give GetPet), so
// callers that need distinct names must check for collisions and report
// them.
package names

import (
	"go/token"
	"strings"
	"unicode"
)

// initialisms are the words written in capitals in Go names: golint's
// list, fixed so that a generator upgrade never renames user-visible code.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true,
	"DNS": true, "EOF": true, "GUID": true, "HTML": true, "HTTP": true,
	"HTTPS": true, "ID": true, "IP": true, "JSON": true, "LHS": true,
	"QPS": true, "RAM": true, "RHS": true, "RPC": true, "SLA": true,
	"SMTP": true, "SQL": true, "SSH": true, "TCP": true, "TLS": true,
	"TTL": true, "UDP": true, "UI": true, "UID": true, "UUID": true,
	"URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true,
	"XMPP": true, "XSRF": true, "XSS": true,
}

// Exported returns the exported Go identifier for s.
//
// Letters and digits are kept, including non-ASCII ones that Go accepts in
// identifiers ("café_menu" → CaféMenu); every other character separates
// words ("a.b" → AB). Known initialisms are written in capitals, also in
// the plural ("ids" → IDs); other words are capitalised with the rest in
// lower case ("PETS" → Pets).
//
// When the result would not be an exported identifier, it gets the prefix
// "X": a leading digit ("2fa_code" → X2faCode) or a first letter with no
// upper case ("名前" → X名前). A name with no letters or digits at all
// ("", "___") becomes "X".
func Exported(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		b.WriteString(capitalize(w))
	}
	name := b.String()
	if !token.IsExported(name) {
		name = "X" + name
	}
	return name
}

// Append returns prefix followed by the words of s, capitalised as Exported
// does: Append("CalculateInputOperation", "add") →
// CalculateInputOperationAdd. It is for names derived from another, such as
// enum constants. Because prefix already starts the identifier, no "X" is
// needed before a leading digit: Append("Resolution", "1080p") →
// Resolution1080p. When s has no letters or digits, Append adds "X".
//
// prefix must be an exported identifier for the result to be one.
func Append(prefix, s string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, w := range words(s) {
		b.WriteString(capitalize(w))
	}
	if b.Len() == len(prefix) {
		b.WriteString("X")
	}
	return b.String()
}

// Unexported returns the unexported Go identifier for s: like Exported,
// with the first word in lower case ("GetPet" → getPet, "ID" → id,
// "URLPath" → urlPath).
//
// A name that would start with a digit, or with a capital that has no
// lower case, gets the prefix "x" ("2fa" → x2fa, "ϓ" → xϓ), and a name
// with no letters or digits becomes "x". A name that is a Go
// keyword or a predeclared identifier, or init or main (which mean
// something at package level), gets a trailing underscore: "type" → type_,
// "string" → string_.
func Unexported(s string) string {
	var b strings.Builder
	for i, w := range words(s) {
		if i == 0 {
			b.WriteString(strings.ToLower(w))
			continue
		}
		b.WriteString(capitalize(w))
	}
	name := b.String()
	if name == "" || !unicode.IsLetter([]rune(name)[0]) || token.IsExported(name) {
		name = "x" + name
	}
	if token.IsKeyword(name) || reserved[name] {
		name += "_"
	}
	return name
}

// reserved are the predeclared identifiers of Go, and the package-level
// names with a special meaning. Shadowing them compiles, but confuses.
var reserved = map[string]bool{
	"any": true, "append": true, "bool": true, "byte": true, "cap": true,
	"clear": true, "close": true, "comparable": true, "complex": true,
	"complex128": true, "complex64": true, "copy": true, "delete": true,
	"error": true, "false": true, "float32": true, "float64": true,
	"imag": true, "init": true, "int": true, "int16": true, "int32": true,
	"int64": true, "int8": true, "iota": true, "len": true, "main": true,
	"make": true, "max": true, "min": true, "new": true, "nil": true,
	"panic": true, "print": true, "println": true, "real": true,
	"recover": true, "rune": true, "string": true, "true": true,
	"uint": true, "uint16": true, "uint32": true, "uint64": true,
	"uint8": true, "uintptr": true,
}

// Snake returns s in lower snake case, for file names: "getPetByID" →
// get_pet_by_id, "get-pet" and "Get Pet" → get_pet.
//
// Only letters and ASCII digits remain, so the result is a valid file name
// in a Go module on every platform and, being lower case, cannot clash on a
// case-insensitive file system with another result. It is never empty
// (a name with no letters or digits becomes "x") and never starts with '_'
// or '.'. Callers add a suffix such as "_tool.go"; a bare result might end
// in a GOOS or GOARCH name ("linux") that the go tool treats as a build
// constraint.
func Snake(s string) string {
	var parts []string
	for _, w := range words(s) {
		w = strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) && r > unicode.MaxASCII {
				return -1
			}
			return unicode.ToLower(r)
		}, w)
		if w != "" {
			parts = append(parts, w)
		}
	}
	if len(parts) == 0 {
		return "x"
	}
	return strings.Join(parts, "_")
}

// words splits s at every character that is not a letter or digit, and at
// case changes inside a run of letters and digits.
func words(s string) []string {
	var out []string
	for _, field := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		out = append(out, splitCase(field)...)
	}
	return out
}

// splitCase splits a run of letters and digits at case changes:
// "getPet" → get, Pet; "HTTPServer" → HTTP, Server; "v2Pets" → v2, Pets.
// A plural initialism stays whole: "userIDs" → user, IDs.
func splitCase(s string) []string {
	rs := []rune(s)
	lower := func(i int) bool { return i < len(rs) && unicode.IsLower(rs[i]) }
	var out []string
	start := 0
	for i := 1; i < len(rs); i++ {
		prev, cur := rs[i-1], rs[i]
		switch {
		case unicode.IsLower(prev) && unicode.IsUpper(cur):
			// getPet: a word starts at P.
		case unicode.IsDigit(prev) && unicode.IsUpper(cur):
			// v2Pets: a word starts at P.
		case unicode.IsUpper(prev) && unicode.IsUpper(cur) && lower(i+1):
			// HTTPServer: the capitals before "er" end at P, and a word
			// starts at S. But in "IDs" or "URLsList" the lower-case
			// letter is the plural of an initialism, not a new word.
			if rs[i+1] == 's' && !lower(i+2) && initialisms[strings.ToUpper(string(rs[start:i+1]))] {
				continue
			}
		default:
			continue
		}
		out = append(out, string(rs[start:i]))
		start = i
	}
	return append(out, string(rs[start:]))
}

// capitalize writes one word for the middle of a Go name: an initialism
// (or its plural) in capitals, anything else with a capital first letter
// and the rest in lower case.
func capitalize(w string) string {
	up := strings.ToUpper(w)
	if initialisms[up] {
		return up
	}
	if base, ok := strings.CutSuffix(w, "s"); ok && initialisms[strings.ToUpper(base)] {
		return strings.ToUpper(base) + "s"
	}
	if base, ok := strings.CutSuffix(w, "S"); ok && initialisms[strings.ToUpper(base)] {
		return strings.ToUpper(base) + "s"
	}
	rs := []rune(strings.ToLower(w))
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}
