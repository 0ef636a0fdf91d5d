package bench

import (
	"context"
	"testing"
	"time"
)

// BenchmarkColdStart times a generated server's start: from exec of the
// examples/authless binary (built once, before the timer) to a completed
// MCP handshake over streamable HTTP from a new client on a new
// connection. The process is killed after each start, outside the timer.
//
// initialize: the classic handshake (protocol 2025-11-25): initialize, then
// notifications/initialized, as most clients in the field do.
// discover: the SDK client's default (protocol 2026-07-28): one
// server/discover request.
//
// Each iteration also starts the hand-written baseline server, outside the
// timer and in alternating order, so that both see the same machine:
//
//	ms/start       generated: mean time from exec to the end of the handshake (= ns/op)
//	p50-ms/start   generated: its median
//	ms/listen      generated: mean time from exec to the "listening" log line
//	hand-ms/start, hand-p50-ms/start   the same for the hand-written server
//
//	go test -run '^$' -bench ColdStart -benchtime 40x ./bench
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	generated, handwritten := buildAuthless(b, dir), buildHandwritten(b, dir)
	for _, hs := range []struct{ name, version string }{
		{"initialize", "2025-11-25"},
		{"discover", ""},
	} {
		b.Run(hs.name, func(b *testing.B) {
			// One start of each before the timer, so that every measured
			// start finds the binaries in the page cache.
			for _, bin := range []string{generated, handwritten} {
				_, _, stop := coldStart(b, bin, hs.version)
				stop()
			}
			var gen, hand []time.Duration
			var listen time.Duration
			baseline := func() {
				b.StopTimer()
				d, _, stop := coldStart(b, handwritten, hs.version)
				stop()
				hand = append(hand, d)
				b.StartTimer()
			}
			for b.Loop() {
				odd := len(gen)%2 == 1
				if odd {
					baseline()
				}
				d, l, stop := coldStart(b, generated, hs.version)
				b.StopTimer()
				stop()
				b.StartTimer()
				gen = append(gen, d)
				listen += l
				if !odd {
					baseline()
				}
			}
			b.ReportMetric(ms(mean(gen)), "ms/start")
			b.ReportMetric(ms(percentile(gen, 50)), "p50-ms/start")
			b.ReportMetric(ms(listen/time.Duration(len(gen))), "ms/listen")
			b.ReportMetric(ms(mean(hand)), "hand-ms/start")
			b.ReportMetric(ms(percentile(hand, 50)), "hand-p50-ms/start")
		})
	}
}

// coldStart starts binary and completes a handshake with protocolVersion.
// It returns the time from exec to the end of the handshake and to the
// listening line, and a function that closes the session and kills the
// process.
func coldStart(b *testing.B, binary, protocolVersion string) (ready, listening time.Duration, stop func()) {
	b.Helper()
	hc := newHTTPClient() // no connection survives from an earlier start
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t0 := time.Now()
	s := start(b, binary, nil)
	listening = time.Since(t0)
	cs, err := connect(ctx, s, hc, protocolVersion)
	ready = time.Since(t0)
	if err != nil {
		s.stop()
		b.Fatalf("connect: %v", err)
	}
	if res := cs.InitializeResult(); res == nil || res.ServerInfo == nil {
		b.Errorf("%s: the handshake returned no server info", binary)
	}
	return ready, listening, func() {
		cs.Close()
		hc.CloseIdleConnections()
		s.stop()
	}
}
