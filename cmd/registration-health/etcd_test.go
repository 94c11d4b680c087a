package main

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/internal/etcdtest"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
)

// healthOf returns the status etcd holds for service at addr, "" for none,
// or the error of the read (while etcd restarts).
func healthOf(t *testing.T, store *etcd.Store, service, addr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	records, err := store.Health(ctx, service)
	if err != nil {
		return "error: " + err.Error()
	}
	for _, r := range records {
		if r.Address == addr {
			return r.Status
		}
	}
	return ""
}

// readStore returns a Store that reads the test's etcd.
func readStore(t *testing.T, endpoints []string) *etcd.Store {
	t.Helper()
	client, err := etcd.Connect(context.Background(), endpoints, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	store := etcd.New(client)
	t.Cleanup(func() {
		store.Close()
		client.Close()
	})
	return store
}

// TestBinaryPublishEtcd runs the monitor with --publish-etcd against a
// real etcd and a real gRPC health server: the status appears as SERVING,
// follows the server to NOT_SERVING, and disappears at once when the
// monitor stops with SIGTERM (its lease is revoked) and after the TTL when
// it is killed with SIGKILL.
func TestBinaryPublishEtcd(t *testing.T) {
	bin := buildBinary(t)
	srv := etcdtest.Start(t)
	ep := srv.Endpoints()[0]
	store := readStore(t, srv.Endpoints())
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.Serving")
	reg := healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("a.v1.Serving"))
	status := func() string { return healthOf(t, store, "a.v1.Serving", s.Addr) }

	cmd, stdout, stderr := startMonitor(t, bin, 1, "--interval", "100ms", "--addr", s.Addr, "--server-check",
		"--publish-etcd", ep, "--etcd-ttl", "2s", reg)
	healthtest.WaitFor(t, 5*time.Second, "SERVING in etcd", func() bool { return status() == "SERVING" })

	changed := time.Now()
	s.Set(healthpb.HealthCheckResponse_NOT_SERVING, "a.v1.Serving")
	healthtest.WaitFor(t, 5*time.Second, "NOT_SERVING in etcd", func() bool { return status() == "NOT_SERVING" })
	t.Logf("NOT_SERVING was in etcd %v after the server's change", time.Since(changed).Round(time.Millisecond))
	s.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.Serving")
	healthtest.WaitFor(t, 5*time.Second, "SERVING again in etcd", func() bool { return status() == "SERVING" })
	// The monitor's own output is as without --publish-etcd.
	if out := stdout.String(); !strings.Contains(out, `"status":"unhealthy"`) || strings.Contains(stderr.String(), "etcd") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, stderr.String())
	}

	if code, _ := sendSignal(t, cmd, syscall.SIGTERM); code != 0 {
		t.Errorf("SIGTERM: exit code %d; stderr:\n%s", code, stderr.String())
	}
	if got := status(); got != "" {
		t.Errorf("after SIGTERM, etcd still holds %q", got)
	}

	// SIGKILL: nothing revokes the lease; the record goes with its TTL.
	cmd, _, stderr = startMonitor(t, bin, 1, "--interval", "100ms", "--addr", s.Addr,
		"--publish-etcd", ep, "--etcd-ttl", "2s", reg)
	healthtest.WaitFor(t, 5*time.Second, "SERVING in etcd", func() bool { return status() == "SERVING" })
	if code, _ := sendSignal(t, cmd, syscall.SIGKILL); code != -1 {
		t.Errorf("SIGKILL: exit code %d; stderr:\n%s", code, stderr.String())
	}
	killed := time.Now()
	if got := status(); got != "SERVING" {
		t.Errorf("just after SIGKILL, etcd holds %q, want SERVING until the TTL", got)
	}
	// etcd may keep a lease a little past its TTL; 2s plus slack.
	healthtest.WaitFor(t, 10*time.Second, "the record to expire", func() bool { return status() == "" })
	took := time.Since(killed)
	if took < time.Second {
		t.Errorf("the record went %v after SIGKILL, before its 2s TTL", took)
	}
	t.Logf("the record went %v after SIGKILL, with --etcd-ttl 2s", took.Round(10*time.Millisecond))
}

