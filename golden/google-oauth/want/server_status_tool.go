package main

import (
	"context"
	"runtime"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// started is when the server started, for its uptime.
var started = time.Now()

// ServerStatus serves the "serverStatus" tool: the server's version, uptime
// and Go runtime statistics. Its auth rule in mcpgen.yaml shows it only to
// the users listed in ALLOWED_USERS; the check happens before this method
// is called.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) ServerStatus(ctx context.Context, req *mcp.CallToolRequest, in ServerStatusInput) (ServerStatusOutput, error) {
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	return ServerStatusOutput{
		Version:    ServerVersion,
		Uptime:     time.Since(started).Round(time.Second).String(),
		Goroutines: int64(runtime.NumGoroutine()),
		HeapBytes:  int64(mem.HeapAlloc),
	}, nil
}
