package upstream

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// response is a response as Do would return it.
func response(status int, contentType, body string, op *Operation) *Response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if op == nil {
		op = &Operation{Method: "GET", Path: "/things"}
	}
	return &Response{Status: status, Header: h, Body: []byte(body), Size: int64(len(body)),
		api: "Things API", op: op, request: op.Method + " " + op.Path}
}

func TestResultSuccess(t *testing.T) {
	wrap := &Operation{Method: "GET", Path: "/things", WrapOutput: true}
	for _, tc := range []struct {
		name        string
		resp        *Response
		structured  string // want, "" for none
		text        string
		wantIsError bool
	}{
		{"object", response(200, "application/json", "{\n  \"id\": 1,\n  \"name\": \"a\"\n}", nil), `{"id":1,"name":"a"}`, `{"id":1,"name":"a"}`, false},
		{"array wrapped", response(200, "application/json; charset=utf-8", `[1, 2]`, nil), `{"result":[1,2]}`, `{"result":[1,2]}`, false},
		{"scalar wrapped", response(201, "application/json", `"done"`, nil), `{"result":"done"}`, `{"result":"done"}`, false},
		{"object wrapped on request", response(200, "application/json", `{"id":1}`, wrap), `{"result":{"id":1}}`, `{"result":{"id":1}}`, false},
		{"+json", response(200, "application/vnd.api+json", `{"data":[]}`, nil), `{"data":[]}`, `{"data":[]}`, false},
		{"big numbers kept", response(200, "application/json", `{"id":12345678901234567890}`, nil), `{"id":12345678901234567890}`, `{"id":12345678901234567890}`, false},
		{"JSON without a content type", response(200, "", `{"a":1}`, nil), `{"a":1}`, `{"a":1}`, false},
		{"invalid JSON", response(200, "application/json", `{"a":`, nil), "", "Things API answered 200 OK with invalid JSON (unexpected end of JSON input): {\"a\":", true},
		{"text", response(200, "text/plain; charset=utf-8", "hello\nworld", nil), "", "hello\nworld", false},
		{"xml", response(200, "application/xml", "<a/>", nil), "", "<a/>", false},
		{"no content", response(204, "", "", nil), "", "Things API answered 204 No Content, with no content.", false},
		{"binary", response(200, "application/pdf", "%PDF-1.7", nil), "", "Things API answered 200 OK with 8 bytes of application/pdf, which this tool cannot show.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.resp.Result()
			if res.IsError != tc.wantIsError {
				t.Errorf("IsError = %v (%s)", res.IsError, resultText(res))
			}
			if got := structured(t, res); got != tc.structured {
				t.Errorf("structured content %s, want %s", got, tc.structured)
			}
			if got := resultText(res); got != tc.text {
				t.Errorf("text %q, want %q", got, tc.text)
			}
		})
	}
}

func TestResultMedia(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n"
	res := response(200, "image/png", png, nil).Result()
	if len(res.Content) != 1 {
		t.Fatalf("content %v", res.Content)
	}
	if img, ok := res.Content[0].(*mcp.ImageContent); !ok || img.MIMEType != "image/png" || !bytes.Equal(img.Data, []byte(png)) {
		t.Errorf("content %#v, want the PNG as image content", res.Content[0])
	}
	res = response(200, "audio/wav", "RIFF", nil).Result()
	if a, ok := res.Content[0].(*mcp.AudioContent); !ok || a.MIMEType != "audio/wav" || string(a.Data) != "RIFF" {
		t.Errorf("content %#v, want audio content", res.Content[0])
	}
	cut := response(200, "image/png", strings.Repeat("x", 1<<20), nil)
	cut.Truncated, cut.Size = true, 5<<20
	if res := cut.Result(); !res.IsError || resultText(res) != "Things API answered 200 OK with 5 MiB of image/png, more than the 1 MiB this tool may read." {
		t.Errorf("cut image: %q", resultText(res))
	}
}

func TestResultErrors(t *testing.T) {
	const prefix = "Things API answered "
	for _, tc := range []struct {
		status      int
		contentType string
		body        string
		want        string
	}{
		{404, "application/json", `{"code":404,"message":"no such thing"}`, "404 Not Found to GET /things: no such thing"},
		{400, "application/json", `{"error":"invalid_request","error_description":"bad id"}`, "400 Bad Request to GET /things: invalid_request: bad id"},
		{400, "application/json", `{"error":{"code":400,"message":"Invalid value at 'id'"}}`, "400 Bad Request to GET /things: Invalid value at 'id'"},
		{422, "application/problem+json", `{"type":"about:blank","title":"Unprocessable","detail":"name is too long","status":422}`, "422 Unprocessable Entity to GET /things: Unprocessable: name is too long"},
		{409, "application/json", `{"detail":"already exists"}`, "409 Conflict to GET /things: already exists"},
		{400, "application/json", `{"errors":[{"message":"first"},{"message":"second"}]}`, "400 Bad Request to GET /things: first"},
		{500, "application/json", `{"unexpected":true}`, `500 Internal Server Error to GET /things: {"unexpected":true}`},
		{502, "text/html", "<html>\n  <body>Bad gateway</body>\n</html>\n", "502 Bad Gateway to GET /things: <html> <body>Bad gateway</body> </html>"},
		{403, "", "", "403 Forbidden to GET /things"},
		{599, "text/plain", "odd", "599 to GET /things: odd"},
		{301, "", "moved", "301 Moved Permanently to GET /things: moved"},
	} {
		res := response(tc.status, tc.contentType, tc.body, nil).Result()
		if !res.IsError || resultText(res) != prefix+tc.want {
			t.Errorf("%d %s: %q (IsError %v), want %q", tc.status, tc.body, resultText(res), res.IsError, prefix+tc.want)
		}
	}

	r := response(429, "application/json", `{"message":"slow down"}`, nil)
	r.Header.Set("Retry-After", "30")
	if want := prefix + "429 Too Many Requests to GET /things: slow down (retry after 30)"; resultText(r.Result()) != want {
		t.Errorf("429: %q, want %q", resultText(r.Result()), want)
	}

	long := strings.Repeat("é", 2000)
	text := resultText(response(500, "text/plain", long, nil).Result())
	if !strings.HasSuffix(text, "…") || len(text) > len(prefix)+maxSnippet+100 || !strings.Contains(text, "éé") {
		t.Errorf("a long error body is quoted as %d bytes: %.80q…", len(text), text)
	}
}

