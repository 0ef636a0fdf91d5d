package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// The secrets of the telemetry run: none may appear in a log line.
const (
	telMetricsToken = "metrics-token-Qx7Lp2Vz9"
	telOTLPSecret   = "otlp-secret-XYZ83kd"
	telAPIKey       = "api-key-Hn4Tb6Ws1"
	telAccessToken  = "access-token-Jm5Rc8Ud3"
)

// The trace context the client sends in _meta of its first call.
const (
	telTraceID  = "5b8efff798038103d269b633813fc60c"
	telParentID = "eee19b7ec3c1b174"
)

// otlpReceiver is an OTLP/HTTP collector on loopback: it keeps the spans
// it is sent, how many metric exports came, and each request's
// Authorization header.
type otlpReceiver struct {
	*httptest.Server
	mu            sync.Mutex
	spans         []*tracepb.Span
	resources     []map[string]string // of each ResourceSpans
	metricExports int
	auth          []string // the Authorization header of every request
	bodies        [][]byte // every request's body, decompressed
	problems      []string
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	r := &otlpReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body io.Reader = req.Body
		if req.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(req.Body)
			if err != nil {
				r.problem("%s: gzip: %v", req.URL.Path, err)
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			r.problem("%s: reading the body: %v", req.URL.Path, err)
		}
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.bodies = append(r.bodies, b)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		switch req.URL.Path {
		case "/v1/traces":
			var msg coltracepb.ExportTraceServiceRequest
			if err := proto.Unmarshal(b, &msg); err != nil {
				r.problem("decoding spans: %v", err)
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.mu.Lock()
			for _, rs := range msg.ResourceSpans {
				r.resources = append(r.resources, kvs(rs.GetResource().GetAttributes()))
				for _, ss := range rs.ScopeSpans {
					r.spans = append(r.spans, ss.Spans...)
				}
			}
			r.mu.Unlock()
			out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
			w.Write(out)
		case "/v1/metrics":
			// Metrics are checked through the Prometheus scrape; an empty
			// body is an empty ExportMetricsServiceResponse.
			r.mu.Lock()
			r.metricExports++
			r.mu.Unlock()
		default:
			r.problem("unexpected %s %s", req.Method, req.URL.Path)
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *otlpReceiver) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// named returns the spans received so far named name.
func (r *otlpReceiver) named(name string) []*tracepb.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	var found []*tracepb.Span
	for _, s := range r.spans {
		if s.Name == name {
			found = append(found, s)
		}
	}
	return found
}

func (r *otlpReceiver) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for _, s := range r.spans {
		names = append(names, s.Name)
	}
	return names
}

