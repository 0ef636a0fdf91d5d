package upstream

import (
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// Paging names the arguments with which an operation's answers are paged,
// so that a result can say which arguments get the next page. One of Page,
// Offset and Cursor is set.
type Paging struct {
	// Page is the argument that numbers pages ("page"); FirstPage is the
	// number of the first, which an unset Page stands for.
	Page      string
	FirstPage int
	// Offset is the argument that gives the index of the first item
	// ("offset").
	Offset string
	// Cursor is the argument that carries a position the API gave out
	// with the previous page ("cursor", "page_token", "after").
	Cursor string
	// Size is the argument that sets how many items a page holds
	// ("per_page", "limit", "first"), if there is one.
	Size string
	// InResult is set when the next page's arguments go into the
	// structured content, as its "_next" member (the tool's output
	// schema, if it has one, has room for it). They are always given in a
	// note too.
	InResult bool
}

// nextKey is the member of a result that holds the next page's arguments.
const nextKey = "_next"

// A page is what one answer says of the pages of a paged operation.
type page struct {
	// next are the arguments that change for the next page; nil when
	// there is none, or when it cannot be told in the tool's arguments.
	next map[string]any
	// items is where the answer's list of items starts in the answer, -1
	// when there is none.
	items int
	// offset is set when next gives an Offset, which counted the items of
	// that list.
	offset bool
}

// nextPage works out the next page of a paged operation from the answer
// raw (compact JSON text, or nil for an answer that is not JSON), the
// response's Link header and the call's arguments.
//
// An RFC 8288 Link header with a "next" link wins: its query gives the
// arguments; a Link header with other paging links ("prev", "last") and
// no "next" means this is the last page. Otherwise a cursor comes from the
// answer (next_cursor, nextPageToken, pageInfo.endCursor and the like),
// and a page number or offset follows from the call's own, unless the
// answer's list is empty or shorter than the page size asked for.
func (r *Response) nextPage(raw []byte) page {
	p := r.op.Paging
	pg := page{items: -1}
	mem := members(raw)
	n := -1 // items in the answer's list
	if i := skipSpace(raw, 0); i < len(raw) && raw[i] == '[' {
		pg.items, n = i, countItems(raw, i)
	} else {
		for _, m := range mem {
			if raw[m.start] == '[' {
				if c := countItems(raw, m.start); c > n {
					pg.items, n = m.start, c
				}
			}
		}
	}

	if links, ok := r.pagingLinks(); ok {
		if next, ok := links["next"]; ok {
			pg.next = r.argsFromURL(next)
		}
		return pg
	}
	var objs []map[string]json.RawMessage
	if mem != nil {
		objs = pagingObjects(raw, mem)
	}
	if more, ok := hasMore(objs); ok && !more {
		return pg
	}
	switch {
	case p.Cursor != "":
		pg.next = r.cursorFrom(objs)
	case n <= 0:
		// No list, or an empty one: nothing tells where a next page starts.
	case p.Offset != "":
		if size, ok := r.intArg(p.Size); ok && n < size {
			return pg
		}
		offset, _ := r.intArg(p.Offset)
		pg.next, pg.offset = map[string]any{p.Offset: offset + n}, true
	case p.Page != "":
		if size, ok := r.intArg(p.Size); ok && n < size {
			return pg
		}
		num, ok := r.intArg(p.Page)
		if !ok {
			num = p.FirstPage
		}
		pg.next = map[string]any{p.Page: num + 1}
	}
	return pg
}

// intArg is the call's argument name as an integer.
func (r *Response) intArg(name string) (int, bool) {
	if name == "" {
		return 0, false
	}
	switch v := r.args[name].(type) {
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v), true
		}
	case int:
		return v, true
	case int64:
		return int(v), true
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return int(i), true
		}
	}
	return 0, false
}

// pagingLinks reads the response's Link header: the targets of its
// links by relation, and whether it has any paging link at all.
func (r *Response) pagingLinks() (map[string]string, bool) {
	links := make(map[string]string)
	for _, v := range r.Header.Values("Link") {
		for _, l := range parseLinks(v) {
			for _, rel := range strings.Fields(strings.ToLower(l.rel)) {
				if _, dup := links[rel]; !dup {
					links[rel] = l.target
				}
			}
		}
	}
	for _, rel := range []string{"next", "prev", "previous", "first", "last"} {
		if _, ok := links[rel]; ok {
			return links, true
		}
	}
	return nil, false
}

type link struct{ target, rel string }

