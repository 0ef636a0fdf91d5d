package names

import "testing"

func TestExported(t *testing.T) {
	for in, want := range map[string]string{
		"get_pet":       "GetPet",
		"get-pet-by-id": "GetPetByID",
		"getPetById":    "GetPetByID",
		"getPetByID":    "GetPetByID",
		"userURL":       "UserURL",
		"user_url":      "UserURL",
		"http_status":   "HTTPStatus",
		"HTTPServer":    "HTTPServer",
		"getPet":        "GetPet",
		"2fa_code":      "X2faCode",
		"a.b":           "AB",
		"PETS":          "Pets",
		"v2Pets":        "V2Pets",
		"":              "X",
		"___":           "X",
		"café_menu":     "CaféMenu",
		"search notes":  "SearchNotes",
		"api":           "API",
		"ids":           "IDs",
		"user_urls":     "UserURLs",
		"status":        "Status",
	} {
		if got := Exported(in); got != want {
			t.Errorf("Exported(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnexported(t *testing.T) {
	for in, want := range map[string]string{
		"GetPet":  "getPet",
		"ID":      "id",
		"URLPath": "urlPath",
		"type":    "type_",
		"string":  "string_",
		"2fa":     "x2fa",
		"":        "x",
	} {
		if got := Unexported(in); got != want {
			t.Errorf("Unexported(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"getPetByID":   "get_pet_by_id",
		"get-pet":      "get_pet",
		"Get Pet":      "get_pet",
		"search.notes": "search_notes",
		"_hidden":      "hidden",
		"...":          "x",
		"café":         "caf",
	} {
		if got := Snake(in); got != want {
			t.Errorf("Snake(%q) = %q, want %q", in, got, want)
		}
	}
}
