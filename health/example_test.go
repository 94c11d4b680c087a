package health_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health"
)

// Check a gRPC server with the standard health service and an HTTP
// health endpoint, both on loopback, in one batch.
func Example() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := grpc.NewServer()
	hs := grpchealth.NewServer()
	hs.SetServingStatus("library.v1.LibraryService", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus("library.v1.ShelfService", healthpb.HealthCheckResponse_NOT_SERVING)
	healthpb.RegisterHealthServer(srv, hs)
	go srv.Serve(ln)
	defer srv.Stop()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
		}
	}))
	defer web.Close()

	c := health.NewChecker(health.Options{Timeout: time.Second})
	defer c.Close()
	grpcAddr := ln.Addr().String()
	results := c.Batch(context.Background(), []health.Check{
		{Service: "library.v1.LibraryService", Kind: health.KindGRPC, Address: grpcAddr, GRPCService: "library.v1.LibraryService"},
		{Service: "library.v1.LibraryService", Kind: health.KindHTTP, Address: web.URL, URL: web.URL + "/healthz"},
		{Service: "library.v1.ShelfService", Kind: health.KindGRPC, Address: grpcAddr, GRPCService: "library.v1.ShelfService"},
		{Service: "library.v1.ShelfService", Kind: health.KindHTTP, Address: web.URL, URL: web.URL + "/shelf/healthz"},
	}, 10)
	health.SortResults(results)
	for _, r := range results {
		fmt.Println(r.Service, r.Kind, r.Status, r.Detail)
	}
	fmt.Println("exit code", health.ExitCode(results))
	// Output:
	// library.v1.LibraryService grpc healthy SERVING
	// library.v1.LibraryService http healthy HTTP 200
	// library.v1.ShelfService grpc unhealthy NOT_SERVING
	// library.v1.ShelfService http unhealthy HTTP 404
	// exit code 4
}

// Plan the checks of the services in a registration file, as the
// registration-health command does; health.Run would then run them.
func ExampleConfig_Plan() {
	dir, err := os.MkdirTemp("", "health-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	reg := filepath.Join(dir, "library.registration.json")
	err = os.WriteFile(reg, []byte(`{
  "format": "registration.v1",
  "files": ["library/v1/library.proto"],
  "services": [{
    "name": "library.v1.LibraryService",
    "package": "library.v1",
    "file": "library/v1/library.proto",
    "methods": [],
    "health": {"grpc_service": "library.v1.LibraryService", "http_path": "/v1/healthz", "source": "declared"}
  }]
}`), 0o644)
	if err != nil {
		log.Fatal(err)
	}

	cfg := health.DefaultConfig()
	cfg.Files = []string{reg}
	cfg.Check = "both"
	cfg.Addr = "library.internal:9090"
	cfg.HTTPAddr = "https://library.internal:8443"
	plan, err := cfg.Plan()
	if err != nil {
		log.Fatal(err)
	}
	for _, ch := range plan.Checks {
		fmt.Println(ch.Service, ch.Kind, ch.Address, ch.GRPCService+ch.URL)
	}
	// Output:
	// library.v1.LibraryService grpc library.internal:9090 library.v1.LibraryService
	// library.v1.LibraryService http https://library.internal:8443 https://library.internal:8443/v1/healthz
}
