package emit

import (
	"fmt"
	"go/format"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/write"
	"github.com/mcpgen/mcpgen/templates"
)

// Options are what the emitters need beyond the IR.
type Options struct {
	// Module is the Go module path written to a new go.mod.
	Module string
	// Binary is the name of the server's binary.
	Binary string
	// Template is the built-in template whose files replace the stubs of its
	// tools and add its tests; empty for none.
	Template string
	// RuntimeReplace, if set, is written to go.mod as the replace target of
	// the runtime module: a development build of mcpgen points generated
	// projects at its own checkout.
	RuntimeReplace string
	// Manifest, if set, is written as the project's manifest (mcpgen new).
	Manifest []byte
	// Exact builds and formats every generated file whole, rather than
	// writing the declarations it repeats through forms (see forms.go): the
	// same bytes, more slowly, for checking forms.
	Exact bool
	// BuiltWhole, if set, is called with the path of each generated file
	// that was built whole because its forms did not splice, in the order
	// of the plan: the bytes are the same, but it is slower, and a gap in
	// forms worth reporting.
	BuiltWhole func(path string)
}

// Project returns every file of the project p: the generated files, the
// stubs of its tools and the scaffold of a new project.
func Project(p *ir.Project, opts *Options) (*write.Plan, error) {
	plan := &write.Plan{Orphans: []write.Orphans{
		{Glob: "*_tool.go", Note: "no tool in the spec has this handler file any more; delete it once its code is no longer needed"},
		{Glob: "*_resource.go", Note: "no resource template in the spec has this file any more; delete it once its code is no longer needed"},
	}}
	add := func(f write.File, err error) error {
		if err != nil {
			return err
		}
		plan.Files = append(plan.Files, f)
		return nil
	}
	type genFile struct {
		path string
		file func(*ir.Project, *forms) *jen.File
	}
	whole := func(file func(*ir.Project) *jen.File) func(*ir.Project, *forms) *jen.File {
		return func(p *ir.Project, _ *forms) *jen.File { return file(p) }
	}
	gen := []genFile{
		{"server_gen.go", whole(serverFile)},
		{"tools_gen.go", toolsFile},
		{"types_gen.go", whole(typesFile)},
		{"mcpgen_gen_test.go", whole(testFile)},
	}
	if p.API != nil {
		gen = append(gen, genFile{"api_gen.go", apiFile})
	}
	if p.HasState() {
		gen = append(gen, genFile{"state_gen.go", whole(stateFile)})
	}
	// Building each file's tree and rendering it (gofmt inside) are most of
	// emit's time, and the files are independent: they are built and
	// rendered concurrently, and added in order.
	rendered := make([]write.File, len(gen))
	builtWhole := make([]bool, len(gen))
	errs := make([]error, len(gen))
	var wg sync.WaitGroup
	for i, g := range gen {
		wg.Go(func() { rendered[i], builtWhole[i], errs[i] = renderForms(p, g.file, g.path, opts.Exact) })
	}
	wg.Wait()
	for i := range gen {
		if err := add(rendered[i], errs[i]); err != nil {
			return nil, err
		}
		if builtWhole[i] && opts.BuiltWhole != nil {
			opts.BuiltWhole(gen[i].path)
		}
	}

	var tmplFiles map[string][]byte
	if opts.Template != "" {
		var err error
		tmplFiles, err = templates.TemplateFiles(opts.Template, nil)
		if err != nil {
			return nil, err
		}
	}
	// A handler file comes from the template when it has one, and is
	// otherwise a stub.
	addStub := func(name string, stub func() *jen.File) error {
		if content, ok := tmplFiles[name]; ok {
			delete(tmplFiles, name)
			return add(goSource(name, content, write.Stub))
		}
		return add(render(stub(), name, write.Stub))
	}
	for _, t := range handlerTools(p) {
		if err := addStub(t.HandlerFile, func() *jen.File { return stubFile(p, t) }); err != nil {
			return nil, err
		}
	}
	for _, rt := range p.ResourceTemplates {
		if err := addStub(rt.HandlerFile, func() *jen.File { return resourceStubFile(p, rt) }); err != nil {
			return nil, err
		}
	}

	// The scaffold: written by mcpgen new only.
	for _, s := range []struct {
		path string
		file *jen.File
	}{
		{"main.go", mainFile(p)},
		{"tools.go", toolsTypeFile(p)},
	} {
		if err := add(render(s.file, s.path, write.Scaffold)); err != nil {
			return nil, err
		}
	}
	for name, content := range sortedMap(tmplFiles) {
		if strings.HasSuffix(name, ".go") {
			if err := add(goSource(name, content, write.Scaffold)); err != nil {
				return nil, err
			}
			continue
		}
		plan.Files = append(plan.Files, write.File{Path: name, Content: content, Owner: write.Scaffold})
	}

	// Every Go file is in the plan by now: go.mod and go.sum follow what
	// they import. A regeneration writes no scaffold, so what the generated
	// files and stubs need is added to the user's go.mod separately.
	mods, err := moduleFiles(plan.Files)
	if err != nil {
		return nil, err
	}
	var owned []write.File
	for _, f := range plan.Files {
		if f.Owner != write.Scaffold {
			owned = append(owned, f)
		}
	}
	if plan.Modules, err = moduleFiles(owned); err != nil {
		return nil, err
	}
	data, err := projectData(p, opts, mods.Require)
	if err != nil {
		return nil, err
	}
	for _, name := range templates.ProjectFiles() {
		target, content, err := templates.ProjectFile(name, data)
		if err != nil {
			return nil, err
		}
		if content == nil {
			continue // a file this project does not need
		}
		plan.Files = append(plan.Files, write.File{Path: target, Content: content, Owner: write.Scaffold})
	}
	var sum []byte
	for _, line := range mods.Sum {
		sum = append(sum, line+"\n"...)
	}
	plan.Files = append(plan.Files, write.File{Path: "go.sum", Content: sum, Owner: write.Scaffold})
	if opts.Manifest != nil {
		plan.Files = append(plan.Files, write.File{Path: p.Source, Content: opts.Manifest, Owner: write.Scaffold})
	}
	return plan, nil
}

// goSource formats Go source that comes from a template, so that the
// project is gofmt-clean whatever the template's spacing.
func goSource(name string, content []byte, owner write.Owner) (write.File, error) {
	formatted, err := format.Source(content)
	if err != nil {
		return write.File{}, fmt.Errorf("template file %s: %w", name, err)
	}
	return write.File{Path: path.Clean(name), Content: formatted, Owner: owner}, nil
}

// sortedMap ranges over m in key order, so output never depends on map order.
func sortedMap(m map[string][]byte) func(func(string, []byte) bool) {
	return func(yield func(string, []byte) bool) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}
