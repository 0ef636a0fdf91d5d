package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// upstreamRequest is what the fake API saw of one request.
type upstreamRequest struct {
	Method, Path, Query string
	Header              http.Header
	Body                string
}

// fakePetstore is the API of testdata/petstore.yaml, on loopback: it
// records every request and answers as the document says.
type fakePetstore struct {
	*httptest.Server
	mu   sync.Mutex
	seen []upstreamRequest
}

func newFakePetstore(t *testing.T) *fakePetstore {
	f := &fakePetstore{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/pets", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"id":1,"name":"Rex","tag":"dog"},{"id":2,"name":"Tom","tag":null}]`)
	})
	mux.HandleFunc("POST /v1/pets", func(w http.ResponseWriter, r *http.Request) {
		var p struct{ Name, Tag string }
		if err := json.NewDecoder(strings.NewReader(f.last().Body)).Decode(&p); err != nil {
			http.Error(w, `{"message":"bad body"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": 3, "name": p.Name, "tag": p.Tag})
	})
	mux.HandleFunc("GET /v1/pets/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.PathValue("id") != "1" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"code":404,"message":"pet `+r.PathValue("id")+` not found"}`)
			return
		}
		io.WriteString(w, `{"id":1,"name":"Rex","tag":"dog"}`)
	})
	mux.HandleFunc("GET /v1/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
			io.WriteString(w, "too late")
		}
	})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.seen = append(f.seen, upstreamRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
		f.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakePetstore) last() upstreamRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		return upstreamRequest{}
	}
	return f.seen[len(f.seen)-1]
}

func (f *fakePetstore) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}

