package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// TestLinkRefs: linking the $refs the typed decoder read changes nothing in
// the resolved document but the URL the wrappers were resolved from. Every
// document of testdata, of the corpus and GitHub's description is loaded
// as usual and with Options.Exact (kin-openapi's decoding and ResolveRefsIn
// alone), and the two results must be the same graph:
// equal values, the same values shared (a linked wrapper's value is the very
// component ResolveRefsIn would have given it). The warnings must be the
// same too, but for validation's repeats of a component's problem at what
// uses it (see validateWith). Most documents are linked whole, and not
// resolved by ResolveRefsIn at all: the comparison covers that too.
func TestLinkRefs(t *testing.T) {
	files := testdataFiles(t)
	if !testing.Short() {
		files = append(files, corpusFiles(t)...)
		if _, err := os.Stat(githubSpecFile()); err == nil {
			files = append(files, githubSpecFile())
		}
	}
	linked, whole := 0, 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got, gotDiags := Load(file, data, &Options{ReadFile: dirReader(filepath.Dir(file))})
		want, wantDiags := Load(file, data, &Options{ReadFile: dirReader(filepath.Dir(file)), Exact: true})
		if (got == nil) != (want == nil) {
			t.Errorf("%s: loads %v as usual, %v exact", file, got != nil, want != nil)
			continue
		}
		if d := sameFindings(gotDiags, wantDiags); d != "" {
			t.Errorf("%s: %s\nas usual:\n%s\nexact:\n%s", file, d, gotDiags.Format(20), wantDiags.Format(20))
		}
		if got == nil {
			continue
		}
		g := newGraph()
		if d := g.diff(reflect.ValueOf(got.T), reflect.ValueOf(want.T), "T"); d != "" {
			t.Errorf("%s: as usual and exact: %s", file, d)
		}
		linked += g.linked
		if got.linkedAll {
			whole++
		}
	}
	t.Logf("%d documents, %d $refs linked; %d documents linked whole", len(files), linked, whole)
	if linked == 0 || whole == 0 {
		t.Errorf("no $ref was linked, or no document whole: the comparison proves nothing")
	}
}

// ptrKey is a pointer, with its type: a struct and its first field have the
// same address.
type ptrKey struct {
	t reflect.Type
	p uintptr
}

// graph compares two object graphs, unexported fields included, and
// requires the same sharing in both: ab and ba pair the pointers met. diff
// describes the first difference, or returns "".
type graph struct {
	ab, ba map[ptrKey]uintptr
	linked int // wrappers with a resolution URL only in the second graph
}

func newGraph() *graph {
	return &graph{ab: map[ptrKey]uintptr{}, ba: map[ptrKey]uintptr{}}
}

func (g *graph) diff(a, b reflect.Value, path string) string {
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() != b.IsValid() {
			return fmt.Sprintf("%s: one is invalid", path)
		}
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: %s, want %s", path, a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: nil %v, want nil %v", path, a.IsNil(), b.IsNil())
			}
			return ""
		}
		ka, kb := ptrKey{a.Type(), a.Pointer()}, ptrKey{b.Type(), b.Pointer()}
		pb, seenA := g.ab[ka]
		pa, seenB := g.ba[kb]
		if seenA || seenB {
			if pb != b.Pointer() || pa != a.Pointer() {
				return fmt.Sprintf("%s: shared with a different value than exact", path)
			}
			return ""
		}
		g.ab[ka], g.ba[kb] = b.Pointer(), a.Pointer()
		return g.diff(a.Elem(), b.Elem(), path)
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: nil %v, want nil %v", path, a.IsNil(), b.IsNil())
			}
			return ""
		}
		return g.diff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			f := a.Type().Field(i)
			if f.Name == "refPath" && a.Field(i).IsNil() && !b.Field(i).IsNil() {
				g.linked++
				continue
			}
			if d := g.diff(a.Field(i), b.Field(i), path+"."+f.Name); d != "" {
				return d
			}
		}
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d entries (nil %v), want %d (nil %v)", path, a.Len(), a.IsNil(), b.Len(), b.IsNil())
		}
		iter := a.MapRange()
		for iter.Next() {
			bv := b.MapIndex(iter.Key())
			if !bv.IsValid() {
				return fmt.Sprintf("%s: has %v, want none", path, iter.Key())
			}
			if d := g.diff(iter.Value(), bv, fmt.Sprintf("%s[%v]", path, iter.Key())); d != "" {
				return d
			}
		}
	case reflect.Slice, reflect.Array:
		if a.Kind() == reflect.Slice && a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d elements, want %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := g.diff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	case reflect.String:
		if a.String() != b.String() {
			return fmt.Sprintf("%s: %q, want %q", path, a.String(), b.String())
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return fmt.Sprintf("%s: %v, want %v", path, a.Bool(), b.Bool())
		}
	case reflect.Float32, reflect.Float64:
		if a.Float() != b.Float() {
			return fmt.Sprintf("%s: %v, want %v", path, a.Float(), b.Float())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return fmt.Sprintf("%s: %v, want %v", path, a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return fmt.Sprintf("%s: %v, want %v", path, a.Uint(), b.Uint())
		}
	case reflect.Func, reflect.Chan:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v, want nil %v", path, a.IsNil(), b.IsNil())
		}
	default:
		return fmt.Sprintf("%s: cannot compare a %s", path, a.Kind())
	}
	return ""
}

// sameFindings compares the warnings of a document loaded as usual, with
// linking (got), and with Options.Exact, without (want): got must have nothing want lacks, and lack
// only what repeats, in a schema or an operation that uses a component, a
// problem got reports at the component.
func sameFindings(got, want diag.List) string {
	have := make(map[string]bool)
	var atComponents []string
	for _, d := range got {
		have[d.String()] = true
		if strings.HasPrefix(d.Pointer, "#/components/") {
			atComponents = append(atComponents, d.Msg[strings.LastIndex(d.Msg, ": ")+2:])
		}
	}
	wanted := make(map[string]bool)
	for _, d := range want {
		wanted[d.String()] = true
		if have[d.String()] {
			continue
		}
		repeat := false
		for _, problem := range atComponents {
			repeat = repeat || strings.HasSuffix(d.Msg, ": "+problem)
		}
		if !repeat {
			return "a warning is missing as usual: " + d.String()
		}
	}
	for _, d := range got {
		if !wanted[d.String()] {
			return "a warning only as usual: " + d.String()
		}
	}
	return ""
}

// TestValidateConcurrently: validations at once each find what one alone
// finds, and leave the linked $refs pointing at their components.
func TestValidateConcurrently(t *testing.T) {
	doc, _ := load(t, filepath.Join("testdata", "shared-problem.yaml"))
	want, _ := load(t, filepath.Join("testdata", "shared-problem.yaml"))
	alone := want.Validate().Format(0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := doc.Validate().Format(0); got != alone {
				t.Errorf("validated at once:\n%s\nalone:\n%s", got, alone)
			}
		})
	}
	wg.Wait()
	if d := newGraph().diff(reflect.ValueOf(doc.T), reflect.ValueOf(want.T), "T"); d != "" {
		t.Errorf("after validations at once: %s", d)
	}
}
