package upstream

import (
	"cmp"
	"context"
	"slices"
	"unicode/utf8"
)

// Budget bounds what a tool gives back of the API's answers, so that one
// call cannot flood the context of the model that made it.
type Budget struct {
	// Select, if set, reshapes every JSON answer of 2xx before anything
	// else is done with it: generated code sets it to the jq program of
	// the tool's response.select (see package jq). Answers that are not
	// JSON are left as they are. A program that fails on an answer makes
	// the call a tool error.
	Select Selector
	// MaxBytes, if positive, is the longest JSON or text the tool
	// returns. A longer JSON answer loses whole items from the end of its
	// largest array (then of the next largest, and so on) until it fits,
	// staying valid; a note says how many items were left out and how to
	// get them. Longer text is cut at a character boundary, with a note.
	MaxBytes int64
}

// A Selector reshapes a JSON answer.
type Selector interface {
	// Select returns the JSON text that replaces answer (valid JSON text
	// itself), or an error when it fails, takes longer than ctx allows,
	// or makes more than limit bytes.
	Select(ctx context.Context, answer []byte, limit int64) ([]byte, error)
}

// cut is what trimming left out of one array.
type cut struct {
	start          int // where the array starts, in the text trimmed
	dropped, total int
}

// trimJSON shortens the JSON text data to at most max bytes by leaving out
// whole items at the end of its arrays: the largest array first, down to
// one item, then the next largest, and, if it is still too long, the last
// items too, largest array first. It reports false when even that is not
// enough (an answer of one long string, say).
//
// Keeping an item of each array first means a list of one large object
// keeps that object, with its own lists shortened, rather than becoming
// an empty list.
func trimJSON(data []byte, max int) ([]byte, []cut, bool) {
	size := len(data)
	if size <= max {
		return data, nil, true
	}
	arrays := scanArrays(data)
	kept := make([]int, len(arrays))
	for i := range arrays {
		kept[i] = len(arrays[i].ends)
	}
	type span struct{ from, to int }
	var removed []span
	inRemoved := func(off int) bool {
		for _, r := range removed {
			if r.from <= off && off < r.to {
				return true
			}
		}
		return false
	}
	removedWithin := func(from, to int) int {
		n := 0
		for _, r := range removed {
			if from <= r.from && r.to <= to {
				n += r.to - r.from
			}
		}
		return n
	}
	order := make([]int, len(arrays))
	for i := range order {
		order[i] = i
	}
	for _, floor := range []int{1, 0} {
		// The largest arrays as they stand now, outer before inner on a tie.
		sizes := make([]int, len(arrays))
		for i, a := range arrays {
			sizes[i] = a.end - a.start - removedWithin(a.start, a.end)
		}
		slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(sizes[y], sizes[x]) })
		for _, ai := range order {
			if size <= max {
				break
			}
			a := &arrays[ai]
			if kept[ai] <= floor || inRemoved(a.start) {
				continue
			}
			last := a.ends[len(a.ends)-1]
			from := func(k int) int {
				if k == 0 {
					return a.first
				}
				return a.ends[k-1] // the comma before item k goes with it
			}
			k, newSize := kept[ai], size
			for k > floor {
				k--
				newSize = size - (last - from(k) - removedWithin(from(k), last))
				if newSize <= max {
					break
				}
			}
			f := from(k)
			removed = slices.DeleteFunc(removed, func(r span) bool { return f <= r.from && r.to <= last })
			removed = append(removed, span{f, last})
			size, kept[ai] = newSize, k
		}
	}
	if size > max {
		return nil, nil, false
	}
	slices.SortFunc(removed, func(x, y span) int { return cmp.Compare(x.from, y.from) })
	out := make([]byte, 0, size)
	at := 0
	for _, r := range removed {
		out = append(out, data[at:r.from]...)
		at = r.to
	}
	out = append(out, data[at:]...)

	var cuts []cut
	for i, a := range arrays {
		if kept[i] < len(a.ends) && !inRemoved(a.start) {
			cuts = append(cuts, cut{start: a.start, dropped: len(a.ends) - kept[i], total: len(a.ends)})
		}
	}
	return out, cuts, true
}

// cutText cuts s to at most max bytes, at the start of a character.
func cutText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}
