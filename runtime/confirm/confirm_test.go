package confirm

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/internal/callinfo"
	"github.com/mcpgen/mcpgen/runtime/requeststate"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// testServer is a server with a tool that must be confirmed, "delete",
// and one that need not be, "list"; runs counts the calls that ran.
type testServer struct {
	*mcp.Server
	runs atomic.Int64
	// seen is the last params the delete tool's handler received.
	mu   sync.Mutex
	seen *mcp.CallToolParamsRaw
}

func newCodec(t testing.TB) *requeststate.Codec {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	keys, err := requeststate.ParseKeys(base64.StdEncoding.EncodeToString(key))
	if err != nil {
		t.Fatal(err)
	}
	return requeststate.New(keys, store.NewMemory(), nil)
}

func newTestServer(t testing.TB, states *requeststate.Codec) *testServer {
	t.Helper()
	ts := &testServer{Server: mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v0"}, nil)}
	schema := json.RawMessage(`{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}`)
	ts.AddTool(&mcp.Tool{Name: "delete", InputSchema: schema}, func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ts.runs.Add(1)
		ts.mu.Lock()
		p := *req.Params
		ts.seen = &p
		ts.mu.Unlock()
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "deleted"}}}, nil
	})
	ts.AddTool(&mcp.Tool{Name: "list", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "listed"}}}, nil
	})
	ts.AddReceivingMiddleware(Middleware(&Options{
		Tools:  map[string]Rule{"delete": {Summary: Template("Delete thing {{id}}")}},
		States: states,
	}))
	return ts
}

// answer is an elicitation handler that answers every question the same
// way and records the questions.
type answer struct {
	action  string
	confirm any
	mu      sync.Mutex
	asked   []string
}

func (a *answer) handle(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	a.mu.Lock()
	a.asked = append(a.asked, req.Params.Message)
	a.mu.Unlock()
	res := &mcp.ElicitResult{Action: a.action}
	if a.action == "accept" {
		res.Content = map[string]any{"confirm": a.confirm}
	}
	return res, nil
}

func (a *answer) questions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.asked...)
}

// connect connects a client to s in memory. version "" is the latest
// protocol (multi-round); an older one holds a session.
func connect(t *testing.T, s *mcp.Server, opts *mcp.ClientOptions, version string) *mcp.ClientSession {
	t.Helper()
	ct, st := mcp.NewInMemoryTransports()
	ss, err := s.Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "v0"}, opts).Connect(t.Context(), ct, &mcp.ClientSessionOptions{ProtocolVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func call(t *testing.T, cs *mcp.ClientSession, p *mcp.CallToolParams) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(t.Context(), p)
	if err != nil {
		t.Fatalf("%s: protocol error %v", p.Name, err)
	}
	return res
}

// TestAnswers calls the tool through clients that answer each way, on the
// multi-round protocol and on an older one with a session: only an
// acceptance with the box ticked runs the tool, once.
func TestAnswers(t *testing.T) {
	for _, version := range []string{"", "2025-11-25", "2025-06-18"} {
		for _, tc := range []struct {
			name    string
			answer  *answer
			runs    int64
			wantErr string
		}{
			{"accept", &answer{action: "accept", confirm: true}, 1, ""},
			{"accept unticked", &answer{action: "accept", confirm: false}, 0, "the user declined: Delete thing 42; nothing was done"},
			{"decline", &answer{action: "decline"}, 0, "the user declined: Delete thing 42; nothing was done"},
			{"cancel", &answer{action: "cancel"}, 0, "the user cancelled: Delete thing 42; nothing was done"},
		} {
			name := version
			if name == "" {
				name = "multi-round"
			}
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				ts := newTestServer(t, newCodec(t))
				cs := connect(t, ts.Server, &mcp.ClientOptions{ElicitationHandler: tc.answer.handle}, version)
				res := call(t, cs, &mcp.CallToolParams{Name: "delete", Arguments: map[string]any{"id": "42"}})
				if got := ts.runs.Load(); got != tc.runs {
					t.Errorf("the tool ran %d times, want %d (result %q)", got, tc.runs, text(res))
				}
				if tc.wantErr == "" {
					if res.IsError || text(res) != "deleted" {
						t.Errorf("result %q (isError %v), want the tool's", text(res), res.IsError)
					}
				} else if !res.IsError || text(res) != tc.wantErr {
					t.Errorf("result %q (isError %v), want the tool error %q", text(res), res.IsError, tc.wantErr)
				}
				if q := tc.answer.questions(); len(q) != 1 || q[0] != "Delete thing 42" {
					t.Errorf("the user was asked %q, want once %q", q, "Delete thing 42")
				}
				if tc.runs == 1 {
					ts.mu.Lock()
					seen := ts.seen
					ts.mu.Unlock()
					if seen.RequestState != "" || seen.InputResponses != nil {
						t.Errorf("the tool saw the confirmation round: state %q, responses %v", seen.RequestState, seen.InputResponses)
					}
				}
			})
		}
	}
}

