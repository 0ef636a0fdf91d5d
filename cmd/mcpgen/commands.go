package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mcpgen/mcpgen/generator"
	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/manifest"
	mcpreport "github.com/mcpgen/mcpgen/generator/report"
	"github.com/mcpgen/mcpgen/generator/write"
	"github.com/mcpgen/mcpgen/templates"
)

// manifestName is the manifest's file name in a project.
const manifestName = "mcpgen.yaml"

var serverName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func newCommand() *cli.Command {
	return &cli.Command{
		Name:      "new",
		Usage:     "create a new MCP server project",
		ArgsUsage: "NAME",
		Description: "Creates the directory NAME (or --out) with a complete Go MCP server: mcpgen.yaml,\n" +
			"generated code, a handler file per tool, tests, README, Makefile, Dockerfile.\n\n" +
			"With --from, the tools are the operations of an OpenAPI document (3.0, 3.1 or\n" +
			"Swagger 2.0, JSON or YAML), each calling the API; the document is copied into the\n" +
			"project, and 'mcpgen generate' re-imports it when it changes. With --from and\n" +
			"--template=github-oauth (or google-oauth, oidc), users sign in and each call of\n" +
			"the API carries the signed-in user's own token.\n\n" +
			"Example:\n" +
			"  mcpgen new my-server --template=authless\n" +
			"  cd my-server && go run .\n" +
			"  mcpgen new my-server --template=github-oauth\n" +
			"  cd my-server && cp .env.example .env   # then set GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET\n" +
			"  mcpgen new petstore --from petstore.yaml\n" +
			"  cd petstore && PETSTORE_BASE_URL=https://petstore3.swagger.io/api/v3 go run .\n" +
			"  mcpgen new gh --from api.github.com.json --template=github-oauth",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "template", Aliases: []string{"t"}, Value: "authless", Usage: "built-in template to start from (see 'mcpgen templates')"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "directory to create (default: ./NAME)"},
			&cli.StringFlag{Name: "module", Aliases: []string{"m"}, Usage: "Go module path (default: NAME)"},
			&cli.StringFlag{Name: "from", Aliases: []string{"f"}, Usage: "OpenAPI document whose operations become the tools (implies --template=openapi, or combines with an OAuth template)"},
			&cli.StringFlag{Name: "mode", Value: "static", Usage: "with --from: static (one tool per operation) or dynamic (tools that search, describe and call operations)"},
			&cli.BoolFlag{Name: "force", Usage: "write into a non-empty directory (files already there are never overwritten)"},
			&cli.BoolFlag{Name: "strict", Usage: "with --from: stop at any defect of the document, rather than leaving out (or weakening) only the operations it affects"},
			exactFlag(),
			reportFlag(),
		},
		Action: runNew,
	}
}

