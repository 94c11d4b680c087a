package main

import (
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/internal/cli"
)

// runCLI runs the program in-process and returns its exit code and output.
func runCLI(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr healthtest.SyncBuffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// parseArgs reads the command line as the program does and returns the
// Config and --format value it would check and run, without running
// anything.
func parseArgs(t testing.TB, args ...string) (health.Config, string) {
	t.Helper()
	var cfg health.Config
	var format string
	ran := false
	root := newRoot(func(_ *cobra.Command, c health.Config, f string) error {
		cfg, format, ran = c, f, true
		return nil
	})
	var stderr strings.Builder
	if code := cli.Run(root, cli.DoubleDash(root.Flags(), args), io.Discard, &stderr); code != 0 || !ran {
		t.Fatalf("%q: exit status %d, ran %v; stderr:\n%s", args, code, ran, stderr.String())
	}
	return cfg, format
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
				return []string{"--check", "grpc,udp", "-o", "xml", "--timeout", "1s", "--connect-timeout", "2s",
					"--concurrency", "-1", "--http-path", "healthz", "--header", "X-A", reg}
			},
			want: []string{
				`--check "grpc,udp": want grpc, http, tcp, both (grpc and http), or a comma list such as grpc,tcp`,
				`flag --format="xml": want table, json or yaml`,
				"--connect-timeout 2s: must be positive and at most --timeout (1s)",
				"--concurrency -1: must be at least 1, or 0 to fit the machine",
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
			want: []string{"registration-health: unknown flag: --adress", "Run 'registration-health --help' for usage."},
		},
		{
			name: "unknown single-dash flag",
			args: func(dir, reg string) []string { return []string{"-adress", "x", reg} },
			want: []string{"registration-health: unknown shorthand flag: 'a' in -adress", "Run 'registration-health --help' for usage."},
		},
		{
			name: "bad value for a typed flag",
			args: func(dir, reg string) []string { return []string{reg, "-timeout", "soon"} },
			want: []string{`registration-health: invalid argument "soon" for "--timeout" flag`, "Run 'registration-health --help' for usage."},
		},
		{
			name: "bad format under its old name",
			args: func(dir, reg string) []string { return []string{"--output", "xml", reg} },
			want: []string{`flag --format="xml": want table, json or yaml`},
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

// TestOneTarget checks the command without registration files, as
// grpc-health-probe is used: --addr alone checks the whole server,
// --service a service by name; without --addr, the error says how to
// check one target.
func TestOneTarget(t *testing.T) {
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_NOT_SERVING, "library.v1.ShelfService")
	s.Set(healthpb.HealthCheckResponse_SERVING, "library.v1.LibraryService")

	code, stdout, stderr := runCLI(t, "--addr", s.Addr, "-o", "json")
	if code != health.ExitHealthy || !strings.Contains(stdout, `"service": ""`) || !strings.Contains(stdout, `"healthy": 1`) {
		t.Errorf("whole server: exit code %d, want 0\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = runCLI(t, "-addr", s.Addr, "-service", "library.v1.ShelfService", "--service", "library.v1.LibraryService", "-o", "json")
	if code != health.ExitUnhealthy {
		t.Errorf("by name: exit code %d, want %d\n%s%s", code, health.ExitUnhealthy, stdout, stderr)
	}
	for _, want := range []string{`"service": "library.v1.ShelfService"`, `"status": "unhealthy"`, `"service": "library.v1.LibraryService"`, `"total": 2`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("by name: the output does not say %s:\n%s", want, stdout)
		}
	}

	code, stdout, stderr = runCLI(t, "--service", "library.v1.LibraryService")
	if code != health.ExitInvalidArguments || stdout != "" ||
		!strings.Contains(stderr, "registration-health: no registration file given") || !strings.Contains(stderr, "--addr HOST:PORT") {
		t.Errorf("no file, no address: exit code %d, want 1\n%s%s", code, stdout, stderr)
	}
}

// TestExampleTargetsFile checks that testdata/targets.yaml, the documented
// example, is a valid targets file.
func TestExampleTargetsFile(t *testing.T) {
	dir := t.TempDir()
	reg := healthtest.WriteRegistration(t, dir, "reg.yaml", healthtest.Service("library.v1.LibraryService"),
		healthtest.Service("library.v1.ShelfService"), healthtest.Service("library.v1.AuthorService"), healthtest.Service("library.v1.OtherService"))
	cfg, _ := parseArgs(t, "--targets", "testdata/targets.yaml", "--check", "both", reg)
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
		"library.v1.ShelfService http":   "https://shelf.internal:8443/readyz",
		"library.v1.AuthorService grpc":  "127.0.0.1:9090",
		"library.v1.AuthorService http":  "http://author.internal:8081/healthz",
		"library.v1.OtherService grpc":   "unix:/run/other.sock",
		"library.v1.OtherService tcp":    "unix:/run/other.sock",
	}
	if len(got) != len(want) {
		t.Errorf("%d checks, want %d: %v", len(got), len(want), got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	for _, c := range p.Checks {
		timeout := map[string]time.Duration{"library.v1.AuthorService": 5 * time.Second}[c.Service]
		if timeout == 0 {
			timeout = time.Second
		}
		if c.Timeout != timeout {
			t.Errorf("%s %s: timeout %v, want %v", c.Service, c.Kind, c.Timeout, timeout)
		}
		if secure := c.Service == "library.v1.ShelfService" && c.Kind == health.KindHTTP; (c.TLS != nil) != secure {
			t.Errorf("%s %s: TLS %v, want %v", c.Service, c.Kind, c.TLS != nil, secure)
		}
	}
}

// TestFlagsAfterFiles checks that flags may follow the registration files,
// that "-" is a file (standard input) and that everything after "--" is a
// file, even the name of a command.
func TestFlagsAfterFiles(t *testing.T) {
	cfg, _ := parseArgs(t, "a.json", "--addr", "h:1", "-", "b.yaml", "--", "--c.json", "version")
	if got := strings.Join(cfg.Files, " "); got != "a.json - b.yaml --c.json version" || cfg.Addr != "h:1" {
		t.Errorf("files %q, addr %q", got, cfg.Addr)
	}
}

// TestCommandLine checks how the command line is read into a Config: the
// shared --format (-o) and its old name --output, repeatable flags, the
// single-dash long flags of the standard flag package, and the flags
// recorded as given.
func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		want   health.Config // compared on the fields set here, Files and Given
		format string
	}{
		{name: "defaults", args: []string{"r.json"},
			want: health.Config{Files: []string{"r.json"}}},
		{name: "--format", args: []string{"r.json", "--format", "yaml"}, format: "yaml",
			want: health.Config{Files: []string{"r.json"}, Given: map[string]bool{"format": true}}},
		{name: "-o", args: []string{"-o", "table", "r.json"}, format: "table",
			want: health.Config{Files: []string{"r.json"}, Given: map[string]bool{"format": true}}},
		{name: "-o=", args: []string{"-o=json", "r.json"}, format: "json",
			want: health.Config{Files: []string{"r.json"}, Given: map[string]bool{"format": true}}},
		{name: "--output, the old name", args: []string{"--output", "yaml", "r.json"}, format: "yaml",
			want: health.Config{Files: []string{"r.json"}, Given: map[string]bool{"format": true}}},
		{name: "repeatable flags keep commas",
			args: []string{"--header", "Accept: a, b", "--header", "X-B: c", "--service", "a.*", "--service", "b.*", "r.json"},
			want: health.Config{Files: []string{"r.json"}, Headers: []string{"Accept: a, b", "X-B: c"}, Services: []string{"a.*", "b.*"},
				Given: map[string]bool{"header": true, "service": true}}},
		{name: "single-dash long flags",
			args:   []string{"-addr", "h:1", "-timeout=3s", "-tls", "-tls-no-verify=true", "-target", "a.v1.S=h:2", "-output", "yaml", "r.json"},
			format: "yaml",
			want: health.Config{Files: []string{"r.json"}, Addr: "h:1", Timeout: 3 * time.Second, TLS: true, TLSNoVerify: true,
				Targets: []string{"a.v1.S=h:2"},
				Given:   map[string]bool{"addr": true, "timeout": true, "tls": true, "tls-no-verify": true, "target": true, "format": true}}},
		{name: "a flag's value is never rewritten",
			args: []string{"--header", "-tls", "-service", "-addr", "r.json"},
			want: health.Config{Files: []string{"r.json"}, Headers: []string{"-tls"}, Services: []string{"-addr"},
				Given: map[string]bool{"header": true, "service": true}}},
		{name: "nothing after -- is rewritten", args: []string{"-monitor", "--", "-addr"},
			want: health.Config{Files: []string{"-addr"}, Monitor: true, Given: map[string]bool{"monitor": true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, format := parseArgs(t, tc.args...)
			if format != tc.format {
				t.Errorf("format %q, want %q", format, tc.format)
			}
			want := health.DefaultConfig()
			if tc.want.Given == nil {
				tc.want.Given = map[string]bool{}
			}
			w := reflect.ValueOf(&want).Elem()
			for i, v := 0, reflect.ValueOf(tc.want); i < v.NumField(); i++ {
				if !v.Field(i).IsZero() {
					w.Field(i).Set(v.Field(i))
				}
			}
			if !reflect.DeepEqual(cfg, want) {
				t.Errorf("config\n%+v\nwant\n%+v", cfg, want)
			}
		})
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
		cfg, _ := parseArgs(t, append([]string{"--addr", "h:1", reg}, tc.args...)...)
		p, err := cfg.Plan()
		if err != nil {
			t.Fatal(err)
		}
		if p.Options.ConnectTimeout != tc.want {
			t.Errorf("%v: connect timeout %v, want %v", tc.args, p.Options.ConnectTimeout, tc.want)
		}
	}
}
