package names

import (
	"go/token"
	"strings"
	"testing"
)

func TestExported(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"get_pet", "GetPet"},
		{"get-pet-by-id", "GetPetByID"},
		{"getPetById", "GetPetByID"},
		{"getPetByID", "GetPetByID"},
		{"getPet", "GetPet"},
		{"GetPet", "GetPet"},
		{"userURL", "UserURL"},
		{"user_url", "UserURL"},
		{"http_status", "HTTPStatus"},
		{"HTTPServer", "HTTPServer"},
		{"api", "API"},
		{"json_api_url", "JSONAPIURL"},
		{"uuid", "UUID"},
		{"user_ids", "UserIDs"},
		{"userIDs", "UserIDs"},
		{"USER_IDS", "UserIDs"},
		{"URLsList", "URLsList"},
		{"idsToFetch", "IDsToFetch"},
		{"status", "Status"},
		{"PETS", "Pets"},
		{"v2Pets", "V2Pets"},
		{"OAuth2Token", "OAuth2Token"},
		{"2fa_code", "X2faCode"},
		{"a.b", "AB"},
		{"search notes", "SearchNotes"},
		{"$schema", "Schema"},
		{"@type", "Type"},
		{"_id", "ID"},
		{"__proto__", "Proto"},
		{"café_menu", "CaféMenu"},
		{"größe", "Größe"},
		{"名前", "X名前"},
		{"", "X"},
		{"___", "X"},
		{"+", "X"},
		{"type", "Type"},
	} {
		got := Exported(tc.in)
		if got != tc.want {
			t.Errorf("Exported(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !token.IsIdentifier(got) || !token.IsExported(got) {
			t.Errorf("Exported(%q) = %q, not an exported identifier", tc.in, got)
		}
	}
}

func TestAppend(t *testing.T) {
	for _, tc := range []struct{ prefix, in, want string }{
		{"CalculateInputOperation", "add", "CalculateInputOperationAdd"},
		{"CalculateInputOperation", "divide-by", "CalculateInputOperationDivideBy"},
		{"Resolution", "1080p", "Resolution1080p"},
		{"Level", "1", "Level1"},
		{"Kind", "http_url", "KindHTTPURL"},
		{"Lang", "日本語", "Lang日本語"},
		{"Op", "+", "OpX"},
		{"Op", "", "OpX"},
	} {
		if got := Append(tc.prefix, tc.in); got != tc.want {
			t.Errorf("Append(%q, %q) = %q, want %q", tc.prefix, tc.in, got, tc.want)
		}
	}
}

func TestUnexported(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"GetPet", "getPet"},
		{"get_pet", "getPet"},
		{"ID", "id"},
		{"URLPath", "urlPath"},
		{"user_id", "userID"},
		{"HTTPServer", "httpServer"},
		{"type", "type_"},
		{"func", "func_"},
		{"string", "string_"},
		{"any", "any_"},
		{"init", "init_"},
		{"main", "main_"},
		{"Len", "len_"},
		{"2fa", "x2fa"},
		{"名前", "名前"},
		{"ϓ_value", "xϓValue"},
		{"", "x"},
		{"--", "x"},
	} {
		got := Unexported(tc.in)
		if got != tc.want {
			t.Errorf("Unexported(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !token.IsIdentifier(got) || token.IsExported(got) {
			t.Errorf("Unexported(%q) = %q, not an unexported identifier", tc.in, got)
		}
	}
}

func TestSnake(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"getPetByID", "get_pet_by_id"},
		{"get-pet", "get_pet"},
		{"get_pet", "get_pet"},
		{"Get Pet", "get_pet"},
		{"search.notes", "search_notes"},
		{"HTTPServer", "http_server"},
		{"userIDs", "user_ids"},
		{"v2Pets", "v2_pets"},
		{"2fa", "2fa"},
		{"_hidden", "hidden"},
		{".hidden", "hidden"},
		{"café", "café"},
		{"Größe", "größe"},
		{"x٣", "x"},
		{"...", "x"},
		{"", "x"},
	} {
		got := Snake(tc.in)
		if got != tc.want {
			t.Errorf("Snake(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got == "" || strings.HasPrefix(got, "_") || strings.HasPrefix(got, ".") || strings.ToLower(got) != got {
			t.Errorf("Snake(%q) = %q, not a safe file name stem", tc.in, got)
		}
	}
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{"get_pet", "userIDs", "2fa", "名前", "", "a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if e := Exported(s); !token.IsIdentifier(e) || !token.IsExported(e) {
			t.Errorf("Exported(%q) = %q", s, e)
		}
		if u := Unexported(s); !token.IsIdentifier(u) || token.IsExported(u) {
			t.Errorf("Unexported(%q) = %q", s, u)
		}
		if a := Append("P", s); !token.IsIdentifier(a) || !token.IsExported(a) {
			t.Errorf("Append(P, %q) = %q", s, a)
		}
		if sn := Snake(s); sn == "" || sn[0] == '_' || sn[0] == '.' {
			t.Errorf("Snake(%q) = %q", s, sn)
		}
	})
}

func TestCheckToolName(t *testing.T) {
	for _, tc := range []struct{ name, reason, hint string }{
		{"get_pet", "", ""},
		{"pets.v2-list", "", ""},
		{strings.Repeat("a", MaxToolName), "", ""},
		{"", "the tool has no name", ""},
		{"get pet", `tool name "get pet" has invalid character " "`, "use letters, digits, '_', '-' and '.'"},
		{"café", `tool name "café" has invalid character "é"`, "use letters, digits, '_', '-' and '.'"},
		{"a/b", `tool name "a/b" has invalid character "/"`, "use letters, digits, '_', '-' and '.'"},
		{strings.Repeat("a", MaxToolName+1), "tool name is 65 characters long; the limit is 64", "popular MCP clients break on longer names"},
	} {
		reason, hint := CheckToolName("tool", tc.name)
		if reason != tc.reason || hint != tc.hint {
			t.Errorf("CheckToolName(%q) = %q, %q; want %q, %q", tc.name, reason, hint, tc.reason, tc.hint)
		}
	}
}
