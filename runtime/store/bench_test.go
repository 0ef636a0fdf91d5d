package store

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
)

// benchBackends are the backends the benchmarks compare; Redis runs in a
// redis-server on loopback that the benchmark starts.
func benchBackends(b *testing.B) []struct {
	name string
	open func(*testing.B) Store
} {
	return []struct {
		name string
		open func(*testing.B) Store
	}{
		{"memory", func(b *testing.B) Store { return NewMemory() }},
		{"bolt", func(b *testing.B) Store {
			s, err := OpenBolt(b.TempDir() + "/bench.db")
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"redis", func(b *testing.B) Store {
			srv := redistest.Start(b)
			s, err := Open(context.Background(), &Config{URL: srv.URL()})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	}
}

// BenchmarkUpdate measures Update with 8 concurrent updaters, on one hot
// key and spread over 1024 keys, and reports how many compare-and-swaps
// lost a race per update (conflicts/op).
func BenchmarkUpdate(b *testing.B) {
	for _, be := range benchBackends(b) {
		for _, keys := range []int{1, 1024} {
			name := be.name + "/hot-key"
			if keys > 1 {
				name = be.name + "/many-keys"
			}
			b.Run(name, func(b *testing.B) {
				s := be.open(b)
				defer s.Close()
				ctx := context.Background()
				incr := func(old []byte, exists bool) ([]byte, error) {
					n, _ := strconv.Atoi(string(old))
					return strconv.AppendInt(nil, int64(n+1), 10), nil
				}
				var conflicts, gaveUp, next atomic.Int64
				b.SetParallelism(4) // 8 updaters on 2 cores
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					var mine int64
					for pb.Next() {
						key := "counter:" + strconv.Itoa(int(next.Add(1)%int64(keys)))
						if _, err := update(ctx, s, key, time.Hour, incr, &mine); err != nil {
							gaveUp.Add(1)
						}
					}
					conflicts.Add(mine)
				})
				b.ReportMetric(float64(conflicts.Load())/float64(b.N), "conflicts/op")
				b.ReportMetric(float64(gaveUp.Load())/float64(b.N), "gaveup/op")
			})
		}
	}
}

// BenchmarkRoundTrip is a Put and a Get of a 256-byte value, one at a
// time: what one store access costs on each backend.
func BenchmarkRoundTrip(b *testing.B) {
	value := make([]byte, 256)
	for _, be := range benchBackends(b) {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			defer s.Close()
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				key := "k" + strconv.Itoa(i%1024)
				i++
				if err := s.Put(ctx, key, value, time.Hour); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Get(ctx, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
