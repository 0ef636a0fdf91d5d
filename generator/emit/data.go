package emit

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/templates"
)

// RuntimeModule is the module path of the runtime generated servers link.
const RuntimeModule = "github.com/mcpgen/mcpgen/runtime"

// RuntimeVersion is the runtime release this generator's output is written
// for.
const RuntimeVersion = "v0.1.0"

// goVersion is the go directive of generated projects: the oldest Go the
// MCP SDK supports.
const goVersion = "1.25.0"

// data is what the project file templates see. Every condition a template
// tests is computed here.
type data struct {
	Name, Title, Version, Instructions string
	Module, Binary, Source             string
	Tools                              []toolData

	HasStreamable, HasSSE, HasStdio, HasHTTP bool

	GoVersion, GoImage                            string
	RuntimeModule, RuntimeVersion, RuntimeReplace string
	Requires                                      []requirement
}

type toolData struct {
	Name, Title, Summary, HandlerFile string
}

type requirement struct {
	Path, Version string
	Indirect      bool
}

func projectData(p *ir.Project, opts *Options) (*data, error) {
	d := &data{
		Name:           p.Name,
		Title:          p.Title,
		Version:        p.Version,
		Instructions:   p.Instructions,
		Module:         opts.Module,
		Binary:         opts.Binary,
		Source:         p.Source,
		HasStreamable:  p.HasStreamable(),
		HasSSE:         p.HasSSE(),
		HasStdio:       p.HasStdio(),
		HasHTTP:        p.HasHTTP(),
		GoVersion:      goVersion,
		GoImage:        goVersion[:strings.LastIndex(goVersion, ".")],
		RuntimeModule:  RuntimeModule,
		RuntimeVersion: RuntimeVersion,
		RuntimeReplace: opts.RuntimeReplace,
	}
	for _, t := range p.Tools {
		d.Tools = append(d.Tools, toolData{
			Name:        t.Name,
			Title:       t.Title,
			Summary:     tableCell(firstSentence(t.Description)),
			HandlerFile: t.HandlerFile,
		})
	}
	reqs, err := runtimeRequires()
	if err != nil {
		return nil, err
	}
	d.Requires = append([]requirement{{Path: RuntimeModule, Version: RuntimeVersion}}, reqs...)
	return d, nil
}

// runtimeRequires reads the runtime's go.mod (a copy kept in templates) and
// returns its requirements as the generated project needs them: the MCP SDK
// directly, everything else indirectly.
func runtimeRequires() ([]requirement, error) {
	mod, err := templates.Raw("project/runtime.go.mod")
	if err != nil {
		return nil, err
	}
	var reqs []requirement
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(mod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line, _, _ = strings.Cut(line, "//")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 2 && fields[0] == "require" && fields[1] == "(":
			inBlock = true
			continue
		case inBlock && len(fields) == 1 && fields[0] == ")":
			inBlock = false
			continue
		case len(fields) == 3 && fields[0] == "require":
			fields = fields[1:]
		case inBlock && len(fields) == 2:
		default:
			continue
		}
		reqs = append(reqs, requirement{
			Path:     fields[0],
			Version:  fields[1],
			Indirect: fields[0] != "github.com/modelcontextprotocol/go-sdk",
		})
	}
	return reqs, sc.Err()
}

// firstSentence is the text up to the first full stop, for tables.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// tableCell makes text safe inside a Markdown table cell.
func tableCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
