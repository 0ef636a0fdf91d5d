package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
)

func (c *checker) checkKubernetes() {
	t := c.t
	const dir = "deploy/kubernetes"
	var k kustomization
	if err := strictK8s(c.read(dir+"/kustomization.yaml"), &k); err != nil {
		t.Fatalf("%s/kustomization.yaml: %v", dir, err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Errorf("kustomization.yaml is %s %s", k.APIVersion, k.Kind)
	}
	entries, err := os.ReadDir(filepath.Join(c.dir, dir))
	if err != nil {
		t.Fatal(err)
	}
	var (
		dep  *appsv1.Deployment
		svc  *corev1.Service
		hpa  *autoscalingv2.HorizontalPodAutoscaler
		pdb  *policyv1.PodDisruptionBudget
		pvc  *corev1.PersistentVolumeClaim
		objs = map[string]bool{}
	)
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".yaml") || name == "kustomization.yaml" {
			continue
		}
		src := c.read(dir + "/" + name)
		if strings.Contains(string(src), "\n---") {
			t.Errorf("%s/%s holds more than one object", dir, name)
		}
		tm, err := typeMeta(src)
		if err != nil {
			t.Fatalf("%s/%s: %v", dir, name, err)
		}
		var obj any
		want := ""
		switch tm.Kind {
		case "Deployment":
			dep, want = &appsv1.Deployment{}, "apps/v1"
			obj = dep
		case "Service":
			svc, want = &corev1.Service{}, "v1"
			obj = svc
		case "HorizontalPodAutoscaler":
			hpa, want = &autoscalingv2.HorizontalPodAutoscaler{}, "autoscaling/v2"
			obj = hpa
		case "PodDisruptionBudget":
			pdb, want = &policyv1.PodDisruptionBudget{}, "policy/v1"
			obj = pdb
		case "PersistentVolumeClaim":
			pvc, want = &corev1.PersistentVolumeClaim{}, "v1"
			obj = pvc
		default:
			t.Fatalf("%s/%s: kind %q, which the test does not know", dir, name, tm.Kind)
		}
		if tm.APIVersion != want {
			t.Errorf("%s/%s: %s is %s, want %s", dir, name, tm.Kind, tm.APIVersion, want)
		}
		if err := strictK8s(src, obj); err != nil {
			t.Errorf("%s/%s: %v", dir, name, err)
		}
		objs[name] = true
	}
	if dep == nil || svc == nil || pdb == nil || hpa == nil {
		t.Fatalf("%s lacks a Deployment, Service, PodDisruptionBudget or HorizontalPodAutoscaler", dir)
	}
	// kustomization.yaml lists what exists; hpa.yaml only when replicas
	// may be more than one, the PVC only with the file store.
	for _, r := range k.Resources {
		if !objs[r] {
			t.Errorf("kustomization.yaml lists %s, which is not in %s", r, dir)
		}
	}
	if got := slices.Contains(k.Resources, "hpa.yaml"); got == c.p.store {
		t.Errorf("kustomization.yaml lists hpa.yaml: %v, want %v (a server with a file store runs one replica)", got, !c.p.store)
	}
	if got := slices.Contains(k.Resources, "pvc.yaml") && pvc != nil; got != c.p.store {
		t.Errorf("kustomization.yaml has a PersistentVolumeClaim: %v, want %v", got, c.p.store)
	}

	pod := dep.Spec.Template.Spec
	labels := dep.Spec.Template.Labels
	sel := dep.Spec.Selector.MatchLabels
	if len(sel) == 0 || !subset(sel, labels) {
		t.Errorf("the Deployment's selector %v does not select its pods %v", sel, labels)
	}
	if !subset(svc.Spec.Selector, labels) || len(svc.Spec.Selector) == 0 {
		t.Errorf("the Service selects %v, not the pods %v", svc.Spec.Selector, labels)
	}
	if pdb.Spec.Selector == nil || !subset(pdb.Spec.Selector.MatchLabels, labels) {
		t.Errorf("the PodDisruptionBudget does not select the pods")
	}
	if pdb.Spec.MinAvailable != nil {
		t.Errorf("the PodDisruptionBudget sets minAvailable, which blocks evicting a lone replica")
	}
	ref := hpa.Spec.ScaleTargetRef
	if ref.Kind != "Deployment" || ref.Name != dep.Name || ref.APIVersion != "apps/v1" {
		t.Errorf("the HorizontalPodAutoscaler scales %s %s, not the Deployment %s", ref.Kind, ref.Name, dep.Name)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas > hpa.Spec.MaxReplicas {
		t.Errorf("the HorizontalPodAutoscaler's bounds are wrong")
	}
	replicas := int32(1)
	if dep.Spec.Replicas != nil {
		replicas = *dep.Spec.Replicas
	}
	if c.p.store {
		if replicas != 1 || dep.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
			t.Errorf("a server with a file store: replicas %d, strategy %q; want 1, Recreate", replicas, dep.Spec.Strategy.Type)
		}
		if pvc == nil {
			t.Error("a server with a file store has no PersistentVolumeClaim")
		}
	} else if replicas < 2 {
		t.Errorf("a stateless server runs %d replica", replicas)
	}

	// Security.
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil ||
		strconv.FormatInt(*psc.RunAsUser, 10)+":"+strconv.FormatInt(ptrOr(psc.RunAsGroup, -1), 10) != c.img.user {
		t.Errorf("the pod must run as non-root, as the image's user %s", c.img.user)
	}
	if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("the pod's seccomp profile is not RuntimeDefault")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("the pod has %d containers, want 1", len(pod.Containers))
	}
	ctr := pod.Containers[0]
	sc := ctr.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Error("the container must have allowPrivilegeEscalation false, a read-only root file system and drop ALL capabilities")
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := ctr.Resources.Requests[r]; !ok {
			t.Errorf("the container requests no %s", r)
		}
	}
	if _, ok := ctr.Resources.Limits[corev1.ResourceMemory]; !ok {
		t.Error("the container has no memory limit")
	}
	if ctr.Image == "" || !strings.Contains(ctr.Image, ":") {
		t.Errorf("image %q has no tag", ctr.Image)
	}
	volumes := map[string]bool{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = true
		if v.PersistentVolumeClaim != nil && (pvc == nil || v.PersistentVolumeClaim.ClaimName != pvc.Name) {
			t.Errorf("volume %s claims %s, which pvc.yaml does not declare", v.Name, v.PersistentVolumeClaim.ClaimName)
		}
	}
	mounted := map[string]bool{}
	for _, m := range ctr.VolumeMounts {
		if !volumes[m.Name] {
			t.Errorf("the container mounts %s, which is no volume of the pod", m.Name)
		}
		mounted[m.MountPath] = true
	}
	if !mounted["/tmp"] {
		t.Error("no volume at /tmp, with the root file system read-only")
	}
	if c.p.store {
		if dir := filepath.ToSlash(filepath.Dir(c.img.env["STORE_PATH"])); !mounted[dir] {
			t.Errorf("the image's STORE_PATH (%s) is on no mounted volume", c.img.env["STORE_PATH"])
		}
		if psc == nil || psc.FSGroup == nil {
			t.Error("no fsGroup: the server cannot write to its volume")
		}
	}

	// Ports, probes, settings.
	named := map[string]int32{}
	for _, p := range ctr.Ports {
		named[p.Name] = p.ContainerPort
	}
	c.port("deployment.yaml: containerPort http", strconv.Itoa(int(named["http"])))
	for _, sp := range svc.Spec.Ports {
		if _, ok := named[sp.TargetPort.StrVal]; !ok || sp.TargetPort.StrVal == "" {
			t.Errorf("the Service's port %s targets %q, no named port of the container", sp.Name, sp.TargetPort.String())
		}
	}
	for what, pr := range map[string]*corev1.Probe{"liveness": ctr.LivenessProbe, "readiness": ctr.ReadinessProbe} {
		if pr == nil || pr.HTTPGet == nil {
			t.Errorf("no HTTP %s probe", what)
			continue
		}
		if pr.HTTPGet.Port.StrVal != "http" {
			t.Errorf("the %s probe is on port %s, not http", what, pr.HTTPGet.Port.String())
		}
		c.probe("deployment.yaml: "+what, pr.HTTPGet.Path)
	}
	if ctr.LivenessProbe != nil && ctr.LivenessProbe.HTTPGet != nil && ctr.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("the liveness probe GETs %s: want /healthz, which fails only when the process is wedged", ctr.LivenessProbe.HTTPGet.Path)
	}
	if ctr.ReadinessProbe != nil && ctr.ReadinessProbe.HTTPGet != nil && ctr.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("the readiness probe GETs %s: want /readyz, which fails while the server drains", ctr.ReadinessProbe.HTTPGet.Path)
	}
	secretName := ""
	if len(k.SecretGenerator) == 1 {
		secretName = k.SecretGenerator[0].Name
		if !slices.Equal(k.SecretGenerator[0].Envs, []string{"secrets.env"}) {
			t.Errorf("the secretGenerator reads %v, want secrets.env", k.SecretGenerator[0].Envs)
		}
	} else if len(k.SecretGenerator) > 1 {
		t.Errorf("%d secretGenerators", len(k.SecretGenerator))
	}
	example := map[string]string{}
	if secretName != "" {
		example = envLines(string(c.read(dir+"/secrets.env.example")), false)
	}
	env := map[string]string{}
	for _, e := range ctr.Env {
		switch {
		case e.ValueFrom == nil:
			c.ref("deployment.yaml", e.Name, false, e.Value)
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			r := e.ValueFrom.SecretKeyRef
			c.ref("deployment.yaml", e.Name, true, "")
			if r.Name != secretName {
				t.Errorf("%s comes from the Secret %s, which kustomization.yaml does not generate", e.Name, r.Name)
			}
			if _, ok := example[r.Key]; !ok {
				t.Errorf("%s comes from the key %s, which secrets.env.example does not list", e.Name, r.Key)
			}
			delete(example, r.Key)
		default:
			t.Errorf("%s comes from neither a value nor a Secret", e.Name)
		}
	}
	for k, v := range example {
		t.Errorf("secrets.env.example lists %s, which the Deployment does not read", k)
		if v != "" {
			t.Errorf("secrets.env.example gives %s a value", k)
		}
	}
	if m := env["METRICS_ADDR"]; m == "" {
		t.Error("the Deployment sets no METRICS_ADDR")
	} else {
		c.metricsPort("deployment.yaml: METRICS_ADDR", addrPort(t, "METRICS_ADDR", m))
		c.metricsPort("deployment.yaml: containerPort metrics", int(named["metrics"]))
	}
	c.port("deployment.yaml: PORT", env["PORT"])
	checkMemLimit(t, "deployment.yaml", env, ctr.Resources.Limits.Memory())
	drain, shutdown := c.durations("deployment.yaml", env)
	if g := pod.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= drain+shutdown {
		t.Errorf("terminationGracePeriodSeconds %v is not above SHUTDOWN_DRAIN_DELAY %v + SHUTDOWN_TIMEOUT %v", ptrOr(g, 0), drain, shutdown)
	}
	if drain <= 0 {
		t.Error("SHUTDOWN_DRAIN_DELAY is not set: the Service may send requests to a stopping pod")
	}

	// kustomize itself, when kubectl is here: the directory builds, and
	// what it builds decodes as strictly.
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		if secretName != "" {
			if err := os.WriteFile(filepath.Join(c.dir, dir, "secrets.env"), c.read(dir+"/secrets.env.example"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		out, err := exec.Command(kubectl, "kustomize", filepath.Join(c.dir, dir)).CombinedOutput()
		if err != nil {
			t.Errorf("kubectl kustomize: %v\n%s", err, out)
		} else {
			for _, doc := range strings.Split(string(out), "\n---\n") {
				tm, err := typeMeta([]byte(doc))
				if err != nil || tm.Kind == "" {
					t.Errorf("kubectl kustomize wrote an object without a kind: %v", err)
				}
			}
		}
	} else {
		t.Log("kubectl is not on PATH: kustomization.yaml was decoded, not built")
	}
}

func subset(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func ptrOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
