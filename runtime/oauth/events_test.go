package oauth

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// TestEvents checks the events of refusals at each endpoint, by reason.
func TestEvents(t *testing.T) {
	e := newEnv(t, nil)
	c := e.newClient()
	p := newPKCE()
	type step struct {
		do   func()
		want Event
	}
	get := func(u string) func() {
		return func() {
			resp, err := e.browser().Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	post := func(path string, form url.Values) func() {
		return func() {
			resp, err := http.PostForm(e.ts.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	for i, s := range []step{
		{get(e.authURL(c, p, map[string]string{"code_challenge_method": "plain"})), Event{EventRefused, "authorize", "invalid_request"}},
		{get(e.authURL(&testClient{id: "unknown", redirect: c.redirect}, p, nil)), Event{EventRefused, "authorize", "invalid_client"}},
		{get(e.authURL(c, p, map[string]string{"scope": "admin"})), Event{EventRefused, "authorize", "invalid_scope"}},
		{post("/consent", url.Values{"request": {"gone"}}), Event{EventRefused, "consent", "invalid_request"}},
		{get(e.ts.URL + "/callback?state=gone"), Event{EventRefused, "callback", "invalid_request"}},
		{post("/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {c.id}, "code": {"gone"}}), Event{EventRefused, "token", "invalid_grant"}},
		{post("/token", url.Values{"grant_type": {"password"}, "client_id": {c.id}}), Event{EventRefused, "token", "unsupported_grant_type"}},
		{post("/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"unknown"}}), Event{EventRefused, "token", "invalid_client"}},
		{post("/revoke", url.Values{"client_id": {c.id}}), Event{EventRefused, "revoke", "invalid_request"}},
		{post("/register", url.Values{}), Event{EventRefused, "register", "invalid_client_metadata"}},
	} {
		before := e.events.len()
		s.do()
		if got := e.events.since(before); !slices.Equal(got, []Event{s.want}) {
			t.Errorf("step %d: events %+v, want %+v", i, got, s.want)
		}
	}
	// The user's denial at the consent page.
	b := e.browser()
	f, _ := e.startAuthorize(b, e.authURL(c, p, nil))
	before := e.events.len()
	e.consent(b, f, "deny")
	if got, want := e.events.since(before), []Event{{EventRefused, "consent", "access_denied"}}; !slices.Equal(got, want) {
		t.Errorf("a denial: events %+v, want %+v", got, want)
	}
	// A sign-in and a refresh.
	before = e.events.len()
	code := e.code(c, p)
	_, refresh := e.exchange(c, code, p)
	status, out := e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {c.id}, "refresh_token": {refresh}})
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, out)
	}
	if got, want := e.events.since(before), []Event{{Kind: EventTokenIssued, Endpoint: "token"}, {Kind: EventTokenRefreshed, Endpoint: "token"}}; !slices.Equal(got, want) {
		t.Errorf("a sign-in and a refresh: events %+v, want %+v", got, want)
	}
}
