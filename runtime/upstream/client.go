package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Defaults for the fields of [API] left zero.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 1 << 20
)

// accept is the Accept header of every call: what [Response.Result] can
// turn into tool content, JSON first. Anything else is still accepted, at
// the lowest preference, so that an API with a single representation does
// not answer 406; Result describes such a response instead of showing it.
const accept = "application/json, text/*;q=0.9, image/*;q=0.8, audio/*;q=0.8, */*;q=0.1"

// A Client calls the operations of one API. It is safe for concurrent use.
type Client struct {
	api       *API
	base      *url.URL
	hc        *http.Client
	timeout   time.Duration
	maxBytes  int64
	userAgent string
	creds     *credentials
	// user gives the signed-in user's token when api.SignedInUser.
	user UserTokens
}

// New returns a client for api.
//
// The base URL is the value of the environment variable api.BaseURLEnv when
// it is set and not empty, and api.BaseURL otherwise; it must be an
// absolute http or https URL, or New fails with an error that names the
// variable to set. Credentials are read from the variables their schemes
// name, once, here; missing ones are not an error until an operation that
// needs them is called. lookupEnv is os.LookupEnv in a generated main; nil
// means no variable is set.
//
// hc may be nil, for a client with api.Timeout. Either way every call is
// bounded by api.Timeout (or hc.Timeout, if shorter), and redirects to another host drop the API key
// headers of api.Schemes (http.Client already drops Authorization and
// Cookie). Every request is traced and measured through OpenTelemetry's
// global providers, which do nothing until runtime/telemetry starts them.
func New(api *API, lookupEnv func(string) (string, bool), hc *http.Client) (*Client, error) {
	if api == nil {
		return nil, errors.New("upstream.New: nil API")
	}
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	c := &Client{
		api:       api,
		timeout:   api.Timeout,
		maxBytes:  api.MaxResponseBytes,
		userAgent: "mcpgen",
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxResponseBytes
	}
	if name := strings.Join(strings.FieldsFunc(api.Name, unicode.IsControl), " "); name != "" {
		c.userAgent = name + " (mcpgen)"
	}

	base, err := baseURL(api, lookupEnv)
	if err != nil {
		return nil, err
	}
	c.base = base

	if hc == nil {
		hc = &http.Client{Timeout: c.timeout}
	}
	// A shallow copy, so that the caller's client keeps its own policy.
	own := *hc
	own.CheckRedirect = dropKeysOnRedirect(apiKeyHeaders(api.Schemes), hc.CheckRedirect)
	own.Transport = instrument(hc.Transport)
	// Every call's context carries its deadline. Around a transport it
	// does not know, such as ours, http.Client.Timeout would start a
	// timer goroutine per request besides, so its timeout joins the
	// context's instead.
	if hc.Timeout > 0 && hc.Timeout < c.timeout {
		c.timeout = hc.Timeout
	}
	own.Timeout = 0
	c.hc = &own

	c.creds, err = readCredentials(api, base, lookupEnv)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// baseURL finds and checks the API's base URL.
func baseURL(api *API, lookupEnv func(string) (string, bool)) (*url.URL, error) {
	raw, from := api.BaseURL, "the API's default base URL"
	if api.BaseURLEnv != "" {
		if v, ok := lookupEnv(api.BaseURLEnv); ok && v != "" {
			raw, from = v, api.BaseURLEnv
		}
	}
	hint := ""
	if api.BaseURLEnv != "" {
		hint = fmt.Sprintf("; set %s to the API's URL, such as https://api.example.com", api.BaseURLEnv)
	}
	name := apiName(api)
	if raw == "" {
		return nil, fmt.Errorf("%s: no base URL%s", name, hint)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// The parse error quotes the URL, which may carry a password.
		return nil, fmt.Errorf("%s: %s is not a valid URL%s", name, from, hint)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: %s %q is not an absolute http or https URL%s", name, from, u.Redacted(), hint)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("%s: %s %q has a fragment%s", name, from, u.Redacted(), hint)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u, nil
}

// apiName names the API in messages.
func apiName(api *API) string {
	if api.Name != "" {
		return api.Name
	}
	return "the API"
}

// Do builds the request of op from args, sends it, and reads the response.
//
// args are the tool's arguments as decoded JSON (map[string]any, []any,
// string, float64, bool, nil); other Go values are accepted too and sent as
// their JSON encoding would be. Arguments that are absent or null are not
// sent. The response body is read up to the API's MaxResponseBytes; a
// longer one is cut, with Truncated set.
//
// A call none of whose security alternatives has its credentials set is
// sent without credentials; an answer of 401 or 403 then names the
// variables to set.
//
// Do returns an error when no response was read: an argument that cannot be
// sent, a failed connection, a timeout. The error says
// what to do about it and never carries a credential. A response of any
// status is not an error; see [Response.Result].
func (c *Client) Do(ctx context.Context, op *Operation, args map[string]any) (*Response, error) {
	if op == nil {
		return nil, errors.New("upstream: nil Operation")
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	b := &builder{c: c, op: op, args: args}
	req, err := b.request(ctx)
	if err != nil {
		return nil, c.scrub(err)
	}
	used, err := c.authorize(ctx, op, req)
	if err != nil {
		return nil, c.scrub(err)
	}
	// The user's token is a secret of this call alone.
	var userTok string
	scrub := func(err error) error {
		err = c.scrub(err)
		if clean := redactToken([]byte(err.Error()), userTok); string(clean) != err.Error() {
			return &callError{msg: string(clean), err: errors.Unwrap(err)}
		}
		return err
	}
	if c.api.SignedInUser {
		if userTok, err = c.userToken(ctx); err != nil {
			return nil, scrub(err)
		}
		req.Header.Set("Authorization", "Bearer "+userTok)
	}

	resp, err := c.hc.Do(apiRequest(req, op))
	if err != nil {
		return nil, scrub(c.transportError(ctx, op, err))
	}
	defer resp.Body.Close()
	r, err := c.read(op, resp)
	if err != nil {
		return nil, scrub(c.transportError(ctx, op, err))
	}
	if resp.StatusCode == http.StatusUnauthorized {
		used.rejected()
	}
	if userTok != "" {
		r.credentials = scopeNote(resp.StatusCode, resp.Header)
	} else if (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) && c.creds.anonymous(op) {
		r.credentials = c.creds.missing(op)
	}
	r.Body = redactToken(c.creds.redact(r.Body), userTok)
	r.args, r.timeout, r.limit = args, c.timeout, c.maxBytes
	return r, nil
}

// read reads the response, up to the size limit.
func (c *Client) read(op *Operation, resp *http.Response) (*Response, error) {
	r := &Response{
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Size:    resp.ContentLength,
		api:     apiName(c.api),
		op:      op,
		request: op.Method + " " + op.Path,
	}
	// Room for the declared length and one byte more, to see EOF without
	// growing; with no length declared, a small start that grows as read.
	size := min(c.maxBytes+1, 4<<10)
	if resp.ContentLength >= 0 {
		size = min(c.maxBytes, resp.ContentLength) + 1
	}
	buf := make([]byte, 0, size)
	body, err := readAll(io.LimitReader(resp.Body, c.maxBytes+1), buf)
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > c.maxBytes {
		body = body[:c.maxBytes]
		r.Truncated = true
	} else {
		r.Size = int64(len(body))
	}
	r.Body = body
	return r, nil
}

// readAll is io.ReadAll into buf.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// transportError explains why no response came back. It leaves out the
// request's URL, which may carry an API key in its query.
func (c *Client) transportError(ctx context.Context, op *Operation, err error) error {
	name := apiName(c.api)
	if ctxErr := ctx.Err(); errors.Is(ctxErr, context.DeadlineExceeded) || isTimeout(err) {
		return &callError{
			msg: fmt.Sprintf("%s did not answer %s %s within %s; try again, or ask for less", name, op.Method, op.Path, c.timeout),
			err: context.DeadlineExceeded,
		}
	}
	if errors.Is(err, context.Canceled) {
		return &callError{msg: fmt.Sprintf("the call to %s %s was cancelled", op.Method, op.Path), err: context.Canceled}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &callError{msg: fmt.Sprintf("calling %s (%s %s) failed: %v", name, op.Method, op.Path, err), err: err}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// callError is an error whose message has been checked for credentials;
// Unwrap still gives the cause.
type callError struct {
	msg string
	err error
}

func (e *callError) Error() string { return e.msg }
func (e *callError) Unwrap() error { return e.err }

// scrub returns err with every credential value in its message replaced.
func (c *Client) scrub(err error) error {
	msg := err.Error()
	clean := string(c.creds.redact([]byte(msg)))
	if clean == msg {
		return err
	}
	return &callError{msg: clean, err: errors.Unwrap(err)}
}

// Call is [Client.Do] followed by [Response.Result]: it makes the call and
// returns the tool result. Everything that goes wrong, from a missing
// argument to a timeout, is a result with IsError set and a
// message saying what happened. The error is non-nil only when ctx itself
// was cancelled, when no one is waiting for a result.
func (c *Client) Call(ctx context.Context, op *Operation, args map[string]any) (*mcp.CallToolResult, error) {
	resp, err := c.Do(ctx, op, args)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, ctx.Err()
		}
		return errorResult(err.Error()), nil
	}
	return resp.result(ctx), nil
}

// AddTool adds op to s as the tool t, served by c.
//
// t.InputSchema (and OutputSchema, if any) are the tool's JSON Schemas,
// usually json.RawMessage. The arguments of every call are validated
// against the input schema, and its defaults filled in, before c sees them,
// exactly as [mcp.AddTool] does it; like mcp.AddTool, AddTool panics when
// the input schema cannot be resolved. The upstream's answer is not
// validated against the output schema: an API that strays from its own
// document still gets its answer through, rather than a protocol error.
// The output schema is therefore only shown to clients, never resolved,
// which is most of what mcp.AddTool would spend on a large API at start.
func AddTool(s *mcp.Server, t *mcp.Tool, c *Client, op *Operation) {
	in, err := resolveInput(t.InputSchema)
	if err != nil {
		panic(fmt.Sprintf("AddTool: tool %q: input schema: %v", t.Name, err))
	}
	s.AddTool(t, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var raw json.RawMessage
		if req.Params != nil {
			raw = req.Params.Arguments
		}
		args, err := validArgs(raw, in)
		if err != nil {
			return toolError(fmt.Errorf("validating \"arguments\": %v", err)), nil
		}
		res, err := c.Call(withRequest(ctx, req), op, args)
		if err != nil {
			return toolError(err), nil
		}
		if res == nil {
			res = &mcp.CallToolResult{}
		}
		return res, nil
	})
}

// errorResult is a tool error with msg as its text.
func errorResult(msg string) *mcp.CallToolResult {
	return &mcp.CallToolResult{
		Content: []mcp.Content{&mcp.TextContent{Text: msg}},
		IsError: true,
	}
}

// dropKeysOnRedirect returns a CheckRedirect function that removes the
// API key headers from a redirect to another host, then applies next (or
// the standard limit of 10 redirects when next is nil).
func dropKeysOnRedirect(headers []string, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if first := via[0].URL; req.URL.Host != first.Host || req.URL.Scheme != first.Scheme {
			for _, h := range headers {
				req.Header.Del(h)
			}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}
