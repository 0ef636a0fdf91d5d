package loader

import (
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// BenchmarkGitHub reads GitHub's REST API description (13 MB of JSON, about
// 1,200 operations; `make testdata-github` fetches it) four ways: into an
// any with encoding/json, the floor for reading the text at all; with
// kin-openapi's loader as it comes; and with Load, without and with
// validation. docs/performance.md has the numbers.
func BenchmarkGitHub(b *testing.B) {
	_, data := githubSpec(b)
	b.Run("encoding-json-any", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kin-LoadFromData", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := openapi3.NewLoader().LoadFromData(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, skip := range []bool{true, false} {
		name := "Load"
		if skip {
			name = "Load-novalidate"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if doc, diags := Load("api.github.com.json", data, &Options{SkipValidation: skip}); doc == nil {
					b.Fatal(diags)
				}
			}
		})
	}
}

// BenchmarkPos is the cost of the first position asked for (the index is
// built then: the source parsed again, keeping positions) and of one after.
func BenchmarkPos(b *testing.B) {
	_, data := githubSpec(b)
	doc, diags := Load("api.github.com.json", data, &Options{SkipValidation: true})
	if doc == nil {
		b.Fatal(diags)
	}
	ptr := doc.Operations()[len(doc.Operations())-1].Pointer + "/responses"
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			d := &Document{Path: doc.Path, Source: doc.Source, Version: doc.Version, T: doc.T}
			if d.Pos(ptr).Line == 0 {
				b.Fatal("no position")
			}
		}
	})
	b.Run("next", func(b *testing.B) {
		doc.Pos(ptr) // the index, built
		for b.Loop() {
			if doc.Pos(ptr).Line == 0 {
				b.Fatal("no position")
			}
		}
	})
}
