package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
		if !tested[code] && !slices.ContainsFunc(signalExits, func(s signalExit) bool { return s.code == code }) {
			t.Errorf("README.md documents exit code %d, which no case tests", code)
		}
		delete(tested, code)
	}
	for code := range tested {
		t.Errorf("exit code %d is tested but not in README.md's table", code)
	}
}

// startMonitor starts the binary in monitor mode with JSON output and
// waits for n events. The process is killed when the test ends, if it
// still runs.
func startMonitor(t *testing.T, bin string, n int, args ...string) (cmd *exec.Cmd, stdout, stderr *healthtest.SyncBuffer) {
	t.Helper()
	cmd = exec.Command(bin, append([]string{"--monitor", "-o", "json"}, args...)...)
	stdout, stderr = &healthtest.SyncBuffer{}, &healthtest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	healthtest.WaitFor(t, 10*time.Second, fmt.Sprintf("%d events", n), func() bool { return strings.Count(stdout.String(), "\n") >= n })
	return cmd, stdout, stderr
}

// sendSignal sends sig to cmd and waits for it to end, within 5s; it returns
// the exit code and how long the process took to end.
func sendSignal(t *testing.T, cmd *exec.Cmd, sig os.Signal) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v: the process did not end within 5s", sig)
	}
	return cmd.ProcessState.ExitCode(), time.Since(start)
}

// TestBinaryMonitorSignals checks that a monitor process stops cleanly
// and at once on SIGTERM, with exit code 0, as a supervisor stops it, and
// on SIGINT (Ctrl-C) with 130.
func TestBinaryMonitorSignals(t *testing.T) {
	bin := buildBinary(t)
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.Serving")
	reg := healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("a.v1.Serving"))
	for _, tc := range []struct {
		sig  os.Signal
		code int
	}{
		{syscall.SIGTERM, 0},
		{os.Interrupt, 130},
	} {
		cmd, stdout, stderr := startMonitor(t, bin, 1, "--interval", "50ms", "--addr", s.Addr, "--listen", "127.0.0.1:0", reg)
		if !strings.Contains(stdout.String(), `"previous":"unknown","status":"healthy"`) {
			t.Errorf("%v: first event: %s", tc.sig, stdout.String())
		}
		code, took := sendSignal(t, cmd, tc.sig)
		if code != tc.code || took > 2*time.Second || !strings.HasSuffix(stderr.String(), "registration-health: stopped\n") {
			t.Errorf("%v: exit code %d after %v, want %d; stderr:\n%s", tc.sig, code, took, tc.code, stderr.String())
		}
	}
}

// signalExit is the exit code of a batch run that a signal ended.
type signalExit struct {
	sig  os.Signal
	code int
}

// signalExits are the exit codes of batch runs that signals ended, which
// TestBinaryBatchSignals tests.
var signalExits = []signalExit{
	{os.Interrupt, 130},
	{syscall.SIGTERM, 143},
	{syscall.SIGHUP, 129},
}

// TestBinaryBatchSignals sends each signal to a batch run whose target
// hangs: the run ends at once, prints the results, and exits 128 plus the
// signal's number, as a shell reports a process that the signal ended.
func TestBinaryBatchSignals(t *testing.T) {
	bin := buildBinary(t)
	reg := healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("a.v1.Hung"))
	for _, tc := range signalExits {
		hung := healthtest.NewHungListener(t)
		cmd := exec.Command(bin, "--addr", hung.Addr(), "--timeout", "60s", "--connect-timeout", "60s", "-o", "json", reg)
		var stdout, stderr healthtest.SyncBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		healthtest.WaitFor(t, 10*time.Second, "the check to connect", func() bool { return hung.Accepted() > 0 })
		code, took := sendSignal(t, cmd, tc.sig)
		if code != tc.code || took > 2*time.Second {
			t.Errorf("%v: exit code %d after %v, want %d\nstderr:\n%s", tc.sig, code, took, tc.code, stderr.String())
		}
		if !strings.Contains(stdout.String(), `"error": "canceled"`) {
			t.Errorf("%v: no result of the canceled check:\n%s", tc.sig, stdout.String())
		}
	}
}

// TestBinarySIGHUP changes a monitor's targets file and sends it SIGHUP:
// the new target shows up in the output and the process lives on; a
// targets file that is broken is reported and the monitor keeps its
// checks.
func TestBinarySIGHUP(t *testing.T) {
	bin := buildBinary(t)
	first, second := healthtest.NewGRPCServer(t), healthtest.NewGRPCServer(t)
	first.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.Moving")
	second.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.Moving")
	dir := t.TempDir()
	reg := healthtest.WriteRegistration(t, dir, "reg.json", healthtest.Service("a.v1.Moving"))
	targets := healthtest.WriteFile(t, dir, "targets.yaml", "default:\n  address: "+first.Addr+"\n")
	cmd, stdout, stderr := startMonitor(t, bin, 1, "--interval", "100ms", "--targets", targets, reg)

	healthtest.WriteFile(t, dir, "targets.yaml", "default:\n  address: "+second.Addr+"\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	healthtest.WaitFor(t, 10*time.Second, "the new target's first status", func() bool {
		return strings.Contains(stdout.String(), `"address":"`+second.Addr+`","target":"a.v1.Moving","previous":"unknown","status":"healthy"`)
	})
	if !strings.Contains(stderr.String(), "registration-health: reload: 1 added, 1 removed, 0 kept; monitoring 1 checks\n") {
		t.Errorf("stderr does not report the reload:\n%s", stderr.String())
	}

	healthtest.WriteFile(t, dir, "targets.yaml", "default: [\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	healthtest.WaitFor(t, 10*time.Second, "the failed reload", func() bool {
		return strings.Contains(stderr.String(), "; keeping 1 checks\n")
	})
	// Still running: SIGTERM stops it cleanly, which it could not do had
	// a SIGHUP ended it.
	if code, _ := sendSignal(t, cmd, syscall.SIGTERM); code != 0 || !strings.HasSuffix(stderr.String(), "registration-health: stopped\n") {
		t.Errorf("exit code %d after SIGTERM, want 0\n%s", code, stderr.String())
	}
}
