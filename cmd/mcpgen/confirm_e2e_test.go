package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// labelsSpec is a slice of an issue tracker's API: listing a repository's
// labels, deleting one, and purging its cache, which the manifest lets run
// unconfirmed.
const labelsSpec = `openapi: 3.0.3
info: {title: Labels, version: "1"}
servers: [{url: "https://labels.example.com"}]
paths:
  /repos/{owner}/{repo}/labels:
    parameters:
      - {name: owner, in: path, required: true, schema: {type: string}}
      - {name: repo, in: path, required: true, schema: {type: string}}
    get:
      operationId: listLabels
      responses: {"200": {description: OK, content: {application/json: {schema: {type: array, items: {type: string}}}}}}
  /repos/{owner}/{repo}/labels/{name}:
    delete:
      operationId: deleteLabel
      parameters:
        - {name: owner, in: path, required: true, schema: {type: string}}
        - {name: repo, in: path, required: true, schema: {type: string}}
        - {name: name, in: path, required: true, schema: {type: string}}
      responses: {"204": {description: Deleted}}
  /repos/{owner}/{repo}/cache:
    delete:
      operationId: purgeCache
      parameters:
        - {name: owner, in: path, required: true, schema: {type: string}}
        - {name: repo, in: path, required: true, schema: {type: string}}
      responses: {"204": {description: Purged}}
`

// countingAPI is the stand-in of the labels API: it counts the requests
// it gets, by method and path.
type countingAPI struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string]int
}

func newCountingAPI(t *testing.T) *countingAPI {
	a := &countingAPI{seen: make(map[string]int)}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.seen[r.Method+" "+r.URL.Path]++
		a.mu.Unlock()
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`["bug","wontfix"]`))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(a.Close)
	return a
}

// count is how many requests for "METHOD /path" the API got.
func (a *countingAPI) count(request string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen[request]
}

// elicitor answers every question the same way and records them.
type elicitor struct {
	action string
	mu     sync.Mutex
	asked  []string
}

func (e *elicitor) handle(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	e.mu.Lock()
	e.asked = append(e.asked, req.Params.Message)
	e.mu.Unlock()
	if e.action != "accept" {
		return &mcp.ElicitResult{Action: e.action}, nil
	}
	return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
}

func (e *elicitor) questions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.asked...)
}

