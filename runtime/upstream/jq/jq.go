// Package jq runs the jq programs that reshape an API's answers before a
// tool returns them: the response.select of mcpgen.yaml.
//
// It is a package of its own so that only servers that use a select link
// the jq interpreter (github.com/itchyny/gojq). Generated code compiles
// each program once, when the server starts:
//
//	Budget: &upstream.Budget{Select: jq.MustCompile(`[.[] | {number, title}]`)}
package jq

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/itchyny/gojq"
	segjson "github.com/segmentio/encoding/json"
)

// Program is a compiled jq program. It is safe for concurrent use.
type Program struct {
	src  string
	code *gojq.Code
}

// Compile compiles the jq program src. The program sees no environment
// variables ($ENV and env are empty) and no inputs beyond the answer
// (input and inputs fail).
func Compile(src string) (*Program, error) {
	q, err := gojq.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("jq program %q: %w", src, err)
	}
	code, err := gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil }))
	if err != nil {
		return nil, fmt.Errorf("jq program %q: %w", src, err)
	}
	return &Program{src: src, code: code}, nil
}

// MustCompile is Compile for programs known to compile, such as those
// mcpgen checked when it generated the code: it panics on an error.
func MustCompile(src string) *Program {
	p, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the program's source.
func (p *Program) String() string { return p.src }

// Select runs the program on the JSON text answer and returns what it
// yields as JSON text: the value itself when it yields exactly one, an
// array of them when it yields none or several. Numbers keep their
// precision; object members come out sorted by key.
//
// It fails with the program's own error (error("…"), a type error such as
// indexing a number), when ctx is done before the program is (a program
// that loops forever ends there), or when what it yields comes to more
// than limit bytes.
func (p *Program) Select(ctx context.Context, answer []byte, limit int64) ([]byte, error) {
	// segmentio/encoding, which servers link anyway, decodes faster than
	// encoding/json (docs/performance.md). Numbers stay json.Number, exact,
	// and strings point into answer, which outlives the program's run.
	var v any
	if rest, err := segjson.Parse(answer, &v, segjson.UseNumber|segjson.ZeroCopy); err != nil || len(bytes.TrimSpace(rest)) > 0 {
		if err == nil {
			err = errors.New("more than one JSON value")
		}
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	var out bytes.Buffer
	out.WriteByte('[')
	n := 0
	iter := p.code.RunWithContext(ctx, v)
	for {
		v, ok := iter.Next()
		if !ok {
			break
		}
		if err, ok := v.(error); ok {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				break // halt: the program ends without an error
			}
			if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				return nil, errors.New("the program did not finish in time")
			}
			return nil, err
		}
		b, err := gojq.Marshal(v)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out.WriteByte(',')
		}
		out.Write(b)
		n++
		if int64(out.Len()) > limit {
			return nil, fmt.Errorf("what the program yields is longer than %d bytes", limit)
		}
	}
	data := out.Bytes()
	if n == 1 {
		return data[1:], nil
	}
	return append(data, ']'), nil
}
