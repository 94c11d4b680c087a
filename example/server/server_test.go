package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/reflect/protoreflect"

	identityv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/identity/v1"
	libraryv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/library/v1"
	notifyv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/notify/v1"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// The generated registrations, the descriptors protoc-gen-go generated for
// them and the registration files the plugin wrote for the same protos.
var generated = []struct {
	reg        *registry.Registered
	descriptor protoreflect.ServiceDescriptor
	json       string
}{
	{identityv1.AuthServiceRegistration, identityv1.File_identity_v1_identity_proto.Services().ByName("AuthService"), "identity/v1/identity.registration.json"},
	{identityv1.UserServiceRegistration, identityv1.File_identity_v1_identity_proto.Services().ByName("UserService"), "identity/v1/identity.registration.json"},
	{libraryv1.LibraryServiceRegistration, libraryv1.File_library_v1_library_proto.Services().ByName("LibraryService"), "library/v1/library.registration.json"},
	{notifyv1.NotificationServiceRegistration, notifyv1.File_notify_v1_notify_proto.Services().ByName("NotificationService"), "notify/v1/notify.registration.json"},
}

// TestGenerated checks that importing the generated packages registers
// every service into the default registry, in name order, linked to the
// exact descriptor protoc-gen-go generated, and holding the very
// registration that the JSON output has.
func TestGenerated(t *testing.T) {
	var names []string
	for _, r := range registry.List() {
		names = append(names, r.Name())
	}
	want := []string{"identity.v1.AuthService", "identity.v1.UserService", "library.v1.LibraryService", "notify.v1.NotificationService"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("registered services (-want +got):\n%s", diff)
	}
	for _, g := range generated {
		name := g.reg.Name()
		if got, ok := registry.Lookup(name); !ok || got != g.reg {
			t.Errorf("%s: Lookup gives %p, want the generated value %p", name, got, g.reg)
		}
		if d := g.reg.Descriptor(); d == nil || d != g.descriptor {
			t.Errorf("%s: descriptor %v is not protoc-gen-go's %v", name, d, g.descriptor)
		}
		data, err := os.ReadFile(filepath.Join("../gen/registration", g.json))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := codec.Unmarshal(g.json, data)
		if err != nil {
			t.Fatal(err)
		}
		var fromJSON *registration.Service
		for _, s := range doc.Services {
			if s.Name == name {
				fromJSON = s
			}
		}
		if diff := cmp.Diff(fromJSON, g.reg.Service()); diff != "" {
			t.Errorf("%s: generated Go value differs from %s (-json +go):\n%s", name, g.json, diff)
		}
	}
}

// serve starts s on a loopback port and returns a client connection to it.
func serve(t *testing.T, s *grpc.Server) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(lis) }()
	t.Cleanup(func() {
		s.Stop()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestServer starts the example API on loopback, validates it against the
// generated registrations, calls it, and reads the introspection handler.
func TestServer(t *testing.T) {
	s := grpc.NewServer()
	Register(s)
	var logs bytes.Buffer
	reg, err := Start(s, "", log.New(&logs, "", 0))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if logs.Len() > 0 {
		t.Errorf("Start logged %q with no override", logs.String())
	}
	conn := serve(t, s)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	shelf, err := libraryv1.NewLibraryServiceClient(conn).GetShelf(ctx, &libraryv1.GetShelfRequest{Name: "shelves/1"})
	if err != nil || shelf.GetName() != "shelves/1" {
		t.Fatalf("GetShelf: %v, %v", shelf, err)
	}

	web := httptest.NewServer(http.StripPrefix("/registry", reg.Handler()))
	defer web.Close()
	resp, err := http.Get(web.URL + "/registry/")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /registry/: %d, %v", resp.StatusCode, err)
	}
	var index struct {
		Registration json.RawMessage       `json:"registration"`
		Runtime      registry.RuntimeStats `json:"runtime"`
	}
	if err := json.Unmarshal(body, &index); err != nil {
		t.Fatalf("GET /registry/: %v\n%s", err, body)
	}
	if err := schema.Validate(index.Registration); err != nil {
		t.Errorf("served registration does not match the schema: %v", err)
	}
	doc, err := codec.Unmarshal("served", index.Registration)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Services) != 4 || doc.Services[2] == nil || doc.Services[2].Name != "library.v1.LibraryService" {
		t.Errorf("served registration has %d services, want the four of the example", len(doc.Services))
	}
	if diff := cmp.Diff(libraryv1.LibraryServiceRegistration.Service(), doc.Services[2]); diff != "" {
		t.Errorf("served LibraryService differs from the compiled one (-compiled +served):\n%s", diff)
	}
	// The server's goroutines (listener, transport) are running.
	if rt := index.Runtime; rt.Goroutines < 3 || rt.Memory.HeapAlloc == 0 || rt.GC.NextGCBytes == 0 {
		t.Errorf("runtime statistics look empty: %+v", rt)
	}
}

