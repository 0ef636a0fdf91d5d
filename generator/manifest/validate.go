package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// MaxToolName is the longest tool name mcpgen accepts. The MCP SDK allows
// 128 characters, but popular clients break on names past 64.
const MaxToolName = 64

var (
	validName      = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	placeholder    = regexp.MustCompile(`\{\{\s*([^{}\s]*)\s*\}\}`)
	validTransport = []string{"streamable", "sse", "stdio"}
)

// Validate checks the rules a manifest must follow beyond its shape, and
// everything the MCP SDK would otherwise reject (or panic on) when the
// generated server starts. Every problem is reported, sorted by position.
func Validate(f *File) diag.List {
	v := &validator{f: f}
	m := f.Manifest

	if m.Name == "" {
		v.add("#/name", "the server has no name").Hint = "set name: my-server"
	} else if !validName.MatchString(m.Name) {
		v.add("#/name", "server name %q has invalid character %q", m.Name, firstInvalid(m.Name)).Hint = "use letters, digits, '-', '_' and '.'"
	} else if len(m.Name) > 64 {
		v.add("#/name", "server name is %d characters long; the limit is 64", len(m.Name))
	}

	toolAt := make(map[string]string)
	for i, t := range m.Tools {
		ptr := diag.Pointer("tools", strconv.Itoa(i))
		v.toolName(ptr+"/name", t.Name, toolAt)
		if strings.TrimSpace(t.Description) == "" {
			v.add(ptr+"/description", "tool %q has no description", t.Name).Hint = "clients show it to the model, and the MCP conformance suite expects one"
		}
		v.schema(t.InputSchema, "inputSchema")
		if t.OutputSchema != nil {
			v.schema(*t.OutputSchema, "outputSchema")
		}
	}

	uriAt := make(map[string]string)
	for i, r := range m.Resources {
		ptr := diag.Pointer("resources", strconv.Itoa(i))
		if u, err := url.Parse(r.URI); err != nil || u.Scheme == "" {
			v.add(ptr+"/uri", "resource URI %q is not an absolute URI", r.URI).Hint = "give it a scheme, e.g. docs://help"
		} else if prev, dup := uriAt[r.URI]; dup {
			v.add(ptr+"/uri", "duplicate resource URI %q (first at %s)", r.URI, prev)
		} else {
			uriAt[r.URI] = v.where(ptr + "/uri")
		}
		if strings.TrimSpace(r.Name) == "" {
			v.add(ptr+"/name", "resource %q has no name", r.URI)
		}
		if r.MIMEType != "" {
			if _, _, err := mime.ParseMediaType(r.MIMEType); err != nil {
				v.add(ptr+"/mimeType", "invalid MIME type %q", r.MIMEType)
			}
		}
	}

	promptAt := make(map[string]string)
	for i, p := range m.Prompts {
		ptr := diag.Pointer("prompts", strconv.Itoa(i))
		switch prev, dup := promptAt[p.Name]; {
		case p.Name == "":
			v.add(ptr+"/name", "prompt has no name")
		case !validName.MatchString(p.Name):
			v.add(ptr+"/name", "prompt name %q has invalid character %q", p.Name, firstInvalid(p.Name)).Hint = "use letters, digits, '_', '-' and '.'"
		case dup:
			v.add(ptr+"/name", "duplicate prompt name %q (first at %s)", p.Name, prev)
		default:
			promptAt[p.Name] = v.where(ptr + "/name")
		}
		args := make(map[string]bool)
		for j, a := range p.Arguments {
			aptr := fmt.Sprintf("%s/arguments/%d/name", ptr, j)
			if a.Name == "" {
				v.add(aptr, "prompt argument has no name")
			} else if args[a.Name] {
				v.add(aptr, "duplicate argument %q", a.Name)
			}
			args[a.Name] = true
		}
		for j, msg := range p.Messages {
			mptr := fmt.Sprintf("%s/messages/%d", ptr, j)
			if msg.Role != "user" && msg.Role != "assistant" {
				v.add(mptr+"/role", "role %q is not user or assistant", msg.Role)
			}
			for _, m := range placeholder.FindAllStringSubmatch(msg.Text, -1) {
				if !args[m[1]] {
					v.add(mptr+"/text", "placeholder %s names no argument of prompt %q", m[0], p.Name).Hint = "declare it under arguments, or remove it"
				}
			}
		}
	}

	seen := make(map[string]bool)
	for i, t := range m.Transports {
		ptr := diag.Pointer("transports", strconv.Itoa(i))
		switch {
		case !contains(validTransport, t):
			v.add(ptr, "unknown transport %q", t).Hint = "use streamable, sse or stdio"
		case seen[t]:
			v.add(ptr, "transport %q is listed twice", t)
		}
		seen[t] = true
	}

	v.diags.Sort()
	return v.diags
}

