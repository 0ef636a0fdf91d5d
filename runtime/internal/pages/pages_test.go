package pages

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	w := httptest.NewRecorder()
	Write(w, &Page{Status: http.StatusBadRequest, Title: "A <title>", Body: []byte("<p>body</p>\n")})
	if w.Code != http.StatusBadRequest {
		t.Errorf("status %d, want 400", w.Code)
	}
	page := w.Body.String()
	for _, want := range []string{`<html lang="en">`, "<title>A &lt;title&gt;</title>", "<style>" + style + "</style>", "<main>\n<p>body</p>\n</main>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("a page without copy buttons has a script")
	}
	if got, want := w.Header().Get("Content-Security-Policy"), "default-src 'none'; style-src "+styleHash+"; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"; got != want {
		t.Errorf("Content-Security-Policy = %q, want %q", got, want)
	}
}

func TestPolicy(t *testing.T) {
	got := Policy(&Page{Copy: true, Images: []string{"https://app.example"}, FormAction: []string{"'self'", "https://idp.example", "com.example.app:"}})
	want := "default-src 'none'; style-src " + styleHash + "; script-src " + scriptHash +
		"; img-src https://app.example; form-action 'self' https://idp.example com.example.app:; base-uri 'none'; frame-ancestors 'none'"
	if got != want {
		t.Errorf("Policy = %q, want %q", got, want)
	}
}
