package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestValidArgsLikeSDK calls the same tool registered both ways, with
// mcp.AddTool and with the validation of AddTool, and requires the same
// result every time: the same arguments reach the handler (defaults filled
// in), and refused arguments give the same tool error.
func TestValidArgsLikeSDK(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{
		"limit":{"type":"integer","minimum":1,"default":20},
		"state":{"type":"string","enum":["open","closed"],"default":"open"},
		"labels":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"}},
		"filter":{"type":"object","properties":{"since":{"type":"string","format":"date-time"},"n":{"type":"number","default":1.5}}},
		"owner":{"$ref":"#/$defs/login"}},
		"required":["owner"],"additionalProperties":false,
		"$defs":{"login":{"type":"string","minLength":1}}}`)
	echo := func(args map[string]any) *mcp.CallToolResult {
		data, err := json.Marshal(args)
		if err != nil {
			return toolError(err)
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(data)}}}
	}
	sdk := mcp.NewServer(&mcp.Implementation{Name: "sdk", Version: "v0"}, nil)
	mcp.AddTool(sdk, &mcp.Tool{Name: "t", InputSchema: schema}, func(_ context.Context, _ *mcp.CallToolRequest, args map[string]any) (*mcp.CallToolResult, any, error) {
		return echo(args), nil, nil
	})
	ours := mcp.NewServer(&mcp.Implementation{Name: "ours", Version: "v0"}, nil)
	rs, err := resolveInput(schema)
	if err != nil {
		t.Fatal(err)
	}
	ours.AddTool(&mcp.Tool{Name: "t", InputSchema: schema}, func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := validArgs(req.Params.Arguments, rs)
		if err != nil {
			return toolError(fmt.Errorf("validating \"arguments\": %v", err)), nil
		}
		return echo(args), nil
	})
	a, b := connect(t, sdk), connect(t, ours)

	for _, args := range []any{
		nil,
		map[string]any{},
		map[string]any{"owner": "octocat"},
		map[string]any{"owner": ""},
		map[string]any{"owner": "octocat", "limit": 0},
		map[string]any{"owner": "octocat", "limit": 2.5},
		map[string]any{"owner": "octocat", "limit": "3"},
		map[string]any{"owner": "octocat", "state": "merged"},
		map[string]any{"owner": "octocat", "labels": []any{"bug", "Bug"}},
		map[string]any{"owner": "octocat", "filter": map[string]any{}},
		map[string]any{"owner": "octocat", "filter": map[string]any{"since": "yesterday"}},
		map[string]any{"owner": "octocat", "extra": true},
		json.RawMessage(`{"owner":"octocat","limit":1e400}`),
		json.RawMessage(`{"owner":"octocat","owner":"hubot"}`),
		json.RawMessage(`{"owner":"octo\ud800cat"}`),
		json.RawMessage(`[1]`),
		json.RawMessage(`"owner"`),
		json.RawMessage(strings.Repeat(`{"a":`, 1001) + `1` + strings.Repeat(`}`, 1001)),
	} {
		want, wantErr := callRaw(t, a, args)
		got, gotErr := callRaw(t, b, args)
		if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("arguments %s:\n got %s (%v)\nwant %s (%v)", show(args), got, gotErr, want, wantErr)
		}
	}

	if got, _ := callRaw(t, connect(t, ours), map[string]any{"owner": "octocat"}); !strings.Contains(got, `"limit":20`) {
		t.Errorf("the defaults were not filled in: %s", got)
	}

	// "arguments": null makes the SDK's own validation panic (v1.8.0); it
	// is taken for no arguments, as an absent "arguments" is.
	// (New sessions: the nesting beyond 1000 levels closed the last ones.)
	got, err := callRaw(t, connect(t, ours), json.RawMessage(`null`))
	if want, _ := callRaw(t, connect(t, sdk), nil); got != want || err != nil {
		t.Errorf("arguments null: got %s (%v), want %s", got, err, want)
	}
}

func callRaw(t *testing.T, cs *mcp.ClientSession, args any) (string, error) {
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "t", Arguments: args})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("isError=%v %s", res.IsError, resultText(res)), nil
}

func show(v any) string {
	data, _ := json.Marshal(v)
	if len(data) > 80 {
		return string(data[:80]) + "…"
	}
	return string(data)
}
