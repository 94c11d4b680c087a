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

	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// serve serves grpc.health.v1.Health, with server reflection when asked,
// and returns a client connection to it.
func serve(t *testing.T, withReflection bool) *grpc.ClientConn {
	t.Helper()
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	if withReflection {
		reflection.RegisterV1(srv)
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

func TestServed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := Served(ctx, serve(t, true), []string{"grpc.health.v1.Health", "not.served.v1.X"})
	if err != nil {
		t.Fatal(err)
	}
	want := []registry.ServedService{
		{Name: "grpc.health.v1.Health", Methods: []registry.ServedMethod{
			{Name: "Check", Streaming: "unary", InputType: "grpc.health.v1.HealthCheckRequest", OutputType: "grpc.health.v1.HealthCheckResponse"},
			{Name: "List", Streaming: "unary", InputType: "grpc.health.v1.HealthListRequest", OutputType: "grpc.health.v1.HealthListResponse"},
			{Name: "Watch", Streaming: "server", InputType: "grpc.health.v1.HealthCheckRequest", OutputType: "grpc.health.v1.HealthCheckResponse"},
		}},
		// Not asked for: its name only.
		{Name: "grpc.reflection.v1.ServerReflection"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Served (-want +got):\n%s", diff)
	}

	_, err = Served(ctx, serve(t, false), nil)
	if want := "the server does not offer gRPC server reflection (grpc.reflection.v1.ServerReflection): "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("without reflection: %v, want %q...", err, want)
	}
}
