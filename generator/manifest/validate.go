package manifest

import (
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/names"
)

// MaxToolName is the longest tool name mcpgen accepts.
const MaxToolName = names.MaxToolName

// MaxServerName is the longest server name mcpgen accepts: server names
// follow the tool name rule.
const MaxServerName = names.MaxToolName

// Transports are the transports a manifest may list, in the order the
// generated server mounts them.
var Transports = []string{"streamable", "sse", "stdio"}

// placeholder matches what looks like a prompt placeholder. The generated
// server replaces exactly "{{" + name + "}}".
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}`)

// Validate checks the rules a manifest must follow beyond its shape, and
// everything the MCP SDK would otherwise reject, or panic on, when the
// generated server starts. Every problem is reported, sorted by position;
// problems that work but are probably mistakes are warnings.
//
// Validate does not repeat what Load reported: it skips the nodes Load
// found faulty, and everything under them.
func Validate(f *File) diag.List {
	v := &validator{f: f}
	m := f.Manifest
	if m == nil {
		return nil
	}

	v.name("#/name", m.Name, "server")

	toolAt := make(map[string]string)
	for i, t := range m.Tools {
		ptr := diag.Pointer("tools", strconv.Itoa(i))
		if v.name(ptr+"/name", t.Name, "tool") {
			v.unique(ptr+"/name", "tool name", t.Name, toolAt)
		}
		if strings.TrimSpace(t.Description) == "" {
			v.add(ptr+"/description", "tool %q has no description", t.Name).Hint = "clients show it to the model, and the MCP conformance suite expects one"
		}
		v.toolSchema(t.InputSchema, ptr+"/inputSchema", input)
		if t.OutputSchema != nil {
			v.toolSchema(*t.OutputSchema, ptr+"/outputSchema", output)
		}
		v.operations(ptr, t.Timeout, t.RateLimit, t.Audit)
		v.toolConfirm(ptr, m, t)
	}
	v.confirmPolicy("#/confirm", m.Confirm)
	v.duration("#/toolTimeout", "toolTimeout", m.ToolTimeout)
	v.rateLimit("#/rateLimit", m.RateLimit)

	uriAt := make(map[string]string)
	for i, r := range m.Resources {
		ptr := diag.Pointer("resources", strconv.Itoa(i))
		v.resourceURI(ptr+"/uri", r.URI, uriAt)
		if strings.TrimSpace(r.Name) == "" {
			v.add(ptr+"/name", "resource %q has no name", r.URI)
		}
		if r.MIMEType != "" {
			if _, _, err := mime.ParseMediaType(r.MIMEType); err != nil {
				v.add(ptr+"/mimeType", "invalid MIME type %q", r.MIMEType).Hint = "write type/subtype, e.g. text/markdown"
			}
		}
	}

	templateAt, templateNameAt := make(map[string]string), make(map[string]string)
	for i, r := range m.ResourceTemplates {
		v.resourceTemplate(diag.Pointer("resourceTemplates", strconv.Itoa(i)), r, templateAt, templateNameAt)
	}

	promptAt := make(map[string]string)
	for i, p := range m.Prompts {
		v.prompt(diag.Pointer("prompts", strconv.Itoa(i)), p, promptAt)
	}

	if m.OpenAPI != nil {
		v.openAPI(m.OpenAPI)
	}
	v.authSection(m)
	v.stateSection(m)

	listed := make(map[string]bool)
	for i, t := range m.Transports {
		ptr := diag.Pointer("transports", strconv.Itoa(i))
		switch {
		case !slices.Contains(Transports, t):
			v.add(ptr, "unknown transport %q", t).Hint = "use streamable, sse or stdio"
		case listed[t]:
			v.add(ptr, "transport %q is listed twice", t)
		case t == "stdio" && m.Auth != nil:
			// OAuth protects HTTP requests; a stdio server would be open to
			// whoever starts it, so the combination is refused rather than
			// served unprotected.
			v.add(ptr, "transport \"stdio\" cannot be protected by auth: it has no HTTP requests to carry tokens").Hint = "remove stdio from transports; with auth the server serves streamable and sse"
		}
		listed[t] = true
	}

	v.diags.Sort()
	return v.diags
}

type validator struct {
	f     *File
	diags diag.List
	// budget, when set, bounds the work of the schema checks (CheckSchema).
	budget *Budget
}

// add reports an error at the value at ptr, unless Load reported ptr or
// one of its ancestors already. The returned diagnostic may be discarded.
func (v *validator) add(ptr, format string, args ...any) *diag.Diagnostic {
	return v.report(diag.Error, v.f.Pos(ptr), ptr, format, args...)
}

// warn reports a warning at the value at ptr.
func (v *validator) warn(ptr, format string, args ...any) *diag.Diagnostic {
	return v.report(diag.Warning, v.f.Pos(ptr), ptr, format, args...)
}

// addKey reports an error at the key that names the member at ptr.
func (v *validator) addKey(ptr, format string, args ...any) *diag.Diagnostic {
	return v.report(diag.Error, v.f.KeyPos(ptr), ptr, format, args...)
}

// warnKey reports a warning at the key that names the member at ptr.
func (v *validator) warnKey(ptr, format string, args ...any) *diag.Diagnostic {
	return v.report(diag.Warning, v.f.KeyPos(ptr), ptr, format, args...)
}

func (v *validator) report(sev diag.Severity, pos diag.Pos, ptr, format string, args ...any) *diag.Diagnostic {
	d := diag.Diagnostic{Severity: sev, Pos: pos, Pointer: ptr, Msg: fmt.Sprintf(format, args...)}
	if v.f.isBroken(ptr) {
		return &d // Load reported this node: drop it
	}
	v.diags = append(v.diags, d)
	return &v.diags[len(v.diags)-1]
}

// where describes the position of ptr for "first at …" messages.
func (v *validator) where(ptr string) string {
	if p := v.f.Pos(ptr); p.Line > 0 {
		return fmt.Sprintf("line %d", p.Line)
	}
	return ptr
}

// name checks a server, tool, prompt or resource template name by the tool
// name rule (names.CheckToolName). It reports whether the name is valid.
func (v *validator) name(ptr, name, what string) bool {
	reason, hint := names.CheckToolName(what, name)
	if reason == "" {
		return true
	}
	if name == "" && what == "server" {
		hint = "set name: my-server"
	}
	v.add(ptr, "%s", reason).Hint = hint
	return false
}

// unique reports a name already seen, citing where it was first.
func (v *validator) unique(ptr, what, name string, at map[string]string) {
	if prev, dup := at[name]; dup {
		v.add(ptr, "duplicate %s %q (first at %s)", what, name, prev)
		return
	}
	at[name] = v.where(ptr)
}

func (v *validator) resourceURI(ptr, uri string, at map[string]string) {
	if uri == "" {
		v.add(ptr, "the resource has no URI")
		return
	}
	u, err := url.Parse(uri)
	switch {
	case err != nil:
		reason := err.Error()
		if uerr := (*url.Error)(nil); errors.As(err, &uerr) {
			reason = uerr.Err.Error()
		}
		v.add(ptr, "resource URI %q is not a valid URI: %s", uri, reason)
		return
	case u.Scheme == "":
		v.add(ptr, "resource URI %q is not an absolute URI", uri).Hint = "give it a scheme, e.g. docs://help"
		return
	}
	v.unique(ptr, "resource URI", uri, at)
}

func (v *validator) prompt(ptr string, p Prompt, at map[string]string) {
	if v.name(ptr+"/name", p.Name, "prompt") {
		v.unique(ptr+"/name", "prompt name", p.Name, at)
	}

	declared := make(map[string]string) // name → pointer
	for j, a := range p.Arguments {
		aptr := fmt.Sprintf("%s/arguments/%d/name", ptr, j)
		switch _, dup := declared[a.Name]; {
		case a.Name == "":
			v.add(aptr, "prompt argument has no name")
		case names.InvalidToolNameChar(a.Name) != "":
			v.add(aptr, "argument name %q has invalid character %q", a.Name, names.InvalidToolNameChar(a.Name)).Hint = "use letters, digits, '_', '-' and '.', so that {{" + a.Name + "}} can stand for it"
		case dup:
			v.add(aptr, "duplicate argument %q (first at %s)", a.Name, v.where(declared[a.Name]))
		default:
			declared[a.Name] = aptr
		}
	}

	if len(p.Messages) == 0 {
		v.add(ptr+"/messages", "prompt %q has no messages", p.Name)
	}
	used := make(map[string]bool)
	for j, msg := range p.Messages {
		mptr := fmt.Sprintf("%s/messages/%d", ptr, j)
		if msg.Role != "user" && msg.Role != "assistant" {
			v.add(mptr+"/role", "role %q is not user or assistant", msg.Role)
		}
		for _, m := range placeholder.FindAllStringSubmatch(msg.Text, -1) {
			name := m[1]
			_, ok := declared[name]
			switch {
			case ok && m[0] == "{{"+name+"}}":
				used[name] = true
			case ok:
				v.add(mptr+"/text", "placeholder %s has spaces, so it is not replaced", m[0]).Hint = "write {{" + name + "}}"
				used[name] = true
			case name == "":
				v.add(mptr+"/text", "placeholder %s names no argument", m[0])
			default:
				v.add(mptr+"/text", "placeholder %s names no argument of prompt %q", m[0], p.Name).Hint = "declare it under arguments, or remove it"
			}
		}
	}
	for _, a := range p.Arguments {
		if aptr, ok := declared[a.Name]; ok && !used[a.Name] && len(p.Messages) > 0 {
			v.warn(aptr, "argument %q is not used in any message", a.Name).Hint = "write {{" + a.Name + "}} where its value belongs"
		}
	}
}
