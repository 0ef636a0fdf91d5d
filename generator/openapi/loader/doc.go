// Package loader reads OpenAPI documents (3.0, 3.1 and Swagger 2.0, JSON or
// YAML) into kin-openapi's OpenAPI 3 model, keeping enough of the source to
// say where in it any node sits.
//
// # Loading
//
// Load detects the notation by content: a document whose first character is
// "{" is JSON, anything else YAML. The version field decides the rest:
// "openapi: 3.0.x" and "3.1.x" are read as they are, "swagger: 2.0" is read
// with kin-openapi's openapi2 package and converted with openapi2conv (the
// Document keeps Version "2.0"). openapi2 decodes with encoding/json, which
// matches keys to fields regardless of case; field names are case-sensitive,
// so a key of a Swagger object that differs from a field name only by case
// ("HOST") is dropped before decoding, with a warning, rather than taken for
// the field. $refs to other files are read through Options.ReadFile,
// relative to the document; a $ref to a URL is refused, and so is one that
// ReadFile refuses (fs.ReadFile refuses ".."). Cyclic $refs load:
// kin-openapi resolves them to cyclic Go values.
//
// The result is the document kin-openapi's Loader.LoadFromData builds (the
// tests compare the two), built several times faster. kin-openapi decodes its
// types natively from a YAML node tree, in one pass; what costs is parsing
// the text into that tree with the YAML parser, and, on its JSON path,
// decoding every object twice at every level. So Load parses JSON with a
// parser of its own that builds the same node tree the YAML parser would, in
// a fraction of the time, and then decodes the path items and the component
// entries — nearly all of a large document — concurrently, one worker per
// CPU, each with a typed decoder of its own (fast.go) that gives what
// kin-openapi's decoder would, and kin-openapi's decoder for what it
// declines. Each $ref to a component of the document itself is then linked
// to the component's value (link.go), as kin-openapi's ResolveRefsIn would;
// ResolveRefsIn resolves the rest, and an OpenAPI 3.0 document linked whole
// does not need it at all. YAML goes through the YAML parser (there is no
// cheaper correct way to read it) and then the same concurrent decode. See
// docs/performance.md for the numbers.
//
// Options.Exact leaves all of that to kin-openapi: the document is parsed
// whole, decoded by kin-openapi in one piece and resolved by ResolveRefsIn.
// It gives the same document (TestLinkRefs compares the two on every
// document it has), more slowly; Document.Declined lists the entries the
// typed decoder left to kin-openapi when it is not set.
//
// # Positions
//
// Loading keeps no positions: Document.Pos builds an index the first time it
// is called, by parsing the sources again with positions, and then walks a
// JSON pointer through it, following $refs into other files. For a Swagger
// 2.0 document, Pos takes pointers of the converted OpenAPI 3 document and
// maps them to the Swagger node they came from where that is plain
// (#/components/schemas/X is #/definitions/X; a body parameter is the
// operation's requestBody), and otherwise answers with the nearest node
// above. An unknown line or column is 0, never a made-up 1:1.
//
// # Validation
//
// Real documents fail kin-openapi's Validate for reasons that do not stop a
// generator — GitHub's own description has conflicting paths — so Load runs
// it without the checks of examples, defaults, patterns and formats, reports
// every remaining finding as a diag.Warning at the section, path, operation
// or component it names, and never refuses a document for them. Validation
// runs in two halves at once (components, and everything else), with the
// linked schema $refs pointing at an empty schema meanwhile, so that each
// component is validated once, where it is declared, and a problem in it is
// reported there, not again at everything that uses it. Hard errors
// are a document that is not JSON or YAML, not an OpenAPI or Swagger document
// or of an unsupported version, a value of the wrong type (a number where
// the servers list belongs: once decoding has failed, the node tree is
// walked against kin-openapi's types, by reflection on their json tags, for
// the first node that does not fit, and the error gives its pointer and
// position and what the specification expects there), a $ref that cannot be resolved (reported at
// the $ref), a file ReadFile cannot read, and what OpenAPI 3.1 allows but
// kin-openapi cannot represent.
//
// # OpenAPI 3.1
//
// kin-openapi v0.153 carries most of 3.1 (docs/openapi-support.md has the
// table, and TestOpenAPI31 checks each entry): type arrays and the "null"
// type, examples, const, $defs (and $refs into them), numeric
// exclusiveMinimum and exclusiveMaximum, prefixItems, if/then/else,
// dependentRequired, unevaluatedProperties, boolean schemas, the content*
// keywords, webhooks, jsonSchemaDialect, info.summary, license.identifier,
// the mutualTLS security scheme, and $refs to components.pathItems (which it
// otherwise keeps only as an extension of Components). What it cannot
// represent is refused with an error at the node: $dynamicRef, which it
// never resolves, and a $ref to an $anchor ("#name"). A description or
// summary written next to a $ref to a component other than a schema is
// applied by kin-openapi to the shared component, so Load warns about it.
package loader
