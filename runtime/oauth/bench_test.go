package oauth

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/mcpgen/mcpgen/runtime/internal/redistest"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// benchServer is the same kind of server both ways: one cheap tool,
// stateless streamable HTTP.
func benchServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "bench", Version: "v1"}, nil)
	s.AddTool(&mcp.Tool{Name: "echo", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ok"}}}, nil
	})
	return s
}

// maxSamples bounds the latencies kept for the median, so that keeping
// them allocates nothing inside the timed loop.
const maxSamples = 1 << 16

// benchCalls calls the tool over and over, and reports the median
// latency of a call (p50-ns) beside the mean that ns/op is: the mean of a
// noisy machine is pulled up by its worst moments. counters, if not
// empty, are read after connecting and after the loop, and reported per
// call under their names.
func benchCalls(b *testing.B, endpoint string, hc *http.Client, counters ...*counter) {
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "b", Version: "1"}, nil).Connect(context.Background(),
		&mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	params := &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{}}
	lat := make([]time.Duration, 0, maxSamples)
	before := readCounters(b, counters)
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		res, err := cs.CallTool(context.Background(), params)
		if err != nil || res.IsError {
			b.Fatal(res, err)
		}
		if len(lat) < maxSamples {
			lat = append(lat, time.Since(start))
		}
	}
	reportCounters(b, counters, before)
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
}

// A counter is something that counts store operations, reported per
// benchmark iteration under its unit.
type counter struct {
	unit string
	read func() map[string]int64 // counts by operation
}

func readCounters(b *testing.B, cs []*counter) []map[string]int64 {
	out := make([]map[string]int64, len(cs))
	for i, c := range cs {
		out[i] = c.read()
	}
	return out
}

func reportCounters(b *testing.B, cs []*counter, before []map[string]int64) {
	for i, c := range cs {
		after := c.read()
		var total int64
		var detail []string
		for op, n := range after {
			if d := n - before[i][op]; d != 0 {
				total += d
				detail = append(detail, op+"="+strconv.FormatFloat(float64(d)/float64(b.N), 'f', 2, 64))
			}
		}
		slices.Sort(detail)
		b.ReportMetric(float64(total)/float64(b.N), c.unit)
		b.Logf("%s by operation: %s", c.unit, strings.Join(detail, " "))
	}
}

// opCounter counts the calls made to a store, by method: on Redis each is
// one round trip.
type opCounter struct {
	store.Store
	get, getMany, put, del, take, cas atomic.Int64
}

func (c *opCounter) Get(ctx context.Context, key string) ([]byte, error) {
	c.get.Add(1)
	return c.Store.Get(ctx, key)
}

func (c *opCounter) GetMany(ctx context.Context, keys ...string) ([][]byte, error) {
	c.getMany.Add(1)
	return c.Store.GetMany(ctx, keys...)
}

func (c *opCounter) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	c.put.Add(1)
	return c.Store.Put(ctx, key, value, ttl)
}

func (c *opCounter) Delete(ctx context.Context, key string) error {
	c.del.Add(1)
	return c.Store.Delete(ctx, key)
}

func (c *opCounter) Take(ctx context.Context, key string) ([]byte, error) {
	c.take.Add(1)
	return c.Store.Take(ctx, key)
}

func (c *opCounter) CompareAndSwap(ctx context.Context, key string, old, new []byte, ttl time.Duration) (bool, error) {
	c.cas.Add(1)
	return c.Store.CompareAndSwap(ctx, key, old, new, ttl)
}

func (c *opCounter) counter() *counter {
	return &counter{unit: "store-calls/op", read: func() map[string]int64 {
		return map[string]int64{"Get": c.get.Load(), "GetMany": c.getMany.Load(), "Put": c.put.Load(),
			"Delete": c.del.Load(), "Take": c.take.Load(), "CompareAndSwap": c.cas.Load()}
	}}
}

// redisCommands counts the commands the Redis server ran, by its own
// statistics (INFO commandstats), leaving out the INFO commands that read
// them. Every command the store sends is one round trip, so this is the
// count of round trips whatever the client library does.
func redisCommands(b *testing.B, srv *redistest.Server) *counter {
	rc := redis.NewClient(&redis.Options{Addr: srv.Addr})
	b.Cleanup(func() { rc.Close() })
	return &counter{unit: "redis-ops/op", read: func() map[string]int64 {
		info, err := rc.Info(context.Background(), "commandstats").Result()
		if err != nil {
			b.Fatal(err)
		}
		m := map[string]int64{}
		for _, line := range strings.Split(info, "\n") {
			// cmdstat_get:calls=12,usec=…
			name, rest, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "cmdstat_"), ":calls=")
			if !ok || name == "info" {
				continue
			}
			calls, _, _ := strings.Cut(rest, ",")
			v, err := strconv.ParseInt(calls, 10, 64)
			if err != nil {
				b.Fatalf("INFO commandstats: %q", line)
			}
			m[name] = v
		}
		return m
	}}
}

