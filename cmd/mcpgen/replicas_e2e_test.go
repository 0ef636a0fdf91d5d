package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// The load both runs apply: loadClients clients, half of them signed in as
// one user and half as another, call count back to back for loadDuration.
const (
	loadClients  = 8
	loadDuration = 15 * time.Second
)

// TestEndToEndReplicas is the proof that a generated server scales out:
// the github-oauth template, built once, runs as three replicas on one
// Redis behind nginx (round robin, no session affinity), with one
// ENCRYPTION_KEY and nginx's URL as BASE_URL. Through nginx, the go-sdk's
// OAuth client signs in with its steps landing on different replicas; a
// load of concurrent count calls runs while one replica is stopped with
// SIGTERM and started again, and loses no increment and counts none twice;
// a refresh token rotates on any replica; and a token revoked through one
// replica is refused by every replica. The load's throughput and latency
// are reported, next to the same load on one replica alone.
func TestEndToEndReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three servers, Redis and nginx")
	}
	// The services first: without them the test skips before building.
	redis := testkit.StartRedis(t)
	addrs := []string{testkit.FreeLoopbackAddr(t), testkit.FreeLoopbackAddr(t), testkit.FreeLoopbackAddr(t)}
	lb := testkit.StartNginx(t, addrs)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("nginx error.log:\n%s", lb.ErrorLog())
		}
	})

	dir := newFromTemplate(t, "gh", "github-oauth")
	binary := buildServer(t, dir, "gh-server")

	gh := newFakeGitHub(t)
	gh.callback = lb.URL + "/callback"
	settings := gh.serverSettings(lb.URL,
		"STORE_URL="+redis.URL(),
		"ALLOWED_USERS=octocat",
	)
	set := newReplicaSet(t, binary, dir, settings)
	replicas := make([]*replica, len(addrs))
	name := make(map[string]string) // address → "replica N", for messages
	for i, addr := range addrs {
		var err error
		if replicas[i], err = set.start(addr); err != nil {
			t.Fatal(err)
		}
		name[addr] = fmt.Sprintf("replica %d", i+1)
	}
	rec := &recorder{base: http.DefaultTransport}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	// logged returns the requests nginx logged since mark, and the new mark.
	logged := func(t *testing.T, mark int) ([]testkit.Proxied, int) {
		t.Helper()
		reqs, err := lb.Requests()
		if err != nil {
			t.Fatal(err)
		}
		return reqs[mark:], len(reqs)
	}

	var octo *signIn
	t.Run("sign-in-across-replicas", func(t *testing.T) {
		_, mark := logged(t, 0)
		octo = signInAs(t, ctx, gh, rec, lb.URL, "octocat")
		if octo == nil {
			t.FailNow()
		}
		reqs, _ := logged(t, mark)
		// The steps that carry the sign-in's state from one to the next:
		// each must find what another replica stored.
		steps := map[string]bool{"/register": true, "/authorize": true, "/consent": true, "/callback": true, "/token": true}
		servedBy := make(map[string]bool)
		var trail []string
		for _, r := range reqs {
			trail = append(trail, fmt.Sprintf("%s %s → %d by %s", r.Method, r.Path, r.Status, name[r.Served()]))
			if steps[r.Path] {
				servedBy[r.Served()] = true
				delete(steps, r.Path)
			}
		}
		t.Logf("the sign-in through nginx:\n\t%s", strings.Join(trail, "\n\t"))
		if len(steps) > 0 {
			t.Errorf("nginx logged no request to %v during the sign-in", slices.Sorted(maps.Keys(steps)))
		}
		if len(servedBy) < 2 {
			t.Errorf("registration, consent, callback and code redemption were all served by %v: round robin did not spread them", slices.Collect(maps.Keys(servedBy)))
		}
		var who struct{ Login string }
		structured(t, callTool(t, ctx, octo.session, "userInfo", map[string]any{}), &who)
		if who.Login != "octocat" {
			t.Errorf("userInfo after signing in across replicas = %q, want octocat", who.Login)
		}
	})
	if octo == nil {
		t.Fatal("the sign-in failed; the rest depends on it")
	}

	// Two users for each load run, who have not counted yet. The stand-in
	// GitHub gives a login the ID 1000+len(login), and a user's count is
	// keyed by ID, as a login can change: the logins' lengths differ.
	signInUsers := func(t *testing.T, logins ...string) map[string]string {
		tokens := make(map[string]string)
		for _, login := range logins {
			s := signInAs(t, ctx, gh, rec, lb.URL, login)
			if s == nil {
				t.Fatalf("signing in %s failed", login)
			}
			tokens[login] = s.token().AccessToken
		}
		return tokens
	}

	// storeWork reports the Redis commands a load run caused, from INFO
	// commandstats before and after (the commands a script runs count as
	// well). Each increment is one compare-and-swap script, so the scripts
	// beyond the increments are swaps that lost a race with another call
	// and were tried again inside store.Update.
	commandCalls := func(t *testing.T) map[string]int64 {
		calls, err := redis.CommandCalls()
		if err != nil {
			t.Fatal(err)
		}
		return calls
	}
	storeWork := func(t *testing.T, before map[string]int64, stats loadStats) {
		after := commandCalls(t)
		var total int64
		for cmd, n := range after {
			if cmd != "info" {
				total += n - before[cmd]
			}
		}
		increments := int64(stats.calls() + len(stats.perUser)) // the final reads count too
		scripts := after["evalsha"] + after["eval"] - before["evalsha"] - before["eval"]
		t.Logf("Redis during the run: %d commands (%.1f per increment); %d compare-and-swap scripts for %d increments: %d lost a race and were retried",
			total, float64(total)/float64(increments), scripts, increments, scripts-increments)
	}

	var spread, single loadStats
	t.Run("load-through-nginx-with-a-restart", func(t *testing.T) {
		tokens := signInUsers(t, "ada", "linus")
		_, mark := logged(t, 0)
		before := commandCalls(t)
		restartMark := -1
		victim := replicas[1]
		spread = runLoad(t, ctx, lb.URL, tokens, func() {
			time.Sleep(loadDuration / 3)
			start := time.Now()
			if err := victim.terminate(); err != nil {
				t.Errorf("%s after SIGTERM: %v", name[victim.addr], err)
			}
			log := victim.stderr()
			if !strings.Contains(log, "shutting down") || !strings.Contains(log, "stopped") || strings.Contains(log, "timed out") {
				t.Errorf("%s did not shut down cleanly:\n%s", name[victim.addr], log)
			}
			stopped := time.Since(start)
			again, err := set.start(victim.addr)
			if err != nil {
				// Not Fatal: the load's clients are still running.
				t.Errorf("restarting %s: %v", name[victim.addr], err)
				return
			}
			replicas[1] = again
			_, restartMark = logged(t, 0)
			t.Logf("%s: stopped by SIGTERM (draining %v), started again on %s after %v",
				name[victim.addr], stopped.Round(time.Millisecond), victim.addr, time.Since(start).Round(time.Millisecond))
		})
		spread.report(t, "3 replicas behind nginx, one restarted")
		checkCounts(t, ctx, lb.URL, tokens, spread)
		storeWork(t, before, spread)

		reqs, _ := logged(t, mark)
		perReplica := make(map[string]int)
		movedOn, afterRestart := 0, 0
		for i, r := range reqs {
			if r.Method != "POST" || r.Path != "/mcp" {
				continue
			}
			perReplica[name[r.Served()]]++
			if len(r.Upstreams) > 1 {
				movedOn++
			}
			if restartMark >= 0 && mark+i >= restartMark && r.Served() == victim.addr {
				afterRestart++
			}
		}
		t.Logf("POST /mcp per replica: %v; %d moved on by nginx after a refused connection", perReplica, movedOn)
		if restartMark >= 0 && afterRestart == 0 {
			t.Errorf("the restarted %s served no call through nginx", name[victim.addr])
		}
	})

	t.Run("load-on-one-replica", func(t *testing.T) {
		tokens := signInUsers(t, "jo", "dennis")
		before := commandCalls(t)
		single = runLoad(t, ctx, replicas[0].url, tokens, nil)
		single.report(t, "1 replica, directly")
		checkCounts(t, ctx, replicas[0].url, tokens, single)
		storeWork(t, before, single)
		t.Logf("3 replicas behind nginx: %.0f calls/s; 1 replica alone: %.0f calls/s. "+
			"Both runs share this machine's cores with the load generator, nginx and Redis, "+
			"so the comparison measures the machine, not how far the design scales.",
			spread.perSecond(), single.perSecond())
	})

	t.Run("redis-commands-per-call", func(t *testing.T) {
		cs := connectWithToken(t, ctx, rec, replicas[0].url, octo.token().AccessToken)
		for tool, args := range map[string]map[string]any{"add": {"a": 1, "b": 2}, "count": {}} {
			const calls = 100
			if _, err := redis.Do("CONFIG", "RESETSTAT"); err != nil {
				t.Fatal(err)
			}
			for range calls {
				res := callTool(t, ctx, cs, tool, args)
				if res.IsError {
					t.Fatalf("%s: %s", tool, toolText(res))
				}
			}
			stats, err := redis.CommandCalls()
			if err != nil {
				t.Fatal(err)
			}
			total, parts := 0.0, []string{}
			for _, cmd := range slices.Sorted(maps.Keys(stats)) {
				if cmd == "config|resetstat" || cmd == "info" {
					continue
				}
				per := float64(stats[cmd]) / calls
				total += per
				parts = append(parts, fmt.Sprintf("%s %.2f", cmd, per))
			}
			t.Logf("Redis commands per authenticated tools/call of %s: %.2f (%s)", tool, total, strings.Join(parts, ", "))
		}
	})

	t.Run("refresh-on-any-replica", func(t *testing.T) {
		_, mark := logged(t, 0)
		tok := octo.token()
		for i := range 6 {
			next, err := octo.refresh(ctx, rec, tok.RefreshToken)
			if err != nil {
				t.Fatalf("refresh %d through nginx: %v", i+1, err)
			}
			if next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken || next.AccessToken == tok.AccessToken {
				t.Fatalf("refresh %d did not rotate the tokens", i+1)
			}
			tok = next
			if status := postMCP(t, ctx, rec, lb.URL, tok.AccessToken); status != http.StatusOK {
				t.Errorf("ping with the access token of refresh %d: status %d", i+1, status)
			}
		}
		reqs, _ := logged(t, mark)
		servedBy := make(map[string]int)
		for _, r := range reqs {
			if r.Path == "/token" {
				servedBy[name[r.Served()]]++
			}
		}
		t.Logf("refreshes served: %v", servedBy)
		if len(servedBy) < 2 {
			t.Errorf("six refreshes were served by %v only", servedBy)
		}
	})

	t.Run("revoked-on-one-refused-by-all", func(t *testing.T) {
		s := signInAs(t, ctx, gh, rec, lb.URL, "octocat")
		if s == nil {
			t.FailNow()
		}
		// everywhere checks a ping with token on each replica directly.
		everywhere := func(token string, want int, what string) {
			t.Helper()
			for _, r := range replicas {
				if status := postMCP(t, ctx, rec, r.url, token); status != want {
					t.Errorf("ping on %s directly with %s: status %d, want %d", name[r.addr], what, status, want)
				}
			}
		}
		// revoke revokes token through nginx and says which replica did.
		revoke := func(token, hint string) string {
			t.Helper()
			_, mark := logged(t, 0)
			s.revoke(t, ctx, rec, lb.URL, token, hint)
			// nginx logs a request once its response is sent, so the line
			// may come a little after the client has the answer; and the
			// sign-in's own requests may reach the log after the mark.
			var revokes []testkit.Proxied
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				reqs, _ := logged(t, mark)
				revokes = slices.DeleteFunc(reqs, func(r testkit.Proxied) bool { return r.Path != "/revoke" })
				if len(revokes) > 0 || time.Now().After(deadline) {
					break
				}
			}
			if len(revokes) != 1 {
				t.Fatalf("nginx logged %+v for the revocation", revokes)
			}
			return name[revokes[0].Served()]
		}

		// An access token: that token ends, the grant goes on (RFC 7009
		// lets a server keep the refresh token).
		tok := s.token()
		everywhere(tok.AccessToken, http.StatusOK, "a fresh access token")
		by := revoke(tok.AccessToken, "access_token")
		everywhere(tok.AccessToken, http.StatusUnauthorized, "the access token "+by+" revoked")

		// A refresh token: the whole grant ends, its access tokens included.
		next, err := s.refresh(ctx, rec, tok.RefreshToken)
		if err != nil {
			t.Fatalf("refresh after revoking only the access token: %v", err)
		}
		everywhere(next.AccessToken, http.StatusOK, "the refreshed access token")
		by = revoke(next.RefreshToken, "refresh_token")
		everywhere(next.AccessToken, http.StatusUnauthorized, "an access token of the grant "+by+" revoked")
		if _, err := s.refresh(ctx, rec, next.RefreshToken); err == nil {
			t.Error("the refresh token of a revoked grant was accepted")
		} else if re := (*oauth2.RetrieveError)(nil); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Errorf("refresh after revoking the grant: %v, want an invalid_grant error response", err)
		}
		t.Logf("revoked an access token, then a grant, through nginx; every replica refused them at once")
	})
}

