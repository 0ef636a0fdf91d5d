package requeststate

import (
	"testing"

	"github.com/mcpgen/mcpgen/runtime/store"
)

func BenchmarkSealOpen(b *testing.B) {
	payload := []byte(`{"repo_id":"R_kgDOAbCdEf","step":2}`)
	for _, bc := range []struct {
		name string
		opts SealOptions
	}{
		{"reusable", SealOptions{}},
		{"single-use", SealOptions{SingleUse: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := New(newKeys(b, 1), store.NewMemory(), nil)
			var size int
			b.ReportAllocs()
			for b.Loop() {
				s, err := c.Seal(ctx, call, payload, bc.opts)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Open(ctx, s, call); err != nil {
					b.Fatal(err)
				}
				size = len(s)
			}
			b.ReportMetric(float64(size), "chars/state")
		})
	}
}
