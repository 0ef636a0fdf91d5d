package manifest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// validate loads src, which must load without errors, and validates it.
func validate(t *testing.T, src string) string {
	t.Helper()
	f, diags := Load("m.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatalf("Load:\n%s", diagStrings(diags))
	}
	return diagStrings(Validate(f))
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"good", string(readTestdata(t, "full.yaml")), ""},
		{"server name", "name: my server\n", wantLines(
			`m.yaml:1:7: #/name: server name "my server" has invalid character " "; use letters, digits, '_', '-' and '.'`)},
		{"empty server name", "name: ''\n", wantLines(
			`m.yaml:1:7: #/name: the server has no name; set name: my-server`)},
		{"long server name", "name: " + strings.Repeat("s", 65) + "\n", wantLines(
			`m.yaml:1:7: #/name: server name is 65 characters long; the limit is 64; popular MCP clients break on longer names`)},
		{"tool names", "name: a\ntools:\n" +
			"  - {name: get pet, description: d, inputSchema: {type: object}}\n" +
			"  - {name: '', description: d, inputSchema: {type: object}}\n" +
			"  - {name: " + strings.Repeat("x", 65) + ", description: d, inputSchema: {type: object}}\n" +
			"  - {name: " + strings.Repeat("y", 64) + ", description: d, inputSchema: {type: object}}\n" +
			"  - {name: get_pet, description: d, inputSchema: {type: object}}\n" +
			"  - name: get_pet\n    description: d\n    inputSchema: {type: object}\n", wantLines(
			`m.yaml:3:12: #/tools/0/name: tool name "get pet" has invalid character " "; use letters, digits, '_', '-' and '.'`,
			`m.yaml:4:12: #/tools/1/name: the tool has no name`,
			`m.yaml:5:12: #/tools/2/name: tool name is 65 characters long; the limit is 64; popular MCP clients break on longer names`,
			`m.yaml:8:11: #/tools/5/name: duplicate tool name "get_pet" (first at line 7)`)},
		{"descriptions", "name: a\ntools:\n  - {name: t, description: '  ', inputSchema: {type: object}}\n", wantLines(
			`m.yaml:3:28: #/tools/0/description: tool "t" has no description; clients show it to the model, and the MCP conformance suite expects one`)},
		{"openapi good", "name: a\nopenapi:\n  spec: api.yaml\n  mode: dynamic\n  timeout: 5s\n" +
			"  include: [{tags: [pets], methods: [get]}]\n  exclude: [{paths: ['/admin/**']}]\n" +
			"  overrides: [{operation: listPets, name: pets, custom: true}]\n", ""},
		{"openapi bad", "name: a\nopenapi:\n  spec: ''\n  mode: lazy\n  baseURLEnv: 1X\n  timeout: soon\n" +
			"  include: [{}, {methods: [FETCH], paths: [pets]}]\n" +
			"  overrides:\n    - {operation: listPets, name: 'a b'}\n    - {operation: listPets, exclude: true, custom: true}\n", wantLines(
			`m.yaml:3:9: #/openapi/spec: openapi has no spec; set spec: to the path of the OpenAPI document, relative to the manifest`,
			`m.yaml:4:9: #/openapi/mode: unknown mode "lazy"; use static (one tool per operation) or dynamic`,
			`m.yaml:5:15: #/openapi/baseURLEnv: "1X" is not a valid environment variable name; use letters, digits and '_', not starting with a digit`,
			`m.yaml:6:12: #/openapi/timeout: timeout "soon" is not a positive duration; write it like 30s or 2m`,
			`m.yaml:7:13: #/openapi/include/0: empty filter matches every operation; give tags, operations, paths or methods`,
			`m.yaml:7:28: #/openapi/include/1/methods/0: unknown HTTP method "FETCH"; use GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE`,
			`m.yaml:7:44: #/openapi/include/1/paths/0: path glob "pets" does not start with /; paths are matched as the document writes them, e.g. /pets/*`,
			`m.yaml:9:35: #/openapi/overrides/0/name: tool name "a b" has invalid character " "; use letters, digits, '_', '-' and '.'`,
			`m.yaml:10:19: #/openapi/overrides/1/operation: duplicate override of operation "listPets" (first at line 9)`,
			`m.yaml:10:38: #/openapi/overrides/1/exclude: warning: operation "listPets" is excluded; the rest of its override has no effect`)},
		{"auth good", "name: a\nauth: {provider: github, scopes: [read:user, repo]}\ntools:\n" +
			"  - {name: t, description: d, inputSchema: {type: object}, auth: {users: [octocat], usersEnv: ALLOWED, scopes: [repo]}}\n", ""},
		{"auth bad", "name: a\nauth: {provider: gitlab, scopes: ['a b']}\ntools:\n" +
			"  - {name: t, description: d, inputSchema: {type: object}, auth: {}}\n" +
			"  - {name: u, description: d, inputSchema: {type: object}, auth: {users: [''], usersEnv: 9, scopes: [repo]}}\n", wantLines(
			`m.yaml:2:18: #/auth/provider: unknown provider "gitlab"; use github, google or oidc`,
			`m.yaml:2:35: #/auth/scopes/0: invalid scope "a b"; a scope is one word without spaces or quotes (RFC 6749 section 3.3)`,
			`m.yaml:4:66: #/tools/0/auth: empty auth rule; give users, usersEnv or scopes`,
			`m.yaml:5:75: #/tools/1/auth/users/0: invalid user ""; one login or email address per entry`,
			`m.yaml:5:90: #/tools/1/auth/usersEnv: "9" is not a valid environment variable name`,
			`m.yaml:5:102: #/tools/1/auth/scopes/0: warning: scope "repo" is not in auth.scopes: sign-in asks for it only when a client that supports step-up authorization calls the tool; users of other clients cannot call it; add it to auth.scopes to ask every user at sign-in`)},
		{"tool auth without auth", "name: a\ntools:\n  - {name: t, description: d, inputSchema: {type: object}, auth: {users: [x]}}\n", wantLines(
			`m.yaml:3:66: #/tools/0/auth: tool "t" has auth rules, but the server has no auth section; add auth: {provider: github} at the top level, or remove the rules`)},
		{"auth with stdio", "name: a\nauth: {provider: github}\ntransports: [streamable, stdio]\n", wantLines(
			`m.yaml:3:26: #/transports/1: transport "stdio" cannot be protected by auth: it has no HTTP requests to carry tokens; remove stdio from transports; with auth the server serves streamable and sse`)},
		{"auth with HTTP transports", "name: a\nauth: {provider: oidc}\ntransports: [sse]\n", ""},
		{"title like the name is fine", "name: a\ntools:\n  - {name: t, title: t, description: d, inputSchema: {type: object}}\n", ""},
		{"resources", "name: a\nresources:\n" +
			"  - {uri: help, name: h, text: t, mimeType: 'text/'}\n" +
			"  - {uri: 'x://a', name: '', text: t}\n" +
			"  - {uri: 'x://a', name: b, text: t}\n" +
			"  - {uri: 'x://%zz', name: c, text: t}\n" +
			"  - {uri: '', name: d, text: t}\n", wantLines(
			`m.yaml:3:11: #/resources/0/uri: resource URI "help" is not an absolute URI; give it a scheme, e.g. docs://help`,
			`m.yaml:3:45: #/resources/0/mimeType: invalid MIME type "text/"; write type/subtype, e.g. text/markdown`,
			`m.yaml:4:26: #/resources/1/name: resource "x://a" has no name`,
			`m.yaml:5:11: #/resources/2/uri: duplicate resource URI "x://a" (first at line 4)`,
			`m.yaml:6:11: #/resources/3/uri: resource URI "x://%zz" is not a valid URI: invalid URL escape "%zz"`,
			`m.yaml:7:11: #/resources/4/uri: the resource has no URI`)},
		{"prompts", "name: a\nprompts:\n" +
			"  - name: p\n    arguments: [{name: x}, {name: x}, {name: 'a b'}, {name: unused}]\n" +
			"    messages: [{role: system, text: 'hi {{y}} {{ x }} {{x}} {{}} {{#each list}}'}]\n" +
			"  - {name: p, messages: []}\n" +
			"  - {name: 'q q', messages: [{role: user, text: hi}]}\n", wantLines(
			`m.yaml:4:35: #/prompts/0/arguments/1/name: duplicate argument "x" (first at line 4)`,
			`m.yaml:4:46: #/prompts/0/arguments/2/name: argument name "a b" has invalid character " "; use letters, digits, '_', '-' and '.', so that {{a b}} can stand for it`,
			`m.yaml:4:61: #/prompts/0/arguments/3/name: warning: argument "unused" is not used in any message; write {{unused}} where its value belongs`,
			`m.yaml:5:23: #/prompts/0/messages/0/role: role "system" is not user or assistant`,
			`m.yaml:5:37: #/prompts/0/messages/0/text: placeholder {{ x }} has spaces, so it is not replaced; write {{x}}`,
			`m.yaml:5:37: #/prompts/0/messages/0/text: placeholder {{y}} names no argument of prompt "p"; declare it under arguments, or remove it`,
			`m.yaml:5:37: #/prompts/0/messages/0/text: placeholder {{}} names no argument`,
			`m.yaml:6:12: #/prompts/1/name: duplicate prompt name "p" (first at line 3)`,
			`m.yaml:6:25: #/prompts/1/messages: prompt "p" has no messages`,
			`m.yaml:7:12: #/prompts/2/name: prompt name "q q" has invalid character " "; use letters, digits, '_', '-' and '.'`)},
		{"transports", "name: a\ntransports: [streamable, websocket, stdio, stdio]\n", wantLines(
			`m.yaml:2:26: #/transports/1: unknown transport "websocket"; use streamable, sse or stdio`,
			`m.yaml:2:44: #/transports/3: transport "stdio" is listed twice`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := validate(t, c.yaml); got != c.want {
				t.Errorf("got:\n%swant:\n%s", got, c.want)
			}
		})
	}
}

