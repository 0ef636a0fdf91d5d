package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mcpgen/mcpgen/generator/apistage"
	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/gotype"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/names"
)

// defaultVersion is the server version when the manifest gives none.
const defaultVersion = "0.1.0"

// reserved are the exported names the generated code and its user-owned
// companions declare in package main; a tool's Go names must not take them.
var reserved = map[string]string{
	"ToolHandler":              "the handler interface",
	"UnimplementedToolHandler": "the default handler",
	"RegisterTools":            "the registration function",
	"NewServer":                "the server constructor",
	"ServeOptions":             "the runtime options",
	"ServerName":               "the server name constant",
	"ServerVersion":            "the server version constant",
	"AuthOptions":              "the OAuth options",
	"Tools":                    "the user's handler type",
}

// build turns a validated manifest into the IR. It reports every problem it
// finds (name collisions between tools, types that cannot be generated).
//
// checks, when not nil, waits for the checks still running (see
// apistage.Build) and returns what they found.
func build(f *manifest.File, in *Input) (p *ir.Project, diags diag.List, checks apistage.Checks) {
	m := f.Manifest
	p = &ir.Project{
		Name:         m.Name,
		Title:        m.Title,
		Version:      m.Version,
		Instructions: m.Instructions,
		Source:       f.Filename,
		Transports:   m.Transports,
	}
	if p.Version == "" {
		p.Version = defaultVersion
	}
	p.RateLimit = rateLimit(m.RateLimit, "#/rateLimit")
	p.ToolTimeout = duration(m.ToolTimeout)
	p.OTLP = m.Telemetry != nil && m.Telemetry.OTLP
	if a := m.Auth; a != nil {
		p.Auth = &ir.Auth{Provider: a.Provider, Scopes: a.Scopes, Pointer: "#/auth"}
	}
	if len(p.Transports) == 0 {
		p.Transports = []string{"streamable", "sse", "stdio"}
		if p.Auth != nil {
			// stdio has no HTTP requests to protect (validation refuses it
			// when it is listed), so an OAuth server serves HTTP only.
			p.Transports = []string{"streamable", "sse"}
		}
	}

	// Every Go name a tool produces, and which tool took it first.
	taken := make(map[string]string)
	for name, what := range reserved {
		taken[name] = what
	}
	if p.Auth != nil {
		// Tools.Auth holds the OAuth server: a handler method of that name
		// would clash with the field.
		taken["Auth"] = "the field of Tools that holds the OAuth server"
	}
	files := make(map[string]string)

	for i, mt := range m.Tools {
		ptr := diag.Pointer("tools", fmt.Sprint(i))
		t := &ir.Tool{
			Name:        mt.Name,
			Title:       mt.Title,
			Description: mt.Description,
			GoName:      names.Exported(mt.Name),
			Pointer:     ptr,
			Pos:         f.Pos(ptr),
		}
		t.InputType = t.GoName + "Input"
		t.HandlerFile = names.Snake(mt.Name) + "_tool.go"
		namePtr := ptr + "/name"
		claim := func(name, what string) bool {
			if prev, ok := taken[name]; ok {
				hint := "rename one of them"
				if _, isReserved := reserved[name]; isReserved || name == "Auth" {
					hint = "rename the tool"
				}
				diags.Add(f.Pos(namePtr), namePtr, "tool %q needs the Go name %s for %s, which %s already uses", mt.Name, name, what, prev).Hint = hint
				return false
			}
			taken[name] = fmt.Sprintf("tool %q (%s)", mt.Name, f.Pos(ptr))
			return true
		}
		if prev, ok := files[t.HandlerFile]; ok {
			diags.Add(f.Pos(namePtr), namePtr, "tool %q would share the handler file %s with %s", mt.Name, t.HandlerFile, prev).Hint = "rename one of them"
			continue
		}
		files[t.HandlerFile] = fmt.Sprintf("tool %q (%s)", mt.Name, f.Pos(ptr))
		// Custom OpenAPI tools claim their handler files in taken too.
		taken["file:"+t.HandlerFile] = files[t.HandlerFile]
		if !claim(t.GoName, "its handler method") || !claim(t.InputType, "its input type") {
			continue
		}

		t.InputSchema = indent(mt.InputSchema.JSON)
		t.Types = convert(f, &diags, t.InputType, mt.InputSchema, claim,
			fmt.Sprintf("%s holds the arguments of the %q tool.", t.InputType, mt.Name))
		t.BadArguments = manifest.BadArguments(mt.InputSchema.JSON, f.Exact)
		if mt.OutputSchema != nil {
			t.OutputType = t.GoName + "Output"
			if !claim(t.OutputType, "its output type") {
				continue
			}
			t.OutputSchema = indent(mt.OutputSchema.JSON)
			t.Types = append(t.Types, convert(f, &diags, t.OutputType, *mt.OutputSchema, claim,
				fmt.Sprintf("%s is the structured result of the %q tool.", t.OutputType, mt.Name))...)
		}
		if a := mt.Annotations; a != nil {
			t.Annotations = &ir.Annotations{
				Title:           a.Title,
				ReadOnlyHint:    a.ReadOnlyHint,
				DestructiveHint: a.DestructiveHint,
				IdempotentHint:  a.IdempotentHint,
				OpenWorldHint:   a.OpenWorldHint,
			}
		}
		if a := mt.Auth; a != nil && p.Auth != nil {
			t.Auth = &ir.ToolAuth{Users: a.Users, UsersEnv: a.UsersEnv, Scopes: a.Scopes, Pointer: ptr + "/auth"}
		}
		t.RateLimit = rateLimit(mt.RateLimit, ptr+"/rateLimit")
		t.Timeout = duration(mt.Timeout)
		if a := mt.Audit; a != nil && a.Arguments {
			t.Audit = &ir.ToolAudit{Arguments: true, Redact: a.Redact}
		}
		var destructive *bool
		if t.Annotations != nil {
			destructive = t.Annotations.DestructiveHint
		}
		if manifest.Confirms(m.Confirm, mt.Confirm, destructive) {
			t.Confirm = &ir.Confirm{Message: mt.ConfirmMessage}
		}
		p.Tools = append(p.Tools, t)
	}

	if m.OpenAPI != nil {
		declared := make(map[string]bool)
		for _, t := range p.Tools {
			declared[t.Name] = true
		}
		claimed := func(name string) bool { _, ok := taken[name]; return ok }
		claimAny := func(name, what string) bool {
			if claimed(name) {
				return false
			}
			taken[name] = what
			return true
		}
		more, late := apistage.Build(f, p, &apistage.Options{
			ReadFile: in.ReadFile,
			Strict:   in.Strict,
			Declared: declared,
			Claimed:  claimed,
			Claim:    claimAny,
			Reserved: reserved,
		})
		diags = append(diags, more...)
		checks = late
	}

	for i, r := range m.Resources {
		mime := r.MIMEType
		if mime == "" {
			mime = "text/plain"
		}
		p.Resources = append(p.Resources, &ir.Resource{
			URI: r.URI, Name: r.Name, Title: r.Title, Description: r.Description,
			MIMEType: mime, Text: r.Text, Pointer: diag.Pointer("resources", fmt.Sprint(i)),
		})
	}
	for i, r := range m.ResourceTemplates {
		ptr := diag.Pointer("resourceTemplates", fmt.Sprint(i))
		rt := &ir.ResourceTemplate{
			URITemplate: r.URITemplate, Name: r.Name, Title: r.Title, Description: r.Description, MIMEType: r.MIMEType,
			GoName: "Read" + names.Exported(r.Name), HandlerFile: names.Snake(r.Name) + "_resource.go", Pointer: ptr,
		}
		namePtr := ptr + "/name"
		if prev, ok := taken[rt.GoName]; ok {
			diags.Add(f.Pos(namePtr), namePtr, "resource template %q needs the Go name %s for the method that reads it, which %s already uses", r.Name, rt.GoName, prev).Hint = "rename one of them"
			continue
		}
		taken[rt.GoName] = fmt.Sprintf("resource template %q (%s)", r.Name, f.Pos(ptr))
		p.ResourceTemplates = append(p.ResourceTemplates, rt)
	}
	for i, mp := range m.Prompts {
		pr := &ir.Prompt{Name: mp.Name, Title: mp.Title, Description: mp.Description, Pointer: diag.Pointer("prompts", fmt.Sprint(i))}
		for _, a := range mp.Arguments {
			pr.Arguments = append(pr.Arguments, ir.PromptArgument{Name: a.Name, Description: a.Description, Required: a.Required})
		}
		for _, msg := range mp.Messages {
			pr.Messages = append(pr.Messages, ir.PromptMessage{Role: msg.Role, Text: msg.Text})
		}
		p.Prompts = append(p.Prompts, pr)
	}
	if len(m.State) > 0 {
		for _, name := range []string{"State", "NewState"} {
			if prev, ok := taken[name]; ok {
				diags.Add(f.Pos("#/state"), "#/state", "the state accessors need the Go name %s, which %s already uses", name, prev).Hint = "rename the tool"
			}
			taken[name] = "the state accessors"
		}
	}
	for i, sv := range m.State {
		ptr := diag.Pointer("state", fmt.Sprint(i))
		v := &ir.StateValue{
			Name: sv.Name, Description: sv.Description, GoName: names.Exported(sv.Name),
			Scope: manifest.StateScope(m, sv), Pointer: ptr, Schema: indent(sv.Schema.JSON),
		}
		v.Type = v.GoName + "State"
		v.TTL, _ = time.ParseDuration(sv.TTL) // validated
		claim := func(name, what string) bool {
			if prev, ok := taken[name]; ok {
				diags.Add(f.Pos(ptr+"/name"), ptr+"/name", "state value %q needs the Go name %s for %s, which %s already uses", sv.Name, name, what, prev).Hint = "rename one of them"
				return false
			}
			taken[name] = fmt.Sprintf("state value %q (%s)", sv.Name, f.Pos(ptr))
			return true
		}
		if !claim(v.Type, "its type") {
			continue
		}
		v.Types = convert(f, &diags, v.Type, manifest.Schema(sv.Schema), claim,
			fmt.Sprintf("%s is the state value %q.", v.Type, sv.Name))
		p.State = append(p.State, v)
	}
	return p, diags, checks
}

