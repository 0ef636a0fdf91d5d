package main

import (
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/store"
)

// connect starts a server with its real handlers on st and connects an
// in-memory client to it.
func connect(t *testing.T, st store.Store) *mcp.ClientSession {
	t.Helper()
	serverTransport, clientTransport := mcp.NewInMemoryTransports()
	ss, err := NewServer(&Tools{State: NewState(st)}, nil).Connect(t.Context(), serverTransport, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(t.Context(), clientTransport, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool and returns its structured result; an error fails
// the test.
func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) map[string]any {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if res.IsError {
		t.Fatalf("%s: tool error %v", tool, res.Content)
	}
	got, ok := res.StructuredContent.(map[string]any)
	if !ok {
		t.Fatalf("%s: structuredContent %v", tool, res.StructuredContent)
	}
	return got
}

func TestIncrementAndTotal(t *testing.T) {
	cs := connect(t, store.NewMemory())
	if got := call(t, cs, "increment", map[string]any{"name": "cups"}); got["value"] != 1.0 {
		t.Errorf("first increment of cups = %v, want 1", got["value"])
	}
	if got := call(t, cs, "increment", map[string]any{"name": "cups", "amount": 4}); got["value"] != 5.0 {
		t.Errorf("cups after +4 = %v, want 5", got["value"])
	}
	if got := call(t, cs, "increment", map[string]any{"name": "plates"}); got["value"] != 1.0 {
		t.Errorf("plates = %v, want its own counter at 1", got["value"])
	}
	if got := call(t, cs, "total", nil); got["total"] != 6.0 {
		t.Errorf("total = %v, want 6", got["total"])
	}
}

// TestReplicasShareCounters runs two servers on one store, as two
// replicas share one Redis, and increments from both at once: no
// increment is lost.
func TestReplicasShareCounters(t *testing.T) {
	st := store.NewMemory()
	replicas := []*mcp.ClientSession{connect(t, st), connect(t, st)}
	const each = 20
	var wg sync.WaitGroup
	for _, cs := range replicas {
		wg.Go(func() {
			for range each {
				call(t, cs, "increment", map[string]any{"name": "hits"})
			}
		})
	}
	wg.Wait()
	if got := call(t, replicas[0], "increment", map[string]any{"name": "hits", "amount": 1}); got["value"] != float64(2*each+1) {
		t.Errorf("hits = %v after %d increments", got["value"], 2*each+1)
	}
	if got := call(t, replicas[1], "total", nil); got["total"] != float64(2*each+1) {
		t.Errorf("total on the other replica = %v, want %d", got["total"], 2*each+1)
	}
}

// TestCounterResource reads a counter through its resource template.
func TestCounterResource(t *testing.T) {
	cs := connect(t, store.NewMemory())
	call(t, cs, "increment", map[string]any{"name": "tea cups", "amount": 3})
	res, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "counter://tea%20cups"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contents) != 1 || res.Contents[0].Text != `{"name":"tea cups","value":3}` {
		t.Errorf("counter://tea%%20cups = %+v", res.Contents)
	}
	templates, err := cs.ListResourceTemplates(t.Context(), nil)
	if err != nil || len(templates.ResourceTemplates) != 1 || templates.ResourceTemplates[0].URITemplate != "counter://{name}" {
		t.Errorf("resources/templates/list = %+v, %v", templates, err)
	}
}

func TestBadArguments(t *testing.T) {
	cs := connect(t, store.NewMemory())
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "increment", Arguments: map[string]any{"name": "x", "amount": -3}})
	if err == nil && !res.IsError {
		t.Errorf("increment by -3 was accepted: %v", res.StructuredContent)
	}
}