// TestEndToEndOpenAPI generates a server from testdata/petstore.yaml, as
// `mcpgen new --from` does, builds it, runs it against a fake of the API
// and calls its tools over streamable HTTP: the arguments must arrive where
// the document puts them, with the credentials, and the API's answers
// (errors and timeouts included) must come back as tool results.
func TestEndToEndOpenAPI(t *testing.T) {
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	dir := filepath.Join(t.TempDir(), "petstore")
	spec, err := filepath.Abs("testdata/petstore.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, "", "new", "petstore", "--from", spec, "--out", dir); code != 0 {
		t.Fatalf("mcpgen new --from: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "petstore.yaml")); err != nil {
		t.Fatalf("the document was not copied into the project: %v", err)
	}
	env := readString(t, filepath.Join(dir, ".env.example"))
	for _, want := range []string{"PETSTORE_BASE_URL=https://petstore.example.com/v1", "PETSTORE_API_KEY="} {
		if !strings.Contains(env, want) {
			t.Errorf(".env.example lacks %q:\n%s", want, env)
		}
	}

	// A short timeout, and createPet served by a handler of the user's.
	appendTo(t, filepath.Join(dir, "mcpgen.yaml"), "  timeout: 1s\n  overrides:\n    - operation: createPet\n      custom: true\n")
	if code, _, stderr := mcpgen(t, dir, "generate"); code != 0 {
		t.Fatalf("mcpgen generate: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "create_pet_tool.go")); err != nil {
		t.Fatalf("no handler file for the custom tool: %v", err)
	}
	if out, err := goCmd(t, dir, "vet", "./..."); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
	if out, err := goCmd(t, dir, "test", "./..."); err != nil {
		t.Fatalf("go test in the project: %v\n%s", err, out)
	}
	binary := buildServer(t, dir, "petstore-server")

	api := newFakePetstore(t)
	const secret = "s3cret-key-value"
	srv := testkit.StartServer(t, binary, testkit.OfflineEnv("PETSTORE_BASE_URL="+api.URL+"/v1", "PETSTORE_API_KEY="+secret))
	t.Cleanup(srv.Shutdown)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	byName := make(map[string]*mcp.Tool)
	for _, tool := range tools.Tools {
		byName[tool.Name] = tool
	}
	for _, name := range []string{"list_pets", "create_pet", "show_pet_by_id", "delete_pet", "slow_report"} {
		if byName[name] == nil {
			t.Fatalf("tools/list lacks %s; it has %v", name, keys(byName))
		}
	}
	if a := byName["list_pets"].Annotations; a == nil || !a.ReadOnlyHint {
		t.Errorf("list_pets (GET) is not marked read-only: %+v", a)
	}
	if a := byName["delete_pet"].Annotations; a == nil || a.DestructiveHint == nil || !*a.DestructiveHint || !a.IdempotentHint {
		t.Errorf("delete_pet (DELETE) is not marked destructive and idempotent: %+v", a)
	}

	call := func(name string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s: protocol error %v", name, err)
		}
		if strings.Contains(toolText(res), secret) {
			t.Errorf("%s: the API key reached the client: %s", name, toolText(res))
		}
		return res
	}

	// Query parameters (an array, exploded), a header, the API key.
	res := call("list_pets", map[string]any{"limit": 2, "tags": []string{"dog", "cat"}, "X-Request-Id": "req-7"})
	if res.IsError {
		t.Fatalf("list_pets: %s", toolText(res))
	}
	got := api.last()
	if got.Method != "GET" || got.Path != "/v1/pets" || got.Query != "limit=2&tags=dog&tags=cat" {
		t.Errorf("list_pets sent %s %s?%s, want GET /v1/pets?limit=2&tags=dog&tags=cat", got.Method, got.Path, got.Query)
	}
	if got.Header.Get("X-API-Key") != secret || got.Header.Get("X-Request-Id") != "req-7" {
		t.Errorf("list_pets headers: X-API-Key %q, X-Request-Id %q", got.Header.Get("X-API-Key"), got.Header.Get("X-Request-Id"))
	}
	structured, _ := json.Marshal(res.StructuredContent)
	if !strings.Contains(string(structured), `"result"`) || !strings.Contains(string(structured), `"Rex"`) {
		t.Errorf("list_pets structuredContent = %s, want the array under result", structured)
	}

	// A JSON body, through the user's custom handler.
	res = call("create_pet", map[string]any{"body": map[string]any{"name": "Kitty", "tag": "cat"}})
	if res.IsError {
		t.Fatalf("create_pet: %s", toolText(res))
	}
	got = api.last()
	if got.Method != "POST" || got.Path != "/v1/pets" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("create_pet sent %s %s (Content-Type %q)", got.Method, got.Path, got.Header.Get("Content-Type"))
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(got.Body), &body); err != nil || body["name"] != "Kitty" || body["tag"] != "cat" {
		t.Errorf("create_pet body = %s", got.Body)
	}

	// A path parameter, and a 404 that becomes a tool error.
	res = call("show_pet_by_id", map[string]any{"petId": 42})
	if got := api.last(); got.Path != "/v1/pets/42" {
		t.Errorf("show_pet_by_id sent %s", got.Path)
	}
	if !res.IsError || !strings.Contains(toolText(res), "404") || !strings.Contains(toolText(res), "pet 42 not found") {
		t.Errorf("show_pet_by_id(42) = %q (isError %v), want a tool error with 404 and the API's message", toolText(res), res.IsError)
	}

	// Arguments that break the schema never reach the API.
	before := api.count()
	res = call("list_pets", map[string]any{"limit": "many"})
	if !res.IsError || api.count() != before {
		t.Errorf("list_pets(limit: many) = %q (isError %v), API calls %d→%d; want a tool error and no call", toolText(res), res.IsError, before, api.count())
	}

	// A slow API hits the timeout set in mcpgen.yaml.
	res = call("slow_report", nil)
	if !res.IsError {
		t.Errorf("slow_report succeeded (%q), want a timeout error", toolText(res))
	}
	if got := api.last(); got.Path != "/v1/slow" || got.Header.Get("X-API-Key") != "" {
		t.Errorf("slow_report sent %s with X-API-Key %q; it needs no credentials", got.Path, got.Header.Get("X-API-Key"))
	}
}

func keys(m map[string]*mcp.Tool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