type validator struct {
	f     *File
	diags diag.List
}

func (v *validator) add(ptr, format string, args ...any) *diag.Diagnostic {
	return v.diags.Add(v.f.Pos(ptr), ptr, format, args...)
}

func (v *validator) warn(ptr, format string, args ...any) *diag.Diagnostic {
	return v.diags.Warn(v.f.Pos(ptr), ptr, format, args...)
}

// where describes a position for "first at …" messages.
func (v *validator) where(ptr string) string {
	p := v.f.Pos(ptr)
	if p.Line > 0 {
		return fmt.Sprintf("line %d", p.Line)
	}
	return ptr
}

func (v *validator) toolName(ptr, name string, at map[string]string) {
	switch {
	case name == "":
		v.add(ptr, "tool has no name")
		return
	case !validName.MatchString(name):
		v.add(ptr, "tool name %q has invalid character %q", name, firstInvalid(name)).Hint = "use letters, digits, '_', '-' and '.'"
	case len(name) > MaxToolName:
		v.add(ptr, "tool name is %d characters long; the limit is %d", len(name), MaxToolName).Hint = "the MCP SDK allows 128, but popular clients break on names longer than 64"
	}
	if prev, dup := at[name]; dup {
		v.add(ptr, "duplicate tool name %q (first at %s)", name, prev)
		return
	}
	at[name] = v.where(ptr)
}

// schema checks one tool schema: everything the MCP SDK checks when the
// server registers the tool, reported at the offending node.
func (v *validator) schema(s Schema, which string) {
	root := s.Pointer
	var top map[string]json.RawMessage
	if err := json.Unmarshal(s.JSON, &top); err != nil {
		v.add(root, "%s must be a JSON Schema object", which)
		return
	}
	if t, ok := top["type"]; !ok || string(bytes.TrimSpace(t)) != `"object"` {
		v.add(root, "%s must have type object", which).Hint = "MCP tool " + map[string]string{"inputSchema": "arguments", "outputSchema": "structured results"}[which] + " are JSON objects; the MCP SDK refuses any other schema at start-up"
	}
	before := len(v.diags.Errors())
	v.walk(s.JSON, root, s.JSON, root)
	if len(v.diags.Errors()) > before {
		return // the library would only repeat what was said, less precisely
	}
	var js jsonschema.Schema
	if err := json.Unmarshal(s.JSON, &js); err != nil {
		v.add(root, "invalid JSON Schema: %s", err)
		return
	}
	if _, err := js.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true}); err != nil {
		v.add(root, "invalid JSON Schema: %s", err)
	}
}

// subschemaMaps are keywords whose value is an object of schemas.
var subschemaMaps = map[string]bool{"properties": true, "patternProperties": true, "$defs": true, "definitions": true, "dependentSchemas": true}

// subschemaLists are keywords whose value is an array of schemas.
var subschemaLists = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}

// subschemas are keywords whose value is one schema.
var subschemas = map[string]bool{
	"items": true, "additionalProperties": true, "not": true, "if": true, "then": true, "else": true,
	"contains": true, "propertyNames": true, "unevaluatedItems": true, "unevaluatedProperties": true,
}

var jsonTypes = []string{"object", "array", "string", "number", "integer", "boolean", "null"}