// TestNoElicitation: a client that cannot be asked gets a tool error, on
// either protocol, and tools without a rule run as before.
func TestNoElicitation(t *testing.T) {
	for _, version := range []string{"", "2025-11-25"} {
		ts := newTestServer(t, newCodec(t))
		cs := connect(t, ts.Server, nil, version)
		res := call(t, cs, &mcp.CallToolParams{Name: "delete", Arguments: map[string]any{"id": "42"}})
		if !res.IsError || !strings.Contains(text(res), "delete runs only after the user confirms it") || !strings.Contains(text(res), "nothing was done") {
			t.Errorf("%q: result %q (isError %v), want a tool error saying it needs confirmation", version, text(res), res.IsError)
		}
		if ts.runs.Load() != 0 {
			t.Errorf("%q: the tool ran", version)
		}
		if res := call(t, cs, &mcp.CallToolParams{Name: "list"}); res.IsError || text(res) != "listed" {
			t.Errorf("%q: list = %q, want it to run unasked", version, text(res))
		}
	}
}

// manual is a multi-round client that does the rounds itself.
func manual(t *testing.T, s *mcp.Server) *mcp.ClientSession {
	t.Helper()
	a := &answer{action: "accept", confirm: true}
	return connect(t, s, &mcp.ClientOptions{
		ElicitationHandler: a.handle, // for the capability: the rounds are the test's
		MultiRoundTrip:     &mcp.MultiRoundTripOptions{Disabled: true},
	}, "")
}

func accepted(confirm any) mcp.InputResponseMap {
	return mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": confirm}}}
}

// ask makes the first round and returns its state.
func ask(t *testing.T, cs *mcp.ClientSession, id string) string {
	t.Helper()
	res := call(t, cs, &mcp.CallToolParams{Name: "delete", Arguments: map[string]any{"id": id}})
	if !res.NeedsInput() || res.RequestState == "" || res.IsError {
		t.Fatalf("first round: %q (isError %v, needs input %v), want input required with a state", text(res), res.IsError, res.NeedsInput())
	}
	q, ok := res.InputRequests["confirm"].(*mcp.ElicitParams)
	if !ok || q.Message != "Delete thing "+id {
		t.Fatalf("first round asks %#v, want the summary", res.InputRequests["confirm"])
	}
	return res.RequestState
}

// TestStates plays the second round with every kind of bad state and
// answer: only the genuine acceptance runs the tool, and only once.
func TestStates(t *testing.T) {
	ts := newTestServer(t, newCodec(t))
	cs := manual(t, ts.Server)
	again := func(id, state string, responses mcp.InputResponseMap) *mcp.CallToolResult {
		t.Helper()
		return call(t, cs, &mcp.CallToolParams{Name: "delete", Arguments: map[string]any{"id": id}, RequestState: state, InputResponses: responses})
	}
	refused := func(what string, res *mcp.CallToolResult, want string) {
		t.Helper()
		if !res.IsError || !strings.Contains(text(res), want) || !strings.Contains(text(res), "nothing was done") {
			t.Errorf("%s: %q (isError %v), want a tool error containing %q", what, text(res), res.IsError, want)
		}
		if n := ts.runs.Load(); n != 0 {
			t.Fatalf("%s: the tool ran", what)
		}
	}

	state := ask(t, cs, "42")
	if ts.runs.Load() != 0 {
		t.Fatal("the first round ran the tool")
	}

	// An answer without the state asks again: the answer alone proves
	// nothing.
	if res := again("42", "", accepted(true)); !res.NeedsInput() || ts.runs.Load() != 0 {
		t.Fatalf("an acceptance without its state: %q (needs input %v), want the question again", text(res), res.NeedsInput())
	}

	// Tampered: one character changed, then cut short, then made up.
	flipped := []byte(state)
	flipped[len(flipped)/2] ^= 1
	if flipped[len(flipped)/2] == '-' || flipped[len(flipped)/2] == '_' {
		flipped[len(flipped)/2] = 'A'
	}
	refused("a tampered state", again("42", string(flipped), accepted(true)), "not valid")
	refused("a truncated state", again("42", state[:len(state)-4], accepted(true)), "not valid")
	refused("a made-up state", again("42", base64.RawURLEncoding.EncodeToString(make([]byte, 60)), accepted(true)), "not valid")

	// The genuine state for other arguments.
	refused("the state of another call", again("43", state, accepted(true)), "issued for other arguments")

	// Genuine, but declined: the state is used up all the same.
	declinedState := ask(t, cs, "42")
	refused("a declined answer", again("42", declinedState, mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "decline"}}), "the user declined")
	refused("the declined state again", again("42", declinedState, accepted(true)), "already completed")

	// Genuine and accepted: the tool runs, once.
	if res := again("42", state, accepted(true)); res.IsError || text(res) != "deleted" || ts.runs.Load() != 1 {
		t.Fatalf("the genuine acceptance: %q (isError %v), runs %d; want the tool to run once", text(res), res.IsError, ts.runs.Load())
	}
	if res := again("42", state, accepted(true)); !res.IsError || !strings.Contains(text(res), "already completed") || ts.runs.Load() != 1 {
		t.Errorf("the same acceptance again: %q (isError %v), runs %d; want a tool error and no second run", text(res), res.IsError, ts.runs.Load())
	}
	// Replayed for other arguments after use: still refused.
	if res := again("43", state, accepted(true)); !res.IsError || ts.runs.Load() != 1 {
		t.Errorf("the used acceptance for other arguments: %q, runs %d", text(res), ts.runs.Load())
	}
}

