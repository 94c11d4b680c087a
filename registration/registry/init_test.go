package registry_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	identityv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/identity/v1"
	libraryv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/library/v1"
	notifyv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/notify/v1"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// example are the example's generated registrations.
var example = []*registry.Registered{
	identityv1.AuthServiceRegistration,
	identityv1.UserServiceRegistration,
	libraryv1.LibraryServiceRegistration,
	notifyv1.NotificationServiceRegistration,
}

// BenchmarkInit compares, over the example's four services, what the
// generated init functions do now (lazy: make each value and register it,
// which checks its methods against the descriptor) with what they did
// before (eager: build every service's registration, the literals of
// _<Service>_Service, which lazy init leaves to first use).
func BenchmarkInit(b *testing.B) {
	type service struct {
		name, goImportPath string
		file               protoreflect.FileDescriptor
		methods            []string
	}
	var services []service
	for _, reg := range example {
		d := reg.Descriptor()
		s := service{name: reg.Name(), goImportPath: reg.GoImportPath(), file: d.ParentFile()}
		for i := range d.Methods().Len() {
			s.methods = append(s.methods, string(d.Methods().Get(i).Name()))
		}
		services = append(services, s)
	}
	b.Run("lazy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := new(registry.Registry)
			for _, s := range services {
				r.RegisterGenerated(registry.NewGenerated(registry.Generated{
					Name:         s.name,
					GoImportPath: s.goImportPath,
					File:         func() protoreflect.FileDescriptor { return s.file },
					// The generated var's slice literal is allocated at init too.
					Methods: append([]string(nil), s.methods...),
					Build:   func() *registration.Service { return nil },
				}))
			}
		}
	})
	b.Run("eager", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, reg := range example {
				registry.Build(reg)
			}
		}
	})
}

// TestInitCost builds and runs testdata/initcost, a program that imports
// the example's generated packages, and logs what their initialisation
// allocated and the binary's size (docs/go-output.md has the figures). It
// builds a program, so it runs with REGISTRATION_BENCH=1 only:
//
//	REGISTRATION_BENCH=1 go test ./registration/registry -run '^TestInitCost$' -v
func TestInitCost(t *testing.T) {
	if os.Getenv("REGISTRATION_BENCH") == "" {
		t.Skip("set REGISTRATION_BENCH=1 to build and measure testdata/initcost")
	}
	bin := filepath.Join(t.TempDir(), "initcost")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/initcost").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for range 3 {
		out, err := exec.Command(bin).CombinedOutput()
		if err != nil {
			t.Fatalf("initcost: %v\n%s", err, out)
		}
		t.Logf("%s", out)
	}
}
