package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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

// waitLimit bounds every wait for a condition.
const waitLimit = 20 * time.Second

// lockedBuffer is a bytes.Buffer that a running watch writes to while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitUntil polls cond until it holds, failing the test after waitLimit
// with what describes the state.
func waitUntil(t *testing.T, what string, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s; state:\n%s", waitLimit, what, state())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func writeTestFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// serviceProto is a small proto file with one service.
func serviceProto(pkg, service string, methods ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "syntax = \"proto3\";\n\npackage %s;\n\noption go_package = \"example.com/gen/%s\";\n\n// %s is a test service.\nservice %s {\n", pkg, strings.ReplaceAll(pkg, ".", "/"), service, service)
	for _, m := range methods {
		fmt.Fprintf(&b, "  rpc %s(%sRequest) returns (%sResponse);\n", m, m, m)
	}
	b.WriteString("}\n")
	for _, m := range methods {
		fmt.Fprintf(&b, "\nmessage %sRequest {}\nmessage %sResponse {}\n", m, m)
	}
	return b.String()
}

// fakeProject returns a directory with protos under protos/ and the flags
// that generate them into gen/ with the fake generator.
func fakeProject(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "protos/a/v1/a.proto"), serviceProto("a.v1", "Alpha", "Get"))
	writeTestFile(t, filepath.Join(dir, "protos/b/v1/b.proto"), serviceProto("b.v1", "Beta", "Ping"))
	return dir, []string{"--dir", dir, "--cmd", regentest.Command("protos", "{out}/gen"), "--output", "gen"}
}

// outputTree reads the files under dir/out, by path relative to dir.
func outputTree(t *testing.T, dir, out string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(filepath.Join(dir, out), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // between the two renames of a fallback exchange
			}
			return err
		}
		if !d.IsDir() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			tree[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func treeFiles(tree map[string]string) string {
	var names []string
	for n := range tree {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, "\n")
}

// watchSession is a watch running in process.
type watchSession struct {
	t              *testing.T
	stdout, stderr *lockedBuffer
	cancel         func()
	status         chan int
}

func startWatch(t *testing.T, args ...string) *watchSession {
	t.Helper()
	s := &watchSession{t: t, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, status: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.status <- runContext(ctx, append([]string{"watch"}, args...), s.stdout, s.stderr) }()
	t.Cleanup(func() { s.stop() })
	// The first run ends once the watches are in place.
	waitUntil(t, "the first run", func() bool {
		out := s.stdout.String()
		return strings.Contains(out, "run 1: updated") || strings.Contains(out, "run 1: output unchanged") || strings.Contains(s.stderr.String(), "run 1 failed")
	}, s.state)
	return s
}

func (s *watchSession) state() string {
	return "stdout:\n" + s.stdout.String() + "\nstderr:\n" + s.stderr.String()
}

// stop cancels the watch and checks that it stopped cleanly.
func (s *watchSession) stop() {
	s.t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case status := <-s.status:
		if status != 0 {
			s.t.Errorf("watch exited with status %d:\n%s", status, s.state())
		}
	case <-time.After(waitLimit):
		s.t.Errorf("watch did not stop:\n%s", s.state())
	}
}

// runs counts the runs that started.
func (s *watchSession) runs() int { return strings.Count(s.stdout.String(), ": generating\n") }