func newRequestStateKey(t *testing.T) string {
	k := make([]byte, 32)
	rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

// TestEndToEndConfirm generates a server from an OpenAPI document with a
// DELETE operation, runs it against a stand-in of the API that counts
// requests, and calls the DELETE's tool with the go-sdk client: on the
// multi-round protocol over stateless HTTP (accepting, declining,
// tampering with the state, replaying it), in a session over stateful HTTP
// and SSE (elicitation/create), and from clients that cannot be asked.
// Only a genuine acceptance reaches the API, once.
func TestEndToEndConfirm(t *testing.T) {
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	dir := filepath.Join(t.TempDir(), "labels")
	spec := filepath.Join(t.TempDir(), "labels.yaml")
	if err := os.WriteFile(spec, []byte(labelsSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, "", "new", "labels", "--from", spec, "--out", dir); code != 0 {
		t.Fatalf("mcpgen new --from: exit %d\n%s", code, stderr)
	}
	appendTo(t, filepath.Join(dir, "mcpgen.yaml"), "  overrides:\n    - operation: purgeCache\n      confirm: never\n")
	if code, _, stderr := mcpgen(t, dir, "generate"); code != 0 {
		t.Fatalf("mcpgen generate: exit %d\n%s", code, stderr)
	}
	binary := buildServer(t, dir, "labels-server")

	api := newCountingAPI(t)
	const deleteBug = "DELETE /repos/octo/hello/labels/bug"
	env := testkit.OfflineEnv("LABELS_BASE_URL="+api.URL, "REQUEST_STATE_KEY="+newRequestStateKey(t))
	stateless := testkit.StartServer(t, binary, env)
	t.Cleanup(stateless.Shutdown)
	stateful := testkit.StartServer(t, binary, env, "--stateful")
	t.Cleanup(stateful.Shutdown)

	args := func(name string) map[string]any {
		return map[string]any{"owner": "octo", "repo": "hello", "name": name}
	}
	connectWith := func(t *testing.T, transport mcp.Transport, opts *mcp.ClientOptions, version string) *mcp.ClientSession {
		t.Helper()
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, opts).Connect(t.Context(), transport, &mcp.ClientSessionOptions{ProtocolVersion: version})
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		t.Cleanup(func() { cs.Close() })
		return cs
	}
	callTool := func(t *testing.T, cs *mcp.ClientSession, p *mcp.CallToolParams) *mcp.CallToolResult {
		t.Helper()
		res, err := cs.CallTool(t.Context(), p)
		if err != nil {
			t.Fatalf("%s: protocol error %v", p.Name, err)
		}
		return res
	}
	streamable := func(s *testkit.Server) mcp.Transport { return &mcp.StreamableClientTransport{Endpoint: s.URL + "/mcp"} }

	// Each case calls delete_label once, as a client answering one way,
	// and checks what reached the API.
	for _, tc := range []struct {
		name      string
		transport func() mcp.Transport
		version   string // "" is the latest: multi-round on stateless HTTP
		answer    string // "" declares no elicitation capability
		runs      int
		want      string // the result's text
	}{
		{"multi-round accept", func() mcp.Transport { return streamable(stateless) }, "", "accept", 1, ""},
		{"multi-round decline", func() mcp.Transport { return streamable(stateless) }, "", "decline", 0, "the user declined: " + deleteBug + "; nothing was done"},
		{"multi-round cancel", func() mcp.Transport { return streamable(stateless) }, "", "cancel", 0, "the user cancelled: " + deleteBug + "; nothing was done"},
		{"stateful accept", func() mcp.Transport { return streamable(stateful) }, "", "accept", 1, ""},
		{"stateful decline", func() mcp.Transport { return streamable(stateful) }, "", "decline", 0, "the user declined: " + deleteBug + "; nothing was done"},
		{"sse accept", func() mcp.Transport { return &mcp.SSEClientTransport{Endpoint: stateless.URL + "/sse"} }, "", "accept", 1, ""},
		{"sse decline", func() mcp.Transport { return &mcp.SSEClientTransport{Endpoint: stateless.URL + "/sse"} }, "", "decline", 0, "the user declined: " + deleteBug + "; nothing was done"},
		{"no elicitation", func() mcp.Transport { return streamable(stateless) }, "", "", 0, "delete_label runs only after the user confirms it, and this client cannot ask for that (it does not support elicitation); nothing was done"},
		{"old client over stateless HTTP", func() mcp.Transport { return streamable(stateless) }, "2025-11-25", "accept", 0, "delete_label runs only after the user confirms it, and this client cannot ask for that"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &elicitor{action: tc.answer}
			opts := &mcp.ClientOptions{}
			if tc.answer != "" {
				opts.ElicitationHandler = e.handle
			}
			cs := connectWith(t, tc.transport(), opts, tc.version)
			before := api.count(deleteBug)
			res := callTool(t, cs, &mcp.CallToolParams{Name: "delete_label", Arguments: args("bug")})
			if got := api.count(deleteBug) - before; got != tc.runs {
				t.Errorf("the API got %d DELETEs, want %d (result %q)", got, tc.runs, toolText(res))
			}
			switch {
			case tc.want == "" && res.IsError:
				t.Errorf("result %q is a tool error, want the API's answer", toolText(res))
			case tc.want != "" && (!res.IsError || !strings.HasPrefix(toolText(res), tc.want)):
				t.Errorf("result %q (isError %v), want a tool error starting %q", toolText(res), res.IsError, tc.want)
			}
			if tc.answer != "" && tc.version == "" {
				if q := e.questions(); len(q) != 1 || q[0] != deleteBug {
					t.Errorf("the user was asked %q, want once %q", q, deleteBug)
				}
			}
		})
	}

	t.Run("states", func(t *testing.T) {
		e := &elicitor{action: "accept"}
		cs := connectWith(t, streamable(stateless), &mcp.ClientOptions{
			ElicitationHandler: e.handle,
			MultiRoundTrip:     &mcp.MultiRoundTripOptions{Disabled: true},
		}, "")
		accept := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}}
		ask := func(name string) string {
			t.Helper()
			res := callTool(t, cs, &mcp.CallToolParams{Name: "delete_label", Arguments: args(name)})
			if !res.NeedsInput() || res.RequestState == "" {
				t.Fatalf("first round: %q (needs input %v), want input required with a state", toolText(res), res.NeedsInput())
			}
			return res.RequestState
		}
		again := func(name, state string) *mcp.CallToolResult {
			t.Helper()
			return callTool(t, cs, &mcp.CallToolParams{Name: "delete_label", Arguments: args(name), RequestState: state, InputResponses: accept})
		}
		before, beforeWontfix := api.count(deleteBug), api.count("DELETE /repos/octo/hello/labels/wontfix")
		refused := func(what string, res *mcp.CallToolResult, want string) {
			t.Helper()
			if !res.IsError || !strings.Contains(toolText(res), want) || !strings.Contains(toolText(res), "nothing was done") {
				t.Errorf("%s: %q (isError %v), want a tool error saying %q and that nothing was done", what, toolText(res), res.IsError, want)
			}
			if api.count(deleteBug) != before || api.count("DELETE /repos/octo/hello/labels/wontfix") != beforeWontfix {
				t.Fatalf("%s reached the API", what)
			}
		}

		state := ask("bug")
		b := []byte(state)
		i := len(b) / 2
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		refused("a tampered state", again("bug", string(b)), "not valid")
		refused("the state replayed for other arguments", again("wontfix", state), "issued for other arguments")
		if res := again("bug", state); res.IsError || api.count(deleteBug) != before+1 {
			t.Fatalf("the genuine acceptance: %q (isError %v); the API got %d DELETEs, want 1", toolText(res), res.IsError, api.count(deleteBug)-before)
		}
		before++
		refused("the same acceptance a second time", again("bug", state), "already completed")
		refused("the used acceptance for other arguments", again("wontfix", state), "issued for other arguments")
		if len(e.questions()) != 0 {
			t.Errorf("the client's handler was asked %q; this client does the rounds itself", e.questions())
		}
	})

	t.Run("unconfirmed tools", func(t *testing.T) {
		cs := connectWith(t, streamable(stateless), nil, "")
		if res := callTool(t, cs, &mcp.CallToolParams{Name: "purge_cache", Arguments: map[string]any{"owner": "octo", "repo": "hello"}}); res.IsError || api.count("DELETE /repos/octo/hello/cache") != 1 {
			t.Errorf("purge_cache (confirm: never): %q (isError %v), API calls %d; want it to run unasked", toolText(res), res.IsError, api.count("DELETE /repos/octo/hello/cache"))
		}
		if res := callTool(t, cs, &mcp.CallToolParams{Name: "list_labels", Arguments: map[string]any{"owner": "octo", "repo": "hello"}}); res.IsError {
			t.Errorf("list_labels: %q, want it to run unasked", toolText(res))
		}
	})
}

