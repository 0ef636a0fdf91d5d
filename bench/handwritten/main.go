// Command handwritten is the baseline of mcpgen's throughput benchmark: the
// two tools of examples/authless (add and calculate, with the same schemas),
// written by hand against the MCP Go SDK the way its documentation shows,
// and served over stateless streamable HTTP by a plain net/http server.
//
// It has none of the generated server's runtime (no configuration beyond
// --addr, no Origin checks, no /sse, no graceful shutdown): it is what a
// generated server is measured against.
//
// Its schemas are *jsonschema.Schema values, as the SDK's documentation
// writes them. With --raw-schemas it passes the same schemas as
// json.RawMessage instead, as generated code does: the SDK handles the two
// differently on every call (see docs/performance.md), and the benchmark
// uses both to tell the SDK's share of a difference from the runtime's.
//
//	go build -o /tmp/handwritten ./bench/handwritten && /tmp/handwritten --addr 127.0.0.1:0
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type addInput struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

type addOutput struct {
	Sum float64 `json:"sum"`
}

type calculateInput struct {
	Operation string  `json:"operation"`
	A         float64 `json:"a"`
	B         float64 `json:"b"`
}

// The schemas are those of examples/authless/mcpgen.yaml (main_test.go
// checks that they stay equal).
var (
	addInputSchema = &jsonschema.Schema{
		Type: "object",
		Properties: map[string]*jsonschema.Schema{
			"a": {Type: "number", Description: "The first number."},
			"b": {Type: "number", Description: "The second number."},
		},
		Required:             []string{"a", "b"},
		AdditionalProperties: &jsonschema.Schema{Not: &jsonschema.Schema{}},
	}
	addOutputSchema = &jsonschema.Schema{
		Type: "object",
		Properties: map[string]*jsonschema.Schema{
			"sum": {Type: "number", Description: "a + b."},
		},
		Required: []string{"sum"},
	}
	calculateInputSchema = &jsonschema.Schema{
		Type: "object",
		Properties: map[string]*jsonschema.Schema{
			"operation": {
				Type:        "string",
				Enum:        []any{"add", "subtract", "multiply", "divide"},
				Description: "The operation to apply.",
			},
			"a": {Type: "number", Description: "The left operand."},
			"b": {Type: "number", Description: "The right operand."},
		},
		Required:             []string{"operation", "a", "b"},
		AdditionalProperties: &jsonschema.Schema{Not: &jsonschema.Schema{}},
	}
)

func add(_ context.Context, _ *mcp.CallToolRequest, in addInput) (*mcp.CallToolResult, addOutput, error) {
	return nil, addOutput{Sum: in.A + in.B}, nil
}

func calculate(_ context.Context, _ *mcp.CallToolRequest, in calculateInput) (*mcp.CallToolResult, any, error) {
	var r float64
	switch in.Operation {
	case "add":
		r = in.A + in.B
	case "subtract":
		r = in.A - in.B
	case "multiply":
		r = in.A * in.B
	case "divide":
		if in.B == 0 {
			return nil, nil, errors.New("cannot divide by zero")
		}
		r = in.A / in.B
	default:
		return nil, nil, fmt.Errorf("unknown operation %q", in.Operation)
	}
	return &mcp.CallToolResult{
		Content: []mcp.Content{&mcp.TextContent{Text: strconv.FormatFloat(r, 'g', -1, 64)}},
	}, nil, nil
}

// tools returns the server's tools, in the order of examples/authless.
func tools() (addTool, calculateTool *mcp.Tool) {
	f := false
	addTool = &mcp.Tool{
		Name:         "add",
		Title:        "Add",
		Description:  "Add two numbers and return their sum.",
		InputSchema:  addInputSchema,
		OutputSchema: addOutputSchema,
		Annotations:  &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: &f},
	}
	calculateTool = &mcp.Tool{
		Name:        "calculate",
		Title:       "Calculate",
		Description: "Apply a basic arithmetic operation to two numbers. Division by zero is an error.",
		InputSchema: calculateInputSchema,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: &f},
	}
	return addTool, calculateTool
}

// rawSchemas replaces the tools' schemas by their JSON.
func rawSchemas(tools ...*mcp.Tool) {
	raw := func(s any) any {
		b, err := json.Marshal(s)
		if err != nil {
			panic(err)
		}
		return json.RawMessage(b)
	}
	for _, t := range tools {
		t.InputSchema = raw(t.InputSchema)
		if t.OutputSchema != nil {
			t.OutputSchema = raw(t.OutputSchema)
		}
	}
}

func newServer(raw bool) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "handwritten", Version: "0.1.0"}, &mcp.ServerOptions{
		Instructions: "A calculator. Use add for sums and calculate for the four basic operations.",
	})
	addTool, calculateTool := tools()
	if raw {
		rawSchemas(addTool, calculateTool)
	}
	mcp.AddTool(s, addTool, add)
	mcp.AddTool(s, calculateTool, calculate)
	return s
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	raw := flag.Bool("raw-schemas", false, "pass the tools' schemas to the SDK as json.RawMessage, as generated code does")
	flag.Parse()

	s := newServer(*raw)
	mux := http.NewServeMux()
	mux.Handle("/mcp", mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The same line as the generated server's, which the benchmarks wait for.
	slog.New(slog.NewTextHandler(os.Stderr, nil)).Info("listening", "addr", ln.Addr().String())
	if err := http.Serve(ln, mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
