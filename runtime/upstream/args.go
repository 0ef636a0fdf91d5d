package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	segjson "github.com/segmentio/encoding/json"
)

// This file validates a tool's arguments as [mcp.AddTool] does (go-sdk
// v1.8.0, mcp.toolForErr and mcp.applySchema), for [AddTool], which
// registers its tools with the lower-level [mcp.Server.AddTool] so that
// their output schemas are not resolved. TestValidArgsLikeSDK checks that
// both accept, refuse and complete the same arguments, with the same
// messages.

// resolveInput resolves an input schema as mcp.AddTool does: the schema,
// whatever its Go type, as JSON, decoded into a jsonschema.Schema and
// resolved with its defaults validated.
func resolveInput(schema any) (*jsonschema.Resolved, error) {
	data, err := json.Marshal(schema)
	if err != nil {
		return nil, err
	}
	var s *jsonschema.Schema
	if err := sdkUnmarshal(data, &s); err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("schema is nil for type %T", schema)
	}
	return s.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
}

// validArgs decodes a call's arguments into an object, fills in the
// defaults of the schema and validates the result, as the SDK does before
// it calls a typed tool handler.
func validArgs(data json.RawMessage, rs *jsonschema.Resolved) (map[string]any, error) {
	v := make(map[string]any)
	if len(data) > 0 {
		if err := sdkUnmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("unmarshaling arguments: %w", err)
		}
	}
	if v == nil {
		// "arguments": null. The SDK (v1.8.0) panics here, filling in
		// defaults in a nil map; null means no arguments, as absence does.
		v = make(map[string]any)
	}
	var unmarshaled any = v
	if err := rs.ApplyDefaults(&unmarshaled); err != nil {
		return nil, fmt.Errorf("applying schema defaults:\n%w", err)
	}
	if err := rs.Validate(&unmarshaled); err != nil {
		return nil, err
	}
	// The SDK encodes the completed arguments and decodes them again into
	// the handler's argument type; so does this, for the same values.
	withDefaults, err := json.Marshal(unmarshaled)
	if err != nil {
		return nil, fmt.Errorf("marshalling with defaults: %v", err)
	}
	var args map[string]any
	if err := sdkUnmarshal(withDefaults, &args); err != nil {
		return nil, err
	}
	return args, nil
}

// toolError is err as a tool error, as the SDK reports an error of a
// handler.
func toolError(err error) *mcp.CallToolResult {
	var res mcp.CallToolResult
	res.SetError(err)
	return &res
}

// sdkMaxDepth is the deepest nesting of JSON the SDK decodes (go-sdk's
// internal/json): the generator's manifest.SDKMaxDepth, which this module
// cannot import.
const sdkMaxDepth = 1000

// sdkUnmarshal decodes JSON as the SDK's internal decoder does: with
// segmentio/encoding, struct fields matched by case, nesting limited.
func sdkUnmarshal(data []byte, v any) error {
	if err := checkDepth(data, sdkMaxDepth); err != nil {
		return err
	}
	dec := segjson.NewDecoder(bytes.NewReader(data))
	dec.DontMatchCaseInsensitiveStructFields()
	return dec.Decode(v)
}

// checkDepth reports JSON that nests objects and arrays deeper than max.
func checkDepth(data []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, b := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
			continue
		}
		switch b {
		case '"':
			inString = true
		case '{', '[':
			if depth++; depth > max {
				return fmt.Errorf("json: exceeded maximum nesting depth of %d", max)
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
