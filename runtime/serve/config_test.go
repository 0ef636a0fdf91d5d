package serve

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		opts *Options
		want func(*Config) bool
	}{
		{"defaults", nil, nil, nil, func(c *Config) bool {
			return c.Addr == ":8080" && !c.Stateful && !c.Stdio && c.LogLevel == slog.LevelInfo &&
				c.LogFormat == "text" && c.ShutdownTimeout == 20*time.Second && c.MaxBodyBytes > 0 &&
				c.SessionTimeout == 30*time.Minute
		}},
		{"PORT", nil, map[string]string{"PORT": "9000"}, nil, func(c *Config) bool { return c.Addr == ":9000" }},
		{"ADDR wins over PORT", nil, map[string]string{"ADDR": "127.0.0.1:7000", "PORT": "9000"}, nil, func(c *Config) bool { return c.Addr == "127.0.0.1:7000" }},
		{"flag wins over env", []string{"--addr", "127.0.0.1:1234"}, map[string]string{"PORT": "9000"}, nil, func(c *Config) bool { return c.Addr == "127.0.0.1:1234" }},
		{"stateful from env", nil, map[string]string{"MCP_STATEFUL": "true"}, nil, func(c *Config) bool { return c.Stateful }},
		{"stateful flag wins", []string{"--stateful=false"}, map[string]string{"MCP_STATEFUL": "true"}, nil, func(c *Config) bool { return !c.Stateful }},
		{"origins", []string{"--allowed-origins", "https://a.example, https://b.example/"}, nil, nil, func(c *Config) bool {
			return strings.Join(c.AllowedOrigins, " ") == "https://a.example https://b.example"
		}},
		{"origins from env", nil, map[string]string{"MCP_ALLOWED_ORIGINS": "*"}, nil, func(c *Config) bool { return len(c.AllowedOrigins) == 1 && c.AllowedOrigins[0] == "*" }},
		{"logging", []string{"-log-level=debug", "-log-format=json"}, nil, nil, func(c *Config) bool { return c.LogLevel == slog.LevelDebug && c.LogFormat == "json" }},
		{"stdio", []string{"--stdio"}, nil, nil, func(c *Config) bool { return c.Stdio }},
		{"session timeout", nil, map[string]string{"MCP_SESSION_TIMEOUT": "0"}, nil, func(c *Config) bool { return c.SessionTimeout == 0 }},
		{"stdio only server", []string{"--stdio"}, nil, &Options{Transports: []string{"stdio"}}, func(c *Config) bool { return c.Stdio }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig(tc.args, env(tc.env), tc.opts, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(cfg) {
				t.Errorf("config = %+v", cfg)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		opts *Options
		want string
	}{
		{"bad port env", nil, map[string]string{"PORT": "abc"}, nil, `PORT=":abc"`},
		{"bad addr", []string{"--addr", "nonsense"}, nil, nil, `--addr="nonsense": want host:port`},
		{"bad level", []string{"--log-level", "loud"}, nil, nil, `--log-level="loud"`},
		{"bad level env", nil, map[string]string{"LOG_LEVEL": "loud"}, nil, `LOG_LEVEL="loud"`},
		{"bad format", []string{"--log-format", "xml"}, nil, nil, `--log-format="xml": want text or json`},
		{"bad bool env", nil, map[string]string{"MCP_STATEFUL": "maybe"}, nil, `MCP_STATEFUL="maybe"`},
		{"bad timeout", []string{"--shutdown-timeout", "soon"}, nil, nil, `--shutdown-timeout="soon"`},
		{"bad session timeout", nil, map[string]string{"MCP_SESSION_TIMEOUT": "-1s"}, nil, `MCP_SESSION_TIMEOUT="-1s"`},
		{"bad body limit", []string{"--max-body-bytes", "-1"}, nil, nil, `--max-body-bytes="-1"`},
		{"unknown flag", []string{"--bogus"}, nil, nil, "flag provided but not defined"},
		{"stray argument", []string{"serve"}, nil, nil, `unexpected argument "serve"`},
		{"stdio not offered", []string{"--stdio"}, nil, &Options{Transports: []string{"streamable"}}, "does not serve stdio"},
		{"stdio only", nil, nil, &Options{Transports: []string{"stdio"}}, "run it with --stdio"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(tc.args, env(tc.env), tc.opts, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParseConfigHelp(t *testing.T) {
	var out strings.Builder
	_, err := ParseConfig([]string{"--help"}, env(nil), &Options{Name: "demo", Version: "1.0"}, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"demo 1.0", "-addr", "$ADDR, $PORT", "-allowed-origins", "$MCP_ALLOWED_ORIGINS", "-stdio"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
}
