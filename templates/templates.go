// Package templates holds the text of everything mcpgen writes that is not
// generated Go code: the project files (README, Makefile, Dockerfile, …)
// and the built-in project templates that `mcpgen new --template` starts
// from.
//
// The templates hold no logic beyond substitution and simple conditions on
// facts computed by the generator; they run with missingkey=error.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"
)

//go:embed project shared authless stateful-counter openapi github-oauth google-oauth oidc
var files embed.FS

// Info describes a built-in project template.
type Info struct {
	Name        string
	Description string
	// Settings, if set, are the environment variables a new project of the
	// template needs before it can serve, for the hint after mcpgen new.
	Settings string
	// shared are the directories under shared/ whose files the template
	// has besides its own (<name>/files), which win over them.
	shared []string
}

// builtin lists the templates in the order `mcpgen templates` prints them.
var builtin = []Info{
	{Name: "authless", Description: "An MCP server without authentication, with two working tools: add and calculate (like Cloudflare's remote-mcp-authless).",
		shared: []string{"calc"}},
	{Name: "stateful-counter", Description: "An MCP server without authentication whose tools keep state: named counters and their total, kept in the server's store (a local file, or Redis shared by every replica), like the counter of Cloudflare's McpAgent."},
	{Name: "github-oauth", Description: "An OAuth-protected MCP server whose users sign in with GitHub: userInfo calls GitHub as the user, and serverStatus is shown only to the logins in ALLOWED_USERS (like Cloudflare's remote-mcp-github-oauth).",
		Settings: "GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET", shared: []string{"calc", "oauth"}},
	{Name: "google-oauth", Description: "An OAuth-protected MCP server whose users sign in with Google, with a tool shown only to the addresses in ALLOWED_USERS.",
		Settings: "GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET", shared: []string{"calc", "oauth", "oidc"}},
	{Name: "oidc", Description: "An OAuth-protected MCP server whose users sign in with any OpenID Connect provider (found through discovery from OIDC_ISSUER).",
		Settings: "OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET", shared: []string{"calc", "oauth", "oidc"}},
	{Name: "openapi", Description: "Tools imported from an OpenAPI document, each calling the API: mcpgen new NAME --from SPEC."},
}

// List returns the built-in templates.
func List() []Info { return slices.Clone(builtin) }

// Lookup reports whether name is a built-in template.
func Lookup(name string) (Info, bool) {
	i := slices.IndexFunc(builtin, func(t Info) bool { return t.Name == name })
	if i < 0 {
		return Info{}, false
	}
	return builtin[i], true
}

// Names returns the names of the built-in templates.
func Names() []string {
	var names []string
	for _, t := range builtin {
		names = append(names, t.Name)
	}
	return names
}

// ManifestData is what a template's mcpgen.yaml sees.
type ManifestData struct {
	// Name is the server's name.
	Name string
	// Spec, Mode and FirstOperation are for the openapi template: the
	// document's path relative to the manifest, static or dynamic, and an
	// operation to show in examples.
	Spec, Mode, FirstOperation string
	// Source is the URL the document was fetched from, if it was.
	Source string
	// Strict is set by new --strict: the manifest keeps the choice, so
	// that a later generate stops at any defect too.
	Strict bool
	// Auth is the identity provider (github, google, oidc) of an OpenAPI
	// project whose users sign in and call the API as themselves: new
	// --from with an OAuth template.
	Auth, AuthTitle string
}

// Manifest renders the mcpgen.yaml a template starts from.
func Manifest(name string, data ManifestData) ([]byte, error) {
	return Execute(name+"/mcpgen.yaml.tmpl", data)
}

// TemplateFiles returns the extra files of a template (handler files with
// working code, tests), rendered, keyed by their path in the project: those
// of the shared directories it names, then its own (<name>/files).
func TemplateFiles(name string, data any) (map[string][]byte, error) {
	out := make(map[string][]byte)
	info, _ := Lookup(name)
	var roots []string
	for _, dir := range info.shared {
		roots = append(roots, "shared/"+dir)
	}
	for _, root := range append(roots, name+"/files") {
		if _, err := fs.Stat(files, root); errors.Is(err, fs.ErrNotExist) {
			continue // a template without files of its own
		}
		err := fs.WalkDir(files, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			content, err := Execute(p, data)
			if err != nil {
				return err
			}
			out[strings.TrimSuffix(strings.TrimPrefix(p, root+"/"), ".tmpl")] = content
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ProjectFiles returns the names of the project file templates, their
// paths under project/ without the ".tmpl" suffix ("Makefile",
// "deploy/kubernetes/deployment.yaml"); ProjectFile says which file each
// becomes ("dockerignore" → ".dockerignore").
func ProjectFiles() []string {
	var names []string
	fs.WalkDir(files, "project", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if n, ok := strings.CutSuffix(strings.TrimPrefix(p, "project/"), ".tmpl"); ok {
				names = append(names, n)
			}
		}
		return err
	})
	return names
}

// ProjectFile renders the project file template name (as ProjectFiles
// returns it) and says which path it goes to. A template that renders to
// nothing but white space is of a file the project does not need (the
// Kubernetes manifests of a server that serves only stdio): its content is
// nil.
func ProjectFile(name string, data any) (target string, content []byte, err error) {
	content, err = Execute("project/"+name+".tmpl", data)
	if err != nil {
		return "", nil, err
	}
	if len(bytes.TrimSpace(content)) == 0 {
		content = nil
	}
	target = name
	switch name {
	case "dockerignore", "gitignore", "env.example":
		target = "." + name
	}
	return target, content, nil
}

// Raw returns the file at p as it is.
func Raw(p string) ([]byte, error) { return files.ReadFile(p) }

// Execute renders the template file at p with data.
func Execute(p string, data any) ([]byte, error) {
	src, err := files.ReadFile(p)
	if err != nil {
		return nil, err
	}
	t, err := template.New(path.Base(p)).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", p, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", p, err)
	}
	return buf.Bytes(), nil
}