func runNew(c *cli.Context) error {
	if c.NArg() != 1 {
		return usageError(c, "expected one NAME, got %d arguments", c.NArg())
	}
	name := c.Args().First()
	if !serverName.MatchString(name) || len(name) > 64 {
		return usageError(c, "invalid NAME %q: use letters, digits, '-', '_' and '.', at most 64 characters", name)
	}
	tmpl := c.String("template")
	from := c.String("from")
	var provider, providerTitle string
	if from != "" {
		if c.IsSet("template") && tmpl != "openapi" {
			// With an OAuth template, users sign in and the API is called
			// as each of them.
			var ok bool
			if provider, providerTitle, ok = signInTemplate(tmpl); !ok {
				return usageError(c, "--from imports an OpenAPI document; it cannot be combined with --template=%s (only with github-oauth, google-oauth or oidc, to call the API as the signed-in user)", tmpl)
			}
		}
		tmpl = "openapi"
	} else if tmpl == "openapi" {
		return usageError(c, "the openapi template needs --from SPEC, the OpenAPI document to import")
	}
	if _, ok := templates.Lookup(tmpl); !ok {
		return usageError(c, "unknown template %q; available: %s", tmpl, strings.Join(templates.Names(), ", "))
	}
	mode := c.String("mode")
	if mode != "static" && mode != "dynamic" {
		return usageError(c, "unknown --mode %q: use static or dynamic", mode)
	}
	o, err := reportOutputs(c)
	if err != nil {
		return err
	}
	out := c.String("out")
	if out == "" {
		out = name
	}
	if err := checkTarget(out, c.Bool("force")); err != nil {
		return err
	}

	md := templates.ManifestData{Name: name, Mode: mode, Strict: c.Bool("strict") && from != "", Auth: provider, AuthTitle: providerTitle}
	in := &generator.Input{ManifestPath: manifestName, Strict: c.Bool("strict")}
	var spec *specFiles
	if from != "" {
		var err error
		if spec, err = openSpec(from); err != nil {
			return err
		}
		md.Spec, md.FirstOperation, md.Source = spec.name, spec.firstOperation(), spec.source
		in.ReadFile = spec.reader
	}
	manifestData, err := templates.Manifest(tmpl, md)
	if err != nil {
		return ioError("%v", err)
	}
	in.Manifest = manifestData
	replace, warning := runtimeReplace(out)
	if warning != "" {
		fmt.Fprintln(c.App.ErrWriter, "mcpgen: warning:", warning)
	}
	res, diags := generator.Run(in,
		&generator.Options{Module: c.String("module"), Template: tmpl, RuntimeReplace: replace, WriteManifest: true, Exact: c.Bool("exact")},
	)
	if err := report(c, diags); err != nil {
		return err
	}
	changes, err := write.Compute(out, res.Plan, &write.Options{Scaffold: true})
	if err != nil {
		return writeError(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return ioError("%v", err)
	}
	if err := write.Apply(out, changes); err != nil {
		return ioError("%v", err)
	}
	write.Report(o.text, changes)
	if err := printReport(c, o, res.Report); err != nil {
		return err
	}
	writeFallbacks(o.text, res)
	if spec != nil {
		fmt.Fprintf(o.text, "\nCreated %s from %s. Next:\n\n  cd %s\n  cp .env.example .env   # the API's base URL and credentials\n  make run               # MCP at http://localhost:8080/mcp\n  make test\n", name, from, out)
		return nil
	}
	if info, _ := templates.Lookup(tmpl); info.Settings != "" {
		fmt.Fprintf(o.text, "\nCreated %s from the %s template. Next:\n\n  cd %s\n  cp .env.example .env   # %s (README.md: Set up sign-in)\n  go run .               # MCP at http://localhost:8080/mcp, OAuth-protected\n  make test\n", name, tmpl, out, info.Settings)
		return nil
	}
	fmt.Fprintf(o.text, "\nCreated %s from the %s template. Next:\n\n  cd %s\n  go run .            # MCP at http://localhost:8080/mcp\n  make test\n", name, tmpl, out)
	return nil
}

// checkTarget refuses a non-empty directory unless forced.
func checkTarget(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return ioError("%v", err)
	case len(entries) > 0 && !force:
		return cli.Exit(fmt.Sprintf("mcpgen new: %s is not empty; use --force to add the project's missing files to it (files already there are never overwritten)", dir), exitUsage)
	}
	return nil
}

func generateCommand() *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "regenerate the project from mcpgen.yaml",
		Description: "Reads ./mcpgen.yaml (or DIR/mcpgen.yaml), rewrites the files mcpgen owns (*_gen.go),\n" +
			"creates a handler stub for each new tool and reports every file:\n" +
			"created, updated, unchanged, deleted (a generated file no longer needed),\n" +
			"kept (yours, untouched) or orphaned (a handler whose tool is gone; yours to delete).\n" +
			"Then a report: the tools, the operations left out and why, the size of tools/list,\n" +
			"and how the tool surface changed since the last generation (mcpgen.surface.yaml),\n" +
			"each change marked breaking or not.\n\n" +
			"Example:\n" +
			"  mcpgen generate --dry-run   # show what would change\n" +
			"  mcpgen generate --check     # exit 1 if anything would change (for CI)\n" +
			"  mcpgen generate --check --fail-on=breaking --report=json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Aliases: []string{"C"}, Value: ".", Usage: "project directory"},
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "show what would change, write nothing"},
			&cli.BoolFlag{Name: "check", Usage: "write nothing; exit 1 if the generated files are stale"},
			&cli.BoolFlag{Name: "strict", Usage: "stop at any defect of the OpenAPI document, as openapi: {strict: true} does"},
			&cli.BoolFlag{Name: "fetch", Usage: "download the OpenAPI document again from openapi.source into openapi.spec first"},
			exactFlag(),
			reportFlag(),
			failOnFlag(),
		},
		Action: runGenerate,
	}
}