// TestStateForAnotherTool: a state sealed for one confirmed tool does not
// confirm another with the same arguments.
func TestStateForAnotherTool(t *testing.T) {
	states := newCodec(t)
	ts := newTestServer(t, states)
	ts.AddTool(&mcp.Tool{Name: "purge", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ts.runs.Add(1)
		return &mcp.CallToolResult{}, nil
	})
	ts.AddReceivingMiddleware(Middleware(&Options{Tools: map[string]Rule{"purge": {}}, States: states}))
	cs := manual(t, ts.Server)
	state := ask(t, cs, "42")
	res := call(t, cs, &mcp.CallToolParams{Name: "purge", Arguments: map[string]any{"id": "42"}, RequestState: state, InputResponses: accepted(true)})
	if !res.IsError || !strings.Contains(text(res), "another tool") || ts.runs.Load() != 0 {
		t.Errorf("purge with delete's state: %q (isError %v), runs %d", text(res), res.IsError, ts.runs.Load())
	}
	// The default question names the tool and its arguments.
	res = call(t, cs, &mcp.CallToolParams{Name: "purge", Arguments: map[string]any{"id": "42"}})
	if q, _ := res.InputRequests["confirm"].(*mcp.ElicitParams); q == nil || q.Message != `Run purge with {"id":"42"}` {
		t.Errorf("purge asks %#v", res.InputRequests["confirm"])
	}
}

