package report

import (
	"fmt"
	"io"
	"sort"
)

// Change kinds.
const (
	ToolAdded     = "tool-added"
	ToolRemoved   = "tool-removed"
	ToolRenamed   = "tool-renamed"
	ArgAdded      = "argument-added"
	ArgRemoved    = "argument-removed"
	ArgRequired   = "argument-required"
	ArgOptional   = "argument-optional"
	ArgRetyped    = "argument-retyped"
	OutputChanged = "output-changed"
)

// Change is one difference between two tool surfaces.
type Change struct {
	Kind string `json:"kind"`
	// Tool is the tool's name now (its old name, for a removed tool).
	Tool string `json:"tool"`
	// Arg is the argument or result property concerned, if any.
	Arg string `json:"argument,omitempty"`
	// Def and Property, for a change inside a shared definition, are the
	// definition and its property concerned; Arg is then the argument or
	// result property through which the tool reaches the definition.
	Def      string `json:"definition,omitempty"`
	Property string `json:"property,omitempty"`
	// From and To are the old and new name or type, where they apply.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Breaking is true when a client written for the old surface may fail
	// against the new one.
	Breaking bool `json:"breaking"`
	// Text says it in words.
	Text string `json:"text"`
}

// Diff lists how the surface changed from old to new: tools first by
// name, then each tool's changes. A tool whose operation (operationId or
// method and path) is the same under another name is renamed, not removed
// and added.
func Diff(old, new *Surface) []Change {
	out := []Change{}
	oldByName := map[string]*ToolSurface{}
	for i := range old.Tools {
		oldByName[old.Tools[i].Name] = &old.Tools[i]
	}
	newByName := map[string]*ToolSurface{}
	for i := range new.Tools {
		newByName[new.Tools[i].Name] = &new.Tools[i]
	}
	// Renames: an old tool gone by name whose operation a new tool (new
	// by name) serves.
	renamedFrom := map[string]*ToolSurface{} // new name → old tool
	renamed := map[string]bool{}             // old names
	for i := range new.Tools {
		nt := &new.Tools[i]
		if oldByName[nt.Name] != nil || nt.Route == "" {
			continue
		}
		for j := range old.Tools {
			ot := &old.Tools[j]
			if newByName[ot.Name] != nil || renamed[ot.Name] || ot.Route == "" {
				continue
			}
			if ot.Route == nt.Route || (ot.Operation != "" && ot.Operation == nt.Operation) {
				renamedFrom[nt.Name], renamed[ot.Name] = ot, true
				break
			}
		}
	}
	for _, ot := range old.Tools {
		if newByName[ot.Name] == nil && !renamed[ot.Name] {
			out = append(out, Change{Kind: ToolRemoved, Tool: ot.Name, Breaking: true,
				Text: "tool removed"})
		}
	}
	for i := range new.Tools {
		nt := &new.Tools[i]
		ot := oldByName[nt.Name]
		if from := renamedFrom[nt.Name]; from != nil {
			out = append(out, Change{Kind: ToolRenamed, Tool: nt.Name, From: from.Name, To: nt.Name, Breaking: true,
				Text: fmt.Sprintf("renamed from %s (%s)", from.Name, from.Route)})
			ot = from
		}
		if ot == nil {
			out = append(out, Change{Kind: ToolAdded, Tool: nt.Name, Text: "tool added"})
			continue
		}
		out = append(out, diffTool(ot, nt)...)
		out = append(out, diffDefs(nt.Name, ot, nt, old.Defs, new.Defs)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Tool < out[j].Tool })
	return out
}

