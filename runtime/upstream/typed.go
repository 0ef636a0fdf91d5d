package upstream

import (
	"encoding/json"
	"fmt"
)

// Args turns typed tool arguments (a generated input struct) into the
// argument object Do takes, as they would arrive over the wire.
func Args(in any) (map[string]any, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encoding the arguments: %w", err)
	}
	var args map[string]any
	if err := json.Unmarshal(data, &args); err != nil {
		return nil, fmt.Errorf("the arguments are not a JSON object: %w", err)
	}
	if args == nil {
		args = map[string]any{}
	}
	return args, nil
}
