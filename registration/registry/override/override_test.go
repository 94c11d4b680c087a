package override

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

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

func healthRegistered() *registry.Registered {
	return registry.NewRegistered(healthService(), healthpb.File_grpc_health_v1_health_proto.Services().ByName("Health"), "google.golang.org/grpc/health/grpc_health_v1")
}

func other(name string) *registry.Registered {
	return registry.NewRegistered(&registration.Service{Name: name, Package: "x.v1", File: "x/v1/x.proto", Methods: []*registration.Method{}}, nil, "")
}

func writeOverride(t *testing.T, doc *registration.Registration) string {
	t.Helper()
	data, err := codec.Marshal(doc, codec.YAML)
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
	base, err := registry.New(compiled, other("a.v1.A"))
	if err != nil {
		t.Fatal(err)
	}

	override := healthService()
	override.Health.HTTPPath = "/status"
	override.Methods = override.Methods[:2] // leaving a method out is allowed
	reg, err := Apply(base, writeOverride(t, &registration.Registration{Format: registration.Format, Files: []string{}, Services: []*registration.Service{override}}))
	if err != nil {
		t.Fatalf("valid override: %v", err)
	}
	got, _ := reg.Lookup("grpc.health.v1.Health")
	if got.Service().Health.HTTPPath != "/status" || got.Descriptor() != compiled.Descriptor() || got.GoImportPath() != compiled.GoImportPath() {
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
		{"unknown_service", yamlOf(t, other("z.v1.Z").Service()), "service z.v1.Z is not compiled into this program"},
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
			reg, err := Apply(base, path)
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
		reg, err := Apply(base, filepath.Join(t.TempDir(), "none.json"))
		if !errors.Is(err, fs.ErrNotExist) || reg == nil || reg.Len() != 2 {
			t.Errorf("got %v and %v; want an error wrapping fs.ErrNotExist and the compiled registrations", reg, err)
		}
	})
	t.Run("no_override", func(t *testing.T) {
		reg, err := Apply(base, "")
		if err != nil || reg.Len() != 2 {
			t.Errorf("got %d services and %v; want the compiled ones", reg.Len(), err)
		}
	})
}

func yamlOf(t *testing.T, services ...*registration.Service) string {
	t.Helper()
	data, err := codec.Marshal(&registration.Registration{Format: registration.Format, Files: []string{}, Services: services}, codec.YAML)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
