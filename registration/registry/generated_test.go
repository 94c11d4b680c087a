package registry

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// generatedHealth is grpc.health.v1.Health as generated code declares it,
// generated from a service with methods; builds counts the registrations
// built.
func generatedHealth(goImportPath string, builds *atomic.Int32, methods ...string) *Registered {
	return NewGenerated(Generated{
		Name:         "grpc.health.v1.Health",
		GoImportPath: goImportPath,
		File:         func() protoreflect.FileDescriptor { return healthpb.File_grpc_health_v1_health_proto },
		Methods:      methods,
		Build: func() *registration.Service {
			builds.Add(1)
			return healthService()
		},
	})
}

// TestGeneratedLazy: registering builds nothing; the registration is built
// once, however many goroutines ask for it, and each gets its own copy.
func TestGeneratedLazy(t *testing.T) {
	var builds atomic.Int32
	reg := generatedHealth("example.com/health", &builds, "Check", "List", "Watch")
	r, err := New(reg)
	if err != nil {
		t.Fatal(err)
	}
	if n := builds.Load(); n != 0 {
		t.Fatalf("registering built the registration %d times", n)
	}
	if d := reg.Descriptor(); d != healthDescriptor {
		t.Errorf("Descriptor = %v, want protoc-gen-go's", d)
	}
	var wg sync.WaitGroup
	copies := make([]*registration.Service, 8)
	for i := range copies {
		wg.Go(func() { copies[i] = reg.Service() })
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("built %d times, want once", n)
	}
	copies[0].Methods[0].Name = "Changed"
	if diff := cmp.Diff(healthService(), copies[1]); diff != "" || copies[0] == copies[1] {
		t.Errorf("copies are shared or differ (-want +got):\n%s", diff)
	}
	if err := r.Validate(servedHealth(t, nil)); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// TestStale: a registration generated for other methods than the linked
// descriptor has is refused by Register, and follows the conflict policy
// in RegisterGenerated.
func TestStale(t *testing.T) {
	var builds atomic.Int32
	stale := generatedHealth("example.com/health", &builds, "Check", "Watch")
	err := new(Registry).Register(stale)
	const want = "registry: stale registration: grpc.health.v1.Health in example.com/health was generated for methods [Check Watch], but the linked descriptor has methods [Check List Watch]; generate the package's .registration.go files again with its .pb.go files"
	var serr *StaleError
	if !errors.Is(err, ErrStale) || !errors.As(err, &serr) || err.Error() != want {
		t.Fatalf("Register: %v\nwant %s", err, want)
	}
	if diff := cmp.Diff([]string{"Check", "List", "Watch"}, serr.Linked); diff != "" {
		t.Errorf("Linked (-want +got):\n%s", diff)
	}
	// Renamed, same count.
	if err := new(Registry).Register(generatedHealth("", &builds, "Check", "Lists", "Watch")); !errors.Is(err, ErrStale) {
		t.Errorf("a renamed method: %v, want ErrStale", err)
	}
	// Under warn it is registered as it is, with a warning.
	t.Setenv(ConflictPolicyEnv, "warn")
	out := captureWarnings(t)
	r := new(Registry)
	r.RegisterGenerated(stale)
	if _, ok := r.Lookup("grpc.health.v1.Health"); !ok || !strings.Contains(out.String(), "WARNING: "+want) {
		t.Errorf("warn: registered %v, warned %q", ok, out.String())
	}
	if builds.Load() != 0 {
		t.Error("checking built the registration")
	}
}

func captureWarnings(t *testing.T) *bytes.Buffer {
	var b bytes.Buffer
	saved := warnings
	warnings = &b
	t.Cleanup(func() { warnings = saved })
	return &b
}

// TestConflictPolicy registers a second Health from generated code under
// each value of GOLANG_PROTOBUF_REGISTRATION_CONFLICT.
func TestConflictPolicy(t *testing.T) {
	var builds atomic.Int32
	first := generatedHealth("example.com/first", &builds, "Check", "List", "Watch")
	second := generatedHealth("example.com/second", &builds, "Check", "List", "Watch")
	const msg = "registry: registration conflict: service grpc.health.v1.Health is registered twice\n" +
		"\tprevious: example.com/first (grpc/health/v1/health.proto)\n" +
		"\tcurrent:  example.com/second (grpc/health/v1/health.proto)\n" +
		"Every service must be generated into one Go package only; a program that links two copies of the same protos cannot tell them apart"
	tests := []struct {
		policy string
		panics string // the panic's message; empty for none
		warns  bool
	}{
		{policy: "", panics: msg},
		{policy: "panic", panics: msg},
		{policy: "warn", warns: true},
		{policy: "ignore"},
		{policy: "sometimes", panics: `invalid GOLANG_PROTOBUF_REGISTRATION_CONFLICT value "sometimes": ` + msg},
	}
	for _, tt := range tests {
		t.Run("policy_"+tt.policy, func(t *testing.T) {
			t.Setenv(ConflictPolicyEnv, tt.policy)
			out := captureWarnings(t)
			r, err := New(first)
			if err != nil {
				t.Fatal(err)
			}
			var panicked any
			func() {
				defer func() { panicked = recover() }()
				r.RegisterGenerated(second)
			}()
			if got := fmt.Sprint(panicked); (panicked != nil || tt.panics != "") && got != tt.panics {
				t.Errorf("panic:\n got: %v\nwant: %s", got, tt.panics)
			}
			if err, ok := panicked.(error); ok && !errors.Is(err, ErrConflict) {
				t.Errorf("panicked with %T, not an ErrConflict", err)
			}
			if got, want := out.String(), "WARNING: "+msg+"\n\n"; tt.warns != (got == want) || (!tt.warns && got != "") {
				t.Errorf("warned %q", got)
			}
			if got, _ := r.Lookup("grpc.health.v1.Health"); got != first {
				t.Error("the first registration was not kept")
			}
		})
	}
	// Register itself returns the typed error whatever the policy.
	t.Setenv(ConflictPolicyEnv, "ignore")
	r, _ := New(first)
	err := r.Register(second)
	var cerr *ConflictError
	if !errors.As(err, &cerr) || cerr.Previous != first || cerr.Current != second || !errors.Is(err, ErrConflict) {
		t.Errorf("Register: %#v, want a *ConflictError with both sides", err)
	}
}
