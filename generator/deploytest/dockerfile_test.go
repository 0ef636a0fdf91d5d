package deploytest

import (
	"debug/elf"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// There is no container engine here, so the Dockerfile is checked by
// emulating its build: parse it strictly, copy the build context as
// .dockerignore leaves it, run the build stage's RUN in a directory that
// stands for the stage's file system, copy what the final stage copies,
// and run the binary it ends with.

// instruction is one Dockerfile instruction.
type instruction struct {
	line  int
	cmd   string   // upper case: FROM, RUN, …
	flags []string // --from=build, --mount=…
	args  string   // the rest, continuation lines joined
}

// known are the instructions the generated Dockerfile may use; any other
// is an error, so that the emulation never skips what it does not know.
var known = map[string]bool{
	"FROM": true, "WORKDIR": true, "COPY": true, "RUN": true, "LABEL": true,
	"USER": true, "ENV": true, "EXPOSE": true, "VOLUME": true, "ENTRYPOINT": true, "CMD": true,
}

// parseDockerfile splits a Dockerfile into instructions: comments and
// blank lines dropped, backslash continuations joined, flags split off.
func parseDockerfile(src string) ([]instruction, error) {
	var out []instruction
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		start := i + 1
		for strings.HasSuffix(line, `\`) {
			i++
			if i == len(lines) {
				return nil, fmt.Errorf("line %d: continuation at end of file", start)
			}
			next := strings.TrimSpace(lines[i])
			if strings.HasPrefix(next, "#") {
				continue // a comment inside a continued instruction
			}
			line = strings.TrimSuffix(line, `\`) + " " + next
		}
		cmd, rest, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		if !known[cmd] {
			return nil, fmt.Errorf("line %d: instruction %s, which the emulation does not know", start, cmd)
		}
		in := instruction{line: start, cmd: cmd}
		rest = strings.TrimSpace(rest)
		for strings.HasPrefix(rest, "--") {
			flag, after, _ := strings.Cut(rest, " ")
			in.flags = append(in.flags, flag)
			rest = strings.TrimSpace(after)
		}
		in.args = rest
		out = append(out, in)
	}
	return out, nil
}

// stage is a build stage: its base image, name and instructions.
type stage struct {
	from, name string
	body       []instruction
}

func stages(ins []instruction) ([]stage, error) {
	var out []stage
	for _, in := range ins {
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			s := stage{from: f[0]}
			switch {
			case len(f) == 3 && strings.EqualFold(f[1], "AS"):
				s.name = f[2]
			case len(f) != 1:
				return nil, fmt.Errorf("line %d: FROM %s", in.line, in.args)
			}
			out = append(out, s)
			continue
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("line %d: %s before FROM", in.line, in.cmd)
		}
		out[len(out)-1].body = append(out[len(out)-1].body, in)
	}
	return out, nil
}

// execForm parses a JSON exec-form argument (ENTRYPOINT ["/server"]).
func execForm(args string) ([]string, error) {
	var v []string
	if err := json.Unmarshal([]byte(args), &v); err != nil {
		return nil, fmt.Errorf("%s is not exec form (a JSON array): %v", args, err)
	}
	return v, nil
}

// ignorePattern is one line of .dockerignore.
type ignorePattern struct {
	negate bool
	re     *regexp.Regexp
}

// parseDockerignore reads .dockerignore as Docker does: paths relative to
// the context root (a leading / is dropped), filepath.Match syntax plus
// **, later lines win, a "!" line re-includes, and a pattern that matches
// a directory matches everything in it.
func parseDockerignore(src string) ([]ignorePattern, error) {
	var out []ignorePattern
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := ignorePattern{}
		if strings.HasPrefix(line, "!") {
			p.negate, line = true, strings.TrimSpace(line[1:])
		}
		line = path.Clean(strings.TrimPrefix(line, "/"))
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(line); i++ {
			switch c := line[i]; c {
			case '*':
				if strings.HasPrefix(line[i:], "**") {
					re.WriteString(".*")
					i++
				} else {
					re.WriteString("[^/]*")
				}
			case '?':
				re.WriteString("[^/]")
			case '[', '\\':
				return nil, fmt.Errorf(".dockerignore: %q: character classes and escapes are not emulated", line)
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("(/.*)?$")
		rx, err := regexp.Compile(re.String())
		if err != nil {
			return nil, err
		}
		p.re = rx
		out = append(out, p)
	}
	return out, nil
}

func ignored(patterns []ignorePattern, rel string) bool {
	out := false
	for _, p := range patterns {
		if p.re.MatchString(rel) {
			out = !p.negate
		}
	}
	return out
}

// buildContext copies the files of dir that .dockerignore leaves in to
// ctx, and returns their slash paths.
func buildContext(t *testing.T, dir, ctx string) map[string]bool {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	patterns, err := parseDockerignore(string(src))
	if err != nil {
		t.Fatal(err)
	}
	kept := make(map[string]bool)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if ignored(patterns, rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		kept[rel] = true
		return copyFile(p, filepath.Join(ctx, filepath.FromSlash(rel)))
	})
	if err != nil {
		t.Fatal(err)
	}
	return kept
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	info, err := os.Stat(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, b, info.Mode().Perm())
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		return copyFile(p, filepath.Join(to, rel))
	})
}

// image is what the emulated build made: the final stage's file system,
// and its configuration.
type image struct {
	root       string
	entrypoint []string
	cmd        []string
	user       string
	labels     map[string]string
	env        map[string]string
	expose     []string
	volumes    []string
	base       string
}

// outFlag finds the output path of a go build in a RUN command.
var outFlag = regexp.MustCompile(`-o\s+(/\S+)`)

// emulateBuild builds the image of the Dockerfile in dir from the build
// context ctx: every stage's file system is a directory under work. The
// RUN of the build stage runs with an empty module cache and the proxy
// off, so that everything it compiles must come from the context.
func emulateBuild(t *testing.T, dir, ctx, work string) *image {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	ins, err := parseDockerfile(string(src))
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	sts, err := stages(ins)
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	if len(sts) != 2 {
		t.Fatalf("Dockerfile has %d stages, want 2 (build, then the final image)", len(sts))
	}
	roots := make(map[string]string) // stage name → its file system
	var img *image
	for i, st := range sts {
		root := filepath.Join(work, fmt.Sprintf("stage%d", i))
		if err := os.MkdirAll(root, 0o755); err != nil {
			t.Fatal(err)
		}
		if st.name != "" {
			roots[st.name] = root
		}
		final := i == len(sts)-1
		if final {
			img = &image{root: root, labels: map[string]string{}, env: map[string]string{}, base: st.from}
		}
		wd := "/"
		for _, in := range st.body {
			switch in.cmd {
			case "WORKDIR":
				wd = in.args
				os.MkdirAll(filepath.Join(root, wd), 0o755)
			case "COPY":
				f := strings.Fields(in.args)
				if len(f) < 2 {
					t.Fatalf("Dockerfile:%d: COPY %s", in.line, in.args)
				}
				from := ctx
				for _, fl := range in.flags {
					name, ok := strings.CutPrefix(fl, "--from=")
					if !ok {
						t.Fatalf("Dockerfile:%d: COPY flag %s is not emulated", in.line, fl)
					}
					if from = roots[name]; from == "" {
						t.Fatalf("Dockerfile:%d: COPY --from=%s: no earlier stage of that name", in.line, name)
					}
				}
				dst := f[len(f)-1]
				if !path.IsAbs(dst) {
					dst = path.Join(wd, dst)
				}
				for _, s := range f[:len(f)-1] {
					srcPath := filepath.Join(from, filepath.FromSlash(s))
					info, err := os.Stat(srcPath)
					if err != nil {
						t.Fatalf("Dockerfile:%d: COPY %s: %v", in.line, s, err)
					}
					target := filepath.Join(root, filepath.FromSlash(dst))
					if info.IsDir() {
						err = copyTree(srcPath, target)
					} else {
						if strings.HasSuffix(dst, "/") {
							target = filepath.Join(target, filepath.Base(srcPath))
						}
						err = copyFile(srcPath, target)
					}
					if err != nil {
						t.Fatalf("Dockerfile:%d: COPY: %v", in.line, err)
					}
				}
			case "RUN":
				if final {
					t.Fatalf("Dockerfile:%d: RUN in the final stage, whose distroless base has no shell", in.line)
				}
				for _, fl := range in.flags {
					if !strings.HasPrefix(fl, "--mount=type=cache,") {
						t.Fatalf("Dockerfile:%d: RUN flag %s is not emulated", in.line, fl)
					}
				}
				runBuild(t, in, root, wd)
			case "LABEL", "ENV":
				if !final {
					t.Fatalf("Dockerfile:%d: %s in the build stage", in.line, in.cmd)
				}
				k, v, ok := strings.Cut(in.args, "=")
				if !ok || strings.ContainsAny(k, " \t") {
					t.Fatalf("Dockerfile:%d: %s %s: want one key=value", in.line, in.cmd, in.args)
				}
				if uq, err := unquoteDocker(v); err == nil {
					v = uq
				}
				if in.cmd == "LABEL" {
					img.labels[k] = v
				} else {
					img.env[k] = v
				}
			case "USER":
				img.user = in.args
			case "EXPOSE":
				img.expose = append(img.expose, strings.Fields(in.args)...)
			case "VOLUME":
				img.volumes = append(img.volumes, strings.Fields(in.args)...)
			case "ENTRYPOINT", "CMD":
				v, err := execForm(in.args)
				if err != nil {
					t.Fatalf("Dockerfile:%d: %v", in.line, err)
				}
				if in.cmd == "ENTRYPOINT" {
					img.entrypoint = v
				} else {
					img.cmd = v
				}
			default:
				t.Fatalf("Dockerfile:%d: %s is not emulated in this stage", in.line, in.cmd)
			}
		}
	}
	return img
}

func unquoteDocker(v string) (string, error) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		var s string
		err := json.Unmarshal([]byte(v), &s)
		return s, err
	}
	return v, nil
}

// runBuild runs the build stage's RUN: a shell command whose go build
// writes to an absolute path, moved into the stage's directory.
func runBuild(t *testing.T, in instruction, root, wd string) {
	t.Helper()
	cmd := in.args
	if !strings.Contains(cmd, "go build") {
		t.Fatalf("Dockerfile:%d: RUN %s: the emulation runs only the go build step", in.line, cmd)
	}
	if !strings.Contains(cmd, "CGO_ENABLED=0") {
		t.Errorf("Dockerfile:%d: go build without CGO_ENABLED=0: the binary may not be static", in.line)
	}
	m := outFlag.FindAllStringSubmatch(cmd, -1)
	if len(m) != 1 {
		t.Fatalf("Dockerfile:%d: want one -o /absolute/path in %q", in.line, cmd)
	}
	out := filepath.Join(root, filepath.FromSlash(m[0][1]))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd = strings.Replace(cmd, m[0][0], "-o "+out, 1)
	modcache := t.TempDir()
	run := exec.Command("sh", "-c", cmd)
	run.Dir = filepath.Join(root, filepath.FromSlash(wd))
	run.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"GOCACHE=" + goEnv(t, "GOCACHE"),
		// An empty module cache and no proxy: the build may use only what
		// the context holds (vendor/).
		"GOMODCACHE=" + modcache,
		"GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=-buildvcs=false",
	}
	if b, err := run.CombinedOutput(); err != nil {
		t.Fatalf("Dockerfile:%d: RUN failed: %v\n%s", in.line, err, b)
	}
	// The go command may leave read-only files in a module cache.
	filepath.WalkDir(modcache, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	b, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// checkStatic fails unless the binary at p is statically linked: no
// program interpreter, no shared libraries (distroless/static has none).
func checkStatic(t *testing.T, p string) {
	t.Helper()
	f, err := elf.Open(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter: not static", p)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v: not static", p, libs)
	}
}
