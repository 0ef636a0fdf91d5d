package deploytest

import (
	"regexp"
	"strings"
	"testing"
)

// helpSettings is what a server's --help says it reads from the
// environment: the variables of its flags, and those of the section
// "Also read from the environment", some of them secret.
type helpSettings struct {
	// flags maps each variable of a flag to the flag's default.
	flags map[string]string
	// also are the variables of the section, secret or not.
	also map[string]bool
	// ops are those of the runtime's own section, "Telemetry and
	// metrics, from the environment", which every server reads.
	ops map[string]bool
	// hasSection is set when --help has the section.
	hasSection bool
}

// alsoHeader starts the section of the settings read beyond the flags;
// opsHeader the runtime's own.
const (
	alsoHeader = "Also read from the environment"
	opsHeader  = "Telemetry and metrics, from the environment"
)

var (
	flagLine    = regexp.MustCompile(`^  --([a-z0-9-]+)`)
	defaultPart = regexp.MustCompile(`\(default ([^)]*)\)`)
	envPart     = regexp.MustCompile(`^\s+env: (.*)$`)
	alsoLine    = regexp.MustCompile(`^\s+\$([A-Z][A-Z0-9_]*)(?:\s+\(([^)]*)\))?\s*$`)
)

// parseHelp reads the --help text of a generated server.
func parseHelp(text string) helpSettings {
	h := helpSettings{flags: map[string]string{}, also: map[string]bool{}, ops: map[string]bool{}}
	var def string
	var section map[string]bool // the section of $NAME lines being read, if any
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, alsoHeader):
			h.hasSection, section = true, h.also
			continue
		case strings.HasPrefix(line, opsHeader):
			section = h.ops
			continue
		case line != "" && line[0] != ' ' && line[0] != '\t':
			section = nil // the next section
		}
		if section != nil {
			if m := alsoLine.FindStringSubmatch(line); m != nil {
				secret := false
				for _, attr := range strings.Split(m[2], ",") {
					if strings.TrimSpace(attr) == "secret" {
						secret = true
					}
				}
				section[m[1]] = secret
			}
			continue
		}
		if flagLine.MatchString(line) {
			def = ""
		}
		if m := defaultPart.FindStringSubmatch(line); m != nil {
			def = m[1]
		}
		if m := envPart.FindStringSubmatch(line); m != nil {
			for _, v := range strings.Split(m[1], ",") {
				if name, ok := strings.CutPrefix(strings.TrimSpace(v), "$"); ok {
					h.flags[name] = def
				}
			}
		}
	}
	return h
}

// reads reports whether the server says it reads name.
func (h helpSettings) reads(name string) bool {
	_, flag := h.flags[name]
	_, also := h.also[name]
	_, ops := h.ops[name]
	return flag || also || ops
}

func TestParseHelp(t *testing.T) {
	const text = `Usage: server [flags]

github-oauth 0.1.0, an MCP server. It serves streamable HTTP at /mcp, /healthz.

Flags (-flag and --flag both work; a flag wins over its environment variable):
  --addr host:port
    	address to listen on; PORT=n alone means ":n" (default :8080)
    	env: $ADDR, $PORT
  --stdio
    	serve over stdin/stdout instead of HTTP
  --shutdown-timeout duration
    	time in-flight calls get to finish when the server is stopped (default 20s)
    	env: $SHUTDOWN_TIMEOUT

Telemetry and metrics, from the environment:
  $METRICS_TOKEN (secret)
    	bearer token that opens /metrics on the main listener
  $OTEL_SERVICE_NAME
    	the service name

Also read from the environment:
  $GITHUB_CLIENT_ID
    	the GitHub OAuth app's client ID
  $GITHUB_CLIENT_SECRET (secret)
    	the GitHub OAuth app's client secret
  $STORE_URL (secret, required)
    	the store all replicas share
`
	h := parseHelp(text)
	if !h.hasSection {
		t.Fatal("the section was not found")
	}
	for name, def := range map[string]string{"ADDR": ":8080", "PORT": ":8080", "SHUTDOWN_TIMEOUT": "20s"} {
		if got, ok := h.flags[name]; !ok || got != def {
			t.Errorf("flag variable %s: %q, %v; want default %q", name, got, ok, def)
		}
	}
	for name, secret := range map[string]bool{"GITHUB_CLIENT_ID": false, "GITHUB_CLIENT_SECRET": true, "STORE_URL": true} {
		if got, ok := h.also[name]; !ok || got != secret {
			t.Errorf("%s: secret %v, listed %v; want secret %v", name, got, ok, secret)
		}
	}
	if len(h.flags) != 3 || len(h.also) != 3 || len(h.ops) != 2 || !h.ops["METRICS_TOKEN"] || h.ops["OTEL_SERVICE_NAME"] {
		t.Errorf("parsed %v, %v and %v", h.flags, h.also, h.ops)
	}
	if h.reads("STDIO") || !h.reads("PORT") || !h.reads("STORE_URL") || !h.reads("OTEL_SERVICE_NAME") {
		t.Error("reads answers wrong")
	}
}
