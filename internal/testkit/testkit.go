// Package testkit holds what mcpgen's tests and benchmarks share to run
// generated projects for real: the offline environment for the go command,
// and starting a generated server binary on a loopback port.
package testkit

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// OfflineEnv is the environment for running the go command on a generated
// project: offline (the module cache must already hold every dependency),
// no workspace, this toolchain, plus extra.
func OfflineEnv(extra ...string) []string {
	return append(os.Environ(), append([]string{
		"GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local",
	}, extra...)...)
}

// listening matches the runtime's log line that names the bound address.
var listening = regexp.MustCompile(`listening.*addr=(\S+)`)

// Server is a generated server process listening on a loopback port.
type Server struct {
	Cmd *exec.Cmd
	// URL is the server's base URL, http://127.0.0.1:PORT.
	URL  string
	done chan struct{}
}

// StartServer starts binary with --addr 127.0.0.1:0 and args, and returns
// once the server has logged the address it listens on. env, if not nil,
// is the process's environment. The caller stops the server with Stop or
// Shutdown.
func StartServer(tb testing.TB, binary string, env []string, args ...string) *Server {
	tb.Helper()
	cmd := exec.Command(binary, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	s := &Server{Cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		// Read stderr to the end, so that the server never blocks on it.
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addr <- strings.Trim(m[1], `"`)
				sent = true
			}
		}
		if !sent {
			close(addr)
		}
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			cmd.Wait()
			tb.Fatalf("%s exited before listening", binary)
		}
		if !strings.HasPrefix(a, "127.0.0.1:") {
			s.Stop()
			tb.Fatalf("%s listens on %s, not on loopback", binary, a)
		}
		s.URL = "http://" + a
	case <-time.After(60 * time.Second):
		s.Stop()
		tb.Fatalf("%s did not report its address", binary)
	}
	return s
}

// Stop kills the server and waits for it.
func (s *Server) Stop() {
	s.Cmd.Process.Kill()
	<-s.done
	s.Cmd.Wait()
}

// Shutdown interrupts the server, as Ctrl-C would, and waits for it to
// exit; after 20 seconds it kills it.
func (s *Server) Shutdown() {
	s.Cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
		s.Cmd.Wait()
	case <-time.After(20 * time.Second):
		s.Stop()
	}
}