// TestEndToEndConfirmReplicas runs two replicas of a server with a DELETE
// on one Redis: a confirmation asked by one completes on the other, once,
// and a replica refuses to start on Redis without REQUEST_STATE_KEY.
func TestEndToEndConfirmReplicas(t *testing.T) {
	redis := testkit.StartRedis(t)
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	dir := filepath.Join(t.TempDir(), "labels")
	spec := filepath.Join(t.TempDir(), "labels.yaml")
	if err := os.WriteFile(spec, []byte(labelsSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, "", "new", "labels", "--from", spec, "--out", dir); code != 0 {
		t.Fatalf("mcpgen new --from: exit %d\n%s", code, stderr)
	}
	binary := buildServer(t, dir, "labels-server")
	api := newCountingAPI(t)

	cmd := exec.Command(binary, "--addr", "127.0.0.1:0")
	cmd.Env = testkit.OfflineEnv("LABELS_BASE_URL="+api.URL, "STORE_URL="+redis.URL(), "REQUEST_STATE_KEY=")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "REQUEST_STATE_KEY is not set") {
		t.Errorf("a replica on Redis without REQUEST_STATE_KEY: %v\n%s\nwant it to refuse to start, naming the setting", err, out)
	}

	env := testkit.OfflineEnv("LABELS_BASE_URL="+api.URL, "STORE_URL="+redis.URL(), "REQUEST_STATE_KEY="+newRequestStateKey(t))
	var urls []string
	for range 2 {
		s := testkit.StartServer(t, binary, env)
		t.Cleanup(s.Shutdown)
		urls = append(urls, s.URL)
	}
	session := func(url string) *mcp.ClientSession {
		a := &elicitor{action: "accept"}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, &mcp.ClientOptions{
			ElicitationHandler: a.handle,
			MultiRoundTrip:     &mcp.MultiRoundTripOptions{Disabled: true},
		}).Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: url + "/mcp"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cs.Close() })
		return cs
	}
	first, second := session(urls[0]), session(urls[1])
	args := map[string]any{"owner": "octo", "repo": "hello", "name": "bug"}
	res, err := first.CallTool(t.Context(), &mcp.CallToolParams{Name: "delete_label", Arguments: args})
	if err != nil || !res.NeedsInput() {
		t.Fatalf("first round on replica 1: %v, %+v", err, res)
	}
	accept := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}}
	p := &mcp.CallToolParams{Name: "delete_label", Arguments: args, RequestState: res.RequestState, InputResponses: accept}
	if res, err := second.CallTool(t.Context(), p); err != nil || res.IsError {
		t.Fatalf("the answer on replica 2: %v, %q", err, toolText(res))
	}
	if res, err := first.CallTool(t.Context(), p); err != nil || !res.IsError || !strings.Contains(toolText(res), "already completed") {
		t.Errorf("the same answer again on replica 1: %v, %q; want a tool error", err, toolText(res))
	}
	if n := api.count("DELETE /repos/octo/hello/labels/bug"); n != 1 {
		t.Errorf("the API got %d DELETEs, want 1", n)
	}
}

