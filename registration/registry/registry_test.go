package registry

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// The tests use grpc.health.v1.Health, a real service with a real
// descriptor and generated gRPC code: Check and List are unary, Watch is
// server streaming.

func healthService() *registration.Service {
	return &registration.Service{
		Name: "grpc.health.v1.Health", Package: "grpc.health.v1", File: "grpc/health/v1/health.proto",
		Methods: []*registration.Method{
			{Name: "Check", FullName: "grpc.health.v1.Health.Check", InputType: "grpc.health.v1.HealthCheckRequest", OutputType: "grpc.health.v1.HealthCheckResponse", Streaming: "unary", Kind: "custom"},
			{Name: "List", FullName: "grpc.health.v1.Health.List", InputType: "grpc.health.v1.HealthListRequest", OutputType: "grpc.health.v1.HealthListResponse", Streaming: "unary", Kind: "list"},
			{Name: "Watch", FullName: "grpc.health.v1.Health.Watch", InputType: "grpc.health.v1.HealthCheckRequest", OutputType: "grpc.health.v1.HealthCheckResponse", Streaming: "server", Kind: "watch"},
		},
		Health: &registration.Health{GRPCService: "grpc.health.v1.Health", HTTPPath: "/healthz", Source: "inferred"},
	}
}

func healthRegistered() *Registered {
	return &Registered{
		Service:      healthService(),
		Descriptor:   healthpb.File_grpc_health_v1_health_proto.Services().ByName("Health"),
		GoImportPath: "google.golang.org/grpc/health/grpc_health_v1",
	}
}

func other(name string) *Registered {
	return &Registered{Service: &registration.Service{Name: name, Package: "x.v1", File: "x/v1/x.proto", Methods: []*registration.Method{}}}
}

func TestRegistry(t *testing.T) {
	r := new(Registry)
	for _, name := range []string{"b.v1.B", "a.v1.A", "c.v1.C"} {
		if err := r.Register(other(name)); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for _, reg := range r.List() {
		names = append(names, reg.Name())
	}
	if diff := cmp.Diff([]string{"a.v1.A", "b.v1.B", "c.v1.C"}, names); diff != "" {
		t.Errorf("List order (-want +got):\n%s", diff)
	}
	// Range stops when asked and sees the same order; registering from
	// inside it does not deadlock.
	names = nil
	r.Range(func(reg *Registered) bool {
		names = append(names, reg.Name())
		if len(names) == 1 {
			r.MustRegister(other("d.v1.D"))
		}
		return len(names) < 2
	})
	if diff := cmp.Diff([]string{"a.v1.A", "b.v1.B"}, names); diff != "" {
		t.Errorf("Range (-want +got):\n%s", diff)
	}
	if got, ok := r.Lookup("b.v1.B"); !ok || got.Name() != "b.v1.B" {
		t.Errorf("Lookup(b.v1.B) = %v, %v", got, ok)
	}
	if _, ok := r.Lookup("nope.v1.N"); ok {
		t.Error("Lookup found an unregistered service")
	}
	if r.Len() != 4 {
		t.Errorf("Len = %d, want 4", r.Len())
	}
	doc := r.Registration()
	if diff := cmp.Diff([]string{"x/v1/x.proto"}, doc.Files); diff != "" || len(doc.Services) != 4 || doc.Services[3].Name != "d.v1.D" {
		t.Errorf("Registration: files %v, %d services; want one file and four services in name order", doc.Files, len(doc.Services))
	}
}

func TestRegisterErrors(t *testing.T) {
	health := healthRegistered()
	mislinked := healthRegistered()
	mislinked.Service.Name = "grpc.health.v1.Other"
	tests := []struct {
		name string
		reg  *Registered
		want string
	}{
		{"nil", nil, "registry: nil registration"},
		{"no_service", &Registered{GoImportPath: "example.com/p"}, "registry: registration from example.com/p has no service"},
		{"no_name", &Registered{Service: &registration.Service{}}, "registry: registration from an unknown package has a service without a name"},
		{"mislinked", mislinked, "registry: registration of grpc.health.v1.Other is linked to the descriptor of grpc.health.v1.Health"},
		{"duplicate", &Registered{Service: healthService(), GoImportPath: "example.com/copy"}, "registry: registration conflict: service grpc.health.v1.Health is registered twice\n" +
			"\tprevious: google.golang.org/grpc/health/grpc_health_v1 (grpc/health/v1/health.proto)\n" +
			"\tcurrent:  example.com/copy (grpc/health/v1/health.proto)\n" +
			"Every service must be generated into one Go package only; a program that links two copies of the same protos cannot tell them apart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(health)
			if err != nil {
				t.Fatal(err)
			}
			err = r.Register(tt.reg)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Register: got %v\nwant %s", err, tt.want)
			}
			defer func() {
				if p := recover(); p == nil || p.(error).Error() != tt.want {
					t.Errorf("MustRegister panicked with %v, want %s", p, tt.want)
				}
			}()
			r.MustRegister(tt.reg)
		})
	}
}