// replica is one generated server process of the three.
type replica struct {
	addr string // 127.0.0.1:PORT
	url  string // http://addr
	cmd  *exec.Cmd
	done chan struct{} // closed once cmd has exited
	// log is what the process writes to stderr.
	log testkit.LockedBuffer
}

func (r *replica) stderr() string { return r.log.String() }

// replicaSet starts replicas of one binary with one set of settings, and
// kills those still running when the test ends.
type replicaSet struct {
	binary, dir string
	settings    []string

	mu      sync.Mutex
	started []*replica
}

func newReplicaSet(t *testing.T, binary, dir string, settings []string) *replicaSet {
	rs := &replicaSet{binary: binary, dir: dir, settings: append(settings, "HOME="+t.TempDir())}
	t.Cleanup(func() {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		for _, r := range rs.started {
			select {
			case <-r.done:
			default:
				r.cmd.Process.Kill()
				<-r.done
			}
			if t.Failed() {
				t.Logf("log of the replica on %s:\n%s", r.addr, r.stderr())
			}
		}
	})
	return rs
}

// start starts a replica on addr and waits until it answers /healthz.
func (rs *replicaSet) start(addr string) (*replica, error) {
	r := &replica{addr: addr, url: "http://" + addr, done: make(chan struct{})}
	r.cmd = exec.Command(rs.binary, "--addr", addr)
	r.cmd.Dir = rs.dir
	r.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, rs.settings...)
	r.cmd.Stderr = &r.log
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	rs.mu.Lock()
	rs.started = append(rs.started, r)
	rs.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-r.done:
			return nil, fmt.Errorf("the replica on %s exited:\n%s", addr, r.stderr())
		default:
		}
		if resp, err := http.Get(r.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the replica did not answer at %s:\n%s", addr, r.stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// terminate sends SIGTERM, as an orchestrator stopping a replica does, and
// waits for the server to drain its calls and exit: an error if it exits
// with a failure status or takes longer than its 20 s shutdown timeout
// and a margin.
func (r *replica) terminate() error {
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
		return errors.New("still running 30 s after SIGTERM; killed")
	}
	if !r.cmd.ProcessState.Success() {
		return fmt.Errorf("exited with %v", r.cmd.ProcessState)
	}
	return nil
}

