package upstream

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// builder builds the request of one call.
type builder struct {
	c    *Client
	op   *Operation
	args map[string]any

	query   []string // name=value pairs, encoded
	cookies []string // name=value pairs, encoded
	header  http.Header
}

// request builds the request, with everything but credentials.
func (b *builder) request(ctx context.Context) (*http.Request, error) {
	b.header = make(http.Header)
	rawPath, err := b.path()
	if err != nil {
		return nil, err
	}
	for i := range b.op.Params {
		p := &b.op.Params[i]
		if p.In == "path" {
			continue // expanded with the path
		}
		v, ok, err := b.arg(p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		switch p.In {
		case "query":
			b.query, err = appendQuery(b.query, p, v)
		case "header":
			err = setHeader(b.header, p, v)
		case "cookie":
			b.cookies, err = appendCookie(b.cookies, p, v)
		default:
			err = fmt.Errorf("parameter %q is in %q, which is not a parameter location", p.Name, p.In)
		}
		if err != nil {
			return nil, err
		}
	}

	body, contentType, err := b.body(ctx)
	if err != nil {
		return nil, err
	}

	u := *b.c.base
	u.RawPath = b.c.base.EscapedPath() + rawPath
	if u.Path, err = url.PathUnescape(u.RawPath); err != nil {
		return nil, fmt.Errorf("the path of %s %s is not a valid URL path", b.op.Method, b.op.Path)
	}
	u.RawQuery = joinQuery(b.c.base.RawQuery, strings.Join(b.query, "&"))
	req, err := http.NewRequestWithContext(ctx, b.op.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("building the request for %s %s: %v", b.op.Method, b.op.Path, err)
	}
	req.Header = b.header
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", b.c.userAgent)
	if len(b.cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(b.cookies, "; "))
	}
	return req, nil
}

func joinQuery(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "&" + b
}

// argName is the name of the tool argument that carries p.
func argName(p *Param) string {
	if p.Arg != "" {
		return p.Arg
	}
	return p.Name
}

// arg returns the argument of p, normalized; ok is false when it is absent
// (or null) and not required.
func (b *builder) arg(p *Param) (v any, ok bool, err error) {
	name := argName(p)
	v, err = normalize(b.args[name])
	if err != nil {
		return nil, false, fmt.Errorf("argument %q: %v", name, err)
	}
	if v == nil {
		if p.Required {
			return nil, false, fmt.Errorf("missing required argument %q", name)
		}
		return nil, false, nil
	}
	return v, true, nil
}

// path expands the operation's path template, escaped.
func (b *builder) path() (string, error) {
	tmpl := b.op.Path
	var out strings.Builder
	if !strings.HasPrefix(tmpl, "/") {
		out.WriteByte('/')
	}
	for tmpl != "" {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			out.WriteString(escapeLiteral(tmpl))
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			return "", fmt.Errorf("the path template %q has an unclosed {", b.op.Path)
		}
		out.WriteString(escapeLiteral(tmpl[:open]))
		name := tmpl[open+1 : open+end]
		tmpl = tmpl[open+end+1:]

		p := b.pathParam(name)
		if p == nil {
			return "", fmt.Errorf("the path template %q names {%s}, which is not a path parameter", b.op.Path, name)
		}
		v, ok, err := b.arg(p)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fmt.Errorf("missing required argument %q", argName(p))
		}
		s, err := pathValue(p, v)
		if err != nil {
			return "", err
		}
		out.WriteString(s)
	}
	return guardDotSegments(out.String()), nil
}

func (b *builder) pathParam(name string) *Param {
	for i := range b.op.Params {
		if p := &b.op.Params[i]; p.In == "path" && p.Name == name {
			return p
		}
	}
	return nil
}

// guardDotSegments escapes path segments that are exactly "." or "..",
// which a value could otherwise use to climb out of the operation's path.
func guardDotSegments(path string) string {
	if !strings.Contains(path, "/.") {
		return path
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		switch s {
		case ".":
			segs[i] = "%2E"
		case "..":
			segs[i] = "%2E%2E"
		}
	}
	return strings.Join(segs, "/")
}

// body encodes the operation's request body, if any.
func (b *builder) body(ctx context.Context) (io.Reader, string, error) {
	body := b.op.Body
	if body == nil {
		return nil, "", nil
	}
	name := body.Arg
	if name == "" {
		name = "body"
	}
	v, err := normalize(b.args[name])
	if err != nil {
		return nil, "", fmt.Errorf("argument %q: %v", name, err)
	}
	if v == nil {
		if body.Required {
			return nil, "", fmt.Errorf("missing required argument %q", name)
		}
		return nil, "", nil
	}
	return b.c.encodeBody(ctx, body, name, v)
}
