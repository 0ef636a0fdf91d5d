package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/gotype"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// fuzzBudget is the work budget of FuzzImportRecursive: small, so that
// the documents that multiply their schemas reach it (an operation may use
// an eighth).
const fuzzBudget = 1_000

// recursiveSpec builds an OpenAPI document from data: up to eight
// components whose schemas combine allOf, anyOf, oneOf, items,
// additionalProperties, not and properties, and refer to one another and
// to themselves (the $refs of AWS-style allOf: [{$ref}, {description}]
// included). Every input makes a valid document; the bytes only choose.
func recursiveSpec(data []byte) []byte {
	g := &specGen{data: data}
	flags := g.next()
	g.n = 1 + int(flags%8)
	schemas := make(map[string]any, g.n)
	for i := range g.n {
		schemas[fmt.Sprintf("C%d", i)] = g.schema(0)
	}
	version := "3.0.3"
	if flags&0x80 != 0 {
		version = "3.1.0"
	}
	body := g.ref(0)
	if flags&0x20 != 0 {
		// The body merges the first component in, rather than referring
		// to it: the merge starts outside any definition.
		body = map[string]any{"allOf": []any{g.ref(0), map[string]any{"type": "object", "properties": map[string]any{"extra": map[string]any{"type": "string"}}}}}
	}
	post := map[string]any{
		"operationId": "post_x",
		"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": body}}},
		"responses": map[string]any{"200": map[string]any{"description": "ok", "content": map[string]any{
			"application/json": map[string]any{"schema": g.ref((g.n - 1) % g.n)},
		}}},
	}
	if flags&0x40 != 0 {
		post["x-mcp"] = map[string]any{"custom": true}
	}
	doc := map[string]any{
		"openapi": version,
		"info":    map[string]any{"title": "t", "version": "1"},
		"servers": []any{map[string]any{"url": "https://x.example.com"}},
		"paths": map[string]any{
			"/x": map[string]any{
				"post": post,
				"get": map[string]any{
					"operationId": "get_x",
					"parameters": []any{map[string]any{"name": "q", "in": "query", "content": map[string]any{
						"application/json": map[string]any{"schema": g.ref(g.n / 2)},
					}}},
					"responses": map[string]any{"200": map[string]any{"description": "ok"}},
				},
			},
		},
		"components": map[string]any{"schemas": schemas},
	}
	out, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return out
}

type specGen struct {
	data []byte
	i, n int
}

func (g *specGen) next() byte {
	if g.i >= len(g.data) {
		return 0
	}
	b := g.data[g.i]
	g.i++
	return b
}

func (g *specGen) ref(i int) map[string]any {
	return map[string]any{"$ref": fmt.Sprintf("#/components/schemas/C%d", i)}
}

// schema is one schema; past a few levels, only references and leaves.
func (g *specGen) schema(depth int) any {
	b := g.next()
	if depth >= 4 {
		if b%2 == 0 {
			return g.ref(int(b/2) % g.n)
		}
		return map[string]any{"type": "string"}
	}
	sub := func() any { return g.schema(depth + 1) }
	list := func() []any {
		l := []any{sub()}
		for range int(g.next() % 3) {
			l = append(l, sub())
		}
		return l
	}
	switch b % 13 {
	case 0:
		return map[string]any{"type": "string"}
	case 1:
		return g.ref(int(b/13) % g.n)
	case 2:
		return map[string]any{"allOf": list()}
	case 3:
		return map[string]any{"anyOf": list()}
	case 4:
		return map[string]any{"oneOf": list()}
	case 5:
		return map[string]any{"type": "array", "items": sub()}
	case 6:
		return map[string]any{"type": "object", "additionalProperties": sub()}
	case 7:
		return map[string]any{"not": sub()}
	case 8:
		props := map[string]any{}
		for i := range 1 + int(g.next()%4) {
			props[fmt.Sprintf("p%d", i)] = sub()
		}
		s := map[string]any{"type": "object", "properties": props}
		if b&0x80 != 0 {
			s["required"] = []any{"p0"}
		}
		if b&0x40 != 0 {
			// Checked against the schema and every definition it
			// reaches: a chain of them costs the square of its length.
			s["default"] = map[string]any{}
		}
		return s
	case 9:
		return map[string]any{"description": "d"}
	case 10:
		// How AWS describes a reference.
		return map[string]any{"allOf": []any{g.ref(int(b/13) % g.n), map[string]any{"description": "d"}}}
	case 11:
		// A merge that adds a property: copies the component in.
		return map[string]any{"allOf": []any{g.ref(int(b/13) % g.n), map[string]any{"type": "object", "properties": map[string]any{"m": sub()}}}}
	default:
		s := map[string]any{"allOf": []any{sub()}, "nullable": true}
		if b&0x80 != 0 {
			s["readOnly"] = true
		}
		return s
	}
}

