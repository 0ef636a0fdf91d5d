package bench

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The load of one round: sessions concurrent client sessions, each calling
// add callsPerSession times, one call after the other.
const (
	sessions        = 8
	callsPerSession = 30
	// roundsEach is the number of rounds per server per iteration. The
	// servers take turns in rotating order (A B C, B C A, C A B, …), in
	// short rounds, so that changes in the machine's speed (other
	// processes, GC, frequency) weigh on all of them alike.
	roundsEach = 12
)

// target is one server under load.
type target struct {
	name     string // the metrics' prefix
	srv      *server
	sessions []*mcp.ClientSession

	calls     int
	elapsed   time.Duration
	latencies []time.Duration
	cpu       time.Duration // the server process's CPU time during the rounds
	cpuOK     bool
	rates     []float64 // calls/s of each round
}

// BenchmarkThroughput drives the same load against the generated server
// (examples/authless) and a hand-written go-sdk server with the same tools
// (bench/handwritten), all serving stateless streamable HTTP on 127.0.0.1,
// in one run, their rounds interleaved. The load client runs in this
// process, on the same cores as the servers, so absolute numbers are a
// lower bound; the ratios are the point.
//
// The servers: gen, the generated server; hand, the hand-written one, its
// schemas *jsonschema.Schema values as the SDK documents; raw, the
// hand-written one with --raw-schemas, its schemas json.RawMessage as in
// generated code. gen against raw is the cost of everything mcpgen adds
// (the runtime's handler stack, the generated wrappers); hand against raw is
// the SDK's own difference between the two ways of passing a schema.
//
//	ratio              gen ÷ hand calls/s: the median, over turns, of the ratio of the
//	                   two rounds of the same turn (1 = parity; the target is ≥ 0.9).
//	                   A burst of other work on the machine spoils a turn, not the result.
//	raw-ratio          the same for gen ÷ raw
//	agg-ratio          gen-calls/s ÷ hand-calls/s over all rounds: more sensitive to bursts
//	gen-calls/s, hand-calls/s, raw-calls/s   tools/call add completed per second, all rounds
//	*-p50-us, *-p99-us latency of one call, in µs
//	*-cpu-us/call      the server process's CPU time per call (Linux only): unlike the
//	                   rates, it hardly depends on what else the machine runs
//	*-peak-rss-MiB     the most memory the server process has had resident (Linux only)
//
// One iteration is roundsEach turns of 3 rounds of sessions ×
// callsPerSession calls; -benchtime 1x is enough:
//
//	go test -run '^$' -bench Throughput -benchtime 1x ./bench
func BenchmarkThroughput(b *testing.B) {
	dir := b.TempDir()
	genBin, handBin := buildAuthless(b, dir), buildHandwritten(b, dir)
	// The generated server's heap floor (GC_FLOOR) is left out: the
	// hand-written servers collect as Go sets it, and this benchmark is
	// about the code mcpgen generates. BenchmarkOperations measures the floor.
	gen := newTarget(b, "gen", genBin, []string{"GC_FLOOR=0"})
	hand := newTarget(b, "hand", handBin, nil)
	raw := newTarget(b, "raw", handBin, nil, "--raw-schemas")
	targets := []*target{gen, hand, raw}
	measure(b, targets)

	b.ReportMetric(pairedRatio(gen, hand), "ratio")
	b.ReportMetric(pairedRatio(gen, raw), "raw-ratio")
	b.ReportMetric(gen.rate()/hand.rate(), "agg-ratio")
	for _, t := range targets {
		t.report(b)
	}
}

// newTarget starts binary with args and the extra environment variables
// env, and opens the client sessions of the load; the benchmark's cleanup
// closes them and stops the server.
func newTarget(b *testing.B, name, binary string, env []string, args ...string) *target {
	t := &target{name: name, srv: start(b, binary, env, args...)}
	b.Cleanup(t.srv.stop)
	hc := newHTTPClient()
	b.Cleanup(hc.CloseIdleConnections)
	for range sessions {
		cs, err := connect(context.Background(), t.srv, hc, "")
		if err != nil {
			b.Fatalf("%s: connect: %v", name, err)
		}
		b.Cleanup(func() { cs.Close() })
		t.sessions = append(t.sessions, cs)
	}
	return t
}

// measure warms each target up with one round (connections, caches,
// heaps), then runs, per iteration, roundsEach turns of one round per
// target, in rotating order.
func measure(b *testing.B, targets []*target) {
	for _, t := range targets {
		t.round(b)
		*t = target{name: t.name, srv: t.srv, sessions: t.sessions, cpuOK: true}
	}
	for b.Loop() {
		for i := range roundsEach {
			for j := range targets {
				targets[(i+j)%len(targets)].round(b)
			}
		}
	}
}

// pairedRatio is the median, over turns, of t's calls/s divided by ref's
// in the same turn: a burst of other work on the machine spoils a turn,
// not the result.
func pairedRatio(t, ref *target) float64 {
	r := make([]float64, len(t.rates))
	for i := range r {
		r[i] = t.rates[i] / ref.rates[i]
	}
	slices.Sort(r)
	return r[len(r)/2]
}

// rate is t's calls/s over all its rounds.
func (t *target) rate() float64 { return float64(t.calls) / t.elapsed.Seconds() }

// report reports t's calls/s, latency percentiles and server CPU time per
// call, each metric named after t.
func (t *target) report(b *testing.B) {
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	b.ReportMetric(t.rate(), t.name+"-calls/s")
	b.ReportMetric(us(percentile(t.latencies, 50)), t.name+"-p50-us")
	b.ReportMetric(us(percentile(t.latencies, 99)), t.name+"-p99-us")
	if t.cpuOK {
		b.ReportMetric(us(t.cpu)/float64(t.calls), t.name+"-cpu-us/call")
	}
	if rss, ok := peakRSS(t.srv.Cmd.Process.Pid); ok {
		b.ReportMetric(float64(rss)/(1<<20), t.name+"-peak-rss-MiB")
	}
}

// round runs one round of load against t and records it.
func (t *target) round(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lat := make([][]time.Duration, len(t.sessions))
	var wg sync.WaitGroup
	cpu0, ok0 := cpuTime(t.srv.Cmd.Process.Pid)
	t0 := time.Now()
	for i, cs := range t.sessions {
		lat[i] = make([]time.Duration, 0, callsPerSession)
		wg.Go(func() {
			for j := range callsPerSession {
				c0 := time.Now()
				res, err := cs.CallTool(ctx, &mcp.CallToolParams{
					Name:      "add",
					Arguments: map[string]any{"a": j, "b": i},
				})
				lat[i] = append(lat[i], time.Since(c0))
				if err != nil {
					b.Errorf("%s: add: %v", t.name, err)
					return
				}
				if res.IsError {
					b.Errorf("%s: add: tool error %v", t.name, res.Content)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	cpu1, ok1 := cpuTime(t.srv.Cmd.Process.Pid)
	if b.Failed() {
		b.FailNow()
	}
	calls := 0
	for _, l := range lat {
		calls += len(l)
		t.latencies = append(t.latencies, l...)
	}
	t.calls += calls
	t.elapsed += elapsed
	t.rates = append(t.rates, float64(calls)/elapsed.Seconds())
	t.cpu += cpu1 - cpu0
	t.cpuOK = t.cpuOK && ok0 && ok1
}
