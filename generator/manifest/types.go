package manifest

import (
	"encoding/json"

	"github.com/invopop/jsonschema"
)

// Manifest is the content of mcpgen.yaml: the source of truth of a generated
// project.
type Manifest struct {
	// Name of the server, sent to clients as serverInfo.name.
	Name string `json:"name" jsonschema:"minLength=1,maxLength=64,pattern=^[A-Za-z0-9_.-]+$,description=Name of the server\\, sent to clients as serverInfo.name: letters\\, digits\\, '_'\\, '-' and '.'\\, at most 64 characters."`
	// Title is a human-readable name for the server.
	Title string `json:"title,omitempty" jsonschema:"description=Human-readable name of the server."`
	// Version of the server, sent to clients as serverInfo.version.
	Version string `json:"version,omitempty" jsonschema:"description=Version of the server\\, sent to clients as serverInfo.version (default 0.1.0)."`
	// Instructions tell clients how to use the server.
	Instructions string `json:"instructions,omitempty" jsonschema:"description=Instructions for clients on how to use the server's tools."`
	// Tools the server offers.
	Tools []Tool `json:"tools,omitempty" jsonschema:"description=Tools the server offers."`
	// Resources are static resources the server serves.
	Resources []Resource `json:"resources,omitempty" jsonschema:"description=Static resources the server serves."`
	// ResourceTemplates are resources whose URIs have variables, each read
	// by a method of your own.
	ResourceTemplates []ResourceTemplate `json:"resourceTemplates,omitempty" jsonschema:"description=Resources whose URIs have variables (RFC 6570)\\, such as counter://{name}: each is read by a method of your own in <name>_resource.go."`
	// Prompts are prompt templates the server offers.
	Prompts []Prompt `json:"prompts,omitempty" jsonschema:"description=Prompt templates the server offers."`
	// OpenAPI, if set, imports tools from an OpenAPI document: one tool per
	// selected operation, each calling the API.
	OpenAPI *OpenAPI `json:"openapi,omitempty" jsonschema:"description=Import tools from an OpenAPI document (3.0\\, 3.1 or Swagger 2.0): one tool per selected operation\\, each calling the API. mcpgen generate re-imports it."`
	// Auth, if set, protects the server with OAuth: it becomes an OAuth 2.1
	// authorization server to MCP clients, and signs users in with an
	// identity provider.
	Auth *Auth `json:"auth,omitempty" jsonschema:"description=Protect the server with OAuth: MCP clients sign users in through an identity provider (GitHub\\, Google or any OpenID Connect issuer) and the server issues its own tokens."`
	// State declares the values the tools keep between calls, in the
	// server's store.
	State []StateValue `json:"state,omitempty" jsonschema:"description=Values the tools keep between calls\\, in the server's store (a bbolt file\\, or Redis shared by every replica): each gets a typed accessor in state_gen.go."`
	// RateLimit bounds each user's (or, without sign-in, each client
	// address's) requests: tool calls and the rest but the protocol's own.
	RateLimit *RateLimit `json:"rateLimit,omitempty" jsonschema:"description=Requests allowed per user (per client address on a server without sign-in): tool calls and every other request but the protocol's own (initialize\\, ping). A tool call over it gets a tool error\\, another request a JSON-RPC error; both say when to retry. Kept in Redis when STORE_URL names it\\, so replicas share one budget."`
	// Confirm is the server's confirmation policy: which tools ask the
	// user before they run.
	Confirm string `json:"confirm,omitempty" jsonschema:"enum=destructive,enum=always,enum=never,description=Which tools ask the user to confirm a call before it runs (through MCP elicitation): destructive (the default) for those annotated destructiveHint: true\\, which OpenAPI DELETE operations are; always; never. A tool's own confirm wins."`
	// ToolTimeout bounds every tool call without a timeout of its own.
	ToolTimeout string `json:"toolTimeout,omitempty" jsonschema:"description=Time limit of every tool call without a timeout of its own\\, such as 30s (none when absent; TOOL_TIMEOUT overrides it at run time). A call past it ends with a tool error."`
	// Telemetry says how the server exports what it records.
	Telemetry *Telemetry `json:"telemetry,omitempty" jsonschema:"description=How the server exports its traces and metrics. Prometheus /metrics needs nothing here."`
	// Transports the server mounts; all of them when empty.
	Transports []string `json:"transports,omitempty" jsonschema:"enum=streamable,enum=sse,enum=stdio,uniqueItems=true,description=Transports the server mounts: streamable (HTTP at /mcp)\\, sse (legacy HTTP+SSE at /sse)\\, stdio (with --stdio). All three when absent."`
}

