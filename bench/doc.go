// Package bench holds mcpgen's benchmarks; docs/performance.md has the
// results and the commands that produced them.
//
//	BenchmarkGenerate200   generator.Generate on a 200-tool manifest
//	BenchmarkBuild200      go build of that manifest's generated project (warm and cold cache)
//	BenchmarkColdStart     exec of a generated server to a completed initialize
//	BenchmarkThroughput    tools/call throughput and latency, generated vs hand-written server
//	BenchmarkOperations    what audit records, metrics and tracing cost a tools/call
//
// Everything runs offline and talks only to 127.0.0.1. There are no timing
// assertions: the benchmarks report, docs/performance.md interprets.
package bench
