package export

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	consul "github.com/hashicorp/consul/api"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// exampleServices are the example API's services, from its aggregate
// registration.
func exampleServices(t *testing.T) []*registration.Service {
	t.Helper()
	reg, err := load.File("../../example/gen/aggregate/registry.registration.json")
	if err != nil {
		t.Fatal(err)
	}
	return reg.Services
}

// realServices are the services of the vendored googleapis slice's
// aggregate registration.
func realServices(t *testing.T) []*registration.Service {
	t.Helper()
	reg, err := load.File("../../plugin/testdata/real/golden-aggregate/slice.registration.json")
	if err != nil {
		t.Fatal(err)
	}
	return reg.Services
}

// healthConfig is registration-health's configuration with every service
// at one gRPC and one HTTP address.
func healthConfig(targetsFile string) health.Config {
	c := health.DefaultConfig()
	c.Check = "both"
	c.Addr = "10.0.0.7:9090"
	c.HTTPAddr = "10.0.0.7:8080"
	c.TargetsFile = targetsFile
	return c
}

// targetsFile writes a targets file that gives the library service its own
// addresses and thresholds.
func targetsFile(t *testing.T) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "targets.yaml")
	const text = `services:
  library.v1.LibraryService:
    grpc_address: lib.internal:7000
    http_address: https://lib.internal:7443
    interval: 30s
    timeout: 500ms
    failure_threshold: 5
    success_threshold: 2
`
	if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func plan(t *testing.T, services []*registration.Service, c health.Config) *Checks {
	t.Helper()
	checks, err := Plan(services, c)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

func exportAll(t *testing.T, services []*registration.Service, o Options) []Document {
	t.Helper()
	docs, err := Export(services, o)
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func TestConsulDecodesIntoTheConsulAPI(t *testing.T) {
	services := exampleServices(t)
	o := Options{Target: Consul, Checks: plan(t, services, healthConfig(targetsFile(t))), Defaults: DefaultCheckDefaults()}
	docs := exportAll(t, services, o)
	if len(docs) != len(services) {
		t.Fatalf("%d documents for %d services", len(docs), len(services))
	}
	byName := map[string]*registration.Service{}
	for _, s := range services {
		byName[s.Name] = s
	}
	for _, d := range docs {
		var reg consul.AgentServiceRegistration
		dec := json.NewDecoder(bytes.NewReader(d.Data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&reg); err != nil {
			t.Fatalf("%s: %v\n%s", d.Service, err, d.Data)
		}
		s := byName[d.Service]
		wantName, _ := DNSLabel(s.Name, false)
		if reg.Name != wantName || reg.ID != wantName || d.File != wantName+".json" {
			t.Errorf("%s: name %q, id %q, file %q; want %q", s.Name, reg.Name, reg.ID, d.File, wantName)
		}
		if reg.Meta["grpc_service"] != s.Name || reg.Meta["version"] != s.Version || reg.Meta["owner"] != s.Owner {
			t.Errorf("%s: meta %v", s.Name, reg.Meta)
		}
		if want := Tags(append(slices.Clone(s.Tags), capabilityNames(s)...), Consul); !slices.Equal(reg.Tags, want) || len(want) == 0 {
			t.Errorf("%s: tags %v, want %v", s.Name, reg.Tags, want)
		}
		grpcAddr, httpURL, interval, timeout, failures, successes := "10.0.0.7:9090", "http://10.0.0.7:8080", "10s", "2s", 3, 1
		host, port := "10.0.0.7", 9090
		if s.Name == "library.v1.LibraryService" {
			grpcAddr, httpURL, interval, timeout, failures, successes = "lib.internal:7000", "https://lib.internal:7443", "30s", "500ms", 5, 2
			host, port = "lib.internal", 7000
		}
		if reg.Address != host || reg.Port != port {
			t.Errorf("%s: address %s port %d, want %s %d", s.Name, reg.Address, reg.Port, host, port)
		}
		if len(reg.Checks) != 2 {
			t.Fatalf("%s: %d checks, want 2", s.Name, len(reg.Checks))
		}
		g, h := reg.Checks[0], reg.Checks[1]
		if g.GRPC != grpcAddr+"/"+s.Health.GRPCService || g.HTTP != "" || g.GRPCUseTLS {
			t.Errorf("%s: gRPC check %+v", s.Name, g)
		}
		if h.HTTP != httpURL+s.Health.HTTPPath || h.GRPC != "" {
			t.Errorf("%s: HTTP check %+v, want %s", s.Name, h, httpURL+s.Health.HTTPPath)
		}
		for _, c := range reg.Checks {
			if c.Interval != interval || c.Timeout != timeout || c.FailuresBeforeCritical != failures || c.SuccessBeforePassing != successes || c.CheckID == "" || c.Name == "" {
				t.Errorf("%s: check %+v: want interval %s, timeout %s, %d failures, %d successes", s.Name, c, interval, timeout, failures, successes)
			}
		}
	}
}

func TestKubernetesDecodesIntoTheKubernetesAPI(t *testing.T) {
	services := exampleServices(t)
	c := healthConfig(targetsFile(t))
	o := Options{Target: Kubernetes, Checks: plan(t, services, c), Defaults: DefaultCheckDefaults(), ServiceManifest: true}
	docs := exportAll(t, services, o)
	if len(docs) != 2*len(services) {
		t.Fatalf("%d documents for %d services, want 2 each", len(docs), len(services))
	}
	byName := map[string]*registration.Service{}
	for _, s := range services {
		byName[s.Name] = s
	}
	for i := 0; i < len(docs); i += 2 {
		probes, manifest := docs[i], docs[i+1]
		s := byName[probes.Service]
		name, _ := DNSLabel(s.Name, false)
		if probes.File != name+".probes.yaml" || manifest.File != name+".service.yaml" || manifest.Service != s.Name {
			t.Errorf("%s: files %s and %s", s.Name, probes.File, manifest.File)
		}
		var container corev1.Container
		if err := yaml.UnmarshalStrict(probes.Data, &container); err != nil {
			t.Fatalf("%s: %v\n%s", s.Name, err, probes.Data)
		}
		grpcPort, httpPort, scheme, period, timeout, failures, successes := int32(9090), int32(8080), corev1.URISchemeHTTP, int32(10), int32(2), int32(3), int32(1)
		if s.Name == "library.v1.LibraryService" {
			grpcPort, httpPort, scheme, period, timeout, failures, successes = 7000, 7443, corev1.URISchemeHTTPS, 30, 1, 5, 2
		}
		r, l := container.ReadinessProbe, container.LivenessProbe
		if r == nil || r.GRPC == nil || r.GRPC.Port != grpcPort || r.GRPC.Service == nil || *r.GRPC.Service != s.Health.GRPCService || r.HTTPGet != nil {
			t.Errorf("%s: readiness probe %+v", s.Name, r)
		} else if r.PeriodSeconds != period || r.TimeoutSeconds != timeout || r.FailureThreshold != failures || r.SuccessThreshold != successes {
			t.Errorf("%s: readiness probe settings %+v", s.Name, r)
		}
		if l == nil || l.HTTPGet == nil || l.HTTPGet.Path != s.Health.HTTPPath || l.HTTPGet.Port.IntValue() != int(httpPort) || l.HTTPGet.Scheme != scheme && !(scheme == corev1.URISchemeHTTP && l.HTTPGet.Scheme == "") {
			t.Errorf("%s: liveness probe %+v", s.Name, l)
		} else if l.SuccessThreshold != 1 || l.FailureThreshold != failures {
			t.Errorf("%s: liveness probe thresholds %+v", s.Name, l)
		}
		if container.StartupProbe != nil {
			t.Errorf("%s: a startup probe from two checks", s.Name)
		}

		var svc corev1.Service
		if err := yaml.UnmarshalStrict(manifest.Data, &svc); err != nil {
			t.Fatalf("%s: %v\n%s", s.Name, err, manifest.Data)
		}
		if svc.APIVersion != "v1" || svc.Kind != "Service" || svc.Name != name || svc.Spec.Selector[nameLabel] != name || svc.Labels[nameLabel] != name {
			t.Errorf("%s: service %+v", s.Name, svc)
		}
		var ports []int32
		for _, p := range svc.Spec.Ports {
			ports = append(ports, p.Port)
			if p.TargetPort.IntValue() != int(p.Port) || p.Protocol != corev1.ProtocolTCP {
				t.Errorf("%s: port %+v", s.Name, p)
			}
		}
		if !slices.Equal(ports, []int32{grpcPort, httpPort}) || svc.Spec.Ports[0].Name != "grpc" || svc.Spec.Ports[1].Name != "http" {
			t.Errorf("%s: ports %+v", s.Name, svc.Spec.Ports)
		}
	}

	// A selector of the user's replaces the default one.
	o.Selector = []string{"app=library", "tier=backend"}
	docs = exportAll(t, services, o)
	var svc corev1.Service
	if err := yaml.UnmarshalStrict(docs[1].Data, &svc); err != nil {
		t.Fatal(err)
	}
	if len(svc.Spec.Selector) != 2 || svc.Spec.Selector["app"] != "library" || svc.Spec.Selector["tier"] != "backend" {
		t.Errorf("selector %v", svc.Spec.Selector)
	}
}

// TestKubernetesProbeOrder: the check kinds, in order, fill the readiness,
// liveness and startup probes.
func TestKubernetesProbeOrder(t *testing.T) {
	services := exampleServices(t)[:1]
	c := healthConfig("")
	c.Check = "http,tcp,grpc"
	docs := exportAll(t, services, Options{Target: Kubernetes, Checks: plan(t, services, c), Defaults: DefaultCheckDefaults()})
	var container corev1.Container
	if err := yaml.UnmarshalStrict(docs[0].Data, &container); err != nil {
		t.Fatal(err)
	}
	if container.ReadinessProbe.HTTPGet == nil || container.LivenessProbe.TCPSocket == nil || container.StartupProbe.GRPC == nil {
		t.Errorf("probes %+v", container)
	}
}

// backstageCheck is the checker that runs Backstage's own validators.
const backstageCheck = "testdata/backstage/validate.mjs"

// validateEntities runs Backstage's validators over entities and returns
// their report, and whether every entity passed. Without node or the
// installed package, the test fails: make tools installs them.
func validateEntities(t *testing.T, entities []map[string]any) (string, bool) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: run make tools (Backstage's validators run on Node.js)")
	}
	if _, err := os.Stat("testdata/backstage/node_modules/@backstage/catalog-model/package.json"); err != nil {
		t.Fatal("@backstage/catalog-model is not installed under testdata/backstage: run make tools")
	}
	input, err := json.Marshal(entities)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Base(backstageCheck))
	cmd.Dir = filepath.Dir(backstageCheck)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if _, exit := err.(*exec.ExitError); err != nil && (!exit || stderr.Len() > 0) {
		t.Fatalf("%s: %v\n%s", backstageCheck, err, stderr.String())
	}
	return string(out), err == nil
}

// entitiesOf splits documents into their entities.
func entitiesOf(t *testing.T, docs []Document) []map[string]any {
	t.Helper()
	var entities []map[string]any
	for _, d := range docs {
		for _, part := range strings.Split(string(d.Data), "\n---\n") {
			var e map[string]any
			if err := yaml.Unmarshal([]byte(part), &e); err != nil {
				t.Fatalf("%s: %v", d.Service, err)
			}
			entities = append(entities, e)
		}
	}
	return entities
}

func TestBackstageEntitiesPassBackstagesValidators(t *testing.T) {
	services := exampleServices(t)
	docs := exportAll(t, services, Options{Target: Backstage, Lifecycle: "production", Definition: DefinitionURL, DefinitionBase: "https://github.com/acme/apis/blob/main/proto/"})
	entities := entitiesOf(t, docs)
	if len(entities) != 2*len(services) {
		t.Fatalf("%d entities for %d services", len(entities), len(services))
	}
	report, ok := validateEntities(t, entities)
	if !ok {
		t.Fatalf("Backstage refuses entities:\n%s", report)
	}
	if got := strings.Count(report, "\nok ") + strings.Count(report[:3], "ok "); got != len(entities) {
		t.Errorf("report of %d entities:\n%s", len(entities), report)
	}

	// The library service's relations are its dependencies, the external
	// billing API among them, each once.
	var component, api map[string]any
	for _, e := range entities {
		if e["metadata"].(map[string]any)["name"] == "library.v1.LibraryService" {
			if e["kind"] == "Component" {
				component = e
			} else {
				api = e
			}
		}
	}
	spec := component["spec"].(map[string]any)
	strs := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	if got, want := strs(spec["consumesApis"]), []string{"api:billing.v1.Payments", "api:identity.v1.UserService"}; !slices.Equal(got, want) {
		t.Errorf("consumesApis %v, want %v", got, want)
	}
	if got, want := strs(spec["dependsOn"]), []string{"component:billing.v1.Payments", "component:identity.v1.UserService"}; !slices.Equal(got, want) {
		t.Errorf("dependsOn %v, want %v", got, want)
	}
	if got := strs(spec["providesApis"]); !slices.Equal(got, []string{"api:library.v1.LibraryService"}) || spec["owner"] != "team-library" || spec["lifecycle"] != "production" {
		t.Errorf("component spec %v", spec)
	}
	aspec := api["spec"].(map[string]any)
	if aspec["type"] != "grpc" || aspec["definition"].(map[string]any)["$url"] != "https://github.com/acme/apis/blob/main/proto/library/v1/library.proto" {
		t.Errorf("API spec %v", aspec)
	}
}

// TestBackstageValidatorRefuses shows that the validators can fail: each
// entity is a valid one with one thing wrong.
func TestBackstageValidatorRefuses(t *testing.T) {
	docs := exportAll(t, exampleServices(t)[:1], Options{Target: Backstage, Lifecycle: "production"})
	good := entitiesOf(t, docs)[1] // the API
	bad := []func(e map[string]any){
		func(e map[string]any) { e["metadata"].(map[string]any)["name"] = "library/v1" },
		func(e map[string]any) { e["metadata"].(map[string]any)["tags"] = []string{"crud:Book"} },
		func(e map[string]any) { delete(e["spec"].(map[string]any), "definition") },
		func(e map[string]any) { e["spec"].(map[string]any)["definition"] = map[string]any{"$text": ""} },
		func(e map[string]any) { e["spec"].(map[string]any)["owner"] = "a:b:c/d/e" },
	}
	for i, spoil := range bad {
		data, _ := json.Marshal(good)
		var e map[string]any
		_ = json.Unmarshal(data, &e)
		spoil(e)
		if report, ok := validateEntities(t, []map[string]any{e}); ok || !strings.HasPrefix(report, "invalid 0: ") {
			t.Errorf("spoiled entity %d passes:\n%s", i, report)
		}
	}
}

// TestRealAPIs exports the vendored googleapis slice to every target and
// has Backstage validate its entities.
func TestRealAPIs(t *testing.T) {
	services := realServices(t)
	docs := exportAll(t, services, Options{Target: Backstage, Owner: "group:default/googleapis", Lifecycle: "production"})
	if report, ok := validateEntities(t, entitiesOf(t, docs)); !ok {
		t.Fatalf("Backstage refuses entities:\n%s", report)
	}
	checks := plan(t, services, healthConfig(""))
	for _, target := range []string{Consul, Kubernetes} {
		docs := exportAll(t, services, Options{Target: target, Checks: checks, Defaults: DefaultCheckDefaults()})
		if len(docs) != len(services) {
			t.Errorf("%s: %d documents for %d services", target, len(docs), len(services))
		}
	}
}

// TestDeterministic: two exports give the same bytes, whatever the order
// of the services.
func TestDeterministic(t *testing.T) {
	services := exampleServices(t)
	reversed := slices.Clone(services)
	slices.Reverse(reversed)
	for _, target := range Targets {
		o := Options{Target: target, Lifecycle: "production", Defaults: DefaultCheckDefaults(), ServiceManifest: true}
		if target != Backstage {
			o.Checks = plan(t, services, healthConfig(targetsFile(t)))
		}
		var a, b bytes.Buffer
		if err := Write(&a, exportAll(t, services, o)); err != nil {
			t.Fatal(err)
		}
		if err := Write(&b, exportAll(t, reversed, o)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || a.Len() == 0 {
			t.Errorf("%s: two exports differ", target)
		}
	}
}

func TestErrors(t *testing.T) {
	services := exampleServices(t)
	noOwner := *services[0]
	noOwner.Owner = ""
	noHealth := *services[0]
	noHealth.Health = nil
	long := *services[0]
	long.Name = "google.ads.googleads.v17.services.ConversionValueRuleSetServiceWithALongName"
	digit := *services[0]
	digit.Name = "1x.Service"
	for _, tc := range []struct {
		name     string
		services []*registration.Service
		o        Options
		want     string
	}{
		{"unknown target", services, Options{Target: "nomad"}, `unknown target "nomad": want one of backstage, consul, kubernetes`},
		{"no owner", []*registration.Service{&noOwner}, Options{Target: Backstage, Lifecycle: "production"}, "service identity.v1.UserService: no owner: the registration gives none; give --owner"},
		{"no lifecycle", services[:1], Options{Target: Backstage}, "service identity.v1.UserService: no lifecycle"},
		{"bad owner", []*registration.Service{&noOwner}, Options{Target: Backstage, Lifecycle: "production", Owner: "Team Identity"}, `service identity.v1.UserService: owner "Team Identity" is not a Backstage entity reference`},
		{"long entity name", []*registration.Service{&long}, Options{Target: Backstage, Lifecycle: "production"}, "service " + long.Name + ": entity name"},
		{"long DNS name", []*registration.Service{&long}, Options{Target: Kubernetes, Checks: &Checks{}}, "service " + long.Name + `: name "google-ads-googleads-v17-services-conversionvaluerulesetservicewithalongname" is 76 characters long`},
		{"digit first", []*registration.Service{&digit}, Options{Target: Consul, Checks: &Checks{}}, `service 1x.Service: name "1x-service" does not start with a letter`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := Export(tc.services, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || docs != nil {
				t.Errorf("got %v, %d documents; want an error with %q", err, len(docs), tc.want)
			}
		})
	}
	if _, err := Plan([]*registration.Service{&noHealth}, healthConfig("")); err == nil || !strings.Contains(err.Error(), "service identity.v1.UserService: the registration has no health facts") {
		t.Errorf("no health: %v", err)
	}
	c := healthConfig("")
	c.Addr, c.HTTPAddr = "unix:/run/lib.sock", ""
	if _, err := Export(services[:1], Options{Target: Consul, Checks: plan(t, services[:1], c), Defaults: DefaultCheckDefaults()}); err == nil || !strings.Contains(err.Error(), "service identity.v1.UserService: grpc check address unix:/run/lib.sock: want host:port") {
		t.Errorf("unix socket: %v", err)
	}
}

// TestCollisions: two services whose names the rules make one are an
// error naming both.
func TestCollisions(t *testing.T) {
	a := *exampleServices(t)[0]
	b, c := a, a
	b.Name = "identity_v1.UserService" // one DNS label with identity.v1.UserService
	c.Name = "identity.v1.userservice" // one Backstage name, without case
	checks := plan(t, []*registration.Service{&a, &b}, healthConfig(""))
	if _, err := Export([]*registration.Service{&a, &b}, Options{Target: Consul, Checks: checks, Defaults: DefaultCheckDefaults()}); err == nil ||
		!strings.Contains(err.Error(), "services identity.v1.UserService and identity_v1.UserService both map to the name of identity-v1-userservice.json") {
		t.Errorf("consul: %v", err)
	}
	if _, err := Export([]*registration.Service{&a, &c}, Options{Target: Backstage, Lifecycle: "production"}); err == nil ||
		!strings.Contains(err.Error(), "services identity.v1.UserService and identity.v1.userservice both map to the name of identity.v1.userservice.catalog-info.yaml") {
		t.Errorf("backstage: %v", err)
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ in, dns, entity string }{
		{"library.v1.LibraryService", "library-v1-libraryservice", "library.v1.LibraryService"},
		{"library.example.com/Book", "library-example-com-book", "library.example.com-Book"},
		{"_private.v1._Svc_", "private-v1-svc", "private.v1._Svc"},
	} {
		if got, err := DNSLabel(tc.in, false); got != tc.dns || err != nil {
			t.Errorf("DNSLabel(%q) = %q, %v; want %q", tc.in, got, err, tc.dns)
		}
		if got, err := EntityName(tc.in, false); got != tc.entity || err != nil {
			t.Errorf("EntityName(%q) = %q, %v; want %q", tc.in, got, err, tc.entity)
		}
	}
	const ads = "google.ads.googleads.v22.services.AutomaticallyCreatedAssetRemovalService"
	if got, err := DNSLabel(ads, true); got != "googleads-v22-services-automaticallycreatedassetremovalservice" || err != nil {
		t.Errorf("DNSLabel(%q, shorten) = %q, %v", ads, got, err)
	}
	if got, err := EntityName(ads, true); got != "googleads.v22.services.AutomaticallyCreatedAssetRemovalService" || err != nil {
		t.Errorf("EntityName(%q, shorten) = %q, %v", ads, got, err)
	}
	if _, err := DNSLabel("a."+strings.Repeat("b", 64), true); err == nil || !strings.Contains(err.Error(), "even with --shorten-names") {
		t.Errorf("a name whose last component is too long: %v", err)
	}
	got := Tags([]string{"crud:library.example.com/Book", "user_mgmt", "C++ API", "", "Streaming", "streaming", strings.Repeat("a", 70) + "-b"}, Backstage)
	want := []string{strings.Repeat("a", 63), "c++-api", "crud-library-example-com-book", "streaming", "user-mgmt"}
	if !slices.Equal(got, want) {
		t.Errorf("Backstage tags %q, want %q", got, want)
	}
	if got := Tags([]string{"C++ API"}, Consul); !slices.Equal(got, []string{"c-api"}) {
		t.Errorf("Consul tags %q", got)
	}
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	docs := []Document{{Service: "a.v1.A", File: "a.json", Data: []byte("{}\n")}, {Service: "b.v1.B", File: "b.json", Data: []byte("[]\n")}}
	if err := WriteDir(dir, docs); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"a.json", "b.json"}) {
		t.Errorf("files %v", names)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "b.json")); string(data) != "[]\n" {
		t.Errorf("b.json %q", data)
	}
}
