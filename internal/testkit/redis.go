package testkit

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requireServices reports whether a missing service must fail the test
// rather than skip it: CI sets MCPGEN_REQUIRE_SERVICES=1, so that a run
// meant to cover Redis and nginx cannot pass without them.
func requireServices() bool { return os.Getenv("MCPGEN_REQUIRE_SERVICES") == "1" }

// lookService finds a service's binary on PATH, then in dirs (Debian puts
// nginx in /usr/sbin, which a user's PATH often lacks). When it is not
// there the test skips, saying what to install, or fails under
// MCPGEN_REQUIRE_SERVICES=1.
func lookService(tb testing.TB, name, pkg string, dirs ...string) string {
	tb.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range dirs {
		p := d + "/" + name
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	if requireServices() {
		tb.Fatalf("%s is not installed, and MCPGEN_REQUIRE_SERVICES=1 requires it", name)
	}
	tb.Skipf("%s is not installed; install %s to run this test (CI sets MCPGEN_REQUIRE_SERVICES=1 to require it)", name, pkg)
	return ""
}

// Redis is a redis-server process on a free port of 127.0.0.1 that
// persists nothing. StartRedis stops it when the test ends.
type Redis struct {
	// Addr is 127.0.0.1:PORT.
	Addr string
	proc *process
}

// StartRedis starts a redis-server for the test and waits until it answers
// PING. Without redis-server the test is skipped (see lookService).
func StartRedis(tb testing.TB) *Redis {
	tb.Helper()
	bin := lookService(tb, "redis-server", "Redis (Debian: apt-get install redis-server)")
	dir := tb.TempDir()
	var lastErr error
	// Another process may take the free port between our finding it and
	// redis-server binding it: try a few.
	for range 5 {
		addr := FreeLoopbackAddr(tb)
		_, port, _ := net.SplitHostPort(addr)
		p, err := startProcess(bin, "redis-server on "+addr, nil,
			"--port", port, "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no",
			"--dir", dir, "--loglevel", "warning")
		if err != nil {
			tb.Fatal(err)
		}
		r := &Redis{Addr: addr, proc: p}
		if lastErr = p.waitReady(30*time.Second, func() error { _, err := r.Do("PING"); return err }); lastErr == nil {
			tb.Cleanup(func() { p.stop(os.Kill, 0) })
			return r
		}
	}
	tb.Fatal(lastErr)
	return nil
}

// URL is the server's redis:// URL, database 0.
func (r *Redis) URL() string { return "redis://" + r.Addr + "/0" }

// Do sends one command and returns its reply as text: a status, an error
// (as a Go error), an integer or a bulk string. It is enough for PING,
// INFO and CONFIG RESETSTAT; arrays are not decoded.
func (r *Redis) Do(args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", r.Addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var req bytes.Buffer
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write(req.Bytes()); err != nil {
		return "", err
	}
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("redis: empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", fmt.Errorf("redis: %s", line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(br, b); err != nil {
			return "", err
		}
		return string(b[:n]), nil
	}
	return "", fmt.Errorf("redis: reply %q not understood", line)
}

// CommandCalls returns how many times each command has run since the
// server started or since CONFIG RESETSTAT, from INFO commandstats, e.g.
// {"get": 12, "evalsha": 4}. Subcommands appear as "config|resetstat".
func (r *Redis) CommandCalls() (map[string]int64, error) {
	info, err := r.Do("INFO", "commandstats")
	if err != nil {
		return nil, err
	}
	calls := make(map[string]int64)
	for _, line := range strings.Split(info, "\n") {
		// cmdstat_get:calls=12,usec=40,usec_per_call=3.33,...
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		for _, field := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(field, "calls="); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				calls[strings.TrimPrefix(name, "cmdstat_")] = n
			}
		}
	}
	return calls, nil
}
