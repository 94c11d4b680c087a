package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpcreflection "google.golang.org/grpc/reflection"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	rpbalpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/ovasabi/protoc-gen-registration/registration/registry/reflection"
)

// startServer serves the named services of a generated tree's descriptors
// on a real gRPC server, with grpc-go's server reflection answering from
// those descriptors in each version given (reflection.V1,
// reflection.V1Alpha, both or none). Handlers answer Unimplemented: only
// the descriptors matter to validate --server.
func startServer(t *testing.T, tree string, services []string, protocols ...string) string {
	t.Helper()
	files, err := protodesc.NewFiles(&descriptorpb.FileDescriptorSet{File: requests[tree].GetProtoFile()})
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	for _, name := range services {
		d, err := files.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			t.Fatal(err)
		}
		sd := d.(protoreflect.ServiceDescriptor)
		desc := &grpc.ServiceDesc{ServiceName: name, HandlerType: (*any)(nil), Metadata: sd.ParentFile().Path()}
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			if md.IsStreamingClient() || md.IsStreamingServer() {
				desc.Streams = append(desc.Streams, grpc.StreamDesc{
					StreamName:    string(md.Name()),
					Handler:       func(any, grpc.ServerStream) error { return status.Error(codes.Unimplemented, "test server") },
					ServerStreams: md.IsStreamingServer(),
					ClientStreams: md.IsStreamingClient(),
				})
				continue
			}
			desc.Methods = append(desc.Methods, grpc.MethodDesc{
				MethodName: string(md.Name()),
				Handler: func(any, context.Context, func(any) error, grpc.UnaryServerInterceptor) (any, error) {
					return nil, status.Error(codes.Unimplemented, "test server")
				},
			})
		}
		srv.RegisterService(desc, struct{}{})
	}
	opts := grpcreflection.ServerOptions{Services: srv, DescriptorResolver: files}
	for _, p := range protocols {
		switch p {
		case reflection.V1:
			rpb.RegisterServerReflectionServer(srv, grpcreflection.NewServerV1(opts))
		case reflection.V1Alpha:
			// grpc-go's NewServer is its v1alpha server.
			rpbalpha.RegisterServerReflectionServer(srv, grpcreflection.NewServer(opts))
		default:
			t.Fatalf("no reflection protocol %q", p)
		}
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// TestValidateServer compares the example's registration with a server
// that runs the second version of the example, without the notification
// service: a missing service, a missing method and a streaming mismatch,
// and the new and excluded methods listed as unregistered.
func TestValidateServer(t *testing.T) {
	addr := startServer(t, "example-v2", []string{"identity.v1.UserService", "identity.v1.AuthService", "library.v1.LibraryService"}, reflection.V1)
	for _, format := range []string{"table", "json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			status, stdout, stderr := runCommand(t, "validate", "--format", format, "--server", addr, "--timeout", "10s",
				fixture("example/registry.registration.json"), fixture("example/library/v1/library.registration.json"))
			if status != 2 {
				t.Errorf("status %d, want 2; stderr %s", status, stderr)
			}
			checkGolden(t, "validate-server."+format, strings.ReplaceAll(stdout, addr, "$ADDR"))
		})
	}

	// The same server agrees with the registration of its own protos.
	good := startServer(t, "example-v2", []string{"identity.v1.UserService", "identity.v1.AuthService", "library.v1.LibraryService", "notify.v1.NotificationService"}, reflection.V1)
	status, stdout, stderr := runCommand(t, "validate", "--format", "json", "--server", good, fixture("example-v2/registry.registration.json"))
	if status != 0 || !strings.Contains(stdout, `"problems": []`) {
		t.Errorf("matching server: status %d, stdout %s, stderr %s", status, stdout, stderr)
	}

	// Message types come from the server's descriptors: a registration
	// whose types differ is told so, type by type.
	data, err := os.ReadFile(fixture("example-v2/registry.registration.json"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `"input_type": "identity.v1.GetUserRequest"`, `"input_type": "identity.v1.ListUsersRequest"`, 1)
	text = strings.Replace(text, `"output_type": "identity.v1.ListUsersResponse"`, `"output_type": "identity.v1.User"`, 1)
	edited := filepath.Join(t.TempDir(), "types.registration.json")
	if err := os.WriteFile(edited, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	status, stdout, stderr = runCommand(t, "validate", "--format", "table", "--server", good, edited)
	want := edited + ": valid\n" +
		"server " + good + " (grpc.reflection.v1): 4 services checked, 2 problems\n" +
		"  INPUT_TYPE_MISMATCH   method identity.v1.UserService.GetUser is registered with request type identity.v1.ListUsersRequest but served with identity.v1.GetUserRequest\n" +
		"  OUTPUT_TYPE_MISMATCH  method identity.v1.UserService.ListUsers is registered with response type identity.v1.User but served with identity.v1.ListUsersResponse\n" +
		"  UNREGISTERED          library.v1.LibraryService.DebugDumpShelves is served but not registered\n"
	if status != 2 || stdout != want {
		t.Errorf("types: status %d, stderr %s, stdout\n got: %q\nwant: %q", status, stderr, stdout, want)
	}
}

// TestValidateServerV1Alpha checks that a server with server reflection
// v1alpha alone, as servers built on older gRPC libraries have, is
// compared as one with v1, and that the output says which answered.
func TestValidateServerV1Alpha(t *testing.T) {
	services := []string{"identity.v1.UserService", "identity.v1.AuthService", "library.v1.LibraryService"}
	v1 := startServer(t, "example-v2", services, reflection.V1)
	v1alpha := startServer(t, "example-v2", services, reflection.V1Alpha)
	both := startServer(t, "example-v2", services, reflection.V1Alpha, reflection.V1)
	reg := fixture("example/registry.registration.json")
	for _, format := range []string{"table", "json", "yaml"} {
		status, want, stderr := runCommand(t, "validate", "--format", format, "--server", v1, reg)
		if status != 2 {
			t.Fatalf("v1, %s: status %d, stderr %s", format, status, stderr)
		}
		want = strings.ReplaceAll(want, v1, "$ADDR")
		for _, tc := range []struct {
			name, addr, protocol string
		}{
			{"v1alpha only", v1alpha, reflection.V1Alpha},
			// v1 is asked first.
			{"both", both, reflection.V1},
		} {
			status, got, stderr := runCommand(t, "validate", "--format", format, "--server", tc.addr, reg)
			got = strings.ReplaceAll(got, tc.addr, "$ADDR")
			got = strings.ReplaceAll(got, tc.protocol, reflection.V1)
			if status != 2 || got != want {
				t.Errorf("%s, %s: status %d, stderr %s, output (-v1 +this):\n%s", tc.name, format, status, stderr, cmp.Diff(want, got))
			}
		}
	}
	status, stdout, _ := runCommand(t, "validate", "--format", "table", "--server", v1alpha, reg)
	if want := "server " + v1alpha + " (grpc.reflection.v1alpha): 4 services checked, 3 problems\n"; status != 2 || !strings.Contains(stdout, want) {
		t.Errorf("v1alpha: status %d, stdout\n%s\nwant the line %q", status, stdout, want)
	}
}

// TestValidateServerErrors checks the errors for servers that cannot
// answer: none listening, one without reflection, and one that accepts
// connections and never answers, which must fail within the timeout.
func TestValidateServerErrors(t *testing.T) {
	reg := fixture("example/registry.registration.json")

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := lis.Addr().String()
	lis.Close()
	status, stdout, stderr := runCommand(t, "validate", "--format", "json", "--server", closed, "--timeout", "5s", reg)
	if want := "registration validate: server " + closed + ": unreachable: "; status != 1 || stdout != "" || !strings.HasPrefix(stderr, want) {
		t.Errorf("closed port: status %d, stdout %q, stderr %q; want status 1 and %q...", status, stdout, stderr, want)
	}

	plain := startServer(t, "example", []string{"library.v1.LibraryService"})
	status, stdout, stderr = runCommand(t, "validate", "--format", "json", "--server", plain, reg)
	if want := "registration validate: server " + plain + ": the server does not offer gRPC server reflection: it implements neither grpc.reflection.v1.ServerReflection nor grpc.reflection.v1alpha.ServerReflection: rpc error: code = Unimplemented "; status != 1 || stdout != "" || !strings.HasPrefix(stderr, want) {
		t.Errorf("no reflection: status %d, stdout %q, stderr %q; want status 1 and %q...", status, stdout, stderr, want)
	}

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer conn.Close() // held open, never answered
		}
	}()
	start := time.Now()
	status, stdout, stderr = runCommand(t, "validate", "--format", "json", "--server", silent.Addr().String(), "--timeout", "300ms", reg)
	elapsed := time.Since(start)
	if want := "registration validate: server " + silent.Addr().String() + ": no answer within 300ms: "; status != 1 || stdout != "" || !strings.HasPrefix(stderr, want) {
		t.Errorf("silent server: status %d, stdout %q, stderr %q; want status 1 and %q...", status, stdout, stderr, want)
	}
	if elapsed > 3*time.Second {
		t.Errorf("silent server: gave up after %v, want about 300ms", elapsed)
	}
}
