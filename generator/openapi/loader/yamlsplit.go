package loader

import (
	"bytes"
	"errors"

	"go.yaml.in/yaml/v4"
)

// errNotSplit is a piece of a YAML document that did not parse on its own
// as one entry: the document is then parsed whole.
var errNotSplit = errors.New("the entry does not parse on its own")

// splitYAML cuts a YAML document written in block style, as nearly all are,
// into its path items and component entries, each a run of lines for a
// worker to parse, and a stub: the document with each of those sections
// emptied ("paths: {}") and their lines left blank, so that every line keeps
// its number.
//
// The cut is made by indentation, which block style makes reliable: an entry
// starts on a line indented exactly as the first entry of its section.
// Anything the cut could get wrong — a flow collection or quoted scalar
// running over lines, an alias to an anchor in another entry, a tag
// directive — makes an entry fail to parse as one key and one mapping, and
// the document is then parsed whole (see loadYAMLSplit). ok is false when
// the document has no section to split, or a shape the cut does not handle.
func splitYAML(data []byte) (stub []byte, jobs []job, ok bool) {
	lines := lineStarts(data)
	line := func(i int) []byte { // line i, without its line break
		end := len(data)
		if i+1 < len(lines) {
			end = lines[i+1]
		}
		l := data[lines[i]:end]
		for len(l) > 0 && (l[len(l)-1] == '\n' || l[len(l)-1] == '\r') {
			l = l[:len(l)-1]
		}
		return l
	}
	n := len(lines)

	// The top-level keys, and where each one's value ends.
	var tops []int
	for i := range n {
		l := line(i)
		switch {
		case len(l) > 0 && (l[0] == '%' || bytes.HasPrefix(l, []byte("---")) && i > 0 || bytes.HasPrefix(l, []byte("..."))):
			return nil, nil, false // directives, several documents
		case len(l) > 0 && l[0] == '\t':
			return nil, nil, false
		case blank(l) || l[0] == ' ' || bytes.HasPrefix(l, []byte("- ")) || bytes.Equal(l, []byte("-")) || bytes.HasPrefix(l, []byte("---")):
		default:
			tops = append(tops, i)
		}
	}
	tops = append(tops, n)

	// The stub's lines: a section's header becomes "key: {}" and its lines
	// blank, so that every line keeps its number.
	const (
		keep = iota
		header
		blanked
	)
	mark := make([]byte, n)
	emptied := func(h, from, to int) {
		mark[h] = header
		for i := from; i < to; i++ {
			mark[i] = blanked
		}
	}

	for t := 0; t+1 < len(tops); t++ {
		header, end := tops[t], tops[t+1]
		switch key := headerKey(line(header)); key {
		case "paths":
			if starts, ok := entries(line, header+1, end, 0); ok && len(starts) > 1 && !hasExtension(line, starts) {
				jobs = appendJobs(jobs, "paths", data, lines, starts, end)
				emptied(header, header+1, end)
			}
		case "components":
			subs, ok := entries(line, header+1, end, 0)
			if !ok {
				continue
			}
			for s := 0; s+1 < len(subs); s++ {
				kind := headerKey(line(subs[s]))
				if _, known := componentKinds[kind]; !known {
					continue
				}
				if starts, ok := entries(line, subs[s]+1, subs[s+1], indentOf(line(subs[s]))); ok && len(starts) > 1 {
					jobs = appendJobs(jobs, kind, data, lines, starts, subs[s+1])
					emptied(subs[s], subs[s]+1, subs[s+1])
				}
			}
		}
	}
	if len(jobs) == 0 {
		return nil, nil, false
	}
	out := make([]byte, 0, len(data)/4)
	for i := range n {
		switch l := line(i); mark[i] {
		case header:
			out = append(out, l[:bytes.IndexByte(l, ':')+1]...)
			out = append(out, " {}"...)
		case keep:
			out = append(out, l...)
		}
		out = append(out, '\n')
	}
	return out, jobs, true
}

// entries returns the lines in [from, to) that start entries of a block
// mapping indented deeper than parent: those indented as its first line,
// which must be the least indented. The last line number is to.
func entries(line func(int) []byte, from, to, parent int) ([]int, bool) {
	var starts []int
	indent := -1
	for i := from; i < to; i++ {
		l := line(i)
		if blank(l) {
			continue
		}
		in := indentOf(l)
		if in < len(l) && l[in] == '\t' {
			return nil, false
		}
		switch {
		case indent < 0:
			if in <= parent || l[in] == '-' {
				return nil, false
			}
			indent = in
			starts = append(starts, i)
		case in < indent:
			return nil, false
		case in == indent:
			if l[in] == '-' {
				return nil, false // a list, not a mapping
			}
			starts = append(starts, i)
		}
	}
	return append(starts, to), indent > 0
}

// appendJobs adds a job for each entry: the lines from one start to the next.
func appendJobs(jobs []job, section string, data []byte, lines, starts []int, end int) []job {
	for k := 0; k+1 < len(starts); k++ {
		to := len(data)
		if starts[k+1] < len(lines) {
			to = lines[starts[k+1]]
		}
		jobs = append(jobs, job{section: section, yaml: data[lines[starts[k]]:to], line: starts[k]})
	}
	return jobs
}

// hasExtension reports whether an entry of paths is an extension, which
// belongs to the Paths object rather than being a path item.
func hasExtension(line func(int) []byte, starts []int) bool {
	for _, s := range starts[:len(starts)-1] {
		l := line(s)
		l = l[indentOf(l):]
		if bytes.HasPrefix(l, []byte("x-")) || bytes.HasPrefix(l, []byte(`"x-`)) || bytes.HasPrefix(l, []byte("'x-")) {
			return true
		}
	}
	return false
}

// headerKey returns the key of a line that is "key:" with nothing after
// but a comment, or "".
func headerKey(l []byte) string {
	l = l[indentOf(l):]
	colon := bytes.IndexByte(l, ':')
	if colon <= 0 {
		return ""
	}
	rest := bytes.TrimLeft(l[colon+1:], " ")
	if len(rest) > 0 && rest[0] != '#' {
		return ""
	}
	return string(l[:colon])
}

func indentOf(l []byte) int {
	i := 0
	for i < len(l) && l[i] == ' ' {
		i++
	}
	return i
}

func blank(l []byte) bool {
	l = l[indentOf(l):]
	return len(l) == 0 || l[0] == '#'
}

func lineStarts(data []byte) []int {
	starts := make([]int, 1, bytes.Count(data, []byte("\n"))+1)
	for i, c := range data {
		if c == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// parseYAMLEntry parses a job's lines, which must hold one key whose value
// is a mapping, and numbers the nodes' lines as in the whole document.
func parseYAMLEntry(j *job) (key, value *yaml.Node, err error) {
	root, err := parseYAML(j.yaml)
	if err != nil {
		return nil, nil, errNotSplit
	}
	if root.Kind != yaml.MappingNode || len(root.Content) != 2 || root.Content[1].Kind != yaml.MappingNode || isMergeKey(root.Content[0]) {
		return nil, nil, errNotSplit
	}
	var renumber func(n *yaml.Node)
	renumber = func(n *yaml.Node) {
		if n.Line > 0 {
			n.Line += j.line
		}
		for _, c := range n.Content {
			renumber(c)
		}
	}
	renumber(root)
	return root.Content[0], root.Content[1], nil
}
