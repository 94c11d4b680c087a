package regen_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/internal/regen"
	"github.com/ovasabi/protoc-gen-registration/internal/regen/regentest"
)

// followSession is a regen.Follow running in a goroutine.
type followSession struct {
	t              *testing.T
	stdout, stderr *regentest.Buffer
	cancel         func()
	done           chan error
}

// followProject returns regentest.Project's directory and a FollowConfig
// that generates it into gen/ with debounce.
func followProject(t *testing.T, debounce time.Duration) (string, regen.FollowConfig) {
	t.Helper()
	dir, command := regentest.Project(t)
	return dir, regen.FollowConfig{Config: regen.Config{Dir: dir, Command: command, Outputs: []string{"gen"}}, Debounce: debounce}
}

// startFollow starts Follow and waits for the end of its first run.
func startFollow(t *testing.T, cfg regen.FollowConfig) *followSession {
	t.Helper()
	s := &followSession{t: t, stdout: &regentest.Buffer{}, stderr: &regentest.Buffer{}, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- regen.Follow(ctx, cfg, s.stdout, s.stderr) }()
	t.Cleanup(s.stop)
	// The first run ends once the watches are in place.
	regentest.WaitUntil(t, "the first run", func() bool {
		out, errOut := s.stdout.String(), s.stderr.String()
		return strings.Contains(out, "run 1: updated") || strings.Contains(out, "run 1: output unchanged") ||
			strings.Contains(errOut, "run 1 failed") || strings.Contains(errOut, "run 1: keeping the last good output")
	}, s.state)
	return s
}

func (s *followSession) state() string {
	return "stdout:\n" + s.stdout.String() + "\nstderr:\n" + s.stderr.String()
}

// stop cancels Follow and checks that it stopped cleanly.
func (s *followSession) stop() {
	s.t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("Follow: %v\n%s", err, s.state())
		}
		if !strings.HasSuffix(s.stdout.String(), "registration watch: stopped\n") {
			s.t.Errorf("stdout does not end with the stop:\n%s", s.state())
		}
	case <-time.After(regentest.WaitLimit):
		s.t.Errorf("Follow did not stop:\n%s", s.state())
	}
}

// runs counts the runs that started.
func (s *followSession) runs() int { return strings.Count(s.stdout.String(), ": generating\n") }

