package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/internal/etcdtest"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
)

const library = "library.v1.LibraryService"

// etcdStore connects a Store of the library to ep, closed when the test
// ends.
func etcdStore(t *testing.T, ep string) *etcd.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cli, err := etcd.Connect(ctx, []string{ep}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s := etcd.New(cli)
	t.Cleanup(func() {
		s.Close()
		cli.Close()
	})
	return s
}

// TestInstances registers two instances with the library and lists them
// in every format; --serving leaves out the one a health record says is
// not serving, and the table shows that record.
func TestInstances(t *testing.T) {
	ep := etcdtest.Start(t).Endpoints()[0]
	s := etcdStore(t, ep)
	ctx := context.Background()
	for _, inst := range []registry.Instance{
		{Service: library, ID: "b", Address: "127.0.0.1:9092", Health: registry.HealthServing},
		{Service: library, ID: "a", Address: "127.0.0.1:9091", Health: registry.HealthServing, Metadata: map[string]string{"zone": "z1"}},
		{Service: "notify.v1.NotificationService", ID: "c", Address: "127.0.0.1:9093"},
	} {
		if err := s.Register(ctx, inst); err != nil {
			t.Fatal(err)
		}
	}

	status, stdout, stderr := runCommand(t, "instances", "--etcd", ep, "-o", "table", library)
	want := "ID  ADDRESS         HEALTH   CHECKED\na   127.0.0.1:9091  SERVING  -\nb   127.0.0.1:9092  SERVING  -\n"
	if status != 0 || stderr != "" || stdout != want {
		t.Errorf("status %d, stderr %q, table (-want +got):\n%s", status, stderr, cmp.Diff(want, stdout))
	}
	status, stdout, stderr = runCommand(t, "instances", "--etcd", ep, "-o", "json", library)
	want = `[
  {
    "id": "a",
    "address": "127.0.0.1:9091",
    "health": "SERVING",
    "metadata": {
      "zone": "z1"
    }
  },
  {
    "id": "b",
    "address": "127.0.0.1:9092",
    "health": "SERVING"
  }
]
`
	if status != 0 || stderr != "" || stdout != want {
		t.Errorf("status %d, stderr %q, JSON (-want +got):\n%s", status, stderr, cmp.Diff(want, stdout))
	}
	status, stdout, _ = runCommand(t, "instances", "--etcd", ep, "-o", "yaml", "no.v1.Such")
	if status != 0 || stdout != "[]\n" {
		t.Errorf("no instances: status %d, YAML %q", status, stdout)
	}

	checked := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.PutHealth(ctx, etcd.HealthRecord{Service: library, Address: "127.0.0.1:9092", Status: registry.HealthNotServing, CheckedAt: checked}); err != nil {
		t.Fatal(err)
	}
	status, stdout, stderr = runCommand(t, "instances", "--etcd", ep, "-o", "table", library)
	want = "ID  ADDRESS         HEALTH   CHECKED\na   127.0.0.1:9091  SERVING  -\nb   127.0.0.1:9092  SERVING  NOT_SERVING\n"
	if status != 0 || stderr != "" || stdout != want {
		t.Errorf("with a health record: status %d, stderr %q, table (-want +got):\n%s", status, stderr, cmp.Diff(want, stdout))
	}
	status, stdout, stderr = runCommand(t, "instances", "--etcd", ep, "--serving", "-o", "table", library)
	want = "ID  ADDRESS         HEALTH   CHECKED\na   127.0.0.1:9091  SERVING  -\n"
	if status != 0 || stderr != "" || stdout != want {
		t.Errorf("--serving: status %d, stderr %q, table (-want +got):\n%s", status, stderr, cmp.Diff(want, stdout))
	}
	status, stdout, _ = runCommand(t, "instances", "--etcd", ep, "-o", "json", library)
	if !strings.Contains(stdout, `"checked": "NOT_SERVING",
    "checked_at": "2026-01-02T03:04:05Z"`) {
		t.Errorf("JSON with a health record: status %d:\n%s", status, stdout)
	}
}