// Failed calls the load client calls again, each for a reason that proves
// the first call changed nothing. checkCounts then holds the proof to
// account: a retried call that had counted would show as one count too
// many.
const (
	// store.Update gave up after repeated compare-and-swap conflicts on
	// the user's count and wrote nothing.
	retryConflict = "tool error \"too many concurrent updates\": nothing was written"
	// nginx answered 502 itself: the replica closed the connection without
	// answering. A replica stopping gracefully answers every request it
	// has accepted, so this one never reached it (it was in the accept
	// queue of the listener the replica closed, or on a kept-alive
	// connection the replica closed as idle), and nginx does not resend a
	// POST it has sent.
	retryGateway = "502 from nginx: the replica closed the connection before reading the call"
)

// loadStats is what a load run observed.
type loadStats struct {
	elapsed   time.Duration
	latencies []time.Duration    // of each successful call, retries included
	counts    map[string][]int64 // per user, the counts the successful calls returned
	retries   map[string]int     // per reason
	failures  []string           // calls that failed for any other reason
	perUser   map[string]int     // successful calls per user
}

func (s *loadStats) calls() int { return len(s.latencies) }

func (s *loadStats) perSecond() float64 { return float64(s.calls()) / s.elapsed.Seconds() }

func (s *loadStats) report(t *testing.T, what string) {
	t.Helper()
	slices.Sort(s.latencies)
	pct := func(p float64) time.Duration {
		if len(s.latencies) == 0 {
			return 0
		}
		return s.latencies[min(len(s.latencies)-1, int(p*float64(len(s.latencies))))]
	}
	t.Logf("%s: %d count calls by %d clients in %v: %.0f calls/s, latency p50 %v, p99 %v, max %v; retried %v; failed %d",
		what, s.calls(), loadClients, s.elapsed.Round(time.Millisecond), s.perSecond(),
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond),
		s.retries, len(s.failures))
	for i, f := range s.failures {
		if i == 10 {
			t.Errorf("… and %d more failed calls", len(s.failures)-10)
			break
		}
		t.Errorf("a count call failed: %s", f)
	}
}

