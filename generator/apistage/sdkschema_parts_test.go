package apistage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
	"github.com/mcpgen/mcpgen/internal/testkit"
	"github.com/mcpgen/mcpgen/templates"
)

// TestDecodeSDKSchemaParts: manifest.DecodeSDKSchema, which stands in for
// json.Unmarshal into a jsonschema-go Schema where the generator runs the
// MCP SDK's steps, gives what json.Unmarshal gives on every schema the
// generator checks: the tools' schemas of the golden projects, and for
// every document of the OpenAPI corpus and GitHub's description (when
// fetched, and not in -short mode) the imported tools' schemas whole, the
// parts and roots checkSchemas splits them into, the shared definitions,
// and the batches built of them.
func TestDecodeSDKSchemaParts(t *testing.T) {
	var projects []project
	goldens, _ := filepath.Glob(filepath.Join("..", "..", "golden", "*", "input", "mcpgen.yaml"))
	if len(goldens) < 10 {
		t.Fatalf("%d golden projects; expected over 10", len(goldens))
	}
	for _, m := range goldens {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		projects = append(projects, project{m, &input{ManifestPath: "mcpgen.yaml", Manifest: data, ReadFile: dirReader(filepath.Dir(m))}})
	}
	var specs []string
	if !testing.Short() {
		specs = testkit.OASExamples(t, "../..")
		if gh := testkit.GitHubSpec("../.."); gh != "" {
			specs = append(specs, gh)
		}
	}
	for _, spec := range specs {
		m, err := templates.Manifest("openapi", templates.ManifestData{Name: "parts", Spec: filepath.Base(spec), Mode: "static", FirstOperation: "GET /path"})
		if err != nil {
			t.Fatal(err)
		}
		projects = append(projects, project{spec, &input{ManifestPath: "mcpgen.yaml", Manifest: m, ReadFile: dirReader(filepath.Dir(spec))}})
	}

	if !testing.Short() {
		checkWork(t, projects)
	}
	schemas, imported := 0, 0
	for _, p := range projects {
		list, ok := checkedSchemas(t, p.in)
		if ok {
			imported++
		}
		for _, raw := range list {
			schemas++
			sameAsUnmarshal(t, p.name, raw)
		}
	}
	t.Logf("%d projects (%d imported), %d schemas", len(projects), imported, schemas)
	if len(specs) > 100 && imported < 100 {
		t.Errorf("only %d documents imported", imported)
	}
}

// checkedSchemas lists the schemas the generator checks for in: those of
// the manifest's tools and, when it has an openapi section, those the
// import makes, whole, in parts (as checkSchemas splits them), and as
// batches. ok is whether there was an import.
func checkedSchemas(t testing.TB, in *input) (list [][]byte, ok bool) {
	t.Helper()
	f, _ := manifest.Load(in.ManifestPath, in.Manifest)
	if f == nil {
		return nil, false
	}
	for _, tool := range f.Manifest.Tools {
		list = append(list, tool.InputSchema.JSON)
		if tool.OutputSchema != nil {
			list = append(list, tool.OutputSchema.JSON)
		}
	}
	res := importProject(t, in)
	if res == nil {
		return list, false
	}

	// The shared definitions, each and in one batch, with the stand-ins
	// for them that the tools' batches get.
	var defs bytes.Buffer
	defs.WriteString(`{"type":"object","$defs":{`)
	stubs := []byte(`{`)
	for i, d := range res.API.Defs {
		list = append(list, d.Schema)
		name, _ := json.Marshal(d.Name)
		if i > 0 {
			defs.WriteByte(',')
			stubs = append(stubs, ',')
		}
		defs.Write(name)
		defs.WriteByte(':')
		defs.Write(d.Schema)
		stubs = append(stubs, name...)
		stubs = append(stubs, ":{}"...)
	}
	defs.WriteString("}}")
	stubs = append(stubs, '}')
	list = append(list, defs.Bytes(), stubs)

	for _, output := range []bool{false, true} {
		schemas := toolSchemas(res, output)
		for _, s := range schemas {
			if s != nil {
				list = append(list, s)
			}
		}
		parts, roots := schemaParts(schemas, !output)
		list = append(list, parts...)
		list = append(list, roots...)
		list = append(list, propertiesBatch(append(parts, roots...), stubs))
		if !output {
			list = append(list, sdkBatch(parts, stubs))
		}
		props := make(map[string][]byte)
		for i, s := range schemas {
			if s != nil {
				props[strconv.Itoa(i)] = s
			}
		}
		list = append(list, namedBatch(props, stubs))
	}
	return list, true
}

