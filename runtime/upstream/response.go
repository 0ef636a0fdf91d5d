package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
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
	// args are the call's arguments, for the next page's.
	args map[string]any
	// timeout and limit are the client's: they bound the operation's
	// select as they bound the call.
	timeout time.Duration
	limit   int64
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
//
// The operation's Budget, if any, applies to a 2xx JSON or text body, and
// its Paging to a 2xx JSON one: see [Budget] and [Paging].
func (r *Response) Result() *mcp.CallToolResult {
	return r.result(context.Background())
}

// result is Result, with ctx bounding the operation's select.
func (r *Response) result(ctx context.Context) *mcp.CallToolResult {
	if !r.OK() {
		return r.errorResult()
	}
	if r.op != nil && r.op.OutputSchema {
		if len(r.Body) > 0 && (isJSON(r.ContentType()) || json.Valid(r.Body)) {
			return r.jsonResult(ctx)
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
		return r.jsonResult(ctx)
	case strings.HasPrefix(ct, "image/"):
		return r.binaryResult(ct, func(data []byte) mcp.Content { return &mcp.ImageContent{Data: data, MIMEType: ct} })
	case strings.HasPrefix(ct, "audio/"):
		return r.binaryResult(ct, func(data []byte) mcp.Content { return &mcp.AudioContent{Data: data, MIMEType: ct} })
	case isText(ct) || (ct == "" && utf8.Valid(r.Body)):
		return r.textResult()
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
func (r *Response) jsonResult(ctx context.Context) *mcp.CallToolResult {
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
	compact.Grow(len(r.Body))
	if err := json.Compact(&compact, r.Body); err != nil {
		return errorResult(fmt.Sprintf("%s answered %s with invalid JSON (%v): %s", r.apiName(), statusText(r.Status), err, snippet(r.Body)))
	}
	data := compact.Bytes()
	raw := data
	budget := r.budget()
	if budget.Select != nil {
		var err error
		if data, err = r.selectJSON(ctx, budget.Select, data); err != nil {
			return errorResult(err.Error())
		}
	}
	pg := page{items: -1}
	if r.op != nil && r.op.Paging != nil {
		pg = r.nextPage(raw)
	}
	var next []byte
	if pg.next != nil {
		next, _ = json.Marshal(pg.next)
	}
	// The room a "_next" member takes, which the wrapped answer keeps free
	// so that adding it copies nothing.
	nextRoom := 0
	if next != nil {
		nextRoom = len(`,"":`) + len(nextKey) + len(next)
	}

	shift := 0 // where raw starts in data, when data is raw
	if (r.op != nil && r.op.WrapOutput) || data[0] != '{' {
		wrapped := make([]byte, 0, len(data)+len(`{"result":}`)+nextRoom)
		wrapped = append(wrapped, `{"result":`...)
		wrapped = append(wrapped, data...)
		data = append(wrapped, '}')
		shift = len(`{"result":`)
	}
	inResult := next != nil && r.op.Paging.InResult && !hasMember(data, nextKey)

	var notes []string
	if limit := budget.MaxBytes; limit > 0 {
		room := limit
		if inResult {
			room -= int64(nextRoom)
		}
		if int64(len(data)) > room {
			trimmed, cuts, ok := trimJSON(data, int(max(room, 0)))
			if !ok {
				return errorResult(fmt.Sprintf("%s answered %s with %s of JSON, more than the %s this tool may return, and leaving out items of its lists does not make it fit; narrow the request with the tool's arguments.",
					r.apiName(), statusText(r.Status), sizeText(int64(len(data))), sizeText(limit)))
			}
			// An offset counted the items of a list now shorter: the next
			// page starts with the first item left out.
			resumes := false
			if pg.offset && budget.Select == nil {
				for _, c := range cuts {
					if c.start == pg.items+shift {
						p := r.op.Paging
						pg.next[p.Offset] = pg.next[p.Offset].(int) - c.dropped
						next, _ = json.Marshal(pg.next)
						resumes = true
					}
				}
			}
			notes = append(notes, r.trimNote(data, limit, cuts, resumes, pg.next != nil))
			data = trimmed
		}
	}
	if inResult {
		data = addMember(data, nextKey, next)
	}
	if next != nil {
		notes = append(notes, fmt.Sprintf("[More results: call %s again with the same arguments and %s.]", r.toolName(), next))
	}
	content := []mcp.Content{&mcp.TextContent{Text: string(data)}}
	for _, n := range notes {
		content = append(content, &mcp.TextContent{Text: n})
	}
	return &mcp.CallToolResult{
		Content:           content,
		StructuredContent: json.RawMessage(data),
	}
}

// budget is the operation's Budget, or an empty one.
func (r *Response) budget() *Budget {
	if r.op != nil && r.op.Budget != nil {
		return r.op.Budget
	}
	return &Budget{}
}

// toolName names the tool in notes.
func (r *Response) toolName() string {
	if r.op != nil && r.op.Tool != "" {
		return r.op.Tool
	}
	return "the tool"
}

// selectJSON runs the operation's select on data, within the call's time
// and size limits; its error is the tool error's message.
func (r *Response) selectJSON(ctx context.Context, s Selector, data []byte) ([]byte, error) {
	timeout, limit := r.timeout, r.limit
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := s.Select(ctx, data, limit)
	if err == nil && len(bytes.TrimSpace(out)) == 0 {
		err = errors.New("it gave no JSON") // a Selector's fault, not the answer's
	}
	if err == nil {
		return out, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s answered %s", r.apiName(), statusText(r.Status))
	if r.request != "" {
		fmt.Fprintf(&b, " to %s", r.request)
	}
	fmt.Fprintf(&b, ", but this tool's select failed on the answer: %s", snippet([]byte(err.Error())))
	return nil, fmt.Errorf("%s", b.String())
}

// trimNote says what trimming left out of data to fit limit, and how to
// get it: resumes is set when the next page starts with the first item
// left out, paged when there is a next page at all.
func (r *Response) trimNote(data []byte, limit int64, cuts []cut, resumes, paged bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[The answer was %s, more than the %s this tool may return, so ", sizeText(int64(len(data))), sizeText(limit))
	for i, c := range cuts {
		if i > 0 {
			b.WriteString(" and ")
		}
		what := "the list " + pathTo(data, c.start)
		if c.dropped == c.total {
			fmt.Fprintf(&b, "all %d items of %s", c.total, what)
		} else {
			fmt.Fprintf(&b, "the last %d of %d items of %s", c.dropped, c.total, what)
		}
	}
	if len(cuts) == 1 && cuts[0].dropped == 1 {
		b.WriteString(" was left out.")
	} else {
		b.WriteString(" were left out.")
	}
	var p *Paging
	if r.op != nil {
		p = r.op.Paging
	}
	switch {
	case resumes:
		b.WriteString(" The next page starts with the first of them.")
	case p != nil && p.Size != "" && len(cuts) > 0:
		fmt.Fprintf(&b, " To get them, ask for fewer items at a time, such as %s: %d", p.Size, max(1, cuts[0].total-cuts[0].dropped))
		if paged {
			b.WriteString("; the next page as given here does not hold them")
		}
		b.WriteString(".")
	default:
		b.WriteString(" To get them, narrow the request with the tool's arguments.")
	}
	b.WriteString("]")
	return b.String()
}

// textResult is the result of a 2xx text body.
func (r *Response) textResult() *mcp.CallToolResult {
	s := text(r.Body)
	var note string
	if limit := r.budget().MaxBytes; limit > 0 && int64(len(s)) > limit {
		kept := cutText(s, int(limit))
		if r.Truncated || r.Size < 0 {
			note = fmt.Sprintf("[The answer was cut to its first %s, the most this tool may return; the rest, of %s in all, was left out.]", sizeText(int64(len(kept))), sizeText(r.Size))
		} else {
			note = fmt.Sprintf("[The answer was cut to its first %s, the most this tool may return; %s of %s were left out.]", sizeText(int64(len(kept))), sizeText(int64(len(s)-len(kept))), sizeText(int64(len(s))))
		}
		s = kept
	} else if r.Truncated {
		note = r.truncationNote()
	}
	content := []mcp.Content{&mcp.TextContent{Text: s}}
	if note != "" {
		content = append(content, &mcp.TextContent{Text: note})
	}
	return &mcp.CallToolResult{Content: content}
}

// hasMember reports whether the JSON object data has a member key.
func hasMember(data []byte, key string) bool {
	for _, m := range members(data) {
		if m.key == key {
			return true
		}
	}
	return false
}

// addMember adds the member key, whose value is the JSON text value, at
// the end of the JSON object data, in place when data has the room.
func addMember(data []byte, key string, value []byte) []byte {
	end := bytes.LastIndexByte(data, '}')
	if end < 0 {
		return data
	}
	tail := string(data[end:])
	comma := skipSpace(data, bytes.IndexByte(data, '{')+1) < end
	data = data[:end]
	if comma {
		data = append(data, ',')
	}
	k, _ := json.Marshal(key)
	data = append(data, k...)
	data = append(data, ':')
	data = append(data, value...)
	return append(data, tail...)
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