// parseLinks parses the value of a Link header (RFC 8288):
// <target>; rel="next"; title="…", <target>; rel=last.
func parseLinks(v string) []link {
	var out []link
	for {
		start := strings.IndexByte(v, '<')
		if start < 0 {
			return out
		}
		end := strings.IndexByte(v[start:], '>')
		if end < 0 {
			return out
		}
		l := link{target: strings.TrimSpace(v[start+1 : start+end])}
		v = v[start+end+1:]
		// Parameters up to the comma that ends the link, outside quotes.
		for {
			v = strings.TrimLeft(v, " \t")
			if v == "" || v[0] != ';' {
				break
			}
			v = strings.TrimLeft(v[1:], " \t")
			eq := strings.IndexAny(v, "=;,")
			if eq < 0 || v[eq] != '=' {
				continue
			}
			name := strings.ToLower(strings.TrimSpace(v[:eq]))
			v = strings.TrimLeft(v[eq+1:], " \t")
			var value string
			if strings.HasPrefix(v, `"`) {
				var b strings.Builder
				i := 1
				for ; i < len(v) && v[i] != '"'; i++ {
					if v[i] == '\\' && i+1 < len(v) {
						i++
					}
					b.WriteByte(v[i])
				}
				value, v = b.String(), v[min(i+1, len(v)):]
			} else {
				stop := strings.IndexAny(v, ";,")
				if stop < 0 {
					stop = len(v)
				}
				value, v = strings.TrimSpace(v[:stop]), v[stop:]
			}
			if name == "rel" && l.rel == "" {
				l.rel = value
			}
		}
		out = append(out, l)
		if i := strings.IndexByte(v, ','); i >= 0 {
			v = v[i+1:]
		} else {
			return out
		}
	}
}

// argsFromURL maps the query of a next page's URL back to the tool's
// paging arguments: the position (page, offset or cursor) must be there,
// and the page size is given when it differs from the call's. Nil when
// the URL does not give the position in an argument of the tool.
func (r *Response) argsFromURL(raw string) map[string]any {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	q := u.Query()
	p := r.op.Paging
	next := make(map[string]any)
	for _, role := range []struct {
		arg     string
		integer bool
	}{{p.Page, true}, {p.Offset, true}, {p.Cursor, false}, {p.Size, true}} {
		if role.arg == "" {
			continue
		}
		name, ok := r.queryName(role.arg)
		if !ok || !q.Has(name) {
			continue
		}
		v := q.Get(name)
		if !role.integer {
			next[role.arg] = v
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			return nil
		}
		if role.arg == p.Size {
			if cur, ok := r.intArg(p.Size); ok && cur == i {
				continue
			}
		}
		next[role.arg] = i
	}
	for _, pos := range []string{p.Page, p.Offset, p.Cursor} {
		if _, ok := next[pos]; ok && pos != "" {
			return next
		}
	}
	return nil
}

// queryName is the name in the query of the argument arg.
func (r *Response) queryName(arg string) (string, bool) {
	for _, prm := range r.op.Params {
		if prm.In == "query" && (prm.Arg == arg || prm.Arg == "" && prm.Name == arg) {
			return prm.Name, true
		}
	}
	return "", false
}

// Where answers keep their paging details: the answer itself, or one of
// these members of it.
var (
	pagingMembers = []string{"response_metadata", "pagination", "paging", "page_info", "pageInfo", "meta", "metadata", "links", "_links"}
	cursorKeys    = []string{"next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next_token", "nextToken", "end_cursor", "endCursor", "cursor", "next"}
	moreKeys      = []string{"has_more", "hasMore", "has_next_page", "hasNextPage"}
)

// pagingObjects are the objects of the answer that may say how it pages:
// the answer, then its paging members, decoded.
func pagingObjects(raw []byte, mem []member) []map[string]json.RawMessage {
	var out []map[string]json.RawMessage
	top := make(map[string]json.RawMessage, len(mem))
	for _, m := range mem {
		if _, dup := top[m.key]; !dup {
			top[m.key] = raw[m.start:m.end]
		}
	}
	out = append(out, top)
	for _, name := range pagingMembers {
		if v, ok := top[name]; ok && len(v) > 0 && v[0] == '{' {
			var obj map[string]json.RawMessage
			if json.Unmarshal(v, &obj) == nil {
				out = append(out, obj)
			}
		}
	}
	return out
}

// hasMore reads a flag of the answer that says whether more pages follow.
func hasMore(objs []map[string]json.RawMessage) (more, ok bool) {
	for _, obj := range objs {
		for _, k := range moreKeys {
			var b bool
			if v, found := obj[k]; found && json.Unmarshal(v, &b) == nil {
				return b, true
			}
		}
	}
	return false, false
}

// cursorFrom finds the next page's cursor in the answer: a string member
// such as next_cursor, or a URL (next, links.next, _links.next.href) whose
// query holds it.
func (r *Response) cursorFrom(objs []map[string]json.RawMessage) map[string]any {
	for _, obj := range objs {
		for _, k := range cursorKeys {
			v, found := obj[k]
			if !found {
				continue
			}
			var s string
			if json.Unmarshal(v, &s) != nil {
				var href struct{ Href string }
				if json.Unmarshal(v, &href) != nil || href.Href == "" {
					continue
				}
				return r.argsFromURL(href.Href)
			}
			if s == "" {
				return nil // the last page
			}
			if k == "next" && (strings.Contains(s, "?") || strings.HasPrefix(s, "/")) {
				return r.argsFromURL(s)
			}
			return map[string]any{r.op.Paging.Cursor: s}
		}
	}
	return nil
}
