package upstream

import (
	"context"
	"io"
	"net/http"
	"testing"
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
