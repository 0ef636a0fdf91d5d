package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// issues is a JSON array of n objects shaped like GitHub's issues, about
// 220 bytes each.
func issues(n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"number":%d,"url":"https://api.github.com/repos/o/r/issues/%d","title":"Issue number %d: \"quoted\", [bracketed] and {braced}","state":"open","labels":[{"name":"bug"},{"name":"p%d"}],"user":{"login":"user%d"},"body":"%s"}`,
			i+1, i+1, i+1, i%3, i%7, strings.Repeat("é", i%5))
	}
	b.WriteByte(']')
	return b.String()
}

func TestTrimJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		max  int
		want string // "" when it cannot fit
		cuts string // "path dropped/total; ..."
	}{
		{"fits", `[1,2,3]`, 7, `[1,2,3]`, ""},
		{"top-level array", `[1,2,3,4,5]`, 6, `[1,2]`, ".: 3/5"},
		{"down to one item", `[10,20,30]`, 4, `[10]`, ".: 2/3"},
		{"down to none", `["long",1]`, 3, `[]`, ".: 2/2"},
		{"largest of several", `{"a":[1,2,3],"b":[11,22,33,44]}`, 26, `{"a":[1,2,3],"b":[11,22]}`, ".b: 2/4"},
		{"then the next largest", `{"a":[1,2,3],"b":[11,22,33,44]}`, 20, `{"a":[1,2],"b":[11]}`, ".a: 1/3; .b: 3/4"},
		{"one large item keeps its place", `[{"tags":["a","b","c","d","e"]}]`, 20, `[{"tags":["a","b"]}]`, ".[0].tags: 3/5"},
		{"nested arrays", `[[1,2,3],[4,5,6],[7,8,9]]`, 13, `[[1,2,3]]`, ".: 2/3"},
		{"nested arrays, inner too", `[[1,2,3,4,5,6,7]]`, 9, `[[1,2,3]]`, ".[0]: 4/7"},
		{"strings with brackets and escapes", `["a]\"[","b\\\\",",c,","d"]`, 17, `["a]\"[","b\\\\"]`, ".: 2/4"},
		{"keys that are not identifiers", `{"two words":[1,2,3,4]}`, 19, `{"two words":[1,2]}`, `.["two words"]: 2/4`},
		{"white space", "[ 1 , 2 , 3 ]", 7, "[ 1 ]", ".: 2/3"},
		{"one long string", `{"body":"` + strings.Repeat("x", 50) + `"}`, 20, "", ""},
		{"string in a list of one", `["` + strings.Repeat("x", 50) + `"]`, 20, `[]`, ".: 1/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, cuts, ok := trimJSON([]byte(tc.in), tc.max)
			if tc.want == "" {
				if ok {
					t.Fatalf("trimmed to %s, want a failure", out)
				}
				return
			}
			if !ok {
				t.Fatal("did not fit")
			}
			if string(out) != tc.want {
				t.Errorf("got %s, want %s", out, tc.want)
			}
			if !json.Valid(out) || len(out) > tc.max {
				t.Errorf("%s: valid %v, %d bytes of at most %d", out, json.Valid(out), len(out), tc.max)
			}
			var got []string
			for _, c := range cuts {
				got = append(got, fmt.Sprintf("%s: %d/%d", pathTo([]byte(tc.in), c.start), c.dropped, c.total))
			}
			if s := strings.Join(got, "; "); s != tc.cuts {
				t.Errorf("cuts %q, want %q", s, tc.cuts)
			}
		})
	}
}

// TestTrimJSONKeepsPrefix trims a large answer to many budgets: the result
// is always valid JSON within the budget, holding the first items whole.
func TestTrimJSONKeepsPrefix(t *testing.T) {
	in := issues(300)
	var all []json.RawMessage
	if err := json.Unmarshal([]byte(in), &all); err != nil {
		t.Fatal(err)
	}
	for _, max := range []int{300, 1000, 4096, 10000, 40000, len(in) - 1} {
		out, cuts, ok := trimJSON([]byte(in), max)
		if !ok || len(out) > max {
			t.Fatalf("max %d: ok %v, %d bytes", max, ok, len(out))
		}
		var kept []json.RawMessage
		if err := json.Unmarshal(out, &kept); err != nil {
			t.Fatalf("max %d: %v", max, err)
		}
		if len(cuts) != 1 || cuts[0].total != 300 || cuts[0].dropped != 300-len(kept) {
			t.Errorf("max %d: cuts %+v, kept %d", max, cuts, len(kept))
		}
		for i := range kept {
			if string(kept[i]) != string(all[i]) {
				t.Fatalf("max %d: item %d changed", max, i)
			}
		}
		// Each item left out had to go: one more would not fit.
		if len(kept) < 300 && len(out)+1+len(all[len(kept)]) <= max {
			t.Errorf("max %d: item %d was left out but fits", max, len(kept))
		}
	}
}

func TestCutText(t *testing.T) {
	s := "aé€😀"
	for max, want := range map[int]string{0: "", 1: "a", 2: "a", 3: "aé", 5: "aé", 6: "aé€", 9: "aé€", 10: s, 20: s} {
		if got := cutText(s, max); got != want || !utf8.ValidString(got) {
			t.Errorf("cutText(%d) = %q, want %q", max, got, want)
		}
	}
}

func TestParseLinks(t *testing.T) {
	got := parseLinks(`<https://api.example.com/items?page=3&per_page=2>; rel="next", <https://api.example.com/items?page=9>; title="a, b; c"; rel="last" , <https://x/?a=1>;rel=prev`)
	want := []link{
		{"https://api.example.com/items?page=3&per_page=2", "next"},
		{"https://api.example.com/items?page=9", "last"},
		{"https://x/?a=1", "prev"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

// paged is a response of a paged operation to a call with args.
func paged(body string, p *Paging, args map[string]any, header http.Header) *Response {
	op := &Operation{Tool: "list_items", Method: "GET", Path: "/items", Paging: p, Params: []Param{
		{Name: "page", In: "query", Style: "form", Explode: true},
		{Name: "per_page", In: "query", Style: "form", Explode: true},
		{Name: "offset", In: "query", Style: "form", Explode: true},
		{Name: "limit", In: "query", Style: "form", Explode: true},
		{Name: "cursor", In: "query", Style: "form", Explode: true},
		{Name: "pageToken", Arg: "page_token", In: "query", Style: "form", Explode: true},
	}}
	r := response(200, "application/json", body, op)
	r.args = args
	for k, v := range header {
		r.Header[k] = v
	}
	return r
}

func TestNextPage(t *testing.T) {
	pages := &Paging{Page: "page", FirstPage: 1, Size: "per_page", InResult: true}
	offsets := &Paging{Offset: "offset", Size: "limit", InResult: true}
	cursors := &Paging{Cursor: "cursor", Size: "limit", InResult: true}
	tokens := &Paging{Cursor: "page_token", InResult: true}
	link := func(v string) http.Header { return http.Header{"Link": {v}} }
	for _, tc := range []struct {
		name   string
		body   string
		p      *Paging
		args   map[string]any
		header http.Header
		want   string // the structured content
	}{
		{"first page", `[1,2]`, pages, nil, nil, `{"result":[1,2],"_next":{"page":2}}`},
		{"page given", `[1,2]`, pages, map[string]any{"page": 4.0, "per_page": 2.0}, nil, `{"result":[1,2],"_next":{"page":5}}`},
		{"short page is the last", `[1]`, pages, map[string]any{"page": 4.0, "per_page": 2.0}, nil, `{"result":[1]}`},
		{"empty page is the last", `[]`, pages, nil, nil, `{"result":[]}`},
		{"list in an object", `{"total":9,"items":[1,2,3]}`, pages, map[string]any{"page": 1.0}, nil, `{"total":9,"items":[1,2,3],"_next":{"page":2}}`},
		{"no list", `{"total":9}`, pages, nil, nil, `{"total":9}`},
		{"has_more false", `{"items":[1,2],"has_more":false}`, pages, nil, nil, `{"items":[1,2],"has_more":false}`},
		{"offset", `[1,2,3]`, offsets, map[string]any{"offset": 10.0}, nil, `{"result":[1,2,3],"_next":{"offset":13}}`},
		{"offset, short page", `[1,2,3]`, offsets, map[string]any{"offset": 10.0, "limit": 5.0}, nil, `{"result":[1,2,3]}`},
		{"cursor", `{"data":[1],"next_cursor":"abc"}`, cursors, nil, nil, `{"data":[1],"next_cursor":"abc","_next":{"cursor":"abc"}}`},
		{"cursor, nested", `{"ok":true,"members":[1],"response_metadata":{"next_cursor":"dXNlcjpVMEc5V0ZYTlo="}}`, cursors, nil, nil, `{"ok":true,"members":[1],"response_metadata":{"next_cursor":"dXNlcjpVMEc5V0ZYTlo="},"_next":{"cursor":"dXNlcjpVMEc5V0ZYTlo="}}`},
		{"cursor, last page", `{"ok":true,"members":[1],"response_metadata":{"next_cursor":""}}`, cursors, nil, nil, `{"ok":true,"members":[1],"response_metadata":{"next_cursor":""}}`},
		{"cursor, page info", `{"nodes":[1],"pageInfo":{"hasNextPage":true,"endCursor":"Y3Vy"}}`, cursors, nil, nil, `{"nodes":[1],"pageInfo":{"hasNextPage":true,"endCursor":"Y3Vy"},"_next":{"cursor":"Y3Vy"}}`},
		{"cursor, no next page", `{"nodes":[1],"pageInfo":{"hasNextPage":false,"endCursor":"Y3Vy"}}`, cursors, nil, nil, `{"nodes":[1],"pageInfo":{"hasNextPage":false,"endCursor":"Y3Vy"}}`},
		{"page token", `{"files":[1],"nextPageToken":"t2"}`, tokens, nil, nil, `{"files":[1],"nextPageToken":"t2","_next":{"page_token":"t2"}}`},
		{"next URL in the answer", `{"results":[1],"next":"https://api.example.com/items?cursor=c2&limit=10"}`, cursors, map[string]any{"limit": 10.0}, nil, `{"results":[1],"next":"https://api.example.com/items?cursor=c2\u0026limit=10","_next":{"cursor":"c2"}}`},
		{"Link next", `[1,2]`, pages, map[string]any{"page": 2.0, "per_page": 2.0}, link(`<https://api.example.com/items?page=3&per_page=2>; rel="next", <https://api.example.com/items?page=5&per_page=2>; rel="last"`), `{"result":[1,2],"_next":{"page":3}}`},
		{"Link next, size the API chose", `[1,2]`, pages, nil, link(`<https://api.example.com/items?page=2&per_page=30>; rel="next"`), `{"result":[1,2],"_next":{"page":2,"per_page":30}}`},
		{"Link without next is the last page", `[1,2]`, pages, map[string]any{"page": 5.0}, link(`<https://api.example.com/items?page=4>; rel="prev"`), `{"result":[1,2]}`},
		{"Link next, offset", `[1,2]`, offsets, nil, link(`</items?offset=2&limit=2>; rel="next"`), `{"result":[1,2],"_next":{"limit":2,"offset":2}}`},
		{"Link next, cursor", `[1,2]`, cursors, nil, link(`<https://api.example.com/items?cursor=x%3D%3D>; rel="next"`), `{"result":[1,2],"_next":{"cursor":"x=="}}`},
		{"Link next without the position", `[1,2]`, pages, nil, link(`<https://api.example.com/items?since=99>; rel="next"`), `{"result":[1,2]}`},
		{"a _next of its own", `{"items":[1],"_next":"x"}`, pages, nil, nil, `{"items":[1],"_next":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := paged(tc.body, tc.p, tc.args, tc.header).Result()
			if res.IsError {
				t.Fatalf("tool error: %s", resultText(res))
			}
			if got := structured(t, res); got != tc.want {
				t.Errorf("structured content\n%s\nwant\n%s", got, tc.want)
			}
			note := strings.Contains(resultText(res), "[More results: call list_items again with the same arguments and {")
			if want := strings.Contains(tc.want, `"_next":{`) || tc.name == "a _next of its own"; note != want {
				t.Errorf("note of the next page: %v, want %v:\n%s", note, want, resultText(res))
			}
		})
	}
}

// TestNextPageInNote checks that the next page goes only into a note when
// the tool's output schema has no room for it.
func TestNextPageInNote(t *testing.T) {
	res := paged(`{"items":[1,2]}`, &Paging{Page: "page", FirstPage: 0}, nil, nil).Result()
	if got := structured(t, res); got != `{"items":[1,2]}` {
		t.Errorf("structured content %s, want the answer as it is", got)
	}
	if !strings.Contains(resultText(res), `and {"page":1}.]`) {
		t.Errorf("text %q, want a note with page 1", resultText(res))
	}
}

func TestMaxBytes(t *testing.T) {
	op := func(b *Budget, p *Paging) *Operation {
		return &Operation{Tool: "list_issues", Method: "GET", Path: "/issues", Budget: b, Paging: p, Params: []Param{
			{Name: "page", In: "query", Style: "form", Explode: true},
			{Name: "per_page", In: "query", Style: "form", Explode: true},
			{Name: "offset", In: "query", Style: "form", Explode: true},
		}}
	}
	body := issues(100)
	t.Run("JSON", func(t *testing.T) {
		r := response(200, "application/json", body, op(&Budget{MaxBytes: 4096}, nil))
		res := r.Result()
		data := structured(t, res)
		var got struct{ Result []json.RawMessage }
		if err := json.Unmarshal([]byte(data), &got); err != nil || len(data) > 4096 || len(got.Result) == 0 {
			t.Fatalf("%d bytes, %d items, %v", len(data), len(got.Result), err)
		}
		if len(res.Content) != 2 || !strings.HasPrefix(resultText(res), data+"\n") {
			t.Errorf("want the structured content as text, then a note; got %d contents", len(res.Content))
		}
		want := fmt.Sprintf("[The answer was %d bytes, more than the 4 KiB this tool may return, so the last %d of 100 items of the list .result were left out. To get them, narrow the request with the tool's arguments.]", len(body)+len(`{"result":}`), 100-len(got.Result))
		if !strings.HasSuffix(resultText(res), want) {
			t.Errorf("text ends %q\nwant %q", resultText(res)[len(data):], want)
		}
	})
	t.Run("pages", func(t *testing.T) {
		r := response(200, "application/json", body, op(&Budget{MaxBytes: 4096}, &Paging{Page: "page", FirstPage: 1, Size: "per_page", InResult: true}))
		r.args = map[string]any{"page": 2.0, "per_page": 100.0}
		res := r.Result()
		data := structured(t, res)
		var got struct {
			Result []json.RawMessage
			Next   map[string]int `json:"_next"`
		}
		if err := json.Unmarshal([]byte(data), &got); err != nil || len(data) > 4096 {
			t.Fatalf("%d bytes: %v", len(data), err)
		}
		if got.Next["page"] != 3 {
			t.Errorf("_next %v, want page 3", got.Next)
		}
		if want := fmt.Sprintf("To get them, ask for fewer items at a time, such as per_page: %d; the next page as given here does not hold them.]", len(got.Result)); !strings.Contains(resultText(res), want) {
			t.Errorf("text %q lacks %q", resultText(res), want)
		}
	})
	t.Run("offset resumes", func(t *testing.T) {
		r := response(200, "application/json", body, op(&Budget{MaxBytes: 4096}, &Paging{Offset: "offset", InResult: true}))
		r.args = map[string]any{"offset": 200.0}
		res := r.Result()
		var got struct {
			Result []json.RawMessage
			Next   map[string]int `json:"_next"`
		}
		if err := json.Unmarshal([]byte(structured(t, res)), &got); err != nil {
			t.Fatal(err)
		}
		if want := 200 + len(got.Result); got.Next["offset"] != want {
			t.Errorf("_next %v, want offset %d, where the items left out start", got.Next, want)
		}
		if !strings.Contains(resultText(res), "The next page starts with the first of them.") {
			t.Errorf("text %q", resultText(res))
		}
	})
	t.Run("too large to trim", func(t *testing.T) {
		r := response(200, "application/json", `{"body":"`+strings.Repeat("x", 5000)+`"}`, op(&Budget{MaxBytes: 4096}, nil))
		if res := r.Result(); !res.IsError || !strings.Contains(resultText(res), "more than the 4 KiB this tool may return, and leaving out items of its lists does not make it fit") {
			t.Errorf("IsError %v: %s", res.IsError, resultText(res))
		}
	})
	t.Run("text", func(t *testing.T) {
		text := strings.Repeat("añb", 1000) // 4000 bytes
		res := response(200, "text/plain", text, op(&Budget{MaxBytes: 1000}, nil)).Result()
		if len(res.Content) != 2 {
			t.Fatalf("content %v", res.Content)
		}
		got := resultText(res)
		kept, note, _ := strings.Cut(got, "\n")
		if len(kept) > 1000 || !utf8.ValidString(kept) || !strings.HasPrefix(text, kept) || len(kept) < 997 {
			t.Errorf("kept %d bytes", len(kept))
		}
		if want := fmt.Sprintf("[The answer was cut to its first %d bytes, the most this tool may return; %d bytes of 4000 bytes were left out.]", len(kept), 4000-len(kept)); note != want {
			t.Errorf("note %q\nwant %q", note, want)
		}
	})
	t.Run("small enough", func(t *testing.T) {
		res := response(200, "application/json", `[1,2]`, op(&Budget{MaxBytes: 4096}, nil)).Result()
		if structured(t, res) != `{"result":[1,2]}` || len(res.Content) != 1 {
			t.Errorf("%s, %d contents", structured(t, res), len(res.Content))
		}
	})
}

// selectFunc is a Selector made of a function.
type selectFunc func(ctx context.Context, answer []byte, limit int64) ([]byte, error)

func (f selectFunc) Select(ctx context.Context, answer []byte, limit int64) ([]byte, error) {
	return f(ctx, answer, limit)
}

// TestSelect checks what Result does with a select (package jq tests the
// programs themselves): it gets the compact answer, the client's limits
// and a context with a deadline, and what it returns is the result, or
// the tool error.
func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wrap    bool
		out     string
		err     error
		want    string // structured content, or the error's text
		isError bool
	}{
		{"array", false, `[1,2]`, nil, `{"result":[1,2]}`, false},
		{"object", false, `{"n":2}`, nil, `{"n":2}`, false},
		{"object wrapped", true, `{"n":2}`, nil, `{"result":{"n":2}}`, false},
		{"nothing", false, ` `, nil, "Things API answered 200 OK to GET /issues, but this tool's select failed on the answer: it gave no JSON", true},
		{"error", false, ``, errors.New("expected an object but got: array ([1,2])"), "Things API answered 200 OK to GET /issues, but this tool's select failed on the answer: expected an object but got: array ([1,2])", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel := selectFunc(func(ctx context.Context, answer []byte, limit int64) ([]byte, error) {
				if string(answer) != `{"a":[1,2]}` {
					t.Errorf("select got %s, want the compact answer", answer)
				}
				if _, ok := ctx.Deadline(); !ok || limit != 5000 {
					t.Errorf("select ran without a deadline (%v) or with limit %d", ok, limit)
				}
				return []byte(tc.out), tc.err
			})
			r := response(200, "application/json", `{ "a": [1, 2] }`, &Operation{Tool: "list_issues", Method: "GET", Path: "/issues", WrapOutput: tc.wrap, Budget: &Budget{Select: sel}})
			r.limit, r.timeout = 5000, time.Minute
			res := r.Result()
			if res.IsError != tc.isError {
				t.Fatalf("IsError %v: %s", res.IsError, resultText(res))
			}
			got := structured(t, res)
			if tc.isError {
				got = resultText(res)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	// The caller's context bounds the program.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	waits := selectFunc(func(ctx context.Context, _ []byte, _ int64) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	r := response(200, "application/json", `null`, &Operation{Method: "GET", Path: "/issues", Budget: &Budget{Select: waits}})
	if res := r.result(ctx); !res.IsError || !strings.Contains(resultText(res), "context canceled") {
		t.Errorf("cancelled: %s", resultText(res))
	}
}

// FuzzTrimJSON holds trimJSON and the byte readers under it to
// encoding/json: what comes out of valid JSON is valid JSON within the
// budget, each list keeps its first items, and members and countItems
// see what json.Unmarshal sees.
func FuzzTrimJSON(f *testing.F) {
	for _, s := range []string{`[1,2,3]`, `{"a":[1,[2,3],{"b":[4,5]}],"c":"]\"["}`, `[[],[[]],{"":[1]}]`, `"x"`, `{"k\u00e9y":[true,false,null]}`, issues(3)} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, in string, max int) {
		var v any
		if json.Unmarshal([]byte(in), &v) != nil || max < 0 {
			return
		}
		data, _ := json.Marshal(v) // compact, as Result gives it
		if obj, ok := v.(map[string]any); ok {
			got := members(data)
			if len(got) != len(obj) {
				t.Fatalf("members of %s: %d, want %d", data, len(got), len(obj))
			}
			for _, m := range got {
				var mv any
				if err := json.Unmarshal(data[m.start:m.end], &mv); err != nil {
					t.Fatalf("member %q of %s: %v", m.key, data, err)
				}
				if list, ok := mv.([]any); ok && countItems(data, m.start) != len(list) {
					t.Fatalf("member %q of %s: %d items, want %d", m.key, data, countItems(data, m.start), len(list))
				}
			}
		}
		out, cuts, ok := trimJSON(data, max)
		if !ok {
			return
		}
		var w any
		if err := json.Unmarshal(out, &w); err != nil || len(out) > max || len(cuts) == 0 && len(out) != len(data) {
			t.Fatalf("trimJSON(%s, %d) = %s (%v)", data, max, out, err)
		}
		if !prefixOf(w, v) {
			t.Fatalf("trimJSON(%s, %d) = %s, which is not the input with items left out at the ends", data, max, out)
		}
	})
}

// prefixOf reports whether a is b with some items left out at the end of
// its lists.
func prefixOf(a, b any) bool {
	switch b := b.(type) {
	case []any:
		al, ok := a.([]any)
		if !ok || len(al) > len(b) {
			return false
		}
		for i := range al {
			if !prefixOf(al[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		am, ok := a.(map[string]any)
		if !ok || len(am) != len(b) {
			return false
		}
		for k, v := range b {
			if !prefixOf(am[k], v) {
				return false
			}
		}
		return true
	default:
		return fmt.Sprint(a) == fmt.Sprint(b)
	}
}
