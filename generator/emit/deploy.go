package emit

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/mcpgen/mcpgen/generator/ir"
)

// deployData is what the deploy files (Dockerfile, compose.yaml,
// deploy/kubernetes, fly.toml, deploy/cloudrun, server.json) say.
type deployData struct {
	// AppName names the server where a DNS label is needed: Kubernetes
	// objects, the Fly app, the Cloud Run service.
	AppName string
	// Version tags the image.
	Version string
	// RegistryName is the server's name in the MCP Registry, Image its
	// container image without a tag, and Owner the GitHub owner both
	// name. OwnerPlaceholder is set when Owner is registryOwner, to edit.
	RegistryName, Image, Owner string
	OwnerPlaceholder           bool
	// Secrets are the secret settings, Env the others that deploy files
	// set, Other the others, left unset and listed in comments. FlyEnv is
	// Env on Fly, where BASE_URL is known: https://APP.fly.dev.
	Secrets, Env, Other, FlyEnv []deploySetting
	// NeededSecrets lists the Secrets that must be set: "A, B".
	NeededSecrets string
	// RunSecrets are the secrets the Cloud Run service reads from Secret
	// Manager, which must exist: the needed ones, and STORE_URL, as Cloud
	// Run keeps no file. RunOptional are the other secrets.
	RunSecrets, RunOptional []deploySetting
	// FlyVolume names the Fly volume of the store.
	FlyVolume string
	// Store is set when the server opens a store: unless STORE_URL names a
	// shared one, its file is StorePath, in DataDir, on a volume, and one
	// replica runs.
	Store              bool
	DataDir, StorePath string
	// Port and MetricsPort are the listeners; DrainDelay and
	// ShutdownTimeout durations; GracePeriod, in seconds, exceeds both
	// together.
	Port, MetricsPort           int
	DrainDelay, ShutdownTimeout string
	GracePeriod                 int
	// ServerJSON is the whole of server.json.
	ServerJSON string
}

// deploySetting is a setting as the deploy files write it.
type deploySetting struct {
	// Description is lowercase, as --help prints it; Sentence is the same
	// as a comment's sentence.
	Name, Description, Sentence string
	// Needed settings must be set for a deployment: Required or Deploy.
	Needed bool
	// Value is what a non-secret setting is set to, and Quoted the same as
	// a double-quoted string that YAML and TOML both read; Edit marks a
	// placeholder the user must replace.
	Value, Quoted string
	Edit          bool
	// MakeWith is a command that makes a good value.
	MakeWith string
	// SecretID names the secret in Secret Manager, where every server of a
	// Google Cloud project shares one namespace: "app-github-client-secret".
	SecretID string
}

func deployFacts(p *ir.Project, opts *Options) (*deployData, error) {
	d := &deployData{
		AppName:         dnsLabel(opts.Binary),
		Version:         p.Version,
		Owner:           registryOwner,
		Store:           p.HasState() || p.Auth != nil,
		DataDir:         dataDir,
		StorePath:       dataDir + "/oauth.db",
		Port:            deployPort,
		MetricsPort:     metricsPort,
		DrainDelay:      strconv.Itoa(drainSeconds) + "s",
		ShutdownTimeout: strconv.Itoa(shutdownSeconds) + "s",
		GracePeriod:     drainSeconds + shutdownSeconds + 10,
	}
	if d.Version == "" {
		d.Version = "0.1.0"
	}
	// A module on GitHub names the owner; otherwise a placeholder does.
	if rest, ok := strings.CutPrefix(opts.Module, "github.com/"); ok {
		if owner, _, ok := strings.Cut(rest, "/"); ok && owner != "" {
			d.Owner = owner
		}
	}
	d.OwnerPlaceholder = d.Owner == registryOwner
	d.RegistryName = "io.github." + d.Owner + "/" + opts.Binary
	d.Image = "ghcr.io/" + strings.ToLower(d.Owner) + "/" + d.AppName // OCI names are lowercase

	settings := projectSettings(p)
	var needed []string
	for _, s := range settings {
		ds := deploySetting{Name: s.Name, Description: s.Description, Sentence: sentence(s.Description),
			Needed: s.Required || s.Deploy, MakeWith: s.MakeWith}
		switch {
		case s.Secret:
			ds.SecretID = d.AppName + "-" + strings.ToLower(strings.ReplaceAll(s.Name, "_", "-"))
			d.Secrets = append(d.Secrets, ds)
			if ds.Needed {
				needed = append(needed, ds.Name)
			}
			if ds.Needed || s.Name == "STORE_URL" {
				run := ds
				run.Needed = true
				d.RunSecrets = append(d.RunSecrets, run)
			} else {
				d.RunOptional = append(d.RunOptional, ds)
			}
		case ds.Needed:
			ds.Value = s.Default
			if ds.Value == "" {
				ds.Value, ds.Edit = s.Example, true
			}
			ds.Quoted = quoteString(ds.Value)
			d.Env = append(d.Env, ds)
		default:
			d.Other = append(d.Other, ds)
		}
	}
	d.NeededSecrets = strings.Join(needed, ", ")
	for _, e := range d.Env {
		if e.Name == "BASE_URL" {
			e.Value, e.Edit = "https://"+d.AppName+".fly.dev", false
			e.Quoted = quoteString(e.Value)
		}
		d.FlyEnv = append(d.FlyEnv, e)
	}
	// Fly volume names: lowercase letters, digits and underscores, at most 30.
	d.FlyVolume = strings.ReplaceAll(d.AppName, "-", "_")
	d.FlyVolume = d.FlyVolume[:min(len(d.FlyVolume), 30-len("_data"))] + "_data"

	js, err := serverJSON(p, opts, d, settings)
	if err != nil {
		return nil, err
	}
	d.ServerJSON = js
	return d, nil
}