// TestWatchFollowsProtos edits, creates, renames and deletes protos, also
// in a new subdirectory, while watch runs, and checks that the output
// follows; a failing generation keeps the last good output and the next
// good one recovers.
func TestWatchFollowsProtos(t *testing.T) {
	dir, args := fakeProject(t)
	s := startWatch(t, append(args, "--debounce", "50ms")...)
	files := func(want ...string) {
		t.Helper()
		slices.Sort(want)
		w := strings.Join(want, "\n")
		waitUntil(t, "output files\n"+w, func() bool { return treeFiles(outputTree(t, dir, "gen")) == w },
			func() string { return treeFiles(outputTree(t, dir, "gen")) + "\n" + s.state() })
	}
	contains := func(file, text string) {
		t.Helper()
		waitUntil(t, file+" to contain "+text, func() bool { return strings.Contains(outputTree(t, dir, "gen")[file], text) }, s.state)
	}
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json")

	writeTestFile(t, filepath.Join(dir, "protos/a/v1/a.proto"), serviceProto("a.v1", "Alpha", "Get", "List"))
	contains("gen/a/v1/a.registration.json", `"a.v1.Alpha.List"`)
	waitUntil(t, "the comparison", func() bool { return strings.Contains(s.stdout.String(), "METHOD_ADDED: method a.v1.Alpha.List added") }, s.state)

	writeTestFile(t, filepath.Join(dir, "protos/c/v1/c.proto"), serviceProto("c.v1", "Gamma", "Do"))
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json", "gen/c/v1/c.registration.json")
	waitUntil(t, "the comparison", func() bool { return strings.Contains(s.stdout.String(), "service c.v1.Gamma added") }, s.state)

	// Edited in the new subdirectory.
	writeTestFile(t, filepath.Join(dir, "protos/c/v1/c.proto"), serviceProto("c.v1", "Gamma", "Do", "Undo"))
	contains("gen/c/v1/c.registration.json", `"c.v1.Gamma.Undo"`)

	if err := os.Rename(filepath.Join(dir, "protos/c/v1/c.proto"), filepath.Join(dir, "protos/c/v1/d.proto")); err != nil {
		t.Fatal(err)
	}
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json", "gen/c/v1/d.registration.json")

	if err := os.Rename(filepath.Join(dir, "protos/c"), filepath.Join(dir, "protos/e")); err != nil {
		t.Fatal(err)
	}
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json", "gen/e/v1/d.registration.json")
	writeTestFile(t, filepath.Join(dir, "protos/e/v1/d.proto"), serviceProto("c.v1", "Gamma", "Redo"))
	contains("gen/e/v1/d.registration.json", `"c.v1.Gamma.Redo"`)

	if err := os.Remove(filepath.Join(dir, "protos/e/v1/d.proto")); err != nil {
		t.Fatal(err)
	}
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json")
	waitUntil(t, "the comparison", func() bool {
		return strings.Contains(s.stdout.String(), "BREAKING SERVICE_REMOVED: service c.v1.Gamma removed")
	}, s.state)

	// A failing run keeps the last good output and names file and line.
	good := outputTree(t, dir, "gen")
	writeTestFile(t, filepath.Join(dir, "protos/b/v1/b.proto"), "syntax = \"proto3\";\npackage b.v1;\n  SYNTAX_ERROR\n")
	waitUntil(t, "the error", func() bool { return strings.Contains(s.stderr.String(), "b/v1/b.proto:3:3: syntax error") }, s.state)
	if diff := cmp.Diff(good, outputTree(t, dir, "gen")); diff != "" {
		t.Errorf("output changed by a failed run (-want +got):\n%s", diff)
	}
	writeTestFile(t, filepath.Join(dir, "protos/b/v1/b.proto"), serviceProto("b.v1", "Beta", "Ping", "Pong"))
	contains("gen/b/v1/b.registration.json", `"b.v1.Beta.Pong"`)
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json")
}

// TestWatchBurst writes 1,000 changes in a burst: few runs, and the final
// output matches the last state.
func TestWatchBurst(t *testing.T) {
	dir, args := fakeProject(t)
	s := startWatch(t, append(args, "--debounce", "200ms")...)
	before := s.runs()
	for i := range 1000 {
		writeTestFile(t, filepath.Join(dir, fmt.Sprintf("protos/burst/v1/f%d.proto", i%10)), serviceProto("burst.v1", fmt.Sprintf("Burst%d", i%10), fmt.Sprintf("M%d", i)))
	}
	for i := 990; i < 1000; i++ {
		file, method := fmt.Sprintf("gen/burst/v1/f%d.registration.json", i%10), fmt.Sprintf(`"burst.v1.Burst%d.M%d"`, i%10, i)
		waitUntil(t, file+" to contain "+method, func() bool { return strings.Contains(outputTree(t, dir, "gen")[file], method) }, s.state)
	}
	runs := s.runs() - before
	if runs > 3 {
		t.Errorf("%d runs for 1,000 changes, want at most 3", runs)
	}
	t.Logf("%d runs for 1,000 changes", runs)
	if n := len(outputTree(t, dir, "gen")); n != 12 {
		t.Errorf("%d output files, want 12", n)
	}
}