// TestPublishEtcdFlags checks that the etcd flags need monitor mode and
// each other, and that an etcd that does not answer is an error, exit 1,
// that names it, in bounded time.
func TestPublishEtcdFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "127.0.0.1:1", "--publish-etcd", "http://127.0.0.1:2379"}, "registration-health: --publish-etcd needs --monitor\n"},
		{[]string{"--addr", "127.0.0.1:1", "--monitor", "--etcd-prefix", "/x"}, "registration-health: --etcd-prefix needs --publish-etcd\n"},
		{[]string{"--addr", "127.0.0.1:1", "--monitor", "--etcd-ttl", "3s"}, "registration-health: --etcd-ttl needs --publish-etcd\n"},
		{[]string{"--addr", "127.0.0.1:1", "--monitor", "--publish-etcd", "http://127.0.0.1:2379", "--etcd-ttl", "0s"}, "registration-health: --etcd-ttl 0s: must be positive\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != 1 || stdout != "" || stderr != tt.want {
			t.Errorf("%q: exit code %d, stdout %q, stderr\n got %q\nwant %q", tt.args, code, stdout, stderr, tt.want)
		}
	}

	ep := "http://" + healthtest.ClosedAddr(t)
	start := time.Now()
	code, stdout, stderr := runCLI(t, "--addr", "127.0.0.1:1", "--monitor", "--publish-etcd", ep)
	if want := "registration-health: --publish-etcd: etcd at " + ep + ": "; code != 1 || stdout != "" || !strings.HasPrefix(stderr, want) {
		t.Errorf("unreachable etcd: exit code %d, stdout %q, stderr %q, want it to start %q", code, stdout, stderr, want)
	}
	if took := time.Since(start); took > 8*time.Second {
		t.Errorf("unreachable etcd: took %v", took)
	}
}

// TestBinaryPublishEtcdFaults checks that the monitor's record survives
// what a deployment's etcd goes through: its lease revoked from outside
// (the record is put again on a new lease) and etcd restarted (the record
// follows the server's next change).
func TestBinaryPublishEtcdFaults(t *testing.T) {
	bin := buildBinary(t)
	srv := etcdtest.Start(t)
	ep := srv.Endpoints()[0]
	client, err := etcd.Connect(context.Background(), srv.Endpoints(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	store := etcd.New(client)
	defer store.Close()
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.Serving")
	reg := healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("a.v1.Serving"))
	status := func() string { return healthOf(t, store, "a.v1.Serving", s.Addr) }

	_, _, stderr := startMonitor(t, bin, 1, "--interval", "100ms", "--addr", s.Addr,
		"--publish-etcd", ep, "--etcd-ttl", "2s", reg)
	healthtest.WaitFor(t, 5*time.Second, "SERVING in etcd", func() bool { return status() == "SERVING" })

	// Someone revokes the monitor's lease: the record goes, and comes back.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := client.Get(ctx, etcd.DefaultPrefix+"/health/a.v1.Serving/"+s.Addr)
	if err != nil || len(resp.Kvs) != 1 || resp.Kvs[0].Lease == 0 {
		t.Fatalf("the record's key: %v, %v", resp, err)
	}
	if _, err := client.Revoke(ctx, clientv3.LeaseID(resp.Kvs[0].Lease)); err != nil {
		t.Fatal(err)
	}
	healthtest.WaitFor(t, 10*time.Second, "the record put again on a new lease", func() bool {
		resp, err := client.Get(ctx, etcd.DefaultPrefix+"/health/a.v1.Serving/"+s.Addr)
		return err == nil && len(resp.Kvs) == 1 && resp.Kvs[0].Lease != 0 && status() == "SERVING"
	})

	// etcd restarts; the next change is written.
	srv.Restart(t)
	s.Set(healthpb.HealthCheckResponse_NOT_SERVING, "a.v1.Serving")
	healthtest.WaitFor(t, 15*time.Second, "NOT_SERVING after etcd's restart", func() bool { return status() == "NOT_SERVING" })
	t.Logf("the monitor's stderr:\n%s", stderr.String())
}