// TestValidateAfterLoadErrors: Validate does not report again the nodes
// Load found faulty, nor anything under them.
func TestValidateAfterLoadErrors(t *testing.T) {
	src := "nmae: a\n" + // missing name: Load says so; Validate must not add "has no name"
		"tools:\n" +
		"  - [not, a, mapping]\n" + // nothing under #/tools/0
		"  - name: t\n    inputSchema: {type: object, maximum: .inf, properties: {a: {type: text}}}\n" + // the schema did not convert
		"  - {name: u, description: d, inputSchema: {type: object}, outputSchema: [a]}\n"
	f, diags := Load("m.yaml", []byte(src))
	want := wantLines(
		`m.yaml:1:1: #/name: missing required key "name"`,
		`m.yaml:1:1: #/nmae: unknown key "nmae"; did you mean "name"?`,
		`m.yaml:3:5: #/tools/0: expected a mapping, got a list`,
		`m.yaml:4:5: #/tools/1/description: missing required key "description"`,
		`m.yaml:5:42: #/tools/1/inputSchema/maximum: .inf is not a JSON number; JSON has no infinity or NaN; leave the keyword out`,
		`m.yaml:6:74: #/tools/2/outputSchema: expected a JSON Schema (a mapping), got a list; a tool's schema is a mapping such as {type: object}`)
	if got := diagStrings(diags); got != want {
		t.Errorf("Load:\n%swant:\n%s", got, want)
	}
	if got := diagStrings(Validate(f)); got != "" {
		t.Errorf("Validate repeats or adds:\n%s", got)
	}
}