// dnsLabel makes name a DNS label (RFC 1123): lowercase letters, digits
// and hyphens, at most 63, starting with a letter (as Fly app names must)
// and ending with a letter or digit.
func dnsLabel(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, name)
	s = strings.Trim(s, "-")
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "mcp-" + s
	}
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.TrimRight(s, "-")
}

// The parts of server.json that mcpgen writes, in the MCP Registry's
// format (serverSchema).
type (
	registryServer struct {
		Schema      string              `json:"$schema"`
		Name        string              `json:"name"`
		Title       string              `json:"title,omitempty"`
		Description string              `json:"description"`
		Version     string              `json:"version"`
		Repository  *registryRepo       `json:"repository,omitempty"`
		Packages    []registryPackage   `json:"packages,omitempty"`
		Remotes     []registryTransport `json:"remotes,omitempty"`
	}
	registryRepo struct {
		URL    string `json:"url"`
		Source string `json:"source"`
	}
	registryPackage struct {
		RegistryType         string             `json:"registryType"`
		Identifier           string             `json:"identifier"`
		Version              string             `json:"version,omitempty"`
		RuntimeHint          string             `json:"runtimeHint,omitempty"`
		Transport            registryTransport  `json:"transport"`
		PackageArguments     []registryArgument `json:"packageArguments,omitempty"`
		EnvironmentVariables []registryEnv      `json:"environmentVariables,omitempty"`
	}
	registryTransport struct {
		Type string `json:"type"`
		URL  string `json:"url,omitempty"`
	}
	registryArgument struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	registryEnv struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		IsRequired  bool   `json:"isRequired,omitempty"`
		IsSecret    bool   `json:"isSecret,omitempty"`
		Default     string `json:"default,omitempty"`
	}
)

// serverJSON returns server.json: the container image (and the Go module,
// when it is on GitHub) as packages, and the public URL as a remote.
func serverJSON(p *ir.Project, opts *Options, d *deployData, settings []setting) (string, error) {
	desc := clip(firstSentence(p.Instructions), 100)
	if desc == "" {
		desc = clip("The "+p.Name+" MCP server", 100)
	}
	s := registryServer{
		Schema:      serverSchema,
		Name:        d.RegistryName,
		Title:       clip(strings.Join(strings.Fields(p.Title), " "), 100),
		Description: desc,
		Version:     d.Version,
		Repository:  &registryRepo{URL: "https://github.com/" + d.Owner + "/" + opts.Binary, Source: "github"},
	}
	// A package runs on the user's machine: over stdio when the server
	// speaks only that, otherwise on localhost.
	local := registryTransport{Type: "stdio"}
	switch {
	case p.HasStreamable():
		local = registryTransport{Type: "streamable-http", URL: "http://localhost:" + strconv.Itoa(deployPort) + "/mcp"}
	case p.HasSSE():
		local = registryTransport{Type: "sse", URL: "http://localhost:" + strconv.Itoa(deployPort) + "/sse"}
	}
	var env []registryEnv
	for _, st := range settings {
		e := registryEnv{Name: st.Name, Description: st.Description, IsRequired: st.Required, IsSecret: st.Secret}
		if !st.Secret {
			e.Default = st.Default
		}
		env = append(env, e)
	}
	s.Packages = append(s.Packages, registryPackage{
		RegistryType: "oci", Identifier: d.Image + ":" + d.Version, RuntimeHint: "docker",
		Transport: local, EnvironmentVariables: env,
	})
	if !d.OwnerPlaceholder {
		goPkg := registryPackage{RegistryType: "go", Identifier: opts.Module, Version: "v" + strings.TrimPrefix(d.Version, "v"),
			Transport: local, EnvironmentVariables: env}
		if p.HasStdio() {
			goPkg.Transport = registryTransport{Type: "stdio"}
			goPkg.PackageArguments = []registryArgument{{Type: "positional", Value: "--stdio"}}
		}
		s.Packages = append(s.Packages, goPkg)
	}
	if p.HasStreamable() {
		s.Remotes = append(s.Remotes, registryTransport{Type: "streamable-http", URL: "https://mcp.example.com/mcp"})
	}
	if p.HasSSE() {
		s.Remotes = append(s.Remotes, registryTransport{Type: "sse", URL: "https://mcp.example.com/sse"})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// clip shortens s to at most n bytes, at a word boundary, marking the cut
// with an ellipsis.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n-len("…")]
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// quoteString returns s as a JSON string, which is also a double-quoted
// YAML string and a TOML basic string: the escapes JSON uses (\", \\,
// \uXXXX, \n) mean the same in all three.
func quoteString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}

// sentence makes a lowercase description a sentence: capital, full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