// servedHealth returns a gRPC server serving desc, a copy of
// grpc.health.v1.Health's service description changed by edit.
func servedHealth(t *testing.T, edit func(*grpc.ServiceDesc)) *grpc.Server {
	t.Helper()
	desc := healthpb.Health_ServiceDesc
	desc.Methods = append([]grpc.MethodDesc(nil), desc.Methods...)
	desc.Streams = append([]grpc.StreamDesc(nil), desc.Streams...)
	if edit != nil {
		edit(&desc)
	}
	s := grpc.NewServer()
	s.RegisterService(&desc, health.NewServer())
	return s
}

func TestValidate(t *testing.T) {
	dropList := func(s *registration.Service) { s.Methods = []*registration.Method{s.Methods[0], s.Methods[2]} }
	withoutDescriptor := func(edit func(*registration.Service)) *Registered {
		reg := &Registered{Service: healthService()}
		edit(reg.Service)
		return reg
	}
	tests := []struct {
		name   string
		reg    *Registered
		server *grpc.Server
		want   string // the whole error; empty for none
	}{
		{name: "match", reg: healthRegistered(), server: servedHealth(t, nil)},
		{
			name: "missing_service", reg: healthRegistered(), server: grpc.NewServer(),
			want: "registry: the server does not serve what is registered: 1 problem\n\tservice grpc.health.v1.Health is registered but not served",
		},
		{
			name: "missing_method", reg: healthRegistered(),
			server: servedHealth(t, func(d *grpc.ServiceDesc) { d.Methods = d.Methods[:1] }),
			want:   "registry: the server does not serve what is registered: 1 problem\n\tmethod grpc.health.v1.Health.List is registered but not served",
		},
		{
			// The registration leaves List out, but the descriptor has it:
			// an excluded method that the generated code serves anyway.
			name: "excluded_method", server: servedHealth(t, nil),
			reg: &Registered{Service: withoutDescriptor(dropList).Service, Descriptor: healthRegistered().Descriptor},
		},
		{
			name: "extra_method", server: servedHealth(t, nil),
			reg:  withoutDescriptor(dropList),
			want: "registry: the server does not serve what is registered: 1 problem\n\tmethod grpc.health.v1.Health.List is served but not in the registration",
		},
		{
			// The served service's descriptor says the message types, as
			// server reflection would.
			name: "types", server: servedHealth(t, nil),
			reg: withoutDescriptor(func(s *registration.Service) {
				s.Methods[0].InputType = "grpc.health.v1.HealthListRequest"
				s.Methods[2].OutputType = "grpc.health.v1.HealthListResponse"
			}),
			want: "registry: the server does not serve what is registered: 2 problems\n" +
				"\tmethod grpc.health.v1.Health.Check is registered with request type grpc.health.v1.HealthListRequest but served with grpc.health.v1.HealthCheckRequest\n" +
				"\tmethod grpc.health.v1.Health.Watch is registered with response type grpc.health.v1.HealthListResponse but served with grpc.health.v1.HealthCheckResponse",
		},
		{
			name: "streaming_and_more", server: servedHealth(t, func(d *grpc.ServiceDesc) {
				d.Methods = d.Methods[1:]
				d.Streams[0].ClientStreams = true
			}),
			reg: healthRegistered(),
			want: "registry: the server does not serve what is registered: 2 problems\n" +
				"\tmethod grpc.health.v1.Health.Check is registered but not served\n" +
				"\tmethod grpc.health.v1.Health.Watch is registered as server but served as bidi",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(tt.reg)
			if err != nil {
				t.Fatal(err)
			}
			err = r.Validate(tt.server)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Validate:\n got: %v\nwant: %s", err, tt.want)
			}
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Fatalf("Validate returned %T, want a *ValidationError with problems", err)
			}
		})
	}
}

