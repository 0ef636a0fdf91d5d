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
//   - application/x-www-form-urlencoded: v is an object, sent a member per
//     field; an array member repeats its field, and nested arrays and
//     objects are sent as JSON text.
//   - multipart/form-data: v is an object, a member per part, as above
//     except that an object is a part of type application/json, and the
//     members named in body.Files are files (see [Body]).
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
		form := url.Values{}
		for k, fv := range m {
			for _, s := range formValues(fv) {
				form.Add(k, s)
			}
		}
		return strings.NewReader(form.Encode()), ct, nil

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

// formValues are the values of one form field: one per item of an array,
// each primitive as text and each array or object as JSON; none for null.
func formValues(v any) []string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []string
	for _, it := range list {
		if it == nil {
			continue
		}
		// itemText fails only for values that did not come from JSON,
		// and normalize made sure they all did.
		s, _ := itemText(it)
		out = append(out, s)
	}
	return out
}

// multipartBody encodes a multipart/form-data body, fields in the order of
// their names.
func (c *Client) multipartBody(ctx context.Context, body *Body, name string, m map[string]any) (io.Reader, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, field := range sortedKeys(m) {
		v := m[field]
		if slices.Contains(body.Files, field) {
			files, ok := v.([]any)
			if !ok {
				files = []any{v}
			}
			for _, f := range files {
				if f == nil {
					continue
				}
				if err := c.writeFile(ctx, w, name+"."+field, field, f); err != nil {
					return nil, "", err
				}
			}
			continue
		}
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		for _, it := range list {
			var err error
			switch it := it.(type) {
			case nil:
			case map[string]any, []any:
				var s string
				if s, err = jsonText(it); err == nil {
					err = writePart(w, field, "", "application/json", []byte(s))
				}
			default:
				s, _ := itemText(it)
				err = w.WriteField(field, s)
			}
			if err != nil {
				return nil, "", err
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return &buf, w.FormDataContentType(), nil
}

// writeFile writes one file part, given as {"name", "contentType",
// "base64"} or {"url"} (with "name" and "contentType" optional).
func (c *Client) writeFile(ctx context.Context, w *multipart.Writer, arg, field string, v any) error {
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
		ct = "application/octet-stream"
	}
	return writePart(w, field, filename, ct, data)
}

// writePart writes one part with its own content type.
func writePart(w *multipart.Writer, field, filename, contentType string, data []byte) error {
	h := make(textproto.MIMEHeader)
	disp := map[string]string{"name": field}
	if filename != "" {
		disp["filename"] = filename
	}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", disp))
	h.Set("Content-Type", contentType)
	pw, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	_, err = pw.Write(data)
	return err
}

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
