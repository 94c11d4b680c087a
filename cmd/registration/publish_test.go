package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/internal/etcdtest"
)

// The example's per-file output, as the plugin writes it and the repository
// commits it.
const exampleRegistrations = "../../example/gen/registration"

// exampleFiles are the files under exampleRegistrations.
func exampleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(exampleRegistrations + "/*/v1/*.registration.json")
	if err != nil || len(files) != 3 {
		t.Fatalf("the example's registration files: %v, %v", files, err)
	}
	return files
}

// published is publish's JSON report.
type published struct {
	Source    string   `json:"source"`
	Prefix    string   `json:"prefix"`
	Put       []string `json:"put"`
	Unchanged []string `json:"unchanged"`
	Pruned    []string `json:"pruned"`
}

// publishJSON runs publish with args and decodes its report.
func publishJSON(t *testing.T, args ...string) published {
	t.Helper()
	status, stdout, stderr := runCommand(t, append([]string{"publish", "-o", "json"}, args...)...)
	if status != 0 || stderr != "" {
		t.Fatalf("publish %q: status %d, stderr %q", args, status, stderr)
	}
	var p published
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("publish %q: %v\n%s", args, err, stdout)
	}
	return p
}

// sortedRows runs a read verb whose JSON output is a list of objects and
// returns them sorted: etcd lists services by name, files in file order.
func sortedRows(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	status, stdout, stderr := runCommand(t, args...)
	if status != 0 || stderr != "" {
		t.Fatalf("%q: status %d, stderr %q", args, status, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("%q: %v\n%s", args, err, stdout)
	}
	key := func(row map[string]any) string {
		b, _ := json.Marshal(row) // sorted keys
		return string(b)
	}
	slices.SortFunc(rows, func(a, b map[string]any) int { return strings.Compare(key(a), key(b)) })
	return rows
}

// TestPublishAndRead publishes the example's per-file output into a real
// etcd and reads it back with services, inspect and events --etcd, which
// must print what they print from the files; then publishes again
// (unchanged), prunes, and keeps another source's services.
func TestPublishAndRead(t *testing.T) {
	srv := etcdtest.Start(t)
	ep := srv.Endpoints()[0]
	files := exampleFiles(t)
	all := []string{"identity.v1.AuthService", "identity.v1.UserService", "library.v1.LibraryService", "notify.v1.NotificationService"}

	// A directory of per-file output, as compare reads it.
	got := publishJSON(t, "--etcd", ep, "--source", "example", exampleRegistrations)
	if want := (published{Source: "example", Prefix: "/registration/v1", Put: all, Unchanged: []string{}, Pruned: []string{}}); !cmp.Equal(got, want) {
		t.Errorf("first publish (-want +got):\n%s", cmp.Diff(want, got))
	}

	etcdArgs := []string{"--etcd", ep}
	for _, verb := range []string{"services", "events"} {
		fromFiles := sortedRows(t, append([]string{verb, "-o", "json"}, files...)...)
		fromEtcd := sortedRows(t, append([]string{verb, "-o", "json"}, etcdArgs...)...)
		if diff := cmp.Diff(fromFiles, fromEtcd); diff != "" {
			t.Errorf("%s --etcd differs from %s on the files (-files +etcd):\n%s", verb, verb, diff)
		}
	}
	for _, format := range []string{"table", "json", "yaml"} {
		_, fromFiles, _ := runCommand(t, append([]string{"inspect", "LibraryService", "-o", format}, files...)...)
		status, fromEtcd, stderr := runCommand(t, append([]string{"inspect", "LibraryService", "-o", format}, etcdArgs...)...)
		if status != 0 || stderr != "" {
			t.Fatalf("inspect --etcd: status %d, stderr %q", status, stderr)
		}
		if diff := cmp.Diff(fromFiles, fromEtcd); diff != "" {
			t.Errorf("inspect -o %s --etcd differs from the files (-files +etcd):\n%s", format, diff)
		}
	}

	// The same files again, named one by one: nothing to write.
	got = publishJSON(t, append([]string{"--etcd", ep, "--source", "example"}, files...)...)
	if want := (published{Source: "example", Prefix: "/registration/v1", Put: []string{}, Unchanged: all, Pruned: []string{}}); !cmp.Equal(got, want) {
		t.Errorf("second publish (-want +got):\n%s", cmp.Diff(want, got))
	}

	// Another source publishes the library too, under its own name.
	publishJSON(t, "--etcd", ep, "--source", "other", exampleRegistrations+"/library")

	// Only the library, pruned: the example's other services go.
	got = publishJSON(t, "--etcd", ep, "--source", "example", "--prune", exampleRegistrations+"/library")
	if want := (published{Source: "example", Prefix: "/registration/v1", Put: []string{}, Unchanged: []string{"library.v1.LibraryService"},
		Pruned: []string{"identity.v1.AuthService", "identity.v1.UserService", "notify.v1.NotificationService"}}); !cmp.Equal(got, want) {
		t.Errorf("pruning publish (-want +got):\n%s", cmp.Diff(want, got))
	}
	names := func() []string {
		var names []string
		for _, row := range sortedRows(t, "services", "-o", "json", "--etcd", ep) {
			names = append(names, row["name"].(string))
		}
		return names
	}
	if got, want := names(), []string{"library.v1.LibraryService"}; !slices.Equal(got, want) {
		t.Errorf("after the prune, services --etcd lists %q, want %q", got, want)
	}

	// The other source's prune of nothing it had leaves the library, which
	// the example still publishes.
	publishJSON(t, "--etcd", ep, "--source", "other", "--prune", exampleRegistrations+"/notify")
	if got, want := names(), []string{"library.v1.LibraryService", "notify.v1.NotificationService"}; !slices.Equal(got, want) {
		t.Errorf("after the other source's prune, services --etcd lists %q, want %q", got, want)
	}

	// Another prefix is another store.
	got = publishJSON(t, "--etcd", ep, "--prefix", "/staging/registration/v1", exampleRegistrations+"/identity")
	if want := (published{Source: "default", Prefix: "/staging/registration/v1", Put: []string{"identity.v1.AuthService", "identity.v1.UserService"},
		Unchanged: []string{}, Pruned: []string{}}); !cmp.Equal(got, want) {
		t.Errorf("publish under another prefix (-want +got):\n%s", cmp.Diff(want, got))
	}
	status, stdout, stderr := runCommand(t, "services", "-o", "table", "--etcd", ep, "--prefix", "/staging/registration/v1")
	if status != 0 || !strings.Contains(stdout, "identity.v1.AuthService") || strings.Contains(stdout, "LibraryService") {
		t.Errorf("services --prefix: status %d, stdout:\n%s\nstderr: %s", status, stdout, stderr)
	}
}

// TestPublishTable checks publish's table.
func TestPublishTable(t *testing.T) {
	ep := etcdtest.Start(t).Endpoints()[0]
	status, stdout, stderr := runCommand(t, "publish", "--etcd", ep, "-o", "table", exampleRegistrations+"/notify")
	want := "SERVICE                        ACTION\nnotify.v1.NotificationService  put\n1 put, 0 unchanged, 0 pruned; source \"default\" under /registration/v1\n"
	if status != 0 || stderr != "" || stdout != want {
		t.Errorf("status %d, stderr %q, stdout (-want +got):\n%s", status, stderr, cmp.Diff(want, stdout))
	}
}

// TestEtcdUsage checks the command-line mistakes of the etcd flags: each
// is refused with what is wrong, exit 1, and nothing on stdout.
func TestEtcdUsage(t *testing.T) {
	file := exampleFiles(t)[0]
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"services", "--etcd", "http://127.0.0.1:2379", file}, "registration services: give registration files or --etcd, not both (files: " + file + ")\n"},
		{[]string{"events", file, "--etcd", "http://127.0.0.1:2379"}, "registration events: give registration files or --etcd, not both (files: " + file + ")\n"},
		{[]string{"inspect", "LibraryService", file, "--etcd", "http://127.0.0.1:2379"}, "registration inspect: give registration files or --etcd, not both (files: " + file + ")\n"},
		{[]string{"inspect", "--etcd", "http://127.0.0.1:2379"}, "registration inspect: name a service\n"},
		{[]string{"services", "--prefix", "/x", file}, "registration services: --prefix needs --etcd\n"},
		{[]string{"events", "--etcd-timeout", "1s", file}, "registration events: --etcd-timeout needs --etcd\n"},
		{[]string{"services", "--etcd", "http://127.0.0.1:2379", "--etcd-timeout", "0s"}, "registration services: --etcd-timeout 0s: must be positive\n"},
		{[]string{"publish", file}, "registration publish: name the etcd cluster to publish to with --etcd\n"},
		{[]string{"publish", "--etcd", "http://127.0.0.1:2379"}, "registration publish: name at least one registration file or directory\n"},
		{[]string{"publish", "--etcd", "http://127.0.0.1:2379", "--prune", file}, "registration publish: --prune needs --source: the name of what publishes (such as the repository), the same on every run\n"},
		{[]string{"publish", "--etcd", "http://127.0.0.1:2379", "--source", "a/b", file}, "registration publish: --source \"a/b\": want a name with no \"/\"\n"},
		{[]string{"publish", "--etcd", "http://127.0.0.1:2379", "--source", "", file}, "registration publish: --source \"\": want a name with no \"/\"\n"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runCommand(t, tt.args...)
		name := strings.Fields(tt.want)[0] + " " + strings.Fields(tt.want)[1]
		want := tt.want + "Run '" + strings.TrimSuffix(name, ":") + " --help' for usage.\n"
		if status != 1 || stdout != "" || stderr != want {
			t.Errorf("%q: status %d, stdout %q, stderr\n got %q\nwant %q", tt.args, status, stdout, stderr, want)
		}
	}
	// A file the reader refuses is refused before etcd is asked.
	status, _, stderr := runCommand(t, "publish", "--etcd", "http://127.0.0.1:1", "testdata/wrong_version.json")
	if status != 1 || !strings.HasPrefix(stderr, "registration publish: testdata/wrong_version.json:1:12: at /format:") {
		t.Errorf("a bad file: status %d, stderr %q", status, stderr)
	}
}

