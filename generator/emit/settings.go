package emit

import (
	"slices"
	"strings"

	"github.com/mcpgen/mcpgen/generator/ir"
)

// setting is one environment variable a generated server reads besides the
// flags of runtime/serve, whose --help lists those itself: the identity
// provider's credentials and the OAuth server's keys, the store, the
// API's base URL and credentials. It is the one list the deploy files
// (Kubernetes, Fly, Cloud Run, Compose, server.json) are written from, and
// the list the server's --help prints under "Also read from the
// environment", so that tests can hold the two against each other.
type setting struct {
	// Name is the environment variable.
	Name string
	// Description says what it holds: one line, lowercase, no full stop.
	Description string
	// Secret settings hold credentials or can carry them (a STORE_URL may
	// hold a password). Deploy files pass them from a secret store and
	// never write a value for them.
	Secret bool
	// Required settings must be set, or the server does not start.
	Required bool
	// Deploy settings are not required to start, but deploy files set them
	// all the same: what the server does without them suits only a laptop
	// (BASE_URL defaults to localhost; without ENCRYPTION_KEY, a
	// development key is made and kept beside the store).
	Deploy bool
	// Default is what the server uses when the setting is unset, if that
	// is a value (the API's base URL from the document).
	Default string
	// Example is a value for deploy files to show where the setting must
	// be set and no default fits: a placeholder the user edits.
	Example string
	// MakeWith is a shell command that makes a good value, for a key.
	MakeWith string
}

// projectSettings returns the settings of p, in the order the server's
// --help and the deploy files list them: the API, sign-in, the store.
func projectSettings(p *ir.Project) []setting {
	var out []setting
	add := func(s setting) {
		if s.Name == "" || slices.ContainsFunc(out, func(o setting) bool { return o.Name == s.Name }) {
			return
		}
		out = append(out, s)
	}
	if a := p.API; a != nil {
		base := setting{Name: a.BaseURLEnv, Description: "base URL of the API the tools call", Default: a.BaseURL}
		if !isAbsoluteURL(a.BaseURL) {
			// The document gives no absolute URL: the server stops at start
			// without one.
			base.Default, base.Required, base.Example = "", true, "https://api.example.net"
		}
		add(base)
		for _, s := range a.Schemes {
			for _, c := range credentials(s) {
				add(setting{Name: c.Name, Description: lowerFirst(c.Description), Secret: !publicCredential(s, c.Name)})
			}
		}
	}
	if p.Auth != nil {
		for _, s := range authSettings(p) {
			add(s)
		}
	}
	if p.HasState() || p.Auth != nil {
		add(setting{Name: "STORE_URL", Secret: true,
			Description: "the store all replicas share, redis://[user:password@]host:6379/0 (unset: the STORE_PATH file)"})
		add(setting{Name: "STORE_PATH",
			Description: "the store's bbolt file when STORE_URL is unset, for one replica", Default: "data/oauth.db"})
	} else if p.HasConfirmations() {
		what := "the confirmations"
		if p.HasRateLimits() {
			what = "the rate limits and the confirmations"
		}
		add(setting{Name: "STORE_URL", Secret: true,
			Description: "the Redis that keeps " + what + " all replicas share, redis://[user:password@]host:6379/0 (unset: each process keeps its own)"})
	} else if p.HasRateLimits() {
		add(setting{Name: "STORE_URL", Secret: true,
			Description: "the Redis that keeps the rate limits all replicas share, redis://[user:password@]host:6379/0 (unset: each process counts alone)"})
	}
	if p.HasConfirmations() {
		add(setting{Name: "REQUEST_STATE_KEY", Secret: true, Deploy: true, MakeWith: "openssl rand -base64 32",
			Description: "the key that seals a confirmation between its question and its answer: base64 of 32 random bytes, the same on every replica (NEW,OLD rotates; required with a Redis STORE_URL)"})
	}
	return out
}

// authSettings are the settings of an OAuth-protected server, as
// runtime/oauth reads them.
func authSettings(p *ir.Project) []setting {
	var out []setting
	switch p.Auth.Provider {
	case "github":
		out = append(out,
			setting{Name: "GITHUB_CLIENT_ID", Required: true, Example: "your-github-oauth-app-client-id",
				Description: "the GitHub OAuth app's client ID"},
			setting{Name: "GITHUB_CLIENT_SECRET", Required: true, Secret: true,
				Description: "the GitHub OAuth app's client secret"},
		)
	case "google":
		out = append(out,
			setting{Name: "GOOGLE_CLIENT_ID", Required: true, Example: "your-client-id.apps.googleusercontent.com",
				Description: "the Google OAuth client's ID"},
			setting{Name: "GOOGLE_CLIENT_SECRET", Required: true, Secret: true,
				Description: "the Google OAuth client's secret"},
		)
	default:
		out = append(out,
			setting{Name: "OIDC_ISSUER", Required: true, Example: "https://issuer.example.com",
				Description: "the OpenID Connect issuer URL, whose discovery document names the endpoints"},
			setting{Name: "OIDC_CLIENT_ID", Required: true, Example: "your-client-id",
				Description: "the client ID registered with the OpenID Connect provider"},
			setting{Name: "OIDC_CLIENT_SECRET", Required: true, Secret: true,
				Description: "the client secret registered with the OpenID Connect provider"},
		)
	}
	out = append(out,
		setting{Name: "BASE_URL", Deploy: true, Example: "https://mcp.example.com",
			Description: "the server's public URL, the issuer of its tokens (default http://localhost:PORT)"},
		setting{Name: "ENCRYPTION_KEY", Secret: true, Deploy: true, MakeWith: "openssl rand -base64 32",
			Description: "the key that encrypts provider tokens at rest: base64 of 32 random bytes (NEW,OLD rotates)"},
	)
	facts := authFacts(p)
	for _, e := range facts.UsersEnv {
		out = append(out, setting{Name: e.Name,
			Description: "the users (" + facts.UsersWord + ", comma-separated) who may see and call " + e.Description})
	}
	if p.Auth.Provider == "github" {
		out = append(out,
			setting{Name: "GITHUB_AUTHORIZE_URL", Default: "https://github.com/login/oauth/authorize",
				Description: "GitHub's authorization endpoint (GitHub Enterprise Server)"},
			setting{Name: "GITHUB_TOKEN_URL", Default: "https://github.com/login/oauth/access_token",
				Description: "GitHub's token endpoint (GitHub Enterprise Server)"},
			setting{Name: "GITHUB_API_URL", Default: "https://api.github.com",
				Description: "GitHub's API (GitHub Enterprise Server)"},
		)
	}
	out = append(out,
		setting{Name: "OAUTH_RATE_LIMIT",
			Description: "requests a minute each client address may make to each OAuth endpoint; 0 turns the limits off (default: 10 for /register, 60 for the others)"},
		setting{Name: "OAUTH_RATE_LIMIT_FAIL",
			Description: "closed (the default) or open: whether the OAuth endpoints refuse or serve requests while the store keeping their limits fails"},
	)
	return out
}

// publicCredential reports whether the variable name of scheme s holds the
// part of a credential that is not secret: a basic user name, an OAuth
// client ID.
func publicCredential(s ir.Scheme, name string) bool {
	if len(s.Env) < 2 || name != s.Env[0] {
		return false
	}
	return (s.Type == "http" && strings.EqualFold(s.Scheme, "basic")) || s.Type == "oauth2"
}

func isAbsoluteURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	// An initialism (API, HTTP, OAuth) keeps its case.
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
