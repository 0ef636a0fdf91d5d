package emit

import (
	"fmt"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/write"
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
	// HasState is set when the tools keep state; HasStore when the server
	// opens a store (for state, OAuth or both).
	HasState, HasStore bool
	// OTLP is set when the server links the OTLP exporters.
	OTLP bool
	// Confirmed names the tools that ask the user to confirm each call.
	Confirmed []string

	GoVersion, GoImage                            string
	RuntimeModule, RuntimeVersion, RuntimeReplace string
	// Requires and IndirectRequires are the go.mod's two blocks, as go mod
	// tidy writes them.
	Requires, IndirectRequires []write.Requirement

	// API is set for a project generated from an OpenAPI document.
	API *apiData

	// Auth is set for an OAuth-protected server.
	Auth *authData

	// Deploy is what the deploy files say.
	Deploy *deployData
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
	// SignedInUser is set when calls carry the signed-in user's provider
	// token; Scopes are what sign-in asks for then.
	SignedInUser bool
	Scopes       []string
}

type envVar struct {
	Name, Description string
}

func projectData(p *ir.Project, opts *Options, requires []write.Requirement) (*data, error) {
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
		HasState:       p.HasState(),
		HasStore:       p.HasState() || p.Auth != nil,
		OTLP:           p.OTLP,
		GoVersion:      goVersion,
		GoImage:        goVersion[:strings.LastIndex(goVersion, ".")],
		RuntimeModule:  RuntimeModule,
		RuntimeVersion: RuntimeVersion,
		RuntimeReplace: opts.RuntimeReplace,
	}
	for _, t := range p.Tools {
		if t.Confirm != nil {
			d.Confirmed = append(d.Confirmed, t.Name)
		}
	}
	for _, r := range requires {
		if r.Indirect {
			d.IndirectRequires = append(d.IndirectRequires, r)
		} else {
			d.Requires = append(d.Requires, r)
		}
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
			SignedInUser: a.SignedInUser,
		}
		if a.SignedInUser && p.Auth != nil {
			d.API.Scopes = p.Auth.Scopes
		}
		for _, s := range a.Schemes {
			d.API.Credentials = append(d.API.Credentials, credentials(s)...)
		}
	}
	if a := p.Auth; a != nil {
		d.Auth = authFacts(p)
	}
	var err error
	if d.Deploy, err = deployFacts(p, opts); err != nil {
		return nil, err
	}
	return d, nil
}

// moduleFiles returns the requirements and the go.sum lines of a project
// whose Go files are files, as go mod tidy would write them: the runtime module, and
// the union of what each runtime package the files import needs
// (templates/project/runtime.deps, derived from the runtime by
// TestRuntimeDeps in templates). A module is a direct requirement when the
// files import a package of its own. The go.sum has no line for the runtime
// itself, which a development build replaces with its checkout.
func moduleFiles(files []write.File) (*write.Modules, error) {
	deps, err := runtimeDeps()
	if err != nil {
		return nil, err
	}
	imports, err := goImports(files)
	if err != nil {
		return nil, err
	}
	versions := make(map[string]string) // module path → version
	var sums [][]string
	var other []string // imports neither standard nor of the runtime
	for _, imp := range imports {
		switch {
		case !strings.Contains(strings.SplitN(imp, "/", 2)[0], "."):
			// the standard library
		case imp == RuntimeModule || strings.HasPrefix(imp, RuntimeModule+"/"):
			d, ok := deps[imp]
			if !ok {
				return nil, fmt.Errorf("generated code imports %s, which templates/project/runtime.deps does not list; refresh it: go test ./templates -run TestRuntimeDeps -update", imp)
			}
			for _, r := range d.requires {
				versions[r.Path] = r.Version
			}
			sums = append(sums, d.sum)
		default:
			other = append(other, imp)
		}
	}
	direct := map[string]bool{RuntimeModule: true}
	for _, imp := range other {
		mod := ""
		for path := range versions {
			if (imp == path || strings.HasPrefix(imp, path+"/")) && len(path) > len(mod) {
				mod = path
			}
		}
		if mod == "" {
			return nil, fmt.Errorf("generated code imports %s, from no module the runtime packages it imports require", imp)
		}
		direct[mod] = true
	}
	reqs := []write.Requirement{{Path: RuntimeModule, Version: RuntimeVersion}}
	for path, version := range versions {
		reqs = append(reqs, write.Requirement{Path: path, Version: version, Indirect: !direct[path]})
	}
	slices.SortFunc(reqs, func(a, b write.Requirement) int { return strings.Compare(a.Path, b.Path) })
	return &write.Modules{Require: reqs, Sum: write.UnionSums(sums...)}, nil
}