// TestConcurrentAnswers sends one accepted state many times at once: the
// tool runs exactly once.
func TestConcurrentAnswers(t *testing.T) {
	ts := newTestServer(t, newCodec(t))
	cs := manual(t, ts.Server)
	state := ask(t, cs, "42")
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 20 {
		wg.Go(func() {
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "delete", Arguments: map[string]any{"id": "42"}, RequestState: state, InputResponses: accepted(true)})
			if err == nil && !res.IsError {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || ts.runs.Load() != 1 {
		t.Errorf("%d calls succeeded and the tool ran %d times, want 1 and 1", ok.Load(), ts.runs.Load())
	}
}

// TestNoCodec: without a codec, multi-round clients are refused, and
// session clients are still asked.
func TestNoCodec(t *testing.T) {
	ts := newTestServer(t, nil)
	a := &answer{action: "accept", confirm: true}
	res := call(t, connect(t, ts.Server, &mcp.ClientOptions{ElicitationHandler: a.handle}, ""), &mcp.CallToolParams{Name: "delete", Arguments: map[string]any{"id": "42"}})
	if !res.IsError || !strings.Contains(text(res), "not set up") || ts.runs.Load() != 0 {
		t.Errorf("multi-round without a codec: %q (isError %v), runs %d", text(res), res.IsError, ts.runs.Load())
	}
	res = call(t, connect(t, ts.Server, &mcp.ClientOptions{ElicitationHandler: a.handle}, "2025-11-25"), &mcp.CallToolParams{Name: "delete", Arguments: map[string]any{"id": "42"}})
	if res.IsError || ts.runs.Load() != 1 {
		t.Errorf("session client without a codec: %q (isError %v), runs %d", text(res), res.IsError, ts.runs.Load())
	}
}

// TestSessionAskFails: a session client whose user does not answer in time,
// or whose client fails to ask, runs nothing.
func TestSessionAskFails(t *testing.T) {
	ts := newTestServer(t, newCodec(t))
	ts.AddReceivingMiddleware(Middleware(&Options{TTL: time.Millisecond, Tools: map[string]Rule{"list": {}}}))
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	handler := func(ctx context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		if req.Params.Message == "Run list" {
			// The user never answers; the server stops waiting.
			select {
			case <-ctx.Done():
			case <-done:
			}
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("the user interface is closed")
	}
	cs := connect(t, ts.Server, &mcp.ClientOptions{ElicitationHandler: handler}, "2025-11-25")
	if res := call(t, cs, &mcp.CallToolParams{Name: "list"}); !res.IsError || !strings.Contains(text(res), "did not answer within 1ms whether to run list") {
		t.Errorf("no answer in time: %q (isError %v)", text(res), res.IsError)
	}
	res := call(t, cs, &mcp.CallToolParams{Name: "delete", Arguments: map[string]any{"id": "42"}})
	if !res.IsError || !strings.Contains(text(res), "this client cannot ask for that") || !strings.Contains(text(res), "the user interface is closed") || ts.runs.Load() != 0 {
		t.Errorf("a client that fails to ask: %q (isError %v), runs %d", text(res), res.IsError, ts.runs.Load())
	}
}

// TestStatelessOldClient: over stateless streamable HTTP, a client of an
// older protocol has no session to be asked in, whatever it declared.
func TestStatelessOldClient(t *testing.T) {
	ts := newTestServer(t, newCodec(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return ts.Server }, &mcp.StreamableHTTPOptions{Stateless: true})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	a := &answer{action: "accept", confirm: true}
	for _, version := range []string{"2025-11-25", ""} {
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "v0"}, &mcp.ClientOptions{ElicitationHandler: a.handle}).
			Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: "http://" + ln.Addr().String()}, &mcp.ClientSessionOptions{ProtocolVersion: version})
		if err != nil {
			t.Fatal(err)
		}
		res := call(t, cs, &mcp.CallToolParams{Name: "delete", Arguments: map[string]any{"id": "42"}})
		cs.Close()
		switch version {
		case "":
			if res.IsError || ts.runs.Load() != 1 {
				t.Errorf("multi-round client over stateless HTTP: %q (isError %v), runs %d", text(res), res.IsError, ts.runs.Load())
			}
		default:
			if !res.IsError || !strings.Contains(text(res), "cannot ask") || ts.runs.Load() != 0 {
				t.Errorf("%s client over stateless HTTP: %q (isError %v), runs %d", version, text(res), res.IsError, ts.runs.Load())
			}
		}
	}
}

// TestUsers: a state sealed for one user does not confirm another's call,
// and outcomes are recorded for the audit.
func TestUsers(t *testing.T) {
	mw := Middleware(&Options{Tools: map[string]Rule{"delete": {}}, States: newCodec(t)})
	var runs int
	h := mw(func(context.Context, string, mcp.Request) (mcp.Result, error) {
		runs++
		return &mcp.CallToolResult{}, nil
	})
	meta := mcp.Meta{
		mcp.MetaKeyProtocolVersion:    "2026-07-28",
		mcp.MetaKeyClientCapabilities: map[string]any{"elicitation": map[string]any{}},
	}
	req := func(user, state string) *mcp.CallToolRequest {
		return &mcp.CallToolRequest{
			Params: &mcp.CallToolParamsRaw{Meta: meta, Name: "delete", Arguments: json.RawMessage(`{"id":"42"}`), RequestState: state, InputResponses: accepted(true)},
			Extra:  &mcp.RequestExtra{TokenInfo: &auth.TokenInfo{UserID: user}},
		}
	}
	ctx, info := callinfo.With(context.Background())
	res, err := h(ctx, "tools/call", req("alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	first := res.(*mcp.CallToolResult)
	if first.RequestState == "" || info.Outcome() != callinfo.InputRequired {
		t.Fatalf("first round: state %q, outcome %q", first.RequestState, info.Outcome())
	}

	ctx, info = callinfo.With(context.Background())
	res, _ = h(ctx, "tools/call", req("bob", first.RequestState))
	if r := res.(*mcp.CallToolResult); !r.IsError || !strings.Contains(text(r), "another user") || runs != 0 || info.Outcome() != callinfo.Refused {
		t.Errorf("bob with alice's state: %q (isError %v), runs %d, outcome %q", text(r), r.IsError, runs, info.Outcome())
	}

	// The user may come from the context (the legacy SSE transport).
	ctx, _ = callinfo.With(contextOf(t, "alice"))
	r := req("", first.RequestState)
	r.Extra = nil
	if res, _ = h(ctx, "tools/call", r); res.(*mcp.CallToolResult).IsError || runs != 1 {
		t.Errorf("alice with her state: %q, runs %d", text(res.(*mcp.CallToolResult)), runs)
	}

	ctx, info = callinfo.With(context.Background())
	declined := req("alice", "")
	res, _ = h(ctx, "tools/call", declined)
	declined.Params.RequestState = res.(*mcp.CallToolResult).RequestState
	declined.Params.InputResponses = mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "decline"}}
	ctx, info = callinfo.With(context.Background())
	h(ctx, "tools/call", declined)
	if info.Outcome() != callinfo.Declined || runs != 1 {
		t.Errorf("declined: outcome %q, runs %d", info.Outcome(), runs)
	}
}