// Tool is one MCP tool, written as the MCP specification defines a tool.
type Tool struct {
	// Name is the tool's MCP name.
	Name string `json:"name" jsonschema:"minLength=1,maxLength=64,pattern=^[A-Za-z0-9_.-]+$,description=The tool's name: letters\\, digits\\, '_'\\, '-' and '.'\\, at most 64 characters."`
	// Title is a human-readable name.
	Title string `json:"title,omitempty" jsonschema:"description=Human-readable name of the tool."`
	// Description tells a model what the tool does.
	Description string `json:"description" jsonschema:"minLength=1,pattern=\\S,description=What the tool does\\, for the model that calls it."`
	// InputSchema is the JSON Schema of the tool's arguments; its type must be object.
	InputSchema Schema `json:"inputSchema" jsonschema:"description=JSON Schema (2020-12) of the arguments. Its type must be object."`
	// OutputSchema, if set, is the JSON Schema of the tool's structuredContent.
	OutputSchema *Schema `json:"outputSchema,omitempty" jsonschema:"description=JSON Schema (2020-12) of the tool's structured result. Its type must be object."`
	// Annotations are hints about the tool's behaviour.
	Annotations *Annotations `json:"annotations,omitempty" jsonschema:"description=Hints about the tool's behaviour."`
	// Auth limits who may see and call the tool; it needs the top-level
	// auth section.
	Auth *ToolAuth `json:"auth,omitempty" jsonschema:"description=Who may see and call the tool (needs the top-level auth section). Others do not see it in tools/list\\, and a call is refused; a user who lacks only scopes sees it\\, and a call asks for them (see scopes)."`
	// RateLimit bounds each user's calls of this tool.
	RateLimit *RateLimit `json:"rateLimit,omitempty" jsonschema:"description=Calls of this tool allowed per user (per client address without sign-in)\\, on top of the server's rateLimit."`
	// Timeout bounds a call of this tool, instead of toolTimeout.
	Timeout string `json:"timeout,omitempty" jsonschema:"description=Time limit of a call of this tool\\, such as 2m\\, instead of the server's toolTimeout."`
	// Audit says what the audit record of a call of this tool holds.
	Audit *ToolAudit `json:"audit,omitempty" jsonschema:"description=What the audit record of a call holds beyond who\\, what and how it ended: the arguments are left out unless asked for here."`
	// Confirm and ConfirmMessage say whether a call asks the user first,
	// and what it asks.
	Confirm        string `json:"confirm,omitempty" jsonschema:"enum=destructive,enum=always,enum=never,description=Whether a call asks the user to confirm it before it runs: destructive (if annotations.destructiveHint is true)\\, always or never. Default: the server's confirm."`
	ConfirmMessage string `json:"confirmMessage,omitempty" jsonschema:"description=The one-line question the user confirms\\, {{name}} standing for the argument name\\, such as 'Delete the note {{id}}?' (default: the tool's name and arguments)."`
}

// The values of OpenAPI.Credentials.
const (
	CredentialsEnvironment  = "environment"
	CredentialsSignedInUser = "signedInUser"
)

// Telemetry says how the server exports what it records.
type Telemetry struct {
	// OTLP links the OTLP exporters into the server. They are left out
	// otherwise because linking them slows every call (docs/performance.md).
	OTLP bool `json:"otlp,omitempty" jsonschema:"description=Link the OTLP exporters (HTTP and gRPC)\\, so that OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_* settings export traces and metrics. Off by default: the exporters slow every call of a server that links them\\, exporting or not\\, and a server without them refuses OTLP settings at start."`
}

// RateLimit is a number of calls per minute, with a burst.
type RateLimit struct {
	// PerMinute is the sustained rate.
	PerMinute int `json:"perMinute" jsonschema:"minimum=1,description=Calls allowed per minute\\, sustained."`
	// Burst is how many calls may come at once after a quiet spell.
	Burst int `json:"burst,omitempty" jsonschema:"minimum=0,description=Calls allowed at once after a quiet spell (default: perMinute)."`
}

