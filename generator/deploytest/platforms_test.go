package deploytest

import (
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func (c *checker) checkCompose() {
	t := c.t
	var f compose
	if err := strictYAML(c.read("compose.yaml"), &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	srv, ok := f.Services["server"]
	if !ok || srv.Build != "." {
		t.Fatalf("compose.yaml has no service server built from .")
	}
	if len(srv.EnvFile) != 1 || srv.EnvFile[0].Path != ".env" {
		t.Errorf("the server's settings do not come from .env")
	}
	if srv.Healthcheck != nil {
		t.Error("compose.yaml gives the server a healthcheck, which the distroless image cannot run")
	}
	for name, v := range srv.Environment {
		c.ref("compose.yaml", name, false, v)
	}
	c.port("compose.yaml: PORT", srv.Environment["PORT"])
	if len(srv.Ports) != 1 {
		t.Fatalf("compose.yaml publishes %d ports", len(srv.Ports))
	}
	_, container, _ := strings.Cut(srv.Ports[0], ":")
	c.port("compose.yaml: ports", container)
	_, shutdown := c.durations("compose.yaml", srv.Environment)
	if g, err := time.ParseDuration(srv.StopGracePeriod); err != nil || g <= shutdown {
		t.Errorf("stop_grace_period %q is not above SHUTDOWN_TIMEOUT %v", srv.StopGracePeriod, shutdown)
	}
	redis, hasRedis := f.Services["redis"]
	if hasRedis != c.p.store {
		t.Errorf("compose.yaml has a redis service: %v, want %v", hasRedis, c.p.store)
	}
	if !c.p.store {
		return
	}
	if redis.Healthcheck == nil || !slices.Equal(redis.Healthcheck.Test, []string{"CMD", "redis-cli", "ping"}) {
		t.Error("the redis service has no redis-cli ping healthcheck")
	}
	if srv.DependsOn["redis"].Condition != "service_healthy" {
		t.Error("the server does not wait for a healthy redis")
	}
	u, err := url.Parse(srv.Environment["STORE_URL"])
	if err != nil || u.Scheme != "redis" || u.Hostname() != "redis" {
		t.Errorf("STORE_URL=%q does not name the redis service", srv.Environment["STORE_URL"])
	}
	for _, v := range append(srv.Volumes, redis.Volumes...) {
		name, _, _ := strings.Cut(v, ":")
		if _, ok := f.Volumes[name]; !ok {
			t.Errorf("compose.yaml mounts the volume %s, which it does not declare", name)
		}
	}
}

func (c *checker) checkFly() {
	t := c.t
	src := c.read("fly.toml")
	var f flyConfig
	if err := strictTOML(src, &f); err != nil {
		t.Fatalf("fly.toml: %v", err)
	}
	for name, v := range f.Env {
		c.ref("fly.toml", name, false, v)
	}
	// Secrets are set with fly secrets set, which the comments list.
	for _, line := range strings.Split(string(src), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "#   fly secrets set ")
		if !ok {
			continue
		}
		name, value, _ := strings.Cut(strings.Fields(rest)[0], "=")
		if value != "..." {
			t.Errorf("fly.toml: fly secrets set %s=%s gives a value", name, value)
		}
		c.ref("fly.toml", name, true, "")
	}
	c.port("fly.toml: internal_port", strconv.Itoa(f.HTTPService.InternalPort))
	c.port("fly.toml: PORT", f.Env["PORT"])
	if len(f.HTTPService.Checks) == 0 {
		t.Error("fly.toml has no HTTP check")
	}
	for _, ch := range f.HTTPService.Checks {
		if ch.Method != "GET" {
			t.Errorf("fly.toml: check method %q", ch.Method)
		}
		c.probe("fly.toml: check", ch.Path)
	}
	if f.Metrics == nil {
		t.Error("fly.toml has no [metrics]")
	} else {
		c.metricsPort("fly.toml: [metrics]", f.Metrics.Port)
		c.metricsPort("fly.toml: METRICS_ADDR", addrPort(t, "fly.toml METRICS_ADDR", f.Env["METRICS_ADDR"]))
		c.probe("fly.toml: [metrics]", f.Metrics.Path)
	}
	drain, shutdown := c.durations("fly.toml", f.Env)
	if kt, err := time.ParseDuration(f.KillTimeout); err != nil || kt <= drain+shutdown {
		t.Errorf("kill_timeout %q is not above the drain and shutdown (%v)", f.KillTimeout, drain+shutdown)
	}
	if f.Build.Dockerfile != "Dockerfile" {
		t.Errorf("fly.toml builds %q", f.Build.Dockerfile)
	}
	if (f.Mounts != nil) != c.p.store {
		t.Errorf("fly.toml mounts a volume: %v, want %v", f.Mounts != nil, c.p.store)
	} else if f.Mounts != nil && f.Mounts.Destination != filepath.ToSlash(filepath.Dir(c.img.env["STORE_PATH"])) {
		t.Errorf("fly.toml mounts the volume at %s, not where the image's STORE_PATH is", f.Mounts.Destination)
	}
}

func (c *checker) checkCloudRun() {
	t := c.t
	var s knativeService
	if err := strictK8s(c.read("deploy/cloudrun/service.yaml"), &s); err != nil {
		t.Fatalf("deploy/cloudrun/service.yaml: %v", err)
	}
	if s.APIVersion != "serving.knative.dev/v1" || s.Kind != "Service" {
		t.Errorf("deploy/cloudrun/service.yaml is %s %s", s.APIVersion, s.Kind)
	}
	ctrs := s.Spec.Template.Spec.Containers
	if len(ctrs) != 1 {
		t.Fatalf("the Cloud Run service has %d containers", len(ctrs))
	}
	ctr := ctrs[0]
	if len(ctr.Ports) != 1 {
		t.Fatalf("the Cloud Run container has %d ports, want 1", len(ctr.Ports))
	}
	c.port("cloudrun: containerPort", strconv.Itoa(int(ctr.Ports[0].ContainerPort)))
	env := map[string]string{}
	for _, e := range ctr.Env {
		if e.Name == "PORT" {
			t.Error("the Cloud Run service sets PORT, which Cloud Run reserves")
		}
		switch {
		case e.ValueFrom == nil:
			c.ref("cloudrun/service.yaml", e.Name, false, e.Value)
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Key == "latest" && e.ValueFrom.SecretKeyRef.Name != "":
			c.ref("cloudrun/service.yaml", e.Name, true, "")
			if c.p.store && e.Name == "STORE_URL" {
				env["STORE_URL"] = "(secret)"
			}
		default:
			t.Errorf("%s: not a value, nor a Secret Manager secret {name, key: latest}", e.Name)
		}
	}
	if c.p.store && env["STORE_URL"] == "" {
		t.Error("Cloud Run keeps no file between instances, but the service reads no STORE_URL")
	}
	checkMemLimit(t, "cloudrun/service.yaml", env, ctr.Resources.Limits.Memory())
	drain, shutdown := c.durations("cloudrun/service.yaml", env)
	if drain+shutdown >= 10*time.Second {
		t.Errorf("drain %v + shutdown %v: Cloud Run kills an instance 10s after SIGTERM", drain, shutdown)
	}
	for what, pr := range map[string]*corev1.Probe{"startup": ctr.StartupProbe, "liveness": ctr.LivenessProbe} {
		if pr == nil || pr.HTTPGet == nil {
			t.Errorf("the Cloud Run service has no HTTP %s probe", what)
			continue
		}
		c.port("cloudrun: "+what+" probe port", pr.HTTPGet.Port.String())
		c.probe("cloudrun: "+what, pr.HTTPGet.Path)
	}
}