// toolWith returns a manifest with one tool whose input schema is schema,
// written in YAML flow style on line 6.
func toolWith(schema string) string {
	return "name: a\ntools:\n  - name: t\n    description: d\n    inputSchema:\n      " + schema + "\n"
}

func TestToolSchemas(t *testing.T) {
	for _, c := range []struct {
		name, schema, want string
	}{
		{"minimal", `{type: object}`, ""},
		{"not an object", `{type: array}`, wantLines(
			`m.yaml:6:14: #/tools/0/inputSchema/type: inputSchema must have type: object, not "array"; MCP tool arguments are JSON objects; the MCP SDK panics at start-up on any other input schema`)},
		{"type as a list", `{type: [object]}`, wantLines(
			`m.yaml:6:14: #/tools/0/inputSchema/type: inputSchema must have type: object, not ["object"]; MCP tool arguments are JSON objects; the MCP SDK panics at start-up on any other input schema`)},
		{"no type", `{properties: {}}`, wantLines(
			`m.yaml:6:7: #/tools/0/inputSchema: inputSchema has no type; it must have type: object; MCP tool arguments are JSON objects; the MCP SDK panics at start-up on any other input schema`)},
		{"types", `{type: object, properties: {a: {type: text}, b: {type: [string, strng, 5, string]}, c: {type: []}, d: {type: {}}}}`, wantLines(
			`m.yaml:6:45: #/tools/0/inputSchema/properties/a/type: unknown type "text"; use one of object, array, string, number, integer, boolean, null`,
			`m.yaml:6:71: #/tools/0/inputSchema/properties/b/type/1: unknown type "strng"; did you mean "string"?`,
			`m.yaml:6:78: #/tools/0/inputSchema/properties/b/type/2: type must name a type (a string), got a number`,
			`m.yaml:6:81: #/tools/0/inputSchema/properties/b/type/3: type "string" is listed twice`,
			`m.yaml:6:101: #/tools/0/inputSchema/properties/c/type: type must name at least one type`,
			`m.yaml:6:116: #/tools/0/inputSchema/properties/d/type: type must name a type (a string), got a mapping`)},
		{"patterns", `{type: object, properties: {code: {type: string, pattern: "^(?!admin).*$"}, n: {pattern: 5}}, patternProperties: {"a(?=b)": {}, "\\d+": {}}}`, wantLines(
			"m.yaml:6:65: #/tools/0/inputSchema/properties/code/pattern: pattern \"^(?!admin).*$\" does not compile with Go's regexp: invalid or unsupported Perl syntax: `(?!`; Go's regexp (RE2) has no lookaround or backreferences; rewrite the pattern",
			`m.yaml:6:96: #/tools/0/inputSchema/properties/n/pattern: pattern must be a string, got a number`,
			"m.yaml:6:121: #/tools/0/inputSchema/patternProperties/a(?=b): pattern \"a(?=b)\" does not compile with Go's regexp: invalid or unsupported Perl syntax: `(?=`; Go's regexp (RE2) has no lookaround or backreferences; rewrite the pattern")},
		{"defaults", `{type: object, properties: {a: {type: integer, minimum: 1, default: 0}, b: {enum: [x, y], default: z}, c: {type: object, properties: {d: {type: string}}, default: {d: 5}}, e: {$ref: "#/$defs/e", default: 1.5}, f: {type: string, default: null}}, $defs: {e: {type: integer}}}`, wantLines(
			`m.yaml:6:75: #/tools/0/inputSchema/properties/a/default: default 0 does not match its schema: minimum: 0 is less than 1; the MCP SDK refuses the tool at start-up; fix the default or the schema`,
			`m.yaml:6:106: #/tools/0/inputSchema/properties/b/default: default "z" does not match its schema: enum: z does not equal any of: [x y]; the MCP SDK refuses the tool at start-up; fix the default or the schema`,
			`m.yaml:6:170: #/tools/0/inputSchema/properties/c/default: default {"d":5} does not match its schema: at /properties/d: type: 5 has type "integer", want "string"; the MCP SDK refuses the tool at start-up; fix the default or the schema`,
			`m.yaml:6:211: #/tools/0/inputSchema/properties/e/default: default 1.5 does not match its schema: at /$defs/e: type: 1.5 has type "number", want "integer"; the MCP SDK refuses the tool at start-up; fix the default or the schema`,
			`m.yaml:6:244: #/tools/0/inputSchema/properties/f/default: default null does not match its schema: type: <invalid reflect.Value> has type "null", want "string"; the MCP SDK refuses the tool at start-up; fix the default or the schema`)},
		{"defaults beside other problems", `{type: object, properties: {a: {type: integer, minimum: 1, default: 0}, b: {pattern: "(?!x)", default: 1}, c: {$ref: "#/$defs/x", default: 1}}}`, wantLines(
			`m.yaml:6:75: #/tools/0/inputSchema/properties/a/default: default 0 does not match its schema: minimum: 0 is less than 1; the MCP SDK refuses the tool at start-up; fix the default or the schema`,
			"m.yaml:6:92: #/tools/0/inputSchema/properties/b/pattern: pattern \"(?!x)\" does not compile with Go's regexp: invalid or unsupported Perl syntax: `(?!`; Go's regexp (RE2) has no lookaround or backreferences; rewrite the pattern",
			`m.yaml:6:124: #/tools/0/inputSchema/properties/c/$ref: $ref "#/$defs/x" does not resolve`)},
		{"refs", `{type: object, properties: {a: {$ref: "#/$defs/missing"}, b: {$ref: "other.json#/a"}, c: {$ref: "#/properties/a"}, d: {$ref: "#anchor"}, e: {$ref: 5}, f: {$ref: "#/$defs/x~1y"}, g: {$ref: "#/$defs/x%20z"}}, $defs: {x/y: {}, x z: {}}}`, wantLines(
			`m.yaml:6:45: #/tools/0/inputSchema/properties/a/$ref: $ref "#/$defs/missing" does not resolve`,
			`m.yaml:6:75: #/tools/0/inputSchema/properties/b/$ref: $ref "other.json#/a" is not a local reference; external references are not supported; move the schema under $defs`,
			`m.yaml:6:103: #/tools/0/inputSchema/properties/c/$ref: $ref "#/properties/a" does not point into $defs or definitions; mcpgen supports references to $defs and definitions only: move the schema there`,
			`m.yaml:6:132: #/tools/0/inputSchema/properties/d/$ref: $ref "#anchor" does not point into $defs or definitions; mcpgen supports references to $defs and definitions only: move the schema there`,
			`m.yaml:6:154: #/tools/0/inputSchema/properties/e/$ref: $ref must be a string, got a number`)},
		{"ref cycles", `{type: object, properties: {a: {$ref: "#/$defs/a"}, tree: {$ref: "#/$defs/node"}}, $defs: {a: {allOf: [{$ref: "#/$defs/b"}]}, b: {anyOf: [{type: string}, {$ref: "#/$defs/a"}]}, c: {$ref: "#/$defs/c"}, node: {type: object, properties: {kids: {type: array, items: {$ref: "#/$defs/node"}}}}}}`, wantLines(
			`m.yaml:6:117: #/tools/0/inputSchema/$defs/a/allOf/0/$ref: $ref "#/$defs/b" loops back without descending into the value (#/$defs/b → #/$defs/a → #/$defs/b); validating any value would recurse forever; recurse through properties or items instead`,
			`m.yaml:6:194: #/tools/0/inputSchema/$defs/c/$ref: $ref "#/$defs/c" loops back without descending into the value (#/$defs/c → #/$defs/c); validating any value would recurse forever; recurse through properties or items instead`)},
		{"keyword values", `{type: object, properties: {a: {minLength: -1, maxLength: 1.5, minItems: 2.0, maxItems: 3000000000, minimum: "1", multipleOf: 0, exclusiveMinimum: true, required: [1], uniqueItems: "yes", enum: a, format: 1, items: [{}, 1], allOf: [], properties: [], dependentRequired: {x: y}}}}`, wantLines(
			`m.yaml:6:50: #/tools/0/inputSchema/properties/a/minLength: minLength must not be negative, got -1`,
			`m.yaml:6:65: #/tools/0/inputSchema/properties/a/maxLength: maxLength must be a non-negative integer, got 1.5`,
			`m.yaml:6:95: #/tools/0/inputSchema/properties/a/maxItems: maxItems is too large: 3000000000; the MCP SDK reads it as a 32-bit integer`,
			`m.yaml:6:116: #/tools/0/inputSchema/properties/a/minimum: minimum must be a number, got the string "1"`,
			`m.yaml:6:133: #/tools/0/inputSchema/properties/a/multipleOf: multipleOf must be greater than 0, got 0`,
			`m.yaml:6:154: #/tools/0/inputSchema/properties/a/exclusiveMinimum: exclusiveMinimum must be a number, got true; the boolean form is draft-04's; since draft-06 exclusiveMinimum is the limit itself`,
			`m.yaml:6:171: #/tools/0/inputSchema/properties/a/required/0: required must list property names (strings), got a number`,
			`m.yaml:6:188: #/tools/0/inputSchema/properties/a/uniqueItems: uniqueItems must be true or false, got the string "yes"`,
			`m.yaml:6:201: #/tools/0/inputSchema/properties/a/enum: enum must be a list, got the string "a"`,
			`m.yaml:6:212: #/tools/0/inputSchema/properties/a/format: format must be a string, got a number`,
			`m.yaml:6:227: #/tools/0/inputSchema/properties/a/items/1: a schema must be a mapping or a boolean, got a number`,
			`m.yaml:6:238: #/tools/0/inputSchema/properties/a/allOf: allOf must list at least one schema`,
			`m.yaml:6:254: #/tools/0/inputSchema/properties/a/properties: properties must be a mapping of names to schemas, got a list`,
			`m.yaml:6:281: #/tools/0/inputSchema/properties/a/dependentRequired/x: dependentRequired must be a list of property names, got the string "y"`)},
		{"keyword spelling", `{type: object, properties: {a: {Type: string, maxLenght: 3, example: 4, x-nullable: true, nullable: true, readonly: true}}}`, wantLines(
			`m.yaml:6:39: #/tools/0/inputSchema/properties/a/Type: keyword "Type" must be written "type"; JSON Schema keywords are case-sensitive, yet the MCP SDK reads "Type" as "type"`,
			`m.yaml:6:53: #/tools/0/inputSchema/properties/a/maxLenght: warning: unknown keyword "maxLenght" is ignored; did you mean "maxLength"?`,
			`m.yaml:6:67: #/tools/0/inputSchema/properties/a/example: warning: unknown keyword "example" is ignored; did you mean "examples"?`,
			`m.yaml:6:113: #/tools/0/inputSchema/properties/a/readonly: warning: keyword "readonly" should be written "readOnly"; JSON Schema keywords are case-sensitive, yet the MCP SDK reads "readonly" as "readOnly"`)},
		{"unsupported", `{$schema: "http://json-schema.org/draft-04/schema#", $id: other.json, type: object, $defs: {}, definitions: {}, properties: {a: {$id: "https://x.example", $anchor: a, $dynamicRef: "#a"}}}`, wantLines(
			`m.yaml:6:17: #/tools/0/inputSchema/$schema: $schema "http://json-schema.org/draft-04/schema#" is not a version the MCP SDK validates; use https://json-schema.org/draft/2020-12/schema, or leave $schema out`,
			`m.yaml:6:65: #/tools/0/inputSchema/$id: $id "other.json" is not an absolute URI; the MCP SDK resolves $id against no base; use an absolute URI, or leave $id out`,
			`m.yaml:6:102: #/tools/0/inputSchema/definitions: a schema may have $defs or definitions, not both; move these under $defs`,
			`m.yaml:6:136: #/tools/0/inputSchema/properties/a/$id: $id is only supported at the root of a tool's schema; mcpgen resolves every $ref against the root; move the schema under the root's $defs`,
			`m.yaml:6:162: #/tools/0/inputSchema/properties/a/$anchor: $anchor is not supported; mcpgen supports $ref to $defs and definitions only: write $ref: '#/$defs/name'`,
			`m.yaml:6:174: #/tools/0/inputSchema/properties/a/$dynamicRef: $dynamicRef is not supported; mcpgen supports $ref to $defs and definitions only: write $ref: '#/$defs/name'`)},
		{"supported versions", `{$schema: "http://json-schema.org/draft-07/schema#", $id: "https://example.com/s.json", type: object, definitions: {a: {type: string}}, properties: {a: {$ref: "#/definitions/a"}}}`, ""},
		{"required", `{type: object, properties: {name: {}, b: {}}, required: [nmae, b], patternProperties: {"^x-": {}}, allOf: [{required: [x-y, other]}]}`, wantLines(
			`m.yaml:6:64: #/tools/0/inputSchema/required/0: warning: required property "nmae" is not declared under properties; did you mean "name"?`)},
		{"required and no additional properties", `{type: object, properties: {a: {}}, required: [b], additionalProperties: false}`, wantLines(
			`m.yaml:6:54: #/tools/0/inputSchema/required/0: warning: required property "b" is not declared under properties; with additionalProperties: false, no value can have it`)},
		{"empty enum", `{type: object, properties: {a: {enum: []}}}`, wantLines(
			`m.yaml:6:45: #/tools/0/inputSchema/properties/a/enum: warning: enum lists no values, so no value is valid`)},
		{"headers", `{type: object, properties: {a: {type: string, x-mcp-header: X-A}, b: {type: object, x-mcp-header: X-B}, c: {type: string, x-mcp-header: "bad header"}, d: {type: object, properties: {e: {type: integer, x-mcp-header: x-a}, f: {type: boolean, x-mcp-header: ""}}}}}`, wantLines(
			`m.yaml:6:105: #/tools/0/inputSchema/properties/b/x-mcp-header: x-mcp-header is only allowed on a property of type string, integer or boolean; the MCP SDK panics at start-up otherwise`,
			`m.yaml:6:143: #/tools/0/inputSchema/properties/c/x-mcp-header: x-mcp-header "bad header" is not a valid HTTP header name; use letters, digits and !#$%&'*+-.^_`+"`"+`|~`,
			`m.yaml:6:222: #/tools/0/inputSchema/properties/d/properties/e/x-mcp-header: x-mcp-header "x-a" is already used by #/tools/0/inputSchema/properties/a; header names must be unique, ignoring case`,
			`m.yaml:6:261: #/tools/0/inputSchema/properties/d/properties/f/x-mcp-header: x-mcp-header must be a non-empty string (an HTTP header name)`)},
		{"headers the SDK cannot read", `{type: object, properties: {a: {type: string, x-mcp-header: X-A}, b: {type: [string, "null"]}}}`, wantLines(
			`m.yaml:6:83: #/tools/0/inputSchema/properties/b/type: warning: the MCP SDK ignores every x-mcp-header of this tool, because it cannot read this schema's type or properties; give each property a single type`)},
		{"nesting", "{type: object, x: " + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "}", wantLines(
			"m.yaml:6:1024: #/tools/0/inputSchema/x" + strings.Repeat("/0", 999) + ": the schema nests more than 1000 levels deep (1001); the MCP SDK refuses deeper JSON")},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := validate(t, toolWith(c.schema)); got != c.want {
				t.Errorf("got:\n%swant:\n%s", got, c.want)
			}
		})
	}
}