// runLoad runs loadClients clients against base for loadDuration, each
// calling count back to back as one of the users of tokens (login →
// access token), and calls during meanwhile, if not nil.
func runLoad(t *testing.T, ctx context.Context, base string, tokens map[string]string, during func()) loadStats {
	t.Helper()
	users := slices.Sorted(maps.Keys(tokens))
	stats := loadStats{counts: make(map[string][]int64), retries: make(map[string]int), perUser: make(map[string]int)}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(loadDuration)
	for i := range loadClients {
		user := users[i%len(users)]
		tr := &gatewayTransport{token: tokens[user], base: &http.Transport{MaxIdleConnsPerHost: 1}}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "load", Version: "v0"}, nil).Connect(ctx,
			&mcp.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: &http.Client{Transport: tr}}, nil)
		if err != nil {
			t.Fatalf("load client %d connects: %v", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cs.Close()
			for time.Now().Before(end) && ctx.Err() == nil {
				began := time.Now()
				n, retried, err := countOnce(ctx, cs, tr)
				mu.Lock()
				for _, reason := range retried {
					stats.retries[reason]++
				}
				if err != nil {
					stats.failures = append(stats.failures, fmt.Sprintf("%s: %v", user, err))
				} else {
					stats.latencies = append(stats.latencies, time.Since(began))
					stats.counts[user] = append(stats.counts[user], n)
					stats.perUser[user]++
				}
				mu.Unlock()
			}
		}()
	}
	if during != nil {
		during()
	}
	wg.Wait()
	stats.elapsed = time.Since(start)
	return stats
}

