package loader

import (
	"context"
	"errors"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// validationOptions turn off the checks that real documents fail for
// reasons that do not matter to a generator: examples and defaults that do
// not match their schema (GitHub's own description has one), and patterns in
// a regexp dialect Go's regexp does not compile. Every finding is reported,
// not only the first.
var validationOptions = []openapi3.ValidationOption{
	openapi3.DisableExamplesValidation(),
	openapi3.DisableSchemaDefaultsValidation(),
	openapi3.DisableSchemaPatternValidation(),
	openapi3.DisableSchemaFormatValidation(),
	openapi3.AllowExtraSiblingFields("description", "summary"),
	openapi3.EnableMultiError(),
}

// validateWith runs kin-openapi's validation and returns its findings as
// warnings, each at the section, path, operation or component it concerns.
func (d *Document) validateWith(ctx context.Context) diag.List {
	err := d.T.Validate(ctx, validationOptions...)
	if err == nil {
		return nil
	}
	var errs []error
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = flatten(me)
	} else {
		errs = []error{err}
	}
	var diags diag.List
	for _, e := range errs {
		pointer := validationPointer(e)
		diags.Warn(d.Pos(pointer), pointer, "%s", strings.TrimSpace(e.Error()))
	}
	return diags
}

func flatten(me openapi3.MultiError) []error {
	var out []error
	for _, e := range me {
		var inner openapi3.MultiError
		if errors.As(e, &inner) && len(inner) > 0 && e.Error() == inner.Error() {
			out = append(out, flatten(inner)...)
			continue
		}
		out = append(out, e)
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
		}
	}
	if len(tokens) == 0 {
		return ""
	}
	return diag.Pointer(tokens...)
}