// waitFor polls until every name in want has at least that many spans,
// for at most a minute (the server's batch delay is set short).
func (r *otlpReceiver) waitFor(t *testing.T, want map[string]int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		missing := false
		for name, n := range want {
			if len(r.named(name)) < n {
				missing = true
			}
		}
		if !missing {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("spans wanted %v; received %q", want, r.names())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kvs returns the string and integer values of an attribute list.
func kvs(list []*commonpb.KeyValue) map[string]string {
	m := make(map[string]string)
	for _, kv := range list {
		switch v := kv.Value.GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			m[kv.Key] = v.StringValue
		case *commonpb.AnyValue_IntValue:
			m[kv.Key] = strconv.FormatInt(v.IntValue, 10)
		}
	}
	return m
}

// fakePetAPI is the API of examples/openapi-petstore/openapi.yaml, on
// loopback: GET /api/v3/pet/{petId} answers, and every request is kept.
type fakePetAPI struct {
	*httptest.Server
	mu   sync.Mutex
	seen []*http.Request
}

func newFakePetAPI(t *testing.T) *fakePetAPI {
	f := &fakePetAPI{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v3/pet/{petId}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%s,"name":"doggie","photoUrls":["https://example.com/doggie.png"],"status":"available"}`, r.PathValue("petId"))
	})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.seen = append(f.seen, r.Clone(context.Background()))
		f.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakePetAPI) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seen)
}

// newTelemetryProject generates the petstore example's document as a
// project, as `mcpgen new --from` does, turns OTLP export on in its
// manifest as a user would, regenerates and builds its server.
func newTelemetryProject(t *testing.T) (dir, binary string) {
	t.Helper()
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	spec, err := filepath.Abs("../../examples/openapi-petstore/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "petstore")
	if code, _, stderr := mcpgen(t, "", "new", "petstore", "--from", spec, "--out", dir); code != 0 {
		t.Fatalf("mcpgen new --from: exit %d\n%s", code, stderr)
	}
	manifest := filepath.Join(dir, "mcpgen.yaml")
	if err := os.WriteFile(manifest, []byte(readString(t, manifest)+"telemetry:\n  otlp: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, dir, "generate"); code != 0 {
		t.Fatalf("mcpgen generate with telemetry.otlp: exit %d\n%s", code, stderr)
	}
	env := readString(t, filepath.Join(dir, ".env.example"))
	for _, want := range []string{"PETSTORE_BASE_URL=", "PETSTORE_API_KEY=", "PETSTORE_PETSTORE_AUTH_ACCESS_TOKEN="} {
		if !strings.Contains(env, want) {
			t.Fatalf(".env.example lacks %q: the settings below would not reach the server:\n%s", want, env)
		}
	}
	binary = buildServer(t, dir, "petstore-server")
	return dir, binary
}

// TestEndToEndTelemetry is the proof that a generated server can be
// operated: the petstore example's document, generated and built, runs as
// a process that exports traces by OTLP/HTTP to a receiver in the test
// (with a secret header), serves Prometheus metrics behind a token and
// writes an audit log, while calling a fake of its API. The trace context
// a client sends in _meta reaches the API; the spans, the metrics and the
// audit records agree with the calls made; and no secret reaches a log.
// Left unconfigured, the server exports and serves nothing; misconfigured,
// it refuses to start and names the setting.
func TestEndToEndTelemetry(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a server")
	}
	dir, binary := newTelemetryProject(t)

	t.Run("configured", func(t *testing.T) {
		recv := newOTLPReceiver(t)
		api := newFakePetAPI(t)
		auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
		const serviceName = "petstore-e2e"
		set := newReplicaSet(t, binary, dir, []string{
			"OTEL_EXPORTER_OTLP_ENDPOINT=" + recv.URL,
			"OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20" + telOTLPSecret,
			"OTEL_SERVICE_NAME=" + serviceName,
			// Spans go out a fifth of a second after they end, not five
			// seconds: the test polls for them.
			"OTEL_BSP_SCHEDULE_DELAY=200",
			"METRICS_TOKEN=" + telMetricsToken,
			"AUDIT_LOG=" + auditLog,
			"PETSTORE_BASE_URL=" + api.URL + "/api/v3",
			"PETSTORE_API_KEY=" + telAPIKey,
			"PETSTORE_PETSTORE_AUTH_ACCESS_TOKEN=" + telAccessToken,
			// Everything the server would log, logged.
			"LOG_LEVEL=debug",
		})
		r, err := set.start(testkit.FreeLoopbackAddr(t))
		if err != nil {
			t.Fatal(err)
		}
		cs := connect(t, &mcp.StreamableClientTransport{Endpoint: r.url + "/mcp"})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()

		const tool = "get_pet_by_id"
		// 1. With the client's trace context in _meta.
		traceparent := "00-" + telTraceID + "-" + telParentID + "-01"
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"petId": 7},
			Meta: mcp.Meta{"traceparent": traceparent}})
		if err != nil || res.IsError {
			t.Fatalf("%s with _meta: %v %s", tool, err, resultText(res))
		}
		if !strings.Contains(resultText(res), "doggie") {
			t.Errorf("%s answered %s, not the fake API's pet", tool, resultText(res))
		}
		// 2. Without: a trace of its own.
		res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"petId": 8}})
		if err != nil || res.IsError {
			t.Fatalf("%s without _meta: %v %s", tool, err, resultText(res))
		}
		// 3. Arguments that break the tool's schema: a tool error, so
		// that the model can correct them, and no API call.
		res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"petId": "seven"}})
		if err != nil {
			t.Fatalf("%s with bad arguments: a protocol error (%v), want a tool error", tool, err)
		}
		if !res.IsError {
			t.Fatalf("%s with bad arguments succeeded: %s", tool, resultText(res))
		}
		if text := resultText(res); !strings.Contains(text, "validating") || !strings.Contains(text, "petId") {
			t.Errorf("%s with bad arguments: %q, want the schema's complaint about petId", tool, text)
		}
		const toolCalls, apiCalls = 3, 2
		// 4. tools/list, which is traced and measured but not audited.
		tools, err := cs.ListTools(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(tools.Tools, func(x *mcp.Tool) bool { return x.Name == tool }) {
			t.Fatalf("tools/list lacks %s", tool)
		}

		seen := api.requests()
		if len(seen) != apiCalls {
			t.Fatalf("the API got %d requests, want %d (the call with bad arguments must not reach it)", len(seen), apiCalls)
		}
		if got := seen[0].Header.Get("api_key"); got != telAPIKey {
			t.Fatalf("the API got api_key %q, not the key set: the secrets check below would prove nothing", got)
		}

		t.Run("traces", func(t *testing.T) {
			upstreamSpan := "GET /pet/{petId}"
			recv.waitFor(t, map[string]int{"tools/call " + tool: toolCalls, upstreamSpan: apiCalls, "tools/list": 1})

			// The call with _meta: its span is the child of the client's.
			var call *tracepb.Span
			for _, s := range recv.named("tools/call " + tool) {
				if hex.EncodeToString(s.TraceId) == telTraceID {
					if call != nil {
						t.Fatalf("two tool spans in the trace of _meta; one call was made in it")
					}
					call = s
				}
			}
			if call == nil {
				t.Fatalf("no span tools/call %s in the trace %s from _meta; spans: %q", tool, telTraceID, recv.names())
			}
			if got := hex.EncodeToString(call.ParentSpanId); got != telParentID {
				t.Errorf("tools/call %s: parent span %s, want %s from _meta", tool, got, telParentID)
			}
			if call.Kind != tracepb.Span_SPAN_KIND_SERVER {
				t.Errorf("tools/call %s: kind %v, want server", tool, call.Kind)
			}
			a := kvs(call.Attributes)
			for k, v := range map[string]string{"mcp.method.name": "tools/call", "gen_ai.tool.name": tool} {
				if a[k] != v {
					t.Errorf("tools/call %s: %s=%q, want %q (attributes %v)", tool, k, a[k], v, a)
				}
			}
			if a["mcp.protocol.version"] == "" {
				t.Errorf("tools/call %s: no mcp.protocol.version in %v", tool, a)
			}
			if _, ok := a["error.type"]; ok {
				t.Errorf("tools/call %s: error.type on a call that succeeded: %v", tool, a)
			}

			// Its API call: a client span under it, whose context the API
			// got in traceparent.
			var get *tracepb.Span
			for _, s := range recv.named(upstreamSpan) {
				if hex.EncodeToString(s.TraceId) == telTraceID {
					get = s
				}
			}
			if get == nil {
				t.Fatalf("no span %s in the trace %s", upstreamSpan, telTraceID)
			}
			if get.Kind != tracepb.Span_SPAN_KIND_CLIENT {
				t.Errorf("%s: kind %v, want client", upstreamSpan, get.Kind)
			}
			if !bytes.Equal(get.ParentSpanId, call.SpanId) {
				t.Errorf("%s: parent %x, want the tool span %x", upstreamSpan, get.ParentSpanId, call.SpanId)
			}
			want := "00-" + telTraceID + "-" + hex.EncodeToString(get.SpanId) + "-01"
			if got := seen[0].Header.Get("Traceparent"); got != want {
				t.Errorf("the API got traceparent %q, want %q", got, want)
			}
			if g := kvs(get.Attributes); g["http.response.status_code"] != "200" || g["url.template"] != "/pet/{petId}" {
				t.Errorf("%s: attributes %v, want status 200 and url.template /pet/{petId}", upstreamSpan, g)
			}

			// The call with bad arguments.
			var bad *tracepb.Span
			for _, s := range recv.named("tools/call " + tool) {
				if _, ok := kvs(s.Attributes)["error.type"]; ok {
					if bad != nil {
						t.Errorf("two tool spans with error.type; one call failed")
					}
					bad = s
				}
			}
			if bad == nil {
				t.Errorf("no span of the call with bad arguments has error.type")
			} else {
				if got := kvs(bad.Attributes)["error.type"]; got != "tool_error" {
					t.Errorf("the call with bad arguments: error.type=%q, want tool_error", got)
				}
				if bad.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR {
					t.Errorf("the call with bad arguments: status %v, want error", bad.Status)
				}
			}

			list := recv.named("tools/list")[0]
			if got := kvs(list.Attributes)["mcp.method.name"]; got != "tools/list" {
				t.Errorf("tools/list: mcp.method.name=%q", got)
			}

			recv.mu.Lock()
			defer recv.mu.Unlock()
			for _, res := range recv.resources {
				if res["service.name"] != serviceName {
					t.Errorf("resource service.name=%q, want %q from OTEL_SERVICE_NAME (resource %v)", res["service.name"], serviceName, res)
				}
			}
			for _, p := range recv.problems {
				t.Errorf("receiver: %s", p)
			}
		})

		t.Run("metrics", func(t *testing.T) {
			get := func(auth string) (int, string) {
				req, _ := http.NewRequestWithContext(ctx, "GET", r.url+"/metrics", nil)
				if auth != "" {
					req.Header.Set("Authorization", auth)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			if code, _ := get(""); code != http.StatusUnauthorized {
				t.Errorf("GET /metrics without a token: %d, want 401", code)
			}
			if code, _ := get("Bearer not-" + telMetricsToken); code != http.StatusUnauthorized {
				t.Errorf("GET /metrics with a wrong token: %d, want 401", code)
			}
			code, body := get("Bearer " + telMetricsToken)
			if code != http.StatusOK {
				t.Fatalf("GET /metrics with the token: %d\n%s", code, body)
			}
			parser := expfmt.NewTextParser(model.UTF8Validation)
			fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
			if err != nil {
				t.Fatalf("parsing /metrics: %v\n%s", err, body)
			}
			// count sums the sample counts of the histogram name's series
			// whose labels include want.
			count := func(name string, want map[string]string) uint64 {
				f, ok := fams[name]
				if !ok {
					t.Errorf("/metrics has no %s; it has %d families", name, len(fams))
					return 0
				}
				var n uint64
				for _, m := range f.GetMetric() {
					labels := make(map[string]string)
					for _, l := range m.GetLabel() {
						labels[l.GetName()] = l.GetValue()
					}
					match := m.GetHistogram() != nil
					for k, v := range want {
						match = match && labels[k] == v
					}
					if match {
						n += m.GetHistogram().GetSampleCount()
					}
				}
				return n
			}
			const ops = "mcp_server_operation_duration_seconds"
			if got := count(ops, map[string]string{"mcp_method_name": "tools/call", "gen_ai_tool_name": tool}); got != toolCalls {
				t.Errorf("%s{tools/call, %s}: count %d, want %d", ops, tool, got, toolCalls)
			}
			if got := count(ops, map[string]string{"mcp_method_name": "tools/call", "gen_ai_tool_name": tool, "error_type": "tool_error"}); got != 1 {
				t.Errorf("%s{tools/call, %s, tool_error}: count %d, want 1", ops, tool, got)
			}
			if got := count(ops, map[string]string{"mcp_method_name": "tools/list"}); got != 1 {
				t.Errorf("%s{tools/list}: count %d, want 1", ops, got)
			}
			const client = "http_client_request_duration_seconds"
			if got := count(client, nil); got != apiCalls {
				t.Errorf("%s: count %d, want %d API calls", client, got, apiCalls)
			}
			if got := count(client, map[string]string{"http_request_method": "GET", "url_template": "/pet/{petId}", "http_response_status_code": "200"}); got != apiCalls {
				t.Errorf("%s{GET /pet/{petId} 200}: count %d, want %d", client, got, apiCalls)
			}
			for _, s := range []string{telMetricsToken, telOTLPSecret, telAPIKey, telAccessToken} {
				if strings.Contains(body, s) {
					t.Errorf("/metrics holds the secret %q", s)
				}
			}
		})

		// A graceful stop, which closes the audit log and flushes the
		// exporters.
		if err := r.terminate(); err != nil {
			t.Fatalf("after SIGTERM: %v\n%s", err, r.stderr())
		}

		t.Run("audit", func(t *testing.T) {
			records := readAuditLog(t, auditLog)
			if len(records) != toolCalls {
				t.Fatalf("the audit log has %d records, want one per tools/call (%d), none for tools/list:\n%s",
					len(records), toolCalls, readString(t, auditLog))
			}
			wantOutcome := []string{"ok", "ok", "tool_error"}
			for i, rec := range records {
				if rec["msg"] != "audit" || rec["tool"] != tool || rec["outcome"] != wantOutcome[i] {
					t.Errorf("record %d: msg %v, tool %v, outcome %v; want audit, %s, %s", i+1, rec["msg"], rec["tool"], rec["outcome"], tool, wantOutcome[i])
				}
				if d, ok := rec["duration"].(float64); !ok || d <= 0 {
					t.Errorf("record %d: duration %v, want a positive number of nanoseconds", i+1, rec["duration"])
				}
				id, _ := rec["trace_id"].(string)
				if len(id) != 32 {
					t.Errorf("record %d: trace_id %v, want a trace ID", i+1, rec["trace_id"])
				}
				if i < apiCalls && rec["upstream_status"] != float64(200) {
					t.Errorf("record %d: upstream_status %v, want the API's 200", i+1, rec["upstream_status"])
				}
			}
			if got := records[0]["trace_id"]; got != telTraceID {
				t.Errorf("record 1: trace_id %v, want %s from _meta", got, telTraceID)
			}
			if got := records[1]["trace_id"]; got == telTraceID {
				t.Errorf("record 2: trace_id is that of the first call's _meta; the second call sent none")
			}
			if _, ok := records[2]["upstream_status"]; ok {
				t.Errorf("record 3: upstream_status %v for a call that never reached the API", records[2]["upstream_status"])
			}
		})

		t.Run("exporter-headers", func(t *testing.T) {
			recv.mu.Lock()
			defer recv.mu.Unlock()
			if len(recv.auth) == 0 {
				t.Fatal("the receiver got no request")
			}
			for i, a := range recv.auth {
				if a != "Bearer "+telOTLPSecret {
					t.Errorf("export %d came with Authorization %q, not the one in OTEL_EXPORTER_OTLP_HEADERS", i+1, a)
				}
			}
			// OTLP metrics are on with the endpoint; at the latest, the
			// stop flushes them.
			if recv.metricExports == 0 {
				t.Errorf("no export to /v1/metrics, not even at the stop")
			}
			for i, b := range recv.bodies {
				for _, s := range []string{telMetricsToken, telOTLPSecret, telAPIKey, telAccessToken} {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("export %d holds the secret %q", i+1, s)
					}
				}
			}
		})

		t.Run("no-secrets-in-logs", func(t *testing.T) {
			logs := map[string]string{"stderr": r.stderr(), "the audit log": readString(t, auditLog)}
			if !strings.Contains(logs["stderr"], "telemetry") {
				t.Errorf("stderr has no telemetry line; is this the run the test configured?\n%s", logs["stderr"])
			}
			for where, text := range logs {
				for n, line := range strings.Split(text, "\n") {
					for _, s := range []string{telMetricsToken, telOTLPSecret, telAPIKey, telAccessToken} {
						if strings.Contains(line, s) {
							t.Errorf("%s, line %d, holds the secret %q: %s", where, n+1, s, line)
						}
					}
				}
			}
		})
	})

	t.Run("unconfigured", func(t *testing.T) {
		set := newReplicaSet(t, binary, dir, nil)
		r, err := set.start(testkit.FreeLoopbackAddr(t))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(r.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /metrics with nothing configured: %d, want 404", resp.StatusCode)
		}
		// It serves as usual.
		cs := connect(t, &mcp.StreamableClientTransport{Endpoint: r.url + "/mcp"})
		if _, err := cs.ListTools(t.Context(), nil); err != nil {
			t.Errorf("tools/list with nothing configured: %v", err)
		}
		if err := r.terminate(); err != nil {
			t.Fatalf("after SIGTERM: %v\n%s", err, r.stderr())
		}
		// Telemetry logs what it turned on, and here it turns nothing on.
		if strings.Contains(r.stderr(), "msg=telemetry") {
			t.Errorf("with nothing configured the server started telemetry:\n%s", r.stderr())
		}
	})

	t.Run("bad-setting", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, binary, "--addr", testkit.FreeLoopbackAddr(t))
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
			"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL=carrier-pigeon"}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 2 {
			t.Fatalf("with OTEL_EXPORTER_OTLP_PROTOCOL=carrier-pigeon: exit %d (%v), want 2\n%s", code, err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "OTEL_EXPORTER_OTLP_PROTOCOL") || !strings.Contains(stderr.String(), "carrier-pigeon") {
			t.Errorf("the message does not name the variable and its value:\n%s", stderr.String())
		}
	})
}

// readAuditLog returns the audit log's records, one JSON object a line.
func readAuditLog(t *testing.T, name string) []map[string]any {
	t.Helper()
	var records []map[string]any
	for n, line := range strings.Split(strings.TrimSpace(readString(t, name)), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("audit log line %d is not JSON: %v\n%s", n+1, err, line)
		}
		records = append(records, rec)
	}
	return records
}

// resultText is toolText of a result that may be nil.
func resultText(res *mcp.CallToolResult) string {
	if res == nil {
		return ""
	}
	return toolText(res)
}
