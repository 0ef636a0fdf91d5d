// Package ir holds the resolved model of a project that the emitters read.
//
// An ir.Project is plain data: no I/O, no YAML or OpenAPI types. Every node
// records where in the user's input it came from, so generated comments can
// cite it and late errors can point at it.
package ir

import (
	"time"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/gotype"
)

// Project is one MCP server to generate.
type Project struct {
	// Name is the server's name (serverInfo.name).
	Name string
	// Title is the server's human-readable name, if any.
	Title string
	// Version is the server's version (serverInfo.version).
	Version string
	// Instructions for clients, if any.
	Instructions string
	// Source is the manifest's file name as it appears in comments ("mcpgen.yaml").
	Source string

	Tools     []*Tool
	Resources []*Resource
	// ResourceTemplates are read by methods of the user's handler type.
	ResourceTemplates []*ResourceTemplate
	Prompts           []*Prompt
	// State are the values the tools keep in the server's store.
	State []*StateValue

	// API is the HTTP API the OpenAPI tools call; nil when the project has
	// none.
	API *API

	// Auth protects the server with OAuth; nil when the server is open.
	Auth *Auth

	// Transports the server mounts, in the runtime's names: "streamable",
	// "sse", "stdio". Never empty, and without stdio when Auth is set.
	Transports []string

	// RateLimit bounds each user's calls over all tools; nil for none.
	RateLimit *RateLimit
	// ToolTimeout bounds every tool call without a Timeout of its own;
	// zero for none.
	ToolTimeout time.Duration
	// OTLP links the OTLP exporters, so that the server can export by
	// OTLP.
	OTLP bool
}

// RateLimit is a number of calls a minute, with a burst (zero: the
// runtime's default).
type RateLimit struct {
	PerMinute, Burst int
	// Pointer locates it in the manifest.
	Pointer string
}

// ToolAudit is what a tool's audit records hold beyond the defaults.
type ToolAudit struct {
	// Arguments records the call's arguments, with Redact's names hidden.
	Arguments bool
	Redact    []string
}

// HasRateLimits reports whether any rate limit applies to the tools.
func (p *Project) HasRateLimits() bool {
	if p.RateLimit != nil {
		return true
	}
	for _, t := range p.Tools {
		if t.RateLimit != nil {
			return true
		}
	}
	return false
}

// Auth is how users sign in to an OAuth-protected server. Its fields
// mirror the runtime's oauth.Options.
type Auth struct {
	// Provider is the identity provider: "github", "google" or "oidc".
	Provider string
	// Scopes are requested from the provider at sign-in; nil for the
	// provider's default.
	Scopes []string
	// Pointer locates the auth section in the manifest ("#/auth").
	Pointer string
}

// ToolAuth limits a tool to some signed-in users; it mirrors oauth.Rule.
type ToolAuth struct {
	// Users are the allowed users: GitHub logins, or email addresses.
	Users []string
	// UsersEnv names an environment variable with more allowed users.
	UsersEnv string
	// Scopes are the provider scopes the user must have granted.
	Scopes []string
	// Pointer locates the rule in the manifest ("#/tools/2/auth"), or in
	// Spec.
	Pointer string
	// Spec, if set, is the OpenAPI document the rule comes from (the
	// security requirements of the tool's operation), rather than the
	// manifest.
	Spec string
}

// Source is where the rule is written: manifest (the manifest's path) and
// the pointer, or the OpenAPI document and the pointer.
func (a *ToolAuth) Source(manifest string) string {
	if a.Spec != "" {
		return a.Spec + a.Pointer
	}
	return manifest + a.Pointer
}

// ResourceTemplate is a family of resources whose URIs have variables,
// read by a method of the user's.
type ResourceTemplate struct {
	URITemplate, Name, Title, Description, MIMEType string
	// GoName is the method that reads it ("ReadCounter").
	GoName string
	// HandlerFile is the user's file with that method ("counter_resource.go").
	HandlerFile string
	// Pointer locates it in the manifest ("#/resourceTemplates/0").
	Pointer string
}

// StateValue is one value the tools keep between calls, and its Go names.
type StateValue struct {
	// Name is the value's name in the manifest.
	Name        string
	Description string
	// GoName names the accessor method of State ("Counter").
	GoName string
	// Type is the Go type of the value ("CounterState").
	Type string
	// Scope is "user", "key" or "global".
	Scope string
	// TTL is how long a value lives after its last update; 0 is forever.
	TTL time.Duration
	// Schema is the value's JSON Schema, indented, keys in source order.
	Schema []byte
	// Types are the Go declarations of Type and the types it needs.
	Types []gotype.Decl
	// Pointer locates the value in the manifest ("#/state/0").
	Pointer string
}

