package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpgen/mcpgen/runtime/internal/pages"
)

// landing is the page a browser gets at /: what the server is, the URL to
// give an MCP client, how to connect the common clients, and the tools.
// Other requests to / get 404, as they would without it: MCP clients
// never ask for /, and a page there must not change what they see.
type landing struct {
	server      *pages.Describer
	name        string // the server's, until it has described itself
	version     string
	description string
	// transport is how clients connect, "http" or "sse" (a server
	// without streamable HTTP), and path where.
	transport, path string
	// signIn is whether the server signs its users in; then the tools
	// listed are only those open to every signed-in user.
	signIn bool
	// resource is the URL the OAuth server binds tokens to, BASE_URL/mcp:
	// the one URL clients must use. Without it the URL is the request's.
	resource string
	trusted  []netip.Prefix
	logger   *slog.Logger
}

// Limits on what the page shows of a large server: its tools are for a
// model to read in full, not a person.
const (
	landingMaxTools       = 200
	landingMaxDescription = 280
)

// newLanding returns the landing page of s. It asks s nothing yet: the
// first page shown lists the tools (see pages.Describer), so that a server
// nobody opens in a browser starts no slower for having a page.
func newLanding(s *mcp.Server, cfg *Config, opts *Options, logger *slog.Logger) *landing {
	l := &landing{
		server:      pages.NewDescriber(s),
		name:        opts.Name,
		version:     opts.Version,
		description: opts.Description,
		transport:   "http",
		path:        "/mcp",
		signIn:      opts.Auth != nil,
		trusted:     cfg.TrustedProxies,
		logger:      logger,
	}
	if !opts.has(TransportStreamable) {
		l.transport, l.path = "sse", "/sse"
	}
	if r, ok := opts.Auth.(interface{ Resource() string }); ok {
		l.resource = r.Resource()
	}
	return l
}

func (l *landing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	if r.Method != http.MethodGet && r.Method != http.MethodHead || !acceptsHTML(r.Header.Values("Accept")) {
		http.NotFound(w, r)
		return
	}
	base, ok := l.baseURL(r)
	if !ok {
		http.Error(w, "the Host header does not name a host", http.StatusBadRequest)
		return
	}
	desc, err := l.server.Describe(r.Context())
	if err != nil {
		l.logger.Warn("landing page: the server did not describe itself; the page lists no tools", "err", err)
		desc = &pages.Server{}
	}
	d := l.data(base, desc)
	var body bytes.Buffer
	if err := landingTmpl.Execute(&body, d); err != nil {
		http.Error(w, "the page could not be made", http.StatusInternalServerError)
		return
	}
	pages.Write(w, &pages.Page{Title: d.Title, Body: body.Bytes(), Copy: true})
}

// acceptsHTML reports whether an Accept header asks for HTML, as a
// browser's does when it navigates; a client that accepts anything (*/*)
// is not taken to be a browser.
func acceptsHTML(accept []string) bool {
	for _, v := range accept {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || mt != "text/html" && mt != "application/xhtml+xml" {
				continue
			}
			if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q == 0 {
				continue
			}
			return true
		}
	}
	return false
}

// hostPattern is what the page puts in the commands it shows: a host name
// or address and an optional port. Go's server accepts a wider Host, and
// a Host with quotes or semicolons in it must not reach a shell command a
// reader copies.
var hostPattern = regexp.MustCompile(`^([A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$`)

