package registry

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

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

var healthDescriptor = healthpb.File_grpc_health_v1_health_proto.Services().ByName("Health")

func healthRegistered() *Registered {
	return NewRegistered(healthService(), healthDescriptor, "google.golang.org/grpc/health/grpc_health_v1")
}

func other(name string) *Registered {
	return NewRegistered(&registration.Service{Name: name, Package: "x.v1", File: "x/v1/x.proto", Methods: []*registration.Method{}}, nil, "")
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
			if err := r.Register(other("d.v1.D")); err != nil {
				t.Error(err)
			}
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
	renamed := healthService()
	renamed.Name = "grpc.health.v1.Other"
	tests := []struct {
		name string
		reg  *Registered
		want string
	}{
		{"nil", nil, "registry: nil registration"},
		{"no_service", NewRegistered(nil, nil, "example.com/p"), "registry: registration from example.com/p has no service"},
		{"no_name", NewRegistered(&registration.Service{}, nil, ""), "registry: registration from an unknown package has a service without a name"},
		{"mislinked", NewRegistered(renamed, healthDescriptor, ""), "registry: registration of grpc.health.v1.Other is linked to the descriptor of grpc.health.v1.Health"},
		{"duplicate", NewRegistered(healthService(), nil, "example.com/copy"), "registry: registration conflict: service grpc.health.v1.Health is registered twice\n" +
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
			if got, want := errors.Is(err, ErrConflict), tt.name == "duplicate"; got != want {
				t.Errorf("errors.Is(err, ErrConflict) = %v, want %v", got, want)
			}
			// Generated code's init panics on every one of them under the
			// default policy.
			defer func() {
				p := recover()
				if err, ok := p.(error); !ok || err.Error() != tt.want {
					t.Errorf("RegisterGenerated panicked with %v, want %s", p, tt.want)
				}
			}()
			r.RegisterGenerated(tt.reg)
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

// servedWith returns a gRPC server serving grpc.health.v1.Health, server
// reflection (gRPC's own, never required to have a registration) and a
// service of each of names with one unary method, Do.
func servedWith(t *testing.T, names ...string) *grpc.Server {
	t.Helper()
	s := servedHealth(t, nil)
	reflection.Register(s)
	for _, name := range names {
		s.RegisterService(&grpc.ServiceDesc{
			ServiceName: name,
			HandlerType: (*any)(nil),
			Methods: []grpc.MethodDesc{{MethodName: "Do", Handler: func(any, context.Context, func(any) error, grpc.UnaryServerInterceptor) (any, error) {
				return nil, nil
			}}},
		}, struct{}{})
	}
	return s
}

func TestValidate(t *testing.T) {
	dropList := func(s *registration.Service) { s.Methods = []*registration.Method{s.Methods[0], s.Methods[2]} }
	edited := func(edit func(*registration.Service)) *registration.Service {
		s := healthService()
		edit(s)
		return s
	}
	withoutDescriptor := func(edit func(*registration.Service)) *Registered {
		return NewRegistered(edited(edit), nil, "")
	}
	tests := []struct {
		name   string
		reg    *Registered
		server *grpc.Server
		want   string // the whole error; empty for none
	}{
		{name: "match", reg: healthRegistered(), server: servedHealth(t, nil)},
		// A registered service that is not served is no problem: its Go
		// package may be linked for its messages only.
		{name: "not_served", reg: healthRegistered(), server: grpc.NewServer()},
		{
			name: "unregistered_service", reg: healthRegistered(), server: servedWith(t, "x.v1.Unregistered"),
			want: "registry: the server does not serve what its registrations say: 1 problem\n\tservice x.v1.Unregistered is served but has no registration",
		},
		{
			name: "missing_method", reg: healthRegistered(),
			server: servedHealth(t, func(d *grpc.ServiceDesc) { d.Methods = d.Methods[:1] }),
			want:   "registry: the server does not serve what its registrations say: 1 problem\n\tmethod grpc.health.v1.Health.List is registered but not served",
		},
		{
			// The registration leaves List out, but the descriptor has it:
			// an excluded method that the generated code serves anyway.
			name: "excluded_method", server: servedHealth(t, nil),
			reg: NewRegistered(edited(dropList), healthDescriptor, ""),
		},
		{
			name: "extra_method", server: servedHealth(t, nil),
			reg:  withoutDescriptor(dropList),
			want: "registry: the server does not serve what its registrations say: 1 problem\n\tmethod grpc.health.v1.Health.List is served but not in the registration",
		},
		{
			// The served service's descriptor says the message types, as
			// server reflection would.
			name: "types", server: servedHealth(t, nil),
			reg: withoutDescriptor(func(s *registration.Service) {
				s.Methods[0].InputType = "grpc.health.v1.HealthListRequest"
				s.Methods[2].OutputType = "grpc.health.v1.HealthListResponse"
			}),
			want: "registry: the server does not serve what its registrations say: 2 problems\n" +
				"\tmethod grpc.health.v1.Health.Check is registered with request type grpc.health.v1.HealthListRequest but served with grpc.health.v1.HealthCheckRequest\n" +
				"\tmethod grpc.health.v1.Health.Watch is registered with response type grpc.health.v1.HealthListResponse but served with grpc.health.v1.HealthCheckResponse",
		},
		{
			name: "streaming_and_more", server: servedHealth(t, func(d *grpc.ServiceDesc) {
				d.Methods = d.Methods[1:]
				d.Streams[0].ClientStreams = true
			}),
			reg: healthRegistered(),
			want: "registry: the server does not serve what its registrations say: 2 problems\n" +
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
	want := registration.AppendJSON(nil, r.Registration())
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
