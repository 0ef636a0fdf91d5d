// Package generator turns an mcpgen manifest into the files of a Go MCP
// server project.
//
// Generate is pure: it reads its input, not the disk or the network, and
// keeps no state between calls. The CLI, --check, --dry-run and the golden
// tests all consume the plan it returns; package write puts it on disk.
//
//	mcpgen.yaml ─► manifest.Load ─► manifest.Validate ─► build (IR) ─► emit ─► write.Plan
package generator

import (
	"maps"
	"path"
	"slices"

	"github.com/mcpgen/mcpgen/generator/apistage"
	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/emit"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/report"
	"github.com/mcpgen/mcpgen/generator/write"
)

// Input is what Generate reads.
type Input struct {
	// ManifestPath is the manifest's path as the user should see it in
	// messages and generated comments: relative, slash-separated
	// ("mcpgen.yaml").
	ManifestPath string
	// Manifest is the manifest's content.
	Manifest []byte
	// ReadFile reads the files the manifest refers to: the OpenAPI document
	// and the files its $refs name, by slash-separated path relative to the
	// manifest. It may be nil when the manifest refers to none.
	ReadFile func(name string) ([]byte, error)
	// Strict makes every defect of the OpenAPI document an error, as
	// openapi: {strict: true} in the manifest does; by default a defect
	// confined to one operation leaves out or weakens only its tool, with
	// a warning.
	Strict bool
}

// Options control the scaffold of a new project, and how it is generated;
// nil means defaults.
type Options struct {
	// Module is the module path for a new go.mod; default: the server name.
	Module string
	// Template is the built-in template a new project starts from, whose
	// files replace the stubs of its tools. Empty for none.
	Template string
	// RuntimeReplace, if set, is the replace target of the runtime module in
	// a new go.mod (a development build points at its own checkout).
	RuntimeReplace string
	// WriteManifest includes the manifest itself in the plan (mcpgen new),
	// and the files it refers to that Input.ReadFile read.
	WriteManifest bool
	// Exact takes the libraries' own path everywhere the generator has a
	// quicker one that mirrors them: kin-openapi's decoding and $ref
	// resolution rather than the loader's typed decoder, linker and split
	// (loader.Options.Exact), json.Unmarshal rather than
	// manifest.DecodeSDKSchema's decoder, each tool's schema checked whole
	// rather than as the parts the tools share, and every generated file
	// built and formatted whole rather than through forms. The project and
	// the diagnostics are the same, byte for byte (corpus.TestExact
	// compares them); it is slower, and there to check the quicker paths
	// and to rule them out of a bug report.
	Exact bool
}

// Generate validates the manifest and returns the plan of every file of the
// project. Diagnostics include warnings; the plan is nil when they include
// an error.
func Generate(in *Input, opts *Options) (*write.Plan, diag.List) {
	res, diags := Run(in, opts)
	if res == nil {
		return nil, diags
	}
	return res.Plan, diags
}

// Result is what Run made: the plan, and the report of the generation.
type Result struct {
	Plan *write.Plan
	// Report summarises the tools; its surface changes are left for the
	// caller, who can read the previous surface record.
	Report *report.Report
	// Surface is the tool surface, as the plan records it in
	// report.SurfaceFile.
	Surface *report.Surface

	// Where a quicker path declined and the library's was taken: the
	// output is the same, but each is slower, and says where a quicker
	// path falls short. Both are empty with Options.Exact, which takes the
	// library's path everywhere.
	//
	// Declined are the JSON pointers of the OpenAPI document's entries
	// that the loader's typed decoder left to kin-openapi.
	Declined []string
	// BuiltWhole are the generated files built and formatted whole
	// because the declarations they repeat did not splice (see emit).
	BuiltWhole []string
}