// contextOf returns the context auth.RequireBearerToken gives a request
// of user.
func contextOf(t *testing.T, user string) context.Context {
	var ctx context.Context
	verify := func(context.Context, string, *http.Request) (*auth.TokenInfo, error) {
		return &auth.TokenInfo{UserID: user, Expiration: time.Now().Add(time.Hour)}, nil
	}
	h := auth.RequireBearerToken(verify, nil)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { ctx = r.Context() }))
	r := httptest.NewRequest("POST", "/mcp", nil)
	r.Header.Set("Authorization", "Bearer token")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if ctx == nil {
		t.Fatal("RequireBearerToken refused the request")
	}
	return ctx
}

func TestAsk(t *testing.T) {
	var asked []map[string]any
	ts := newTestServer(t, newCodec(t))
	ts.AddReceivingMiddleware(Middleware(&Options{States: newCodec(t), Tools: map[string]Rule{"list": {
		Ask: func(args map[string]any) bool { asked = append(asked, args); return args["all"] == true },
	}}}))
	cs := connect(t, ts.Server, nil, "")
	if res := call(t, cs, &mcp.CallToolParams{Name: "list", Arguments: map[string]any{"all": false}}); res.IsError {
		t.Errorf("a call Ask passes: %q", text(res))
	}
	if res := call(t, cs, &mcp.CallToolParams{Name: "list", Arguments: map[string]any{"all": true}}); !res.IsError {
		t.Errorf("a call Ask holds ran without confirmation: %q", text(res))
	}
	if len(asked) != 2 {
		t.Errorf("Ask was called %d times, want 2", len(asked))
	}
}

func TestSummaryError(t *testing.T) {
	ts := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v0"}, nil)
	ran := false
	ts.AddTool(&mcp.Tool{Name: "delete", InputSchema: json.RawMessage(`{"type":"object"}`)}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ran = true
		return &mcp.CallToolResult{}, nil
	})
	ts.AddReceivingMiddleware(Middleware(&Options{States: newCodec(t), Tools: map[string]Rule{"delete": {
		Summary: func(map[string]any) (string, error) { return "", fmt.Errorf(`missing required argument "id"`) },
	}}}))
	a := &answer{action: "accept", confirm: true}
	res := call(t, connect(t, ts, &mcp.ClientOptions{ElicitationHandler: a.handle}, ""), &mcp.CallToolParams{Name: "delete"})
	if want := `delete cannot run: missing required argument "id"; nothing was done`; !res.IsError || text(res) != want || ran || len(a.questions()) != 0 {
		t.Errorf("a summary that fails: %q (isError %v), ran %v, asked %q; want %q", text(res), res.IsError, ran, a.questions(), want)
	}
}

func TestTemplate(t *testing.T) {
	for _, tc := range []struct{ tmpl, want string }{
		{"Delete {{id}}?", "Delete 42?"},
		{"Move {{from}} to {{to}}", "Move a to (none)"},
		{"{{n}} and {{tags}} and {{obj}}", `7 and ["x","y"] and {"k":true}`},
		{"unclosed {{id", "unclosed {{id"},
		{"no placeholders", "no placeholders"},
	} {
		got, _ := Template(tc.tmpl)(map[string]any{"id": "42", "from": "a", "n": 7.0, "tags": []any{"x", "y"}, "obj": map[string]any{"k": true}})
		if got != tc.want {
			t.Errorf("Template(%q) = %q, want %q", tc.tmpl, got, tc.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("a\nb\tc\u0000d"); got != "a b c d" {
		t.Errorf("oneLine = %q", got)
	}
	long := strings.Repeat("é", maxSummary+10)
	if got := oneLine(long); len([]rune(got)) != maxSummary || !strings.HasSuffix(got, "…") {
		t.Errorf("a long summary is %d runes: %q", len([]rune(got)), got)
	}
}
