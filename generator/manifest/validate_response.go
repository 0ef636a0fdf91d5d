package manifest

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/itchyny/gojq"
)

// defaultMaxResponseBytes is the runtime's read limit when the openapi
// section sets none (upstream.DefaultMaxResponseBytes).
const defaultMaxResponseBytes = 1 << 20

// minResultBytes is the smallest maxBytes: a result needs room for an item
// or two of a list, and the note about the rest.
const minResultBytes = 256

// response checks a response budget. readLimit is the most the server
// reads of an answer, which a budget larger than it never sees.
func (v *validator) response(ptr string, r *Response, readLimit int64) {
	if r == nil {
		return
	}
	if r.Select == "" && r.MaxBytes == 0 {
		v.warn(ptr, "empty response has no effect").Hint = "give select, maxBytes or both, or remove it"
	}
	switch {
	case r.MaxBytes == 0:
	case r.MaxBytes < minResultBytes:
		v.add(ptr+"/maxBytes", "maxBytes %d is too small to hold a result and the note about what was left out", r.MaxBytes).Hint = "give at least 256 bytes; 65536 holds a few hundred list items"
	case r.MaxBytes > readLimit:
		v.warn(ptr+"/maxBytes", "maxBytes %d is more than the %d bytes read of an answer: a longer answer is cut before the budget applies, and cut JSON is a tool error", r.MaxBytes, readLimit).Hint = "raise openapi.maxResponseBytes, or lower maxBytes"
	}
	if r.Select != "" {
		if err := CompileSelect(r.Select); err != nil {
			v.add(ptr+"/select", "select does not compile: %v", err).Hint = "write a jq program, such as [.[] | {id, name}]"
		}
	}
}

// CompileSelect compiles a select as the generated server will, and says
// what is wrong with it: for a syntax error, where.
func CompileSelect(src string) error {
	q, err := gojq.Parse(src)
	if err != nil {
		// The offset is just past the token that does not fit: what comes
		// before it says where.
		var perr *gojq.ParseError
		if errors.As(err, &perr) && perr.Token != "" && perr.Offset <= len(src) && strings.HasSuffix(src[:perr.Offset], perr.Token) {
			before := strings.TrimSpace(src[:perr.Offset-len(perr.Token)])
			if n := len(before); n > 40 {
				cut := n - 40
				for cut < n && !utf8.RuneStart(before[cut]) {
					cut++
				}
				before = "…" + before[cut:]
			}
			if before != "" {
				return fmt.Errorf("%v after %q", err, before)
			}
		}
		return err
	}
	_, err = gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil }))
	return err
}
