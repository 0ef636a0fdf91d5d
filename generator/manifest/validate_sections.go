package manifest

import (
	"mime"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yosida95/uritemplate/v3"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// httpMethods are the methods an OpenAPI path item can hold.
var httpMethods = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// openAPI checks the openapi section. The document itself is read and
// checked by the importer.
func (v *validator) openAPI(o *OpenAPI) {
	const ptr = "#/openapi"
	if o.Source != "" {
		if u, err := url.Parse(o.Source); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add(ptr+"/source", "source %q is not an http(s) URL", o.Source).Hint = "source is where mcpgen generate --fetch downloads the document from"
		}
	}
	switch {
	case strings.TrimSpace(o.Spec) == "":
		v.add(ptr+"/spec", "openapi has no spec").Hint = "set spec: to the path of the OpenAPI document, relative to the manifest"
	case strings.Contains(o.Spec, "://"):
		v.add(ptr+"/spec", "spec %q is a URL; mcpgen reads a local file", o.Spec).Hint = "set source: to the URL and spec: to a file name, then run mcpgen generate --fetch: generation stays repeatable"
	case path.IsAbs(o.Spec) || strings.HasPrefix(o.Spec, "/"):
		v.warn(ptr+"/spec", "spec %q is an absolute path; the project will not build elsewhere", o.Spec).Hint = "copy the document into the project and give a relative path"
	}
	switch o.Mode {
	case "", "static", "dynamic":
	default:
		v.add(ptr+"/mode", "unknown mode %q", o.Mode).Hint = "use static (one tool per operation) or dynamic"
	}
	if o.BaseURLEnv != "" && !envName.MatchString(o.BaseURLEnv) {
		v.add(ptr+"/baseURLEnv", "%q is not a valid environment variable name", o.BaseURLEnv).Hint = "use letters, digits and '_', not starting with a digit"
	}
	if o.Timeout != "" {
		if d, err := time.ParseDuration(o.Timeout); err != nil || d <= 0 {
			v.add(ptr+"/timeout", "timeout %q is not a positive duration", o.Timeout).Hint = "write it like 30s or 2m"
		}
	}
	if o.MaxResponseBytes < 0 {
		v.add(ptr+"/maxResponseBytes", "maxResponseBytes must be positive")
	}
	readLimit := o.MaxResponseBytes
	if readLimit <= 0 {
		readLimit = defaultMaxResponseBytes
	}
	v.response(ptr+"/response", o.Response, readLimit)
	for _, list := range []struct {
		name    string
		filters []OperationFilter
	}{{"include", o.Include}, {"exclude", o.Exclude}} {
		for i, f := range list.filters {
			fp := ptr + "/" + list.name + "/" + strconv.Itoa(i)
			if len(f.Tags)+len(f.Operations)+len(f.Paths)+len(f.Methods) == 0 {
				v.add(fp, "empty filter matches every operation").Hint = "give tags, operations, paths or methods"
			}
			for j, m := range f.Methods {
				if !slices.Contains(httpMethods, strings.ToUpper(m)) {
					v.add(fp+"/methods/"+strconv.Itoa(j), "unknown HTTP method %q", m).Hint = "use " + strings.Join(httpMethods, ", ")
				}
			}
			for j, p := range f.Paths {
				if !strings.HasPrefix(p, "/") {
					v.add(fp+"/paths/"+strconv.Itoa(j), "path glob %q does not start with /", p).Hint = "paths are matched as the document writes them, e.g. /pets/*"
				} else if _, err := path.Match(strings.ReplaceAll(p, "**", "*"), "/"); err != nil {
					v.add(fp+"/paths/"+strconv.Itoa(j), "bad path glob %q: %v", p, err)
				}
			}
		}
	}
	seen := make(map[string]string)
	names := make(map[string]string)
	for i, ov := range o.Overrides {
		op := ptr + "/overrides/" + strconv.Itoa(i)
		if strings.TrimSpace(ov.Operation) == "" {
			v.add(op+"/operation", "override has no operation").Hint = "set operation: to an operationId, or METHOD /path"
		} else {
			v.unique(op+"/operation", "override of operation", ov.Operation, seen)
		}
		if ov.Name != "" && v.name(op+"/name", ov.Name, "tool") {
			v.unique(op+"/name", "tool name", ov.Name, names)
		}
		if ov.Exclude && (ov.Custom || ov.Name != "" || ov.Description != "" || ov.RateLimit != nil || ov.Timeout != "" || ov.Audit != nil || ov.Response != nil || ov.Confirm != "" || ov.ConfirmMessage != "") {
			v.warn(op+"/exclude", "operation %q is excluded; the rest of its override has no effect", ov.Operation)
		}
		v.operations(op, ov.Timeout, ov.RateLimit, ov.Audit)
		v.response(op+"/response", ov.Response, readLimit)
		v.confirmPolicy(op+"/confirm", ov.Confirm)
	}
}