// HasState reports whether the tools keep state.
func (p *Project) HasState() bool { return len(p.State) > 0 }

// HasAuth reports whether the server is protected with OAuth.
func (p *Project) HasAuth() bool { return p.Auth != nil }

// GatedTools are the tools with an auth rule, in manifest order.
func (p *Project) GatedTools() []*Tool {
	var out []*Tool
	for _, t := range p.Tools {
		if t.Auth != nil {
			out = append(out, t)
		}
	}
	return out
}

// HasStreamable reports whether streamable HTTP is mounted.
func (p *Project) HasStreamable() bool { return p.hasTransport("streamable") }

// HasSSE reports whether legacy HTTP+SSE is mounted.
func (p *Project) HasSSE() bool { return p.hasTransport("sse") }

// HasStdio reports whether the server can run over stdio.
func (p *Project) HasStdio() bool { return p.hasTransport("stdio") }

// HasHTTP reports whether any HTTP transport is mounted.
func (p *Project) HasHTTP() bool { return p.HasStreamable() || p.HasSSE() }

func (p *Project) hasTransport(name string) bool {
	for _, t := range p.Transports {
		if t == name {
			return true
		}
	}
	return false
}

// Tool is one MCP tool and the Go names that serve it.
type Tool struct {
	Name        string
	Title       string
	Description string

	// GoName is the tool's Go name: the handler method ("Add").
	GoName string
	// InputType is the Go type of the arguments ("AddInput").
	InputType string
	// OutputType is the Go type of the structured result ("AddOutput"), or
	// empty when the tool has no output schema.
	OutputType string
	// InputSchema and OutputSchema are the schemas as JSON, exactly as the
	// user wrote them (keys in source order, indented). OutputSchema is nil
	// when the tool has none.
	InputSchema  []byte
	OutputSchema []byte
	// Types are the Go declarations for the input and output types.
	Types []gotype.Decl

	Annotations *Annotations

	// Auth limits who may see and call the tool; nil when every signed-in
	// user may (or the server has no auth).
	Auth *ToolAuth

	// RateLimit bounds each user's calls of the tool; Timeout bounds one
	// call (zero: the server's ToolTimeout); Audit widens its audit
	// records. Each is nil or zero when the manifest sets none.
	RateLimit *RateLimit
	Timeout   time.Duration
	Audit     *ToolAudit

	// Confirm, when set, makes each call of the tool ask the user to
	// confirm it before it runs; nil when the manifest's confirm policy
	// lets the tool run unasked.
	Confirm *Confirm

	// BadArguments is a JSON object the input schema rejects, checked when
	// the IR was built; the generated tests send it. Empty when the schema
	// accepts every object.
	BadArguments string

	// HandlerFile is the user-owned file that holds the tool's handler;
	// empty for an OpenAPI tool served by the generated call.
	HandlerFile string

	// Op is the HTTP operation of a tool imported from an OpenAPI document,
	// nil for a tool of the manifest. Its InputSchema and OutputSchema may
	// refer to the API's Defs.
	Op *Operation

	// Pointer and Pos locate the tool in the manifest.
	Pointer string
	Pos     diag.Pos
}

// Confirm is what a tool asks the user before a call runs.
type Confirm struct {
	// Message is the question, {{name}} standing for the argument name;
	// empty for the default: the HTTP method and path of an OpenAPI tool's
	// call, the name and arguments of another tool.
	Message string
}

// HasConfirmations reports whether any tool's calls are confirmed.
func (p *Project) HasConfirmations() bool {
	for _, t := range p.Tools {
		if t.Confirm != nil {
			return true
		}
	}
	return false
}

// Annotations are the MCP tool annotations; nil fields are left unset.
type Annotations struct {
	Title           string
	ReadOnlyHint    *bool
	DestructiveHint *bool
	IdempotentHint  *bool
	OpenWorldHint   *bool
}

// Resource is a static text resource.
type Resource struct {
	URI         string
	Name        string
	Title       string
	Description string
	MIMEType    string
	Text        string
	Pointer     string
}

// Prompt is a prompt template.
type Prompt struct {
	Name        string
	Title       string
	Description string
	Arguments   []PromptArgument
	Messages    []PromptMessage
	Pointer     string
}

// PromptArgument is one argument of a prompt.
type PromptArgument struct {
	Name        string
	Description string
	Required    bool
}

// PromptMessage is one message of a prompt; {{name}} in Text stands for the
// argument of that name.
type PromptMessage struct {
	Role string
	Text string
}

// HasHandler reports whether the tool is served by a method of
// ToolHandler: a manifest tool, or a custom OpenAPI one.
func (t *Tool) HasHandler() bool { return t.Op == nil || t.Op.Custom }
