package reflection

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	rpbalpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"

	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// serve serves grpc.health.v1.Health on loopback, with the versions of
// server reflection given (V1, V1Alpha, both or none), and returns a
// client connection to it.
func serve(t *testing.T, protocols ...string) *grpc.ClientConn {
	t.Helper()
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	for _, p := range protocols {
		switch p {
		case V1:
			rpb.RegisterServerReflectionServer(srv, reflection.NewServerV1(reflection.ServerOptions{Services: srv}))
		case V1Alpha:
			// reflection.NewServer is grpc-go's v1alpha server.
			rpbalpha.RegisterServerReflectionServer(srv, reflection.NewServer(reflection.ServerOptions{Services: srv}))
		default:
			t.Fatalf("no protocol %q", p)
		}
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// healthService is what Served tells of grpc.health.v1.Health when asked to
// describe it.
var healthService = registry.ServedService{Name: "grpc.health.v1.Health", Methods: []registry.ServedMethod{
	{Name: "Check", Streaming: "unary", InputType: "grpc.health.v1.HealthCheckRequest", OutputType: "grpc.health.v1.HealthCheckResponse"},
	{Name: "List", Streaming: "unary", InputType: "grpc.health.v1.HealthListRequest", OutputType: "grpc.health.v1.HealthListResponse"},
	{Name: "Watch", Streaming: "server", InputType: "grpc.health.v1.HealthCheckRequest", OutputType: "grpc.health.v1.HealthCheckResponse"},
}}

// TestServed asks servers with either version of reflection, or both:
// v1 is preferred, v1alpha answers the same when it is alone, and the
// descriptors come through both.
func TestServed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	describe := []string{"grpc.health.v1.Health", "not.served.v1.X"}
	tests := []struct {
		name      string
		protocols []string
		want      *Result
	}{
		{"v1 only", []string{V1}, &Result{Protocol: V1, Services: []registry.ServedService{
			healthService,
			// Not asked for: its name only.
			{Name: "grpc.reflection.v1.ServerReflection"},
		}}},
		{"v1alpha only", []string{V1Alpha}, &Result{Protocol: V1Alpha, Services: []registry.ServedService{
			healthService,
			{Name: "grpc.reflection.v1alpha.ServerReflection"},
		}}},
		// What reflection.Register serves.
		{"both", []string{V1Alpha, V1}, &Result{Protocol: V1, Services: []registry.ServedService{
			healthService,
			{Name: "grpc.reflection.v1.ServerReflection"},
			{Name: "grpc.reflection.v1alpha.ServerReflection"},
		}}},
	}
	for _, tt := range tests {
		got, err := Served(ctx, serve(t, tt.protocols...), describe)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Served (-want +got):\n%s", tt.name, diff)
		}
	}

	_, err := Served(ctx, serve(t), nil)
	if want := "the server does not offer gRPC server reflection: it implements neither grpc.reflection.v1.ServerReflection nor grpc.reflection.v1alpha.ServerReflection: rpc error: code = Unimplemented"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("without reflection: %v, want %q...", err, want)
	}
}

// TestServedUnreachable checks that a server that cannot be reached is
// said to be so, without trying the other version.
func TestServedUnreachable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := Served(ctx, conn, nil); err == nil || !strings.HasPrefix(err.Error(), "unreachable: ") {
		t.Errorf("closed port: %v, want unreachable", err)
	}
}
