package openapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
)

// scheme is a security scheme of the document, converted.
type scheme struct {
	ir ir.Scheme
	// unsupported says why the runtime cannot use the scheme, or is "".
	unsupported string
	ptr         string
	scopes      []string // the scopes operations require, for oauth2
}

// securitySchemes converts the document's security schemes, by name.
func (imp *importer) securitySchemes() map[string]*scheme {
	out := make(map[string]*scheme)
	t := imp.doc.T
	if t.Components == nil {
		return out
	}
	for _, name := range sortedKeys(t.Components.SecuritySchemes) {
		ref := t.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		v := ref.Value
		s := &scheme{ptr: diag.Pointer("components", "securitySchemes", name)}
		// The type the runtime sees; one it does not know makes the calls
		// that need the scheme fail with a tool error that names it.
		runtimeType := v.Type
		s.ir = ir.Scheme{Name: name, Type: v.Type, Description: strings.TrimSpace(v.Description)}
		switch v.Type {
		case "apiKey":
			switch v.In {
			case "header", "query", "cookie":
				s.ir.In, s.ir.ParamName = v.In, v.Name
			default:
				s.unsupported = fmt.Sprintf("an apiKey in %q", v.In)
			}
			if v.Name == "" {
				s.unsupported = "an apiKey without a name"
			}
		case "http":
			switch strings.ToLower(v.Scheme) {
			case "":
				s.unsupported = "an http scheme without a scheme name"
			case "digest", "hoba", "mutual", "negotiate", "vapid", "scram-sha-1", "scram-sha-256":
				s.unsupported = fmt.Sprintf("HTTP %s authentication", v.Scheme)
				runtimeType = "http " + strings.ToLower(v.Scheme)
			default:
				s.ir.Scheme = strings.ToLower(v.Scheme)
				if s.ir.Scheme != "basic" && s.ir.Scheme != "bearer" {
					s.ir.Scheme = v.Scheme
				}
			}
		case "oauth2":
			// Any flow takes an access token obtained elsewhere; the client
			// credentials flow can also get its own.
			if v.Flows != nil && v.Flows.ClientCredentials != nil {
				s.ir.TokenURL = v.Flows.ClientCredentials.TokenURL
			}
		case "openIdConnect":
			// An access token obtained elsewhere.
		default:
			s.unsupported = fmt.Sprintf("type %q", v.Type)
		}
		if s.unsupported != "" {
			s.ir.Type = runtimeType
		}
		out[name] = s
	}
	return out
}

// security is an operation's security requirements: its own, else the
// document's. It marks the schemes used in used.
func (imp *importer) security(o *operation, schemes map[string]*scheme, used map[string]bool) [][]string {
	reqs, ptr := imp.requirements(o)
	if len(*reqs) == 0 {
		return nil
	}
	var out [][]string
	for i, req := range *reqs {
		alt := []string{}
		for _, name := range sortedKeys(req) {
			s, ok := schemes[name]
			if !ok {
				// Like an unsupported scheme: the calls that have only
				// this alternative fail, with a tool error that names it.
				at := fmt.Sprintf("%s/%d/%s", ptr, i, escapeToken(name))
				if !imp.conv.reported[at] {
					imp.conv.reported[at] = true
					imp.warn(at, "security scheme %q is not defined: calls that need it fail with a tool error", name).Hint = "define it under components.securitySchemes"
				}
				alt = append(alt, name)
				continue
			}
			used[name] = true
			for _, sc := range req[name] {
				if !slices.Contains(s.scopes, sc) {
					s.scopes = append(s.scopes, sc)
				}
			}
			alt = append(alt, name)
		}
		out = append(out, alt)
	}
	return out
}

// requirements are an operation's security requirements, its own or else the
// document's, and where they are.
func (imp *importer) requirements(o *operation) (*openapi3.SecurityRequirements, string) {
	if o.op.Security != nil {
		return o.op.Security, o.ptr + "/security"
	}
	return &imp.doc.T.Security, "#/security"
}

