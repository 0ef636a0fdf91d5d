// Command mcpgen generates MCP servers in Go from a manifest (mcpgen.yaml).
//
//	mcpgen new my-server --template=authless   # a new project
//	mcpgen generate                            # regenerate after editing mcpgen.yaml
//	mcpgen generate --check                    # in CI: exit 1 when generated files are stale
//	mcpgen validate                            # report every problem in mcpgen.yaml
//	mcpgen diff --fail-on=breaking             # in CI: exit 1 when the tool surface breaks clients
//
// Exit status: 0 on success; 1 when the input is invalid, the generated
// files are stale, or (with --fail-on=breaking) the tool surface changed in
// a way that breaks clients; 2 on a usage or I/O error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// Exit codes.
const (
	exitInvalid = 1 // invalid manifest, stale output with --check, breaking change with --fail-on
	exitUsage   = 2 // bad flags or arguments, I/O errors
)

func main() {
	if os.Getenv("GOGC") == "" {
		// Generating from a large OpenAPI document is allocation-heavy and
		// short-lived: collecting less often than the default saves CPU,
		// and on a large document even lowers the peak heap, as fewer
		// collections start while it grows fastest (docs/performance.md
		// has the measurements). GOGC, when set, decides instead.
		debug.SetGCPercent(300)
		if os.Getenv("GOMEMLIMIT") == "" {
			// Past 1 GiB of heap (a document several times GitHub's),
			// collect as often as it takes to stay near it.
			debug.SetMemoryLimit(1 << 30)
		}
	}
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run is main without the exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.Run(interspersed(app, args))
	if err == nil {
		return 0
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := ec.Error(); msg != "" {
			fmt.Fprintln(stderr, msg)
		}
		return ec.ExitCode()
	}
	// Errors urfave/cli returns itself are usage errors: an unknown flag, a
	// missing value.
	fmt.Fprintf(stderr, "mcpgen: %v\n", err)
	return exitUsage
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:      "mcpgen",
		Usage:     "generate MCP servers in Go from a manifest",
		UsageText: "mcpgen <command> [options]",
		Description: "mcpgen turns mcpgen.yaml into a complete Go MCP server: typed tools validated\n" +
			"against their JSON Schemas, streamable HTTP, SSE and stdio transports, tests\n" +
			"and deploy files. Regenerating rewrites only the files mcpgen owns (*_gen.go).\n\n" +
			"Exit status: 0 success; 1 invalid input or stale generated files; 2 usage or I/O error.",
		Writer:                 stdout,
		ErrWriter:              stderr,
		HideVersion:            true,
		UseShortOptionHandling: false,
		Commands: []*cli.Command{
			newCommand(),
			generateCommand(),
			diffCommand(),
			validateCommand(),
			templatesCommand(),
			schemaCommand(),
			versionCommand(),
		},
		OnUsageError: func(c *cli.Context, err error, isSubcommand bool) error {
			return cli.Exit(fmt.Sprintf("mcpgen: %v\nRun 'mcpgen %s --help' for usage.", err, c.Command.Name), exitUsage)
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return cli.Exit(fmt.Sprintf("mcpgen: unknown command %q; run 'mcpgen --help' for the list", c.Args().First()), exitUsage)
			}
			return cli.ShowAppHelp(c)
		},
		ExitErrHandler: func(*cli.Context, error) {}, // run reports errors and picks the status
	}
}

// usageError is an exit-2 error with the command's usage hint.
func usageError(c *cli.Context, format string, args ...any) error {
	return cli.Exit(fmt.Sprintf("mcpgen %s: %s\nRun 'mcpgen %s --help' for usage.", c.Command.Name, fmt.Sprintf(format, args...), c.Command.Name), exitUsage)
}

// ioError is an exit-2 error.
func ioError(format string, args ...any) error {
	return cli.Exit("mcpgen: "+fmt.Sprintf(format, args...), exitUsage)
}

// interspersed moves a command's flags before its positional arguments, so
// that `mcpgen new my-server --template=authless` works: urfave/cli stops
// reading flags at the first positional argument.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	var cmd *cli.Command
	for _, c := range app.Commands {
		if c.HasName(args[1]) {
			cmd = c
		}
	}
	if cmd == nil {
		return args
	}
	takesValue := make(map[string]bool)
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flags, positional []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
			flags = append(flags, rest[i+1])
			i++
		}
	}
	out := append([]string{args[0], args[1]}, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}
