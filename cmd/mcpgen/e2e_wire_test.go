package main

import (
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// wireServer generates a server from the input of a golden case, builds
// and starts it against a loopback API that records each request, and
// returns a function that calls a tool and gives what the API saw.
func wireServer(t *testing.T, name, spec string) func(tool string, args map[string]any) upstreamRequest {
	if testing.Short() {
		t.Skip("builds and runs a generated server")
	}
	t.Setenv("MCPGEN_RUNTIME_DIR", checkoutRuntimeDir(t))
	dir := filepath.Join(t.TempDir(), name)
	spec, err := filepath.Abs(spec)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mcpgen(t, "", "new", name, "--from", spec, "--out", dir); code != 0 {
		t.Fatalf("mcpgen new --from: exit %d\n%s", code, stderr)
	}
	binary := buildServer(t, dir, name+"-server")
	var mu sync.Mutex
	var last upstreamRequest
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = upstreamRequest{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(body)}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(api.Close)
	env := strings.ToUpper(name) + "_BASE_URL=" + api.URL + "/v2"
	srv := testkit.StartServer(t, binary, testkit.OfflineEnv(env))
	t.Cleanup(srv.Shutdown)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp"})
	return func(tool string, args map[string]any) upstreamRequest {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
		if err != nil {
			t.Fatalf("%s: protocol error %v", tool, err)
		}
		if res.IsError {
			t.Fatalf("%s: %s", tool, toolText(res))
		}
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}

// wirePart is one part of a multipart body, as the API reads it.
type wirePart struct{ disposition, contentType, data string }

func wireParts(t *testing.T, r upstreamRequest) []wirePart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("Content-Type %q, want multipart/form-data", r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(strings.NewReader(r.Body), params["boundary"])
	var out []wirePart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		out = append(out, wirePart{p.Header.Get("Content-Disposition"), p.Header.Get("Content-Type"), string(data)})
	}
}

func checkRequest(t *testing.T, tool string, got upstreamRequest, method, path, query, contentType, body string) {
	t.Helper()
	if got.Method != method || got.Path != path || got.Query != query {
		t.Errorf("%s sent %s %s?%s, want %s %s?%s", tool, got.Method, got.Path, got.Query, method, path, query)
	}
	if ct := got.Header.Get("Content-Type"); ct != contentType {
		t.Errorf("%s: Content-Type %q, want %q", tool, ct, contentType)
	}
	if body != "" && got.Body != body {
		t.Errorf("%s sent the body\n%s\nwant\n%s", tool, got.Body, body)
	}
}

func checkParts(t *testing.T, tool string, got upstreamRequest, want []wirePart) {
	t.Helper()
	parts := wireParts(t, got)
	if len(parts) != len(want) {
		t.Fatalf("%s: parts %+v, want %+v", tool, parts, want)
	}
	for i := range want {
		if parts[i] != want[i] {
			t.Errorf("%s: part %d = %+v, want %+v", tool, i, parts[i], want[i])
		}
	}
}

// TestWireSwagger2 checks the requests of a server generated from a
// Swagger 2.0 document, byte for byte: bodies without consumes are JSON,
// formData is a form, and arrays follow their collectionFormat in the
// query, the path and headers.
func TestWireSwagger2(t *testing.T) {
	call := wireServer(t, "wire2", "../../golden/openapi-wire-swagger2/input/swagger.yaml")

	got := call("create_user", map[string]any{"body": map[string]any{"id": 7, "username": "ann"}})
	checkRequest(t, "create_user", got, "POST", "/v2/user", "", "application/json", `{"id":7,"username":"ann"}`)

	got = call("put_blob", map[string]any{"body": base64.StdEncoding.EncodeToString([]byte("\x00\x01"))})
	checkRequest(t, "put_blob", got, "PUT", "/v2/blob", "", "application/octet-stream", "\x00\x01")

	got = call("update_pet_with_form", map[string]any{"petId": 3, "body": map[string]any{
		"name": "Rex Jr", "tags": []string{"a", "b"}, "ids": []int{1, 2},
	}})
	checkRequest(t, "update_pet_with_form", got, "POST", "/v2/pet/3", "", "application/x-www-form-urlencoded", "ids=1&ids=2&name=Rex+Jr&tags=a,b")

	got = call("upload_file", map[string]any{"petId": 3, "body": map[string]any{
		"note": "hi", "file": map[string]any{"name": "a.png", "contentType": "image/png", "base64": "AAE="},
	}})
	checkRequest(t, "upload_file", got, "POST", "/v2/pet/3/image", "", got.Header.Get("Content-Type"), "")
	checkParts(t, "upload_file", got, []wirePart{
		{`form-data; name="file"; filename="a.png"`, "image/png", "\x00\x01"},
		{`form-data; name="note"`, "", "hi"},
	})

	arr := []string{"x", "y"}
	got = call("find", map[string]any{"csv": arr, "ssv": arr, "tsv": arr, "pipes": arr, "multi": arr})
	checkRequest(t, "find", got, "GET", "/v2/find", "csv=x,y&ssv=x%20y&tsv=x%09y&pipes=x%7Cy&multi=x&multi=y", "", "")

	// In the path and in headers, where OpenAPI 3 has no delimited styles.
	got = call("tags", map[string]any{"csv": arr, "ssv": arr, "tsv": arr, "pipes": arr,
		"X-Csv": arr, "X-Ssv": arr, "X-Tsv": arr, "X-Pipes": arr})
	checkRequest(t, "tags", got, "GET", "/v2/tags/x,y/x%20y/x%09y/x%7Cy", "", "", "")
	for name, want := range map[string]string{"X-Csv": "x,y", "X-Ssv": "x y", "X-Tsv": "x\ty", "X-Pipes": "x|y"} {
		if h := got.Header.Values(name); len(h) != 1 || h[0] != want {
			t.Errorf("tags: header %s = %q, want %q", name, h, want)
		}
	}
}

// TestWireEncoding checks the requests of a server generated from an
// OpenAPI 3.1 document whose form bodies give an Encoding Object.
func TestWireEncoding(t *testing.T) {
	call := wireServer(t, "wire", "../../golden/openapi-wire/input/openapi.yaml")

	got := call("get_items", map[string]any{"ids": []int{1, 2}, "filter": map[string]any{"a": "b"}})
	checkRequest(t, "get_items", got, "GET", "/v2/items/1,2/;a=b", "", "", "")

	obj := map[string]any{"foo": 1, "bar": 2}
	got = call("post_form", map[string]any{"body": map[string]any{
		"plain": obj, "flat": obj, "deep": map[string]any{"foo": 1}, "tags": []string{"a", "b"}, "json": map[string]any{"k": "v"},
	}})
	checkRequest(t, "post_form", got, "POST", "/v2/form", "", "application/x-www-form-urlencoded",
		"deep%5Bfoo%5D=1&flat=bar,2,foo,1&json=%7B%22k%22%3A%22v%22%7D&bar=2&foo=1&tags=a,b")

	got = call("upload", map[string]any{"body": map[string]any{
		"tags": []string{"a", "b"}, "meta": map[string]any{"k": "v"}, "doc": map[string]any{"name": "d.pdf", "base64": "JVBE"},
	}})
	checkParts(t, "upload", got, []wirePart{
		{`form-data; name="doc"; filename="d.pdf"`, "application/pdf", "%PD"},
		{`form-data; name="meta"`, "application/vnd.api+json", `{"k":"v"}`},
		{`form-data; name="tags"`, "", "a,b"},
	})
}