// TestServerMissingMethod serves a LibraryService whose service description
// lacks DeleteBook, as a server built from older protos would, and an API
// without NotificationService: validation lists the method, and not the
// service, which the program links but does not serve.
func TestServerMissingMethod(t *testing.T) {
	desc := libraryv1.LibraryService_ServiceDesc
	desc.Methods = nil
	for _, m := range libraryv1.LibraryService_ServiceDesc.Methods {
		if m.MethodName != "DeleteBook" {
			desc.Methods = append(desc.Methods, m)
		}
	}
	s := grpc.NewServer()
	s.RegisterService(&desc, library{})
	identityv1.RegisterUserServiceServer(s, identityv1.UnimplementedUserServiceServer{})
	identityv1.RegisterAuthServiceServer(s, identityv1.UnimplementedAuthServiceServer{})
	serve(t, s)

	_, err := Start(s, "", log.New(io.Discard, "", 0))
	const want = "registry: the server does not serve what its registrations say: 1 problem\n" +
		"\tmethod library.v1.LibraryService.DeleteBook is registered but not served"
	if err == nil || err.Error() != want {
		t.Fatalf("Start:\n got: %v\nwant: %s", err, want)
	}
}

// TestServerOverride starts with an override file: a valid one replaces the
// compiled registration of the services it lists, an invalid one is logged
// and the compiled registrations are kept.
func TestServerOverride(t *testing.T) {
	svc := libraryv1.LibraryServiceRegistration.Service()
	svc.Owner = "team-override"
	good := writeDoc(t, "good.json", svc)
	broken := libraryv1.LibraryServiceRegistration.Service()
	broken.Methods = append([]*registration.Method{{Name: "Burn", FullName: "library.v1.LibraryService.Burn", InputType: "library.v1.Book", OutputType: "library.v1.Book", Streaming: "unary", Kind: "custom"}}, broken.Methods...)
	bad := writeDoc(t, "bad.json", broken)

	s := grpc.NewServer()
	Register(s)
	serve(t, s)

	var logs bytes.Buffer
	reg, err := Start(s, good, log.New(&logs, "", 0))
	if err != nil || logs.Len() > 0 {
		t.Fatalf("good override: %v, logged %q", err, logs.String())
	}
	if got, _ := reg.Lookup("library.v1.LibraryService"); got.Service().Owner != "team-override" || got.Descriptor() != libraryv1.LibraryServiceRegistration.Descriptor() {
		t.Errorf("good override not applied: owner %q", got.Service().Owner)
	}

	reg, err = Start(s, bad, log.New(&logs, "", 0))
	if err != nil {
		t.Fatalf("bad override: %v", err)
	}
	want := "registration override ignored: registry: override " + bad + " not applied, keeping the compiled registrations: method library.v1.LibraryService.Burn is not compiled into this program\n"
	if logs.String() != want {
		t.Errorf("bad override logged:\n%s\nwant:\n%s", logs.String(), want)
	}
	if got, _ := reg.Lookup("library.v1.LibraryService"); got != libraryv1.LibraryServiceRegistration {
		t.Errorf("bad override replaced the compiled registration")
	}
}

func writeDoc(t *testing.T, name string, services ...*registration.Service) string {
	t.Helper()
	data, err := codec.Marshal(&registration.Registration{Format: registration.Format, Files: []string{"library/v1/library.proto"}, Services: services}, codec.JSON)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