// ToolAudit opts a tool's arguments into its audit records.
type ToolAudit struct {
	// Arguments puts the call's arguments in the record.
	Arguments bool `json:"arguments,omitempty" jsonschema:"description=Record the call's arguments (never by default)."`
	// Redact lists argument names whose values are replaced, at any depth.
	Redact []string `json:"redact,omitempty" jsonschema:"description=Names of arguments (at any depth\\, any case) whose values are recorded as [redacted]."`
}

// StateValue is one value the tools keep between calls.
type StateValue struct {
	// Name names the value and its Go accessor.
	Name string `json:"name" jsonschema:"minLength=1,maxLength=64,pattern=^[A-Za-z][A-Za-z0-9_]*$,description=The value's name: a letter\\, then letters\\, digits and '_'. The accessor State.<Name> is named after it."`
	// Description says what the value holds.
	Description string `json:"description,omitempty" jsonschema:"description=What the value holds."`
	// Scope is whose the value is: user, key or global.
	Scope string `json:"scope,omitempty" jsonschema:"enum=user,enum=key,enum=global,description=Whose the value is: user (each signed-in user has their own; the default with auth)\\, key (one per key the tool names\\, such as a counter's name; the default without auth) or global (one for the server)."`
	// Schema is the JSON Schema every value written must meet.
	Schema ValueSchema `json:"schema" jsonschema:"description=JSON Schema (2020-12) of the value: any type. Every value written is checked against it."`
	// TTL, a Go duration, is how long a value lives after its last update.
	TTL string `json:"ttl,omitempty" jsonschema:"description=How long a value lives after its last update\\, such as 720h; forever when absent."`
}

// ValueSchema is a JSON Schema written inline in the manifest, as Schema,
// but whose root may be of any type.
type ValueSchema Schema

// JSONSchema describes ValueSchema in the manifest's own JSON Schema: any
// JSON Schema object.
func (ValueSchema) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "object", Description: "A JSON Schema (draft 2020-12)."}
}

// MarshalJSON returns the schema's JSON as written.
func (s ValueSchema) MarshalJSON() ([]byte, error) { return Schema(s).MarshalJSON() }

// Annotations are the MCP tool annotations.
type Annotations struct {
	Title           string `json:"title,omitempty" jsonschema:"description=Human-readable name of the tool."`
	ReadOnlyHint    *bool  `json:"readOnlyHint,omitempty" jsonschema:"description=The tool does not modify its environment."`
	DestructiveHint *bool  `json:"destructiveHint,omitempty" jsonschema:"description=The tool may perform destructive updates (meaningful when readOnlyHint is false)."`
	IdempotentHint  *bool  `json:"idempotentHint,omitempty" jsonschema:"description=Calling the tool again with the same arguments has no further effect."`
	OpenWorldHint   *bool  `json:"openWorldHint,omitempty" jsonschema:"description=The tool interacts with an open world of external entities."`
}

// Resource is a static resource, served as text.
type Resource struct {
	URI         string `json:"uri" jsonschema:"minLength=1,pattern=^[A-Za-z][A-Za-z0-9+.-]*:,description=The resource's URI: an absolute URI such as docs://help."`
	Name        string `json:"name" jsonschema:"minLength=1,description=The resource's name."`
	Title       string `json:"title,omitempty" jsonschema:"description=Human-readable name of the resource."`
	Description string `json:"description,omitempty" jsonschema:"description=What the resource holds."`
	MIMEType    string `json:"mimeType,omitempty" jsonschema:"description=MIME type of the content (default text/plain)."`
	// Text is the resource's content.
	Text string `json:"text" jsonschema:"description=The resource's content."`
}

