package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A Response is the API's answer to one call.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header is the response's header.
	Header http.Header
	// Body is the response body, or its first bytes when Truncated is set.
	// Credential values the API echoed are replaced.
	Body []byte
	// Truncated is set when the body was longer than the API's
	// MaxResponseBytes, and cut there.
	Truncated bool
	// Size is the length of the whole body: len(Body) unless Truncated,
	// when it is the Content-Length the API declared, or -1 if it declared
	// none.
	Size int64

	// What Do knows of the call, for Result. A Response made by hand has
	// none of it, and Result makes do.
	api     string     // the API's name
	op      *Operation // the operation called
	request string     // "GET /pets/{petId}"
	// credentials says, for a 401 or 403 to a call sent without
	// credentials, which variables to set; it names no value.
	credentials string
}

// apiName is the API's name in messages.
func (r *Response) apiName() string {
	if r.api == "" {
		return "The API"
	}
	return r.api
}

// OK reports whether the status is 2xx.
func (r *Response) OK() bool { return r.Status >= 200 && r.Status <= 299 }

// ContentType is the media type of the body, lower case and without
// parameters ("application/json"), or "" when the API sent none.
func (r *Response) ContentType() string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// Result turns the response into a tool result.
//
// A 2xx JSON body becomes structured content, wrapped as {"result": ...}
// when the operation's WrapOutput is set or the body is not a JSON object,
// with the same JSON as text content. Other text becomes text content, an
// image image content, audio audio content; other media types are
// described, not shown. A truncated body gets a note saying how much was
// cut; a truncated JSON, image or audio body is unusable as such, so its
// result is a tool error.
//
// When the operation's OutputSchema is set, the tool promises structured
// content: a 2xx body that is valid JSON becomes structured content
// whatever its media type, and any other 2xx body, empty ones included, is
// a tool error saying what came.
//
// Any other status is a tool error carrying the status and the API's
// message: the "message", "error", "detail" or "title" member of a JSON
// error body, or the start of a text one. A 401 or 403 to a call sent
// without credentials also names the variables that would give it some.
func (r *Response) Result() *mcp.CallToolResult {
	if !r.OK() {
		return r.errorResult()
	}
	if r.op != nil && r.op.OutputSchema {
		if len(r.Body) > 0 && (isJSON(r.ContentType()) || json.Valid(r.Body)) {
			return r.jsonResult()
		}
		return r.notJSONResult()
	}
	if len(r.Body) == 0 {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{
			Text: fmt.Sprintf("%s answered %s, with no content.", r.apiName(), statusText(r.Status)),
		}}}
	}
	ct := r.ContentType()
	switch {
	case isJSON(ct) || (ct == "" && json.Valid(r.Body)):
		return r.jsonResult()
	case strings.HasPrefix(ct, "image/"):
		return r.binaryResult(ct, func(data []byte) mcp.Content { return &mcp.ImageContent{Data: data, MIMEType: ct} })
	case strings.HasPrefix(ct, "audio/"):
		return r.binaryResult(ct, func(data []byte) mcp.Content { return &mcp.AudioContent{Data: data, MIMEType: ct} })
	case isText(ct) || (ct == "" && utf8.Valid(r.Body)):
		content := []mcp.Content{&mcp.TextContent{Text: text(r.Body)}}
		if r.Truncated {
			content = append(content, &mcp.TextContent{Text: r.truncationNote()})
		}
		return &mcp.CallToolResult{Content: content}
	default:
		if ct == "" {
			ct = "binary data"
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{
			Text: fmt.Sprintf("%s answered %s with %s of %s, which this tool cannot show.", r.apiName(), statusText(r.Status), sizeText(r.Size), ct),
		}}}
	}
}

// jsonResult is the result of a 2xx JSON body.
func (r *Response) jsonResult() *mcp.CallToolResult {
	if r.Truncated {
		// Cut JSON is not JSON: there is no structured content to give, and
		// a success without it would break clients that expect the tool's
		// output schema. The partial text is still there to read.
		return &mcp.CallToolResult{
			Content: []mcp.Content{
				&mcp.TextContent{Text: text(r.Body)},
				&mcp.TextContent{Text: r.truncationNote() + " The JSON is incomplete; ask for less (with filters or a smaller page) to get all of it."},
			},
			IsError: true,
		}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, r.Body); err != nil {
		return errorResult(fmt.Sprintf("%s answered %s with invalid JSON (%v): %s", r.apiName(), statusText(r.Status), err, snippet(r.Body)))
	}
	data := compact.Bytes()
	if (r.op != nil && r.op.WrapOutput) || data[0] != '{' {
		wrapped := make([]byte, 0, len(data)+len(`{"result":}`))
		wrapped = append(wrapped, `{"result":`...)
		wrapped = append(wrapped, data...)
		data = append(wrapped, '}')
	}
	return &mcp.CallToolResult{
		Content:           []mcp.Content{&mcp.TextContent{Text: string(data)}},
		StructuredContent: json.RawMessage(data),
	}
}

