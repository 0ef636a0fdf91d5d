package upstream

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/mcpgen/mcpgen/runtime/upstream/jq"
)

// BenchmarkCall measures one call end to end against a loopback server:
// building the request (path, query, header, JSON body, API key), the
// round trip, and turning a JSON answer into a tool result.
func BenchmarkCall(b *testing.B) {
	const answer = `{"id":42,"name":"Rex","tags":["good","dog"],"owner":{"name":"Ann","since":"2020-01-01"}}`
	srv := serve(b, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	})
	api := &API{Name: "Pet Store", Schemes: []SecurityScheme{
		{Name: "key", Type: "apiKey", In: "header", ParamName: "X-API-Key", Env: []string{"KEY"}},
	}}
	c := newClient(b, api, srv, map[string]string{"KEY": "secret-key-0123456789"})
	op := &Operation{Tool: "update_pet", Method: "PUT", Path: "/pets/{petId}", Params: []Param{
		{Name: "petId", In: "path", Style: "simple", Required: true},
		{Name: "fields", In: "query", Style: "form", Explode: false},
		{Name: "filter", In: "query", Style: "deepObject", Explode: true},
		{Name: "X-Request-Id", In: "header", Style: "simple"},
	}, Body: &Body{Arg: "body", ContentType: "application/json", Required: true}, Security: [][]string{{"key"}}}
	args := decoded(b, `{
		"petId": 42,
		"fields": ["id", "name", "tags"],
		"filter": {"status": "available", "age": 3},
		"X-Request-Id": "req-1",
		"body": {"name": "Rex", "tags": ["good", "dog"]}
	}`)
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Call(ctx, op, args)
		if err != nil || res.IsError {
			b.Fatalf("Call: %v %s", err, resultText(res))
		}
	}
}

// BenchmarkResponseBudget measures what a response budget adds to turning
// a 1 MB JSON answer (5,000 objects shaped like GitHub's issues) into a
// tool result: none, a 64 KiB maxBytes, a select of two fields, both, and
// the next page worked out from a Link header.
func BenchmarkResponseBudget(b *testing.B) {
	body := issues(5000)
	project := jq.MustCompile(`[.[] | {number, title}]`)
	paging := &Paging{Page: "page", FirstPage: 1, Size: "per_page", InResult: true}
	link := http.Header{"Link": {`<https://api.example.com/issues?page=3&per_page=100>; rel="next"`}}
	for _, bc := range []struct {
		name   string
		budget *Budget
		paging *Paging
	}{
		{"none", nil, nil},
		{"maxBytes", &Budget{MaxBytes: 64 << 10}, nil},
		{"select", &Budget{Select: project}, nil},
		{"select+maxBytes", &Budget{Select: project, MaxBytes: 64 << 10}, nil},
		{"paging", nil, paging},
	} {
		b.Run(bc.name, func(b *testing.B) {
			op := &Operation{Tool: "list_issues", Method: "GET", Path: "/issues", WrapOutput: true, OutputSchema: true, Budget: bc.budget, Paging: bc.paging,
				Params: []Param{{Name: "page", In: "query", Style: "form", Explode: true}, {Name: "per_page", In: "query", Style: "form", Explode: true}}}
			r := response(200, "application/json", body, op)
			r.Header["Link"] = link["Link"]
			r.args = map[string]any{"page": 2.0, "per_page": 100.0}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if res := r.Result(); res.IsError {
					b.Fatal(resultText(res))
				}
			}
		})
	}
}