// TestEtcdUnreachable checks that an etcd that does not answer, refused or
// hung, is an error that names the endpoints within --etcd-timeout, for
// every verb that reads etcd and for publish.
func TestEtcdUnreachable(t *testing.T) {
	refused := closedPort(t)
	hung := hungListener(t)
	for _, ep := range []string{refused, hung} {
		for _, args := range [][]string{
			{"services"}, {"events"}, {"inspect", "LibraryService"},
			{"publish", exampleRegistrations},
		} {
			args = append(args, "--etcd", ep, "--etcd-timeout", "1s")
			start := time.Now()
			status, stdout, stderr := runCommand(t, args...)
			elapsed := time.Since(start)
			want := "registration " + args[0] + ": etcd at " + ep + ": "
			if status != 1 || stdout != "" || !strings.HasPrefix(stderr, want) {
				t.Errorf("%q: status %d, stdout %q, stderr %q, want it to start %q", args, status, stdout, stderr, want)
			}
			// Connecting and one request, each bounded by the timeout, and
			// slack for a loaded machine.
			if elapsed > 4*time.Second {
				t.Errorf("%q: took %v with --etcd-timeout 1s", args, elapsed)
			}
		}
	}
}

// closedPort returns the URL of a loopback port that nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// hungListener returns the URL of a loopback port that accepts connections
// and never answers, like a hung machine.
func hungListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// TestPublishCluster publishes into a three-member etcd cluster with one
// member stopped, naming every member's URL (--etcd repeated and
// comma-separated), and reads back through another member: the command
// uses whichever member answers.
func TestPublishCluster(t *testing.T) {
	c := etcdtest.StartCluster(t, 3)
	members := c.Members()
	members[0].Stop(t)
	eps := c.Endpoints()
	got := publishJSON(t, "--etcd", eps[0], "--etcd", eps[1]+","+eps[2], "--source", "example", exampleRegistrations+"/library")
	if want := []string{"library.v1.LibraryService"}; !slices.Equal(got.Put, want) {
		t.Errorf("publish put %q, want %q", got.Put, want)
	}
	rows := sortedRows(t, "services", "-o", "json", "--etcd", eps[2])
	if len(rows) != 1 || rows[0]["name"] != "library.v1.LibraryService" {
		t.Errorf("services --etcd through another member: %v", rows)
	}
}