// countOnce calls count until it succeeds or fails for a reason other than
// the documented ones, at most three times, and returns the count and the
// reasons it called again.
func countOnce(ctx context.Context, cs *mcp.ClientSession, tr *gatewayTransport) (n int64, retried []string, err error) {
	for range 3 {
		callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		tr.reset()
		res, err := cs.CallTool(callCtx, &mcp.CallToolParams{Name: "count", Arguments: map[string]any{}})
		cancel()
		switch {
		case err == nil && !res.IsError:
			var out struct{ Count int64 }
			b, _ := json.Marshal(res.StructuredContent)
			if err := json.Unmarshal(b, &out); err != nil || out.Count <= 0 {
				return 0, retried, fmt.Errorf("structured content %s", b)
			}
			return out.Count, retried, nil
		case err == nil && strings.Contains(toolText(res), "too many concurrent updates"):
			retried = append(retried, retryConflict)
		case err != nil && tr.nginxBadGateway():
			retried = append(retried, retryGateway)
		case err != nil:
			return 0, retried, fmt.Errorf("%v (HTTP %s)", err, tr.status())
		default:
			return 0, retried, fmt.Errorf("tool error: %s", toolText(res))
		}
	}
	return 0, retried, fmt.Errorf("three attempts, each retried: %q", retried)
}

