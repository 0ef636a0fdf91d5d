package upstream

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// The values of the OpenAPI specification's style examples (OpenAPI 3.1.2,
// "Style Examples"), as JSON.
const (
	empty  = `""`
	str    = `"blue"`
	array  = `["blue","black","brown"]`
	object = `{"R":100,"G":200,"B":150}`
)

// styleCase is one parameter, one value, and what must reach the server.
type styleCase struct {
	in, style     string
	explode       bool
	allowReserved bool
	json          bool
	value         string // JSON; "" for absent
	// want is, for a path parameter, what follows "/c/"; for a query
	// parameter, the query; for a header, its value; for a cookie, the
	// Cookie header.
	want string
}

func (tc styleCase) String() string {
	return fmt.Sprintf("%s/%s/explode=%v/reserved=%v/json=%v/%s", tc.in, tc.style, tc.explode, tc.allowReserved, tc.json, tc.value)
}

// TestStyleExamples checks every row of the specification's table. The
// wire strings are the table's, except that object members come in the
// order of their names (B, G, R rather than the table's R, G, B): a JSON
// object's members have no order, and the arguments a tool receives keep
// none.
func TestStyleExamples(t *testing.T) {
	cases := []styleCase{
		// matrix, path.
		{"path", "matrix", false, false, false, empty, ";color"},
		{"path", "matrix", false, false, false, str, ";color=blue"},
		{"path", "matrix", false, false, false, array, ";color=blue,black,brown"},
		{"path", "matrix", false, false, false, object, ";color=B,150,G,200,R,100"},
		{"path", "matrix", true, false, false, empty, ";color"},
		{"path", "matrix", true, false, false, str, ";color=blue"},
		{"path", "matrix", true, false, false, array, ";color=blue;color=black;color=brown"},
		{"path", "matrix", true, false, false, object, ";B=150;G=200;R=100"},
		// label, path.
		// The table's "." for an empty label, escaped: a bare dot segment
		// would be removed by URL normalization (RFC 3986, 5.2.4), and the
		// call would go to another path.
		{"path", "label", false, false, false, empty, "%2E"},
		{"path", "label", false, false, false, str, ".blue"},
		{"path", "label", false, false, false, array, ".blue,black,brown"},
		{"path", "label", false, false, false, object, ".B,150,G,200,R,100"},
		{"path", "label", true, false, false, empty, "%2E"},
		{"path", "label", true, false, false, str, ".blue"},
		{"path", "label", true, false, false, array, ".blue.black.brown"},
		{"path", "label", true, false, false, object, ".B=150.G=200.R=100"},
		// simple, path.
		{"path", "simple", false, false, false, empty, ""},
		{"path", "simple", false, false, false, str, "blue"},
		{"path", "simple", false, false, false, array, "blue,black,brown"},
		{"path", "simple", false, false, false, object, "B,150,G,200,R,100"},
		{"path", "simple", true, false, false, empty, ""},
		{"path", "simple", true, false, false, str, "blue"},
		{"path", "simple", true, false, false, array, "blue,black,brown"},
		{"path", "simple", true, false, false, object, "B=150,G=200,R=100"},
		// simple, header: the same, without percent-encoding.
		{"header", "simple", false, false, false, str, "blue"},
		{"header", "simple", false, false, false, array, "blue,black,brown"},
		{"header", "simple", false, false, false, object, "B,150,G,200,R,100"},
		{"header", "simple", true, false, false, str, "blue"},
		{"header", "simple", true, false, false, array, "blue,black,brown"},
		{"header", "simple", true, false, false, object, "B=150,G=200,R=100"},
		// form, query.
		{"query", "form", false, false, false, empty, "color="},
		{"query", "form", false, false, false, str, "color=blue"},
		{"query", "form", false, false, false, array, "color=blue,black,brown"},
		{"query", "form", false, false, false, object, "color=B,150,G,200,R,100"},
		{"query", "form", true, false, false, empty, "color="},
		{"query", "form", true, false, false, str, "color=blue"},
		{"query", "form", true, false, false, array, "color=blue&color=black&color=brown"},
		{"query", "form", true, false, false, object, "B=150&G=200&R=100"},
		// spaceDelimited, pipeDelimited and deepObject, query.
		{"query", "spaceDelimited", false, false, false, array, "color=blue%20black%20brown"},
		{"query", "spaceDelimited", false, false, false, object, "color=B%20150%20G%20200%20R%20100"},
		{"query", "pipeDelimited", false, false, false, array, "color=blue%7Cblack%7Cbrown"},
		{"query", "pipeDelimited", false, false, false, object, "color=B%7C150%7CG%7C200%7CR%7C100"},
		{"query", "deepObject", true, false, false, object, "color%5BB%5D=150&color%5BG%5D=200&color%5BR%5D=100"},
		// form, cookie: as in the query, but pairs are separated by "; "
		// (Appendix D).
		{"cookie", "form", false, false, false, empty, "color="},
		{"cookie", "form", false, false, false, str, "color=blue"},
		{"cookie", "form", false, false, false, array, "color=blue,black,brown"},
		{"cookie", "form", false, false, false, object, "color=B,150,G,200,R,100"},
		{"cookie", "form", true, false, false, str, "color=blue"},
		{"cookie", "form", true, false, false, array, "color=blue; color=black; color=brown"},
		{"cookie", "form", true, false, false, object, "B=150; G=200; R=100"},
	}
	runStyleCases(t, cases)
}

