package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

const (
	bearer   = "secret-bearer-token-0123456789"
	password = "hunter2-very-secret"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records decodes the JSON records in b.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("a record is not JSON: %v: %s", err, line)
		}
		recs = append(recs, r)
	}
	return recs
}

// headerTransport adds headers to every request.
type headerTransport map[string]string

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// serve serves s over stateless streamable HTTP on loopback, behind a
// bearer-token check that signs the caller in as github:42, and connects
// a client that presents the token.
func serve(t *testing.T, s *mcp.Server) *mcp.ClientSession {
	t.Helper()
	verify := func(_ context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		if token != bearer {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{UserID: "github:42", Expiration: time.Now().Add(time.Hour), Extra: map[string]any{
			"login": "octocat", "client_id": "client-7", "token": bearer,
		}}, nil
	}
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true})
	srv := httptest.NewServer(auth.RequireBearerToken(verify, nil)(h))
	t.Cleanup(srv.Close)
	hc := &http.Client{Transport: headerTransport{"Authorization": "Bearer " + bearer}}
	client := mcp.NewClient(&mcp.Implementation{Name: "audit-client", Version: "1"}, nil)
	cs, err := client.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: hc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func newServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	object := map[string]any{"type": "object"}
	s.AddTool(&mcp.Tool{Name: "add", InputSchema: object}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		callinfo.From(ctx).SetUpstreamStatus(201)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "3"}}}, nil
	})
	s.AddTool(&mcp.Tool{Name: "sign_in", InputSchema: object}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ok"}}}, nil
	})
	s.AddTool(&mcp.Tool{Name: "fail", InputSchema: object}, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "no"}}}, nil
	})
	return s
}

// limit is a middleware standing in for a rate limiter: it refuses calls
// to limited, as a tool error, and says why in the call record.
func limit(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && p.Name == "fail" {
			if r, ok := req.(*mcp.CallToolRequest); ok && strings.Contains(string(r.Params.Arguments), "limited") {
				callinfo.From(ctx).SetOutcome(callinfo.RateLimited)
				return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "slow down"}}}, nil
			}
		}
		return next(ctx, method, req)
	}
}

func TestRecords(t *testing.T) {
	var buf syncBuffer
	s := newServer()
	s.AddReceivingMiddleware(Middleware(Options{
		Logger: slog.New(slog.NewJSONHandler(&buf, nil)),
		Tools: map[string]Rule{
			"sign_in": {Arguments: true, Redact: []string{"PIN"}},
			"fail":    {Arguments: false, Redact: []string{"reason"}},
		},
	}), limit)
	cs := serve(t, s)
	ctx := context.Background()

	call := func(name string, args any) {
		t.Helper()
		if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args}); err != nil && name != "nonesuch" {
			t.Fatalf("%s: %v", name, err)
		}
	}
	call("add", map[string]any{"a": 1, "b": 2, "password": password})
	call("sign_in", json.RawMessage(`{
		"user": "ann",
		"Password": "`+password+`",
		"pin": "4321",
		"big": 12345678901234567890,
		"nested": {"list": [{"API_KEY": "`+password+`", "keep": "x"}]}
	}`))
	call("fail", map[string]any{"reason": "x"})
	call("fail", map[string]any{"why": "limited"})
	call("nonesuch", map[string]any{})

	out := buf.String()
	for _, secret := range []string{bearer, password, "4321"} {
		if strings.Contains(out, secret) {
			t.Errorf("the audit log holds the secret %q:\n%s", secret, out)
		}
	}
	recs := buf.records(t)
	if len(recs) != 5 {
		t.Fatalf("%d records, want one per tools/call (5):\n%s", len(recs), out)
	}
	for i, want := range []struct {
		tool, outcome string
	}{
		{"add", "ok"}, {"sign_in", "ok"}, {"fail", "tool_error"}, {"fail", "rate_limited"}, {"nonesuch", "error"},
	} {
		r := recs[i]
		if r["msg"] != "audit" || r["level"] != "INFO" || r["time"] == nil || r["duration"] == nil {
			t.Errorf("record %d lacks the basics: %v", i, r)
		}
		if r["tool"] != want.tool || r["outcome"] != want.outcome {
			t.Errorf("record %d: tool %v outcome %v, want %s %s", i, r["tool"], r["outcome"], want.tool, want.outcome)
		}
		if r["user"] != "github:42" || r["login"] != "octocat" || r["client_id"] != "client-7" || r["client"] != "audit-client" {
			t.Errorf("record %d: who called is not right: %v", i, r)
		}
		if _, ok := r["trace_id"]; ok {
			t.Errorf("record %d: a trace ID with no tracing: %v", i, r)
		}
		if _, ok := r["arguments"]; ok != (want.tool == "sign_in") {
			t.Errorf("record %d: arguments %v; they belong only in sign_in's", i, r["arguments"])
		}
	}
	if got := recs[0]["upstream_status"]; got != float64(201) {
		t.Errorf("upstream_status %v, want 201", got)
	}
	if _, ok := recs[2]["upstream_status"]; ok {
		t.Errorf("upstream_status in a call that made none: %v", recs[2])
	}
	wantArgs := map[string]any{
		"user":     "ann",
		"Password": Redacted,
		"pin":      Redacted,
		"big":      float64(12345678901234567890),
		"nested":   map[string]any{"list": []any{map[string]any{"API_KEY": Redacted, "keep": "x"}}},
	}
	if got := recs[1]["arguments"]; !reflect.DeepEqual(got, wantArgs) {
		t.Errorf("sign_in's arguments:\n got %v\nwant %v", got, wantArgs)
	}
	if !strings.Contains(out, "12345678901234567890") {
		t.Errorf("a large number was not recorded as it was sent:\n%s", out)
	}
}