// ResourceTemplate is a family of resources read by a method of the
// user's.
type ResourceTemplate struct {
	URITemplate string `json:"uriTemplate" jsonschema:"minLength=1,description=The URI template (RFC 6570) of the resources: an absolute URI with variables\\, such as counter://{name}."`
	Name        string `json:"name" jsonschema:"minLength=1,maxLength=64,pattern=^[A-Za-z0-9_.-]+$,description=The template's name: letters\\, digits\\, '_'\\, '-' and '.'. It names the method that reads it (Read<Name>) and its file (<name>_resource.go)."`
	Title       string `json:"title,omitempty" jsonschema:"description=Human-readable name of the resources."`
	Description string `json:"description,omitempty" jsonschema:"description=What the resources hold."`
	MIMEType    string `json:"mimeType,omitempty" jsonschema:"description=MIME type of the content."`
}

// Prompt is a prompt template.
type Prompt struct {
	Name        string           `json:"name" jsonschema:"minLength=1,maxLength=64,pattern=^[A-Za-z0-9_.-]+$,description=The prompt's name: letters\\, digits\\, '_'\\, '-' and '.'\\, at most 64 characters."`
	Title       string           `json:"title,omitempty" jsonschema:"description=Human-readable name of the prompt."`
	Description string           `json:"description,omitempty" jsonschema:"description=What the prompt is for."`
	Arguments   []PromptArgument `json:"arguments,omitempty" jsonschema:"description=Arguments the prompt takes."`
	// Messages are the prompt's messages; {{name}} in their text is replaced by
	// the argument of that name.
	Messages []PromptMessage `json:"messages" jsonschema:"minItems=1,description=The prompt's messages. {{name}} in a message's text is replaced by the argument of that name."`
}

// PromptArgument is one argument of a prompt.
type PromptArgument struct {
	Name        string `json:"name" jsonschema:"minLength=1,pattern=^[A-Za-z0-9_.-]+$,description=The argument's name: letters\\, digits\\, '_'\\, '-' and '.'."`
	Description string `json:"description,omitempty" jsonschema:"description=What the argument is."`
	Required    bool   `json:"required,omitempty" jsonschema:"description=The argument must be given."`
}

// PromptMessage is one message of a prompt.
type PromptMessage struct {
	Role string `json:"role" jsonschema:"enum=user,enum=assistant,description=Who says it."`
	Text string `json:"text" jsonschema:"description=What is said; {{name}} is replaced by the argument of that name."`
}

// Schema is a JSON Schema written inline in the manifest. It keeps the
// schema as JSON with the keys in the order the user wrote them, and where
// in the manifest it starts.
type Schema struct {
	// JSON is the schema, keys in source order.
	JSON json.RawMessage
	// Pointer is where the schema sits in the manifest ("#/tools/0/inputSchema").
	Pointer string
	// Unresolved is set, by code and never by a manifest, for a schema that
	// the server only shows to clients and never resolves: the output
	// schema of an operation served by runtime/upstream. Validate checks
	// it as any other, but without the MCP SDK's own steps (decoding and
	// resolving it with jsonschema-go), which guard against what the SDK
	// would refuse at start.
	Unresolved bool
}

// JSONSchema describes Schema in the manifest's own JSON Schema: a JSON
// Schema object whose type is object, as Validate requires of both of a
// tool's schemas.
func (Schema) JSONSchema() *jsonschema.Schema {
	props := jsonschema.NewProperties()
	props.Set("type", &jsonschema.Schema{Const: "object"})
	return &jsonschema.Schema{
		Type:        "object",
		Description: "A JSON Schema (draft 2020-12) whose type is object.",
		Properties:  props,
		Required:    []string{"type"},
	}
}

// MarshalJSON returns the schema's JSON as written, so that a Manifest
// marshals to the JSON form of the manifest.
func (s Schema) MarshalJSON() ([]byte, error) {
	if len(s.JSON) == 0 {
		return []byte("null"), nil
	}
	return s.JSON, nil
}