// TestStyleEscaping checks percent-encoding: what RFC 6570 encodes, what
// allowReserved leaves alone, and the cases the table leaves undefined.
func TestStyleEscaping(t *testing.T) {
	const odd = `"a/b c?d#e&f=g+h,i;j%25k%zz~"`
	cases := []styleCase{
		// Every character outside the unreserved set is encoded, "/"
		// included: a value stays within its path segment.
		{"path", "simple", false, false, false, odd, "a%2Fb%20c%3Fd%23e%26f%3Dg%2Bh%2Ci%3Bj%2525k%25zz~"},
		{"path", "simple", false, false, false, `["a,b","c/d"]`, "a%2Cb,c%2Fd"},
		// A value cannot climb out of the operation's path.
		{"path", "simple", false, false, false, `".."`, "%2E%2E"},
		{"path", "simple", false, false, false, `"."`, "%2E"},
		{"query", "form", false, false, false, odd, "color=a%2Fb%20c%3Fd%23e%26f%3Dg%2Bh%2Ci%3Bj%2525k%25zz~"},
		// allowReserved keeps reserved characters and percent-encoded
		// triples, but not those that would break the query: # [ ] & = +.
		{"query", "form", false, true, false, odd, "color=a/b%20c?d%23e%26f%3Dg%2Bh,i;j%25k%25zz~"},
		{"query", "form", false, true, false, `"[x]:@!$'()*"`, "color=%5Bx%5D:@!$'()*"},
		// Header values are sent as they are.
		{"header", "simple", false, false, false, `"a/b c, d=e"`, "a/b c, d=e"},
		// Numbers and booleans as JSON writes them.
		{"query", "form", true, false, false, `[1, 2.5, -3, 1e21, 1e-7, true, false]`, "color=1&color=2.5&color=-3&color=1e%2B21&color=1e-7&color=true&color=false"},
		{"query", "form", false, false, false, `12345678901234`, "color=12345678901234"},
		// Arrays and objects nested one level deeper are JSON text.
		{"query", "form", false, false, false, `[{"a":1},[2]]`, "color=%7B%22a%22%3A1%7D,%5B2%5D"},
		// deepObject nests objects and repeats arrays with [].
		{"query", "deepObject", true, false, false, `{"a":{"b":"x y"},"c":[1,2],"d":null}`, "color%5Ba%5D%5Bb%5D=x%20y&color%5Bc%5D%5B%5D=1&color%5Bc%5D%5B%5D=2"},
		// Styles with no defined explode, or no defined primitive, fall
		// back to form.
		{"query", "spaceDelimited", true, false, false, array, "color=blue&color=black&color=brown"},
		{"query", "pipeDelimited", false, false, false, str, "color=blue"},
		{"query", "deepObject", true, false, false, array, "color=blue&color=black&color=brown"},
		// Empty arrays and objects are undefined, as are null and absent
		// arguments: nothing is sent.
		{"query", "form", true, false, false, `[]`, ""},
		{"query", "form", true, false, false, `{}`, ""},
		{"query", "form", true, false, false, `null`, ""},
		{"query", "form", true, false, false, "", ""},
		{"header", "simple", false, false, false, `[]`, ""},
		{"cookie", "form", true, false, false, `[]`, ""},
		// content: application/json parameters are JSON text, encoded for
		// where they go.
		{"query", "form", true, false, true, `{"a":[1,"x y"]}`, "color=%7B%22a%22%3A%5B1%2C%22x%20y%22%5D%7D"},
		{"path", "simple", false, false, true, `{"a":1}`, "%7B%22a%22%3A1%7D"},
		{"header", "simple", false, false, true, `{"a":"<b>"}`, `{"a":"<b>"}`},
		{"cookie", "form", true, false, true, `[1,2]`, "color=%5B1%2C2%5D"},
	}
	runStyleCases(t, cases)
}

