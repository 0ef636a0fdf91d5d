package upstream

import (
	"fmt"
	"strings"
)

// Describe says in one line what a call of op with args sends: the method,
// and the path with its parameters filled in and the query, encoded as
// they go out, such as "DELETE /repos/octo/hello/labels/bug". It is the
// question a user confirms (package confirm). Credentials, headers,
// cookies and the body are left out. args are the tool's arguments as
// decoded JSON; Describe fails, as the call would, when a path parameter
// is missing or a value cannot be sent.
func (op *Operation) Describe(args map[string]any) (string, error) {
	b := &builder{op: op, args: args}
	path, err := b.path()
	if err != nil {
		return "", err
	}
	for i := range op.Params {
		p := &op.Params[i]
		if p.In != "query" {
			continue
		}
		v, ok, err := b.arg(p)
		if err != nil {
			return "", err
		}
		if ok {
			if b.query, err = appendQuery(b.query, p, v); err != nil {
				return "", err
			}
		}
	}
	if len(b.query) > 0 {
		path += "?" + strings.Join(b.query, "&")
	}
	return op.Method + " " + path, nil
}

// Confirmed are the operations of dynamic mode whose calls are confirmed
// before they run, by tool name, each with the summary of a call (such as
// [Operation.Describe]). Its methods are the Ask and Summary of the
// confirmation rule of call_operation, whose arguments name the operation
// and carry its own.
type Confirmed map[string]func(args map[string]any) (string, error)

// Ask reports whether a call of call_operation with args calls an
// operation of c.
func (c Confirmed) Ask(args map[string]any) bool {
	name, _ := args["name"].(string)
	_, ok := c[name]
	return ok
}

// Summary is the summary of the call of the operation that args name.
func (c Confirmed) Summary(args map[string]any) (string, error) {
	name, _ := args["name"].(string)
	summary, ok := c[name]
	if !ok {
		return "", fmt.Errorf("no operation %q needs confirmation", name)
	}
	inner, _ := args["arguments"].(map[string]any)
	return summary(inner)
}