// diffTool compares the arguments and results of one tool.
func diffTool(ot, nt *ToolSurface) []Change {
	var out []Change
	oldArgs := map[string]Arg{}
	for _, a := range ot.Args {
		oldArgs[a.Name] = a
	}
	newArgs := map[string]Arg{}
	for _, a := range nt.Args {
		newArgs[a.Name] = a
	}
	for _, a := range ot.Args {
		if _, ok := newArgs[a.Name]; !ok {
			out = append(out, Change{Kind: ArgRemoved, Tool: nt.Name, Arg: a.Name, Breaking: true,
				Text: fmt.Sprintf("argument %q removed", a.Name)})
		}
	}
	for _, a := range nt.Args {
		o, ok := oldArgs[a.Name]
		switch {
		case !ok && a.Required:
			out = append(out, Change{Kind: ArgAdded, Tool: nt.Name, Arg: a.Name, To: a.Type, Breaking: true,
				Text: fmt.Sprintf("required argument %q added", a.Name)})
		case !ok:
			out = append(out, Change{Kind: ArgAdded, Tool: nt.Name, Arg: a.Name, To: a.Type,
				Text: fmt.Sprintf("optional argument %q added", a.Name)})
		default:
			if o.Type != a.Type {
				out = append(out, Change{Kind: ArgRetyped, Tool: nt.Name, Arg: a.Name, From: o.Type, To: a.Type, Breaking: true,
					Text: fmt.Sprintf("argument %q retyped: %s → %s", a.Name, o.Type, a.Type)})
			}
			if a.Required && !o.Required {
				out = append(out, Change{Kind: ArgRequired, Tool: nt.Name, Arg: a.Name, Breaking: true,
					Text: fmt.Sprintf("argument %q is now required", a.Name)})
			}
			if !a.Required && o.Required {
				out = append(out, Change{Kind: ArgOptional, Tool: nt.Name, Arg: a.Name,
					Text: fmt.Sprintf("argument %q is now optional", a.Name)})
			}
		}
	}
	return append(out, diffOutput(nt.Name, ot.Output, nt.Output)...)
}

// diffOutput compares structured results. A result that a client can no
// longer count on (gone, of another type, a property gone, retyped or no
// longer always there) is narrowed, which is breaking; a result that only
// gains is widened, which is not.
func diffOutput(tool string, o, n *Output) []Change {
	change := func(breaking bool, arg, format string, args ...any) Change {
		return Change{Kind: OutputChanged, Tool: tool, Arg: arg, Breaking: breaking, Text: fmt.Sprintf(format, args...)}
	}
	switch {
	case o == nil && n == nil:
		return nil
	case o == nil:
		return []Change{change(false, "", "output schema added")}
	case n == nil:
		return []Change{change(true, "", "output schema removed")}
	case o.Type != n.Type:
		c := change(true, "", "output retyped: %s → %s", o.Type, n.Type)
		c.From, c.To = o.Type, n.Type
		return []Change{c}
	}
	var out []Change
	eachProp(o.Props, n.Props, func(p, np Arg, ok bool) {
		switch {
		case !ok:
			out = append(out, change(true, p.Name, "output property %q removed", p.Name))
		case np.Type != p.Type:
			c := change(true, p.Name, "output property %q retyped: %s → %s", p.Name, p.Type, np.Type)
			c.From, c.To = p.Type, np.Type
			out = append(out, c)
		case p.Required && !np.Required:
			out = append(out, change(true, p.Name, "output property %q may now be absent", p.Name))
		}
	}, func(p Arg) {
		out = append(out, change(false, p.Name, "output property %q added", p.Name))
	})
	return out
}

// eachProp pairs the properties of an old and a new object: kept is called
// for each old property, in order, with its new counterpart (ok false when
// it is gone), then added for each new property the old object lacks.
func eachProp(old, new []Arg, kept func(p, np Arg, ok bool), added func(p Arg)) {
	newProps := make(map[string]Arg, len(new))
	for _, p := range new {
		newProps[p.Name] = p
	}
	oldNames := make(map[string]bool, len(old))
	for _, p := range old {
		oldNames[p.Name] = true
		np, ok := newProps[p.Name]
		kept(p, np, ok)
	}
	for _, p := range new {
		if !oldNames[p.Name] {
			added(p)
		}
	}
}

// A root is where a tool reaches shared definitions: an argument, the
// result, or a property of the result.
type root struct {
	output bool
	arg    string
	typ    string
}

