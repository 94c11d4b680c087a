package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
)

// binDir holds the binary that buildBinary builds, once per test run.
var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "registration-health-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildBinary builds the program with go build, as users install it.
func buildBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binPath = filepath.Join(binDir, programName)
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binError = errors.New(string(out))
		}
	})
	if binError != nil {
		t.Fatalf("go build: %v", binError)
	}
	return binPath
}

// TestBinaryExitCodes runs the built binary as a process and checks each
// exit code that README.md documents, and that the help, version and
// completion commands and the command-line grammar end as they should.
func TestBinaryExitCodes(t *testing.T) {
	bin := buildBinary(t)
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.Serving")
	s.Set(healthpb.HealthCheckResponse_NOT_SERVING, "a.v1.NotServing")
	noHealth := healthtest.NewBareGRPCServer(t)
	dir := t.TempDir()
	reg := healthtest.WriteRegistration(t, dir, "reg.json", healthtest.Service("a.v1.Serving"), healthtest.Service("a.v1.NotServing"))
	regData, err := os.ReadFile(reg)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string
	}{
		{name: "help", args: []string{"--help"}, code: 0, stdout: "  4  unhealthy"},
		{name: "help command", args: []string{"help"}, code: 0, stdout: "  4  unhealthy"},
		{name: "version", args: []string{"--version"}, code: 0, stdout: "registration-health "},
		{name: "version command", args: []string{"version"}, code: 0, stdout: "registration-health "},
		{name: "completion", args: []string{"completion", "zsh"}, code: 0, stdout: "#compdef registration-health"},
		{name: "healthy", args: []string{"--addr", s.Addr, "--service", "a.v1.Serving", reg}, code: 0, stdout: `"status": "healthy"`},
		{name: "flags after the file", args: []string{reg, "--addr", s.Addr, "--service", "a.v1.Serving", "-o", "yaml"}, code: 0, stdout: "status: healthy"},
		{name: "single-dash long flags", args: []string{"-addr", s.Addr, "-service=a.v1.Serving", "-output", "yaml", reg}, code: 0, stdout: "status: healthy"},
		{name: "registration on stdin", args: []string{"--addr", s.Addr, "--service", "a.v1.Serving", "-"}, stdin: string(regData),
			code: 0, stdout: `"status": "healthy"`},
		{name: "bad arguments", args: []string{"--addr", s.Addr, "--timeout", "-1s", reg}, code: 1, stderr: "--timeout -1s: must be positive"},
		{name: "unknown flag", args: []string{"--addr", s.Addr, "--colour", reg}, code: 1, stderr: "unknown flag: --colour"},
		{name: "bad format", args: []string{"--addr", s.Addr, "--format", "xml", reg}, code: 1, stderr: `flag --format="xml": want table, json or yaml`},
		{name: "missing file", args: []string{"--addr", s.Addr, filepath.Join(dir, "nope.json")}, code: 1, stderr: "nope.json: no such file"},
		{name: "connection failure", args: []string{"--addr", healthtest.ClosedAddr(t), reg}, code: 2, stdout: `"status": "connection_failed"`},
		{name: "no health service", args: []string{"--addr", noHealth.Addr, reg}, code: 3, stdout: `"status": "no_health_service"`},
		{name: "unhealthy", args: []string{"--addr", s.Addr, reg}, code: 4, stdout: `"status": "unhealthy"`},
	}
	tested := map[int]bool{}
	for _, tc := range cases {
		tested[tc.code] = true
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			var stdout, stderr strings.Builder
			cmd.Stdin = strings.NewReader(tc.stdin)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatal(err)
			}
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stdout:\n%s\nstderr:\n%s\nwant %q and %q", stdout.String(), stderr.String(), tc.stdout, tc.stderr)
			}
		})
	}
	for _, code := range documentedExitCodes(t) {
		if !tested[code] {
			t.Errorf("README.md documents exit code %d, which no case tests", code)
		}
		delete(tested, code)
	}
	for code := range tested {
		t.Errorf("exit code %d is tested but not in README.md's table", code)
	}
}

// TestBinarySIGTERM checks that a monitor process stops cleanly, with exit
// code 0, on SIGTERM and on SIGINT.
func TestBinarySIGTERM(t *testing.T) {
	bin := buildBinary(t)
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.Serving")
	reg := healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("a.v1.Serving"))
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		cmd := exec.Command(bin, "--monitor", "--interval", "50ms", "--addr", s.Addr, "-o", "json", "--listen", "127.0.0.1:0", reg)
		var stdout, stderr healthtest.SyncBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		healthtest.WaitFor(t, 5*time.Second, "the first status", func() bool { return strings.Contains(stdout.String(), `"status":"healthy"`) })
		start := time.Now()
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("%v: %v\n%s", sig, err, stderr.String())
		}
		if took := time.Since(start); took > 2*time.Second || !strings.HasSuffix(stderr.String(), "registration-health: stopped\n") {
			t.Errorf("%v: stopped after %v; stderr:\n%s", sig, took, stderr.String())
		}
	}
}