func TestOutputSchema(t *testing.T) {
	src := "name: a\ntools:\n  - name: t\n    description: d\n    inputSchema: {type: object}\n    outputSchema: {type: string, pattern: '(?<!x)'}\n"
	want := wantLines(
		`m.yaml:6:26: #/tools/0/outputSchema/type: outputSchema must have type: object, not "string"; the generated server returns structured content, which MCP requires to be a JSON object`,
		"m.yaml:6:43: #/tools/0/outputSchema/pattern: pattern \"(?<!x)\" does not compile with Go's regexp: invalid named capture: `(?<!x)`; Go's regexp (RE2) has no lookaround or backreferences; rewrite the pattern")
	if got := validate(t, src); got != want {
		t.Errorf("got:\n%swant:\n%s", got, want)
	}
}

// addTool registers a tool with the real MCP SDK, as the generated server
// does, and returns what it panicked with, if it did.
func addTool(in, out json.RawMessage) (panicked any) {
	defer func() { panicked = recover() }()
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "0"}, nil)
	tool := &mcp.Tool{Name: "t", Description: "d", InputSchema: in}
	if out != nil {
		tool.OutputSchema = out
	}
	mcp.AddTool(s, tool, func(context.Context, *mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, map[string]any, error) {
		return nil, nil, nil
	})
	return nil
}

