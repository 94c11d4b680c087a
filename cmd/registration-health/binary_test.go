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
// documented exit code.
func TestBinaryExitCodes(t *testing.T) {
	bin := buildBinary(t)
	s := startGRPC(t, false)
	s.set(healthpb.HealthCheckResponse_SERVING, "a.v1.Serving")
	s.set(healthpb.HealthCheckResponse_NOT_SERVING, "a.v1.NotServing")
	noHealth := startGRPC(t, true)
	dir := t.TempDir()
	reg := writeRegistration(t, dir, "reg.json", testService("a.v1.Serving"), testService("a.v1.NotServing"))

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"help", []string{"--help"}, 0, "  4  unhealthy", ""},
		{"version", []string{"--version"}, 0, "registration-health ", ""},
		{"healthy", []string{"--addr", s.addr, "--service", "a.v1.Serving", reg}, 0, `"status": "healthy"`, ""},
		{"bad arguments", []string{"--addr", s.addr, "--timeout", "-1s", reg}, 1, "", "--timeout -1s: must be positive"},
		{"missing file", []string{"--addr", s.addr, filepath.Join(dir, "nope.json")}, 1, "", "nope.json: no such file"},
		{"connection failure", []string{"--addr", closedAddr(t), reg}, 2, `"status": "connection_failed"`, ""},
		{"no health service", []string{"--addr", noHealth.addr, reg}, 3, `"status": "no_health_service"`, ""},
		{"unhealthy", []string{"--addr", s.addr, reg}, 4, `"status": "unhealthy"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			var stdout, stderr strings.Builder
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
}

// TestBinarySIGTERM checks that a monitor process stops cleanly, with exit
// code 0, on SIGTERM and on SIGINT.
func TestBinarySIGTERM(t *testing.T) {
	bin := buildBinary(t)
	s := startGRPC(t, false)
	s.set(healthpb.HealthCheckResponse_SERVING, "a.v1.Serving")
	reg := writeRegistration(t, t.TempDir(), "reg.json", testService("a.v1.Serving"))
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		cmd := exec.Command(bin, "--monitor", "--interval", "50ms", "--addr", s.addr, "-o", "json", "--listen", "127.0.0.1:0", reg)
		var stdout, stderr syncBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, "the first status", func() bool { return strings.Contains(stdout.String(), `"status":"healthy"`) })
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
