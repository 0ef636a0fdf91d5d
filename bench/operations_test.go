package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// beforeOps is the last commit before the operations plane (audit
// records, metrics and tracing around every call; runtime/serve/opsstart.go).
const beforeOps = "3a74963"

// BenchmarkOperations measures what the operations plane costs a tools/call
// of the generated server examples/authless, with BenchmarkThroughput's
// load and method: all servers run at once on 127.0.0.1 and take rotating
// turns. The servers:
//
//	before     examples/authless and the runtime as they were at beforeOps
//	before-2   the same again: its ratio to before is the benchmark's noise
//	default    this checkout's, nothing configured: audit records on stderr,
//	           which the benchmark reads and drops as a log collector would,
//	           and the runtime's heap floor (GC_FLOOR, runtime/serve/gcfloor.go)
//	floor-off  the same with GC_FLOOR=0: the garbage collector as before's
//	audit-off  AUDIT_LOG=off: the plane with everything off
//	metrics    METRICS_ADDR on loopback (scraped once, at the end), AUDIT_LOG=off
//	otlp-linked  the same server generated with telemetry: {otlp: true}, so
//	           that it links the OTLP exporters; nothing configured, AUDIT_LOG=off
//	tracing    otlp-linked's server sending spans by OTLP/HTTP to a collector
//	           in this process that answers every export with an empty
//	           success; OTEL_METRICS_EXPORTER=none, AUDIT_LOG=off
//	all        otlp-linked's server: tracing and metrics as above, audit
//	           records appended to a file
//
// Metrics, for each server:
//
//	NAME-ratio         NAME's calls/s ÷ before's: the median, over turns, of the
//	                   ratio of the two rounds of the same turn (1 = no cost)
//	NAME-of-default    the same ratio to default's calls/s, for the servers that
//	                   turn parts of the plane on or off: what each costs
//	                   against the server as generated
//	NAME-calls/s, NAME-p50-us, NAME-p99-us, NAME-cpu-us/call, NAME-peak-rss-MiB
//	                   as in BenchmarkThroughput
//
//	go test -run '^$' -bench Operations -benchtime 3x ./bench
func BenchmarkOperations(b *testing.B) {
	// The configurations are the benchmark's alone.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OTEL_") || strings.HasPrefix(k, "METRICS_") || strings.HasPrefix(k, "LOG_") ||
			k == "AUDIT_LOG" || k == "TOOL_TIMEOUT" || k == "GC_FLOOR" || k == "GOGC" {
			b.Setenv(k, "")
		}
	}
	dir := b.TempDir()
	before, now, withOTLP := buildAuthlessAt(b, dir, beforeOps), buildAuthless(b, dir), buildAuthlessOTLP(b, dir)

	var exports atomic.Int64
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		exports.Add(1)
		// No body: an empty ExportTraceServiceResponse, all spans accepted.
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	tracing := []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + collector.URL, "OTEL_METRICS_EXPORTER=none"}
	// Each metrics port is picked right before its server starts: picked
	// earlier, a client connection's ephemeral port could take it first.
	var metricsAddrs []string
	metrics := func() string {
		metricsAddrs = append(metricsAddrs, testkit.FreeLoopbackAddr(b))
		return "METRICS_ADDR=" + metricsAddrs[len(metricsAddrs)-1]
	}
	auditFile := filepath.Join(dir, "audit.jsonl")

	targets := []*target{
		newTarget(b, "before", before, nil),
		newTarget(b, "before-2", before, nil),
		newTarget(b, "default", now, nil),
		newTarget(b, "floor-off", now, []string{"GC_FLOOR=0"}),
		newTarget(b, "audit-off", now, []string{"AUDIT_LOG=off"}),
		newTarget(b, "metrics", now, []string{"AUDIT_LOG=off", metrics()}),
		newTarget(b, "otlp-linked", withOTLP, []string{"AUDIT_LOG=off"}),
		newTarget(b, "tracing", withOTLP, append([]string{"AUDIT_LOG=off"}, tracing...)),
		newTarget(b, "all", withOTLP, append([]string{"AUDIT_LOG=" + auditFile, metrics()}, tracing...)),
	}
	measure(b, targets)
	for _, t := range targets[1:] {
		b.ReportMetric(pairedRatio(t, targets[0]), t.name+"-ratio")
	}
	for _, t := range targets[4:] {
		b.ReportMetric(pairedRatio(t, targets[2]), t.name+"-of-default")
	}
	for _, t := range targets {
		t.report(b)
	}

	// Each configuration did what it says.
	for _, addr := range metricsAddrs {
		if m := scrape(b, addr); !strings.Contains(m, "mcp_server_operation_duration") {
			b.Errorf("%s/metrics has no mcp_server_operation_duration:\n%s", addr, m)
		}
	}
	if exports.Load() == 0 {
		b.Error("the collector received no spans")
	}
	if fi, err := os.Stat(auditFile); err != nil || fi.Size() == 0 {
		b.Errorf("no audit records in %s (%v)", auditFile, err)
	}
}

// scrape returns what GET /metrics on addr answers.
func scrape(b *testing.B, addr string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return string(body)
}
