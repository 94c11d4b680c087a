package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/internal/etcdtest"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
)

var services = []string{"identity.v1.AuthService", "identity.v1.UserService", "library.v1.LibraryService", "notify.v1.NotificationService"}

// TestServer builds and starts the program against a real etcd: each
// service it serves has its instance in etcd, SERVING over grpc.health.v1
// at the instance's address; SIGTERM ends it with status 0 and its
// instances gone at once, even with a health Watch open.
func TestServer(t *testing.T) {
	ep := etcdtest.Start(t).Endpoints()[0]
	bin := filepath.Join(t.TempDir(), "library-server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stderr healthtest.SyncBuffer // written by exec's copying goroutine
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--etcd", ep, "--id", "test-1")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cli, err := etcd.Connect(ctx, []string{ep}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	store := etcd.New(cli)
	defer store.Close()

	var insts []registry.Instance
	for _, svc := range services {
		for {
			got, err := store.Instances(ctx, svc)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 1 {
				insts = append(insts, got[0])
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("%s: no instance registered; stderr:\n%s", svc, stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for i, inst := range insts {
		if inst.Service != services[i] || inst.ID != "test-1" || inst.Health != registry.HealthServing || !strings.HasPrefix(inst.Address, "127.0.0.1:") || inst.Address != insts[0].Address {
			t.Errorf("instance %d: %+v", i, inst)
		}
	}
	conn, err := grpc.NewClient(insts[0].Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, svc := range services {
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health of %s: %v, %v", svc, resp, err)
		}
	}
	// A health Watch open, as a monitor keeps one, must not hold the
	// stop up for ever.
	stream, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{Service: services[2]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err // for the clean-up
		if err != nil {
			t.Fatalf("after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SIGTERM; stderr:\n%s", stderr.String())
	}
	for _, svc := range services {
		if got, err := store.Instances(ctx, svc); err != nil || len(got) != 0 {
			t.Errorf("%s after SIGTERM: %v, %v", svc, got, err)
		}
	}
}
