package upstream

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// env is a lookupEnv over a map.
func env(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// serve starts a loopback server running h, closed with the test.
func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client of api whose base URL is srv's, with the
// given environment besides.
func newClient(t testing.TB, api *API, srv *httptest.Server, vars map[string]string) *Client {
	t.Helper()
	m := map[string]string{"TEST_BASE_URL": srv.URL}
	for k, v := range vars {
		m[k] = v
	}
	if api.BaseURLEnv == "" {
		api.BaseURLEnv = "TEST_BASE_URL"
	}
	c, err := New(api, env(m), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// request is what a test server saw of one request.
type request struct {
	Method, URI string
	Header      http.Header
	Body        string
}

// recorder is a test server that records the requests it gets and answers
// each with a fixed JSON object.
func recorder(t testing.TB) (*httptest.Server, func() request) {
	t.Helper()
	got := make(chan request, 1)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the request body: %v", err)
		}
		select {
		case got <- request{Method: r.Method, URI: r.RequestURI, Header: r.Header.Clone(), Body: string(body)}:
		default:
			t.Errorf("more than one request: %s %s", r.Method, r.RequestURI)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	return srv, func() request {
		t.Helper()
		select {
		case r := <-got:
			return r
		default:
			t.Fatal("the server got no request")
			return request{}
		}
	}
}

// resultText is the text of a result's content, joined.
func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// structured is a result's structured content as JSON text.
func structured(t testing.TB, res *mcp.CallToolResult) string {
	t.Helper()
	if res.StructuredContent == nil {
		return ""
	}
	data, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// decoded is the JSON text s decoded, as tool arguments arrive.
func decoded(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}