// TestInstancesWatch follows a service's instances while the library
// registers and deregisters them: the current set first, then the set
// after each change in order, one JSON object a line, until the watch is
// stopped (exit 0).
func TestInstancesWatch(t *testing.T) {
	ep := etcdtest.Start(t).Endpoints()[0]
	s := etcdStore(t, ep)
	ctx := context.Background()
	a := registry.Instance{Service: library, ID: "a", Address: "127.0.0.1:9091", Health: registry.HealthServing}
	b := registry.Instance{Service: library, ID: "b", Address: "127.0.0.1:9092", Health: registry.HealthServing}
	if err := s.Register(ctx, a); err != nil {
		t.Fatal(err)
	}

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stdout, stderr healthtest.SyncBuffer
	done := make(chan int)
	go func() {
		done <- runContext(wctx, []string{"instances", "--etcd", ep, "--watch", "-o", "json", library}, &stdout, &stderr)
	}()
	type set struct {
		Service   string
		Instances []struct{ ID string }
	}
	sets := func() [][]string {
		var out [][]string
		for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			var s set
			if line == "" || json.Unmarshal([]byte(line), &s) != nil || s.Service != library {
				continue
			}
			ids := []string{}
			for _, inst := range s.Instances {
				ids = append(ids, inst.ID)
			}
			out = append(out, ids)
		}
		return out
	}
	waitFor := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for len(sets()) < n {
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %d sets, got:\n%s\nstderr: %s", n, stdout.String(), stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor(1)
	if err := s.Register(ctx, b); err != nil {
		t.Fatal(err)
	}
	waitFor(2)
	if err := s.Deregister(ctx, a); err != nil {
		t.Fatal(err)
	}
	waitFor(3)
	want := [][]string{{"a"}, {"a", "b"}, {"b"}}
	if diff := cmp.Diff(want, sets()); diff != "" {
		t.Errorf("sets (-want +got):\n%s", diff)
	}
	cancel()
	select {
	case status := <-done:
		if status != 0 || stderr.String() != "" {
			t.Errorf("stopped: status %d, stderr %q", status, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watch did not stop within 5s of its context")
	}
}

// TestInstancesWatchTable checks the table blocks of --watch: the service
// and its count, the table, an empty line.
func TestInstancesWatchTable(t *testing.T) {
	ep := etcdtest.Start(t).Endpoints()[0]
	s := etcdStore(t, ep)
	if err := s.Register(context.Background(), registry.Instance{Service: library, ID: "a", Address: "127.0.0.1:9091"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr healthtest.SyncBuffer
	done := make(chan int)
	go func() {
		done <- runContext(ctx, []string{"instances", "--etcd", ep, "--watch", "-o", "table", library}, &stdout, &stderr)
	}()
	want := library + ": 1 instance\nID  ADDRESS         HEALTH  CHECKED\na   127.0.0.1:9091  -       -\n\n"
	deadline := time.Now().Add(10 * time.Second)
	for stdout.String() != want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if status := <-done; status != 0 || stdout.String() != want {
		t.Errorf("status %d, stderr %q, stdout (-want +got):\n%s", status, stderr.String(), cmp.Diff(want, stdout.String()))
	}
}

// TestInstancesUsage checks the command-line mistakes of instances, and
// an etcd that does not answer.
func TestInstancesUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{library}, "name the etcd cluster to read with --etcd"},
		{[]string{"--etcd", "http://127.0.0.1:2379"}, "name one service, by its full name"},
		{[]string{"--etcd", "http://127.0.0.1:2379", library, "x"}, "name one service, by its full name"},
		{[]string{"--etcd", "http://127.0.0.1:2379", "a/b"}, `"a/b": not a service's full name`},
	} {
		status, stdout, stderr := runCommand(t, append([]string{"instances"}, tt.args...)...)
		want := "registration instances: " + tt.want + "\nRun 'registration instances --help' for usage.\n"
		if status != 1 || stdout != "" || stderr != want {
			t.Errorf("%q: status %d, stdout %q, stderr\n got %q\nwant %q", tt.args, status, stdout, stderr, want)
		}
	}
	for _, ep := range []string{closedPort(t), hungListener(t)} {
		for _, watch := range []bool{false, true} {
			args := []string{"instances", "--etcd", ep, "--etcd-timeout", "1s", library}
			if watch {
				args = append(args, "--watch")
			}
			start := time.Now()
			status, stdout, stderr := runCommand(t, args...)
			want := "registration instances: etcd at " + ep + ": "
			if status != 1 || stdout != "" || !strings.HasPrefix(stderr, want) {
				t.Errorf("%q: status %d, stdout %q, stderr %q, want it to start %q", args, status, stdout, stderr, want)
			}
			if elapsed := time.Since(start); elapsed > 4*time.Second {
				t.Errorf("%q: took %v with --etcd-timeout 1s", args, elapsed)
			}
		}
	}
}
