package openapi

import (
	"math"

	"github.com/getkin/kin-openapi/openapi3"
)

// The work budget. Schema conversion ends on every document (see
// converter.schema), but allOf merges copy schemas in, so a document can
// make a conversion grow exponentially with its depth without any cycle:
// a schema whose two properties each merge the next one, twenty deep. So
// the converter counts its steps (each schema converted, each property a
// merge copies) against a budget per operation and one per document.
//
// An operation that passes its own budget is left out, with a warning at
// the operation: the rest of the document imports as it would without it.
// Passing the document's budget is an error, at the operation the import
// had reached: the whole document is too much to import.

// DefaultMaxWork is the default budget of one document, in steps of schema
// conversion: over a hundred times what GitHub's description (1,200
// operations) takes, yet small enough that using it all takes seconds, not
// gigabytes (TestCorporaWork keeps real documents far below it).
const DefaultMaxWork = 2_000_000

// opShare is the fraction of the document's budget one operation may use.
const opShare = 8

// spend counts n steps of work, and reports whether the budget allows
// them. Once it does not, it never does again until the budget is reset.
func (c *converter) spend(n int) bool {
	if c.overrun {
		return false
	}
	c.work += n
	if c.work > c.limit {
		c.overrun = true
	}
	return !c.overrun
}

// mark is the converter's state before an operation is converted, to go
// back to if the operation is left out.
type mark struct {
	work, defs int
	// opLimit is set when the operation's own budget ends before the
	// document's.
	opLimit bool
}

// begin starts the budget of one operation, within budget, the
// document's.
func (c *converter) begin(budget int) mark {
	per := budget / opShare
	m := mark{work: c.work, defs: len(c.order)}
	c.limit = budget
	if c.work <= budget-per {
		c.limit, m.opLimit = c.work+per, true
	}
	return m
}

// undo forgets the definitions made since m: those made while the budget
// ran out are incomplete. The work stays counted.
func (c *converter) undo(m mark) {
	for _, d := range c.order[m.defs:] {
		delete(c.defs, d.key)
		delete(c.names, d.name)
	}
	c.order = c.order[:m.defs]
	c.active = make(map[*openapi3.Schema]bool)
	c.expanding = make(map[*openapi3.Schema]int)
	c.overrun = false
	c.limit = math.MaxInt
}
