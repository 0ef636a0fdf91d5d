// Package pages is what the HTML pages of a server share: the landing page
// at / and the OAuth consent and error pages. Each page is one document
// with one small stylesheet and, where it has copy buttons, one small
// script, both inline and both allowed by their hashes in a strict
// Content-Security-Policy. A page loads nothing from anywhere else (bar a
// client's logo on the consent page, from that client's own origin), so it
// works offline and tells no third party who reads it.
package pages

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

var (
	//go:embed style.css
	style string
	//go:embed copy.js
	copyScript string

	styleHash  = hashSource(style)
	scriptHash = hashSource(copyScript)
)

// hashSource is the CSP source that allows an inline element whose text is
// s.
func hashSource(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Page is one page to write.
type Page struct {
	// Status is the HTTP status; zero means 200.
	Status int
	// Title is the document's title.
	Title string
	// Body is the page's content: HTML, escaped by the caller's
	// html/template.
	Body []byte
	// Copy adds the script that makes each button[data-copy] copy the text
	// of the element it names. The buttons start hidden, so that without
	// the script the page shows none that would do nothing.
	Copy bool
	// Images are the origins the page may show images from (a client's
	// logo); none when empty.
	Images []string
	// FormAction are the sources the page's forms may submit to, and be
	// redirected to after submitting ("'self'", an origin, "scheme:");
	// none when empty.
	FormAction []string
}

// Write writes p with the headers every page has: not to be cached,
// framed (which would allow clickjacking a button), sniffed or named in a
// Referer, and the Content-Security-Policy that allows exactly what p
// needs.
func Write(w http.ResponseWriter, p *Page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", Policy(p))
	status := p.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	var b strings.Builder
	b.Grow(len(style) + len(p.Body) + 1024)
	b.WriteString(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>`)
	b.WriteString(html.EscapeString(p.Title))
	b.WriteString("</title>\n<style>")
	b.WriteString(style)
	b.WriteString("</style>\n</head>\n<body>\n<main>\n")
	b.Write(p.Body)
	b.WriteString("</main>\n")
	if p.Copy {
		b.WriteString(`<p id="copy-status" class="sr-only" role="status"></p>` + "\n<script>")
		b.WriteString(copyScript)
		b.WriteString("</script>\n")
	}
	b.WriteString("</body>\n</html>\n")
	io.WriteString(w, b.String())
}

// Policy is the Content-Security-Policy of p: nothing but its own
// stylesheet and script, the images and form targets it names, and no
// framing.
func Policy(p *Page) string {
	var b strings.Builder
	b.WriteString("default-src 'none'; style-src ")
	b.WriteString(styleHash)
	if p.Copy {
		b.WriteString("; script-src ")
		b.WriteString(scriptHash)
	}
	if len(p.Images) > 0 {
		b.WriteString("; img-src ")
		b.WriteString(strings.Join(p.Images, " "))
	}
	b.WriteString("; form-action ")
	if len(p.FormAction) == 0 {
		b.WriteString("'none'")
	} else {
		b.WriteString(strings.Join(p.FormAction, " "))
	}
	b.WriteString("; base-uri 'none'; frame-ancestors 'none'")
	return b.String()
}

var (
	hostSource   = regexp.MustCompile(`^([a-z0-9-]+\.)*[a-z0-9-]+(:[0-9]{1,5})?$|^\[[0-9a-f:.]+\](:[0-9]{1,5})?$`)
	schemeSource = regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`)
)

// Source is the CSP source that allows what is at the URL raw: its origin
// for an http(s) URL, its scheme for another (a native app's redirect
// URI). It is empty when raw does not parse, or names its origin with
// characters a policy could not carry unharmed.
func Source(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	switch {
	case !schemeSource.MatchString(scheme):
		return ""
	case scheme != "http" && scheme != "https":
		return scheme + ":"
	case hostSource.MatchString(host):
		return scheme + "://" + host
	}
	return ""
}
