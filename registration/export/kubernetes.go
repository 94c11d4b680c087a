package export

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// probeKeys are the container fields that a service's checks fill, in
// the order of its check kinds: the first check is the readiness probe,
// the second the liveness probe, the third the startup probe.
var probeKeys = []string{"readinessProbe", "livenessProbe", "startupProbe"}

// k8sProbes is a snippet of a Kubernetes container: its probes, with the
// field names of the Kubernetes API's Container.
type k8sProbes struct {
	ReadinessProbe *k8sProbe `yaml:"readinessProbe,omitempty"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe,omitempty"`
	StartupProbe   *k8sProbe `yaml:"startupProbe,omitempty"`
}

// k8sProbe is the Kubernetes API's Probe, as far as an export sets it.
type k8sProbe struct {
	GRPC             *k8sGRPCAction    `yaml:"grpc,omitempty"`
	HTTPGet          *k8sHTTPGetAction `yaml:"httpGet,omitempty"`
	TCPSocket        *k8sTCPAction     `yaml:"tcpSocket,omitempty"`
	TimeoutSeconds   int               `yaml:"timeoutSeconds"`
	PeriodSeconds    int               `yaml:"periodSeconds"`
	SuccessThreshold int               `yaml:"successThreshold"`
	FailureThreshold int               `yaml:"failureThreshold"`
}

type k8sGRPCAction struct {
	Port    int    `yaml:"port"`
	Service string `yaml:"service"`
}

type k8sHTTPGetAction struct {
	Path        string          `yaml:"path"`
	Port        int             `yaml:"port"`
	Scheme      string          `yaml:"scheme,omitempty"`
	HTTPHeaders []k8sHTTPHeader `yaml:"httpHeaders,omitempty"`
}

type k8sHTTPHeader struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

type k8sTCPAction struct {
	Port int `yaml:"port"`
}

// k8sService is a Kubernetes Service manifest.
type k8sService struct {
	APIVersion string         `yaml:"apiVersion"`
	Kind       string         `yaml:"kind"`
	Metadata   k8sMetadata    `yaml:"metadata"`
	Spec       k8sServiceSpec `yaml:"spec"`
}

type k8sMetadata struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels,omitempty"`
}

type k8sServiceSpec struct {
	Selector map[string]string `yaml:"selector"`
	Ports    []k8sServicePort  `yaml:"ports"`
}

type k8sServicePort struct {
	Name        string `yaml:"name"`
	Protocol    string `yaml:"protocol"`
	AppProtocol string `yaml:"appProtocol,omitempty"`
	Port        int    `yaml:"port"`
	TargetPort  int    `yaml:"targetPort"`
}

// nameLabel is the label a Service manifest carries, and selects by
// unless Options.Selector says otherwise.
const nameLabel = "app.kubernetes.io/name"

func kubernetesDocuments(services []*registration.Service, o Options) ([]Document, error) {
	if o.Checks == nil {
		return nil, errors.New("kubernetes: no checks planned")
	}
	selector, err := parseSelector(o.Selector)
	if err != nil {
		return nil, err
	}
	var docs []Document
	var errs []error
	for _, s := range services {
		sd, err := kubernetesService(s, o, selector)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		docs = append(docs, sd...)
	}
	if err := uniqueFiles(docs); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return docs, nil
}

// kubernetesService is a service's probes snippet, and its Service
// manifest when asked for.
func kubernetesService(s *registration.Service, o Options, selector map[string]string) ([]Document, error) {
	name, err := DNSLabel(s.Name, o.ShortenNames)
	if err != nil {
		return nil, err
	}
	planned := o.Checks.ByService[s.Name]
	switch {
	case len(planned) == 0:
		return nil, fmt.Errorf("service %s: no health check planned", s.Name)
	case len(planned) > len(probeKeys):
		return nil, fmt.Errorf("service %s: %d check kinds, more than a container's %d probes", s.Name, len(planned), len(probeKeys))
	}
	var snippet k8sProbes
	var ports []k8sServicePort
	for i, ch := range planned {
		p, port, err := kubernetesProbe(s, ch, o.Checks, o.Defaults, probeKeys[i])
		if err != nil {
			return nil, err
		}
		switch probeKeys[i] {
		case "readinessProbe":
			snippet.ReadinessProbe = p
		case "livenessProbe":
			snippet.LivenessProbe = p
		default:
			snippet.StartupProbe = p
		}
		if !slices.ContainsFunc(ports, func(sp k8sServicePort) bool { return sp.Port == port.Port }) {
			ports = append(ports, port)
		}
	}
	data, err := encodeYAML(fmt.Sprintf("%s: probes of its container", s.Name), snippet)
	if err != nil {
		return nil, err
	}
	docs := []Document{{Service: s.Name, File: name + ".probes.yaml", Data: data}}
	if !o.ServiceManifest {
		return docs, nil
	}
	m := k8sService{
		APIVersion: "v1",
		Kind:       "Service",
		Metadata:   k8sMetadata{Name: name, Labels: map[string]string{nameLabel: name}},
		Spec:       k8sServiceSpec{Selector: selector, Ports: ports},
	}
	if selector == nil {
		m.Spec.Selector = map[string]string{nameLabel: name}
	}
	if data, err = encodeYAML(s.Name+": its Service", m); err != nil {
		return nil, err
	}
	return append(docs, Document{Service: s.Name, File: name + ".service.yaml", Data: data}), nil
}

