package manifest

import (
	"reflect"
	"testing"
)

func TestConfirms(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		server, tool string
		hint         *bool
		want         bool
	}{
		{"", "", &yes, true},
		{"", "", &no, false},
		// MCP's default for an unannotated tool is destructive; only an
		// explicit hint asks.
		{"", "", nil, false},
		{"never", "", &yes, false},
		{"always", "", nil, true},
		{"never", "destructive", &yes, true},
		{"always", "never", &yes, false},
		{"never", "always", &no, true},
	} {
		if got := Confirms(tc.server, tc.tool, tc.hint); got != tc.want {
			t.Errorf("Confirms(%q, %q, %v) = %v, want %v", tc.server, tc.tool, tc.hint, got, tc.want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	for msg, want := range map[string][]string{
		"Delete {{id}} from {{ list }}?": {"id", " list "},
		"no placeholders":                nil,
		"{{a}}{{b}} and {{unclosed":      {"a", "b"},
	} {
		if got := Placeholders(msg); !reflect.DeepEqual(got, want) {
			t.Errorf("Placeholders(%q) = %q, want %q", msg, got, want)
		}
	}
}