// OpenAPI selects the operations of an OpenAPI document that become tools.
type OpenAPI struct {
	// Spec is the document's path, relative to the manifest.
	Spec string `json:"spec" jsonschema:"minLength=1,description=Path of the OpenAPI document (JSON or YAML)\\, relative to mcpgen.yaml."`
	// Source is the URL the document was fetched from; mcpgen generate
	// --fetch downloads it again into Spec.
	Source string `json:"source,omitempty" jsonschema:"description=The http(s) URL the document was fetched from (mcpgen new --from URL sets it). mcpgen generate --fetch downloads it again into spec; a plain generate never does."`
	// Mode is static (one tool per operation) or dynamic (a few tools that
	// search, describe and call the operations).
	Mode string `json:"mode,omitempty" jsonschema:"enum=static,enum=dynamic,description=static (the default): one tool per operation. dynamic: four tools that list\\, search\\, describe and call the operations\\, for APIs too large to list."`
	// BaseURLEnv names the environment variable that overrides the API's
	// base URL; default <NAME>_BASE_URL.
	BaseURLEnv string `json:"baseURLEnv,omitempty" jsonschema:"pattern=^[A-Za-z_][A-Za-z0-9_]*$,description=Environment variable that overrides the API's base URL (default: the server name in upper snake case + _BASE_URL)."`
	// Timeout bounds each upstream call, as a Go duration; default 30s.
	Timeout string `json:"timeout,omitempty" jsonschema:"description=Time limit of each call to the API\\, such as 30s (the default) or 2m."`
	// MaxResponseBytes cuts longer responses; default 1 MiB.
	MaxResponseBytes int64 `json:"maxResponseBytes,omitempty" jsonschema:"minimum=1,description=Longest upstream response passed to the client\\, in bytes (default 1048576); longer ones are cut with a note."`
	// Response shapes the results of every tool of the document that does
	// not shape its own (in its override).
	Response *Response `json:"response,omitempty" jsonschema:"description=How the tools shape the API's answers (select\\, maxBytes)\\, unless an override says otherwise for its tool."`
	// Credentials says whose credentials the API's calls carry.
	Credentials string `json:"credentials,omitempty" jsonschema:"enum=environment,enum=signedInUser,description=Whose credentials the calls carry. environment (the default): those the server's environment holds\\, the same for every user. signedInUser: the signed-in user's token from the identity provider of auth (GitHub's REST API with provider github\\, Google's APIs with google\\, any API that accepts the oidc provider's tokens)\\, for every scheme that takes a bearer token; sign-in asks for the scopes the selected operations declare."`
	// Include keeps only the operations that match one of these filters.
	Include []OperationFilter `json:"include,omitempty" jsonschema:"description=Keep only the operations that match one of these filters (all operations when absent)."`
	// Exclude drops the operations that match one of these filters.
	Exclude []OperationFilter `json:"exclude,omitempty" jsonschema:"description=Drop the operations that match one of these filters."`
	// Overrides change single operations.
	Overrides []OperationOverride `json:"overrides,omitempty" jsonschema:"description=Changes to single operations: their tool name\\, description\\, exclusion\\, or a handler of your own (custom)."` // Strict makes every defect of the document an error, as --strict
	// does; by default one confined to an operation leaves out (or
	// weakens) only that operation's tool, with a warning.
	Strict bool `json:"strict,omitempty" jsonschema:"description=Stop at any defect of the document (as --strict does). By default a defect confined to one operation leaves out or weakens only that tool\\, with a warning."`
}

// OperationFilter matches operations. An operation matches when it matches
// every list given; within a list, any entry will do.
type OperationFilter struct {
	Tags       []string `json:"tags,omitempty" jsonschema:"description=Tags\\, any of which the operation has."`
	Operations []string `json:"operations,omitempty" jsonschema:"description=operationIds (or METHOD /path for operations without one)."`
	Paths      []string `json:"paths,omitempty" jsonschema:"description=Path globs: * matches within a segment\\, ** across segments (/repos/**)."`
	Methods    []string `json:"methods,omitempty" jsonschema:"description=HTTP methods (GET\\, POST\\, ...)."`
}

