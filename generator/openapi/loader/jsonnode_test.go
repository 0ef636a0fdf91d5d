package loader

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// TestParseJSONLikeYAML checks that parseJSON builds the tree the YAML parser
// builds from the same JSON: kinds, tags, values, styles and positions.
func TestParseJSONLikeYAML(t *testing.T) {
	inputs := []string{
		`{}`,
		`{"a": [], "b": {}, "c": [[], {}]}`,
		`{"s": "plain", "e": "tab\tnew\nline \"q\" \\ \/ \u00e9", "u": "héllo wörld ✓"}`,
		`{"n": [0, -0, 1, -12, 3.25, 1e5, 1E-3, -2.5e+10, 9223372036854775807, 9223372036854775808, 18446744073709551615, 18446744073709551616, 123456789012345678901234567890]}`,
		`{"t": true, "f": false, "z": null}`,
		"{\n  \"a\": {\n    \"b\": [\n      1,\n      \"x\"\n    ]\n  },\n\t\"c\":\t\"ü\", \"d\": \"€\", \"e\": [ {\"f\": null} ]\n}\n",
		`{"k€y": {"nested": {"deeper": [1, [2, [3, {"x": "y"}]]]}}}`,
	}
	if data, err := os.ReadFile("testdata/petstore.json"); err == nil {
		inputs = append(inputs, string(data))
	}
	for i, in := range inputs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(in), &doc); err != nil {
				t.Fatal(err)
			}
			got, err := parseJSON([]byte(in), true)
			if err != nil {
				t.Fatal(err)
			}
			compareNodes(t, "#", got, doc.Content[0])
		})
	}
}

func compareNodes(t *testing.T, at string, got, want *yaml.Node) {
	t.Helper()
	if got.Kind != want.Kind || got.Tag != want.Tag || got.Value != want.Value || got.Style != want.Style {
		t.Fatalf("%s: got kind %v tag %s value %q style %v, want kind %v tag %s value %q style %v",
			at, got.Kind, got.Tag, got.Value, got.Style, want.Kind, want.Tag, want.Value, want.Style)
	}
	if got.Line != want.Line || got.Column != want.Column {
		t.Fatalf("%s: got %d:%d, want %d:%d", at, got.Line, got.Column, want.Line, want.Column)
	}
	if len(got.Content) != len(want.Content) {
		t.Fatalf("%s: %d children, want %d", at, len(got.Content), len(want.Content))
	}
	for i := range got.Content {
		compareNodes(t, fmt.Sprintf("%s/%d", at, i), got.Content[i], want.Content[i])
	}
}

// TestParseJSONEscapes covers what the YAML parser cannot compare: a
// surrogate pair, and bytes that are not UTF-8, which encoding/json (and so
// kin-openapi) reads as U+FFFD.
func TestParseJSONEscapes(t *testing.T) {
	n, err := parseJSON([]byte("{\"a\": \"\\ud83d\\ude00 x\", \"b\": \"\xff\"}"), false)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Content[1].Value; got != "😀 x" {
		t.Errorf("surrogate pair: %q", got)
	}
	if got := n.Content[3].Value; got != "\uFFFD" {
		t.Errorf("invalid UTF-8: %q", got)
	}
}