// Run is Generate, with the report of the generation. The result is nil
// when the diagnostics include an error.
func Run(in *Input, opts *Options) (*Result, diag.List) {
	if opts == nil {
		opts = &Options{}
	}
	var read *recorder
	if opts.WriteManifest && in.ReadFile != nil {
		// A new project carries the files its manifest refers to.
		read = &recorder{read: in.ReadFile, files: make(map[string][]byte)}
		copied := *in
		copied.ReadFile = read.readFile
		in = &copied
	}
	p, diags, checks := load(in, opts.Exact)
	if diags.HasErrors() {
		diags, _ = finish(diags, checks)
		return nil, diags
	}
	res := &Result{}
	eo := &emit.Options{
		Module:         opts.Module,
		Binary:         sanitizeBinary(p.Name),
		Template:       opts.Template,
		RuntimeReplace: opts.RuntimeReplace,
		Exact:          opts.Exact,
		BuiltWhole:     func(path string) { res.BuiltWhole = append(res.BuiltWhole, path) },
	}
	if eo.Module == "" {
		eo.Module = sanitizeBinary(p.Name)
	}
	if opts.WriteManifest {
		eo.Manifest = in.Manifest
	}
	// The project is emitted while the last checks run; should they find
	// an error, it is not returned, and should they leave out a tool or an
	// output schema (rare), it is emitted again without it.
	plan, err := emit.Project(p, eo)
	diags, late := finish(diags, checks)
	if late.Apply(p) && err == nil && !diags.HasErrors() {
		res.BuiltWhole = nil // the first emission's
		plan, err = emit.Project(p, eo)
	}
	surface := report.SurfaceOf(p)
	if err != nil {
		// The templates are part of mcpgen: a failure here is a bug, but it
		// is still reported rather than panicking.
		diags.Add(diag.Pos{File: in.ManifestPath}, "", "internal error: %v", err)
		return nil, diags
	}
	if diags.HasErrors() {
		return nil, diags
	}
	// The surface record, beside the manifest, is what the next
	// regeneration compares its tools with (see package report).
	plan.Files = append(plan.Files, write.File{Path: report.SurfaceFile, Content: surface.Marshal(), Owner: write.Generated})
	if read != nil {
		for _, name := range slices.Sorted(maps.Keys(read.files)) {
			plan.Files = append(plan.Files, write.File{Path: name, Content: read.files[name], Owner: write.Scaffold})
		}
	}
	diags.Sort()
	res.Plan, res.Report, res.Surface = plan, report.New(p, diags), surface
	if p.API != nil {
		res.Declined = p.API.Declined
	}
	if len(res.Declined) > 0 || len(res.BuiltWhole) > 0 {
		res.Report.Fallbacks = &report.Fallbacks{Declined: res.Declined, BuiltWhole: res.BuiltWhole}
	}
	return res, diags
}

// recorder keeps what a ReadFile function read.
type recorder struct {
	read  func(string) ([]byte, error)
	files map[string][]byte
}

func (r *recorder) readFile(name string) ([]byte, error) {
	data, err := r.read(name)
	if err == nil {
		r.files[path.Clean(name)] = data
	}
	return data, err
}

// Validate checks the manifest as Generate does, without generating
// anything: every problem is reported, sorted by position.
func Validate(in *Input) diag.List {
	_, diags, checks := load(in, false)
	diags, _ = finish(diags, checks)
	return diags
}

// finish waits for the checks still running (see build), adds what they
// found to diags, sorted, and returns it with what they found.
func finish(diags diag.List, checks apistage.Checks) (diag.List, *apistage.Late) {
	if checks == nil {
		return diags, nil
	}
	late := checks()
	diags = append(diags, late.Diags...)
	diags.Sort()
	return diags, late
}

// load reads, checks and resolves the manifest into the IR. checks, when
// not nil, waits for the checks still running and returns what they found
// (see build). exact is Options.Exact.
func load(in *Input, exact bool) (p *ir.Project, diags diag.List, checks apistage.Checks) {
	f, diags := manifest.Load(in.ManifestPath, in.Manifest)
	if f == nil {
		return nil, diags, nil
	}
	f.Exact = exact
	// Validate what could be decoded, so that one run reports every
	// problem; a node the loader already faulted is not faulted again.
	faulted := make(map[string]bool)
	for _, d := range diags {
		faulted[d.Pointer] = true
	}
	for _, d := range manifest.Validate(f) {
		if !faulted[d.Pointer] {
			diags = append(diags, d)
		}
	}
	if !diags.HasErrors() {
		var more diag.List
		p, more, checks = build(f, in)
		diags = append(diags, more...)
	}
	diags.Sort()
	return p, diags, checks
}
