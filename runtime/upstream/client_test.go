package upstream

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestNewBaseURL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		api     API
		env     map[string]string
		want    string // the base URL, or
		wantErr string // what the error says
	}{
		{name: "default", api: API{BaseURL: "https://api.example.com/v1/", BaseURLEnv: "X_URL"}, want: "https://api.example.com/v1"},
		{name: "env wins", api: API{BaseURL: "https://api.example.com", BaseURLEnv: "X_URL"}, env: map[string]string{"X_URL": "http://127.0.0.1:9/v2"}, want: "http://127.0.0.1:9/v2"},
		{name: "empty env ignored", api: API{BaseURL: "https://api.example.com", BaseURLEnv: "X_URL"}, env: map[string]string{"X_URL": ""}, want: "https://api.example.com"},
		{name: "missing", api: API{BaseURLEnv: "X_URL"}, wantErr: "no base URL; set X_URL"},
		{name: "relative", api: API{BaseURL: "/v1", BaseURLEnv: "X_URL"}, wantErr: `"/v1" is not an absolute http or https URL; set X_URL`},
		{name: "not http", api: API{BaseURLEnv: "X_URL"}, env: map[string]string{"X_URL": "ftp://example.com"}, wantErr: `X_URL "ftp://example.com" is not an absolute http or https URL; set X_URL`},
		{name: "password hidden", api: API{BaseURLEnv: "X_URL"}, env: map[string]string{"X_URL": "ftp://user:hunter22@example.com"}, wantErr: "xxxxx"},
		{name: "no env var", api: API{BaseURL: "api.example.com"}, wantErr: `"api.example.com" is not an absolute http or https URL`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(&tc.api, env(tc.env), nil)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("New succeeded, want an error saying %q", tc.wantErr)
				}
				if strings.Contains(err.Error(), "hunter22") {
					t.Errorf("the error shows the password: %v", err)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q does not say %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.base.String(); got != tc.want {
				t.Errorf("base URL = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRequestBasics(t *testing.T) {
	srv, got := recorder(t)
	// The base URL has a path of its own, which operation paths extend.
	c := newClient(t, &API{Name: "Pet Store"}, srv, map[string]string{"TEST_BASE_URL": srv.URL + "/v1/"})
	op := &Operation{Method: "PATCH", Path: "/pets/{petId}/owners/{owner}", Params: []Param{
		{Name: "petId", In: "path", Style: "simple", Required: true},
		{Name: "owner", Arg: "path_owner", In: "path", Style: "simple", Required: true},
		{Name: "owner", In: "query", Style: "form", Explode: true},
		{Name: "limit", In: "query", Style: "form", Explode: true},
		{Name: "X-Trace", In: "header", Style: "simple"},
		{Name: "Accept", In: "header", Style: "simple"}, // ignored, as OpenAPI says
	}, Body: &Body{Arg: "body", ContentType: "application/merge-patch+json"}}
	_, err := c.Do(context.Background(), op, decoded(t, `{
		"petId": 7, "path_owner": "Ann Lee", "owner": "bob", "X-Trace": "t1", "Accept": "text/html",
		"body": {"name": "Rex <3", "tags": ["a"]}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	r := got()
	if r.Method != "PATCH" {
		t.Errorf("method = %s", r.Method)
	}
	if want := "/v1/pets/7/owners/Ann%20Lee?owner=bob"; r.URI != want {
		t.Errorf("request URI = %s, want %s (limit, absent, must not be sent)", r.URI, want)
	}
	for name, want := range map[string]string{
		"X-Trace":      "t1",
		"Accept":       accept,
		"User-Agent":   "Pet Store (mcpgen)",
		"Content-Type": "application/merge-patch+json",
	} {
		if got := r.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if want := `{"name":"Rex <3","tags":["a"]}`; r.Body != want {
		t.Errorf("body = %s, want %s", r.Body, want)
	}
}

func TestMissingArguments(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the API was called: %s", r.RequestURI)
	})
	c := newClient(t, &API{Name: "test"}, srv, nil)
	for _, tc := range []struct {
		op   *Operation
		args string
		want string
	}{
		{&Operation{Method: "GET", Path: "/p/{id}", Params: []Param{{Name: "id", In: "path", Style: "simple", Required: true}}},
			`{}`, `missing required argument "id"`},
		{&Operation{Method: "GET", Path: "/p/{id}", Params: []Param{{Name: "id", Arg: "path_id", In: "path", Style: "simple", Required: true}}},
			`{"path_id": null}`, `missing required argument "path_id"`},
		{&Operation{Method: "GET", Path: "/p", Params: []Param{{Name: "q", In: "query", Style: "form", Required: true}}},
			`{}`, `missing required argument "q"`},
		{&Operation{Method: "POST", Path: "/p", Body: &Body{Arg: "body", ContentType: "application/json", Required: true}},
			`{}`, `missing required argument "body"`},
		{&Operation{Method: "GET", Path: "/p/{id}", Params: []Param{{Name: "id", In: "path", Style: "simple", Required: true}}},
			`{"id": []}`, `argument "id" is empty`},
		{&Operation{Method: "GET", Path: "/p", Params: []Param{{Name: "X-A", In: "header", Style: "simple"}}},
			`{"X-A": "a\r\nX-Injected: 1"}`, `control character`},
		{&Operation{Method: "GET", Path: "/p/{id}"},
			`{"id": 1}`, `names {id}, which is not a path parameter`},
	} {
		_, err := c.Do(context.Background(), tc.op, decoded(t, tc.args))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s with %s: error %v, want one saying %q", tc.op.Method, tc.op.Path, tc.args, err, tc.want)
		}
		res, err := c.Call(context.Background(), tc.op, decoded(t, tc.args))
		if err != nil || !res.IsError || !strings.Contains(resultText(res), tc.want) {
			t.Errorf("Call: %v, %v; want a tool error saying %q", resultText(res), err, tc.want)
		}
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := newClient(t, &API{Name: "Slow API", Timeout: 50 * time.Millisecond}, srv, nil)
	op := &Operation{Tool: "slow", Method: "GET", Path: "/slow"}

	_, err := c.Do(context.Background(), op, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do: %v, want a deadline error", err)
	}
	res, err := c.Call(context.Background(), op, nil)
	if err != nil {
		t.Fatalf("Call: %v, want a tool error", err)
	}
	if want := "Slow API did not answer GET /slow within 50ms"; !res.IsError || !strings.Contains(resultText(res), want) {
		t.Errorf("Call = %q (IsError %v), want a tool error saying %q", resultText(res), res.IsError, want)
	}
}

func TestCallCancelled(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := newClient(t, &API{Name: "test"}, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := c.Call(ctx, &Operation{Method: "GET", Path: "/"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Call with a cancelled context = %v, %v; want context.Canceled", res, err)
	}
}

func TestConnectionRefused(t *testing.T) {
	srv := serve(t, func(http.ResponseWriter, *http.Request) {})
	c := newClient(t, &API{Name: "Gone API"}, srv, nil)
	srv.Close()
	res, err := c.Call(context.Background(), &Operation{Method: "GET", Path: "/x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if text := resultText(res); !res.IsError || !strings.Contains(text, "calling Gone API (GET /x) failed") {
		t.Errorf("result %q, want a tool error about the failed call", text)
	}
}

func TestNotFoundMessage(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"code": 404, "message": "Pet 42 not found"}`)
	})
	c := newClient(t, &API{Name: "Pet Store"}, srv, nil)
	op := &Operation{Method: "GET", Path: "/pets/{petId}", Params: []Param{{Name: "petId", In: "path", Style: "simple", Required: true}}}
	resp, err := c.Do(context.Background(), op, map[string]any{"petId": 42.0})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 404 {
		t.Errorf("Status = %d", resp.Status)
	}
	res := resp.Result()
	if want := "Pet Store answered 404 Not Found to GET /pets/{petId}: Pet 42 not found"; !res.IsError || resultText(res) != want {
		t.Errorf("result %q (IsError %v), want a tool error %q", resultText(res), res.IsError, want)
	}
	if res.StructuredContent != nil {
		t.Errorf("an error has structured content %v", res.StructuredContent)
	}
}

func TestTruncation(t *testing.T) {
	body := strings.Repeat("0123456789", 300) // 3000 bytes
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = io.WriteString(w, body)
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `["`+body+`"]`)
		case "/stream":
			// No Content-Length: the full size is unknown.
			w.Header().Set("Content-Type", "text/plain")
			for range 3 {
				_, _ = io.WriteString(w, body[:1000])
				w.(http.Flusher).Flush()
			}
		}
	})
	c := newClient(t, &API{Name: "test", MaxResponseBytes: 1024}, srv, nil)

	resp, err := c.Do(context.Background(), &Operation{Method: "GET", Path: "/text"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Truncated || len(resp.Body) != 1024 || resp.Size != 3000 {
		t.Errorf("Truncated %v, %d bytes of %d; want the first 1024 of 3000", resp.Truncated, len(resp.Body), resp.Size)
	}
	res := resp.Result()
	want := body[:1024] + "\n[The response was cut to its first 1 KiB; 1976 bytes of 3000 bytes were left out.]"
	if res.IsError || resultText(res) != want {
		t.Errorf("result %q (IsError %v), want the text and a note", resultText(res), res.IsError)
	}

	resp, err = c.Do(context.Background(), &Operation{Method: "GET", Path: "/stream"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Truncated || resp.Size != -1 {
		t.Errorf("Truncated %v, Size %d; want true, -1", resp.Truncated, resp.Size)
	}
	if text := resultText(resp.Result()); !strings.HasSuffix(text, "[The response was cut to its first 1 KiB; the rest, of unknown length, was left out.]") {
		t.Errorf("result ends %q", text[len(text)-100:])
	}

	// Cut JSON is no JSON: a tool error, with the partial text.
	res, err = c.Call(context.Background(), &Operation{Method: "GET", Path: "/json"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if text := resultText(res); !res.IsError || res.StructuredContent != nil || !strings.HasPrefix(text, `["0123`) || !strings.Contains(text, "The JSON is incomplete") {
		t.Errorf("result %.100q… (IsError %v), want a tool error with the partial JSON", text, res.IsError)
	}
}

func TestBodies(t *testing.T) {
	files := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/logo.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = io.WriteString(w, "PNGDATA")
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat("x", 2000))
		default:
			http.NotFound(w, r)
		}
	})
	srv, got := recorder(t)
	c := newClient(t, &API{Name: "test", MaxResponseBytes: 1024}, srv, nil)
	post := func(ct string, files ...string) *Operation {
		return &Operation{Method: "POST", Path: "/", Body: &Body{Arg: "body", ContentType: ct, Files: files}}
	}

	t.Run("json", func(t *testing.T) {
		if _, err := c.Do(context.Background(), post("application/json"), decoded(t, `{"body": [1, "a&b"]}`)); err != nil {
			t.Fatal(err)
		}
		if r := got(); r.Body != `[1,"a&b"]` || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("sent %s as %s", r.Body, r.Header.Get("Content-Type"))
		}
	})
	t.Run("optional body left out", func(t *testing.T) {
		if _, err := c.Do(context.Background(), post("application/json"), decoded(t, `{}`)); err != nil {
			t.Fatal(err)
		}
		if r := got(); r.Body != "" || r.Header.Get("Content-Type") != "" {
			t.Errorf("sent %q as %q, want no body", r.Body, r.Header.Get("Content-Type"))
		}
	})
	t.Run("form", func(t *testing.T) {
		if _, err := c.Do(context.Background(), post("application/x-www-form-urlencoded"),
			decoded(t, `{"body": {"name": "a b&c", "ids": [1, 2], "meta": {"k": "v"}, "none": null, "ok": true}}`)); err != nil {
			t.Fatal(err)
		}
		r := got()
		// An object member is style form, exploded: its members are fields.
		if want := "ids=1&ids=2&k=v&name=a+b%26c&ok=true"; r.Body != want {
			t.Errorf("sent %s, want %s", r.Body, want)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type = %s", ct)
		}
	})
	t.Run("multipart", func(t *testing.T) {
		_, err := c.Do(context.Background(), post("multipart/form-data", "file", "logo", "docs"), decoded(t, `{"body": {
			"title": "Hello",
			"tags": ["a", "b"],
			"meta": {"k": 1},
			"file": {"name": "notes.txt", "contentType": "text/plain", "base64": "`+base64.StdEncoding.EncodeToString([]byte("some notes"))+`"},
			"logo": {"url": "`+files.URL+`/logo.png"},
			"docs": [{"base64": "AAE"}]
		}}`))
		if err != nil {
			t.Fatal(err)
		}
		r := got()
		parts := readParts(t, r)
		want := []part{
			{name: "docs", filename: "docs", contentType: "application/octet-stream", data: "\x00\x01"},
			{name: "file", filename: "notes.txt", contentType: "text/plain", data: "some notes"},
			{name: "logo", filename: "logo.png", contentType: "image/png", data: "PNGDATA"},
			{name: "meta", contentType: "application/json", data: `{"k":1}`},
			{name: "tags", data: "a"},
			{name: "tags", data: "b"},
			{name: "title", data: "Hello"},
		}
		if len(parts) != len(want) {
			t.Fatalf("parts %+v, want %+v", parts, want)
		}
		for i := range want {
			if parts[i] != want[i] {
				t.Errorf("part %d = %+v, want %+v", i, parts[i], want[i])
			}
		}
	})
	t.Run("form encoding", func(t *testing.T) {
		op := post("application/x-www-form-urlencoded")
		op.Body.Encoding = []Encoding{
			{Name: "csv", Style: "form"},
			{Name: "deep", Style: "deepObject", Explode: true},
			{Name: "flat", Style: "form"},
			{Name: "json", ContentType: "application/json"},
			{Name: "pipes", Style: "pipeDelimited"},
			{Name: "spaces", Style: "spaceDelimited"},
		}
		_, err := c.Do(context.Background(), op, decoded(t, `{"body": {
			"csv": ["a", "b c"], "deep": {"foo": 1, "bar": "x"}, "flat": {"foo": 1, "bar": 2},
			"json": {"k": "v"}, "pipes": ["a", "b"], "spaces": ["a", "b"], "plain": ["x", "y"]
		}}`))
		if err != nil {
			t.Fatal(err)
		}
		want := "csv=a,b+c&deep%5Bbar%5D=x&deep%5Bfoo%5D=1&flat=bar,2,foo,1&json=%7B%22k%22%3A%22v%22%7D" +
			"&pipes=a%7Cb&plain=x&plain=y&spaces=a+b"
		if r := got(); r.Body != want {
			t.Errorf("sent\n%s\nwant\n%s", r.Body, want)
		}
	})
	t.Run("multipart encoding", func(t *testing.T) {
		op := post("multipart/form-data", "file")
		op.Body.Encoding = []Encoding{
			{Name: "csv", Style: "form"},
			{Name: "deep", Style: "deepObject", Explode: true},
			{Name: "file", ContentType: "image/png"},
			{Name: "meta", ContentType: "application/vnd.api+json"},
			{Name: "note", ContentType: "text/markdown"},
		}
		_, err := c.Do(context.Background(), op, decoded(t, `{"body": {
			"csv": ["a", "b"], "deep": {"foo": 1}, "file": {"name": "a\"b.png", "base64": "AAE"},
			"meta": ["x"], "note": "# hi"
		}}`))
		if err != nil {
			t.Fatal(err)
		}
		r := got()
		want := []part{
			{name: "csv", data: "a,b"},
			{name: "deep[foo]", data: "1"},
			{name: "file", filename: `a"b.png`, contentType: "image/png", data: "\x00\x01"},
			{name: "meta", contentType: "application/vnd.api+json", data: `["x"]`},
			{name: "note", contentType: "text/markdown", data: "# hi"},
		}
		if parts := readParts(t, r); !slices.Equal(parts, want) {
			t.Errorf("parts %+v, want %+v", parts, want)
		}
		// Written as mime/multipart writes them: name first, quoted.
		for _, h := range []string{
			`Content-Disposition: form-data; name="file"; filename="a\"b.png"`,
			`Content-Disposition: form-data; name="csv"` + "\r\n",
		} {
			if !strings.Contains(r.Body, h) {
				t.Errorf("no %q in\n%s", h, r.Body)
			}
		}
	})
	t.Run("multipart errors", func(t *testing.T) {
		for _, tc := range []struct{ args, want string }{
			{`{"body": {"file": "text"}}`, `argument "body.file" must be a file`},
			{`{"body": {"file": {"name": "x"}}}`, `must have "base64" (the content) or "url"`},
			{`{"body": {"file": {"base64": "!!"}}}`, `"base64" is not valid base64`},
			{`{"body": {"file": {"url": "file:///etc/passwd"}}}`, `"url" must be an absolute http or https URL`},
			{`{"body": {"file": {"url": "` + files.URL + `/missing"}}}`, `404 Not Found`},
			{`{"body": {"file": {"url": "` + files.URL + `/big"}}}`, `more than the 1 KiB allowed`},
		} {
			_, err := c.Do(context.Background(), post("multipart/form-data", "file"), decoded(t, tc.args))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want one saying %q", tc.args, err, tc.want)
			}
		}
	})
	t.Run("text", func(t *testing.T) {
		if _, err := c.Do(context.Background(), post("text/plain; charset=utf-8"), decoded(t, `{"body": "héllo"}`)); err != nil {
			t.Fatal(err)
		}
		if r := got(); r.Body != "héllo" || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("sent %q as %q", r.Body, r.Header.Get("Content-Type"))
		}
	})
	t.Run("octet-stream", func(t *testing.T) {
		if _, err := c.Do(context.Background(), post("application/octet-stream"), decoded(t, `{"body": "AP8Q"}`)); err != nil {
			t.Fatal(err)
		}
		if r := got(); r.Body != "\x00\xff\x10" {
			t.Errorf("sent %q", r.Body)
		}
		_, err := c.Do(context.Background(), post("application/octet-stream"), decoded(t, `{"body": "not base64!"}`))
		if err == nil || !strings.Contains(err.Error(), `argument "body" is not valid base64`) {
			t.Errorf("bad base64: %v", err)
		}
	})
}

