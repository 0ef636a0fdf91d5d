package emit

import (
	"bufio"
	"bytes"
	"slices"
	"strings"

	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/templates"
)

// RuntimeModule is the module path of the runtime generated servers link.
const RuntimeModule = "github.com/mcpgen/mcpgen/runtime"

// RuntimeVersion is the runtime release this generator's output is written
// for.
const RuntimeVersion = "v0.1.0"

// goVersion is the go directive of generated projects: the oldest Go the
// MCP SDK supports.
const goVersion = "1.25.0"

// data is what the project file templates see. Every condition a template
// tests is computed here.
type data struct {
	Name, Title, Version, Instructions string
	Module, Binary, Source             string
	Tools                              []toolData

	HasStreamable, HasSSE, HasStdio, HasHTTP bool

	GoVersion, GoImage                            string
	RuntimeModule, RuntimeVersion, RuntimeReplace string
	Requires                                      []requirement

	// API is set for a project generated from an OpenAPI document.
	API *apiData

	// Auth is set for an OAuth-protected server.
	Auth *authData
}

// authData is what the templates say about an OAuth-protected server.
type authData struct {
	// Provider is github, google or oidc; Title is its name in prose
	// ("GitHub"); the Is fields select the provider's set-up steps.
	Provider, Title            string
	IsGitHub, IsGoogle, IsOIDC bool
	// Scopes are requested at sign-in, space-separated; empty for the
	// provider's default.
	Scopes string
	// UsersWord is what identifies users in an allow-list: "logins" or
	// "email addresses".
	UsersWord string
	// Gated are the tools with an auth rule, and UsersEnv the environment
	// variables their rules read, each with the tools it opens.
	Gated    []gatedTool
	UsersEnv []envVar
}

type gatedTool struct {
	Name, Rule string
}

type toolData struct {
	Name, Title, Summary, HandlerFile string
	// Call is "METHOD /path" for a tool that calls the API.
	Call string
}

// apiData is what the templates say about the API an OpenAPI project calls.
type apiData struct {
	Spec, Title, BaseURL, BaseURLEnv string
	Dynamic                          bool
	// Operations counts the tools that call the API.
	Operations int
	// Credentials are the environment variables of the API's credentials.
	Credentials []envVar
}

type envVar struct {
	Name, Description string
}

type requirement struct {
	Path, Version string
	Indirect      bool
}

func projectData(p *ir.Project, opts *Options) (*data, error) {
	d := &data{
		Name:           p.Name,
		Title:          p.Title,
		Version:        p.Version,
		Instructions:   p.Instructions,
		Module:         opts.Module,
		Binary:         opts.Binary,
		Source:         p.Source,
		HasStreamable:  p.HasStreamable(),
		HasSSE:         p.HasSSE(),
		HasStdio:       p.HasStdio(),
		HasHTTP:        p.HasHTTP(),
		GoVersion:      goVersion,
		GoImage:        goVersion[:strings.LastIndex(goVersion, ".")],
		RuntimeModule:  RuntimeModule,
		RuntimeVersion: RuntimeVersion,
		RuntimeReplace: opts.RuntimeReplace,
	}
	for _, t := range p.Tools {
		td := toolData{
			Name:        t.Name,
			Title:       t.Title,
			Summary:     tableCell(firstSentence(t.Description)),
			HandlerFile: t.HandlerFile,
		}
		if t.Op != nil {
			td.Call = t.Op.Method + " " + tableCell(t.Op.Path)
		}
		d.Tools = append(d.Tools, td)
	}
	if a := p.API; a != nil {
		d.API = &apiData{
			Spec: a.Spec, Title: a.Title, BaseURL: a.BaseURL, BaseURLEnv: a.BaseURLEnv,
			Dynamic: a.Dynamic, Operations: len(a.Operations),
		}
		for _, s := range a.Schemes {
			d.API.Credentials = append(d.API.Credentials, credentials(s)...)
		}
	}
	if a := p.Auth; a != nil {
		d.Auth = authFacts(p)
	}
	reqs, err := runtimeRequires()
	if err != nil {
		return nil, err
	}
	d.Requires = append([]requirement{{Path: RuntimeModule, Version: RuntimeVersion}}, reqs...)
	return d, nil
}

