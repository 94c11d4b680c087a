package etcd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/goleak"

	"github.com/ovasabi/protoc-gen-registration/internal/etcdtest"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// childEnv, when set, makes the test binary a child that registers an
// instance (the value is "ENDPOINT SERVICE ID") and waits to be killed.
const childEnv = "REGISTRATION_ETCD_CHILD"

func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		runChild(v)
		return
	}
	os.Exit(m.Run())
}

func runChild(v string) {
	f := strings.Fields(v)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	cli, err := Connect(ctx, []string{f[0]}, 5*time.Second)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	s := New(cli, WithTTL(2*time.Second))
	if err := s.Register(ctx, registry.Instance{Service: f[1], ID: f[2], Address: "127.0.0.1:1"}); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	cancel()
	fmt.Println("registered")
	select {}
}

// ctxT is a context bounded well below the test timeout, so that a hang
// fails the test rather than the binary.
func ctxT(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func connect(t *testing.T, endpoints []string) *clientv3.Client {
	t.Helper()
	cli, err := Connect(ctxT(t, 10*time.Second), endpoints, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func newStore(t *testing.T, cli *clientv3.Client, opts ...Option) *Store {
	t.Helper()
	s := New(cli, opts...)
	t.Cleanup(func() { s.Close() })
	return s
}

// eventually polls f until it returns nil or d has passed.
func eventually(t *testing.T, d time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v: %v", what, d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ids(insts []registry.Instance) []string {
	var out []string
	for _, i := range insts {
		out = append(out, i.ID)
	}
	return out
}

func wantIDs(ctx context.Context, s *Store, service string, want ...string) func() error {
	return func() error {
		got, err := s.Instances(ctx, service)
		if err != nil {
			return err
		}
		if !slices.Equal(ids(got), want) {
			return fmt.Errorf("instances of %s = %v, want %v", service, ids(got), want)
		}
		return nil
	}
}

// TestClientServerVersions checks that the client (v3.7) works with
// Debian's etcd 3.4 for every API the package uses: KV, Txn, leases with
// keep-alive, watch.
func TestClientServerVersions(t *testing.T) {
	srv := etcdtest.Start(t)
	cli := connect(t, srv.Endpoints())
	ctx := ctxT(t, 20*time.Second)
	st, err := cli.Status(ctx, srv.Endpoints()[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("server %s", st.Version)
	wch := cli.Watch(ctx, "k", clientv3.WithPrefix())
	if _, err := cli.Put(ctx, "k1", "v"); err != nil {
		t.Fatal(err)
	}
	tr, err := cli.Txn(ctx).If(clientv3.Compare(clientv3.Value("k1"), "=", "v")).Then(clientv3.OpPut("k2", "w")).Commit()
	if err != nil || !tr.Succeeded {
		t.Fatalf("txn: %v %v", tr, err)
	}
	g, err := cli.Grant(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	ka, err := cli.KeepAlive(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Put(ctx, "k3", "x", clientv3.WithLease(g.ID)); err != nil {
		t.Fatal(err)
	}
	<-ka
	time.Sleep(2500 * time.Millisecond) // beyond the TTL: only the keep-alive holds k3
	if r, err := cli.Get(ctx, "k3"); err != nil || len(r.Kvs) != 1 {
		t.Fatalf("k3 with keep-alive after its TTL: %v %v", r, err)
	}
	var got []string
	for len(got) < 3 {
		resp := <-wch
		for _, ev := range resp.Events {
			got = append(got, string(ev.Kv.Key))
		}
	}
	if !slices.Equal(got, []string{"k1", "k2", "k3"}) {
		t.Fatalf("watched %v", got)
	}
}

func TestConnectUnreachable(t *testing.T) {
	start := time.Now()
	_, err := Connect(context.Background(), []string{"http://127.0.0.1:1"}, 500*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "http://127.0.0.1:1") {
		t.Fatalf("Connect to nothing: %v, want an error naming the endpoint", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Connect took %v with a dial timeout of 500ms", d)
	}
}

func TestInstances(t *testing.T) {
	srv := etcdtest.Start(t)
	cli := connect(t, srv.Endpoints())
	s := newStore(t, cli, WithPrefix("/test/"), WithTTL(2*time.Second))
	ctx := ctxT(t, 30*time.Second)
	const svc = "library.v1.LibraryService"

	w, err := s.Watch(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if set, err := w.Next(); err != nil || len(set) != 0 {
		t.Fatalf("first Next = %v, %v; want the empty set", set, err)
	}
	a := registry.Instance{Service: svc, ID: "a", Address: "127.0.0.1:1", Metadata: map[string]string{"zone": "z1"}, Health: registry.HealthServing}
	b := registry.Instance{Service: svc, ID: "b", Address: "unix:/run/b.sock"}
	for _, inst := range []registry.Instance{b, a} {
		if err := s.Register(ctx, inst); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Instances(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]registry.Instance{a, b}, got); diff != "" {
		t.Fatalf("Instances (-want +got):\n%s", diff)
	}
	if r, _ := cli.Get(ctx, "/test/instances/"+svc+"/a"); len(r.Kvs) != 1 || r.Kvs[0].Lease == 0 {
		t.Fatalf("instance key not under the prefix or not on a lease: %v", r.Kvs)
	}
	a.Health = registry.HealthNotServing
	if err := s.Register(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.Deregister(ctx, b); err != nil {
		t.Fatal(err)
	}
	// The watcher sees every change, in order.
	want := [][]string{{"b"}, {"a", "b"}, {"a", "b"}, {"a"}}
	for i, w1 := range want {
		set, err := w.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(set), w1) {
			t.Fatalf("change %d: %v, want %v", i, ids(set), w1)
		}
		if i == 2 && set[0].Health != registry.HealthNotServing {
			t.Fatalf("change %d: health %q", i, set[0].Health)
		}
	}
	if err := s.Register(ctx, registry.Instance{Service: svc, ID: "x/y", Address: "a:1"}); err == nil {
		t.Fatal("an ID with a / was registered")
	}
	w.Stop()
	if _, err := w.Next(); err == nil {
		t.Fatal("Next after Stop did not fail")
	}
	// Close revokes the lease: the instance goes at once.
	s.Close()
	if err := wantIDs(ctx, New(cli, WithPrefix("/test")), svc)(); err != nil {
		t.Fatal(err)
	}
}

func TestHealth(t *testing.T) {
	srv := etcdtest.Start(t)
	s := newStore(t, connect(t, srv.Endpoints()))
	ctx := ctxT(t, 20*time.Second)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	recs := []HealthRecord{
		{Service: "a.v1.S", Address: "unix:/run/s.sock", Status: "SERVING", CheckedAt: at},
		{Service: "a.v1.S", Address: "10.0.0.1:80", Status: "NOT_SERVING", CheckedAt: at, Detail: "connection refused"},
	}
	for _, h := range recs {
		if err := s.PutHealth(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Health(ctx, "a.v1.S")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]HealthRecord{recs[1], recs[0]}, got); diff != "" {
		t.Fatalf("Health (-want +got):\n%s", diff)
	}
	for _, inst := range []registry.Instance{
		{Service: "a.v1.S", ID: "down", Address: "10.0.0.1:80"},                                        // its record says NOT_SERVING
		{Service: "a.v1.S", ID: "draining", Address: "10.0.0.2:80", Health: registry.HealthNotServing}, // says so itself
		{Service: "a.v1.S", ID: "unchecked", Address: "10.0.0.3:80"},                                   // no record
		{Service: "a.v1.S", ID: "up", Address: "unix:/run/s.sock", Health: registry.HealthServing},
	} {
		if err := s.Register(ctx, inst); err != nil {
			t.Fatal(err)
		}
	}
	serving, err := s.Serving(ctx, "a.v1.S")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(serving), []string{"unchecked", "up"}) {
		t.Fatalf("Serving = %v, want [unchecked up]", ids(serving))
	}
	if err := s.DeleteHealth(ctx, "a.v1.S", "10.0.0.1:80"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Health(ctx, "a.v1.S")
	if len(got) != 1 {
		t.Fatalf("after DeleteHealth: %v", got)
	}
}

// TestSIGKILL registers an instance from a child process, kills it with
// SIGKILL and checks that the instance disappears after the TTL.
func TestSIGKILL(t *testing.T) {
	srv := etcdtest.Start(t)
	s := newStore(t, connect(t, srv.Endpoints()))
	ctx := ctxT(t, 30*time.Second)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+srv.Endpoints()[0]+" k.v1.S child")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "registered\n" {
		t.Fatalf("child said %q", line)
	}
	// Alive beyond its TTL: the keep-alive works.
	time.Sleep(3 * time.Second)
	if err := wantIDs(ctx, s, "k.v1.S", "child")(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	cmd.Wait()
	// A 2s lease expires at most 2s after the last keep-alive, plus etcd's
	// expiry check interval (500ms).
	eventually(t, 5*time.Second, "killed instance gone", wantIDs(ctx, s, "k.v1.S"))
	t.Logf("instance gone %v after SIGKILL (TTL 2s)", time.Since(killed).Round(100*time.Millisecond))
}

// TestLeaseRevoked revokes the store's lease from outside: the store
// registers its instances and health again by itself.
func TestLeaseRevoked(t *testing.T) {
	srv := etcdtest.Start(t)
	cli := connect(t, srv.Endpoints())
	var mu sync.Mutex
	var reported []error
	s := newStore(t, cli, WithTTL(2*time.Second), WithErrorFunc(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
	ctx := ctxT(t, 30*time.Second)
	if err := s.Register(ctx, registry.Instance{Service: "r.v1.S", ID: "1", Address: "a:1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutHealth(ctx, HealthRecord{Service: "r.v1.S", Address: "a:1", Status: "SERVING"}); err != nil {
		t.Fatal(err)
	}
	r, _ := cli.Get(ctx, DefaultPrefix+"/instances/r.v1.S/1")
	old := clientv3.LeaseID(r.Kvs[0].Lease)
	if _, err := cli.Revoke(ctx, old); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "re-registered on a new lease", func() error {
		r, err := cli.Get(ctx, DefaultPrefix+"/", clientv3.WithPrefix())
		if err != nil {
			return err
		}
		if len(r.Kvs) != 2 {
			return fmt.Errorf("%d keys", len(r.Kvs))
		}
		for _, kv := range r.Kvs {
			if kv.Lease == 0 || clientv3.LeaseID(kv.Lease) == old {
				return fmt.Errorf("%s on lease %x", kv.Key, kv.Lease)
			}
		}
		return nil
	})
	// A later Register uses the new lease.
	if err := s.Register(ctx, registry.Instance{Service: "r.v1.S", ID: "2", Address: "a:2"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) == 0 {
		t.Error("the lost lease was not reported")
	}
}

// TestEtcdDown stops etcd for longer than the TTL: calls honour their
// context, the store retries with backoff, re-registers once etcd is
// back, and leaves no goroutine behind.
func TestEtcdDown(t *testing.T) {
	srv := etcdtest.Start(t)
	// Taken after the server starts; the harness's waiter of the etcd
	// process is not the store's.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("github.com/ovasabi/protoc-gen-registration/internal/etcdtest.(*Server).start.func1"))
	cli, err := Connect(context.Background(), srv.Endpoints(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	var mu sync.Mutex
	var reported []error
	s := New(cli, WithTTL(2*time.Second), WithErrorFunc(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
	defer s.Close()
	ctx := ctxT(t, 60*time.Second)
	if err := s.Register(ctx, registry.Instance{Service: "d.v1.S", ID: "1", Address: "a:1"}); err != nil {
		t.Fatal(err)
	}
	srv.Stop(t)
	for name, call := range map[string]func(context.Context) error{
		"Register": func(c context.Context) error {
			return s.Register(c, registry.Instance{Service: "d.v1.S", ID: "2", Address: "a:2"})
		},
		"Instances": func(c context.Context) error { _, err := s.Instances(c, "d.v1.S"); return err },
		"Publish": func(c context.Context) error {
			_, err := s.Publish(c, "src", doc(svc("a.v1.A", "a.proto", 1)), false)
			return err
		},
		"Watch": func(c context.Context) error { _, err := s.Watch(c, "d.v1.S"); return err },
	} {
		start := time.Now()
		c, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		err := call(c)
		cancel()
		if err == nil {
			t.Errorf("%s with etcd down: no error", name)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s with etcd down took %v with a 500ms context", name, d)
		}
	}
	time.Sleep(4 * time.Second) // the lease expires on the client's side
	srv.Restart(t)
	eventually(t, 15*time.Second, "re-registered after etcd came back", wantIDs(ctx, s, "d.v1.S", "1"))
	mu.Lock()
	n := len(reported)
	mu.Unlock()
	// Backoff doubles from 100ms up to 1s (half the TTL): a few attempts
	// per second, not a busy loop.
	if n == 0 || n > 40 {
		t.Errorf("%d background errors reported while etcd was down for about 5s", n)
	}
	t.Logf("%d background errors while etcd was down", n)
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	cli.Close()
}

// TestEtcdRestart restarts etcd briefly: registrations and watchers carry
// on.
func TestEtcdRestart(t *testing.T) {
	srv := etcdtest.Start(t)
	s := newStore(t, connect(t, srv.Endpoints()), WithTTL(2*time.Second))
	ctx := ctxT(t, 60*time.Second)
	w, err := s.Watch(ctx, "e.v1.S")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	w.Next()
	if err := s.Register(ctx, registry.Instance{Service: "e.v1.S", ID: "1", Address: "a:1"}); err != nil {
		t.Fatal(err)
	}
	srv.Restart(t)
	if err := s.Register(ctx, registry.Instance{Service: "e.v1.S", ID: "2", Address: "a:2"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]string{{"1"}, {"1", "2"}} {
		set, err := w.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(set), want) {
			t.Fatalf("watched %v, want %v", ids(set), want)
		}
	}
	time.Sleep(3 * time.Second)
	if err := wantIDs(ctx, s, "e.v1.S", "1", "2")(); err != nil {
		t.Fatal(err)
	}
}

// TestCluster stops one member of three: registration, discovery, watch
// and publish keep working.
func TestCluster(t *testing.T) {
	c := etcdtest.StartCluster(t, 3)
	cli := connect(t, c.Endpoints())
	s := newStore(t, cli, WithTTL(2*time.Second))
	ctx := ctxT(t, 60*time.Second)
	w, err := s.Watch(ctx, "c.v1.S")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	w.Next()
	if err := s.Register(ctx, registry.Instance{Service: "c.v1.S", ID: "1", Address: "a:1"}); err != nil {
		t.Fatal(err)
	}
	c.Members()[0].Stop(t)
	if err := s.Register(ctx, registry.Instance{Service: "c.v1.S", ID: "2", Address: "a:2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(ctx, "src", doc(svc("a.v1.A", "a.proto", 1)), false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // beyond the TTL: keep-alives go to the others
	if err := wantIDs(ctx, s, "c.v1.S", "1", "2")(); err != nil {
		t.Fatal(err)
	}
	var last []string
	for !slices.Equal(last, []string{"1", "2"}) {
		set, err := w.Next()
		if err != nil {
			t.Fatal(err)
		}
		last = ids(set)
	}
}

// TestWatchResync makes the watcher's member miss changes and a
// compaction: the watcher reads the whole set again.
func TestWatchResync(t *testing.T) {
	c := etcdtest.StartCluster(t, 3)
	writer := newStore(t, connect(t, c.Endpoints()[1:]))
	m0 := c.Members()[0]
	reader := newStore(t, connect(t, m0.Endpoints()))
	ctx := ctxT(t, 60*time.Second)
	for _, id := range []string{"1", "2"} {
		if err := writer.Register(ctx, registry.Instance{Service: "w.v1.S", ID: id, Address: "a:" + id}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := reader.Watch(ctx, "w.v1.S")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if set, _ := w.Next(); !slices.Equal(ids(set), []string{"1", "2"}) {
		t.Fatalf("first set %v", ids(set))
	}
	m0.Stop(t)
	writer.Deregister(ctx, registry.Instance{Service: "w.v1.S", ID: "1"})
	writer.Register(ctx, registry.Instance{Service: "w.v1.S", ID: "3", Address: "a:3"})
	r, err := writer.cli.Put(ctx, "other", "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writer.cli.Compact(ctx, r.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	m0.Restart(t)
	var last []string
	for !slices.Equal(last, []string{"2", "3"}) {
		set, err := w.Next()
		if err != nil {
			t.Fatal(err)
		}
		last = ids(set)
		t.Logf("watched %v", last)
	}
}

func svc(name, file string, line int) *registration.Service {
	pkg := name[:strings.LastIndex(name, ".")]
	return &registration.Service{
		Name: name, Package: pkg, File: file, Line: line,
		Methods: []*registration.Method{{
			Name: "Get", FullName: name + ".Get", InputType: pkg + ".GetRequest", OutputType: pkg + ".Thing",
			Streaming: registration.StreamingUnary, Kind: registration.KindGet,
		}},
		MessageTypes: []string{pkg + ".GetRequest", pkg + ".Thing"},
	}
}

func doc(svcs ...*registration.Service) *registration.Registration {
	d := &registration.Registration{Format: registration.Format, Files: []string{}, Services: svcs}
	for _, s := range svcs {
		if !slices.Contains(d.Files, s.File) {
			d.Files = append(d.Files, s.File)
		}
	}
	return d
}

func TestPublish(t *testing.T) {
	srv := etcdtest.Start(t)
	cli := connect(t, srv.Endpoints())
	s := newStore(t, cli)
	ctx := ctxT(t, 30*time.Second)
	a, b, c := svc("a.v1.A", "a/v1/a.proto", 3), svc("b.v1.B", "b/v1/b.proto", 5), svc("c.v1.C", "b/v1/b.proto", 1)
	d1 := doc(a, b, c)
	d1.Messages = []*registration.Message{
		{Name: "a.v1.Thing", File: "a/v1/a.proto", Fields: []*registration.Field{{Name: "k", Number: 1, JSONName: "k", Type: "enum", TypeName: "a.v1.Kind"}}},
		{Name: "z.v1.Unused", File: "z.proto", Fields: []*registration.Field{}},
	}
	d1.Enums = []*registration.Enum{{Name: "a.v1.Kind", File: "a/v1/a.proto", Values: []string{"KIND_UNSPECIFIED"}}}
	res, err := s.Publish(ctx, "repo-1", d1, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&PublishResult{Put: []string{"a.v1.A", "b.v1.B", "c.v1.C"}, Unchanged: []string{}, Pruned: []string{}}, res, ignoreRevision); diff != "" {
		t.Fatalf("first publish (-want +got):\n%s", diff)
	}
	// Stored values are registration documents any reader reads.
	r, _ := cli.Get(ctx, DefaultPrefix+"/services/a.v1.A")
	one, err := unmarshalDocument("a", r.Kvs[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Services) != 1 || len(one.Messages) != 1 || one.Messages[0].Name != "a.v1.Thing" || len(one.Enums) != 1 || !slices.Equal(one.Files, []string{"a/v1/a.proto"}) {
		t.Fatalf("stored document of a.v1.A: %s", r.Kvs[0].Value)
	}
	got, err := s.Registration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := &registration.Registration{
		Format: registration.Format, Files: []string{"a/v1/a.proto", "b/v1/b.proto"},
		Services: []*registration.Service{a, c, b}, Messages: d1.Messages[:1], Enums: d1.Enums,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Registration (-want +got):\n%s", diff)
	}

	// Another source publishes c too; repo-1 drops b and c and prunes:
	// only b goes, c is repo-2's as well.
	if _, err := s.Publish(ctx, "repo-2", doc(c), false); err != nil {
		t.Fatal(err)
	}
	a2 := svc("a.v1.A", "a/v1/a.proto", 3)
	a2.Description = "changed"
	res, err = s.Publish(ctx, "repo-1", doc(a2), true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&PublishResult{Put: []string{"a.v1.A"}, Unchanged: []string{}, Pruned: []string{"b.v1.B"}}, res, ignoreRevision); diff != "" {
		t.Fatalf("pruning publish (-want +got):\n%s", diff)
	}
	res, err = s.Publish(ctx, "repo-1", doc(a2), true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&PublishResult{Put: []string{}, Unchanged: []string{"a.v1.A"}, Pruned: []string{}}, res, ignoreRevision); diff != "" {
		t.Fatalf("same publish again (-want +got):\n%s", diff)
	}
	got, _ = s.Registration(ctx)
	var names []string
	for _, sv := range got.Services {
		names = append(names, sv.Name)
	}
	if !slices.Equal(names, []string{"a.v1.A", "c.v1.C"}) {
		t.Fatalf("after pruning: %v", names)
	}
}

var ignoreRevision = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Revision" }, cmp.Ignore())

// TestPublishConflict commits a publish of the same source between a
// publish's read and its write: the later one fails and changes nothing.
func TestPublishConflict(t *testing.T) {
	srv := etcdtest.Start(t)
	cli := connect(t, srv.Endpoints())
	s1, s2 := newStore(t, cli), newStore(t, cli)
	ctx := ctxT(t, 30*time.Second)
	if _, err := s1.Publish(ctx, "src", doc(svc("a.v1.A", "a.proto", 1)), false); err != nil {
		t.Fatal(err)
	}
	s1.beforeCommit = func() {
		if _, err := s2.Publish(ctx, "src", doc(svc("a.v1.A", "a.proto", 1)), false); err != nil {
			t.Error(err)
		}
		// Even a no-op publish of the same source must count as one:
		// nothing is written by it, but s1 read the same index.
		if _, err := s2.Publish(ctx, "src", doc(svc("a.v1.A", "a.proto", 1), svc("b.v1.B", "b.proto", 1)), false); err != nil {
			t.Error(err)
		}
	}
	_, err := s1.Publish(ctx, "src", doc(svc("c.v1.C", "c.proto", 1)), true)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("conflicting publish: %v, want ErrConflict", err)
	}
	after, _ := cli.Get(ctx, DefaultPrefix+"/services/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	var keys []string
	for _, kv := range after.Kvs {
		keys = append(keys, strings.TrimPrefix(string(kv.Key), DefaultPrefix+"/services/"))
	}
	if !slices.Equal(keys, []string{"a.v1.A", "b.v1.B"}) {
		t.Fatalf("after the failed publish: %v, want s2's a.v1.A and b.v1.B", keys)
	}
}

// TestPublishTooLarge publishes more services than etcd's default
// --max-txn-ops: the publish fails as a whole.
func TestPublishTooLarge(t *testing.T) {
	srv := etcdtest.Start(t)
	cli := connect(t, srv.Endpoints())
	s := newStore(t, cli)
	ctx := ctxT(t, 30*time.Second)
	var svcs []*registration.Service
	for i := range 200 {
		svcs = append(svcs, svc(fmt.Sprintf("p%d.v1.S", i), fmt.Sprintf("p%d.proto", i), 1))
	}
	_, err := s.Publish(ctx, "big", doc(svcs...), false)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("publish of 200 services: %v, want ErrTooLarge", err)
	}
	t.Log(err)
	r, _ := cli.Get(ctx, DefaultPrefix+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if r.Count != 0 {
		t.Fatalf("%d keys written by a failed publish", r.Count)
	}
}

func TestWatchServices(t *testing.T) {
	srv := etcdtest.Start(t)
	s := newStore(t, connect(t, srv.Endpoints()))
	ctx := ctxT(t, 30*time.Second)
	if _, err := s.Publish(ctx, "src", doc(svc("a.v1.A", "a.proto", 1)), false); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	ch := s.WatchServices(wctx)
	if _, err := s.Publish(ctx, "src", doc(svc("b.v1.B", "b.proto", 1)), true); err != nil {
		t.Fatal(err)
	}
	var got []string
	var revs []int64
	for len(got) < 3 {
		ev, ok := <-ch
		if !ok {
			t.Fatalf("channel closed after %v", got)
		}
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
		if ev.Type == EventPut && (ev.Service == nil || ev.Service.Name != ev.Name) {
			t.Fatalf("put event without its service: %+v", ev)
		}
		got = append(got, ev.Type+" "+ev.Name)
		revs = append(revs, ev.Revision)
	}
	if !slices.Equal(got, []string{"put a.v1.A", "put b.v1.B", "delete a.v1.A"}) {
		t.Fatalf("events %v", got)
	}
	if !slices.IsSorted(revs) {
		t.Fatalf("revisions out of order: %v", revs)
	}
	cancel()
	for range ch {
	}
}

// TestDeregisterStaysDeregistered deregisters an instance, then loses the
// lease: re-registration brings back only what is still registered, even
// with registrations racing the re-put.
func TestDeregisterStaysDeregistered(t *testing.T) {
	srv := etcdtest.Start(t)
	cli := connect(t, srv.Endpoints())
	s := newStore(t, cli, WithTTL(2*time.Second))
	ctx := ctxT(t, 30*time.Second)
	inst := func(id string) registry.Instance {
		return registry.Instance{Service: "g.v1.S", ID: id, Address: "a:" + id}
	}
	for _, id := range []string{"1", "2"} {
		if err := s.Register(ctx, inst(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Deregister(ctx, inst("2")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for round := range 3 {
		r, _ := cli.Get(ctx, DefaultPrefix+"/instances/g.v1.S/1")
		if _, err := cli.Revoke(ctx, clientv3.LeaseID(r.Kvs[0].Lease)); err != nil {
			t.Fatal(err)
		}
		// Register and deregister while the store replaces its lease.
		id := fmt.Sprintf("r%d", round)
		wg.Go(func() {
			if err := s.Register(ctx, inst(id)); err != nil {
				t.Error(err)
				return
			}
			if err := s.Deregister(ctx, inst(id)); err != nil {
				t.Error(err)
			}
		})
		eventually(t, 5*time.Second, "re-registered", wantIDs(ctx, s, "g.v1.S", "1"))
	}
	wg.Wait()
	time.Sleep(500 * time.Millisecond)
	if err := wantIDs(ctx, s, "g.v1.S", "1")(); err != nil {
		t.Fatal(err)
	}
}

// TestEtcdHung stops etcd's process (SIGSTOP): connections stay open but
// nothing answers. Every call returns when its context ends, and Close
// within the TTL.
func TestEtcdHung(t *testing.T) {
	srv := etcdtest.Start(t)
	cli := connect(t, srv.Endpoints())
	s := New(cli, WithTTL(2*time.Second))
	ctx := ctxT(t, 30*time.Second)
	if err := s.Register(ctx, registry.Instance{Service: "h.v1.S", ID: "1", Address: "a:1"}); err != nil {
		t.Fatal(err)
	}
	srv.Pause(t)
	defer srv.Resume(t)
	calls := map[string]func(context.Context) error{
		"Register": func(c context.Context) error {
			return s.Register(c, registry.Instance{Service: "h.v1.S", ID: "2", Address: "a:2"})
		},
		"Deregister": func(c context.Context) error { return s.Deregister(c, registry.Instance{Service: "h.v1.S", ID: "1"}) },
		"Instances":  func(c context.Context) error { _, err := s.Instances(c, "h.v1.S"); return err },
		"Health":     func(c context.Context) error { _, err := s.Health(c, "h.v1.S"); return err },
		"PutHealth": func(c context.Context) error {
			return s.PutHealth(c, HealthRecord{Service: "h.v1.S", Address: "a:1", Status: "SERVING"})
		},
		"Registration": func(c context.Context) error { _, err := s.Registration(c); return err },
		"Publish": func(c context.Context) error {
			_, err := s.Publish(c, "src", doc(svc("a.v1.A", "a.proto", 1)), false)
			return err
		},
	}
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		start := time.Now()
		c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		err := calls[name](c)
		cancel()
		if err == nil {
			t.Errorf("%s with etcd hung: no error", name)
		}
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Errorf("%s with etcd hung took %v with a 300ms context", name, d)
		}
	}
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close with etcd hung took %v with a TTL of 2s", d)
	}
}

// TestWatchServicesResync makes WatchServices's member miss changes and a
// compaction: it reads the services again and delivers the differences.
func TestWatchServicesResync(t *testing.T) {
	c := etcdtest.StartCluster(t, 3)
	writer := newStore(t, connect(t, c.Endpoints()[1:]))
	m0 := c.Members()[0]
	reader := newStore(t, connect(t, m0.Endpoints()))
	ctx := ctxT(t, 60*time.Second)
	if _, err := writer.Publish(ctx, "src", doc(svc("a.v1.A", "a.proto", 1), svc("b.v1.B", "b.proto", 1)), false); err != nil {
		t.Fatal(err)
	}
	ch := reader.WatchServices(ctx)
	for _, want := range []string{"put a.v1.A", "put b.v1.B"} {
		if ev := <-ch; ev.Type+" "+ev.Name != want {
			t.Fatalf("event %+v, want %s", ev, want)
		}
	}
	m0.Stop(t)
	b2 := svc("b.v1.B", "b.proto", 1)
	b2.Description = "changed"
	if _, err := writer.Publish(ctx, "src", doc(b2, svc("c.v1.C", "c.proto", 1)), true); err != nil {
		t.Fatal(err)
	}
	r, err := writer.cli.Put(ctx, "other", "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writer.cli.Compact(ctx, r.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	m0.Restart(t)
	got := map[string]string{}
	for len(got) < 3 {
		ev, ok := <-ch
		if !ok {
			t.Fatalf("channel closed after %v", got)
		}
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
		got[ev.Name] = ev.Type
		if ev.Name == "b.v1.B" && (ev.Service == nil || ev.Service.Description != "changed") {
			t.Fatalf("b.v1.B event without the change: %+v", ev)
		}
	}
	want := map[string]string{"a.v1.A": EventDelete, "b.v1.B": EventPut, "c.v1.C": EventPut}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("events after the resync (-want +got):\n%s", diff)
	}
}