// fuzzMaxAlloc bounds what one import of FuzzImportRecursive allocates in
// all: its memory bound, as the budget is its bound in time.
const fuzzMaxAlloc = 256 << 20

// FuzzImportRecursive imports documents whose schemas refer to themselves
// and to one another in every way the importer follows (recursiveSpec),
// and holds it to bounds that do not depend on the machine: its work
// stays within the budget, or the result says the budget ran out, and it
// allocates at most fuzzMaxAlloc. It also
// checks that the import is deterministic and that the Go types of the
// tools' arguments can be derived without a panic.
//
//	go test -fuzz FuzzImportRecursive -fuzztime 3m ./generator/openapi
func FuzzImportRecursive(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 8, 1, 2, 10, 0})                          // one component, a property referring to it through allOf
	f.Add([]byte{0x21, 8, 2, 11, 11, 11, 11})                 // two components merging each other
	f.Add([]byte{0x44, 2, 2, 11, 24, 11, 37, 8})              // custom, merges through several components
	f.Add([]byte{0x84, 3, 2, 5, 1, 6, 14, 7, 27})             // 3.1, anyOf, items, additionalProperties, not
	f.Add([]byte{0x60, 8, 2, 11, 11, 8, 2, 11, 11})           // properties that each merge the next
	f.Add([]byte{0x07, 0x49, 0, 1, 0x49, 0, 14, 0x49, 0, 27}) // defaults on components that refer to one another
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 512 {
			t.Skip()
		}
		spec := recursiveSpec(data)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, diags := importSpec(t, spec)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > fuzzMaxAlloc {
			t.Fatalf("the import allocated %d MiB, over %d MiB, for\n%s", n>>20, fuzzMaxAlloc>>20, spec)
		}
		budget := false
		for _, d := range diags {
			budget = budget || isBudget(d)
		}
		if res == nil {
			if !diags.HasErrors() {
				t.Fatalf("no result and no error for\n%s", spec)
			}
			return
		}
		if res.Work > fuzzBudget && !budget {
			t.Fatalf("work %d over the budget of %d, with no word of it, for\n%s", res.Work, fuzzBudget, spec)
		}
		if res.Work > fuzzBudget+len(spec) {
			t.Fatalf("work %d, far over the budget of %d, for\n%s", res.Work, fuzzBudget, spec)
		}
		again, _ := importSpec(t, spec)
		if again == nil || len(again.Tools) != len(res.Tools) || len(again.API.Defs) != len(res.API.Defs) {
			t.Fatalf("two imports differ for\n%s", spec)
		}
		for i, d := range res.API.Defs {
			if !bytes.Equal(d.Schema, again.API.Defs[i].Schema) {
				t.Fatalf("definition %s differs between two imports of\n%s", d.Name, spec)
			}
		}
		for i, tool := range res.Tools {
			if !bytes.Equal(tool.InputSchema, again.Tools[i].InputSchema) || !bytes.Equal(tool.OutputSchema, again.Tools[i].OutputSchema) {
				t.Fatalf("the schemas of %s differ between two imports of\n%s", tool.Name, spec)
			}
			full := res.Full(tool.InputSchema)
			if !json.Valid(full) {
				t.Fatalf("the input schema of %s is not JSON: %s", tool.Name, full)
			}
			// The types of a custom tool's arguments: errors are fine,
			// a panic or a hang is not.
			gotype.Convert("XInput", full, nil)
		}
	})
}

// importSpec imports a document of FuzzImportRecursive.
func importSpec(t *testing.T, spec []byte) (*Result, diag.List) {
	doc, diags := loader.Load("api.json", spec, &loader.Options{SkipValidation: true})
	if doc == nil || diags.HasErrors() {
		if !diags.HasErrors() {
			t.Fatalf("the loader refused, without an error:\n%s", spec)
		}
		return nil, diags
	}
	res, more := Import(doc, &Options{Server: "fuzz", Section: &manifest.OpenAPI{Spec: "api.json"}, MaxWork: fuzzBudget})
	return res, append(diags, more...)
}

// TestRecursiveSpec keeps recursiveSpec's documents loadable: a generator
// that only made documents the loader refuses would fuzz nothing.
func TestRecursiveSpec(t *testing.T) {
	for _, data := range [][]byte{{}, {0, 8, 1, 2, 10, 0}, {0x21, 8, 2, 11, 11, 11, 11}, {0x44, 2, 2, 11, 24, 11, 37, 8}} {
		spec := recursiveSpec(data)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, diags := importSpec(t, spec)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > fuzzMaxAlloc {
			t.Fatalf("the import allocated %d MiB, over %d MiB, for\n%s", n>>20, fuzzMaxAlloc>>20, spec)
		}
		if res == nil {
			t.Errorf("refused:\n%s\n%s", diags.Format(0), spec)
			continue
		}
		if !strings.Contains(string(spec), "#/components/schemas/C0") {
			t.Errorf("no reference in\n%s", spec)
		}
	}
}
