package manifest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The confirmation policies: which calls ask the user before they run.
const (
	ConfirmDestructive = "destructive" // tools annotated destructiveHint: true (the default)
	ConfirmAlways      = "always"
	ConfirmNever       = "never"
)

// Confirms reports whether the calls of a tool ask the user to confirm
// them: by the tool's policy, or else the server's, or else destructive,
// which asks for the tools whose destructiveHint is true. Only an explicit
// hint counts: MCP's default for an unannotated tool is destructive, and
// asking before every such call would make every tool ask.
func Confirms(server, tool string, destructiveHint *bool) bool {
	policy := tool
	if policy == "" {
		policy = server
	}
	switch policy {
	case ConfirmAlways:
		return true
	case ConfirmNever:
		return false
	}
	return destructiveHint != nil && *destructiveHint
}

// Placeholders returns what the {{…}} of a confirmMessage hold, in order,
// as written (spaces included).
func Placeholders(msg string) []string {
	var out []string
	for {
		open := strings.Index(msg, "{{")
		if open < 0 {
			return out
		}
		end := strings.Index(msg[open+2:], "}}")
		if end < 0 {
			return out
		}
		out = append(out, msg[open+2:open+2+end])
		msg = msg[open+2+end+2:]
	}
}

// CheckConfirmMessage returns the problems of a confirmMessage of what
// ("tool \"delete_note\"", "operation deleteLabel"), whose arguments are
// args, one message and hint each.
func CheckConfirmMessage(msg, what string, args []string) (problems [][2]string) {
	if strings.TrimSpace(msg) == "" {
		return [][2]string{{"confirmMessage is empty", "leave it out for the default question"}}
	}
	hint := "the tool has no arguments"
	if len(args) > 0 {
		hint = "use one of " + strings.Join(args, ", ")
	}
	for _, name := range Placeholders(msg) {
		switch trimmed := strings.TrimSpace(name); {
		case trimmed != name && slices.Contains(args, trimmed):
			problems = append(problems, [2]string{fmt.Sprintf("placeholder {{%s}} has spaces, so it is not replaced", name), "write {{" + trimmed + "}}"})
		case !slices.Contains(args, name):
			problems = append(problems, [2]string{fmt.Sprintf("placeholder {{%s}} names no argument of %s", name, what), hint})
		}
	}
	return problems
}

// SchemaProperties returns the names of the properties at the top of an
// input schema, sorted.
func SchemaProperties(schema json.RawMessage) []string {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return nil
	}
	var out []string
	for name := range s.Properties {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// confirmPolicy checks a confirm setting.
func (v *validator) confirmPolicy(ptr, policy string) {
	switch policy {
	case "", ConfirmDestructive, ConfirmAlways, ConfirmNever:
	default:
		v.add(ptr, "unknown confirm policy %q", policy).Hint = "use destructive (the default), always or never"
	}
}

// toolConfirm checks a tool's confirm and confirmMessage.
func (v *validator) toolConfirm(ptr string, m *Manifest, t Tool) {
	v.confirmPolicy(ptr+"/confirm", t.Confirm)
	if t.ConfirmMessage == "" {
		return
	}
	var hint *bool
	if t.Annotations != nil {
		hint = t.Annotations.DestructiveHint
	}
	if !Confirms(m.Confirm, t.Confirm, hint) {
		v.warn(ptr+"/confirmMessage", "confirmMessage has no effect: calls of tool %q are not confirmed", t.Name).Hint = "set confirm: always, or annotations.destructiveHint: true"
		return
	}
	for _, p := range CheckConfirmMessage(t.ConfirmMessage, fmt.Sprintf("tool %q", t.Name), SchemaProperties(t.InputSchema.JSON)) {
		v.add(ptr+"/confirmMessage", "%s", p[0]).Hint = p[1]
	}
}
