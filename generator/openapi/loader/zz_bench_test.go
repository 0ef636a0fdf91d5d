package loader

import (
	"os"
	"testing"
)

func BenchmarkZZLoad(b *testing.B) {
	data, err := os.ReadFile("/tmp/gh/package/generated/api.github.com.json")
	if err != nil {
		b.Skip()
	}
	for b.Loop() {
		Load("api.github.com.json", data, &Options{SkipValidation: true})
	}
}