// TestTraceID checks that a record made inside a span carries its trace
// ID, and that the middleware uses a call record made further out.
func TestTraceID(t *testing.T) {
	var buf syncBuffer
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	var traceID string
	outer := func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			ctx, span := tp.Tracer("test").Start(ctx, method)
			defer span.End()
			traceID = span.SpanContext().TraceID().String()
			ctx, info := callinfo.With(ctx)
			info.SetOutcome(callinfo.Refused)
			return next(ctx, method, req)
		}
	}
	s := newServer()
	s.AddReceivingMiddleware(outer, Middleware(Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}))
	cs := serve(t, s)
	if _, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "add", Arguments: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	recs := buf.records(t)
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	if recs[0]["trace_id"] != traceID || traceID == "" {
		t.Errorf("trace_id %v, want %s", recs[0]["trace_id"], traceID)
	}
	if recs[0]["outcome"] != callinfo.Refused || recs[0]["upstream_status"] != float64(201) {
		t.Errorf("the record is not the outer call record's: %v", recs[0])
	}
}

func TestOff(t *testing.T) {
	mw := Middleware(Options{Tools: map[string]Rule{"x": {Arguments: true}}})
	next := func(context.Context, string, mcp.Request) (mcp.Result, error) { return nil, nil }
	if reflect.ValueOf(mw(next)).Pointer() != reflect.ValueOf(next).Pointer() {
		t.Error("with no logger the middleware wraps its handler")
	}
}

func TestOpen(t *testing.T) {
	for _, v := range []string{"", "stderr", " stderr "} {
		w, closeLog, err := Open(v)
		if b, ok := w.(*batch); err != nil || !ok || b.w != os.Stderr || closeLog() != nil {
			t.Errorf("Open(%q) = %v, %v; want stderr", v, w, err)
		}
	}
	if w, closeLog, err := Open("off"); err != nil || w != nil || closeLog() != nil {
		t.Errorf("Open(off) = %v, %v; want no writer", w, err)
	}

	path := filepath.Join(t.TempDir(), "audit.log")
	for _, line := range []string{"one\n", "two\n"} {
		w, closeLog, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		if err := closeLog(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "one\ntwo\n" {
		t.Errorf("the file holds %q, %v; want both lines, appended", b, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the file's mode is %v, %v; want 0600", fi.Mode().Perm(), err)
	}

	for _, bad := range []struct{ value, want string }{
		{filepath.Join(t.TempDir(), "missing", "audit.log"), "no such file or directory"},
		{t.TempDir(), "is a directory"},
		{"stdout", "standard output carries the protocol"},
	} {
		_, closeLog, err := Open(bad.value)
		if err == nil {
			t.Errorf("Open(%q) succeeded", bad.value)
			continue
		}
		if !strings.HasPrefix(err.Error(), "AUDIT_LOG=") || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Open(%q): %q does not name AUDIT_LOG and say %q", bad.value, err, bad.want)
		}
		if closeLog == nil || closeLog() != nil {
			t.Errorf("Open(%q): close is nil or fails", bad.value)
		}
	}
}

// TestBatch checks that records reach the log whole and in order: on
// their own within the batch delay, at once past the batch size, and on
// close.
func TestBatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	w, closeLog, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	read := func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if _, err := w.Write([]byte("one\n")); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "" {
		t.Errorf("written at once: %q", got)
	}
	// The timer writes it; no bound on when is asserted beyond the test's
	// own deadline.
	for read() != "one\n" {
		time.Sleep(10 * time.Millisecond)
	}

	big := strings.Repeat("x", batchSize) + "\n"
	if _, err := w.Write([]byte(big)); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "one\n"+big {
		t.Errorf("a record past the batch size waits: the file holds %d bytes", len(got))
	}

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Fprintf(w, "record %02d\n", i)
		}()
	}
	wg.Wait()
	if err := closeLog(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(read(), "one\n"+big), "\n"), "\n")
	slices.Sort(lines)
	if len(lines) != 50 || lines[0] != "record 00" || lines[49] != "record 49" {
		t.Errorf("after close the file holds %d lines after the first two, want records 00 to 49 whole: %q", len(lines), lines)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "record ") || len(l) != len("record 00") {
			t.Errorf("a record was split or mixed: %q", l)
		}
	}
}