// goImports returns the sorted import paths of the Go files among files,
// tests included, as go mod tidy considers them.
func goImports(files []write.File) ([]string, error) {
	seen := make(map[string]bool)
	fset := token.NewFileSet()
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".go") {
			continue
		}
		af, err := parser.ParseFile(fset, f.Path, f.Content, parser.ImportsOnly)
		if err != nil {
			return nil, err
		}
		for _, spec := range af.Imports {
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return nil, err
			}
			seen[path] = true
		}
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// packageDeps is what a runtime package needs in a project's go.mod and
// go.sum.
type packageDeps struct {
	requires []write.Requirement
	sum      []string
}

// runtimeDeps parses templates/project/runtime.deps once: by runtime
// package, "require PATH VERSION" and "sum LINE" lines.
var runtimeDeps = sync.OnceValues(func() (map[string]*packageDeps, error) {
	const name = "project/runtime.deps"
	b, err := templates.Raw(name)
	if err != nil {
		return nil, err
	}
	deps := make(map[string]*packageDeps)
	var cur *packageDeps
	for i, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		fields := strings.Fields(rest)
		switch {
		case kind == "package" && len(fields) == 1:
			cur = &packageDeps{}
			deps[fields[0]] = cur
		case kind == "require" && len(fields) == 2 && cur != nil:
			cur.requires = append(cur.requires, write.Requirement{Path: fields[0], Version: fields[1]})
		case kind == "sum" && len(fields) == 3 && cur != nil:
			cur.sum = append(cur.sum, rest)
		default:
			return nil, fmt.Errorf("templates/%s:%d: cannot parse %q", name, i+1, line)
		}
	}
	return deps, nil
})

// firstSentence is the text up to the first full stop, for tables.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// cellReplacer escapes what would end or break a Markdown table cell.
var cellReplacer = strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;")

// tableCell makes text safe inside a Markdown table cell.
func tableCell(s string) string {
	return cellReplacer.Replace(s)
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
	case s.Type == "oauth2" || s.Type == "openIdConnect":
		var out []envVar
		if s.AccessTokenEnv != "" {
			desc := "OAuth 2.0 access token obtained elsewhere"
			if s.Type == "openIdConnect" {
				desc = "OpenID Connect access token obtained elsewhere"
			}
			if len(s.Scopes) > 0 {
				desc += ", with scopes " + strings.Join(s.Scopes, " ")
			}
			if len(s.Env) >= 2 {
				desc += "; wins over the client credentials"
			}
			out = append(out, envVar{s.AccessTokenEnv, desc + " (" + what + ")"})
		}
		if s.Type == "oauth2" && len(s.Env) > 0 {
			out = append(out, two("OAuth 2.0 client ID (client credentials flow)", "OAuth 2.0 client secret")...)
		}
		return out
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

// What every deploy file agrees on.
const (
	// deployPort is the port the server listens on in a container (PORT).
	deployPort = 8080
	// metricsPort is the listener of /metrics (METRICS_ADDR), apart from
	// the one the load balancer sends traffic to.
	metricsPort = 9090
	// drainSeconds is how long /readyz answers 503 before the listener
	// closes (SHUTDOWN_DRAIN_DELAY), so that load balancers stop sending
	// requests to a stopping replica before it stops taking them.
	drainSeconds = 5
	// shutdownSeconds is how long in-flight calls then get to finish
	// (SHUTDOWN_TIMEOUT, the server's default).
	shutdownSeconds = 20
	// dataDir is where the image keeps the store's file: in the home of the
	// distroless nonroot user, which owns it, so that a volume created
	// there belongs to that user too.
	dataDir = "/home/nonroot/data"
	// registryOwner stands for the GitHub owner in the MCP Registry name and
	// the image, until the user writes theirs (see docs/deploy.md).
	registryOwner = "your-github-user"
	// serverSchema is the MCP Registry's server.json schema the file follows.
	serverSchema = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
)
