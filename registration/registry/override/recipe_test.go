package override_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	identityv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/identity/v1"
	libraryv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/library/v1"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/override"
)

// This test package imports the example's library package and not its
// identity package: library's messages import identity's, so identity is
// linked, and registers its services, all the same. It is the app of
// issue 14, which serves LibraryService only.

// TestRecipe runs the README's start-up recipe on a real gRPC server that
// serves LibraryService, health and reflection: it passes, although
// identity.v1.AuthService and identity.v1.UserService are registered and
// not served.
func TestRecipe(t *testing.T) {
	for _, name := range []string{"identity.v1.AuthService", "identity.v1.UserService"} {
		if _, ok := registry.Lookup(name); !ok {
			t.Fatalf("%s is not registered: the premise of the test, that importing library links identity, is gone", name)
		}
	}
	srv := grpc.NewServer()
	libraryv1.RegisterLibraryServiceServer(srv, libraryv1.UnimplementedLibraryServiceServer{})
	healthpb.RegisterHealthServer(srv, health.NewServer())
	reflection.Register(srv)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	defer srv.Stop()

	// The recipe.
	reg, err := override.Bootstrap("")
	if err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	if err := reg.Validate(srv); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	var served []string
	for _, r := range reg.Served(srv).List() {
		served = append(served, r.Name())
	}
	if diff := cmp.Diff([]string{"library.v1.LibraryService"}, served); diff != "" {
		t.Errorf("Served (-want +got):\n%s", diff)
	}

	// The server is real: it answers.
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("health check: %v", err)
	}
}

// TestUnregisteredService serves a service that has no registration in the
// registry validated against: it is reported.
func TestUnregisteredService(t *testing.T) {
	reg, err := registry.New(libraryv1.LibraryServiceRegistration)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	libraryv1.RegisterLibraryServiceServer(srv, libraryv1.UnimplementedLibraryServiceServer{})
	identityv1.RegisterUserServiceServer(srv, identityv1.UnimplementedUserServiceServer{})
	healthpb.RegisterHealthServer(srv, health.NewServer())
	err = reg.Validate(srv)
	var verr *registry.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Validate: %v, want a *ValidationError", err)
	}
	want := []registry.Problem{{Kind: registry.UnregisteredService, Service: "identity.v1.UserService"}}
	if diff := cmp.Diff(want, verr.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got, want := err.Error(), "registry: the server does not serve what its registrations say: 1 problem\n\tservice identity.v1.UserService is served but has no registration"; got != want {
		t.Errorf("error:\n got: %s\nwant: %s", got, want)
	}
}

var runs atomic.Int32

// TestReadOnly changes everything it is handed, through Bootstrap's result,
// while other goroutines register into Default and read from it: neither
// Default nor the generated value changes. Run with -race.
func TestReadOnly(t *testing.T) {
	const name = "library.v1.LibraryService"
	run := runs.Add(1) // the names registered into Default differ from run to run (-count)
	want := libraryv1.LibraryServiceRegistration.Service()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			reg, err := override.Bootstrap("")
			if err != nil {
				t.Error(err)
				return
			}
			got, _ := reg.Lookup(name)
			svc := got.Service()
			svc.Owner = "someone else"
			svc.Methods[0].Bindings[0].Path = "/changed"
			svc.Methods = svc.Methods[:1]
			doc := reg.Registration()
			for _, s := range doc.Services {
				s.Name, s.Capabilities = "changed", nil
			}
			if err := reg.Register(registry.NewRegistered(&registration.Service{Name: fmt.Sprintf("copy.v1.S%d", i)}, nil, "")); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			// Services registered while others read.
			if err := registry.Default.Register(registry.NewRegistered(&registration.Service{Name: fmt.Sprintf("default.v1.R%dS%d", run, i)}, nil, "")); err != nil {
				t.Error(err)
			}
			for _, r := range registry.List() {
				_ = r.Service().Name
			}
			if got, _ := registry.Lookup(name); got != libraryv1.LibraryServiceRegistration {
				t.Error("Default holds another value for", name)
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff(want, libraryv1.LibraryServiceRegistration.Service()); diff != "" {
		t.Errorf("the generated registration changed (-before +after):\n%s", diff)
	}
	got, _ := registry.Lookup(name)
	if diff := cmp.Diff(want, got.Service()); diff != "" {
		t.Errorf("Default's registration changed (-before +after):\n%s", diff)
	}
	if _, ok := registry.Lookup("copy.v1.S0"); ok {
		t.Error("registering into Bootstrap's result registered into Default")
	}
}
