package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
)

// runCLI runs the program in-process and returns its exit code and output.
func runCLI(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr healthtest.SyncBuffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestBadInput checks how the command reports bad input: exit code 1,
// every problem on a line of its own after the program name, nothing on
// stdout and no check started (the only address given is a listener that
// counts connections). Package health tests every problem it finds; these
// cases are those that depend on how flags are read.
func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		// args returns the arguments; dir holds a valid registration
		// reg.json with library.v1.LibraryService and ShelfService.
		args func(dir, reg string) []string
		want []string // substrings of stderr
	}{
		{
			name: "missing registration file",
			args: func(dir, reg string) []string { return []string{reg, dir + "/missing.json"} },
			want: []string{"registration-health: open ", "missing.json: no such file or directory"},
		},
		{
			name: "TLS flag without --tls",
			args: func(dir, reg string) []string { return []string{"--tls-no-verify", reg} },
			want: []string{"--tls-no-verify needs --tls"},
		},
		{
			name: "bad flag values",
			args: func(dir, reg string) []string {
				return []string{"--check", "tcp", "-o", "xml", "--timeout", "1s", "--connect-timeout", "2s",
					"--concurrency", "0", "--http-path", "healthz", "--header", "X-A", reg}
			},
			want: []string{
				`--check "tcp": want grpc, http or both`,
				`--output "xml": want table, json or yaml`,
				"--connect-timeout 2s: must be positive and at most --timeout (1s)",
				"--concurrency 0: must be at least 1",
				`--http-path "healthz": must start with /`,
				`--header "X-A": want NAME: VALUE`,
			},
		},
		{
			name: "monitor flags without --monitor",
			args: func(dir, reg string) []string { return []string{"--interval", "1s", "--listen", ":0", reg} },
			want: []string{"--interval needs --monitor", "--listen needs --monitor"},
		},
		{
			name: "unknown flag",
			args: func(dir, reg string) []string { return []string{"--adress", "x", reg} },
			want: []string{"flag provided but not defined: -adress", "Run 'registration-health --help' for usage."},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			reg := healthtest.WriteRegistration(t, dir, "reg.json",
				healthtest.Service("library.v1.LibraryService"), healthtest.Service("library.v1.ShelfService"))
			target := healthtest.NewCountingListener(t)
			args := append([]string{"--addr", target.Addr()}, tc.args(dir, reg)...)
			code, stdout, stderr := runCLI(t, args...)
			if code != health.ExitInvalidArguments {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, health.ExitInvalidArguments, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if !strings.HasPrefix(line, "registration-health: ") && !strings.HasPrefix(line, "Run ") {
					t.Errorf("stderr line without the program name: %q", line)
				}
			}
			if stdout != "" {
				t.Errorf("stdout is not empty:\n%s", stdout)
			}
			if n := target.Accepted(); n != 0 {
				t.Errorf("%d connections were made; want none", n)
			}
		})
	}
}

// TestExampleTargetsFile checks that testdata/targets.yaml, the documented
// example, is a valid targets file.
func TestExampleTargetsFile(t *testing.T) {
	dir := t.TempDir()
	reg := healthtest.WriteRegistration(t, dir, "reg.yaml", healthtest.Service("library.v1.LibraryService"),
		healthtest.Service("library.v1.ShelfService"), healthtest.Service("library.v1.AuthorService"), healthtest.Service("library.v1.OtherService"))
	cfg, err := parseArgs([]string{"--targets", "testdata/targets.yaml", "--check", "both", reg})
	if err != nil {
		t.Fatal(err)
	}
	p, err := cfg.Plan()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range p.Checks {
		addr := c.Address
		if c.Kind == health.KindHTTP {
			addr = c.URL
		}
		got[c.Service+" "+string(c.Kind)] = addr
	}
	want := map[string]string{
		"library.v1.LibraryService grpc": "library.internal:9090",
		"library.v1.LibraryService http": "http://library.internal:9090/healthz",
		"library.v1.ShelfService grpc":   "shelf.internal:9090",
		"library.v1.ShelfService http":   "https://shelf.internal:8443/healthz",
		"library.v1.AuthorService grpc":  "127.0.0.1:9090",
		"library.v1.AuthorService http":  "http://author.internal:8081/healthz",
		"library.v1.OtherService grpc":   "127.0.0.1:9090",
		"library.v1.OtherService http":   "http://127.0.0.1:8080/healthz",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}

// TestFlagsAfterFiles checks that flags may follow the registration files.
func TestFlagsAfterFiles(t *testing.T) {
	cfg, err := parseArgs([]string{"a.json", "--addr", "h:1", "b.yaml", "--", "--c.json"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Files, " "); got != "a.json b.yaml --c.json" || cfg.Addr != "h:1" {
		t.Errorf("files %q, addr %q", got, cfg.Addr)
	}
}

// TestConnectTimeoutFlag checks that the default --connect-timeout gives
// way to a shorter --timeout, and that one given is kept.
func TestConnectTimeoutFlag(t *testing.T) {
	reg := healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("a.v1.Service"))
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{nil, time.Second},
		{[]string{"--timeout", "500ms"}, 500 * time.Millisecond},
		{[]string{"--timeout", "500ms", "--connect-timeout", "300ms"}, 300 * time.Millisecond},
	} {
		cfg, err := parseArgs(append([]string{"--addr", "h:1", reg}, tc.args...))
		if err != nil {
			t.Fatal(err)
		}
		p, err := cfg.Plan()
		if err != nil {
			t.Fatal(err)
		}
		if p.Options.ConnectTimeout != tc.want {
			t.Errorf("%v: connect timeout %v, want %v", tc.args, p.Options.ConnectTimeout, tc.want)
		}
	}
}
