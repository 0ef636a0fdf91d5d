package pages

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestWrite(t *testing.T) {
	w := httptest.NewRecorder()
	Write(w, &Page{Status: http.StatusBadRequest, Title: "A <title>", Body: []byte("<p>body</p>\n")})
	if w.Code != http.StatusBadRequest {
		t.Errorf("status %d, want 400", w.Code)
	}
	page := w.Body.String()
	for _, want := range []string{`<html lang="en">`, "<title>A &lt;title&gt;</title>", "<style>" + style + "</style>", "<main>\n<p>body</p>\n</main>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("a page without copy buttons has a script")
	}
	if got, want := w.Header().Get("Content-Security-Policy"), "default-src 'none'; style-src "+styleHash+"; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"; got != want {
		t.Errorf("Content-Security-Policy = %q, want %q", got, want)
	}
}

func TestPolicy(t *testing.T) {
	got := Policy(&Page{Copy: true, Images: []string{"https://app.example"}, FormAction: []string{"'self'", "https://idp.example", "com.example.app:"}})
	want := "default-src 'none'; style-src " + styleHash + "; script-src " + scriptHash +
		"; img-src https://app.example; form-action 'self' https://idp.example com.example.app:; base-uri 'none'; frame-ancestors 'none'"
	if got != want {
		t.Errorf("Policy = %q, want %q", got, want)
	}
}

func TestSource(t *testing.T) {
	for raw, want := range map[string]string{
		"https://App.Example/cb":          "https://app.example",
		"http://127.0.0.1:9999/callback":  "http://127.0.0.1:9999",
		"http://[::1]:9999/callback":      "http://[::1]:9999",
		"com.example.app:/oauth/callback": "com.example.app:",
		"https://a.example;script-src/":   "",
		"https://a.example'/":             "",
		"https://a b/":                    "",
		"not a url\x7f":                   "",
		"/relative":                       "",
	} {
		if got := Source(raw); got != want {
			t.Errorf("Source(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestDescriber(t *testing.T) {
	s := mcp.NewServer(&mcp.Implementation{Name: "demo", Title: "Demo", Version: "v2"}, &mcp.ServerOptions{Instructions: "Says hello."})
	s.AddTool(&mcp.Tool{Name: "hello", Description: "Say hello.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{}, nil
		})
	var lists atomic.Int32
	s.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method == "tools/list" && lists.Add(1) == 1 {
				return nil, errors.New("not yet")
			}
			return next(ctx, method, req)
		}
	})
	d := NewDescriber(s)
	if _, err := d.Describe(t.Context()); err == nil {
		t.Fatal("Describe succeeded although tools/list failed")
	}
	for range 2 {
		desc, err := d.Describe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := &Server{Name: "demo", Title: "Demo", Version: "v2", Instructions: "Says hello.", Tools: []Tool{{Name: "hello", Description: "Say hello."}}}
		if !reflect.DeepEqual(desc, want) {
			t.Errorf("Describe = %+v, want %+v", desc, want)
		}
	}
	if n := lists.Load(); n != 2 {
		t.Errorf("tools/list asked %d times, want twice: the failure, then once", n)
	}
}
