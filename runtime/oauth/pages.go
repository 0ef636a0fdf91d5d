package oauth

import (
	"bytes"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mcpgen/mcpgen/runtime/internal/pages"
)

// The consent page: who is asking, whether that name can be believed,
// where the user will be sent, and what approving allows. The buttons
// come last, after everything they decide on, Approve first.
var consentTmpl = template.Must(template.New("consent").Parse(`<h1>Allow {{.Client}} to use {{.Server}}?</h1>
<div class="client">{{with .Logo}}<img src="{{.}}" alt="" width="48" height="48">{{end}}<div>
<p><strong>{{.Client}}</strong> wants to use <strong>{{.Server}}</strong> as you.</p>
{{with .ClientURI}}<p><a href="{{.}}" rel="noopener noreferrer" target="_blank">{{$.ClientURIText}}</a></p>{{end}}
</div></div>
{{if .IDHost}}<p>The application is identified by its address at <span class="host">{{.IDHost}}</span>, which publishes its name.</p>
{{else if .Named}}<p class="note"><strong>“{{.Client}}” is a self-declared name:</strong> the application gave it when it registered, and this server cannot check it. Approve only if you started this sign-in yourself.</p>
{{else}}<p class="note"><strong>The application gave no name,</strong> and this server cannot tell what it is. Approve only if you started this sign-in yourself.</p>
{{end}}
<h2>If you approve</h2>
<ol>
<li>You sign in with {{.Provider}}{{if .ProviderScopes}}, which asks you to let {{.Server}}:
<ul>{{range .ProviderScopes}}<li>{{with .Words}}{{.}} ({{end}}<code>{{.Name}}</code>{{if .Words}}){{end}}</li>{{end}}</ul>
{{else}}.{{end}}</li>
<li>You are sent back to <span class="host">{{.RedirectHost}}</span>, and {{.Client}} can then act as you on {{.Server}}:
<ul>{{range .Scopes}}<li>{{with .Words}}{{.}} ({{end}}<code>{{.Name}}</code>{{if .Words}}){{end}}</li>{{end}}</ul></li>
</ol>
{{if or .Tools .Limited}}<h2>Tools</h2>
{{with .Tools}}<p>{{len .}} tool{{if ne (len .) 1}}s{{end}} open to everyone who signs in: {{range $i, $t := .}}{{if $i}}, {{end}}<code>{{$t}}</code>{{end}}{{if $.MoreTools}} and {{$.MoreTools}} more{{end}}.</p>{{end}}
{{with .Limited}}<p>Only if your account is allowed {{if eq (len .) 1}}it{{else}}them{{end}}: {{range $i, $t := .}}{{if $i}}, {{end}}<code>{{$t}}</code>{{end}}.</p>{{end}}
{{end}}
<form method="post" action="/consent">
<input type="hidden" name="request" value="{{.Request}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<div class="actions">
<button class="primary" type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny">Deny</button>
</div>
</form>
`))

var errorTmpl = template.Must(template.New("error").Parse(`<h1>Authorization failed</h1>
<p>{{.Message}}</p>
{{with .Server}}<p class="muted">{{.}}</p>{{end}}
`))

// consentMaxTools is how many tools the consent page names; a server made
// from a large API has hundreds, which nobody reads.
const consentMaxTools = 20

// A scope, in words.
type scopeWords struct{ Name, Words string }

// providerScopeWords say what the common provider scopes let the server
// do; a scope not here is shown by its name alone.
var providerScopeWords = map[string]string{
	"read:user":     "read your profile",
	"user:email":    "read your email addresses",
	"user":          "read and change your profile",
	"repo":          "read and change all your repositories, private ones too",
	"public_repo":   "read and change your public repositories",
	"read:org":      "read your organizations and teams",
	"gist":          "create gists",
	"notifications": "read your notifications",
	"workflow":      "change your repositories' GitHub Actions workflows",
	"openid":        "confirm who you are",
	"email":         "read your email address",
	"profile":       "read your name and profile",
}

func (s *Server) serverName() string {
	if s.opts.ServerName != "" {
		return s.opts.ServerName
	}
	return s.issuer
}