// benchEnv is a signed-in user's access token on a server whose store is
// of the given kind: "memory", "bolt" (bbolt, the default) or "redis" (a
// redis-server on loopback, started here). The counters count what the
// store does.
func benchEnv(b *testing.B, kind string) (e *env, access string, counters []*counter) {
	eo := &envOptions{}
	var srv *redistest.Server
	if kind == "redis" {
		srv = redistest.Start(b)
		eo.vars = map[string]string{"STORE_URL": srv.URL() + "?prefix=" + url.QueryEscape(b.Name()+":")}
	}
	ops := &opCounter{}
	eo.setup = func(s *Server) {
		if kind == "memory" {
			s.store.Close()
			s.store = store.NewMemory()
		}
		if want := kind == "redis"; s.store.Shared() != want {
			b.Fatalf("the %s store is shared: %v", kind, s.store.Shared())
		}
		ops.Store = s.store
		s.store = ops
	}
	e = newEnv(b, eo)
	e.auth.logger = slog.New(slog.DiscardHandler)
	_, access, _ = e.signIn()
	counters = []*counter{ops.counter()}
	if srv != nil {
		counters = append(counters, redisCommands(b, srv))
	}
	return e, access, counters
}

var benchStores = []string{"memory", "bolt", "redis"}

// BenchmarkToolCall compares a tools/call over HTTP without auth with the
// same call bearing an access token, on each store: Protect's token check
// and Gate's middleware with one gated tool. Client and server run in the
// same process, so allocations count both. store-calls/op counts the
// calls the server made to its store per tool call; on Redis,
// redis-ops/op counts the commands the Redis server ran per tool call.
func BenchmarkToolCall(b *testing.B) {
	b.Run("open", func(b *testing.B) {
		srv := benchServer()
		ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Stateless: true}))
		defer ts.Close()
		benchCalls(b, ts.URL, &http.Client{})
	})
	for _, kind := range benchStores {
		b.Run("oauth-"+kind, func(b *testing.B) {
			e, access, counters := benchEnv(b, kind)
			srv := benchServer()
			e.auth.Gate(srv)
			ts := httptest.NewServer(e.auth.Protect(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Stateless: true})))
			defer ts.Close()
			benchCalls(b, ts.URL, oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access})), counters...)
		})
	}
}

// BenchmarkAuthAdded alternates a tools/call to a server without auth
// with the same call to the same kind of server behind Protect and Gate,
// on each store, and reports the median latency of each (open-p50-ns,
// auth-p50-ns) and the difference (added-p50-ns); ns/op is the pair.
// Measured side by side, both see the same load on a shared machine, which
// the difference of medians taken minutes apart would not.
func BenchmarkAuthAdded(b *testing.B) {
	for _, kind := range benchStores {
		b.Run(kind, func(b *testing.B) {
			e, access, _ := benchEnv(b, kind)
			open, authed := benchServer(), benchServer()
			e.auth.Gate(authed)
			handler := func(s *mcp.Server) http.Handler {
				return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true})
			}
			ots := httptest.NewServer(handler(open))
			defer ots.Close()
			ats := httptest.NewServer(e.auth.Protect(handler(authed)))
			defer ats.Close()
			connect := func(endpoint string, hc *http.Client) *mcp.ClientSession {
				cs, err := mcp.NewClient(&mcp.Implementation{Name: "b", Version: "1"}, nil).Connect(context.Background(),
					&mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc}, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { cs.Close() })
				return cs
			}
			ocs := connect(ots.URL, &http.Client{})
			acs := connect(ats.URL, oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access})))
			params := &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{}}
			call := func(cs *mcp.ClientSession) time.Duration {
				start := time.Now()
				res, err := cs.CallTool(context.Background(), params)
				if err != nil || res.IsError {
					b.Fatal(res, err)
				}
				return time.Since(start)
			}
			olat := make([]time.Duration, 0, maxSamples)
			alat := make([]time.Duration, 0, maxSamples)
			b.ReportAllocs()
			for b.Loop() {
				o, a := call(ocs), call(acs)
				if len(olat) < maxSamples {
					olat, alat = append(olat, o), append(alat, a)
				}
			}
			slices.Sort(olat)
			slices.Sort(alat)
			op50, ap50 := olat[len(olat)/2], alat[len(alat)/2]
			b.ReportMetric(float64(op50.Nanoseconds()), "open-p50-ns")
			b.ReportMetric(float64(ap50.Nanoseconds()), "auth-p50-ns")
			b.ReportMetric(float64((ap50 - op50).Nanoseconds()), "added-p50-ns")
		})
	}
}

// BenchmarkVerify is the token check alone, on each store.
func BenchmarkVerify(b *testing.B) {
	for _, kind := range benchStores {
		b.Run(kind, func(b *testing.B) {
			e, access, counters := benchEnv(b, kind)
			ctx := context.Background()
			before := readCounters(b, counters)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.auth.verify(ctx, access); err != nil {
					b.Fatal(err)
				}
			}
			reportCounters(b, counters, before)
		})
	}
}

// BenchmarkUserToken is what an OpenAPI tool that calls its API as the
// signed-in user adds to a call: reading and opening the user's provider
// token, on each store. Compare BenchmarkVerify, the token check every
// call already makes.
func BenchmarkUserToken(b *testing.B) {
	for _, kind := range benchStores {
		b.Run(kind, func(b *testing.B) {
			e, access, counters := benchEnv(b, kind)
			ctx := context.Background()
			info, err := e.auth.verify(ctx, access)
			if err != nil {
				b.Fatal(err)
			}
			req := &mcp.CallToolRequest{Extra: &mcp.RequestExtra{TokenInfo: info}}
			before := readCounters(b, counters)
			b.ReportAllocs()
			for b.Loop() {
				if tok, err := e.auth.UserToken(ctx, req); err != nil || tok.AccessToken == "" {
					b.Fatal(tok, err)
				}
			}
			reportCounters(b, counters, before)
		})
	}
}
