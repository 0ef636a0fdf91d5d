package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/mcpgen/mcpgen/generator"
	mcpreport "github.com/mcpgen/mcpgen/generator/report"
)

// reportFlag selects how a generation's report is printed.
func reportFlag() cli.Flag {
	return &cli.StringFlag{Name: "report", Value: "text", Usage: "text: the report after the list of files; json: the report as JSON on stdout, everything else on stderr (for CI)"}
}

// failOnFlag makes breaking changes of the tool surface an error.
func failOnFlag() cli.Flag {
	return &cli.StringFlag{Name: "fail-on", Usage: "breaking: exit 1 when the tool surface changes in a way that can break a client"}
}

// outputs are where a command prints: the human text, and the JSON report
// when --report=json asked for it (then the text goes to stderr, so that
// stdout is the JSON alone).
type outputs struct {
	text io.Writer
	json bool
}

func reportOutputs(c *cli.Context) (outputs, error) {
	switch c.String("report") {
	case "text", "":
		return outputs{text: c.App.Writer}, nil
	case "json":
		return outputs{text: c.App.ErrWriter, json: true}, nil
	}
	return outputs{}, usageError(c, "unknown --report %q: use text or json", c.String("report"))
}

// failOnBreaking reads --fail-on.
func failOnBreaking(c *cli.Context) (bool, error) {
	switch c.String("fail-on") {
	case "":
		return false, nil
	case "breaking":
		return true, nil
	}
	return false, usageError(c, "unknown --fail-on %q: use breaking", c.String("fail-on"))
}

// printReport prints r as --report asked: as text, and with json also as
// JSON on stdout (the text then goes to stderr, for the CI log).
func printReport(c *cli.Context, o outputs, r *mcpreport.Report) error {
	if o.json {
		if err := writeJSON(c, r); err != nil {
			return err
		}
	}
	r.WriteText(o.text)
	if r.Changes != nil {
		fmt.Fprintln(o.text)
		mcpreport.WriteChanges(o.text, r.Changes)
	}
	return nil
}

// writeJSON prints r as JSON on stdout.
func writeJSON(c *cli.Context, r *mcpreport.Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return ioError("%v", err)
	}
	if _, err = c.App.Writer.Write(append(b, '\n')); err != nil {
		return ioError("%v", err)
	}
	return nil
}

// recordedSurface reads the surface record of the project in dir; nil when
// there is none (a new project, or one generated before mcpgen kept it).
func recordedSurface(dir string) (*mcpreport.Surface, error) {
	data, err := os.ReadFile(filepath.Join(dir, mcpreport.SurfaceFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, ioError("%v", err)
	}
	s, err := mcpreport.ParseSurface(data)
	if err != nil {
		return nil, cli.Exit("mcpgen: "+err.Error()+"; run 'mcpgen generate' to rewrite it", exitInvalid)
	}
	return s, nil
}

// breakingError is the exit-1 error of --fail-on=breaking.
func breakingError(c *cli.Context, n int, written bool) error {
	msg := fmt.Sprintf("mcpgen %s: %d breaking change%s of the tool surface", c.Command.Name, n, plural(n))
	if c.Command.Name == "generate" && !written {
		msg += "; nothing was written"
	}
	return cli.Exit(msg, exitInvalid)
}

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:  "diff",
		Usage: "show how the tool surface changed, each change marked breaking or not",
		Description: "Compares the tools the project would have if generated now with the tools it\n" +
			"has: those recorded in mcpgen.surface.yaml by the last 'mcpgen generate', or,\n" +
			"with --from, those generated from OLDSPEC in place of the project's OpenAPI\n" +
			"document. A removed or renamed tool, a removed, retyped or newly required\n" +
			"argument, a narrowed result are breaking; an added tool or optional argument\n" +
			"is not. Writes nothing.\n\n" +
			"Example:\n" +
			"  mcpgen diff\n" +
			"  mcpgen diff --from main-branch/petstore.yaml --fail-on=breaking   # in CI",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Aliases: []string{"C"}, Value: ".", Usage: "project directory"},
			&cli.StringFlag{Name: "from", Aliases: []string{"f"}, Usage: "the previous OpenAPI document to compare with, instead of the recorded surface"},
			failOnFlag(),
			&cli.StringFlag{Name: "report", Value: "text", Usage: "text, or json: the changes as JSON on stdout"},
		},
		Action: runDiff,
	}
}

// projectCall is what generate and diff read before they generate: where
// the report goes, whether breaking changes fail the command, and the
// project's directory and manifest.
type projectCall struct {
	out      outputs
	failOn   bool
	dir      string
	manifest []byte
}

func readProjectCall(c *cli.Context) (*projectCall, error) {
	if c.NArg() != 0 {
		return nil, usageError(c, "unexpected arguments %q", c.Args().Slice())
	}
	o, err := reportOutputs(c)
	if err != nil {
		return nil, err
	}
	failOn, err := failOnBreaking(c)
	if err != nil {
		return nil, err
	}
	dir := c.String("dir")
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil, ioError("%v", err)
	}
	return &projectCall{out: o, failOn: failOn, dir: dir, manifest: data}, nil
}

func runDiff(c *cli.Context) error {
	pc, err := readProjectCall(c)
	if err != nil {
		return err
	}
	o, failOn, dir, manifestData := pc.out, pc.failOn, pc.dir, pc.manifest
	in := &generator.Input{ManifestPath: manifestName, Manifest: manifestData, ReadFile: dirReader(dir)}
	now, diags := generator.Run(in, nil)
	if err := report(c, diags); err != nil {
		return err
	}
	var old *mcpreport.Surface
	if from := c.String("from"); from != "" {
		spec := now.Report.Tools.Spec
		if spec == "" {
			return usageError(c, "--from replaces the project's OpenAPI document, and %s has none", manifestName)
		}
		oldSpec, err := os.ReadFile(from)
		if err != nil {
			return ioError("%v", err)
		}
		// The old document stands in for the project's; the files it
		// refers to are read beside the project's, as the project would.
		read := dirReader(dir)
		oldIn := *in
		oldIn.ReadFile = func(name string) ([]byte, error) {
			if path.Clean(name) == path.Clean(spec) {
				return oldSpec, nil
			}
			return read(name)
		}
		then, diags := generator.Run(&oldIn, nil)
		if diags.HasErrors() {
			fmt.Fprint(c.App.ErrWriter, diags.Errors().Format(0))
			return cli.Exit(fmt.Sprintf("mcpgen diff: %s (as --from) does not generate", from), exitInvalid)
		}
		old = then.Surface
	} else if old, err = recordedSurface(dir); err != nil {
		return err
	} else if old == nil {
		return cli.Exit(fmt.Sprintf("mcpgen diff: %s has no %s to compare with; run 'mcpgen generate' once, or use --from OLDSPEC", dir, mcpreport.SurfaceFile), exitInvalid)
	}
	changes := mcpreport.Diff(old, now.Surface)
	if o.json {
		now.Report.SetChanges(changes)
		if err := printReport(c, o, now.Report); err != nil {
			return err
		}
	} else {
		mcpreport.WriteChanges(o.text, changes)
	}
	if n := mcpreport.Breaking(changes); failOn && n > 0 {
		return breakingError(c, n, false)
	}
	return nil
}
