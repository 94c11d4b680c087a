// Command library-server serves the example API over gRPC, with
// grpc.health.v1, and registers an instance of each service it serves in
// etcd when --etcd is given, so that registration instances and any
// registry.Discovery find it:
//
//	go run ./example/cmd/library-server --etcd http://127.0.0.1:2379
//
// It is documentation that runs: the start-up of package
// example/server (the served services checked against their
// registrations), then registry.Instance values through an etcd.Store.
// SIGINT or SIGTERM deregisters the instances at once (Close revokes the
// Store's lease) and stops the server gracefully; after a SIGKILL the
// instances disappear when the lease's TTL runs out.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/example/server"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
)

func main() {
	host, _ := os.Hostname()
	addr := flag.String("addr", "127.0.0.1:9090", "serve gRPC at `HOST:PORT`")
	endpoints := flag.String("etcd", "", "register the served services' instances in the etcd cluster at `URLS` (comma-separated)")
	id := flag.String("id", fmt.Sprintf("%s-%d", host, os.Getpid()), "the instances' `ID`")
	flag.Parse()
	logger := log.New(os.Stderr, "library-server: ", 0)
	if err := run(*addr, *endpoints, *id, logger); err != nil {
		logger.Fatal(err)
	}
}

func run(addr, endpoints, id string, logger *log.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv := grpc.NewServer()
	server.Register(srv)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	served, err := server.Start(srv, "", logger) // checks srv against the registrations
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	for _, r := range served.List() {
		hs.SetServingStatus(r.Name(), healthpb.HealthCheckResponse_SERVING)
	}

	var store *etcd.Store
	if endpoints != "" {
		cli, err := etcd.Connect(ctx, strings.Split(endpoints, ","), 5*time.Second)
		if err != nil {
			return err
		}
		defer cli.Close()
		store = etcd.New(cli, etcd.WithErrorFunc(func(err error) { logger.Print(err) }))
		defer store.Close()
		for _, r := range served.List() {
			inst := registry.Instance{Service: r.Name(), ID: id, Address: ln.Addr().String(), Health: registry.HealthServing}
			if err := store.Register(ctx, inst); err != nil {
				return err
			}
		}
	}

	go srv.Serve(ln)
	logger.Printf("serving %d services at %s as %s", served.Len(), ln.Addr(), id)
	<-ctx.Done()
	// Leave discovery first, then finish the calls in flight.
	hs.Shutdown()
	if store != nil {
		store.Close()
	}
	// A health Watch stays open as long as its client wants: bound the wait.
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		srv.Stop()
	}
	logger.Print("stopped")
	return nil
}