// diffDefs lists the changes inside the shared definitions that a tool
// reaches from arguments and results whose own type did not change (a
// changed one is reported as retyped already). A definition is reported
// once for the arguments and once for the result, through the first root
// that reaches it. Inside an argument, a change is breaking as it would be
// for an argument; inside a result, as it would be for a result property.
func diffDefs(tool string, ot, nt *ToolSurface, oldDefs, newDefs map[string]Output) []Change {
	if len(oldDefs) == 0 || len(newDefs) == 0 {
		return nil
	}
	var roots []root
	oldArgs := map[string]string{}
	for _, a := range ot.Args {
		oldArgs[a.Name] = a.Type
	}
	for _, a := range nt.Args {
		if typ, ok := oldArgs[a.Name]; ok && typ == a.Type {
			roots = append(roots, root{arg: a.Name, typ: a.Type})
		}
	}
	if o, n := ot.Output, nt.Output; o != nil && n != nil && o.Type == n.Type {
		roots = append(roots, root{output: true, typ: n.Type})
		oldProps := map[string]string{}
		for _, p := range o.Props {
			oldProps[p.Name] = p.Type
		}
		for _, p := range n.Props {
			if typ, ok := oldProps[p.Name]; ok && typ == p.Type {
				roots = append(roots, root{output: true, arg: p.Name, typ: p.Type})
			}
		}
	}
	var out []Change
	type side struct {
		output bool
		def    string
	}
	seen := map[side]bool{}
	for _, r := range roots {
		queue := refsIn(r.typ)
		for len(queue) > 0 {
			name := queue[0]
			queue = queue[1:]
			key := side{r.output, name}
			if seen[key] {
				continue
			}
			seen[key] = true
			od, ook := oldDefs[name]
			nd, nok := newDefs[name]
			if !ook || !nok {
				continue
			}
			changes, same := diffDef(tool, r, name, &od, &nd)
			out = append(out, changes...)
			// Definitions further in are followed where the way to them
			// is unchanged.
			for _, typ := range same {
				queue = append(queue, refsIn(typ)...)
			}
		}
	}
	return out
}

// diffDef compares one definition, as reached from r. same are the types
// that did not change (the definition's own, and its unchanged
// properties').
func diffDef(tool string, r root, name string, o, n *Output) (out []Change, same []string) {
	where := fmt.Sprintf("argument %q", r.arg)
	switch {
	case r.output && r.arg == "":
		where = "output"
	case r.output:
		where = fmt.Sprintf("output property %q", r.arg)
	}
	// add records a change; argKind is its kind inside an argument, and
	// inside a result it is always OutputChanged.
	add := func(argKind string, breaking bool, prop, format string, args ...any) *Change {
		kind := argKind
		if r.output {
			kind = OutputChanged
		}
		out = append(out, Change{Kind: kind, Tool: tool, Arg: r.arg, Def: name, Property: prop, Breaking: breaking,
			Text: where + " → " + name + ": " + fmt.Sprintf(format, args...)})
		return &out[len(out)-1]
	}
	if o.Type != n.Type {
		c := add(ArgRetyped, true, "", "retyped: %s → %s", o.Type, n.Type)
		c.From, c.To = o.Type, n.Type
		return out, nil
	}
	same = append(same, n.Type)
	eachProp(o.Props, n.Props, func(p, np Arg, ok bool) {
		switch {
		case !ok:
			add(ArgRemoved, true, p.Name, "property %q removed", p.Name)
		case np.Type != p.Type:
			c := add(ArgRetyped, true, p.Name, "property %q retyped: %s → %s", p.Name, p.Type, np.Type)
			c.From, c.To = p.Type, np.Type
		case r.output && p.Required && !np.Required:
			add(OutputChanged, true, p.Name, "property %q may now be absent", p.Name)
		case !r.output && np.Required && !p.Required:
			add(ArgRequired, true, p.Name, "property %q is now required", p.Name)
		case !r.output && !np.Required && p.Required:
			add(ArgOptional, false, p.Name, "property %q is now optional", p.Name)
		}
		if ok && np.Type == p.Type {
			same = append(same, np.Type)
		}
	}, func(p Arg) {
		switch {
		case r.output:
			add(OutputChanged, false, p.Name, "property %q added", p.Name)
		case p.Required:
			add(ArgAdded, true, p.Name, "required property %q added", p.Name).To = p.Type
		default:
			add(ArgAdded, false, p.Name, "optional property %q added", p.Name).To = p.Type
		}
	})
	return out, same
}

// Breaking counts the breaking changes.
func Breaking(changes []Change) int {
	n := 0
	for _, c := range changes {
		if c.Breaking {
			n++
		}
	}
	return n
}

// WriteChanges prints changes, a line each, breaking ones marked.
func WriteChanges(w io.Writer, changes []Change) {
	if len(changes) == 0 {
		fmt.Fprintln(w, "Tool surface: no changes")
		return
	}
	fmt.Fprintf(w, "Tool surface: %d change%s, %d breaking\n", len(changes), plural(len(changes)), Breaking(changes))
	for _, c := range changes {
		mark := "  "
		if c.Breaking {
			mark = "! "
		}
		fmt.Fprintf(w, "  %s%s: %s\n", mark, c.Tool, c.Text)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
