// Package deploytest checks the deploy files that mcpgen new writes
// (Dockerfile, compose.yaml, deploy/kubernetes, fly.toml,
// deploy/cloudrun/service.yaml, server.json) against the server they
// deploy. For each kind of project it generates one, as a development
// build of mcpgen does (go.mod replaces the runtime with a checkout
// outside the project), and then:
//
//   - runs `make docker` with a stand-in docker that keeps the build
//     context, and emulates the Dockerfile's build from that context with
//     an empty module cache and no proxy: the image's binary must build
//     from the context alone, be static, and run;
//   - decodes every deploy file strictly (Kubernetes objects into the
//     k8s.io/api types, unknown fields refused), and validates server.json
//     against a JSON Schema;
//   - runs the binary: every environment variable a deploy file names must
//     be one its --help lists, every secret must reach it only as a secret
//     (a secret reference, `fly secrets set`, isSecret, .env) and never as
//     a value, the ports and probe paths of every file must agree with the
//     image, and the probes must answer 200 from the running server.
//
// Everything runs offline, on loopback. There is no container engine or
// cluster here: see docs/deploy.md for what that leaves unchecked.
package deploytest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mcpgen/mcpgen/generator"
	"github.com/mcpgen/mcpgen/internal/testkit"
	"github.com/mcpgen/mcpgen/templates"
)

// project is a kind of project and what its deploy files must say.
type project struct {
	name string
	// template is the built-in template; input, a directory of the
	// checkout with an mcpgen.yaml (an OpenAPI case of golden/); module,
	// the module path if not the default.
	template, input, module string
	// http: the server serves HTTP, so it has the HTTP deploy files.
	// store: it opens a store, so one replica unless STORE_URL is set.
	http, store bool
	// env is what the server needs to start, besides a memory store.
	env []string
}

var projects = []project{
	{name: "authless", template: "authless", http: true},
	{name: "github-oauth", template: "github-oauth", http: true, store: true,
		env: []string{"GITHUB_CLIENT_ID=test-client", "GITHUB_CLIENT_SECRET=test-secret"}},
	// A module on GitHub: server.json names its owner and lists the module.
	{name: "stateful-counter", template: "stateful-counter", module: "github.com/acme/stateful-counter", http: true, store: true},
	{name: "petstore", input: "golden/openapi-petstore/input", http: true},
	{name: "stdio-only", input: "golden/stdio-only/input"},
}

// httpFiles are the deploy files of a server that serves HTTP.
var httpFiles = []string{
	"compose.yaml", "fly.toml", "deploy/cloudrun/service.yaml",
	"deploy/kubernetes/kustomization.yaml", "deploy/kubernetes/deployment.yaml",
	"deploy/kubernetes/service.yaml", "deploy/kubernetes/hpa.yaml", "deploy/kubernetes/pdb.yaml",
}

func repoRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the checkout")
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

func TestDeployFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs generated servers")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is needed to run the generated Makefile's docker target")
	}
	root := repoRoot(t)
	for _, p := range projects {
		t.Run(p.name, func(t *testing.T) {
			// The servers run here, and may write their store's files here.
			t.Chdir(t.TempDir())
			c := &checker{t: t, p: p}
			c.generate(root)
			c.dockerBuild()
			c.readHelp()
			c.checkServerJSON(root)
			if !p.http {
				for _, f := range httpFiles {
					if _, err := os.Stat(filepath.Join(c.dir, f)); err == nil {
						t.Errorf("%s was written for a server that serves only stdio", f)
					}
				}
				return
			}
			c.checkKubernetes()
			c.checkCompose()
			c.checkFly()
			c.checkCloudRun()
			c.checkSettings()
			c.checkProbes()
		})
	}
}

// checker holds one generated project and what the checks have learnt.
type checker struct {
	t      *testing.T
	p      project
	dir    string // the project
	binary string // the image's binary, built by the emulated Dockerfile
	img    *image
	help   helpSettings
	dotenv map[string]string // .env.example, commented-out lines too
	server serverJSON
	// refs are the environment variables the deploy files name.
	refs []envRef
	// probes are the HTTP paths the files probe; ports, what each file
	// says the server and its metrics listen on.
	probes  map[string][]string // path → files
	ports   map[string]int      // "file: what" → port
	metrics map[string]int
}