func TestValidateProblems(t *testing.T) {
	r, _ := New(healthRegistered())
	err := r.Validate(servedHealth(t, func(d *grpc.ServiceDesc) { d.Streams[0].ServerStreams = false; d.Streams[0].ClientStreams = true }))
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Validate: %v, want a *ValidationError", err)
	}
	want := []Problem{{Kind: StreamingMismatch, Service: "grpc.health.v1.Health", Method: "Watch", Want: "server", Got: "client"}}
	if diff := cmp.Diff(want, verr.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func writeOverride(t *testing.T, doc *registration.Registration) string {
	t.Helper()
	data, err := registration.Marshal(doc, registration.YAML)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "override.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBootstrap(t *testing.T) {
	compiled := healthRegistered()
	base, err := New(compiled, other("a.v1.A"))
	if err != nil {
		t.Fatal(err)
	}

	override := healthService()
	override.Health.HTTPPath = "/status"
	override.Methods = override.Methods[:2] // leaving a method out is allowed
	reg, err := base.Bootstrap(writeOverride(t, &registration.Registration{Format: registration.Format, Files: []string{}, Services: []*registration.Service{override}}))
	if err != nil {
		t.Fatalf("valid override: %v", err)
	}
	got, _ := reg.Lookup("grpc.health.v1.Health")
	if got.Service.Health.HTTPPath != "/status" || got.Descriptor != compiled.Descriptor || got.GoImportPath != compiled.GoImportPath {
		t.Errorf("override not applied or descriptor lost: %+v", got)
	}
	if reg.Len() != 2 {
		t.Errorf("Bootstrap lost services: %d, want 2", reg.Len())
	}
	if kept, _ := base.Lookup("grpc.health.v1.Health"); kept != compiled {
		t.Error("Bootstrap changed the registry it started from")
	}

	badStreaming := healthService()
	badStreaming.Methods[2].Streaming = "bidi"
	unknownMethod := healthService()
	unknownMethod.Methods = append(unknownMethod.Methods, &registration.Method{Name: "Probe", FullName: "grpc.health.v1.Health.Probe", InputType: "a", OutputType: "b", Streaming: "unary", Kind: "custom"})
	const prefix = "registry: override %s not applied, keeping the compiled registrations: "
	tests := []struct {
		name    string
		content string
		want    string // after the prefix
	}{
		{"not_json", "{nope", "PATH: invalid character 'n' looking for beginning of object key string"},
		{"wrong_type", `{"format": "registration.v1", "files": [], "services": [{"name": 3}]}`, "PATH: json: cannot unmarshal number into Go struct field Service.services.name of type string"},
		{"schema", "format: registration.v1\nfiles: []\nservices:\n  - name: a.v1.A\n", "does not match the registration schema: "},
		{"unknown_service", yamlOf(t, other("z.v1.Z").Service), "service z.v1.Z is not compiled into this program"},
		{"streaming", yamlOf(t, badStreaming), "method grpc.health.v1.Health.Watch: override says bidi grpc.health.v1.HealthCheckRequest -> grpc.health.v1.HealthCheckResponse, compiled is server grpc.health.v1.HealthCheckRequest -> grpc.health.v1.HealthCheckResponse"},
		{"unknown_method", yamlOf(t, unknownMethod), "method grpc.health.v1.Health.Probe is not compiled into this program"},
		{"twice", yamlOf(t, healthService(), healthService()), "service grpc.health.v1.Health is listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "override.yaml")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			reg, err := base.Bootstrap(path)
			want := strings.Replace(prefix, "%s", path, 1) + strings.Replace(tt.want, "PATH", path, 1)
			if err == nil || !strings.HasPrefix(err.Error(), want) || (!strings.HasSuffix(tt.want, ": ") && err.Error() != want) {
				t.Errorf("error:\n got: %v\nwant: %s", err, want)
			}
			if got, _ := reg.Lookup("grpc.health.v1.Health"); got != compiled || reg.Len() != 2 {
				t.Errorf("an invalid override changed the registry")
			}
		})
	}

	t.Run("missing_file", func(t *testing.T) {
		reg, err := base.Bootstrap(filepath.Join(t.TempDir(), "none.json"))
		if !errors.Is(err, fs.ErrNotExist) || reg == nil || reg.Len() != 2 {
			t.Errorf("got %v and %v; want an error wrapping fs.ErrNotExist and the compiled registrations", reg, err)
		}
	})
	t.Run("no_override", func(t *testing.T) {
		reg, err := base.Bootstrap("")
		if err != nil || reg.Len() != 2 {
			t.Errorf("got %d services and %v; want the compiled ones", reg.Len(), err)
		}
	})
}