// notJSONResult is the tool error of a 2xx body that is not JSON, for a
// tool whose output schema promises it.
func (r *Response) notJSONResult() *mcp.CallToolResult {
	var b strings.Builder
	switch ct := r.ContentType(); {
	case len(r.Body) == 0:
		fmt.Fprintf(&b, "%s answered %s with no content", r.apiName(), statusText(r.Status))
	case ct == "":
		fmt.Fprintf(&b, "%s answered %s with %s without a media type", r.apiName(), statusText(r.Status), sizeText(r.Size))
	default:
		fmt.Fprintf(&b, "%s answered %s with %s of %s", r.apiName(), statusText(r.Status), sizeText(r.Size), ct)
	}
	if r.request != "" {
		fmt.Fprintf(&b, " to %s", r.request)
	}
	b.WriteString(", not the JSON this tool's output schema describes")
	if len(r.Body) > 0 {
		if t := text(r.Body); !strings.ContainsRune(t, utf8.RuneError) && !strings.ContainsRune(t, 0) {
			b.WriteString(": ")
			b.WriteString(snippet([]byte(t)))
		} else {
			b.WriteString(" (binary data, not shown)")
		}
	}
	if r.Truncated {
		b.WriteString(" ")
		b.WriteString(r.truncationNote())
	}
	return errorResult(b.String())
}

// binaryResult is the result of a 2xx image or audio body.
func (r *Response) binaryResult(ct string, content func([]byte) mcp.Content) *mcp.CallToolResult {
	if r.Truncated {
		return errorResult(fmt.Sprintf("%s answered %s with %s of %s, more than the %s this tool may read.",
			r.apiName(), statusText(r.Status), sizeText(r.Size), ct, sizeText(int64(len(r.Body)))))
	}
	return &mcp.CallToolResult{Content: []mcp.Content{content(r.Body)}}
}

// truncationNote says how much of the body was cut.
func (r *Response) truncationNote() string {
	if r.Size > int64(len(r.Body)) {
		return fmt.Sprintf("[The response was cut to its first %s; %s of %s were left out.]",
			sizeText(int64(len(r.Body))), sizeText(r.Size-int64(len(r.Body))), sizeText(r.Size))
	}
	return fmt.Sprintf("[The response was cut to its first %s; the rest, of unknown length, was left out.]", sizeText(int64(len(r.Body))))
}

// errorResult is the tool error for a status other than 2xx.
func (r *Response) errorResult() *mcp.CallToolResult {
	var b strings.Builder
	fmt.Fprintf(&b, "%s answered %s", r.apiName(), statusText(r.Status))
	if r.request != "" {
		fmt.Fprintf(&b, " to %s", r.request)
	}
	if msg := errorMessage(r.Body, isJSON(r.ContentType())); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	if ra := r.Header.Get("Retry-After"); ra != "" && (r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable) {
		fmt.Fprintf(&b, " (retry after %s)", snippet([]byte(ra)))
	}
	if r.Truncated {
		b.WriteString(" ")
		b.WriteString(r.truncationNote())
	}
	if r.credentials != "" && (r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden) {
		b.WriteString(". ")
		b.WriteString(r.credentials)
	}
	return errorResult(b.String())
}

// errorMessage pulls the message out of an error body: a member of a JSON
// object that says what went wrong, or else the start of the body.
func errorMessage(body []byte, isJSON bool) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	if isJSON || body[0] == '{' {
		var obj map[string]any
		if json.Unmarshal(body, &obj) == nil {
			if msg := messageIn(obj, 0); msg != "" {
				return snippet([]byte(msg))
			}
		}
	}
	return snippet(body)
}

// messageIn finds the message of a JSON error object: "message", then
// "error" (a string, maybe with an "error_description", or an object with
// a message of its own), then RFC 9457's "title" and "detail", then the
// first of "errors".
func messageIn(obj map[string]any, depth int) string {
	str := func(key string) string {
		s, _ := obj[key].(string)
		return strings.TrimSpace(s)
	}
	if msg := str("message"); msg != "" {
		return msg
	}
	switch e := obj["error"].(type) {
	case string:
		if d := str("error_description"); d != "" {
			return e + ": " + d
		}
		if e != "" {
			return e
		}
	case map[string]any:
		if depth < 2 {
			if msg := messageIn(e, depth+1); msg != "" {
				return msg
			}
		}
	}
	title, detail := str("title"), str("detail")
	switch {
	case title != "" && detail != "":
		return title + ": " + detail
	case detail != "":
		return detail
	case title != "":
		return title
	}
	if list, ok := obj["errors"].([]any); ok && len(list) > 0 && depth < 2 {
		switch e := list[0].(type) {
		case string:
			return e
		case map[string]any:
			return messageIn(e, depth+1)
		}
	}
	return ""
}

// maxSnippet bounds the part of an error body quoted in a message.
const maxSnippet = 1000

// snippet is the start of b as one line of text.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(text(b)), " ")
	if len(s) > maxSnippet {
		cut := maxSnippet
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// text is b as valid UTF-8, dropping a rune the size limit cut in two.
func text(b []byte) string {
	if n := len(b); n > 0 && !utf8.Valid(b) {
		// A cut rune at the end is most likely; anything else is replaced.
		for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

// isJSON reports whether a media type is JSON: application/json or any
// +json type.
func isJSON(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// isText reports whether a media type is text that can be shown as it is.
func isText(mt string) bool {
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/xml", "application/yaml", "application/x-yaml", "application/javascript",
		"application/x-www-form-urlencoded", "application/graphql", "application/sql":
		return true
	}
	return false
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

// sizeText is a byte count for people: exact, in the largest unit that
// divides it.
func sizeText(n int64) string {
	switch {
	case n < 0:
		return "an unknown number of bytes"
	case n == 1:
		return "1 byte"
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
