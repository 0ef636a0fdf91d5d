package upstream

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"slices"
	"strings"
)

// encodeBody encodes v, the body argument called name, as body says:
//
//   - JSON (application/json and +json types): v's JSON.
//   - application/x-www-form-urlencoded: v is an object, each member sent
//     as body.Encoding says, by default as a query parameter of style form,
//     exploded: an array member repeats its field, an object member's
//     members are fields of their own, and deeper arrays and objects are
//     JSON text.
//   - multipart/form-data: v is an object, a member per part (see [Body]
//     and [Encoding]); the members named in body.Files are files.
//   - text types (text/*, XML): v as text, a string as it is and anything
//     else as its JSON.
//   - anything else, application/octet-stream included: v is the content
//     in base64.
func (c *Client) encodeBody(ctx context.Context, body *Body, name string, v any) (io.Reader, string, error) {
	ct := body.ContentType
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, "", fmt.Errorf("the operation's content type %q is not a media type", ct)
	}
	switch {
	case isJSON(mt):
		s, err := jsonText(v)
		if err != nil {
			return nil, "", fmt.Errorf("argument %q: %v", name, err)
		}
		return strings.NewReader(s), ct, nil

	case mt == "application/x-www-form-urlencoded":
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "", fmt.Errorf("argument %q must be an object, to be sent as a form", name)
		}
		s, err := formBody(body, m)
		if err != nil {
			return nil, "", fmt.Errorf("argument %q: %v", name, err)
		}
		return strings.NewReader(s), ct, nil

	case mt == "multipart/form-data":
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "", fmt.Errorf("argument %q must be an object, to be sent as multipart/form-data", name)
		}
		return c.multipartBody(ctx, body, name, m)

	case isText(mt):
		s, ok := v.(string)
		if !ok {
			if s, err = jsonText(v); err != nil {
				return nil, "", fmt.Errorf("argument %q: %v", name, err)
			}
		}
		return strings.NewReader(s), ct, nil

	default:
		s, ok := v.(string)
		if !ok {
			return nil, "", fmt.Errorf("argument %q must be a string: the content, in base64", name)
		}
		data, err := decodeBase64(s)
		if err != nil {
			return nil, "", fmt.Errorf("argument %q is not valid base64: %v", name, err)
		}
		return bytes.NewReader(data), ct, nil
	}
}

// encoding is how body sends the member called name, or nil for the
// default.
func encoding(body *Body, name string) *Encoding {
	for i := range body.Encoding {
		if body.Encoding[i].Name == name {
			return &body.Encoding[i]
		}
	}
	return nil
}

// isJSONType reports whether a media type, parameters and all, is JSON.
func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && isJSON(mt)
}

// formEscape encodes a form's names and values as HTML forms do, and as
// url.Values does: a space is "+".
func formEscape(s string) string { return url.QueryEscape(s) }

// formEscapeReserved is escapeReserved with the spaces of formEscape.
func formEscapeReserved(s string) string {
	return strings.ReplaceAll(escapeReserved(s), "%20", "+")
}

// formBody encodes an application/x-www-form-urlencoded body, members in
// the order of their names.
func formBody(body *Body, m map[string]any) (string, error) {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	for _, k := range sortedKeys(m) {
		v := m[k]
		if v == nil {
			continue
		}
		style, explode, enc := "form", true, formEscape
		if e := encoding(body, k); e != nil {
			if e.Style == "" && isJSONType(e.ContentType) {
				s, err := jsonText(v)
				if err != nil {
					return "", err
				}
				add(formEscape(k), formEscape(s))
				continue
			}
			if e.Style != "" {
				style, explode = e.Style, e.Explode
			}
			if e.AllowReserved {
				enc = formEscapeReserved
			}
		}
		pairs, err := styled(k, style, explode, v, formEscape, enc)
		if err != nil {
			return "", fmt.Errorf("member %q: %v", k, err)
		}
		for _, kv := range pairs {
			add(kv[0], kv[1])
		}
	}
	return b.String(), nil
}

