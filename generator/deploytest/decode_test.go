package deploytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
	yaml "go.yaml.in/yaml/v4"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8syaml "sigs.k8s.io/yaml"
)

// strictK8s decodes one Kubernetes object into v, refusing fields v's type
// does not have (sigs.k8s.io/yaml converts to JSON, which is then decoded
// with DisallowUnknownFields: a misspelt or misplaced key fails) and
// duplicate keys.
func strictK8s(src []byte, v any) error {
	js, err := k8syaml.YAMLToJSONStrict(src)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("more than one object")
	}
	return nil
}

// typeMeta reads the apiVersion and kind of a manifest.
func typeMeta(src []byte) (metav1.TypeMeta, error) {
	var tm metav1.TypeMeta
	err := k8syaml.Unmarshal(src, &tm)
	return tm, err
}

// kustomization is the part of kustomize's Kustomization the generated
// file uses; anything else in it is an error.
type kustomization struct {
	APIVersion      string            `json:"apiVersion"`
	Kind            string            `json:"kind"`
	Resources       []string          `json:"resources"`
	SecretGenerator []secretGenerator `json:"secretGenerator,omitempty"`
}

type secretGenerator struct {
	Name string   `json:"name"`
	Envs []string `json:"envs"`
}

// knativeService is a Knative serving.knative.dev/v1 Service as Cloud Run
// reads it: its pod template's containers are Kubernetes containers.
type knativeService struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       struct {
		Template struct {
			Metadata metav1.ObjectMeta `json:"metadata"`
			Spec     struct {
				ContainerConcurrency *int64             `json:"containerConcurrency,omitempty"`
				TimeoutSeconds       *int64             `json:"timeoutSeconds,omitempty"`
				ServiceAccountName   string             `json:"serviceAccountName,omitempty"`
				Containers           []corev1.Container `json:"containers"`
				Volumes              []corev1.Volume    `json:"volumes,omitempty"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
}

// compose is the part of the Compose specification the generated file
// uses; anything else in it is an error.
type compose struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]*struct{}      `yaml:"volumes"`
}

type composeService struct {
	Build           string               `yaml:"build"`
	Image           string               `yaml:"image"`
	Command         []string             `yaml:"command"`
	EnvFile         []composeEnvFile     `yaml:"env_file"`
	Environment     map[string]string    `yaml:"environment"`
	Ports           []string             `yaml:"ports"`
	StopGracePeriod string               `yaml:"stop_grace_period"`
	Volumes         []string             `yaml:"volumes"`
	DependsOn       map[string]dependsOn `yaml:"depends_on"`
	Healthcheck     *struct {
		Test     []string `yaml:"test"`
		Interval string   `yaml:"interval"`
		Timeout  string   `yaml:"timeout"`
		Retries  int      `yaml:"retries"`
	} `yaml:"healthcheck"`
}

type composeEnvFile struct {
	Path     string `yaml:"path"`
	Required bool   `yaml:"required"`
}

type dependsOn struct {
	Condition string `yaml:"condition"`
}

func strictYAML(src []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// flyConfig is the part of Fly's app configuration (fly.toml) the
// generated file uses, named as Fly's reference names the keys; anything
// else in it is an error.
type flyConfig struct {
	App           string `toml:"app"`
	PrimaryRegion string `toml:"primary_region"`
	KillSignal    string `toml:"kill_signal"`
	KillTimeout   string `toml:"kill_timeout"`
	Build         struct {
		Dockerfile string `toml:"dockerfile"`
	} `toml:"build"`
	Env         map[string]string `toml:"env"`
	HTTPService struct {
		InternalPort       int    `toml:"internal_port"`
		ForceHTTPS         bool   `toml:"force_https"`
		AutoStopMachines   string `toml:"auto_stop_machines"`
		AutoStartMachines  bool   `toml:"auto_start_machines"`
		MinMachinesRunning int    `toml:"min_machines_running"`
		Checks             []struct {
			GracePeriod string `toml:"grace_period"`
			Interval    string `toml:"interval"`
			Timeout     string `toml:"timeout"`
			Method      string `toml:"method"`
			Path        string `toml:"path"`
		} `toml:"checks"`
	} `toml:"http_service"`
	Metrics *struct {
		Port int    `toml:"port"`
		Path string `toml:"path"`
	} `toml:"metrics"`
	Mounts *struct {
		Source      string `toml:"source"`
		Destination string `toml:"destination"`
	} `toml:"mounts"`
}

func strictTOML(src []byte, v any) error {
	dec := toml.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// serverJSON is server.json as the tests read it: only the fields the
// cross-checks need (the JSON Schema checks the whole).
type serverJSON struct {
	Name     string          `json:"name"`
	Packages []serverPackage `json:"packages"`
	Remotes  []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"remotes"`
}

type serverPackage struct {
	RegistryType string `json:"registryType"`
	Identifier   string `json:"identifier"`
	Transport    struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"transport"`
	EnvironmentVariables []struct {
		Name     string  `json:"name"`
		IsSecret bool    `json:"isSecret"`
		Default  *string `json:"default"`
		Value    *string `json:"value"`
	} `json:"environmentVariables"`
}

// envLines reads KEY=VALUE lines (secrets.env.example, .env.example),
// commented-out ones ("# KEY=VALUE") too when commented is set.
func envLines(src string, commented bool) map[string]string {
	out := make(map[string]string)
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "#"); ok {
			if !commented {
				continue
			}
			line = strings.TrimSpace(rest)
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && isEnvName(k) {
			out[k] = v
		}
	}
	return out
}

func isEnvName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