// TestStyleSwagger2Delimited checks Swagger 2.0 arrays in the path and in
// headers whose collectionFormat is ssv, pipes or tsv, which OpenAPI 3
// has no style for: the items joined by the delimiter, percent-encoded
// in the path (the delimiter too, and a delimiter within an item) and
// as they are in a header.
func TestStyleSwagger2Delimited(t *testing.T) {
	cases := []styleCase{
		{"path", "spaceDelimited", false, false, false, array, "blue%20black%20brown"},
		{"path", "pipeDelimited", false, false, false, array, "blue%7Cblack%7Cbrown"},
		{"path", "tabDelimited", false, false, false, array, "blue%09black%09brown"},
		{"path", "pipeDelimited", false, false, false, `["a|b","c d"]`, "a%7Cb%7Cc%20d"},
		{"path", "spaceDelimited", false, false, false, str, "blue"},
		// Explode means nothing to a collectionFormat.
		{"path", "spaceDelimited", true, false, false, array, "blue%20black%20brown"},
		{"header", "spaceDelimited", false, false, false, array, "blue black brown"},
		{"header", "pipeDelimited", false, false, false, array, "blue|black|brown"},
		{"header", "tabDelimited", false, false, false, array, "blue\tblack\tbrown"},
		{"header", "pipeDelimited", true, false, false, str, "blue"},
		{"header", "tabDelimited", false, false, false, `[]`, ""},
	}
	runStyleCases(t, cases)
}

// TestAppendixCExamples checks the query strings of the specification's
// Appendix C, "Using RFC6570-Based Serialization".
func TestAppendixCExamples(t *testing.T) {
	srv, got := recorder(t)
	c := newClient(t, &API{Name: "test"}, srv, nil)
	run := func(op *Operation, args string, want string) {
		t.Helper()
		if _, err := c.Do(context.Background(), op, decoded(t, args)); err != nil {
			t.Fatal(err)
		}
		if r := got(); r.URI != want {
			t.Errorf("request URI = %s, want %s", r.URI, want)
		}
	}
	// RFC6570-equivalent expansion: {?formulas*,words}.
	run(&Operation{Method: "GET", Path: "/", Params: []Param{
		{Name: "formulas", In: "query", Style: "form", Explode: true},
		{Name: "words", In: "query", Style: "form"},
	}}, `{"formulas":{"a":"x+y","b":"x/y","c":"x^y"},"words":["math","is","fun"]}`,
		"/?a=x%2By&b=x%2Fy&c=x%5Ey&words=math,is,fun")
	// Expansion with non-RFC6570-supported options.
	run(&Operation{Method: "GET", Path: "/", Params: []Param{
		{Name: "formulas", In: "query", Style: "form", Explode: true, AllowReserved: true},
		{Name: "words", In: "query", Style: "spaceDelimited"},
	}}, `{"formulas":{"a":"x%2By","b":"x/y","c":"x^y"},"words":["math","is","fun"]}`,
		"/?a=x%2By&b=x/y&c=x%5Ey&words=math%20is%20fun")
	// Undefined values: an empty object is left out entirely.
	run(&Operation{Method: "GET", Path: "/", Params: []Param{
		{Name: "formulas", In: "query", Style: "form", Explode: true},
		{Name: "words", In: "query", Style: "form"},
	}}, `{"formulas":{},"words":["hello","world"]}`,
		"/?words=hello,world")
}

func runStyleCases(t *testing.T, cases []styleCase) {
	t.Helper()
	srv, got := recorder(t)
	c := newClient(t, &API{Name: "test"}, srv, nil)
	for _, tc := range cases {
		t.Run(tc.String(), func(t *testing.T) {
			p := Param{Name: "color", In: tc.in, Style: tc.style, Explode: tc.explode, AllowReserved: tc.allowReserved, JSON: tc.json, Required: tc.in == "path"}
			op := &Operation{Method: "GET", Path: "/c", Params: []Param{p}}
			if tc.in == "path" {
				op.Path = "/c/{color}"
			}
			args := map[string]any{}
			if tc.value != "" {
				args = decoded(t, `{"color":`+tc.value+`}`)
			}
			if _, err := c.Do(context.Background(), op, args); err != nil {
				t.Fatal(err)
			}
			r := got()
			var have string
			switch tc.in {
			case "path":
				have = strings.TrimPrefix(r.URI, "/c/")
			case "query":
				_, have, _ = strings.Cut(r.URI, "?")
			case "header":
				have = strings.Join(r.Header.Values("color"), "|")
			case "cookie":
				have = r.Header.Get("Cookie")
			}
			if have != tc.want {
				t.Errorf("sent %q, want %q (request URI %s)", have, tc.want, r.URI)
			}
		})
	}
}