func runGenerate(c *cli.Context) error {
	pc, err := readProjectCall(c)
	if err != nil {
		return err
	}
	o, failOn, dir, data := pc.out, pc.failOn, pc.dir, pc.manifest
	if c.Bool("fetch") {
		if c.Bool("check") || c.Bool("dry-run") {
			return usageError(c, "--fetch writes the downloaded document; it cannot be combined with --check or --dry-run")
		}
		if data, err = fetchManifestSpec(c, dir, data); err != nil {
			return err
		}
	}
	previous, err := recordedSurface(dir)
	if err != nil {
		return err
	}
	res, diags := generator.Run(&generator.Input{ManifestPath: manifestName, Manifest: data, ReadFile: dirReader(dir), Strict: c.Bool("strict")},
		&generator.Options{Exact: c.Bool("exact")})
	if err := report(c, diags); err != nil {
		return err
	}
	if previous != nil {
		res.Report.SetChanges(mcpreport.Diff(previous, res.Surface))
	}
	breaking := failOn && res.Report.Breaking > 0
	changes, err := write.Compute(dir, res.Plan, nil)
	if err != nil {
		return writeError(err)
	}
	switch {
	case c.Bool("check"):
		stale := write.Stale(changes)
		if stale || breaking {
			var list []write.Change
			for _, ch := range changes {
				if ch.Action == write.Created || ch.Action == write.Updated || ch.Action == write.Deleted {
					list = append(list, ch)
				}
			}
			write.Report(c.App.ErrWriter, list)
			if res.Report.Changes != nil {
				mcpreport.WriteChanges(c.App.ErrWriter, res.Report.Changes)
			}
		}
		if o.json {
			// The stale files and changes are on stderr already.
			if err := writeJSON(c, res.Report); err != nil {
				return err
			}
		}
		if breaking {
			return breakingError(c, res.Report.Breaking, false)
		}
		if stale {
			return cli.Exit("mcpgen generate --check: generated files are stale; run 'mcpgen generate'", exitInvalid)
		}
		return nil
	case c.Bool("dry-run"):
		write.Report(o.text, changes)
		if err := printReport(c, o, res.Report); err != nil {
			return err
		}
		writeFallbacks(o.text, res)
		return nil
	}
	if breaking {
		// A guard of the server's contract: nothing changes until the
		// breaking changes are accepted (by running without --fail-on).
		if err := printReport(c, o, res.Report); err != nil {
			return err
		}
		return breakingError(c, res.Report.Breaking, false)
	}
	if err := write.Apply(dir, changes); err != nil {
		return ioError("%v", err)
	}
	write.Report(o.text, changes)
	if err := printReport(c, o, res.Report); err != nil {
		return err
	}
	writeFallbacks(o.text, res)
	return nil
}

// exactFlag is --exact, for new and generate.
func exactFlag() cli.Flag {
	return &cli.BoolFlag{Name: "exact", Usage: "take the libraries' own path (kin-openapi, encoding/json, whole-file formatting) wherever mcpgen has a quicker one; " +
		"the output is the same, more slowly: to check mcpgen, or to rule its quicker paths out of a bug report"}
}