// runtimeRequires reads the runtime's go.mod (a copy kept in templates) and
// returns its requirements as the generated project needs them: the MCP SDK
// directly, everything else indirectly.
func runtimeRequires() ([]requirement, error) {
	mod, err := templates.Raw("project/runtime.go.mod")
	if err != nil {
		return nil, err
	}
	var reqs []requirement
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(mod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line, _, _ = strings.Cut(line, "//")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 2 && fields[0] == "require" && fields[1] == "(":
			inBlock = true
			continue
		case inBlock && len(fields) == 1 && fields[0] == ")":
			inBlock = false
			continue
		case len(fields) == 3 && fields[0] == "require":
			fields = fields[1:]
		case inBlock && len(fields) == 2:
		default:
			continue
		}
		reqs = append(reqs, requirement{
			Path:     fields[0],
			Version:  fields[1],
			Indirect: fields[0] != "github.com/modelcontextprotocol/go-sdk",
		})
	}
	// The runtime's go.mod lists its direct requirements apart; in the
	// project all but the SDK are indirect, in one sorted list as go mod
	// tidy would write it.
	slices.SortFunc(reqs, func(a, b requirement) int { return strings.Compare(a.Path, b.Path) })
	return reqs, sc.Err()
}

// firstSentence is the text up to the first full stop, for tables.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// tableCell makes text safe inside a Markdown table cell.
func tableCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// credentials describes the environment variables of a security scheme.
func credentials(s ir.Scheme) []envVar {
	what := s.Name
	if s.Description != "" {
		what += ": " + strings.Join(strings.Fields(firstSentence(s.Description)), " ")
	}
	one := func(desc string) []envVar {
		if len(s.Env) == 0 {
			return nil
		}
		return []envVar{{s.Env[0], desc + " (" + what + ")"}}
	}
	two := func(a, b string) []envVar {
		if len(s.Env) < 2 {
			return one(a)
		}
		return []envVar{{s.Env[0], a + " (" + what + ")"}, {s.Env[1], b + " (" + what + ")"}}
	}
	switch {
	case s.Type == "apiKey":
		return one("API key, sent in the " + s.In + " " + s.ParamName)
	case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
		return two("HTTP basic user name", "HTTP basic password")
	case s.Type == "http":
		return one("Bearer token")
	case s.Type == "oauth2":
		return two("OAuth 2.0 client ID (client credentials flow)", "OAuth 2.0 client secret")
	}
	return one("Credential")
}

// authFacts computes what the templates say about the auth of p.
func authFacts(p *ir.Project) *authData {
	a := &authData{
		Provider:  p.Auth.Provider,
		Title:     providerTitle(p.Auth.Provider),
		IsGitHub:  p.Auth.Provider == "github",
		IsGoogle:  p.Auth.Provider == "google",
		IsOIDC:    p.Auth.Provider == "oidc",
		Scopes:    strings.Join(p.Auth.Scopes, " "),
		UsersWord: "email addresses",
	}
	if a.IsGitHub {
		a.UsersWord = "logins"
	}
	envTools := make(map[string][]string)
	var envOrder []string
	for _, t := range p.GatedTools() {
		var who []string
		if len(t.Auth.Users) > 0 {
			who = append(who, "`"+strings.Join(t.Auth.Users, "`, `")+"`")
		}
		if t.Auth.UsersEnv != "" {
			who = append(who, "the users in `"+t.Auth.UsersEnv+"`")
			if _, ok := envTools[t.Auth.UsersEnv]; !ok {
				envOrder = append(envOrder, t.Auth.UsersEnv)
			}
			envTools[t.Auth.UsersEnv] = append(envTools[t.Auth.UsersEnv], t.Name)
		}
		rule := strings.Join(who, " or ")
		if len(t.Auth.Scopes) > 0 {
			if rule == "" {
				rule = "users"
			}
			rule += " who granted `" + strings.Join(t.Auth.Scopes, "`, `") + "`"
		}
		a.Gated = append(a.Gated, gatedTool{Name: t.Name, Rule: tableCell(rule)})
	}
	for _, env := range envOrder {
		a.UsersEnv = append(a.UsersEnv, envVar{Name: env, Description: strings.Join(envTools[env], ", ")})
	}
	return a
}