func TestTextCutInRune(t *testing.T) {
	r := response(200, "text/plain", "aé", nil)
	r.Body = r.Body[:2] // "a" and half of "é"
	r.Truncated, r.Size = true, 3
	if got := resultText(r.Result()); !strings.HasPrefix(got, "a\n[The response was cut") {
		t.Errorf("text %q, want the whole runes only", got)
	}
}

// TestResultByHand checks a Response made without Do, as a custom tool's
// tests might make one.
func TestResultByHand(t *testing.T) {
	res := (&Response{Status: 200, Body: []byte(`[1]`)}).Result()
	if res.IsError || structured(t, res) != `{"result":[1]}` {
		t.Errorf("200: %s %s", resultText(res), structured(t, res))
	}
	res = (&Response{Status: 500, Body: []byte(`{"message":"boom"}`)}).Result()
	if want := "The API answered 500 Internal Server Error: boom"; !res.IsError || resultText(res) != want {
		t.Errorf("500: %q, want %q", resultText(res), want)
	}
}

// TestResultOutputSchema checks that a tool with an output schema returns
// structured content on success, or a tool error.
func TestResultOutputSchema(t *testing.T) {
	typed := &Operation{Method: "GET", Path: "/store/order/{orderId}", OutputSchema: true}
	wrapped := &Operation{Method: "GET", Path: "/things", OutputSchema: true, WrapOutput: true}
	truncated := response(200, "application/octet-stream", `{"id":1,"na`, typed)
	truncated.Truncated, truncated.Size = true, 20
	for _, tc := range []struct {
		name        string
		resp        *Response
		structured  string // want, "" for none
		text        string
		wantIsError bool
	}{
		{"JSON as octet-stream", response(200, "application/octet-stream", "{\"id\": 10, \"status\": \"placed\"}", typed), `{"id":10,"status":"placed"}`, `{"id":10,"status":"placed"}`, false},
		{"JSON as text", response(200, "text/plain", `[1,2]`, wrapped), `{"result":[1,2]}`, `{"result":[1,2]}`, false},
		{"JSON", response(200, "application/json", `{"id":1}`, typed), `{"id":1}`, `{"id":1}`, false},
		{"text", response(200, "text/html; charset=utf-8", "<html>\n<body>Service   unavailable</body></html>", typed), "",
			"Things API answered 200 OK with 48 bytes of text/html to GET /store/order/{orderId}, not the JSON this tool's output schema describes: <html> <body>Service unavailable</body></html>", true},
		{"binary", response(200, "application/octet-stream", "\x89PNG\r\n\x1a\n\x00\x00", typed), "",
			"Things API answered 200 OK with 10 bytes of application/octet-stream to GET /store/order/{orderId}, not the JSON this tool's output schema describes (binary data, not shown)", true},
		{"no content", response(204, "", "", typed), "",
			"Things API answered 204 No Content with no content to GET /store/order/{orderId}, not the JSON this tool's output schema describes", true},
		{"no media type", response(200, "", "ok", typed), "",
			"Things API answered 200 OK with 2 bytes without a media type to GET /store/order/{orderId}, not the JSON this tool's output schema describes: ok", true},
		{"invalid JSON", response(200, "application/json", `{"a":`, typed), "", "Things API answered 200 OK with invalid JSON (unexpected end of JSON input): {\"a\":", true},
		{"cut JSON as octet-stream", truncated, "",
			"Things API answered 200 OK with 20 bytes of application/octet-stream to GET /store/order/{orderId}, not the JSON this tool's output schema describes: {\"id\":1,\"na [The response was cut to its first 11 bytes; 9 bytes of 20 bytes were left out.]", true},
		// Errors are as without an output schema.
		{"error", response(404, "application/json", `{"message":"Order not found"}`, typed), "",
			"Things API answered 404 Not Found to GET /store/order/{orderId}: Order not found", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.resp.Result()
			if res.IsError != tc.wantIsError {
				t.Errorf("IsError = %v (%s)", res.IsError, resultText(res))
			}
			if got := structured(t, res); got != tc.structured {
				t.Errorf("structured content %s, want %s", got, tc.structured)
			}
			if got := resultText(res); got != tc.text {
				t.Errorf("text %q, want %q", got, tc.text)
			}
		})
	}
}
