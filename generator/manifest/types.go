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
	// Prompts are prompt templates the server offers.
	Prompts []Prompt `json:"prompts,omitempty" jsonschema:"description=Prompt templates the server offers."`
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
}

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
