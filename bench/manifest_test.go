package bench

import (
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/generator"
)

// The 200-tool manifest: 25 kinds of thing × 8 kinds of tool, each kind of
// tool with its own shape of schema, so that together they exercise what
// real manifests use: nested objects, enums (also inside arrays), arrays of
// objects, maps, nullable types, formats, defaults, patterns, bounds,
// $defs with $ref (also recursive, and in output schemas), oneOf, empty
// schemas and tools without arguments or output.

var things = []struct{ one, many string }{
	{"user", "users"}, {"order", "orders"}, {"invoice", "invoices"}, {"project", "projects"},
	{"ticket", "tickets"}, {"repository", "repositories"}, {"file", "files"}, {"event", "events"},
	{"alert", "alerts"}, {"build", "builds"}, {"deployment", "deployments"}, {"metric", "metrics"},
	{"log stream", "log streams"}, {"secret", "secrets"}, {"team", "teams"}, {"comment", "comments"},
	{"payment", "payments"}, {"product", "products"}, {"shipment", "shipments"}, {"contract", "contracts"},
	{"device", "devices"}, {"sensor", "sensors"}, {"report", "reports"}, {"campaign", "campaigns"},
	{"subscription", "subscriptions"},
}

// toolShapes are the kinds of tool, as YAML list items. {{id}} is the
// thing's identifier (log_streams), {{one}} and {{many}} its names in prose.
var toolShapes = []string{
	// create: flat and nested objects, enum with default, pattern, formats,
	// array bounds, additionalProperties: false.
	`  - name: create_{{id}}
    title: Create {{one}}
    description: Create a {{one}} with a name, labels, an owner and an optional location. Returns the new {{one}}'s id.
    inputSchema:
      type: object
      properties:
        name: {type: string, minLength: 1, maxLength: 200, description: "The {{one}}'s display name."}
        slug: {type: string, pattern: "^[a-z0-9-]+$", description: A URL-safe identifier; derived from the name when absent.}
        visibility:
          type: string
          enum: [private, internal, public]
          default: private
          description: Who can see the {{one}}.
        labels:
          type: array
          items: {type: string, maxLength: 64}
          maxItems: 20
          uniqueItems: true
        owner:
          type: object
          description: Who owns the {{one}}.
          properties:
            id: {type: string}
            email: {type: string, format: email}
            team: {type: string}
          required: [id]
        location:
          type: object
          properties:
            lat: {type: number, minimum: -90, maximum: 90}
            lon: {type: number, minimum: -180, maximum: 180}
          required: [lat, lon]
        due: {type: string, format: date-time, description: When the {{one}} is due (RFC 3339).}
      required: [name, owner]
      additionalProperties: false
    outputSchema:
      type: object
      properties:
        id: {type: string}
        created: {type: boolean}
        version: {type: integer, minimum: 1}
      required: [id, created]
    annotations: {destructiveHint: false, idempotentHint: false}
`,
	// search: $defs with $ref (nested), nullable types, enum, defaults, and
	// $defs in the output schema.
	`  - name: search_{{id}}
    title: Search {{many}}
    description: Search {{many}} by free text, with filters; returns matching ids, best first.
    inputSchema:
      type: object
      properties:
        query: {type: string, description: Free text to match.}
        limit: {type: integer, minimum: 1, maximum: 100, default: 20}
        cursor: {type: ["string", "null"], description: Where the previous page ended.}
        sort:
          type: string
          enum: [relevance, newest, oldest, name]
        filter: {$ref: "#/$defs/filter"}
      required: [query]
      $defs:
        filter:
          type: object
          description: Restricts the {{many}} searched.
          properties:
            labels: {type: array, items: {type: string}}
            archived: {type: ["boolean", "null"]}
            created_after: {type: string, format: date-time}
            size: {$ref: "#/$defs/range"}
        range:
          type: object
          properties:
            from: {type: integer}
            to: {type: integer}
    outputSchema:
      type: object
      properties:
        items:
          type: array
          items: {$ref: "#/$defs/hit"}
        next_cursor: {type: ["string", "null"]}
        total: {type: integer}
      required: [items]
      $defs:
        hit:
          type: object
          properties:
            id: {type: string}
            score: {type: number}
            snippet: {type: string}
          required: [id, score]
    annotations: {readOnlyHint: true, openWorldHint: false}
`,
	// get: enum items, maps, arrays of nested objects, empty schemas.
	`  - name: get_{{id}}
    title: Get {{one}}
    description: Get one {{one}} by id, with its metadata and change history.
    inputSchema:
      type: object
      properties:
        id: {type: string, minLength: 1}
        include:
          type: array
          items: {type: string, enum: [owner, labels, history, metadata]}
      required: [id]
    outputSchema:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        metadata: {type: object, additionalProperties: {type: string}}
        counters: {type: object, additionalProperties: {type: integer}}
        history:
          type: array
          items:
            type: object
            properties:
              at: {type: string, format: date-time}
              actor: {type: string}
              change:
                type: object
                properties:
                  field: {type: string}
                  before: {}
                  after: {}
                required: [field]
            required: [at, actor]
      required: [id, name]
    annotations: {readOnlyHint: true}
`,
	// update: a nested patch object, oneOf, a map of mixed types.
	`  - name: update_{{id}}
    title: Update {{one}}
    description: Change some fields of a {{one}}. Fields not in the patch are left as they are.
    inputSchema:
      type: object
      properties:
        id: {type: string}
        patch:
          type: object
          properties:
            name: {type: string, minLength: 1}
            status: {type: string, enum: [open, in_progress, blocked, done]}
            priority: {type: integer, minimum: 0, maximum: 5}
            assignee: {type: ["string", "null"]}
            attributes:
              type: object
              additionalProperties: {type: ["string", "number", "boolean"]}
            value:
              oneOf:
                - {type: string}
                - {type: number}
          additionalProperties: false
        if_version: {type: integer, minimum: 1, description: Fail unless the {{one}} is at this version.}
      required: [id, patch]
    outputSchema:
      type: object
      properties:
        id: {type: string}
        version: {type: integer}
        changed: {type: array, items: {type: string}}
      required: [id, version]
    annotations: {idempotentHint: true}
`,
	// import_tree: a recursive $ref; no output schema.
	`  - name: import_{{id}}_tree
    title: Import {{many}} as a tree
    description: Import a tree of {{many}}, folders first. Answers with a summary as text.
    inputSchema:
      type: object
      properties:
        root: {$ref: "#/$defs/node"}
        max_depth: {type: integer, minimum: 1, maximum: 10}
      required: [root]
      $defs:
        node:
          type: object
          properties:
            name: {type: string}
            kind: {type: string, enum: [folder, item, link]}
            children: {type: array, items: {$ref: "#/$defs/node"}}
          required: [name, kind]
`,
	// batch: arrays of objects nested three levels deep.
	`  - name: batch_{{id}}
    title: Batch {{many}}
    description: Create, update or delete many {{many}} at once; each operation succeeds or fails on its own.
    inputSchema:
      type: object
      properties:
        operations:
          type: array
          minItems: 1
          maxItems: 100
          items:
            type: object
            properties:
              op: {type: string, enum: [create, update, delete]}
              id: {type: string}
              fields:
                type: object
                properties:
                  name: {type: string}
                  tags: {type: array, items: {type: string}}
                  limits:
                    type: object
                    properties:
                      soft: {type: integer, minimum: 0}
                      hard: {type: integer, minimum: 0}
            required: [op]
        dry_run: {type: boolean, default: false}
      required: [operations]
    outputSchema:
      type: object
      properties:
        results:
          type: array
          items:
            type: object
            properties:
              index: {type: integer}
              ok: {type: boolean}
              error: {type: string}
            required: [index, ok]
      required: [results]
    annotations: {destructiveHint: true}
`,
	// status: no arguments, no output schema.
	`  - name: {{id}}_status
    description: Report whether the {{many}} service is healthy.
    inputSchema: {type: object}
    annotations: {readOnlyHint: true, openWorldHint: false}
`,
	// aggregate: numbers, bounds, exclusiveMinimum.
	`  - name: aggregate_{{id}}
    title: Aggregate {{one}} values
    description: Aggregate a series of {{one}} values over a window.
    inputSchema:
      type: object
      properties:
        values: {type: array, items: {type: number}, minItems: 1}
        window: {type: integer, minimum: 1, maximum: 3600, default: 60, description: Window in seconds.}
        aggregate: {type: string, enum: [sum, mean, min, max, p50, p99]}
        scale: {type: number, exclusiveMinimum: 0}
        round: {type: boolean}
      required: [values, aggregate]
      additionalProperties: false
    outputSchema:
      type: object
      properties:
        result: {type: number}
        count: {type: integer}
        unit: {type: string}
      required: [result, count]
    annotations: {readOnlyHint: true}
`,
}

