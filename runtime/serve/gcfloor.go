package serve

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
)

// The garbage collector's heap floor. The go-sdk allocates a fresh
// decoding buffer for every JSON value it reads, several per request, so a
// server's garbage per call is large next to its live heap. Go's own floor
// is a 4 MiB heap: a small server then collects every few calls and spends
// about half its CPU doing so (docs/performance.md, "The garbage
// collector and the heap floor"). A floor lets the heap grow to its size before a collection;
// above it GOGC applies as usual, and GOMEMLIMIT still caps the total.
//
// Go has no setting for a floor, so after every collection gcFloor sets
// the GOGC percentage that puts the next heap goal at the floor, or the
// operator's GOGC when that is larger.
type gcFloor struct {
	floor uint64
	base  int // the GOGC percentage the process started with

	mu      sync.Mutex
	stopped bool
}

// startGCFloor keeps the heap goal at floor bytes or above until stop is
// called, which restores the GOGC the process had. With GOGC=off it does
// nothing: there is no collection to put off.
func startGCFloor(floor uint64) (stop func()) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	base := int(s[0].Value.Uint64())
	if floor == 0 || base <= 0 {
		return func() {}
	}
	g := &gcFloor{floor: floor, base: base}
	g.adjust()
	g.arm()
	return g.stop
}

// arm runs adjust once the next collection has finished: the cleanup of an
// object nothing refers to runs after the cycle that freed it.
func (g *gcFloor) arm() {
	// 16 bytes is past the tiny allocator, which could keep it alive
	// beside other objects.
	runtime.AddCleanup(new([16]byte), func(g *gcFloor) {
		if g.adjust() {
			g.arm()
		}
	}, g)
}

// adjust sets the percentage for the live heap the last collection left,
// and reports whether the floor is still kept.
func (g *gcFloor) adjust() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return false
	}
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/gogc:percent"}}
	metrics.Read(m)
	if p := floorPercent(g.floor, m[0].Value.Uint64(), g.base); uint64(p) != m[1].Value.Uint64() {
		debug.SetGCPercent(p)
	}
	return true
}

func (g *gcFloor) stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.stopped {
		g.stopped = true
		debug.SetGCPercent(g.base)
	}
}

// floorPercent is the least GOGC percentage, and not less than base,
// whose heap goal reaches floor when the last collection left live bytes.
// The goal is the larger of live × (1 + percent/100) and Go's minimum heap,
// which the percentage scales too: 4 MiB × percent/100.
func floorPercent(floor, live uint64, base int) int {
	const minHeap = 4 << 20
	b := uint64(base)
	if max(minHeap*b/100, live*(100+b)/100) >= floor {
		return base
	}
	p := (floor*100 + minHeap - 1) / minHeap // the minimum reaches the floor
	if live > 0 {
		p = min(p, (floor*100+live-1)/live-100) // the live heap's goal does
	}
	return int(min(p, math.MaxInt32))
}

// parseBytes reads a size: a number of bytes, or one with a KiB, MiB or
// GiB suffix, such as 32MiB.
func parseBytes(s string) (uint64, error) {
	num, mult := s, uint64(1)
	for suffix, m := range map[string]uint64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			num, mult = strings.TrimSpace(n), m
			break
		}
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n > math.MaxUint64/mult {
		return 0, fmt.Errorf("not a size: %q", s)
	}
	return n * mult, nil
}
