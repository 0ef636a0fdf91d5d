package ratelimit

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// BenchmarkAllow measures a check that is allowed, on one store: one
// caller at a time (the latency a call sees), and many at once for many
// subjects (each call a key of its own among 1024) or for one subject
// whose key they all write.
func BenchmarkAllow(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"memory", func(*testing.B) store.Store { return store.NewMemory() }},
		{"redis", func(b *testing.B) store.Store { return openRedis(b, redistest.Start(b), "bench:") }},
	}
	modes := []struct {
		name     string
		parallel bool
		keys     int
	}{
		{"serial", false, 1024},
		{"parallel-many-keys", true, 1024},
		{"parallel-hot-key", true, 1},
	}
	for _, s := range stores {
		for _, m := range modes {
			b.Run(s.name+"/"+m.name, func(b *testing.B) {
				st := s.open(b)
				defer st.Close()
				// Each call comes a minute after the last, so that none is
				// refused: an allowed check costs a read and a write.
				var tick atomic.Int64
				base := time.Now()
				l := New(st, &Options{Now: func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Minute) }})
				lim := Limit{PerMinute: 60}
				var next, failed atomic.Int64
				check := func() {
					key := "k" + strconv.Itoa(int(next.Add(1)%int64(m.keys)))
					if d, err := l.Allow(context.Background(), key, lim); err != nil || !d.Allowed {
						failed.Add(1)
					}
				}
				b.ReportAllocs()
				if m.parallel {
					b.SetParallelism(4)
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							check()
						}
					})
				} else {
					for b.Loop() {
						check()
					}
				}
				b.ReportMetric(float64(failed.Load())/float64(b.N), "failed/op")
			})
		}
	}
}