// TestWatchBadInput: each problem at the start has a clear message and exit
// status 1.
func TestWatchBadInput(t *testing.T) {
	dir, args := fakeProject(t)
	emptyPath := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "buf.gen.yaml"), "version: v2\nplugins:\n  - local: protoc-gen-registration\n    out: gen\n")
	tests := []struct {
		name string
		args []string
		path string
		want string
	}{
		{"missing tree", append(args, "missing"), "", "registration watch: proto tree missing does not exist\n"},
		{"bad debounce", append(args, "--debounce", "0s"), "", "registration watch: flag --debounce=0s: want a positive duration\n"},
		{"no buf", []string{"--dir", dir}, emptyPath, "registration watch: buf not found on PATH: install buf, or generate with a command of your own (--cmd)\n"},
		{"missing dir", []string{"--dir", filepath.Join(dir, "nope")}, "", "registration watch: working directory: stat " + filepath.Join(dir, "nope") + ": no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path != "" {
				t.Setenv("PATH", tt.path)
			}
			var stdout, stderr bytes.Buffer
			if status := run(append([]string{"watch"}, tt.args...), &stdout, &stderr); status != 1 {
				t.Errorf("status %d, want 1", status)
			}
			if stderr.String() != tt.want {
				t.Errorf("stderr\n got %q\nwant %q", stderr.String(), tt.want)
			}
		})
	}
	if err := os.MkdirAll(filepath.Join(dir, "gen/protos"), 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if status := run(append(append([]string{"watch"}, args...), "gen/protos"), &stdout, &stderr); status != 1 || !strings.Contains(stderr.String(), "proto tree gen/protos is inside output directory gen") {
		t.Errorf("tree inside output: status %d, stderr %q", status, stderr.String())
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
			var stdout, stderr lockedBuffer
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
			waitUntil(t, "the first run", func() bool { return strings.Contains(stdout.String(), "run 1: updated") }, state)
			good := outputTree(t, dir, "gen")
			if sig == syscall.SIGTERM {
				writeTestFile(t, filepath.Join(dir, "protos/hang.proto"), "HANG\n")
				waitUntil(t, "the hung run", func() bool { return strings.Contains(stdout.String(), "run 2: protos/hang.proto changed: generating") }, state)
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
			case <-time.After(waitLimit):
				t.Fatalf("still running %v after %v\n%s", waitLimit, sig, state())
			}
			t.Logf("stopped %v after the signal", time.Since(start))
			if !strings.HasSuffix(stdout.String(), "registration watch: stopped\n") {
				t.Errorf("stdout does not end with the stop:\n%s", state())
			}
			if sig == syscall.SIGTERM && !strings.Contains(stdout.String(), "run 2 cancelled") {
				t.Errorf("the run in flight was not cancelled:\n%s", state())
			}
			if diff := cmp.Diff(good, outputTree(t, dir, "gen")); diff != "" {
				t.Errorf("output changed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWatchBuf drives real buf with the plugin built from this checkout.
func TestWatchBuf(t *testing.T) {
	dir := bufProject(t)
	s := startWatch(t, "--dir", dir, "--debounce", "50ms")
	file := filepath.Join(dir, "gen/registration/lib/v1/lib.registration.json")
	waitUntil(t, "the first generation", func() bool { _, err := os.Stat(file); return err == nil }, s.state)
	writeTestFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), serviceProto("lib.v1", "Library", "GetBook", "ListBooks"))
	waitUntil(t, "ListBooks in the output", func() bool {
		data, _ := os.ReadFile(file)
		return strings.Contains(string(data), `"lib.v1.Library.ListBooks"`)
	}, s.state)
	waitUntil(t, "the comparison", func() bool {
		return strings.Contains(s.stdout.String(), "METHOD_ADDED: method lib.v1.Library.ListBooks added")
	}, s.state)

	// A syntax error: buf's message with file and line, the output kept.
	writeTestFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), "syntax = \"proto3\";\npackage lib.v1;\nservice Library {\n")
	waitUntil(t, "buf's error", func() bool { return fileLine.MatchString(s.stderr.String()) }, s.state)
	if data, _ := os.ReadFile(file); !strings.Contains(string(data), "ListBooks") {
		t.Errorf("output lost after a failed run:\n%s", data)
	}
}

// buildPlugin builds protoc-gen-registration from this checkout into a
// temporary directory and returns its path.
func buildPlugin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "protoc-gen-registration")
	cmd := exec.Command("go", "build", "-o", bin, "../protoc-gen-registration")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// bufProject returns a directory with a buf template that runs the plugin
// built from this checkout on protos/, and fails the test when buf is not
// installed (make tools installs it).
func bufProject(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("buf"); err != nil {
		t.Fatalf("buf is not on PATH (make tools installs it): %v", err)
	}
	plugin := buildPlugin(t)
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "buf.gen.yaml"), fmt.Sprintf(`version: v2
clean: true
inputs:
  - directory: protos
plugins:
  - local: %s
    out: gen/registration
  - local: %s
    out: gen/aggregate
    opt: [aggregate=registry]
    strategy: all
`, plugin, plugin))
	writeTestFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), serviceProto("lib.v1", "Library", "GetBook"))
	return dir
}
