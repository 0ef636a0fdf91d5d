package loader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// validationOptions turn off the checks that real documents fail for
// reasons that do not matter to a generator: examples and defaults that do
// not match their schema (GitHub's own description has one), patterns in a
// regexp dialect Go's regexp does not compile, and formats kin-openapi does
// not know. Every finding is reported, not only the first.
var validationOptions = []openapi3.ValidationOption{
	openapi3.DisableExamplesValidation(),
	openapi3.DisableSchemaDefaultsValidation(),
	openapi3.DisableSchemaPatternValidation(),
	openapi3.DisableSchemaFormatValidation(),
	openapi3.EnableMultiError(),
}

// validationOptions31 add, for OpenAPI 3.1, the one field of 3.1 kin-openapi
// has no place for but resolves $refs into: components.pathItems.
var validationOptions31 = append(validationOptions[:len(validationOptions):len(validationOptions)],
	openapi3.AllowExtraSiblingFields("pathItems"))

// validationOptions returns the options for d, with no room to grow: Validate
// appends to them, and the two halves run at once.
func (d *Document) validationOptions() []openapi3.ValidationOption {
	if strings.HasPrefix(d.Version, "3.1") {
		return slices.Clip(validationOptions31)
	}
	return slices.Clip(validationOptions)
}

// validateWith runs kin-openapi's validation and returns its findings as
// warnings, each at the section, path, operation or component it concerns.
//
// kin-openapi validates a schema with everything it reaches: each of
// GitHub's 10,000 $refs had it validate its target again, and what that
// target refers to, which was most of the time validation took, and
// reported a problem in a component at every operation that uses it too.
// So while it runs, the schema $refs linked on loading (see linkRefs) point
// at an empty schema: each component is validated once, where it is
// declared. They are put back before validateWith returns.
//
// Validation is read-only otherwise, and most of its time goes to two
// independent parts, the components and the paths, so they are validated at
// once: one copy of the document without its paths, one with no components
// but the security schemes its security requirements name. What both
// copies hold (info, servers, security schemes…) is reported once.
func (d *Document) validateWith(ctx context.Context) diag.List {
	// Two validations at once would each take the other's empty schema
	// for a target, and leave it there.
	d.validating.Lock()
	defer d.validating.Unlock()
	targets := make([]*openapi3.Schema, len(d.linked))
	empty := &openapi3.Schema{}
	for i, r := range d.linked {
		targets[i], r.Value = r.Value, empty
	}
	defer func() {
		for i, r := range d.linked {
			r.Value = targets[i]
		}
	}()

	t := d.T
	withoutPaths, withoutComponents := *t, *t
	withoutPaths.Paths, withoutPaths.Webhooks = openapi3.NewPaths(), nil
	if t.Components != nil {
		withoutComponents.Components = &openapi3.Components{SecuritySchemes: t.Components.SecuritySchemes}
	}
	var errs [2]error
	var wg sync.WaitGroup
	for i, doc := range []*openapi3.T{&withoutPaths, &withoutComponents} {
		wg.Go(func() { errs[i] = doc.Validate(ctx, d.validationOptions()...) })
	}
	wg.Wait()

	var diags diag.List
	unknownKeys := false
	seen := make(map[[2]string]bool)
	for _, err := range errs {
		for _, e := range flatten(err) {
			pointer := validationPointer(e)
			msg := strings.TrimSpace(e.Error())
			if seen[[2]string{pointer, msg}] {
				continue
			}
			seen[[2]string{pointer, msg}] = true
			diags.Warn(d.Pos(pointer), pointer, "%s", msg)
			unknownKeys = unknownKeys || strings.Contains(msg, "extra sibling fields")
		}
	}
	if unknownKeys && d.Version != "2.0" {
		// An unknown key; if it is a field name in another case, say so
		// (Swagger 2.0 documents have had these dropped, with a warning).
		if root, err := parse(bytes.TrimPrefix(d.Source, []byte("\xef\xbb\xbf")), true); err == nil {
			for _, k := range shapeCheck(root, false, true).caseKeys {
				diags.Warn(diag.Pos{File: d.Path, Line: k.key.Line, Col: k.key.Column}, diag.Pointer(k.tokens...), "unknown field %q is ignored", k.key.Value).Hint =
					fmt.Sprintf("field names are case-sensitive: did you mean %q?", k.field)
			}
		}
	}
	return diags
}

// flatten lists the findings in a validation error.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	me, ok := err.(openapi3.MultiError)
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range me {
		out = append(out, flatten(e)...)
	}
	return out
}

// componentSections maps the section names of ComponentValidationError to
// the keys of the Components object.
var componentSections = map[string]string{
	"schema":          "schemas",
	"parameter":       "parameters",
	"header":          "headers",
	"request body":    "requestBodies",
	"response":        "responses",
	"security scheme": "securitySchemes",
	"example":         "examples",
	"link":            "links",
	"callback":        "callbacks",
}

// validationPointer reads where a validation error happened from the
// context kin-openapi wraps around it.
func validationPointer(err error) string {
	var tokens []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch e := e.(type) {
		case *openapi3.SectionValidationError:
			tokens = append(tokens[:0], e.Section)
		case *openapi3.PathValidationError:
			tokens = append(tokens, e.Path)
		case *openapi3.OperationValidationError:
			tokens = append(tokens, strings.ToLower(e.Method))
		case *openapi3.WebhookValidationError:
			tokens = append(tokens, e.Name)
		case *openapi3.ComponentValidationError:
			if s, ok := componentSections[e.Section]; ok {
				tokens = append(tokens[:0], "components", s, e.Name)
			}
		case *openapi3.PathParametersError:
			tokens = append(tokens[:0], "paths", e.Path, strings.ToLower(e.Method))
		case *openapi3.ConflictingPathsError:
			// The second of the two, in document order, is the one that
			// conflicts with a path already there.
			tokens = append(tokens[:0], "paths", e.Path2)
		}
	}
	if len(tokens) == 0 {
		return ""
	}
	return diag.Pointer(tokens...)
}