// checkWork: the last checks of every project's import stay well within
// what the import leaves of the document's work budget.
func checkWork(t *testing.T, projects []project) {
	most, name := 0, ""
	for _, p := range projects {
		res := importProject(t, p.in)
		if res == nil {
			continue
		}
		left := openapi.DefaultMaxWork - res.Work
		budget := manifest.NewBudget(left)
		if checkSchemas(res, nil, budget, false).overrun {
			t.Errorf("%s: the last checks ran out of the %d steps left", p.name, left)
		}
		if used := left - budget.Left(); used > most {
			most, name = used, p.name
		}
	}
	t.Logf("the last checks took at most %d steps (%s), of %d", most, name, openapi.DefaultMaxWork)
	if most > openapi.DefaultMaxWork/10 {
		t.Errorf("the last checks of %s took %d steps, over a tenth of the budget", name, most)
	}
}

// importProject imports the OpenAPI document of in's manifest, or returns
// nil when it has none or it does not import.
func importProject(t testing.TB, in *input) *openapi.Result {
	t.Helper()
	f, _ := manifest.Load(in.ManifestPath, in.Manifest)
	if f == nil || f.Manifest.OpenAPI == nil {
		return nil
	}
	sec := f.Manifest.OpenAPI
	spec := path.Clean(sec.Spec)
	data, err := in.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := loader.Load(spec, data, &loader.Options{
		ReadFile: func(name string) ([]byte, error) {
			return in.ReadFile(path.Join(path.Dir(spec), name))
		},
		SkipValidation: true,
	})
	if doc == nil {
		return nil
	}
	res, _ := openapi.Import(doc, &openapi.Options{Server: f.Manifest.Name, Section: sec, Manifest: f.Pos, Taken: func(string) bool { return false }})
	return res
}

// sdkBatch is the schema resolvesLikeSDK decodes for parts.
func sdkBatch(parts [][]byte, stubs []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"object","properties":{`)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(strconv.Itoa(i)))
		b.WriteByte(':')
		b.Write(p)
	}
	b.WriteString(`},"$defs":`)
	b.Write(stubs)
	b.WriteString("}")
	return b.Bytes()
}

// sameAsUnmarshal requires manifest.DecodeSDKSchema to give what
// json.Unmarshal gives on raw: the same Schema, or the same error.
func sameAsUnmarshal(t *testing.T, name string, raw []byte) {
	t.Helper()
	var want jsonschema.Schema
	wantErr := json.Unmarshal(raw, &want)
	got, err := manifest.DecodeSDKSchema(raw, false)
	switch {
	case (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error():
		t.Errorf("%s: error %v, json.Unmarshal's %v, on %.200s", name, err, wantErr, raw)
	case err == nil && !reflect.DeepEqual(got, &want):
		t.Errorf("%s: the Schemas differ, on %.200s", name, raw)
	}
}

// BenchmarkDecodeSDKSchemaParts decodes the schemas the generator checks
// for GitHub's description (see checkedSchemas) with
// manifest.DecodeSDKSchema and with json.Unmarshal.
func BenchmarkDecodeSDKSchemaParts(b *testing.B) {
	spec := filepath.Join("..", "..", ".cache", "openapi", "api.github.com.json")
	if _, err := os.Stat(spec); err != nil {
		b.Skip("GitHub's description is absent; run `make testdata-github` to fetch it")
	}
	m, err := templates.Manifest("openapi", templates.ManifestData{Name: "parts", Spec: filepath.Base(spec), Mode: "static", FirstOperation: "GET /path"})
	if err != nil {
		b.Fatal(err)
	}
	list, _ := checkedSchemas(b, &input{ManifestPath: "mcpgen.yaml", Manifest: m, ReadFile: dirReader(filepath.Dir(spec))})
	size := 0
	for _, raw := range list {
		size += len(raw)
	}
	decoders := []struct {
		name   string
		decode func([]byte) error
	}{
		{"DecodeSDKSchema", func(raw []byte) error {
			_, err := manifest.DecodeSDKSchema(raw, false)
			return err
		}},
		{"json.Unmarshal", func(raw []byte) error {
			var s jsonschema.Schema
			return json.Unmarshal(raw, &s)
		}},
	}
	for _, dec := range decoders {
		b.Run(dec.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, raw := range list {
					if err := dec.decode(raw); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// project is a manifest to generate, named for messages.
type project struct {
	name string
	in   *input
}

// input is a manifest, and the reader of the files it names.
type input struct {
	ManifestPath string
	Manifest     []byte
	ReadFile     func(name string) ([]byte, error)
}

// dirReader reads the files of a project's directory, and no others.
func dirReader(dir string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		clean := path.Clean(name)
		if clean == ".." || strings.HasPrefix(clean, "../") || path.IsAbs(clean) {
			return nil, fmt.Errorf("%s is outside %s", name, dir)
		}
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(clean)))
	}
}