// authSection checks the auth section and the tools' auth rules.
func (v *validator) authSection(m *Manifest) {
	if o := m.OpenAPI; o != nil {
		switch o.Credentials {
		case "", CredentialsEnvironment:
		case CredentialsSignedInUser:
			if m.Auth == nil {
				v.add("#/openapi/credentials", "credentials: signedInUser needs a signed-in user, and the server has no auth section").Hint = "add auth: {provider: github} (or google, oidc): the API must accept that provider's tokens"
			}
		default:
			v.add("#/openapi/credentials", "unknown credentials %q", o.Credentials).Hint = "use environment (the server's own, the default) or signedInUser (the provider token of the user who signed in)"
		}
	}
	if a := m.Auth; a != nil {
		switch a.Provider {
		case "github", "google", "oidc":
		case "":
			v.add("#/auth/provider", "auth has no provider").Hint = "use github, google or oidc"
		default:
			v.add("#/auth/provider", "unknown provider %q", a.Provider).Hint = "use github, google or oidc"
		}
		for i, sc := range a.Scopes {
			if sc == "" || strings.ContainsAny(sc, " \t\"\\") {
				v.add("#/auth/scopes/"+strconv.Itoa(i), "invalid scope %q", sc).Hint = "a scope is one word without spaces or quotes (RFC 6749 section 3.3)"
			}
		}
	}
	for i, t := range m.Tools {
		if t.Auth == nil {
			continue
		}
		ptr := "#/tools/" + strconv.Itoa(i) + "/auth"
		if m.Auth == nil {
			v.add(ptr, "tool %q has auth rules, but the server has no auth section", t.Name).Hint = "add auth: {provider: github} at the top level, or remove the rules"
			continue
		}
		if len(t.Auth.Users) == 0 && t.Auth.UsersEnv == "" && len(t.Auth.Scopes) == 0 {
			v.add(ptr, "empty auth rule").Hint = "give users, usersEnv or scopes"
		}
		if t.Auth.UsersEnv != "" && !envName.MatchString(t.Auth.UsersEnv) {
			v.add(ptr+"/usersEnv", "%q is not a valid environment variable name", t.Auth.UsersEnv)
		}
		for j, u := range t.Auth.Users {
			if strings.TrimSpace(u) == "" || strings.Contains(u, ",") {
				v.add(ptr+"/users/"+strconv.Itoa(j), "invalid user %q", u).Hint = "one login or email address per entry"
			}
		}
		for j, sc := range t.Auth.Scopes {
			if !slices.Contains(m.Auth.Scopes, sc) {
				v.warn(ptr+"/scopes/"+strconv.Itoa(j), "scope %q is not in auth.scopes: sign-in asks for it only when a client that supports step-up authorization calls the tool; users of other clients cannot call it", sc).Hint = "add it to auth.scopes to ask every user at sign-in"
			}
		}
	}
}

// stateName is what a state value's name may be: it names a Go method.
var stateName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// StateScope returns the scope of a state value: as written, or by default
// user on a server with auth and key on one without.
func StateScope(m *Manifest, sv StateValue) string {
	switch {
	case sv.Scope != "":
		return sv.Scope
	case m.Auth != nil:
		return "user"
	}
	return "key"
}

// stateSection checks the state values: names that make Go methods, known
// scopes, a user scope only where users sign in, schemas the runtime can
// check values against, and durations.
func (v *validator) stateSection(m *Manifest) {
	at := make(map[string]string)
	for i, sv := range m.State {
		ptr := diag.Pointer("state", strconv.Itoa(i))
		switch {
		case sv.Name == "":
			v.add(ptr+"/name", "the state value has no name")
		case !stateName.MatchString(sv.Name):
			bad := strings.IndexFunc(sv.Name, func(r rune) bool {
				return !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
			})
			if bad < 0 {
				bad = 0 // a digit or '_' first
			}
			v.add(ptr+"/name", "state name %q has invalid character %q", sv.Name, string([]rune(sv.Name[bad:])[0])).Hint = "start with a letter, then use letters, digits and '_': the name makes a Go method"
		case len(sv.Name) > MaxToolName:
			v.add(ptr+"/name", "state name is %d characters long; the limit is %d", len(sv.Name), MaxToolName)
		default:
			// Names that differ only in case would make one Go method.
			lower := strings.ToLower(sv.Name)
			if prev, dup := at[lower]; dup {
				v.add(ptr+"/name", "duplicate state name %q (first at %s)", sv.Name, prev).Hint = "state names make Go methods, so they must differ in more than case"
			} else {
				at[lower] = v.where(ptr + "/name")
			}
		}
		switch sv.Scope {
		case "", "key", "global":
		case "user":
			if m.Auth == nil {
				v.add(ptr+"/scope", "scope \"user\" needs the auth section: without sign-in there is no user").Hint = "add auth: {provider: github}, or use scope: key"
			}
		default:
			v.add(ptr+"/scope", "unknown scope %q", sv.Scope).Hint = "use user, key or global"
		}
		if sv.Schema.JSON != nil { // a missing schema is reported by Load
			v.toolSchema(Schema(sv.Schema), ptr+"/schema", value)
		}
		if sv.TTL != "" {
			if d, err := time.ParseDuration(sv.TTL); err != nil || d <= 0 {
				v.add(ptr+"/ttl", "ttl %q is not a positive duration", sv.TTL).Hint = "write a Go duration such as 24h or 30m"
			}
		}
	}
}