// TestEndToEndConfirmDynamic serves the labels API in dynamic mode: a call
// of the DELETE through call_operation asks as its own tool would, and a
// call of the GET does not.
func TestEndToEndConfirmDynamic(t *testing.T) {
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	dir := filepath.Join(t.TempDir(), "labels")
	spec := filepath.Join(t.TempDir(), "labels.yaml")
	if err := os.WriteFile(spec, []byte(labelsSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, "", "new", "labels", "--from", spec, "--out", dir, "--mode", "dynamic"); code != 0 {
		t.Fatalf("mcpgen new --from --mode dynamic: exit %d\n%s", code, stderr)
	}
	binary := buildServer(t, dir, "labels-server")
	api := newCountingAPI(t)
	srv := testkit.StartServer(t, binary, testkit.OfflineEnv("LABELS_BASE_URL="+api.URL))
	t.Cleanup(srv.Shutdown)

	call := func(cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "call_operation", Arguments: map[string]any{"name": name, "arguments": args}})
		if err != nil {
			t.Fatalf("call_operation %s: %v", name, err)
		}
		return res
	}
	repo := map[string]any{"owner": "octo", "repo": "hello"}
	bug := map[string]any{"owner": "octo", "repo": "hello", "name": "bug"}

	unasked := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp"})
	if res := call(unasked, "list_labels", repo); res.IsError || api.count("GET /repos/octo/hello/labels") != 1 {
		t.Errorf("list_labels through call_operation: %q (isError %v); want it to run unasked", toolText(res), res.IsError)
	}
	if res := call(unasked, "delete_label", bug); !res.IsError || api.count("DELETE /repos/octo/hello/labels/bug") != 0 {
		t.Errorf("delete_label through call_operation from a client that cannot be asked: %q (isError %v); want a tool error and no DELETE", toolText(res), res.IsError)
	}

	e := &elicitor{action: "accept"}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "v0"}, &mcp.ClientOptions{ElicitationHandler: e.handle}).
		Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	if res := call(cs, "delete_label", bug); res.IsError || api.count("DELETE /repos/octo/hello/labels/bug") != 1 {
		t.Errorf("delete_label through call_operation, accepted: %q (isError %v), DELETEs %d", toolText(res), res.IsError, api.count("DELETE /repos/octo/hello/labels/bug"))
	}
	if q := e.questions(); len(q) != 1 || q[0] != "DELETE /repos/octo/hello/labels/bug" {
		t.Errorf("the user was asked %q", q)
	}
}