// TestFollowProtos edits, creates, renames and deletes protos, also in a
// new subdirectory, while Follow runs, and checks that the output follows
// and that each run's report names the changes; a failing generation keeps
// the last good output and the next good one recovers.
func TestFollowProtos(t *testing.T) {
	dir, cfg := followProject(t, 50*time.Millisecond)
	s := startFollow(t, cfg)
	if want := "registration watch: watching .; output gen; generating with " + cfg.Command + "\n" +
		"registration watch: run 1: generating\n" +
		"registration watch: run 1: updated 2 files ("; !strings.HasPrefix(s.stdout.String(), want) {
		t.Errorf("stdout does not start with\n%s\n%s", want, s.state())
	}
	files := func(want ...string) {
		t.Helper()
		slices.Sort(want)
		w := strings.Join(want, "\n")
		regentest.WaitUntil(t, "output files\n"+w, func() bool { return regentest.TreeFiles(regentest.OutputTree(t, dir, "gen")) == w },
			func() string { return regentest.TreeFiles(regentest.OutputTree(t, dir, "gen")) + "\n" + s.state() })
	}
	contains := func(file, text string) {
		t.Helper()
		regentest.WaitUntil(t, file+" to contain "+text, func() bool { return strings.Contains(regentest.OutputTree(t, dir, "gen")[file], text) }, s.state)
	}
	printed := func(text string) {
		t.Helper()
		regentest.WaitUntil(t, "stdout to contain "+text, func() bool { return strings.Contains(s.stdout.String(), text) }, s.state)
	}
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json")

	regentest.WriteFile(t, filepath.Join(dir, "protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "Get", "List"))
	contains("gen/a/v1/a.registration.json", `"a.v1.Alpha.List"`)
	printed("registration watch: run 2: protos/a/v1/a.proto changed: generating\n")
	printed("\n  updated  gen/a/v1/a.registration.json\n  METHOD_ADDED: method a.v1.Alpha.List added\n")

	regentest.WriteFile(t, filepath.Join(dir, "protos/c/v1/c.proto"), regentest.ServiceProto("c.v1", "Gamma", "Do"))
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json", "gen/c/v1/c.registration.json")
	printed("\n  added    gen/c/v1/c.registration.json\n")
	printed("service c.v1.Gamma added")

	// Edited in the new subdirectory.
	regentest.WriteFile(t, filepath.Join(dir, "protos/c/v1/c.proto"), regentest.ServiceProto("c.v1", "Gamma", "Do", "Undo"))
	contains("gen/c/v1/c.registration.json", `"c.v1.Gamma.Undo"`)

	if err := os.Rename(filepath.Join(dir, "protos/c/v1/c.proto"), filepath.Join(dir, "protos/c/v1/d.proto")); err != nil {
		t.Fatal(err)
	}
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json", "gen/c/v1/d.registration.json")

	if err := os.Rename(filepath.Join(dir, "protos/c"), filepath.Join(dir, "protos/e")); err != nil {
		t.Fatal(err)
	}
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json", "gen/e/v1/d.registration.json")
	regentest.WriteFile(t, filepath.Join(dir, "protos/e/v1/d.proto"), regentest.ServiceProto("c.v1", "Gamma", "Redo"))
	contains("gen/e/v1/d.registration.json", `"c.v1.Gamma.Redo"`)

	if err := os.Remove(filepath.Join(dir, "protos/e/v1/d.proto")); err != nil {
		t.Fatal(err)
	}
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json")
	printed("\n  removed  gen/e/v1/d.registration.json\n")
	printed("  BREAKING SERVICE_REMOVED: service c.v1.Gamma removed\n")

	// A failing run keeps the last good output and names file and line.
	good := regentest.OutputTree(t, dir, "gen")
	regentest.WriteFile(t, filepath.Join(dir, "protos/b/v1/b.proto"), "syntax = \"proto3\";\npackage b.v1;\n  SYNTAX_ERROR\n")
	regentest.WaitUntil(t, "the error", func() bool { return strings.Contains(s.stderr.String(), "b/v1/b.proto:3:3: syntax error") }, s.state)
	if !strings.Contains(s.stderr.String(), " failed; keeping the last good output:\n"+cfg.Command+": exit status 1\n") {
		t.Errorf("the failure is not reported as such:\n%s", s.state())
	}
	if diff := cmp.Diff(good, regentest.OutputTree(t, dir, "gen")); diff != "" {
		t.Errorf("output changed by a failed run (-want +got):\n%s", diff)
	}
	regentest.WriteFile(t, filepath.Join(dir, "protos/b/v1/b.proto"), regentest.ServiceProto("b.v1", "Beta", "Ping", "Pong"))
	contains("gen/b/v1/b.registration.json", `"b.v1.Beta.Pong"`)
	files("gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json")
}

// TestFollowBurst writes 1,000 changes in a burst: few runs, and the final
// output matches the last state.
func TestFollowBurst(t *testing.T) {
	dir, cfg := followProject(t, 200*time.Millisecond)
	s := startFollow(t, cfg)
	before := s.runs()
	for i := range 1000 {
		regentest.WriteFile(t, filepath.Join(dir, fmt.Sprintf("protos/burst/v1/f%d.proto", i%10)), regentest.ServiceProto("burst.v1", fmt.Sprintf("Burst%d", i%10), fmt.Sprintf("M%d", i)))
	}
	for i := 990; i < 1000; i++ {
		file, method := fmt.Sprintf("gen/burst/v1/f%d.registration.json", i%10), fmt.Sprintf(`"burst.v1.Burst%d.M%d"`, i%10, i)
		regentest.WaitUntil(t, file+" to contain "+method, func() bool { return strings.Contains(regentest.OutputTree(t, dir, "gen")[file], method) }, s.state)
	}
	runs := s.runs() - before
	if runs > 3 {
		t.Errorf("%d runs for 1,000 changes, want at most 3", runs)
	}
	t.Logf("%d runs for 1,000 changes", runs)
	if n := len(regentest.OutputTree(t, dir, "gen")); n != 12 {
		t.Errorf("%d output files, want 12", n)
	}
}

// TestFollowForeignFiles: a run whose replacement of the output would take
// away a file that does not look generated keeps the last good output and
// says why, as check --fix refuses; once the file is gone, the next change
// to a proto replaces the output.
func TestFollowForeignFiles(t *testing.T) {
	dir, cfg := followProject(t, 50*time.Millisecond)
	regentest.WriteFile(t, filepath.Join(dir, "gen/notes.txt"), "hand-written\n")
	s := startFollow(t, cfg)
	want := "registration watch: run 1: keeping the last good output: refusing to replace gen: it holds 1 file that the generation does not write " +
		"and that do not look generated: gen/notes.txt. A run replaces an output directory whole, so they would leave the working tree: " +
		"move them out of it (or delete them, if an earlier generation wrote them), or name a directory that holds generated files only with --output; " +
		"then change a proto to run again\n"
	if s.stderr.String() != want {
		t.Errorf("stderr\n got %q\nwant %q", s.stderr.String(), want)
	}
	if diff := cmp.Diff(map[string]string{"gen/notes.txt": "hand-written\n"}, regentest.OutputTree(t, dir, "gen")); diff != "" {
		t.Errorf("the refused run changed the output (-want +got):\n%s", diff)
	}
	if strings.Contains(s.stdout.String(), "run 1: updated") {
		t.Errorf("the refused run reports an update:\n%s", s.state())
	}

	// A file that looks generated goes, as check --fix removes it.
	if err := os.Remove(filepath.Join(dir, "gen/notes.txt")); err != nil {
		t.Fatal(err)
	}
	regentest.WriteFile(t, filepath.Join(dir, "gen/old.pb.go"), "// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage old\n")
	regentest.WriteFile(t, filepath.Join(dir, "protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "Get", "List"))
	regentest.WaitUntil(t, "the run after the change", func() bool { return strings.Contains(s.stdout.String(), "run 2: updated 3 files") }, s.state)
	if diff := cmp.Diff("gen/a/v1/a.registration.json\ngen/b/v1/b.registration.json", regentest.TreeFiles(regentest.OutputTree(t, dir, "gen"))); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if !strings.Contains(s.stdout.String(), "\n  removed  gen/old.pb.go\n") {
		t.Errorf("the generated stale file's removal is not reported:\n%s", s.state())
	}
}

// TestFollowBadInput: each problem at the start is an error that says so.
func TestFollowBadInput(t *testing.T) {
	dir, cfg := followProject(t, 0)
	emptyPath := t.TempDir()
	regentest.WriteFile(t, filepath.Join(dir, "buf.gen.yaml"), "version: v2\nplugins:\n  - local: protoc-gen-registration\n    out: gen\n")
	if err := os.MkdirAll(filepath.Join(dir, "gen/protos"), 0o755); err != nil {
		t.Fatal(err)
	}
	regentest.WriteFile(t, filepath.Join(dir, "file.proto"), "")
	tests := []struct {
		name string
		cfg  regen.FollowConfig
		path string
		want string
	}{
		{"missing tree", regen.FollowConfig{Config: cfg.Config, Roots: []string{"missing"}}, "", "proto tree missing does not exist"},
		{"not a directory", regen.FollowConfig{Config: cfg.Config, Roots: []string{"file.proto"}}, "", "proto tree file.proto is not a directory"},
		{"tree inside output", regen.FollowConfig{Config: cfg.Config, Roots: []string{"gen/protos"}}, "", "proto tree gen/protos is inside output directory gen, which generation replaces whole"},
		{"no buf", regen.FollowConfig{Config: regen.Config{Dir: dir}}, emptyPath, "buf not found on PATH: install buf, or generate with a command of your own (--cmd)"},
		{"missing dir", regen.FollowConfig{Config: regen.Config{Dir: filepath.Join(dir, "nope")}}, "", "working directory: stat " + filepath.Join(dir, "nope") + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path != "" {
				t.Setenv("PATH", tt.path)
			}
			var stdout, stderr bytes.Buffer
			err := regen.Follow(context.Background(), tt.cfg, &stdout, &stderr)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got %v\nwant %q", err, tt.want)
			}
			if stdout.Len()+stderr.Len() != 0 {
				t.Errorf("output %q %q", stdout.String(), stderr.String())
			}
		})
	}
}

// TestFollowBuf drives real buf with the plugin built from this checkout,
// watching the template's inputs.
func TestFollowBuf(t *testing.T) {
	dir := regentest.BufProject(t)
	s := startFollow(t, regen.FollowConfig{Config: regen.Config{Dir: dir}, Debounce: 50 * time.Millisecond})
	if want := "registration watch: watching protos; output gen/aggregate, gen/registration; generating with buf generate --template buf.gen.yaml\n"; !strings.HasPrefix(s.stdout.String(), want) {
		t.Errorf("stdout does not start with %q:\n%s", want, s.state())
	}
	file := filepath.Join(dir, "gen/registration/lib/v1/lib.registration.json")
	regentest.WaitUntil(t, "the first generation", func() bool { _, err := os.Stat(file); return err == nil }, s.state)
	regentest.WriteFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), regentest.ServiceProto("lib.v1", "Library", "GetBook", "ListBooks"))
	regentest.WaitUntil(t, "ListBooks in the output", func() bool {
		data, _ := os.ReadFile(file)
		return strings.Contains(string(data), `"lib.v1.Library.ListBooks"`)
	}, s.state)
	regentest.WaitUntil(t, "the comparison", func() bool {
		return strings.Contains(s.stdout.String(), "METHOD_ADDED: method lib.v1.Library.ListBooks added")
	}, s.state)

	// A syntax error: buf's message with file and line, the output kept.
	regentest.WriteFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), "syntax = \"proto3\";\npackage lib.v1;\nservice Library {\n")
	regentest.WaitUntil(t, "buf's error", func() bool { return fileLine.MatchString(s.stderr.String()) }, s.state)
	if data, _ := os.ReadFile(file); !strings.Contains(string(data), "ListBooks") {
		t.Errorf("output lost after a failed run:\n%s", data)
	}
}