// uriScheme matches the scheme an absolute URI starts with.
var uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// resourceTemplate checks a resource template: a name that makes a Go
// method, and a URI template the MCP SDK accepts (it panics at start on
// one it cannot parse), absolute and listed once.
func (v *validator) resourceTemplate(ptr string, r ResourceTemplate, at, nameAt map[string]string) {
	if v.name(ptr+"/name", r.Name, "resource template") {
		// Names that differ only in case would make one Go method.
		if prev, dup := nameAt[strings.ToLower(r.Name)]; dup {
			v.add(ptr+"/name", "duplicate resource template name %q (first at %s)", r.Name, prev).Hint = "the name makes the Go method Read<Name>, so names must differ in more than case"
		} else {
			nameAt[strings.ToLower(r.Name)] = v.where(ptr + "/name")
		}
	}
	switch _, err := uritemplate.New(r.URITemplate); {
	case r.URITemplate == "":
		v.add(ptr+"/uriTemplate", "the resource template has no uriTemplate").Hint = "write an absolute URI with variables, such as counter://{name}"
	case err != nil:
		v.add(ptr+"/uriTemplate", "uriTemplate %q is not a URI template: %v", r.URITemplate, err).Hint = "see RFC 6570: variables are written {name}"
	case !uriScheme.MatchString(r.URITemplate):
		v.add(ptr+"/uriTemplate", "uriTemplate %q is not absolute", r.URITemplate).Hint = "start it with a scheme, such as counter://{name}"
	default:
		v.unique(ptr+"/uriTemplate", "uriTemplate", r.URITemplate, at)
	}
	if r.MIMEType != "" {
		if _, _, err := mime.ParseMediaType(r.MIMEType); err != nil {
			v.add(ptr+"/mimeType", "invalid MIME type %q", r.MIMEType).Hint = "write type/subtype, e.g. application/json"
		}
	}
}

// operations checks a tool's operational rules.
func (v *validator) operations(ptr, timeout string, rl *RateLimit, audit *ToolAudit) {
	v.duration(ptr+"/timeout", "timeout", timeout)
	v.rateLimit(ptr+"/rateLimit", rl)
	if audit != nil && len(audit.Redact) > 0 && !audit.Arguments {
		v.warn(ptr+"/audit/redact", "redact has no effect: the arguments are not recorded").Hint = "add arguments: true to record them, with these redacted"
	}
}

// duration checks an optional positive Go duration.
func (v *validator) duration(ptr, what, d string) {
	if d == "" {
		return
	}
	if n, err := time.ParseDuration(d); err != nil || n <= 0 {
		v.add(ptr, "%s %q is not a positive duration", what, d).Hint = "write a Go duration such as 30s or 2m"
	}
}

// maxRate is the runtime's largest rate and burst (ratelimit.Limit).
const maxRate = 1_000_000

// rateLimit checks a rate limit as the runtime will; a burst larger than a
// minute's calls is allowed, but almost certainly a mistake.
func (v *validator) rateLimit(ptr string, rl *RateLimit) {
	if rl == nil {
		return
	}
	if rl.PerMinute < 1 || rl.PerMinute > maxRate {
		v.add(ptr+"/perMinute", "perMinute %d is out of range", rl.PerMinute).Hint = "allow from 1 to 1000000 calls a minute; leave rateLimit out for no limit"
	}
	if rl.Burst < 0 || rl.Burst > maxRate {
		v.add(ptr+"/burst", "burst %d is out of range", rl.Burst).Hint = "allow from 1 to 1000000 calls at once; leave it out for perMinute"
		return
	}
	if rl.PerMinute > 0 && rl.Burst > rl.PerMinute {
		v.warn(ptr+"/burst", "burst %d is more than perMinute %d", rl.Burst, rl.PerMinute).Hint = "a burst is the calls allowed at once; more than a minute's worth lets a client go over the rate for a minute"
	}
}
