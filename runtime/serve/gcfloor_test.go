package serve

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestFloorPercent(t *testing.T) {
	const MiB = 1 << 20
	for _, tc := range []struct {
		floor, live uint64
		base, want  int
	}{
		{32 * MiB, 0, 100, 800},        // before the first collection: Go's minimum, scaled
		{32 * MiB, 1 * MiB, 100, 800},  // a small live heap: the minimum still decides
		{32 * MiB, 10 * MiB, 100, 220}, // the live heap's goal reaches the floor first
		{32 * MiB, 20 * MiB, 100, 100}, // GOGC's own goal is past the floor
		{32 * MiB, 1 * MiB, 1000, 1000},
		{4 * MiB, 1 * MiB, 100, 100}, // no floor above Go's own
	} {
		if got := floorPercent(tc.floor, tc.live, tc.base); got != tc.want {
			t.Errorf("floorPercent(%d MiB, %d MiB, %d) = %d, want %d", tc.floor/MiB, tc.live/MiB, tc.base, got, tc.want)
		}
	}
	// The percentage is the least that reaches the floor.
	goal := func(live uint64, p int) uint64 { return max(4*MiB*uint64(p)/100, live*uint64(100+p)/100) }
	for live := uint64(1); live < 64*MiB; live = live*3 + 7 {
		p := floorPercent(32*MiB, live, 100)
		if goal(live, p) < 32*MiB {
			t.Errorf("live %d: percent %d has a goal of %d, under the floor", live, p, goal(live, p))
		}
		if p > 100 && goal(live, p-1) >= 32*MiB {
			t.Errorf("live %d: percent %d is more than needed", live, p)
		}
	}
}

var sink []byte

// gcCycles is the number of collections the process has finished.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// liveHeap is what the last collection left alive.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// churn allocates n bytes of short-lived 32 KiB buffers, as the go-sdk's
// decoders do, and returns how many collections that took.
func churn(n uint64) uint64 {
	before := gcCycles()
	for range n / (32 << 10) {
		sink = make([]byte, 32<<10)
	}
	sink = nil
	return gcCycles() - before
}

// TestGCFloor counts the collections that the same garbage causes without
// a floor, with one above it, and after the floor is stopped.
func TestGCFloor(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()
	// Sixteen heap goals' worth of garbage, however large the test's own
	// heap: about sixteen collections without a floor, none below one
	// twice its size.
	live := liveHeap()
	garbage := 16 * max(4<<20, 2*live)
	floor := 2*garbage + live
	without := churn(garbage)
	stop := startGCFloor(floor)
	with := churn(garbage)
	// After a collection the percentage follows the live heap it left.
	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		want := uint64(floorPercent(floor, s[1].Value.Uint64(), 100))
		if s[0].Value.Uint64() == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a collection GOGC is %d, want %d for a live heap of %d bytes", s[0].Value.Uint64(), want, s[1].Value.Uint64())
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	runtime.GC()
	after := churn(garbage)
	t.Logf("collections for %d MiB of garbage (live heap %d KiB): %d without a floor, %d with one of %d MiB, %d after",
		garbage>>20, live>>10, without, with, floor>>20, after)
	if without < 8 || after < 8 {
		t.Errorf("without a floor the garbage took %d and %d collections, want 8 or more", without, after)
	}
	if with > 1 {
		t.Errorf("with the floor the garbage took %d collections, want at most 1", with)
	}
}

// TestGCFloorGOGCOff leaves a collector that GOGC=off turned off alone.
func TestGCFloorGOGCOff(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	stop := startGCFloor(512 << 20)
	defer stop()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GOGC is %d after starting the floor, want it still off (-1)", p)
	}
}