// checkCounts holds a load run to account: each user's successful calls
// returned the counts 1, 2, … n, each once (a lost increment would repeat
// one, a double one skip one), and one more call returns n+1.
func checkCounts(t *testing.T, ctx context.Context, base string, tokens map[string]string, stats loadStats) {
	t.Helper()
	for _, user := range slices.Sorted(maps.Keys(tokens)) {
		got := slices.Clone(stats.counts[user])
		slices.Sort(got)
		n := int64(len(got))
		for i, c := range got {
			if c != int64(i)+1 {
				t.Errorf("%s: the %d successful calls returned counts %d… at position %d, want each of 1…%d once", user, n, c, i, n)
				break
			}
		}
		cs := connectWithToken(t, ctx, &recorder{base: http.DefaultTransport}, base, tokens[user])
		var final struct{ Count int64 }
		structured(t, callTool(t, ctx, cs, "count", map[string]any{}), &final)
		if final.Count != n+1 {
			t.Errorf("%s: count after %d successful increments is %d, want %d (%+d)", user, n, final.Count, n+1, final.Count-(n+1))
		} else {
			t.Logf("%s: %d successful increments, then count = %d: none lost, none doubled", user, n, final.Count)
		}
	}
}

// gatewayTransport sends the user's bearer token and remembers the status
// of the last response, and whether nginx wrote it, so that the load
// client can tell nginx's 502 from anything a replica answered. One load
// client, making one call at a time, uses it.
type gatewayTransport struct {
	token string
	base  http.RoundTripper

	mu       sync.Mutex
	last     int
	fromEdge bool
}

func (g *gatewayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+g.token)
	resp, err := g.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	fromEdge := false
	if resp.StatusCode >= 500 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		// nginx's own error pages are HTML signed "nginx"; a replica
		// answers JSON or plain text.
		fromEdge = strings.Contains(resp.Header.Get("Content-Type"), "text/html") && bytes.Contains(body, []byte("<center>nginx"))
	}
	g.mu.Lock()
	g.last, g.fromEdge = resp.StatusCode, fromEdge
	g.mu.Unlock()
	return resp, nil
}

func (g *gatewayTransport) reset() {
	g.mu.Lock()
	g.last, g.fromEdge = 0, false
	g.mu.Unlock()
}

func (g *gatewayTransport) nginxBadGateway() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last == http.StatusBadGateway && g.fromEdge
}

func (g *gatewayTransport) status() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.last == 0 {
		return "no response"
	}
	return fmt.Sprint(g.last)
}