// TestSDKAgreement registers input schemas with the real MCP SDK, as the
// generated server does: every schema the SDK panics on must be an error
// here, and every valid one must pass both. The rules mcpgen adds on top
// (schemas the SDK accepts, but that are invalid JSON Schema or that mcpgen
// does not support) are marked.
func TestSDKAgreement(t *testing.T) {
	const (
		valid = iota
		sdkPanics
		mcpgenRule
	)
	for _, c := range []struct {
		schema string
		want   int
	}{
		{`{type: object}`, valid},
		{`{type: object, properties: {a: {type: string, pattern: "^[a-z]+$", default: abc}}}`, valid},
		{`{type: object, properties: {t: {$ref: "#/$defs/n"}}, $defs: {n: {type: object, properties: {kids: {type: array, items: {$ref: "#/$defs/n"}}}, default: {kids: [{}]}}}}`, valid},
		{`{$schema: "http://json-schema.org/draft-07/schema#", type: object, definitions: {a: {type: integer, default: 1}}, properties: {a: {$ref: "#/definitions/a"}}}`, valid},
		{`{type: object, properties: {a: {type: string, x-mcp-header: X-A}, b: {type: integer, x-mcp-header: X-B}}}`, valid},
		{`{type: array}`, sdkPanics},
		{`{type: [object]}`, sdkPanics},
		{`{properties: {}}`, sdkPanics},
		{`{type: object, properties: {a: {pattern: "(?!x)"}}}`, sdkPanics},
		{`{type: object, patternProperties: {"(?=x)": {}}}`, sdkPanics},
		{`{type: object, properties: {a: {type: integer, default: "x"}}}`, sdkPanics},
		{`{type: object, properties: {a: {$ref: "#/$defs/nope"}}}`, sdkPanics},
		{`{type: object, properties: {a: {$ref: "https://example.com/s.json"}}}`, sdkPanics},
		{`{type: object, properties: {a: {minLength: 1.5}}}`, sdkPanics},
		{`{type: object, properties: {a: {maxItems: 3000000000}}}`, sdkPanics},
		{`{type: object, properties: {a: {minimum: "1"}}}`, sdkPanics},
		{`{type: object, properties: {a: {exclusiveMinimum: true}}}`, sdkPanics},
		{`{type: object, properties: {a: {required: a}}}`, sdkPanics},
		{`{type: object, properties: {a: {items: 5}}}`, sdkPanics},
		{`{type: object, properties: {a: {type: 5}}}`, sdkPanics},
		{`{type: object, properties: {a: {additionalProperties: "no"}}}`, sdkPanics},
		{`{type: object, $defs: {}, definitions: {}}`, sdkPanics},
		{`{$schema: "http://json-schema.org/draft-04/schema#", type: object}`, sdkPanics},
		{`{$id: "relative.json", type: object}`, sdkPanics},
		{`{type: object, properties: {a: {$dynamicRef: "#x"}}}`, sdkPanics},
		{`{type: object, properties: {a: {type: string, x-mcp-header: "a b"}}}`, sdkPanics},
		{`{type: object, properties: {a: {type: object, x-mcp-header: A}}}`, sdkPanics},
		{`{type: object, properties: {a: {type: string, x-mcp-header: A}, b: {type: string, x-mcp-header: a}}}`, sdkPanics},
		{`{type: object, properties: {a: {Pattern: "(?!x)"}}}`, sdkPanics},
		{`{type: object, properties: {a: {$ref: "#/$defs/a"}}, $defs: {a: {type: string, default: 1}}}`, sdkPanics},
		{`{type: object, x: ` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`, sdkPanics},
		{`{type: object, properties: {a: {type: text}}}`, mcpgenRule},
		{`{type: object, properties: {a: {minLength: -1}}}`, mcpgenRule},
		{`{type: object, properties: {a: {multipleOf: 0}}}`, mcpgenRule},
		{`{type: object, properties: {a: {allOf: []}}}`, mcpgenRule},
		{`{type: object, properties: {a: {$ref: "#/properties/b"}, b: {}}}`, mcpgenRule},
		{`{type: object, properties: {a: {$id: "https://example.com/a"}}}`, mcpgenRule},
		{`{type: object, properties: {a: {$anchor: x}}}`, mcpgenRule},
		{`{type: object, properties: {a: {Pattern: "x"}}}`, mcpgenRule},
		// The SDK accepts a $ref cycle, and then recurses forever on the
		// first call; it is not registered here for that reason.
	} {
		t.Run(c.schema[:min(len(c.schema), 60)], func(t *testing.T) {
			f, diags := Load("m.yaml", []byte(toolWith(c.schema)))
			if diags.HasErrors() {
				t.Fatalf("Load:\n%s", diagStrings(diags))
			}
			p := addTool(f.Manifest.Tools[0].InputSchema.JSON, nil)
			if (p != nil) != (c.want == sdkPanics) {
				t.Errorf("SDK panic = %v, want a panic: %v", p, c.want == sdkPanics)
			}
			vd := Validate(f)
			if vd.HasErrors() != (c.want != valid) {
				t.Errorf("Validate errors: %v, want some: %v\n%s", vd.HasErrors(), c.want != valid, diagStrings(vd))
			}
		})
	}
}

// TestBackstop: an error only the library finds is still reported, at the
// schema node its message names.
func TestBackstop(t *testing.T) {
	c := &checker{v: &validator{f: &File{Filename: "m.yaml"}}, rootPtr: "#/tools/0/inputSchema", nodes: map[string]any{
		"#/tools/0/inputSchema/properties/a~1b": true,
	}}
	err := fmt.Errorf(`jsonschema.Schema: validating /properties/a~1b: something`)
	if got, want := c.libraryPointer(err), "#/tools/0/inputSchema/properties/a~1b"; got != want {
		t.Errorf("libraryPointer = %q, want %q", got, want)
	}
	if got, want := c.libraryPointer(fmt.Errorf("no path")), "#/tools/0/inputSchema"; got != want {
		t.Errorf("libraryPointer = %q, want %q", got, want)
	}
	if got, want := libraryMessage(fmt.Errorf("validating root: validating /properties/x: minimum: 0/1 is less than 1.500000")), "at /properties/x: minimum: 0 is less than 1.5"; got != want {
		t.Errorf("libraryMessage = %q, want %q", got, want)
	}
}
