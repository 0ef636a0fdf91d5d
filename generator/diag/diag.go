// Package diag describes problems found in a user's input: where they are
// (file, line, column and JSON pointer) and what to do about them.
//
// Every stage of the generator reports through a List, so that a user sees
// every problem at once, sorted by position, in one format:
//
//	<path>:<line>:<col>: <json-pointer>: <reason>[; <hint>]
package diag

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Pos is a position in an input file. Line and Col are 1-based; zero means
// unknown, and an unknown part is left out when printed.
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats p as "file:line:col", dropping unknown parts.
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
		if p.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Col))
		}
	}
	return b.String()
}

// Severity tells whether a diagnostic stops generation.
type Severity int

const (
	// Error stops generation: nothing is written.
	Error Severity = iota
	// Warning is reported, and generation goes on.
	Warning
)

// Diagnostic is one problem in the input.
type Diagnostic struct {
	Severity Severity
	Pos      Pos
	// Pointer is an RFC 6901 JSON pointer in URI fragment form ("#/tools/0/name")
	// to the offending node, or empty when the problem concerns the whole file.
	Pointer string
	// Msg is the reason: lowercase, values quoted.
	Msg string
	// Hint, if set, says what to do about it.
	Hint string
}

// String formats d as "<pos>: <pointer>: [warning: ]<reason>[; <hint>]".
func (d Diagnostic) String() string {
	var b strings.Builder
	if s := d.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if d.Pointer != "" {
		b.WriteString(d.Pointer)
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Msg)
	if d.Hint != "" {
		b.WriteString("; ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// List is a set of diagnostics.
type List []Diagnostic

// Add appends an error at pos and pointer.
func (l *List) Add(pos Pos, pointer, format string, args ...any) *Diagnostic {
	*l = append(*l, Diagnostic{Pos: pos, Pointer: pointer, Msg: fmt.Sprintf(format, args...)})
	return &(*l)[len(*l)-1]
}

// Warn appends a warning at pos and pointer.
func (l *List) Warn(pos Pos, pointer, format string, args ...any) *Diagnostic {
	*l = append(*l, Diagnostic{Severity: Warning, Pos: pos, Pointer: pointer, Msg: fmt.Sprintf(format, args...)})
	return &(*l)[len(*l)-1]
}

// HasErrors reports whether l holds at least one Error.
func (l List) HasErrors() bool {
	return slices.ContainsFunc(l, func(d Diagnostic) bool { return d.Severity == Error })
}

// Errors returns the diagnostics of severity Error.
func (l List) Errors() List {
	return slices.DeleteFunc(slices.Clone(l), func(d Diagnostic) bool { return d.Severity != Error })
}

// Warnings returns the diagnostics of severity Warning.
func (l List) Warnings() List {
	return slices.DeleteFunc(slices.Clone(l), func(d Diagnostic) bool { return d.Severity != Warning })
}

// Sort orders l by file, line, column, pointer and message, and drops exact
// duplicates.
func (l *List) Sort() {
	slices.SortStableFunc(*l, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Pointer, b.Pointer),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	*l = slices.Compact(*l)
}

// Format returns l sorted, one diagnostic a line, with at most max lines
// (max <= 0 means all) and a last line saying how many were left out.
func (l List) Format(max int) string {
	s := slices.Clone(l)
	s.Sort()
	var b strings.Builder
	for i, d := range s {
		if max > 0 && i == max {
			fmt.Fprintf(&b, "... and %d more\n", len(s)-max)
			break
		}
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Err returns l as an error when it holds errors, and nil otherwise.
func (l List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return &ListError{List: l}
}

// ListError is the error form of a List that holds errors.
type ListError struct {
	List List
}

// MaxPrinted caps how many diagnostics an error message lists.
const MaxPrinted = 50

func (e *ListError) Error() string {
	return strings.TrimSuffix(e.List.Format(MaxPrinted), "\n")
}

// Pointer builds a JSON pointer in URI fragment form from reference tokens,
// escaping "~" and "/" as RFC 6901 requires and percent-encoding characters
// a URI fragment cannot hold.
func Pointer(tokens ...string) string {
	var b strings.Builder
	b.WriteString("#")
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(EscapeToken(t))
	}
	return b.String()
}

// Append returns the pointer p extended by tokens.
func Append(p string, tokens ...string) string {
	if p == "" {
		p = "#"
	}
	if len(tokens) == 1 {
		return p + "/" + EscapeToken(tokens[0])
	}
	var b strings.Builder
	b.WriteString(p)
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(EscapeToken(t))
	}
	return b.String()
}

// EscapeToken escapes one reference token for a JSON pointer in URI fragment
// form: "~" and "/" as RFC 6901 says, and percent-encoding for the bytes that
// would make a diagnostic ambiguous (controls, space, '%'). Other characters
// stay as they are, so pointers remain readable.
func EscapeToken(t string) string {
	plain := true
	for i := 0; i < len(t) && plain; i++ {
		c := t[i]
		plain = c > ' ' && c != '%' && c != 0x7f && c != '~' && c != '/'
	}
	if plain {
		return t // nearly every token: the checkers build a pointer per node
	}
	t = strings.ReplaceAll(t, "~", "~0")
	t = strings.ReplaceAll(t, "/", "~1")
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c <= ' ' || c == '%' || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// UnescapeToken undoes the RFC 6901 escapes of one reference token: "~1"
// becomes "/" and "~0" becomes "~", in that order, so "~01" is "~1". It
// leaves percent-encoding alone: a token taken from a plain pointer, as
// error messages of JSON Schema libraries print them, has none, and one
// taken from a pointer in URI fragment form is decoded first (Split does).
func UnescapeToken(t string) string {
	if !strings.Contains(t, "~") {
		return t
	}
	return tokenUnescaper.Replace(t)
}

var tokenUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// Split returns the reference tokens of a JSON pointer in URI fragment form
// ("#/a~1b/0", as Pointer builds it) or plain form ("/a~1b/0"), unescaped:
// the inverse of Pointer. A token that is not valid percent-encoding is
// kept as it is, '%' and all.
func Split(p string) []string {
	p = strings.TrimPrefix(p, "#")
	if p == "" {
		return nil
	}
	p = strings.TrimPrefix(p, "/")
	tokens := strings.Split(p, "/")
	for i, t := range tokens {
		if strings.Contains(t, "%") {
			if u, err := url.PathUnescape(t); err == nil {
				t = u
			}
		}
		tokens[i] = UnescapeToken(t)
	}
	return tokens
}

// Suggest returns the candidate closest to s if it is close enough to be a
// typo of it — case, '_' and '-' aside, at most two edits away — for "did
// you mean" hints; "" when none is.
func Suggest(s string, candidates []string) string {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s))
	}
	k := norm(s)
	best, bestDist := "", 3
	for _, c := range candidates {
		if dist := editDistance(k, norm(c)); dist < bestDist && dist < max(len(k), 2) {
			best, bestDist = c, dist
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
// Strings longer than 64 bytes are either equal or far apart: a typo
// hint is not worth quadratic work on them.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
