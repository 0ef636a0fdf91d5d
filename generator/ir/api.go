package ir

import "time"

// API is the HTTP API that the tools of a project generated from an
// OpenAPI document call. Its fields mirror the runtime's upstream.API.
type API struct {
	// Spec is the document's path relative to the manifest, as written there.
	Spec string
	// Title is the document's title.
	Title string
	// BaseURL is the default base URL, from the document's servers; it may
	// be empty or relative, when BaseURLEnv must be set at run time.
	BaseURL string
	// BaseURLEnv names the environment variable that overrides BaseURL.
	BaseURLEnv string
	// Schemes are the security schemes the operations use.
	Schemes []Scheme
	// Timeout and MaxResponseBytes are zero for the runtime's defaults.
	Timeout          time.Duration
	MaxResponseBytes int64
	// SignedInUser calls the API with the signed-in user's provider token
	// (see upstream.API.SignedInUser).
	SignedInUser bool
	// Dynamic serves the operations through a few tools that search,
	// describe and call them, instead of one tool each.
	Dynamic bool
	// Defs are the shared schema definitions, referenced from tool schemas
	// as "#/$defs/<Name>".
	Defs []Def
	// Operations are every imported operation, in document order; each is
	// also the Op of a Tool.
	Operations []*Operation
	// Declined are the pointers of the document's entries that the
	// loader's typed decoder left to kin-openapi (loader.Document.Declined),
	// for generator.Result; no emitter reads them.
	Declined []string
}

// Def is one shared schema definition.
type Def struct {
	Name   string
	Schema []byte
}

// Scheme is one security scheme; see upstream.SecurityScheme.
type Scheme struct {
	Name, Type, In, ParamName, Scheme, TokenURL string
	Scopes, Env                                 []string
	// AccessTokenEnv names the variable of an access token obtained
	// elsewhere, for oauth2 and openIdConnect schemes.
	AccessTokenEnv string
	// Description is the scheme's description in the document.
	Description string
}

// Operation is one HTTP operation; see upstream.Operation.
type Operation struct {
	// ID is the operationId, or "METHOD /path".
	ID           string
	Method, Path string
	Tags         []string
	Params       []Param
	Body         *Body
	Security     [][]string
	WrapOutput   bool
	// Custom operations are served by a user-owned handler.
	Custom bool
	// Paging names the arguments that page the operation's answers; nil
	// when it does not page.
	Paging *Paging
	// Budget shapes the tool's results; nil when the manifest sets none.
	Budget *Budget
	// Var is the Go variable that holds the operation ("opListPets").
	Var string
	// Pointer locates the operation in the document ("#/paths/~1pets/get").
	Pointer string
}

// Paging is the arguments that page an operation's answers; see
// upstream.Paging.
type Paging struct {
	Page, Offset, Cursor, Size string
	FirstPage                  int
	// InResult is set when the output schema, if any, has room for the
	// next page's arguments as "_next".
	InResult bool
}

// Budget is how a tool shapes the API's answers; see upstream.Budget.
type Budget struct {
	// Select is a jq program, "" for none.
	Select   string
	MaxBytes int64
	// Pointer locates the response settings in the manifest: the
	// override's, or the openapi section's.
	Pointer string
}

// Param is one parameter; see upstream.Param.
type Param struct {
	Name, Arg, In, Style                   string
	Explode, AllowReserved, Required, JSON bool
}

// Body is a request body; see upstream.Body.
type Body struct {
	Arg, ContentType string
	Required         bool
	Files            []string
	Encoding         []Encoding
}

// Encoding is how one member of a form body is sent; see
// upstream.Encoding.
type Encoding struct {
	Name, Style, ContentType string
	Explode, AllowReserved   bool
}