// TestServicesWatch follows the registrations in etcd while publishes put
// and prune them: a put for each stored service first, then every change
// in order, one JSON object a line, until the watch is stopped (exit 0).
func TestServicesWatch(t *testing.T) {
	ep := etcdtest.Start(t).Endpoints()[0]
	publishJSON(t, "--etcd", ep, "--source", "example", exampleRegistrations+"/library")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr healthtest.SyncBuffer
	done := make(chan int)
	go func() {
		done <- runContext(ctx, []string{"services", "--etcd", ep, "--watch", "-o", "json"}, &stdout, &stderr)
	}()
	type change struct{ Change, Service, File string }
	changes := func() []change {
		var out []change
		for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			var c change
			if line != "" && json.Unmarshal([]byte(line), &c) == nil {
				out = append(out, c)
			}
		}
		return out
	}
	waitFor := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for len(changes()) < n {
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %d changes, got:\n%s\nstderr: %s", n, stdout.String(), stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor(1)
	publishJSON(t, "--etcd", ep, "--source", "example", exampleRegistrations+"/notify", exampleRegistrations+"/library")
	waitFor(2)
	publishJSON(t, "--etcd", ep, "--source", "example", "--prune", exampleRegistrations+"/notify")
	waitFor(4)
	want := []change{
		{"put", "library.v1.LibraryService", "library/v1/library.proto"},
		{"put", "notify.v1.NotificationService", "notify/v1/notify.proto"},
		// Published alone, notify's document describes library's messages
		// as notify's file does, without their locations in library's
		// file: a change.
		{"put", "notify.v1.NotificationService", "notify/v1/notify.proto"},
		{"delete", "library.v1.LibraryService", ""},
	}
	if diff := cmp.Diff(want, changes()); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
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

	// --watch reads etcd only.
	status, _, errOut := runCommand(t, "services", "--watch", exampleFiles(t)[0])
	if status != 1 || errOut != "registration services: --watch needs --etcd\nRun 'registration services --help' for usage.\n" {
		t.Errorf("--watch without --etcd: status %d, stderr %q", status, errOut)
	}
}

// TestPublishYAMLFromStdin publishes the example's aggregate as YAML read
// from standard input: what services --etcd prints then is what it prints
// for the JSON files.
func TestPublishYAMLFromStdin(t *testing.T) {
	ep := etcdtest.Start(t).Endpoints()[0]
	yaml, err := os.ReadFile(fixture("example-yaml/registry.registration.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	withStdin(t, string(yaml), func() {
		got := publishJSON(t, "--etcd", ep, "--source", "yaml", "-")
		if len(got.Put) != 4 {
			t.Errorf("published from standard input: %+v", got)
		}
	})
	fromFiles := sortedRows(t, append([]string{"services", "-o", "json"}, exampleFiles(t)...)...)
	fromEtcd := sortedRows(t, "services", "-o", "json", "--etcd", ep)
	if diff := cmp.Diff(fromFiles, fromEtcd); diff != "" {
		t.Errorf("services --etcd after a YAML publish differs from the files (-files +etcd):\n%s", diff)
	}
}
