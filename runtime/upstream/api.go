// Package upstream calls the HTTP API behind an MCP server generated from an
// OpenAPI document: each tool is one operation, and its arguments become the
// request's path, query, headers, cookies and body.
//
// Generated code declares an [API] and one [Operation] per tool as Go
// literals; this package does the rest at run time.
package upstream

import "time"

// API describes the upstream HTTP API as a whole.
type API struct {
	// Name is the API's name, used in error messages and the User-Agent.
	Name string
	// BaseURL is the default base URL, from the document's servers (with
	// their variables substituted). It may be empty or relative, in which
	// case BaseURLEnv must be set at run time.
	BaseURL string
	// BaseURLEnv is the environment variable that overrides BaseURL
	// ("PETSTORE_BASE_URL").
	BaseURLEnv string
	// Schemes are the security schemes operations may require, by name.
	Schemes []SecurityScheme
	// Timeout bounds each upstream call; zero means 30s.
	Timeout time.Duration
	// MaxResponseBytes cuts longer responses (with a note saying so); zero
	// means 1 MiB.
	MaxResponseBytes int64
	// SignedInUser says that the API accepts the tokens of the server's
	// identity provider (GitHub's REST API with a GitHub sign-in, say):
	// every call carries the provider token of the user who made it, as
	// "Authorization: Bearer", given by [Client.UseSignedInUser]. Token
	// schemes (oauth2, openIdConnect, http bearer) then read nothing from
	// the environment; other schemes still do.
	SignedInUser bool
}

// Operation is one HTTP operation, served as one MCP tool.
type Operation struct {
	// Tool is the MCP tool's name.
	Tool string
	// Method is the HTTP method, upper case.
	Method string
	// Path is the path template, relative to the base URL ("/pets/{petId}").
	Path string
	// Params are the operation's parameters, in every location.
	Params []Param
	// Body is the request body, or nil when the operation takes none.
	Body *Body
	// Security lists the alternative security requirements: the operation
	// may be called when all the schemes of any one of them are satisfied.
	// Nil means no security; an empty inner list means anonymous access is
	// one of the alternatives.
	Security [][]string
	// WrapOutput is set when the success response is not a JSON object and
	// the tool's output schema wraps it as {"result": ...}.
	WrapOutput bool
	// OutputSchema is set when the tool declares an output schema: a 2xx
	// answer must then be JSON, which becomes its structured content
	// whatever media type the API gives it, and anything else is a tool
	// error.
	OutputSchema bool
	// Paging, when set, names the arguments that page the operation's
	// answers: a result then gives the next page's arguments.
	Paging *Paging
	// Budget, when set, reshapes and bounds the tool's results.
	Budget *Budget
}

// Param is one parameter of an operation.
type Param struct {
	// Name is the parameter's name in the request.
	Name string
	// Arg is the name of the tool argument that carries it; it differs from
	// Name when two locations share a name. Empty means Name.
	Arg string
	// In is "path", "query", "header" or "cookie".
	In string
	// Style is the serialisation style as OpenAPI defines it (simple,
	// label, matrix, form, spaceDelimited, pipeDelimited, deepObject), or
	// one of Swagger 2.0's collectionFormats that OpenAPI 3 has no style
	// for: tabDelimited (tsv) in the query, and spaceDelimited (ssv),
	// pipeDelimited (pipes) and tabDelimited in the path and headers.
	// Never empty: the generator fills in the default for In.
	Style string
	// Explode is as OpenAPI defines it, with the default filled in.
	Explode bool
	// AllowReserved leaves reserved characters of query values unescaped.
	AllowReserved bool
	// Required is set for required parameters (always for path ones).
	Required bool
	// JSON is set when the parameter's content is application/json
	// (OpenAPI "content" instead of "schema"): the value is sent as JSON.
	JSON bool
}

// Body is the request body of an operation.
type Body struct {
	// Arg is the name of the tool argument that carries the body ("body",
	// which is also what empty means).
	Arg string
	// ContentType is the media type sent: application/json (or a +json
	// type), application/x-www-form-urlencoded, multipart/form-data,
	// text/plain or application/octet-stream.
	ContentType string
	// Required is set when the body must be given.
	Required bool
	// Files are the multipart fields that carry files. Each is given as an
	// object {"name", "contentType", and either "base64" or "url"}, or an
	// array of them for several files in one field. A URL must be http or
	// https; it is fetched within the call's timeout and size limit, without
	// the API's credentials.
	Files []string
	// Encoding says how members of a form body are sent (OpenAPI's
	// Encoding Object), by member name. A member it does not name is sent
	// as the body's media type says by default: in an urlencoded body, as
	// a query parameter of style form, exploded; in a multipart body, a
	// part per array item, an object as JSON and anything else as text.
	Encoding []Encoding
}

// Encoding is how one member of a form body is sent.
type Encoding struct {
	// Name is the member's name.
	Name string
	// Style, Explode and AllowReserved serialize the member as a query
	// parameter of that style would be (form, spaceDelimited,
	// pipeDelimited, deepObject); in a multipart body, each name=value
	// pair is a part. Empty Style leaves the member to ContentType.
	Style         string
	Explode       bool
	AllowReserved bool
	// ContentType is the member's media type: that of its parts in a
	// multipart body (for a file, the one used when the call gives none),
	// and, when it is JSON, the member is sent as JSON text.
	ContentType string
}

// SecurityScheme is one way the API authenticates calls, with the
// environment variables that hold its credentials.
type SecurityScheme struct {
	// Name is the scheme's key in the document's securitySchemes.
	Name string
	// Type is "apiKey", "http", "oauth2" or "openIdConnect".
	Type string
	// In and ParamName place an apiKey: In is "header", "query" or "cookie".
	In, ParamName string
	// Scheme is the HTTP scheme, "bearer" or "basic", for Type "http".
	Scheme string
	// TokenURL and Scopes configure the oauth2 client credentials flow;
	// TokenURL is empty when the scheme has none.
	TokenURL string
	Scopes   []string
	// Env names the environment variables holding the credentials: one for
	// an apiKey or a bearer token; username then password for basic;
	// client ID then client secret for oauth2's client credentials flow.
	Env []string
	// AccessTokenEnv names the variable holding an access token obtained
	// elsewhere, for oauth2 (any flow) and openIdConnect; it is sent as
	// "Authorization: Bearer <token>" and, when set, wins over the client
	// credentials flow.
	AccessTokenEnv string
}