// baseURL is the URL clients reach the server at: BASE_URL when the
// server signs users in, else the request's own, with the scheme a
// trusted proxy reports.
func (l *landing) baseURL(r *http.Request) (string, bool) {
	if l.resource != "" {
		return strings.TrimSuffix(l.resource, "/mcp"), true
	}
	if !hostPattern.MatchString(r.Host) {
		return "", false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := strings.ToLower(r.Header.Get("X-Forwarded-Proto")); (p == "https" || p == "http") && l.fromTrustedProxy(r) {
		scheme = p
	}
	return scheme + "://" + r.Host, true
}

func (l *landing) fromTrustedProxy(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	return slices.ContainsFunc(l.trusted, func(p netip.Prefix) bool { return p.Contains(a) })
}

// landingData is what the landing page's template shows.
type landingData struct {
	Title, Name, Version, Description string
	URL, Transport                    string
	SignIn                            bool
	ClaudeCode, ClaudeDesktop         string
	Cursor, VSCode                    string
	CursorLink, VSCodeLink            template.URL
	InspectorCLI                      string
	Tools                             []pages.Tool
	// Total counts the tools, of which Tools are the first.
	Total int
}

// data is what the page shows, for a server at base described as desc.
func (l *landing) data(base string, desc *pages.Server) *landingData {
	u := base + l.path
	name, version, title := desc.Name, desc.Version, desc.Title
	if name == "" {
		name, version = l.name, l.version
	}
	if title == "" {
		title = name
	}
	description := l.description
	if description == "" {
		// The instructions are for a model, but their first paragraph
		// usually says what the server is for.
		description, _, _ = strings.Cut(strings.TrimSpace(desc.Instructions), "\n\n")
	}
	d := &landingData{
		Title:       title,
		Name:        name,
		Version:     version,
		Description: description,
		URL:         u,
		Transport:   l.transport,
		SignIn:      l.signIn,
		ClaudeCode:  "claude mcp add --transport " + l.transport + " " + shellQuote(name) + " " + shellQuote(u),
	}

	args := []string{"mcp-remote", u}
	if pu, err := url.Parse(u); err == nil && pu.Scheme == "http" && !isLoopbackHost(pu.Hostname()) {
		args = append(args, "--allow-http") // mcp-remote wants https elsewhere
	}
	if l.transport == "sse" {
		args = append(args, "--transport", "sse-only")
	}
	d.ClaudeDesktop = indentJSON(map[string]any{"mcpServers": map[string]any{name: clientConfig{Command: "npx", Args: args}}})

	d.Cursor = indentJSON(map[string]any{"mcpServers": map[string]any{name: clientConfig{URL: u}}})
	cursorConfig, _ := json.Marshal(clientConfig{URL: u})
	d.CursorLink = template.URL("cursor://anysphere.cursor-deeplink/mcp/install?name=" + url.QueryEscape(name) +
		"&config=" + url.QueryEscape(base64.StdEncoding.EncodeToString(cursorConfig)))

	d.VSCode = indentJSON(map[string]any{"servers": map[string]any{name: clientConfig{Type: l.transport, URL: u}}})
	vsConfig, _ := json.Marshal(clientConfig{Name: name, Type: l.transport, URL: u})
	d.VSCodeLink = template.URL("vscode:mcp/install?" + encodeURIComponent(string(vsConfig)))

	if !l.signIn {
		d.InspectorCLI = "npx @modelcontextprotocol/inspector --cli " + shellQuote(u) + " --transport " + l.transport + " --method tools/list"
	}
	d.Total = len(desc.Tools)
	for _, t := range desc.Tools[:min(len(desc.Tools), landingMaxTools)] {
		t.Description = clip(t.Description, landingMaxDescription)
		d.Tools = append(d.Tools, t)
	}
	return d
}

// clientConfig is a server's entry in a client's configuration, its
// fields in the order the clients' documentation writes them.
type clientConfig struct {
	Name    string   `json:"name,omitempty"`
	Command string   `json:"command,omitempty"`
	Args    []string `json:"args,omitempty"`
	Type    string   `json:"type,omitempty"`
	URL     string   `json:"url,omitempty"`
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// indentJSON is v as a person would write it in a config file.
func indentJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// encodeURIComponent escapes s as JavaScript's function of that name
// would, or more: VS Code reads its install link's query that way.
func encodeURIComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// clip collapses s's white space and cuts it at about n bytes, at a word.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,.;:") + "…"
}

// The page's ids name what each copy button copies; its headings run in
// order, one h1, so that a screen reader can move through them.
var landingTmpl = template.Must(template.New("landing").Parse(`<header>
<h1>{{.Title}}</h1>
<p class="meta">{{if ne .Title .Name}}<code>{{.Name}}</code> · {{end}}{{if .Version}}version {{.Version}} · {{end}}an MCP server</p>
{{with .Description}}<p>{{.}}</p>{{end}}
</header>

<h2 id="url">Server URL</h2>
<p>Give this URL to an MCP client{{if eq .Transport "sse"}} (it speaks the older HTTP+SSE transport){{end}}:</p>
<div class="url"><code id="mcp-url">{{.URL}}</code><button type="button" data-copy="mcp-url" aria-label="Copy the server URL" hidden>Copy</button></div>
{{if .SignIn}}<p class="muted">The first time a client connects, it opens your browser so that you can sign in and approve it.</p>{{end}}

<h2 id="connect">Connect a client</h2>

<h3 id="claude-code">Claude Code</h3>
<div class="snippet"><pre><code id="cmd-claude-code">{{.ClaudeCode}}</code></pre><button type="button" data-copy="cmd-claude-code" aria-label="Copy the Claude Code command" hidden>Copy</button></div>

<h3 id="claude-desktop">Claude Desktop</h3>
<p>Through <code>mcp-remote</code>, which needs Node.js: in Settings, Developer, Edit Config, add to <code>claude_desktop_config.json</code>:</p>
<div class="snippet"><pre><code id="cfg-claude-desktop">{{.ClaudeDesktop}}</code></pre><button type="button" data-copy="cfg-claude-desktop" aria-label="Copy the Claude Desktop configuration" hidden>Copy</button></div>

<h3 id="cursor">Cursor</h3>
<p><a class="install" href="{{.CursorLink}}">Add to Cursor</a> or add to <code>~/.cursor/mcp.json</code>:</p>
<div class="snippet"><pre><code id="cfg-cursor">{{.Cursor}}</code></pre><button type="button" data-copy="cfg-cursor" aria-label="Copy the Cursor configuration" hidden>Copy</button></div>

<h3 id="vscode">VS Code</h3>
<p><a class="install" href="{{.VSCodeLink}}">Add to VS Code</a> or add to <code>.vscode/mcp.json</code>:</p>
<div class="snippet"><pre><code id="cfg-vscode">{{.VSCode}}</code></pre><button type="button" data-copy="cfg-vscode" aria-label="Copy the VS Code configuration" hidden>Copy</button></div>

<h3 id="inspector">MCP Inspector</h3>
<div class="snippet"><pre><code id="cmd-inspector">npx @modelcontextprotocol/inspector</code></pre><button type="button" data-copy="cmd-inspector" aria-label="Copy the MCP Inspector command" hidden>Copy</button></div>
<p>In the page it opens, choose {{if eq .Transport "sse"}}SSE{{else}}Streamable HTTP{{end}}, enter the server URL and connect.{{if .InspectorCLI}} Or list the tools from a terminal:{{end}}</p>
{{with .InspectorCLI}}<div class="snippet"><pre><code id="cmd-inspector-cli">{{.}}</code></pre><button type="button" data-copy="cmd-inspector-cli" aria-label="Copy the MCP Inspector command line" hidden>Copy</button></div>{{end}}

<h2 id="tools">Tools</h2>
{{if .SignIn}}<p>Which tools you can use depends on who you sign in as.{{with .Total}} {{.}} {{if eq . 1}}is{{else}}are{{end}} open to everyone who signs in.{{end}}</p>
{{else if .Tools}}<p>{{.Total}} tool{{if ne .Total 1}}s{{end}}:</p>
<ul class="tools">
{{range .Tools}}<li><code>{{.Name}}</code>{{if .Title}} · {{.Title}}{{end}}{{with .Description}}<p>{{.}}</p>{{end}}</li>
{{end}}</ul>
{{if gt .Total (len .Tools)}}<p class="muted">And more: a client lists all {{.Total}}.</p>{{end}}
{{else}}<p>This server has no tools.</p>
{{end}}`))