// multipartBody encodes a multipart/form-data body, fields in the order of
// their names.
func (c *Client) multipartBody(ctx context.Context, body *Body, name string, m map[string]any) (io.Reader, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	same := func(s string) string { return s }
	for _, field := range sortedKeys(m) {
		v := m[field]
		e := encoding(body, field)
		if slices.Contains(body.Files, field) {
			files, ok := v.([]any)
			if !ok {
				files = []any{v}
			}
			var ct string
			if e != nil && !strings.ContainsAny(e.ContentType, ",*") {
				ct = e.ContentType
			}
			for _, f := range files {
				if f == nil {
					continue
				}
				if err := c.writeFile(ctx, w, name+"."+field, field, ct, f); err != nil {
					return nil, "", err
				}
			}
			continue
		}
		if v == nil {
			continue
		}
		var err error
		switch {
		case e != nil && e.Style != "":
			var pairs [][2]string
			if pairs, err = styled(field, e.Style, e.Explode, v, same, same); err != nil {
				return nil, "", fmt.Errorf("argument %q: member %q: %v", name, field, err)
			}
			for _, kv := range pairs {
				if err = writePart(w, kv[0], "", "", []byte(kv[1])); err != nil {
					break
				}
			}
		case e != nil && isJSONType(e.ContentType):
			var s string
			if s, err = jsonText(v); err == nil {
				err = writePart(w, field, "", e.ContentType, []byte(s))
			}
		default:
			list, ok := v.([]any)
			if !ok {
				list = []any{v}
			}
			for _, it := range list {
				if err = writeMember(w, field, e, it); err != nil {
					break
				}
			}
		}
		if err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return &buf, w.FormDataContentType(), nil
}

// writeMember writes one value of a multipart member that is not a file:
// an object or array as JSON, anything else as text, each with the
// member's own content type when its encoding gives one.
func writeMember(w *multipart.Writer, field string, e *Encoding, v any) error {
	var ct, s string
	var err error
	switch v.(type) {
	case nil:
		return nil
	case map[string]any, []any:
		ct = "application/json"
		if s, err = jsonText(v); err != nil {
			return err
		}
	default:
		s, _ = itemText(v)
	}
	if e != nil && e.ContentType != "" {
		ct = e.ContentType
	}
	return writePart(w, field, "", ct, []byte(s))
}

// writeFile writes one file part, given as {"name", "contentType",
// "base64"} or {"url"} (with "name" and "contentType" optional).
// A content type the call leaves out is defaultType, when not empty.
func (c *Client) writeFile(ctx context.Context, w *multipart.Writer, arg, field, defaultType string, v any) error {
	f, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf(`argument %q must be a file: an object {"name", "contentType", "base64"} or {"url"}`, arg)
	}
	str := func(key string) (string, error) {
		switch s := f[key].(type) {
		case nil:
			return "", nil
		case string:
			return s, nil
		}
		return "", fmt.Errorf("argument %q: %q must be a string", arg, key)
	}
	filename, err := str("name")
	if err != nil {
		return err
	}
	ct, err := str("contentType")
	if err != nil {
		return err
	}
	b64, err := str("base64")
	if err != nil {
		return err
	}
	link, err := str("url")
	if err != nil {
		return err
	}

	var data []byte
	switch {
	case b64 != "" && link != "":
		return fmt.Errorf(`argument %q has both "base64" and "url"; give one`, arg)
	case link != "":
		var fetchedType string
		data, fetchedType, err = c.fetch(ctx, arg, link)
		if err != nil {
			return err
		}
		if ct == "" {
			ct = fetchedType
		}
		if filename == "" {
			if u, err := url.Parse(link); err == nil {
				filename = path.Base(u.Path)
			}
		}
	case f["base64"] != nil:
		if data, err = decodeBase64(b64); err != nil {
			return fmt.Errorf("argument %q: \"base64\" is not valid base64: %v", arg, err)
		}
	default:
		return fmt.Errorf(`argument %q must have "base64" (the content) or "url" (where to get it)`, arg)
	}
	if filename == "" || filename == "/" || filename == "." {
		filename = field
	}
	if ct == "" {
		ct = defaultType
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	return writePart(w, field, filename, ct, data)
}

// writePart writes one part, with its own content type when ct is not
// empty. Its Content-Disposition is written as mime/multipart's own
// helpers write it, name first and every value quoted: some servers read
// no other form.
func writePart(w *multipart.Writer, field, filename, ct string, data []byte) error {
	h := make(textproto.MIMEHeader)
	if filename != "" {
		h.Set("Content-Disposition", multipart.FileContentDisposition(field, filename))
	} else {
		h.Set("Content-Disposition", `form-data; name="`+quoteEscaper.Replace(field)+`"`)
	}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	pw, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	_, err = pw.Write(data)
	return err
}

// quoteEscaper escapes a quoted parameter value as mime/multipart does.
var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "%0D", "\n", "%0A")

// fetch gets a file to upload from a URL, with the call's deadline and the
// API's size limit, and without the API's credentials.
func (c *Client) fetch(ctx context.Context, arg, link string) (data []byte, contentType string, err error) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("argument %q: \"url\" must be an absolute http or https URL", arg)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", fmt.Errorf("argument %q: %v", arg, err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, "", fmt.Errorf("argument %q: fetching %s failed: %v", arg, u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", fmt.Errorf("argument %q: fetching %s failed: %s", arg, u.Redacted(), statusText(resp.StatusCode))
	}
	if resp.ContentLength > c.maxBytes {
		return nil, "", fmt.Errorf("argument %q: the file at %s is %s, more than the %s allowed", arg, u.Redacted(), sizeText(resp.ContentLength), sizeText(c.maxBytes))
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("argument %q: fetching %s failed: %v", arg, u.Redacted(), err)
	}
	if int64(len(data)) > c.maxBytes {
		return nil, "", fmt.Errorf("argument %q: the file at %s is more than the %s allowed", arg, u.Redacted(), sizeText(c.maxBytes))
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		contentType = mt
	}
	return data, contentType, nil
}

// decodeBase64 accepts standard and URL-safe base64, padded or not, and
// ignores line breaks.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if !strings.HasSuffix(s, "=") && len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	return enc.DecodeString(s)
}