// walk checks the schema at raw (pointer ptr) and its subschemas: types,
// patterns, references and defaults.
func (v *validator) walk(raw json.RawMessage, ptr string, rootJSON json.RawMessage, rootPtr string) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		if t := strings.TrimSpace(string(raw)); t != "true" && t != "false" {
			v.add(ptr, "a schema must be an object or a boolean")
		}
		return
	}
	if t, ok := obj["type"]; ok {
		var one string
		var many []string
		switch {
		case json.Unmarshal(t, &one) == nil:
			many = []string{one}
		case json.Unmarshal(t, &many) == nil:
		default:
			v.add(ptr+"/type", "type must be a string or a list of strings")
		}
		for _, name := range many {
			if !contains(jsonTypes, name) {
				v.add(ptr+"/type", "unknown type %q", name).Hint = "use one of " + strings.Join(jsonTypes, ", ")
			}
		}
	}
	if p, ok := obj["pattern"]; ok {
		v.pattern(p, ptr+"/pattern")
	}
	if r, ok := obj["$ref"]; ok {
		var ref string
		if json.Unmarshal(r, &ref) != nil {
			v.add(ptr+"/$ref", "$ref must be a string")
		} else if !strings.HasPrefix(ref, "#") {
			v.add(ptr+"/$ref", "$ref %q is not a local reference", ref).Hint = "external references are not supported; move the schema under $defs"
		} else if _, ok := lookup(rootJSON, ref); !ok {
			v.add(ptr+"/$ref", "$ref %q does not resolve", ref)
		}
	}
	for key, val := range obj {
		kptr := diag.Append(ptr, key)
		switch {
		case subschemaMaps[key]:
			var m map[string]json.RawMessage
			if json.Unmarshal(val, &m) != nil {
				v.add(kptr, "%s must be an object of schemas", key)
				continue
			}
			for name, sub := range m {
				if key == "patternProperties" {
					v.pattern(mustJSON(name), diag.Append(kptr, name))
				}
				v.walk(sub, diag.Append(kptr, name), rootJSON, rootPtr)
			}
		case subschemaLists[key]:
			var l []json.RawMessage
			if json.Unmarshal(val, &l) != nil {
				v.add(kptr, "%s must be a list of schemas", key)
				continue
			}
			for i, sub := range l {
				v.walk(sub, diag.Append(kptr, strconv.Itoa(i)), rootJSON, rootPtr)
			}
		case subschemas[key]:
			v.walk(val, kptr, rootJSON, rootPtr)
		}
	}
	if def, ok := obj["default"]; ok {
		v.defaultValue(raw, def, ptr, rootJSON)
	}
	if req, ok := obj["required"]; ok {
		var names []string
		if json.Unmarshal(req, &names) == nil {
			var props map[string]json.RawMessage
			json.Unmarshal(obj["properties"], &props)
			_, hasAdditional := obj["additionalProperties"]
			_, hasPattern := obj["patternProperties"]
			for i, n := range names {
				if _, ok := props[n]; !ok && props != nil && !hasAdditional && !hasPattern {
					v.warn(diag.Append(ptr, "required", strconv.Itoa(i)), "required property %q is not declared under properties", n)
				}
			}
		}
	}
}

// pattern checks that a pattern compiles with Go's regexp, as the MCP SDK
// compiles it when the server starts.
func (v *validator) pattern(raw json.RawMessage, ptr string) {
	var p string
	if json.Unmarshal(raw, &p) != nil {
		v.add(ptr, "pattern must be a string")
		return
	}
	if _, err := regexp.Compile(p); err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "error parsing regexp") {
			msg = strings.TrimPrefix(msg, "error parsing regexp: ")
		}
		v.add(ptr, "pattern %q does not compile with Go's regexp: %s", p, msg).Hint = "Go's regexp (RE2) has no lookaround or backreferences; rewrite the pattern"
	}
}

// defaultValue checks a default against the schema that holds it, when that
// schema can be checked on its own (it has no references).
func (v *validator) defaultValue(schemaJSON, def json.RawMessage, ptr string, rootJSON json.RawMessage) {
	var js jsonschema.Schema
	if json.Unmarshal(schemaJSON, &js) != nil {
		return
	}
	if bytes.Contains(schemaJSON, []byte(`"$ref"`)) {
		return // the whole-schema check reports it
	}
	js.Default = nil
	resolved, err := js.Resolve(nil)
	if err != nil {
		return
	}
	var val any
	if json.Unmarshal(def, &val) != nil {
		return
	}
	if err := resolved.Validate(val); err != nil {
		v.add(ptr+"/default", "default %s does not match its schema: %s", strings.TrimSpace(string(def)), oneLine(err.Error())).Hint = "the MCP SDK refuses the tool at start-up; fix the default or the schema"
	}
}

// lookup resolves a local JSON pointer reference ("#/$defs/x") in doc.
func lookup(doc json.RawMessage, ref string) (json.RawMessage, bool) {
	ref = strings.TrimPrefix(ref, "#")
	cur := doc
	if ref == "" {
		return cur, true
	}
	if !strings.HasPrefix(ref, "/") {
		return nil, false // anchors are not supported
	}
	for _, tok := range strings.Split(ref[1:], "/") {
		tok, err := url.PathUnescape(tok)
		if err != nil {
			return nil, false
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		var obj map[string]json.RawMessage
		if json.Unmarshal(cur, &obj) == nil {
			next, ok := obj[tok]
			if !ok {
				return nil, false
			}
			cur = next
			continue
		}
		var arr []json.RawMessage
		if json.Unmarshal(cur, &arr) == nil {
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(arr) {
				return nil, false
			}
			cur = arr[i]
			continue
		}
		return nil, false
	}
	return cur, true
}

func mustJSON(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstInvalid(s string) string {
	for _, r := range s {
		if !validName.MatchString(string(r)) {
			return string(r)
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