// userAuth is the auth rule of an operation's tool when the API is called as
// the signed-in user: the scopes every way of calling the operation needs of
// the user's token (the intersection of its security alternatives' scopes
// for the schemes that token stands for), sorted. The runtime refuses a call
// without them before it reaches the API, and asks clients that can to step
// up. Nil when there are none, when the API is called with the
// environment's credentials, and in dynamic mode, whose operations share a
// tool (the API's refusal names a missing scope there).
func (imp *importer) userAuth(o *operation, schemes map[string]*scheme) *ir.ToolAuth {
	if !imp.signedInUser() || imp.opts.Section.Mode == "dynamic" {
		return nil
	}
	reqs, ptr := imp.requirements(o)
	var need []string
	first := true
	for _, req := range *reqs {
		var alt []string
		usable := true
		for name, scopes := range req {
			s, ok := schemes[name]
			if !ok || s.unsupported != "" {
				usable = false // never works: it constrains nothing
				break
			}
			if userScheme(s.ir) {
				alt = append(alt, scopes...)
			}
		}
		if !usable {
			continue
		}
		if first {
			need, first = alt, false
			continue
		}
		need = slices.DeleteFunc(need, func(sc string) bool { return !slices.Contains(alt, sc) })
	}
	if len(need) == 0 {
		return nil
	}
	slices.Sort(need)
	return &ir.ToolAuth{Scopes: slices.Compact(need), Pointer: ptr, Spec: imp.opts.Section.Spec}
}

// usedSchemes are the schemes the selected operations use, sorted by name,
// with the environment variables of their credentials.
func (imp *importer) usedSchemes(schemes map[string]*scheme, used map[string]bool, server, baseEnv string) []ir.Scheme {
	var out []ir.Scheme
	envs := map[string]string{baseEnv: "the base URL"}
	for _, name := range sortedKeys(schemes) {
		s := schemes[name]
		if !used[name] {
			continue
		}
		if s.unsupported != "" {
			imp.warn(s.ptr, "security scheme %q (%s) is not supported: calls that need it fail with a tool error", name, s.unsupported).Hint = "calls with another of their security alternatives still work; for the rest, serve the tool with custom: true and authenticate in your handler"
			out = append(out, s.ir)
			continue
		}
		if imp.signedInUser() && userScheme(s.ir) {
			// The signed-in user's token stands for it: nothing to read
			// from the environment.
			slices.Sort(s.scopes)
			s.ir.Scopes = s.scopes
			out = append(out, s.ir)
			continue
		}
		var suffixes []string
		token := false // the last suffix names the access token
		switch {
		case s.ir.Type == "http" && s.ir.Scheme == "basic":
			suffixes = []string{"USERNAME", "PASSWORD"}
		case s.ir.Type == "oauth2":
			if s.ir.TokenURL != "" {
				suffixes = []string{"CLIENT_ID", "CLIENT_SECRET"}
			}
			suffixes, token = append(suffixes, "ACCESS_TOKEN"), true
			slices.Sort(s.scopes)
			s.ir.Scopes = s.scopes
		case s.ir.Type == "openIdConnect":
			suffixes, token = []string{"ACCESS_TOKEN"}, true
		default:
			suffixes = []string{""}
		}
		for i, suf := range suffixes {
			parts := []string{name}
			if suf != "" {
				parts = append(parts, suf)
			}
			env := envName(server, parts...)
			if prev, dup := envs[env]; dup {
				base := env
				for n := 2; envs[env] != ""; n++ {
					env = fmt.Sprintf("%s_%d", base, n)
				}
				imp.warn(s.ptr, "the credentials of security scheme %q are read from %s: %s is %s", name, env, base, prev)
			}
			envs[env] = fmt.Sprintf("security scheme %q's", name)
			if token && i == len(suffixes)-1 {
				s.ir.AccessTokenEnv = env
				continue
			}
			s.ir.Env = append(s.ir.Env, env)
		}
		out = append(out, s.ir)
	}
	return out
}

// signedInUser reports whether the API is called with the signed-in user's
// provider token (openapi.credentials: signedInUser).
func (imp *importer) signedInUser() bool {
	return imp.opts.Section != nil && imp.opts.Section.Credentials == manifest.CredentialsSignedInUser
}

// userScheme reports whether the signed-in user's token can stand for s,
// as runtime/upstream decides: a scheme that takes a bearer token.
func userScheme(s ir.Scheme) bool {
	return s.Type == "oauth2" || s.Type == "openIdConnect" || (s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"))
}

// UserScopes are the scopes the selected operations ask of the schemes
// the signed-in user's token stands for, sorted: what sign-in must ask
// for, besides the provider's own.
func UserScopes(api *ir.API) []string {
	if !api.SignedInUser {
		return nil
	}
	var out []string
	for _, s := range api.Schemes {
		if userScheme(s) {
			out = append(out, s.Scopes...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