// manifest200 returns the benchmark manifest, as YAML.
func manifest200() []byte {
	var b strings.Builder
	b.WriteString(`# yaml-language-server: $schema=https://raw.githubusercontent.com/mcpgen/mcpgen/main/schemas/mcpgen.schema.json
name: big-server
title: Everything
version: 2.0.0
instructions: |
  Manages many kinds of thing. Search before creating,
  and prefer batch tools for more than a few changes.

tools:
`)
	for _, t := range things {
		id := strings.ReplaceAll(t.many, " ", "_")
		r := strings.NewReplacer("{{id}}", id, "{{one}}", t.one, "{{many}}", t.many)
		for _, shape := range toolShapes {
			b.WriteString(r.Replace(shape))
			b.WriteString("\n")
		}
	}
	b.WriteString(`resources:
  - uri: docs://help
    name: help
    title: How to use this server
    mimeType: text/markdown
    text: |
      # Everything
      Search with search_*, change with update_* and batch_*.
  - {uri: "docs://limits", name: limits, text: "100 operations per batch."}

prompts:
  - name: triage
    description: Triage open tickets on a topic.
    arguments:
      - {name: topic, description: What to triage., required: true}
      - {name: owner}
    messages:
      - role: user
        text: "Triage the open tickets about {{topic}} owned by {{owner}}."

transports: [streamable, sse, stdio]
`)
	return []byte(b.String())
}

// TestManifest200 checks that the benchmark manifest is valid and has 200
// tools; it is fast, so it runs with every go test.
func TestManifest200(t *testing.T) {
	m := manifest200()
	if n := strings.Count(string(m), "\n  - name: ") - 1; n != 200 { // minus the prompt
		t.Errorf("manifest has %d tools, want 200", n)
	}
	if diags := generator.Validate(&generator.Input{ManifestPath: "mcpgen.yaml", Manifest: m}); len(diags) > 0 {
		t.Fatalf("the benchmark manifest has problems:\n%s", diags.Format(0))
	}
	if len(things)*len(toolShapes) != 200 {
		t.Errorf("%d things × %d shapes != 200", len(things), len(toolShapes))
	}
}