// OperationOverride changes one operation. An x-mcp extension on the
// operation in the document does the same; the manifest wins.
type OperationOverride struct {
	// Operation is the operationId, or "METHOD /path".
	Operation string `json:"operation" jsonschema:"minLength=1,description=The operation's operationId\\, or METHOD /path for an operation without one."`
	// Name replaces the derived tool name.
	Name string `json:"name,omitempty" jsonschema:"maxLength=64,pattern=^[A-Za-z0-9_.-]+$,description=The tool's name instead of the derived one."`
	// Description replaces the operation's description.
	Description string `json:"description,omitempty" jsonschema:"description=The tool's description instead of the operation's."`
	// Exclude leaves the operation out.
	Exclude bool `json:"exclude,omitempty" jsonschema:"description=Leave the operation out."`
	// Custom gives the tool a handler of your own, which receives the typed
	// arguments and may call the API itself.
	Custom bool `json:"custom,omitempty" jsonschema:"description=Serve the tool with a handler of your own (in <tool>_tool.go)\\, which receives the typed arguments and can make the generated call itself."`
	// RateLimit, Timeout and Audit are the tool's operational rules, as
	// for a tool of the manifest.
	RateLimit *RateLimit `json:"rateLimit,omitempty" jsonschema:"description=Calls of this tool allowed per user (per client address without sign-in)\\, on top of the server's rateLimit."`
	Timeout   string     `json:"timeout,omitempty" jsonschema:"description=Time limit of a call of this tool\\, such as 2m\\, instead of the server's toolTimeout (the API's own timeout still bounds each request)."`
	Audit     *ToolAudit `json:"audit,omitempty" jsonschema:"description=What the audit record of a call holds beyond who\\, what and how it ended: the arguments are left out unless asked for here."`
	// Confirm and ConfirmMessage are as for a tool of the manifest; the
	// default question is the HTTP method and path of the call.
	Confirm        string `json:"confirm,omitempty" jsonschema:"enum=destructive,enum=always,enum=never,description=Whether a call asks the user to confirm it before it runs: destructive (if the operation is a DELETE)\\, always or never. Default: the server's confirm."`
	ConfirmMessage string `json:"confirmMessage,omitempty" jsonschema:"description=The one-line question the user confirms\\, {{name}} standing for the argument name (default: the method and path of the call\\, such as DELETE /pets/42)."`
	// Response shapes the tool's results, instead of the section's.
	Response *Response `json:"response,omitempty" jsonschema:"description=How the tool shapes the API's answers; what it leaves out comes from the openapi section's response."`
}

// Response is a budget for the results of a tool that calls an API.
type Response struct {
	// Select is a jq program that reshapes the JSON answer.
	Select string `json:"select,omitempty" jsonschema:"minLength=1,description=A jq program applied to the API's JSON answer before it is returned\\, such as [.[] | {number\\, title}]. One value it yields is the result; none or several are an array. The output schema follows it where mcpgen can tell the result's shape\\, and is left out where it cannot."`
	// MaxBytes bounds the JSON or text a call returns.
	MaxBytes int64 `json:"maxBytes,omitempty" jsonschema:"minimum=256,description=Longest result\\, in bytes of JSON (or text). A longer JSON answer loses whole items from the end of its largest lists\\, with a note saying how many and how to get them; longer text is cut\\, with a note."`
}

// Auth selects the identity provider of an OAuth-protected server.
type Auth struct {
	// Provider is github, google or oidc.
	Provider string `json:"provider" jsonschema:"enum=github,enum=google,enum=oidc,description=The identity provider users sign in with: github\\, google\\, or oidc (any OpenID Connect issuer\\, found through discovery from OIDC_ISSUER)."`
	// Scopes are requested from the provider at sign-in.
	Scopes []string `json:"scopes,omitempty" jsonschema:"description=Scopes requested from the provider when a user signs in (default: the provider's for name and email: read:user and user:email on GitHub; openid\\, email and profile otherwise)."`
}

// ToolAuth limits who may use a tool.
type ToolAuth struct {
	// Users are the logins (GitHub) or emails (Google, OIDC) allowed.
	Users []string `json:"users,omitempty" jsonschema:"description=Users allowed: GitHub logins\\, or email addresses for Google and OIDC."`
	// UsersEnv names an environment variable holding more allowed users,
	// comma-separated.
	UsersEnv string `json:"usersEnv,omitempty" jsonschema:"pattern=^[A-Za-z_][A-Za-z0-9_]*$,description=Environment variable with more allowed users\\, comma-separated\\, read at start."`
	// Scopes the user must have granted the provider.
	Scopes []string `json:"scopes,omitempty" jsonschema:"description=Provider scopes the user must have granted. Sign-in asks for those in auth.scopes; a client that supports step-up authorization (MCP 2025-11-25 and later) asks for the others when the tool is called. A user without them still sees the tool\\, and a call names the missing scope."`
}
