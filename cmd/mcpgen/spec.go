package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/write"
)

// dirReader reads the files a manifest refers to, relative to its
// directory.
func dirReader(dir string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	}
}

// specFiles is an OpenAPI document that mcpgen new imports. The files the
// import reads are copied into the new project, which then imports them
// from there.
type specFiles struct {
	dir  string // the document's directory
	name string // the document's file name
	// source is the URL the document was fetched from, if it was.
	source string
	read   map[string][]byte
}

func openSpec(from string) (*specFiles, error) {
	if isURL(from) {
		name, data, err := fetchSpec(context.Background(), from, maxSpecBytes)
		if err != nil {
			return nil, ioError("--from: %v", err)
		}
		return &specFiles{name: name, source: from, read: map[string][]byte{name: data}}, nil
	}
	info, err := os.Stat(from)
	switch {
	case err != nil:
		return nil, ioError("--from: %v", err)
	case info.IsDir():
		return nil, ioError("--from: %s is a directory; give the OpenAPI document's file", from)
	}
	return &specFiles{dir: filepath.Dir(from), name: filepath.Base(from), read: make(map[string][]byte)}, nil
}

// reader reads a file of the document, by a path relative to the document's
// directory. Files outside that directory are refused: the project could
// not carry them.
func (s *specFiles) reader(name string) ([]byte, error) {
	clean := path.Clean(name)
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return nil, fmt.Errorf("%s is outside the directory of %s, so it cannot be copied into the project; move it next to the document", name, s.name)
	}
	if data, ok := s.read[clean]; ok {
		return data, nil
	}
	if s.source != "" {
		return nil, fmt.Errorf("%s is a file the document at %s refers to, and mcpgen fetches only the document itself; download the files next to it and use --from FILE", name, s.source)
	}
	data, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(clean)))
	if err != nil {
		return nil, err
	}
	s.read[clean] = data
	return data, nil
}

var operationID = regexp.MustCompile(`"?operationId"?\s*:\s*["']?([A-Za-z0-9_.\-/]+)`)

// firstOperation is an operationId of the document, for the examples in the
// new manifest; a placeholder when it has none.
func (s *specFiles) firstOperation() string {
	data, err := s.reader(s.name)
	if err == nil {
		if m := operationID.FindSubmatch(data); m != nil {
			return string(m[1])
		}
	}
	return "GET /path"
}

// maxSpecBytes bounds a document fetched from a URL: GitHub's REST API
// description, among the largest, is a fifth of it.
const maxSpecBytes = 64 << 20

// fetchTimeout bounds the whole download of a document.
const fetchTimeout = 2 * time.Minute

// isURL reports whether --from or openapi.source names an http(s) URL
// rather than a file.
func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// fetchSpec downloads the OpenAPI document at rawURL, of at most max
// bytes, and names the file it is kept in: the URL's last path segment
// when it says JSON or YAML, otherwise openapi.json or openapi.yaml by the
// document's first character.
func fetchSpec(ctx context.Context, rawURL string, max int64) (name string, data []byte, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", nil, fmt.Errorf("%q is not an http(s) URL", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Accept", "application/json, application/yaml, application/x-yaml, text/yaml;q=0.9, */*;q=0.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("fetching %s: %s", rawURL, resp.Status)
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return "", nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	if int64(len(data)) > max {
		return "", nil, fmt.Errorf("fetching %s: the document is larger than %d MiB", rawURL, max>>20)
	}
	name = path.Base(u.Path)
	switch strings.ToLower(path.Ext(name)) {
	case ".json", ".yaml", ".yml":
	default:
		name = "openapi.yaml"
		if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf"), []byte("{")) {
			name = "openapi.json"
		}
	}
	return name, data, nil
}

// refetchSpec downloads the document openapi.source names again into
// openapi.spec, replacing the file whole.
func refetchSpec(ctx context.Context, dir, source, spec string) (int, error) {
	_, data, err := fetchSpec(ctx, source, maxSpecBytes)
	if err != nil {
		return 0, err
	}
	target := filepath.Join(dir, filepath.FromSlash(spec))
	return len(data), write.WriteFileAtomic(target, data, 0o644)
}

// fetchManifestSpec downloads the document that the manifest's
// openapi.source names into openapi.spec, for generate --fetch, and returns
// the manifest unchanged. A manifest without a source is a usage error: a
// plain generate never touches the network.
func fetchManifestSpec(c *cli.Context, dir string, manifestData []byte) ([]byte, error) {
	f, diags := manifest.Load(manifestName, manifestData)
	if diags.HasErrors() || f.Manifest == nil {
		return nil, report(c, diags)
	}
	o := f.Manifest.OpenAPI
	if o == nil || o.Source == "" || o.Spec == "" {
		return nil, usageError(c, "--fetch downloads openapi.source into openapi.spec, and %s sets no source", manifestName)
	}
	if !isURL(o.Source) {
		return nil, usageError(c, "openapi.source %q is not an http(s) URL", o.Source)
	}
	n, err := refetchSpec(c.Context, dir, o.Source, o.Spec)
	if err != nil {
		return nil, ioError("--fetch: %v", err)
	}
	fmt.Fprintf(c.App.Writer, "fetched   %s (%d bytes from %s)\n", o.Spec, n, o.Source)
	return manifestData, nil
}
