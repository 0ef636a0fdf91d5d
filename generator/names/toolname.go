package names

import "fmt"

// MaxToolName is the longest tool name mcpgen accepts. The MCP SDK allows
// 128 characters, but popular clients break on longer names than this.
const MaxToolName = 64

// CheckToolName checks name against the one rule mcpgen has for tool names,
// which also holds for the names of the server, prompts and resource
// templates: at least one character, only the MCP tool name alphabet
// (ASCII letters, digits, '_', '-' and '.'), and at most MaxToolName bytes.
//
// It returns "" for a valid name. Otherwise it returns the reason and a
// hint for a diagnostic, in the same words wherever the name came from (a
// manifest or an x-mcp extension); kind says whose name it is ("tool",
// "prompt").
func CheckToolName(kind, name string) (reason, hint string) {
	switch {
	case name == "":
		return fmt.Sprintf("the %s has no name", kind), ""
	case InvalidToolNameChar(name) != "":
		return fmt.Sprintf("%s name %q has invalid character %q", kind, name, InvalidToolNameChar(name)),
			"use letters, digits, '_', '-' and '.'"
	case len(name) > MaxToolName:
		return fmt.Sprintf("%s name is %d characters long; the limit is %d", kind, len(name), MaxToolName),
			"popular MCP clients break on longer names"
	}
	return "", ""
}

// InvalidToolNameChar returns the first character of s that is not in the
// tool name alphabet, or "" when there is none.
func InvalidToolNameChar(s string) string {
	for _, r := range s {
		if !toolNameChar(r) {
			return string(r)
		}
	}
	return ""
}

func toolNameChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-' || r == '.'
}