// envRef is an environment variable as a deploy file names it.
type envRef struct {
	file, name string
	// secret: passed as a secret (a secret reference, fly secrets set,
	// isSecret); otherwise given value.
	secret bool
	value  string
}

func (c *checker) read(name string) []byte {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(name)))
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

// generate writes the project as `mcpgen new` from a development build
// does, with go.mod replacing the runtime by ../../runtime: a directory
// outside the project, as in a checkout's examples/.
func (c *checker) generate(root string) {
	t := c.t
	work := t.TempDir()
	if err := os.Symlink(filepath.Join(root, "runtime"), filepath.Join(work, "runtime")); err != nil {
		t.Fatal(err)
	}
	c.dir = filepath.Join(work, "projects", c.p.name)
	var in generator.Input
	opts := &generator.Options{Template: c.p.template, Module: c.p.module, RuntimeReplace: "../../runtime", WriteManifest: true}
	if c.p.template != "" {
		manifest, err := templates.Manifest(c.p.template, templates.ManifestData{Name: c.p.name})
		if err != nil {
			t.Fatal(err)
		}
		in = generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest}
	} else {
		dir := filepath.Join(root, filepath.FromSlash(c.p.input))
		manifest, err := os.ReadFile(filepath.Join(dir, "mcpgen.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		in = generator.Input{ManifestPath: "mcpgen.yaml", Manifest: manifest, ReadFile: func(name string) ([]byte, error) {
			return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		}}
	}
	plan, diags := generator.Generate(&in, opts)
	if diags.HasErrors() {
		t.Fatalf("generate:\n%s", diags.Format(0))
	}
	for _, f := range plan.Files {
		p := filepath.Join(c.dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c.dotenv = envLines(string(c.read(".env.example")), true)
}

// dockerBuild runs `make docker` with a stand-in docker that records its
// arguments and keeps a copy of the directory it builds, then emulates
// the Dockerfile on that context.
func (c *checker) dockerBuild() {
	t := c.t
	// Files that must stay out of the image's build context.
	decoys := []string{".env", "deploy/kubernetes/secrets.env"}
	for _, d := range decoys {
		p := filepath.Join(c.dir, filepath.FromSlash(d))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("DECOY=1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bin := t.TempDir()
	snapshot := filepath.Join(t.TempDir(), "context")
	args := filepath.Join(t.TempDir(), "args")
	stub := "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$DOCKER_ARGS\" && cp -R . \"$DOCKER_CONTEXT\"\n"
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	mk := exec.Command("make", "docker")
	mk.Dir = c.dir
	mk.Env = append(testkit.OfflineEnv("DOCKER_ARGS="+args, "DOCKER_CONTEXT="+snapshot),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("make docker: %v\n%s", err, out)
	}
	got, err := os.ReadFile(args)
	if err != nil {
		t.Fatalf("make docker did not run docker: %v", err)
	}
	binary := ""
	for _, line := range strings.Split(string(c.read("Makefile")), "\n") {
		if v, ok := strings.CutPrefix(line, "BINARY := "); ok {
			binary = v
		}
	}
	if want := "build\n-t\n" + binary + "\n.\n"; binary == "" || string(got) != want {
		t.Errorf("make docker ran docker %q, want %q", strings.Fields(string(got)), strings.Fields(want))
	}
	if _, err := os.Stat(filepath.Join(snapshot, "vendor", "modules.txt")); err != nil {
		t.Errorf("make docker built without vendor/ although go.mod replaces the runtime with ../../runtime: %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "vendor")); err == nil {
		t.Error("make docker left vendor/ behind: local builds would use it instead of the runtime checkout")
	}

	ctx := filepath.Join(t.TempDir(), "ctx")
	kept := buildContext(t, snapshot, ctx)
	for _, d := range decoys {
		if kept[d] {
			t.Errorf(".dockerignore lets %s into the build context", d)
		}
	}
	for _, need := range []string{"go.mod", "go.sum", "vendor/modules.txt"} {
		if !kept[need] {
			t.Errorf(".dockerignore keeps %s, which the build needs, out of the build context", need)
		}
	}
	entries, _ := os.ReadDir(c.dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") && !kept[e.Name()] {
			t.Errorf(".dockerignore keeps %s out of the build context", e.Name())
		}
	}

	c.img = emulateBuild(t, c.dir, ctx, t.TempDir())
	img := c.img
	if img.base != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage FROM %s, want gcr.io/distroless/static-debian12:nonroot", img.base)
	}
	if !slices.Equal(img.entrypoint, []string{"/server"}) {
		t.Fatalf("ENTRYPOINT %q, want [\"/server\"]", img.entrypoint)
	}
	if img.user != "65532:65532" {
		t.Errorf("USER %q, want 65532:65532 (distroless nonroot, numeric so that runAsNonRoot can check it)", img.user)
	}
	if src := string(c.read("Dockerfile")); strings.Contains(strings.ToUpper(src), "\nHEALTHCHECK") {
		t.Error("the Dockerfile has a HEALTHCHECK: probes belong to the orchestrator, and distroless has no shell to run one")
	}
	if c.p.http {
		if img.env["PORT"] == "" || !slices.Equal(img.expose, []string{img.env["PORT"]}) {
			t.Errorf("the image sets PORT=%q and exposes %q: want one port, the same", img.env["PORT"], img.expose)
		}
		c.port("Dockerfile: ENV PORT", img.env["PORT"])
	} else if !slices.Equal(img.cmd, []string{"--stdio"}) {
		t.Errorf("CMD %q for a server that serves only stdio, want [\"--stdio\"]", img.cmd)
	}
	if sp := img.env["STORE_PATH"]; c.p.store {
		dir := filepath.ToSlash(filepath.Dir(sp))
		if !slices.ContainsFunc(img.volumes, func(v string) bool { return dir == v || strings.HasPrefix(dir, v+"/") }) {
			t.Errorf("STORE_PATH=%q is on no VOLUME (%q)", sp, img.volumes)
		}
	} else if sp != "" {
		t.Errorf("STORE_PATH=%q in the image of a server without a store", sp)
	}
	c.binary = filepath.Join(img.root, filepath.FromSlash(img.entrypoint[0]))
	checkStatic(t, c.binary)
}

// readHelp runs the image's binary with --help and reads what it says it
// reads from the environment.
func (c *checker) readHelp() {
	t := c.t
	cmd := exec.Command(c.binary, "--help")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s --help: %v\n%s", c.p.name, err, out)
	}
	c.help = parseHelp(string(out))
	if len(c.help.flags) == 0 {
		t.Fatalf("--help lists no environment variables:\n%s", out)
	}
}

func (c *checker) ref(file, name string, secret bool, value string) {
	c.refs = append(c.refs, envRef{file: file, name: name, secret: secret, value: value})
}

func (c *checker) port(where, v string) {
	c.t.Helper()
	n, err := strconv.Atoi(v)
	if err != nil {
		c.t.Errorf("%s: port %q is not a number", where, v)
		return
	}
	if c.ports == nil {
		c.ports = map[string]int{}
	}
	c.ports[where] = n
}

func (c *checker) metricsPort(where string, n int) {
	if c.metrics == nil {
		c.metrics = map[string]int{}
	}
	c.metrics[where] = n
}

func (c *checker) probe(file, path string) {
	if c.probes == nil {
		c.probes = map[string][]string{}
	}
	c.probes[path] = append(c.probes[path], file)
}

// addrPort is the port of a host:port setting (":9090").
func addrPort(t *testing.T, where, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	n, err2 := strconv.Atoi(p)
	if err != nil || err2 != nil {
		t.Errorf("%s: %q is not host:port", where, addr)
	}
	return n
}

// durations reads SHUTDOWN_DRAIN_DELAY and SHUTDOWN_TIMEOUT as a file
// sets them, the server's default for the second when unset.
func (c *checker) durations(file string, env map[string]string) (drain, shutdown time.Duration) {
	t := c.t
	parse := func(name, def string) time.Duration {
		v := env[name]
		if v == "" {
			v = def
		}
		if v == "" {
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Errorf("%s: %s=%q: %v", file, name, v, err)
		}
		return d
	}
	return parse("SHUTDOWN_DRAIN_DELAY", ""), parse("SHUTDOWN_TIMEOUT", c.help.flags["SHUTDOWN_TIMEOUT"])
}

// checkServerJSON validates server.json against the registry's constraints
// and checks it against the image.
func (c *checker) checkServerJSON(root string) {
	t := c.t
	src := c.read("server.json")
	validateServerJSON(t, root, src)
	if err := json.Unmarshal(src, &c.server); err != nil {
		t.Fatal(err)
	}
	if got := c.img.labels["io.modelcontextprotocol.server.name"]; got != c.server.Name {
		t.Errorf("the image's io.modelcontextprotocol.server.name is %q, server.json's name %q: the registry requires them equal", got, c.server.Name)
	}
	var oci bool
	for _, p := range c.server.Packages {
		for _, e := range p.EnvironmentVariables {
			v := ""
			if e.Default != nil {
				v = *e.Default
			}
			if e.Value != nil {
				v = *e.Value
			}
			c.ref("server.json "+p.RegistryType, e.Name, e.IsSecret, v)
		}
		switch tr := p.Transport; {
		case tr.Type == "stdio":
			if c.p.http && p.RegistryType == "oci" {
				t.Error("server.json runs the image over stdio, but it serves HTTP")
			}
		default:
			u, err := url.Parse(tr.URL)
			if err != nil || u.Hostname() != "localhost" {
				t.Errorf("server.json: package transport URL %q is not on localhost", tr.URL)
			} else {
				c.port("server.json: "+p.RegistryType+" transport", u.Port())
				c.probe("server.json: transport", u.Path)
			}
		}
		oci = oci || p.RegistryType == "oci"
	}
	if !oci {
		t.Error("server.json has no oci package")
	}
	// A module on GitHub is a go package of the owner's namespace, which
	// the registry ties to the module path.
	goPkg := slices.IndexFunc(c.server.Packages, func(p serverPackage) bool { return p.RegistryType == "go" })
	if owner, ok := strings.CutPrefix(c.p.module, "github.com/"); ok {
		owner, _, _ = strings.Cut(owner, "/")
		if goPkg < 0 || c.server.Packages[goPkg].Identifier != c.p.module {
			t.Errorf("server.json lists no go package for the module %s", c.p.module)
		}
		if !strings.HasPrefix(c.server.Name, "io.github."+owner+"/") {
			t.Errorf("server.json's name %s is not in the namespace of the module's owner %s", c.server.Name, owner)
		}
	} else if goPkg >= 0 {
		t.Errorf("server.json lists the module %s, which is not on GitHub, as a go package", c.server.Packages[goPkg].Identifier)
	}
	if (len(c.server.Remotes) > 0) != c.p.http {
		t.Errorf("server.json has remotes: %v, want %v", len(c.server.Remotes) > 0, c.p.http)
	}
	for _, r := range c.server.Remotes {
		if u, err := url.Parse(r.URL); err != nil || u.Scheme != "https" {
			t.Errorf("remote %q is not https", r.URL)
		} else {
			c.probe("server.json: remote", u.Path)
		}
	}
}

// looksSecret are names that hold credentials whatever else says so:
// a secret, password, token or key (not the URL of one), or STORE_URL.
func looksSecret(name string) bool {
	words := strings.Split(name, "_")
	if name == "STORE_URL" || words[len(words)-1] == "KEY" {
		return true
	}
	if words[len(words)-1] == "URL" {
		return false
	}
	for _, w := range words {
		switch w {
		case "SECRET", "PASSWORD", "TOKEN":
			return true
		}
	}
	return false
}

// checkSettings holds every variable a deploy file names against what the
// server says it reads, and every secret against how it is passed.
func (c *checker) checkSettings() {
	t := c.t
	for k, v := range c.img.env {
		c.ref("Dockerfile", k, false, v)
	}
	if len(c.help.ops) == 0 {
		t.Fatalf("the server's --help lacks %q", opsHeader)
	}
	if !c.help.hasSection && len(c.server.Packages) > 0 && len(c.server.Packages[0].EnvironmentVariables) > 0 {
		t.Fatalf("server.json lists settings, but the server's --help lacks %q", alsoHeader)
	}
	secret := func(name string) bool { return c.help.also[name] || c.help.ops[name] }
	// .env.example is a deploy file too: for docker run --env-file and make run.
	for name := range c.dotenv {
		c.checkKnown(".env.example: "+name, name)
	}
	seen := map[string]bool{}
	for _, r := range c.refs {
		where := r.file + ": " + r.name
		if !seen[r.name] {
			seen[r.name] = true
			c.checkKnown(where, r.name)
		}
		if looksSecret(r.name) && !secret(r.name) {
			t.Errorf("%s holds credentials, but the server does not call it secret", where)
		}
		switch {
		case r.secret && !secret(r.name):
			t.Errorf("%s is passed as a secret, but the server does not call it secret", where)
		case !r.secret && secret(r.name) && r.file == "compose.yaml" && r.name == "STORE_URL":
			// The Redis of compose.yaml, on its own network, has no password:
			// the URL names a service, and carries no credential.
			if u, err := url.Parse(r.value); err != nil || u.User != nil {
				t.Errorf("%s=%q carries credentials", where, r.value)
			}
		case !r.secret && secret(r.name):
			t.Errorf("%s is a secret, given a value (%q) instead of a secret reference", where, r.value)
		}
	}
	{
		// server.json lists every setting beyond the flags.
		for name := range c.help.also {
			found := false
			for _, r := range c.refs {
				found = found || (r.name == name && strings.HasPrefix(r.file, "server.json"))
			}
			if !found {
				t.Errorf("the server reads %s, which server.json does not list", name)
			}
		}
	}
	// Ports.
	want := c.ports["Dockerfile: ENV PORT"]
	for where, p := range c.ports {
		if p != want {
			t.Errorf("%s is %d, but the image listens on %d", where, p, want)
		}
	}
	var mp []string
	for where, p := range c.metrics {
		mp = append(mp, fmt.Sprintf("%s=%d", where, p))
	}
	sort.Strings(mp)
	for _, m := range mp[1:] {
		if strings.SplitN(m, "=", 2)[1] != strings.SplitN(mp[0], "=", 2)[1] {
			t.Errorf("the metrics ports disagree: %v", mp)
			break
		}
	}
}

// checkKnown fails unless the server reads name (or the Go runtime does).
func (c *checker) checkKnown(where, name string) {
	t := c.t
	// The Go runtime reads GOMEMLIMIT, not the server: checkMemLimit
	// holds it against the container's limit instead.
	if !c.help.reads(name) && name != goMemLimit {
		t.Errorf("%s is not a variable the server reads: its --help does not list it", where)
	}
}

// checkProbes starts the image's binary on loopback with what it needs,
// and GETs every path a deploy file probes.
func (c *checker) checkProbes() {
	t := c.t
	env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, c.p.env...)
	if c.p.store {
		env = append(env, "STORE_URL=memory:")
	}
	metrics := testkit.FreeLoopbackAddr(t)
	env = append(env, "METRICS_ADDR="+metrics)
	s := testkit.StartServer(t, c.binary, env)
	defer s.Shutdown()
	paths := make([]string, 0, len(c.probes))
	for p := range c.probes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		files := c.probes[p]
		switch p {
		case "/mcp", "/sse":
			continue // the MCP endpoints, exercised by the end-to-end tests
		case "/metrics":
			c.get(files, "http://"+metrics+p)
		default:
			c.get(files, s.URL+p)
		}
	}
	if len(c.probes["/healthz"]) == 0 {
		t.Error("no deploy file probes /healthz")
	}
}

func (c *checker) get(files []string, u string) {
	c.t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		c.t.Errorf("%v: GET %s: %v", files, u, err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.t.Errorf("%v: GET %s: %s, want 200", files, u, resp.Status)
	}
}