type part struct{ name, filename, contentType, data string }

func readParts(t *testing.T, r request) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(strings.NewReader(r.Body), params["boundary"])
	var parts []part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(data)})
	}
}

// TestAddTool serves an operation as a tool and calls it over MCP: the
// SDK validates the arguments and applies defaults before the call, and
// the answer comes back as structured content.
func TestAddTool(t *testing.T) {
	var (
		mu    sync.Mutex
		calls []string
	)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.RequestURI)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"id": 1, "name": "Rex"}]`)
	})
	c := newClient(t, &API{Name: "Pet Store"}, srv, nil)
	op := &Operation{Tool: "list_pets", Method: "GET", Path: "/pets", Params: []Param{
		{Name: "limit", In: "query", Style: "form", Explode: true},
	}, WrapOutput: true}
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v0"}, nil)
	AddTool(s, &mcp.Tool{
		Name:         "list_pets",
		InputSchema:  json.RawMessage(`{"type":"object","properties":{"limit":{"type":"integer","minimum":1,"default":20}},"additionalProperties":false}`),
		OutputSchema: json.RawMessage(`{"type":"object","properties":{"result":{"type":"array"}},"required":["result"]}`),
	}, c, op)
	cs := connect(t, s)

	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "list_pets", Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if res.IsError {
		t.Fatalf("tool error: %s", resultText(res))
	}
	if want := `{"result":[{"id":1,"name":"Rex"}]}`; structured(t, res) != want || resultText(res) != want {
		t.Errorf("result %s, text %s; want %s", structured(t, res), resultText(res), want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 1 || calls[0] != "/pets?limit=20" {
		t.Errorf("calls %q, want the default limit sent", calls)
	}

	mu.Unlock()

	res, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "list_pets", Arguments: map[string]any{"limit": 0}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || !strings.Contains(resultText(res), "limit") {
		t.Errorf("limit 0: %q (IsError %v), want a tool error naming limit", resultText(res), res.IsError)
	}
	mu.Lock()
	if len(calls) != 1 {
		t.Errorf("invalid arguments reached the API: %q", calls)
	}
}

// connect connects an in-memory client to s.
func connect(t *testing.T, s *mcp.Server) *mcp.ClientSession {
	t.Helper()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := s.Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// TestRedirectDropsKeys checks that an API key header does not follow a
// redirect to another host, while the original host still gets it.
func TestRedirectDropsKeys(t *testing.T) {
	keys := make(chan string, 2)
	other := serve(t, func(w http.ResponseWriter, r *http.Request) {
		keys <- "other:" + r.Header.Get("X-Api-Key")
	})
	var self string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
		case "/here":
			http.Redirect(w, r, self+"/landing", http.StatusFound)
		case "/landing":
			keys <- "self:" + r.Header.Get("X-Api-Key")
		}
	})
	self = srv.URL
	api := &API{Name: "test", Schemes: []SecurityScheme{{Name: "key", Type: "apiKey", In: "header", ParamName: "X-Api-Key", Env: []string{"KEY"}}}}
	c := newClient(t, api, srv, map[string]string{"KEY": "secret-key-1"})
	for path, want := range map[string]string{"/away": "other:", "/here": "self:secret-key-1"} {
		if _, err := c.Do(context.Background(), &Operation{Method: "GET", Path: path, Security: [][]string{{"key"}}}, nil); err != nil {
			t.Fatal(err)
		}
		if got := <-keys; got != want {
			t.Errorf("%s: the landing page saw %q, want %q", path, got, want)
		}
	}
}