func (s *Server) consentPage(w http.ResponseWriter, r *http.Request, c *client, p *pending, id, csrf string) {
	d := map[string]any{
		"Server":       s.serverName(),
		"Client":       c.Name,
		"Provider":     providerTitle(s.set.provider.name),
		"RedirectHost": redirectHost(p.RedirectURI),
		"Request":      id,
		"CSRF":         csrf,
	}
	d["Named"] = c.Name != ""
	if c.Name == "" {
		d["Client"] = "An unnamed application"
	}
	// What the page says of the client beyond its name must come from
	// an origin the client is known to control: a metadata document's
	// (the client_id is its URL), or a redirect URI's (that is where the
	// user's grant goes anyway). Anything else is only what it claims.
	var own []string
	if isCIMD(c.ID) {
		u, _ := url.Parse(c.ID)
		d["IDHost"] = u.Host
		own = append(own, pages.Source(c.ID))
	}
	for _, ru := range c.RedirectURIs {
		if src := pages.Source(ru); strings.HasPrefix(src, "http") {
			own = append(own, src)
		}
	}
	var images []string
	if src := pages.Source(c.URI); src != "" && slices.Contains(own, src) {
		u, _ := url.Parse(c.URI)
		d["ClientURI"], d["ClientURIText"] = c.URI, u.Host+strings.TrimSuffix(u.EscapedPath(), "/")
	}
	if src := pages.Source(c.LogoURI); src != "" && slices.Contains(own, src) {
		d["Logo"], images = c.LogoURI, []string{src}
	}

	var ps []scopeWords
	for _, sc := range s.providerScopes(p.Scopes) {
		ps = append(ps, scopeWords{sc, providerScopeWords[sc]})
	}
	d["ProviderScopes"] = ps
	// The provider scopes a client asked for are listed above, as the
	// provider asks for them; the token's own scope is this one.
	d["Scopes"] = []scopeWords{{scopeMCP, "call " + s.serverName() + "'s tools as you"}}
	// Asked by nobody signed in, the gated server lists the tools open to
	// every signed-in user; the rules name the others.
	if tools := s.tools.Load(); tools != nil {
		desc, err := tools.Describe(r.Context())
		if err != nil {
			s.logger.Warn("oauth: the MCP server did not list its tools; the consent page does not name them", "err", err)
		} else {
			var open []string
			for _, t := range desc.Tools {
				open = append(open, t.Name)
			}
			if len(open) > consentMaxTools {
				d["MoreTools"] = len(open) - consentMaxTools
				open = open[:consentMaxTools]
			}
			d["Tools"] = open
		}
		d["Limited"] = slices.Sorted(maps.Keys(s.rules))
	}

	// The form posts here, and its answer redirects to the provider
	// (approve) or back to the client (deny); browsers hold those
	// redirects to form-action too.
	forms := []string{"'self'"}
	if cfg, _, err := s.provider.config(r.Context(), s.httpClient, ""); err == nil {
		if src := pages.Source(cfg.Endpoint.AuthURL); src != "" {
			forms = append(forms, src)
		}
	}
	if src := pages.Source(p.RedirectURI); src != "" {
		forms = append(forms, src)
	}
	var body bytes.Buffer
	if err := consentTmpl.Execute(&body, d); err != nil {
		s.serverError(w, r, err)
		return
	}
	pages.Write(w, &pages.Page{Title: "Allow " + d["Client"].(string) + " to use " + s.serverName() + "?", Body: body.Bytes(),
		Images: images, FormAction: slices.Compact(forms)})
}

// redirectHost is where a redirect URI sends the user, as the consent page
// names it: the host and port, or a native app's private-use scheme.
func redirectHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw // registered URIs parse: checkRedirectURI saw to it
	}
	if u.Host == "" {
		return u.Scheme + ":"
	}
	return u.Host
}

func providerTitle(name string) string {
	switch name {
	case "github":
		return "GitHub"
	case "google":
		return "Google"
	}
	return "your identity provider"
}

// errorPage shows the browser an error page, and reports the refusal by
// reason, an OAuth error code, to Options.OnEvent.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, reason, msg string) {
	s.emit(r, EventRefused, reason)
	var body bytes.Buffer
	errorTmpl.Execute(&body, map[string]string{"Message": msg, "Server": s.opts.ServerName})
	pages.Write(w, &pages.Page{Status: status, Title: "Authorization failed", Body: body.Bytes()})
}
