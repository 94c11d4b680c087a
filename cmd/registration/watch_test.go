package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/internal/regen/regentest"
)

// testMainEnv, set to "1", makes the test binary run the registration
// command with its arguments, for the tests that send it signals.
const testMainEnv = "REGISTRATION_TEST_MAIN"

// The test binary doubles as the fake generator (see regentest) and as the
// registration command. init runs before TestMain, so neither pays for the
// fixtures TestMain builds.
func init() {
	switch {
	case os.Getenv(regentest.FakeGenEnv) == "1":
		os.Exit(regentest.FakeGenerate(os.Args[1:], os.Stderr))
	case os.Getenv(testMainEnv) == "1":
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
}

// fakeProject returns regentest.Project's directory and the flags of check
// and watch that generate it into gen/ with the fake generator.
func fakeProject(t *testing.T) (string, []string) {
	t.Helper()
	dir, command := regentest.Project(t)
	return dir, []string{"--dir", dir, "--cmd", command, "--output", "gen"}
}

// TestWatchCommand: watch's flags and arguments reach regen.Follow (whose
// own tests cover what it does), and its errors exit 1 after the
// command's name.
func TestWatchCommand(t *testing.T) {
	dir, args := fakeProject(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	// Cancelled from the start, the first run is cancelled and watch stops.
	status := runContext(cancelled, append([]string{"watch", "protos/a", "--debounce", "1s"}, args...), &stdout, &stderr)
	want := "registration watch: watching protos/a; output gen; generating with " + args[3] + "\n" +
		"registration watch: run 1: generating\n" +
		"registration watch: run 1 cancelled; the output keeps its last generation\n" +
		"registration watch: stopped\n"
	if status != 0 || stdout.String() != want || stderr.String() != "" {
		t.Errorf("status %d, stdout\n%s\nwant\n%s\nstderr:\n%s", status, stdout.String(), want, stderr.String())
	}

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"a bad --debounce", []string{"--debounce", "0s"}, "registration watch: flag --debounce=0s: want a positive duration\n"},
		{"a missing tree", []string{"missing"}, "registration watch: proto tree missing does not exist\n"},
		{"a missing --dir", []string{"--dir", filepath.Join(dir, "nope")}, "registration watch: working directory: stat " + filepath.Join(dir, "nope") + ": no such file or directory\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if status := run(append(append([]string{"watch"}, args...), tt.args...), &stdout, &stderr); status != 1 || stdout.Len() != 0 || stderr.String() != tt.want {
				t.Errorf("status %d, stdout %q, stderr\n got %q\nwant %q", status, stdout.String(), stderr.String(), tt.want)
			}
		})
	}
}

// TestWatchSignals runs the registration command as a process: SIGTERM
// during a hung generation cancels it and exits 0 with the output intact,
// and SIGINT while idle exits 0.
func TestWatchSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir, args := fakeProject(t)
			exe, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(exe, append([]string{"watch", "--debounce", "20ms"}, args...)...)
			cmd.Env = append(os.Environ(), testMainEnv+"=1")
			var stdout, stderr regentest.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			defer func() {
				if cmd.ProcessState == nil {
					cmd.Process.Kill()
				}
			}()
			state := func() string { return "stdout:\n" + stdout.String() + "\nstderr:\n" + stderr.String() }
			regentest.WaitUntil(t, "the first run", func() bool { return strings.Contains(stdout.String(), "run 1: updated") }, state)
			good := regentest.OutputTree(t, dir, "gen")
			if sig == syscall.SIGTERM {
				regentest.WriteFile(t, filepath.Join(dir, "protos/hang.proto"), "HANG\n")
				regentest.WaitUntil(t, "the hung run", func() bool { return strings.Contains(stdout.String(), "run 2: protos/hang.proto changed: generating") }, state)
			}
			start := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("exit: %v\n%s", err, state())
				}
			case <-time.After(regentest.WaitLimit):
				t.Fatalf("still running %v after %v\n%s", regentest.WaitLimit, sig, state())
			}
			t.Logf("stopped %v after the signal", time.Since(start))
			if !strings.HasSuffix(stdout.String(), "registration watch: stopped\n") {
				t.Errorf("stdout does not end with the stop:\n%s", state())
			}
			if sig == syscall.SIGTERM && !strings.Contains(stdout.String(), "run 2 cancelled") {
				t.Errorf("the run in flight was not cancelled:\n%s", state())
			}
			if diff := cmp.Diff(good, regentest.OutputTree(t, dir, "gen")); diff != "" {
				t.Errorf("output changed (-want +got):\n%s", diff)
			}
		})
	}
}
