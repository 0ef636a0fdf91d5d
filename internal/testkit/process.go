package testkit

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// FreeLoopbackAddr returns 127.0.0.1:PORT with a port that was free a
// moment ago, for a server whose address must be known before it starts
// (a replica named in nginx.conf, a BASE_URL).
func FreeLoopbackAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// process is a service the tests run: its combined output is kept, and
// it is killed if the test process dies without stopping it.
type process struct {
	name string
	cmd  *exec.Cmd
	out  LockedBuffer
	done chan struct{} // closed once cmd has exited
	once sync.Once
}

func startProcess(bin, name string, env []string, args ...string) (*process, error) {
	p := &process{name: name, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	setDeathSignal(p.cmd)
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %v", name, err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	return p, nil
}

// waitReady polls ready until it succeeds, the process exits, or timeout
// passes; on failure the process is killed.
func (p *process) waitReady(timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited at start:\n%s", p.name, p.out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop(os.Kill, 0)
			return fmt.Errorf("%s was not ready within %v (%v):\n%s", p.name, timeout, err, p.out.String())
		}
	}
}

// stop sends sig and waits for the process to exit; after grace it kills
// it. Stopping twice does nothing.
func (p *process) stop(sig os.Signal, grace time.Duration) {
	p.once.Do(func() {
		p.cmd.Process.Signal(sig)
		select {
		case <-p.done:
		case <-time.After(grace):
			p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// LockedBuffer collects what a process writes (its stderr, say) while a
// test reads it: a bytes.Buffer safe for concurrent use.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