func yamlOf(t *testing.T, services ...*registration.Service) string {
	t.Helper()
	data, err := registration.Marshal(&registration.Registration{Format: registration.Format, Files: []string{}, Services: services}, registration.YAML)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestHandler(t *testing.T) {
	r, err := New(healthRegistered(), other("a.v1.A"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/debug/registry", r.Handler()))
	defer srv.Close()
	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}

	code, body := get("/debug/registry/registration")
	want, _ := registration.Marshal(r.Registration(), registration.JSON)
	if code != http.StatusOK || string(body) != string(want) {
		t.Errorf("/registration: %d\n%s\nwant 200 and\n%s", code, body, want)
	}
	if err := schema.Validate(body); err != nil {
		t.Errorf("/registration does not match the schema: %v", err)
	}

	code, body = get("/debug/registry/")
	var index struct {
		Registration json.RawMessage `json:"registration"`
		Runtime      RuntimeStats    `json:"runtime"`
	}
	if err := json.Unmarshal(body, &index); code != http.StatusOK || err != nil {
		t.Fatalf("/: %d, %v\n%s", code, err, body)
	}
	if err := schema.Validate(index.Registration); err != nil {
		t.Errorf("/ registration does not match the schema: %v", err)
	}
	if rt := index.Runtime; rt.Goroutines < 1 || rt.Memory.HeapAlloc == 0 || rt.Memory.Sys == 0 || rt.GoVersion == "" || rt.GOMAXPROCS < 1 {
		t.Errorf("/ runtime statistics look empty: %+v", rt)
	}

	code, body = get("/debug/registry/runtime")
	var rt map[string]any
	if err := json.Unmarshal(body, &rt); code != http.StatusOK || err != nil {
		t.Fatalf("/runtime: %d, %v\n%s", code, err, body)
	}
	for _, key := range []string{"goroutines", "memory", "gc", "go_version", "uptime_seconds"} {
		if _, ok := rt[key]; !ok {
			t.Errorf("/runtime has no %q: %s", key, body)
		}
	}
	gc := rt["gc"].(map[string]any)
	for _, key := range []string{"num_gc", "pause_total_ns", "last_pause_ns", "last_gc", "next_gc_bytes"} {
		if _, ok := gc[key]; !ok {
			t.Errorf("/runtime gc has no %q: %s", key, body)
		}
	}

	if code, _ := get("/debug/registry/nope"); code != http.StatusNotFound {
		t.Errorf("/nope: %d, want 404", code)
	}
	resp, err := http.Post(srv.URL+"/debug/registry/", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", resp.StatusCode)
	}
}
