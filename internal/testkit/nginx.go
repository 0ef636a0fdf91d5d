package testkit

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// Nginx is an nginx that balances HTTP over upstream servers, round
// robin, listening on a free port of 127.0.0.1, as a load balancer in
// front of replicas of one server. StartNginx stops it when the test ends.
type Nginx struct {
	// URL is http://127.0.0.1:PORT.
	URL string
	// Dir holds nginx.conf, the logs, the pid file and the temp paths.
	Dir  string
	proc *process
}

// readyPath is answered by nginx itself, never passed upstream: StartNginx
// polls it to know that this nginx, not another process, has the port.
const readyPath = "/testkit-nginx-ready"

// nginxConf is the whole configuration. Every path is inside the test's
// temporary directory, and nginx listens and connects on loopback only.
var nginxConf = template.Must(template.New("nginx.conf").Parse(`# nginx.conf for a test: {{.Listen}} in front of {{len .Upstreams}} upstream servers.
{{- if .Root}}
# Run as root, nginx would switch its workers to nobody, who cannot enter
# the test's temporary directory.
user root;
{{- end}}
worker_processes 1;
error_log {{.Dir}}/error.log warn;
pid {{.Dir}}/nginx.pid;
events { worker_connections 1024; }
http {
	client_body_temp_path {{.Dir}}/client_body_temp;
	proxy_temp_path {{.Dir}}/proxy_temp;
	fastcgi_temp_path {{.Dir}}/fastcgi_temp;
	uwsgi_temp_path {{.Dir}}/uwsgi_temp;
	scgi_temp_path {{.Dir}}/scgi_temp;

	# One line per request, with every upstream server tried (the last one
	# answered): method, path, status, upstream addresses, their statuses.
	log_format upstreams '$request_method | $uri | $status | $upstream_addr | $upstream_status';
	access_log {{.Dir}}/access.log upstreams;

	upstream replicas {
	{{- range .Upstreams}}
		# A server that refused a connection rests for a second, then
		# gets its turn again (a restarted replica comes back quickly).
		server {{.}} max_fails=1 fail_timeout=1s;
	{{- end}}
		keepalive 32;
	}

	server {
		listen {{.Listen}};
		location = ` + readyPath + ` { access_log off; return 204; }
		location / {
			proxy_pass http://replicas;
			# HTTP/1.1 with no Connection header keeps upstream connections
			# alive; the client's Host is passed on, as BASE_URL's.
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host $http_host;
			# Streamable HTTP answers a call with an event stream: pass
			# every byte on as it comes, in both directions.
			proxy_buffering off;
			proxy_request_buffering off;
			proxy_cache off;
			proxy_read_timeout 60s;
			proxy_connect_timeout 2s;
			# When a connection to a replica fails (refused: the replica is
			# stopping or stopped), try the next one. For POST, nginx does
			# this only while the request has not been sent: such a request
			# never reached a replica, so resending it cannot run a tool
			# twice. non_idempotent is deliberately absent: it would also
			# resend a POST after "error" while reading the response header
			# or after "timeout", when the replica may have run the call
			# already (a count incremented, then counted again elsewhere).
			proxy_next_upstream error timeout;
			proxy_next_upstream_tries {{len .Upstreams}};
		}
	}
}
`))

// StartNginx starts nginx in front of upstreams (host:port, each on
// 127.0.0.1) and waits until it answers. Without nginx the test is
// skipped (see lookService).
func StartNginx(tb testing.TB, upstreams []string) *Nginx {
	tb.Helper()
	bin := lookService(tb, "nginx", "nginx (Debian: apt-get install nginx-light)", "/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin")
	for _, u := range upstreams {
		if !strings.HasPrefix(u, "127.0.0.1:") {
			tb.Fatalf("testkit: upstream %q is not on 127.0.0.1", u)
		}
	}
	dir := tb.TempDir()
	var lastErr error
	for range 5 {
		listen := FreeLoopbackAddr(tb)
		conf := filepath.Join(dir, "nginx.conf")
		f, err := os.Create(conf)
		if err != nil {
			tb.Fatal(err)
		}
		err = nginxConf.Execute(f, map[string]any{
			"Dir": dir, "Listen": listen, "Upstreams": upstreams, "Root": os.Geteuid() == 0,
		})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			tb.Fatal(err)
		}
		// -e: the error log before nginx.conf is read, which would
		// otherwise be the system's.
		p, err := startProcess(bin, "nginx on "+listen, nil,
			"-e", filepath.Join(dir, "error.log"), "-c", conf, "-p", dir+"/", "-g", "daemon off;")
		if err != nil {
			tb.Fatal(err)
		}
		n := &Nginx{URL: "http://" + listen, Dir: dir, proc: p}
		lastErr = p.waitReady(30*time.Second, func() error {
			resp, err := http.Get(n.URL + readyPath)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				return fmt.Errorf("GET %s: %s", readyPath, resp.Status)
			}
			return nil
		})
		if lastErr == nil {
			// SIGQUIT would wait for open client connections; SIGTERM is
			// nginx's fast shutdown.
			tb.Cleanup(func() { n.proc.stop(syscall.SIGTERM, 10*time.Second) })
			return n
		}
		lastErr = fmt.Errorf("%v\nerror.log:\n%s", lastErr, n.ErrorLog())
	}
	tb.Fatal(lastErr)
	return nil
}

// ErrorLog returns nginx's error log so far.
func (n *Nginx) ErrorLog() string {
	b, _ := os.ReadFile(filepath.Join(n.Dir, "error.log"))
	return string(b)
}

// A Proxied is one request nginx answered, from its access log.
type Proxied struct {
	Method, Path string
	Status       int
	// Upstreams are the servers tried, in order: the last one answered,
	// and those before it failed (refused the connection, say). Empty
	// when nginx answered by itself.
	Upstreams []string
	// UpstreamStatuses are their statuses, as nginx logs them ("502" for
	// one that failed).
	UpstreamStatuses []string
}

// Served is the server that answered: the last one tried, or "".
func (p Proxied) Served() string {
	if len(p.Upstreams) == 0 {
		return ""
	}
	return p.Upstreams[len(p.Upstreams)-1]
}

// Requests returns the requests nginx has logged so far, oldest first.
func (n *Nginx) Requests() ([]Proxied, error) {
	f, err := os.Open(filepath.Join(n.Dir, "access.log"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	list := func(s string) []string {
		if s == "-" || s == "" {
			return nil
		}
		// nginx separates the servers it tried with ", ".
		return strings.Split(s, ", ")
	}
	var out []Proxied
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), " | ")
		if len(fields) != 5 {
			return nil, fmt.Errorf("access.log: line %q not understood", sc.Text())
		}
		status, _ := strconv.Atoi(fields[2])
		out = append(out, Proxied{
			Method: fields[0], Path: fields[1], Status: status,
			Upstreams: list(fields[3]), UpstreamStatuses: list(fields[4]),
		})
	}
	return out, sc.Err()
}