// kubernetesProbe is the probe of one check, and the Service port it
// checks. Kubernetes' gRPC probes speak plaintext and its HTTP probes
// send GET: a check that wants TLS or another method has no probe.
func kubernetesProbe(s *registration.Service, ch health.Check, checks *Checks, d CheckDefaults, key string) (*k8sProbe, k8sServicePort, error) {
	_, port, err := hostPort(s.Name, ch)
	if err != nil {
		return nil, k8sServicePort{}, err
	}
	interval, failures, successes := d.settings(ch)
	if key != "readinessProbe" {
		successes = 1 // Kubernetes wants 1 for liveness and startup probes
	}
	p := &k8sProbe{
		TimeoutSeconds:   seconds(checks.timeout(ch)),
		PeriodSeconds:    seconds(interval),
		SuccessThreshold: successes,
		FailureThreshold: failures,
	}
	sp := k8sServicePort{Name: string(ch.Kind), Protocol: "TCP", Port: port, TargetPort: port}
	switch ch.Kind {
	case health.KindGRPC:
		if ch.TLS != nil {
			return nil, sp, fmt.Errorf("service %s: the gRPC check uses TLS, which Kubernetes' gRPC probes do not speak", s.Name)
		}
		p.GRPC = &k8sGRPCAction{Port: port, Service: ch.GRPCService}
		sp.AppProtocol = "kubernetes.io/h2c"
	case health.KindHTTP:
		if ch.Method != "" && ch.Method != http.MethodGet {
			return nil, sp, fmt.Errorf("service %s: the HTTP check sends %s, and Kubernetes' HTTP probes only GET", s.Name, ch.Method)
		}
		u, err := url.Parse(ch.URL)
		if err != nil {
			return nil, sp, fmt.Errorf("service %s: HTTP check URL %s: %v", s.Name, ch.URL, err)
		}
		g := &k8sHTTPGetAction{Path: u.RequestURI(), Port: port}
		if u.Scheme == "https" {
			g.Scheme = "HTTPS"
		}
		g.HTTPHeaders = k8sHeaders(ch)
		p.HTTPGet = g
	case health.KindTCP:
		p.TCPSocket = &k8sTCPAction{Port: port}
	default:
		return nil, sp, fmt.Errorf("service %s: a %s check has no Kubernetes probe", s.Name, ch.Kind)
	}
	return p, sp, nil
}

// k8sHeaders are an HTTP check's headers, Host among them, sorted by
// name.
func k8sHeaders(ch health.Check) []k8sHTTPHeader {
	var hs []k8sHTTPHeader
	for k, vs := range ch.Header {
		for _, v := range vs {
			hs = append(hs, k8sHTTPHeader{Name: k, Value: v})
		}
	}
	if ch.Host != "" {
		hs = append(hs, k8sHTTPHeader{Name: "Host", Value: ch.Host})
	}
	slices.SortStableFunc(hs, func(a, b k8sHTTPHeader) int { return strings.Compare(a.Name, b.Name) })
	return hs
}

// seconds is d in whole seconds, rounded up, at least 1: Kubernetes
// counts probe periods and timeouts in seconds.
func seconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// parseSelector parses KEY=VALUE items; nil for none.
func parseSelector(items []string) (map[string]string, error) {
	if len(items) == 0 {
		return nil, nil
	}
	sel := map[string]string{}
	for _, item := range items {
		k, v, ok := strings.Cut(item, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("selector %q: want KEY=VALUE", item)
		}
		sel[k] = v
	}
	return sel, nil
}