// writeFallbacks notes where a quicker path declined and the library's
// was taken (see generator.Result): the project is the same, but the
// places are worth a bug report when generation is slow.
func writeFallbacks(w io.Writer, res *generator.Result) {
	if n := len(res.Declined); n > 0 {
		what := "entries"
		if n == 1 {
			what = "entry"
		}
		fmt.Fprintf(w, "\nnote: mcpgen's decoder left %d %s of the OpenAPI document to kin-openapi's (the same result, more slowly): %s\n", n, what, listSome(res.Declined))
	}
	if n := len(res.BuiltWhole); n > 0 {
		fmt.Fprintf(w, "\nnote: %d generated file%s built whole, the declarations they repeat not spliced (the same result, more slowly): %s\n", n, plural(n), listSome(res.BuiltWhole))
	}
}

// listSome lists the first few of s, and how many more there are.
func listSome(s []string) string {
	const few = 5
	if len(s) <= few {
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(s[:few], ", "), len(s)-few)
}

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check a manifest and report every problem",
		ArgsUsage: "[FILE]",
		Description: "Reports every problem in FILE (default ./mcpgen.yaml) as\n" +
			"  file:line:col: json-pointer: reason\n" +
			"sorted by position, and exits 1 if there is any. Writes nothing.\n\n" +
			"Example:\n" +
			"  mcpgen validate\n" +
			"  mcpgen validate path/to/mcpgen.yaml",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "strict", Usage: "count every defect of the OpenAPI document as an error, as openapi: {strict: true} does"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageError(c, "expected at most one FILE")
			}
			file := manifestName
			if c.NArg() == 1 {
				file = c.Args().First()
			}
			data, err := os.ReadFile(file)
			if err != nil {
				return ioError("%v", err)
			}
			return report(c, generator.Validate(&generator.Input{ManifestPath: filepath.ToSlash(file), Manifest: data,
				ReadFile: dirReader(filepath.Dir(file)), Strict: c.Bool("strict")}))
		},
	}
}

func templatesCommand() *cli.Command {
	return &cli.Command{
		Name:        "templates",
		Usage:       "list the built-in project templates",
		Description: "Example:\n  mcpgen templates\n  mcpgen new my-server --template=authless",
		Action: func(c *cli.Context) error {
			for _, t := range templates.List() {
				fmt.Fprintf(c.App.Writer, "%-14s %s\n", t.Name, t.Description)
			}
			return nil
		},
	}
}

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of mcpgen.yaml",
		Description: "Editors use it to complete and check mcpgen.yaml; generated manifests\n" +
			"reference it in their first line.\n\n" +
			"Example:\n  mcpgen schema > mcpgen.schema.json",
		Action: func(c *cli.Context) error {
			_, err := c.App.Writer.Write(manifest.JSONSchema())
			return err
		},
	}
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:        "version",
		Usage:       "print mcpgen's version",
		Description: "Example:\n  mcpgen version",
		Action: func(c *cli.Context) error {
			fmt.Fprintf(c.App.Writer, "mcpgen %s\n", version())
			return nil
		},
	}
}

// version is the module version mcpgen was built from, or "(devel)".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// report prints diagnostics to stderr and turns errors into exit status 1.
func report(c *cli.Context, diags diag.List) error {
	if len(diags) == 0 {
		return nil
	}
	var b bytes.Buffer
	b.WriteString(diags.Format(diag.MaxPrinted))
	c.App.ErrWriter.Write(b.Bytes())
	if diags.HasErrors() {
		n := len(diags.Errors())
		msg := fmt.Sprintf("mcpgen %s: %d error%s", c.Command.Name, n, plural(n))
		if c.Command.Name != "validate" {
			msg += "; nothing was written"
		}
		return cli.Exit(msg, exitInvalid)
	}
	return nil
}

func writeError(err error) error {
	var ce *write.ConflictError
	if errors.As(err, &ce) {
		return cli.Exit(err.Error()+"\nnothing was written", exitInvalid)
	}
	return ioError("%v", err)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// signInTemplate is the identity provider of an OAuth template, which new
// --from combines with an OpenAPI document.
func signInTemplate(tmpl string) (provider, title string, ok bool) {
	switch tmpl {
	case "github-oauth":
		return "github", "GitHub", true
	case "google-oauth":
		return "google", "Google", true
	case "oidc":
		return "oidc", "your OpenID Connect provider", true
	}
	return "", "", false
}
