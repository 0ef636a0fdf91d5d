package write

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// Modules is what the planned Go files need from the project's go.mod and
// go.sum: the module requirements and the go.sum lines that go mod tidy
// would write for them.
type Modules struct {
	Require []Requirement
	// Sum holds go.sum lines ("path version h1:…"), sorted.
	Sum []string
}

// Requirement is one module requirement of a go.mod.
type Requirement struct {
	Path, Version string
	// Indirect marks a module none of the project's own packages imports.
	Indirect bool
}

// amendModules adds to the existing go.mod and go.sum of dir what mods
// needs and they lack, as go get would: a missing module is required, one
// required at a lower version is raised, and missing go.sum lines are
// added. Nothing is ever removed or lowered, so the user's own
// requirements stay as they are. Regenerating after adding auth to an
// authless project, say, needs go.etcd.io/bbolt: without this, the build
// would fail until the user ran go mod tidy, which needs the network.
//
// A project without a go.mod in dir (one inside a larger module, say) is
// left alone. The changes carry the content Compute read, so that Apply
// can refuse to replace a file edited in between.
func amendModules(dir string, mods *Modules) ([]Change, error) {
	modPath := filepath.Join(dir, "go.mod")
	old, err := os.ReadFile(modPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := modfile.Parse("go.mod", old, nil)
	if err != nil {
		return nil, fmt.Errorf("%v; mcpgen adds the modules the generated code needs to go.mod, so it must parse", err)
	}
	have := make(map[string]*modfile.Require, len(f.Require))
	for _, r := range f.Require {
		have[r.Mod.Path] = r
	}
	var added []string
	for _, need := range mods.Require {
		r, ok := have[need.Path]
		switch {
		case !ok:
			f.AddNewRequire(need.Path, need.Version, need.Indirect)
			added = append(added, need.Path+" "+need.Version)
		case semver.Compare(r.Mod.Version, need.Version) < 0:
			added = append(added, need.Path+" "+need.Version+" (was "+r.Mod.Version+")")
			if err := f.AddRequire(need.Path, need.Version); err != nil {
				return nil, err
			}
		}
	}
	var changes []Change
	if len(added) > 0 {
		// Laid out as the go command lays out what go get adds.
		f.SetRequireSeparateIndirect(f.Require)
		f.Cleanup()
		content, err := f.Format()
		if err != nil {
			return nil, err
		}
		changes = append(changes, Change{
			Path: "go.mod", Action: Updated, Owner: Scaffold, content: content, mode: 0o644, expect: old,
			Note: "now requires " + strings.Join(added, ", ") + ", which the generated code needs",
		})
	}

	sumPath := filepath.Join(dir, "go.sum")
	oldSum, err := os.ReadFile(sumPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(string(oldSum), "\n"), "\n")
	if len(oldSum) == 0 {
		lines = nil
	}
	known := make(map[string]bool, len(lines))
	for _, l := range lines {
		known[l] = true
	}
	n := len(lines)
	for _, l := range mods.Sum {
		if !known[l] {
			known[l] = true
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		// go.sum is sorted as the go command keeps it.
		slices.Sort(lines)
		c := Change{
			Path: "go.sum", Owner: Scaffold, content: []byte(strings.Join(lines, "\n") + "\n"), mode: 0o644, expect: oldSum,
			Note: fmt.Sprintf("%d checksums added for the generated code's modules", len(lines)-n),
		}
		c.Action = Updated
		if oldSum == nil {
			c.Action, c.Note = Created, ""
		}
		changes = append(changes, c)
	}
	return changes, nil
}

// unchangedSince reports whether the file name still holds exactly want.
func unchangedSince(name string, want []byte) bool {
	got, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return want == nil
	}
	return err == nil && bytes.Equal(got, want)
}

// UnionSums merges the go.sum lines that go mod tidy writes for several
// sets of packages into those it writes for all of them together, as far
// as this needs: where the sets hold a module's source (an h1 line for its
// zip, not only for its go.mod) at different versions, the build selects
// the highest, and go mod tidy keeps no line of the lower ones. That
// happens for modules the dependencies' own tests use, such as
// golang.org/x/tools, which the OTLP exporters raise over the SDK's. A
// version of which only the go.mod is summed stays: the module graph
// still reads it.
func UnionSums(sets ...[]string) []string {
	seen := make(map[string]bool)
	source := make(map[string][]string) // module path → versions with source
	for _, set := range sets {
		for _, line := range set {
			seen[line] = true
			if f := strings.Fields(line); len(f) == 3 && !strings.HasSuffix(f[1], "/go.mod") {
				source[f[0]] = append(source[f[0]], f[1])
			}
		}
	}
	var out []string
	for line := range seen {
		if f := strings.Fields(line); len(f) == 3 {
			v, versions := strings.TrimSuffix(f[1], "/go.mod"), source[f[0]]
			if slices.Contains(versions, v) && slices.ContainsFunc(versions, func(w string) bool { return semver.Compare(w, v) > 0 }) {
				continue // superseded by a higher version's source
			}
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}