// convert derives the Go types of one schema, claiming every type name.
func convert(f *manifest.File, diags *diag.List, root string, s manifest.Schema, claim func(name, what string) bool, rootDoc string) []gotype.Decl {
	res, err := gotype.Convert(root, s.JSON, &gotype.Options{Source: f.Filename, Pointer: s.Pointer, RootDoc: rootDoc})
	if err != nil {
		for _, e := range gotype.Errors(err) {
			diags.Add(f.Pos(e.Pointer), e.Pointer, "%s", e.Msg)
		}
		return nil
	}
	var out []gotype.Decl
	for _, d := range res.Decls {
		ok := true
		for _, name := range d.Names {
			if name != root && !claim(name, "a declaration for "+d.Pointer) {
				ok = false
			}
		}
		if ok {
			out = append(out, d)
		}
	}
	return out
}

// indent re-indents schema JSON for the generated code, keeping key order.
func indent(raw []byte) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return raw
	}
	return buf.Bytes()
}

// sanitizeBinary makes a server name usable as a binary and file name.
func sanitizeBinary(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, name)
	s = strings.Trim(s, ".-")
	if s == "" {
		return "server"
	}
	return s
}

// rateLimit converts a manifest rate limit; nil stays nil.
func rateLimit(rl *manifest.RateLimit, ptr string) *ir.RateLimit {
	if rl == nil {
		return nil
	}
	return &ir.RateLimit{PerMinute: rl.PerMinute, Burst: rl.Burst, Pointer: ptr}
}

// duration converts a duration that validation has checked; empty is 0.
func duration(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return d
}