// TestParseJSONErrors checks that what encoding/json refuses, parseJSON
// refuses too, at the same offset.
func TestParseJSONErrors(t *testing.T) {
	inputs := []string{
		``, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":[1,]}`, `{"a":[1 2]}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`,
		`{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"line\nbreak\"}", `{"a":"unterminated}`, `{"a":1} x`, `{"a":1}}`,
		`{"a":[` + strings.Repeat("[", maxDocumentDepth+1),
	}
	for _, in := range inputs {
		_, err := parseJSON([]byte(in), false)
		if err == nil {
			t.Errorf("parseJSON(%q) succeeded", in)
			continue
		}
		var v any
		jerr := json.Unmarshal([]byte(in), &v)
		se, ok := err.(*syntaxError)
		if !ok {
			t.Errorf("parseJSON(%q): %T, want *syntaxError", in, err)
			continue
		}
		if js, ok := jerr.(*json.SyntaxError); ok && int(js.Offset) != se.off && int(js.Offset) != se.off+1 && len(in) < 100 {
			t.Errorf("parseJSON(%q): error at %d (%v), encoding/json at %d (%v)", in, se.off, err, js.Offset, jerr)
		}
	}
}

// FuzzParseJSON checks parseJSON against encoding/json: both accept the
// same objects, and read the same values from them (numbers compared as
// the text they are written as).
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,-0.5e3,true,null,"x\u00e9\n"]}`, `{"a":{"b":{}},"a":2}`, "{\"\xff\":\"\\ud83d\\ude00\"}"} {
		f.Add([]byte(s))
	}
	if data, err := os.ReadFile("testdata/petstore.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parseJSON(data, true)
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		var want any
		jerr := dec.Decode(&want)
		if jerr == nil && dec.More() || jerr == nil && trailing(dec) {
			jerr = fmt.Errorf("trailing data")
		}
		if _, isObject := want.(map[string]any); jerr == nil && !isObject {
			jerr = fmt.Errorf("not an object") // parseJSON reads any value; compare objects
			if err != nil {
				t.Fatalf("parseJSON refused %q, a valid JSON value: %v", data, err)
			}
			return
		}
		if (err == nil) != (jerr == nil) {
			t.Fatalf("parseJSON(%q): %v; encoding/json: %v", data, err, jerr)
		}
		if err != nil {
			return
		}
		if got := nodeValue(n); !reflect.DeepEqual(got, want) {
			t.Fatalf("parseJSON(%q) = %#v, encoding/json %#v", data, got, want)
		}
	})
}

// trailing reports whether anything but white space follows the value dec
// read.
func trailing(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err != io.EOF
}

// nodeValue is the value n holds as encoding/json with UseNumber reads it.
func nodeValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			s = append(s, nodeValue(c))
		}
		return s
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		return n.Value == "true"
	case "!!int", "!!float":
		return json.Number(n.Value)
	}
	return n.Value
}

// FuzzSplitJSON: splitting a document into its entries, as loading does,
// gives the entries parseJSON reads in place, each at the same line and
// column (those the position index gives).
func FuzzSplitJSON(f *testing.F) {
	for _, s := range []string{
		`{"paths":{"/a":{"get":{"description":"say \"hi\"\\"}}}}`,
		"{\n  \"paths\": {\n    \"/a\": {\n      \"x\": \"\\\\\",\n      \"y\": [\n        {}\n      ]\n    }\n  },\n  \"components\": {\"schemas\": {\"A\": {\"t\": \"}\"}}}\n}",
		`{"components":{"schemas":{"A":{"a":"\\\\\"{"}}}}`,
		`{"paths":{"/a":{"b":"unterminated}}}`,
	} {
		f.Add([]byte(s))
	}
	if data, err := os.ReadFile("testdata/petstore.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, err := parseJSON(data, true)
		_, jobs, _, _, serr := splitJSON(string(data), true)
		if err != nil {
			if serr == nil {
				// The split only skips the entries; parsing them finds
				// what is wrong.
				for _, j := range jobs {
					if _, perr := (&jsonParser{positions: true}).parseRange(j.src, j.start, j.end); perr != nil {
						return
					}
				}
				t.Fatalf("parseJSON refuses %q (%v), but the split and its entries parse", data, err)
			}
			return
		}
		if serr != nil {
			t.Fatalf("splitJSON(%q): %v; parseJSON reads it", data, serr)
		}
		if whole.Kind != yaml.MappingNode {
			return
		}
		for _, j := range jobs {
			n, perr := (&jsonParser{positions: true}).parseRange(j.src, j.start, j.end)
			if perr != nil {
				t.Fatalf("entry %s/%s of %q: %v", j.section, j.key, data, perr)
			}
			want := entry(whole, j.section, j.key)
			if want == nil {
				t.Fatalf("entry %s/%s of %q: not in parseJSON's tree", j.section, j.key, data)
			}
			if !reflect.DeepEqual(nodeValue(n), nodeValue(want)) || n.Line != want.Line || n.Column != want.Column {
				t.Fatalf("entry %s/%s of %q: %v at %d:%d, parseJSON %v at %d:%d", j.section, j.key, data, nodeValue(n), n.Line, n.Column, nodeValue(want), want.Line, want.Column)
			}
		}
	})
}

// entry finds the entry key of section ("paths", or a kind of component)
// in a document's tree; the last, if the key repeats.
func entry(root *yaml.Node, section, key string) *yaml.Node {
	parent := mapping(root, "paths")
	if section != "paths" {
		parent = mapping(mapping(root, "components"), section)
	}
	var found *yaml.Node
	for i := 0; parent != nil && i+1 < len(parent.Content); i += 2 {
		if parent.Content[i].Value == key {
			found = parent.Content[i+1]
		}
	}
	return found
}
