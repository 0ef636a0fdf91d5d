package manifest

import "testing"

func TestValidateResponse(t *testing.T) {
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"good", "name: a\nopenapi:\n  spec: api.yaml\n  response: {maxBytes: 65536}\n" +
			"  overrides:\n    - operation: listIssues\n      response:\n        select: '[.[] | {number, title}]'\n", ""},
		{"bad", "name: a\nopenapi:\n  spec: api.yaml\n  maxResponseBytes: 100000\n  response: {maxBytes: 200000}\n" +
			"  overrides:\n" +
			"    - operation: a\n      response: {select: '{number title}', maxBytes: 100}\n" +
			"    - operation: b\n      response:\n        select: map(.login) | nosuch\n" +
			"    - operation: c\n      response: {}\n" +
			"    - {operation: d, exclude: true, response: {select: .}}\n", wantLines(
			`m.yaml:5:24: #/openapi/response/maxBytes: warning: maxBytes 200000 is more than the 100000 bytes read of an answer: a longer answer is cut before the budget applies, and cut JSON is a tool error; raise openapi.maxResponseBytes, or lower maxBytes`,
			`m.yaml:8:26: #/openapi/overrides/0/response/select: select does not compile: unexpected token "title" after "{number"; write a jq program, such as [.[] | {id, name}]`,
			`m.yaml:8:54: #/openapi/overrides/0/response/maxBytes: maxBytes 100 is too small to hold a result and the note about what was left out; give at least 256 bytes; 65536 holds a few hundred list items`,
			`m.yaml:11:17: #/openapi/overrides/1/response/select: select does not compile: function not defined: nosuch/0; write a jq program, such as [.[] | {id, name}]`,
			`m.yaml:13:17: #/openapi/overrides/2/response: warning: empty response has no effect; give select, maxBytes or both, or remove it`,
			`m.yaml:14:31: #/openapi/overrides/3/exclude: warning: operation "d" is excluded; the rest of its override has no effect`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := validate(t, c.yaml); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}
