package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ovasabi/protoc-gen-registration/internal/etcdtest"
)

// exportArgs are arguments that export the example to each target.
var exportArgs = map[string][]string{
	"backstage":  {"export", "--to", "backstage", "--lifecycle", "production"},
	"consul":     {"export", "--to", "consul", "--addr", "10.0.0.7:9090", "--http-addr", "10.0.0.7:8080"},
	"kubernetes": {"export", "--to", "kubernetes", "--addr", "localhost:9090", "--http-addr", "localhost:8080", "--service-manifest"},
}

// TestExportStdout: each target writes a YAML stream with its documents
// per service, the same bytes on every run, from an aggregate file as
// from the directory of per-file output.
func TestExportStdout(t *testing.T) {
	perService := map[string]int{"backstage": 2, "consul": 1, "kubernetes": 2}
	for target, args := range exportArgs {
		t.Run(target, func(t *testing.T) {
			status, out, stderr := runCommand(t, append(args, exampleAggregate)...)
			if status != 0 || stderr != "" {
				t.Fatalf("status %d, stderr %q", status, stderr)
			}
			if n := strings.Count("\n"+out, "\n---\n"); !strings.HasPrefix(out, "---\n") || n != 4*perService[target] {
				t.Errorf("%d documents for 4 services, want %d:\n%s", n, 4*perService[target], out)
			}
			if _, again, _ := runCommand(t, append(args, exampleAggregate)...); again != out {
				t.Error("a second run writes other bytes")
			}
			data, err := os.ReadFile(exampleAggregate)
			if err != nil {
				t.Fatal(err)
			}
			withStdin(t, string(data), func() {
				if status, fromStdin, stderr := runCommand(t, append(args, "-")...); status != 0 || fromStdin != out {
					t.Errorf("from standard input: status %d, stderr %q, and other bytes", status, stderr)
				}
			})
			status, fromDir, stderr := runCommand(t, append(args, "../../example/gen/registration")...)
			if status != 0 || stderr != "" || strings.Count(fromDir, "---\n") != strings.Count(out, "---\n") {
				t.Errorf("from the directory: status %d, stderr %q:\n%s", status, stderr, fromDir)
			}
		})
	}
}

// TestExportOut: --out writes one file per document, with the documented
// names, and nothing when a service cannot be exported.
func TestExportOut(t *testing.T) {
	want := map[string][]string{
		"backstage": {"identity.v1.AuthService.catalog-info.yaml", "identity.v1.UserService.catalog-info.yaml",
			"library.v1.LibraryService.catalog-info.yaml", "notify.v1.NotificationService.catalog-info.yaml"},
		"consul": {"identity-v1-authservice.json", "identity-v1-userservice.json", "library-v1-libraryservice.json", "notify-v1-notificationservice.json"},
		"kubernetes": {"identity-v1-authservice.probes.yaml", "identity-v1-authservice.service.yaml", "identity-v1-userservice.probes.yaml", "identity-v1-userservice.service.yaml",
			"library-v1-libraryservice.probes.yaml", "library-v1-libraryservice.service.yaml", "notify-v1-notificationservice.probes.yaml", "notify-v1-notificationservice.service.yaml"},
	}
	for target, args := range exportArgs {
		t.Run(target, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			status, out, stderr := runCommand(t, append(args, "--out", dir, exampleAggregate)...)
			if status != 0 || stderr != "" || out != "" {
				t.Fatalf("status %d, stdout %q, stderr %q", status, out, stderr)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, want[target]) {
				t.Errorf("files %q, want %q", names, want[target])
			}
			_, stream, _ := runCommand(t, append(args, exampleAggregate)...)
			var joined strings.Builder
			for _, name := range names {
				data, _ := os.ReadFile(filepath.Join(dir, name))
				joined.WriteString("---\n" + string(data))
			}
			if joined.String() != stream {
				t.Error("the files, in name order, are not the stream")
			}
		})
	}
}

func TestExportErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", exampleAggregate}, "give --to: one of backstage, consul, kubernetes"},
		{[]string{"export", "--to", "nomad", exampleAggregate}, `--to "nomad": unknown target; want one of backstage, consul, kubernetes`},
		{[]string{"export", "--to", "backstage", "--lifecycle", "production"}, "name at least one registration file or directory, or read from etcd with --etcd"},
		{[]string{"export", "--to", "backstage", exampleAggregate}, "service identity.v1.AuthService: no lifecycle: registrations give none; give --lifecycle"},
		{[]string{"export", "--to", "backstage", "--lifecycle", "production", "--addr", "a:1", exampleAggregate}, "--addr is for --to consul or kubernetes, not backstage"},
		{[]string{"export", "--to", "consul", "--owner", "x", "--addr", "a:1", exampleAggregate}, "--owner is for --to backstage, not consul"},
		{[]string{"export", "--to", "consul", "--service-manifest", "--addr", "a:1", exampleAggregate}, "--service-manifest is for --to kubernetes, not consul"},
		{[]string{"export", "--to", "backstage", "--lifecycle", "production", "--definition", "inline", exampleAggregate}, `--definition "inline": want text or url`},
		{[]string{"export", "--to", "consul", exampleAggregate}, "service identity.v1.UserService: no grpc address: give --target identity.v1.UserService=ADDRESS"},
		{[]string{"export", "--to", "kubernetes", "--addr", "unix:/run/x.sock", "--check", "grpc", exampleAggregate}, "service identity.v1.AuthService: grpc check address unix:/run/x.sock: want host:port, not a Unix socket"},
		{[]string{"export", "--to", "consul", "--addr", "a:1", "--interval", "0s", exampleAggregate}, "--interval 0s: must be positive"},
		{[]string{"export", "--to", "backstage", "--lifecycle", "production", "--etcd", "http://127.0.0.1:2379", exampleAggregate}, "give registration files or --etcd, not both (files: " + exampleAggregate + ")"},
		{[]string{"export", "--to", "backstage", "--lifecycle", "production", "--prefix", "/x", exampleAggregate}, "--prefix needs --etcd"},
	} {
		dir := filepath.Join(t.TempDir(), "out")
		status, out, stderr := runCommand(t, append(tc.args, "--out", dir)...)
		if status != 1 || out != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want status 1 and %q", tc.args, status, out, stderr, tc.want)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%q: wrote %s", tc.args, dir)
		}
	}
}

// TestExportEtcd: what registration publish put into etcd exports as the
// files it was read from do.
func TestExportEtcd(t *testing.T) {
	ep := etcdtest.Start(t).Endpoints()[0]
	if status, _, stderr := runCommand(t, "publish", "--etcd", ep, exampleAggregate); status != 0 {
		t.Fatalf("publish: status %d, stderr %q", status, stderr)
	}
	for target, args := range exportArgs {
		_, want, _ := runCommand(t, append(args, exampleAggregate)...)
		status, got, stderr := runCommand(t, append(args, "--etcd", ep)...)
		if status != 0 || stderr != "" || got != want {
			t.Errorf("%s from etcd: status %d, stderr %q, and other bytes than from the file:\n%s", target, status, stderr, got)
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	status, _, stderr := runCommand(t, "export", "--to", "backstage", "--lifecycle", "production", "--out", dir, "--etcd", "http://127.0.0.1:1", "--etcd-timeout", "300ms")
	if status != 1 || !strings.Contains(stderr, "etcd at http://127.0.0.1:1") {
		t.Errorf("an unreachable etcd: status %d, stderr %q", status, stderr)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("an unreachable etcd: wrote %s", dir)
	}
}
