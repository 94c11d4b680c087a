package regen_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/internal/regen"
	"github.com/ovasabi/protoc-gen-registration/internal/regen/regentest"
)

// The test binary doubles as the fake generator (see regentest).
func init() {
	if os.Getenv(regentest.FakeGenEnv) == "1" {
		os.Exit(regentest.FakeGenerate(os.Args[1:], os.Stderr))
	}
}

// fakeProject returns regentest.Project's working directory and a
// generator that writes its registrations to gen/.
func fakeProject(t *testing.T) (string, *regen.Generator) {
	t.Helper()
	dir, command := regentest.Project(t)
	regentest.WriteFile(t, filepath.Join(dir, "protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "Get", "List"))
	g, err := regen.New(regen.Config{Dir: dir, Command: command, Outputs: []string{"gen"}, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return dir, g
}

// generate runs g and applies the result.
func generate(t *testing.T, g *regen.Generator) {
	t.Helper()
	gen, err := g.Generate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := gen.Apply(); err != nil {
		t.Fatal(err)
	}
}

func files(t *testing.T, tree regen.Tree) []string {
	t.Helper()
	var out []string
	for p := range tree {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func readTree(t *testing.T, dir string, outputs ...string) regen.Tree {
	t.Helper()
	tree, err := regen.ReadTree(dir, outputs)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TestApplyAndRestore generates, regenerates after a change and restores
// the previous generation twice: the second restore undoes the first.
func TestApplyAndRestore(t *testing.T) {
	dir, g := fakeProject(t)
	generate(t, g)
	first := readTree(t, dir, "gen")
	if diff := cmp.Diff([]string{"gen/a/v1/a.registration.json", "gen/b/v1/b.registration.json"}, files(t, first)); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(first["gen/a/v1/a.registration.json"]), `"a.v1.Alpha.List"`) {
		t.Fatalf("a.registration.json lacks a.v1.Alpha.List:\n%s", first["gen/a/v1/a.registration.json"])
	}

	// A stale file goes, a changed proto changes its output.
	regentest.WriteFile(t, filepath.Join(dir, "gen/stale.txt"), "left over")
	regentest.WriteFile(t, filepath.Join(dir, "protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "Get"))
	gen, err := g.Generate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	generated, err := gen.Tree()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range regen.Diff(readTree(t, dir, "gen"), generated) {
		got = append(got, string(c.Status)+" "+c.Path)
	}
	if diff := cmp.Diff([]string{"changed gen/a/v1/a.registration.json", "stale gen/stale.txt"}, got); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
	if err := gen.Apply(); err != nil {
		t.Fatal(err)
	}
	second := readTree(t, dir, "gen")
	if diff := cmp.Diff(generated, second); diff != "" {
		t.Errorf("applied output differs from the generation (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(gen.Root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("staging directory %s left behind: %v", gen.Root, err)
	}

	restored, err := g.Restore()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"gen"}, restored); diff != "" {
		t.Errorf("restored (-want +got):\n%s", diff)
	}
	withStale := first
	withStale["gen/stale.txt"] = []byte("left over")
	if diff := cmp.Diff(withStale, readTree(t, dir, "gen")); diff != "" {
		t.Errorf("after restore (-want +got):\n%s", diff)
	}
	if _, err := g.Restore(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(second, readTree(t, dir, "gen")); diff != "" {
		t.Errorf("after the second restore (-want +got):\n%s", diff)
	}
	// The state directory ignores itself in git.
	if data, err := os.ReadFile(filepath.Join(dir, ".registration/.gitignore")); err != nil || !strings.Contains(string(data), "*") {
		t.Errorf(".registration/.gitignore: %q, %v", data, err)
	}
}

// TestRestoreWithoutPrevious names the problem.
func TestRestoreWithoutPrevious(t *testing.T) {
	_, g := fakeProject(t)
	if _, err := g.Restore(); err == nil || !strings.Contains(err.Error(), "no previous generation") {
		t.Errorf("Restore: %v, want no previous generation", err)
	}
}

// TestFailedGenerationKeepsOutput: a protoc-style error is reported with
// its file and line, nothing is staged and the output is untouched.
func TestFailedGenerationKeepsOutput(t *testing.T) {
	dir, g := fakeProject(t)
	generate(t, g)
	good := readTree(t, dir, "gen")
	regentest.WriteFile(t, filepath.Join(dir, "protos/b/v1/b.proto"), "syntax = \"proto3\";\npackage b.v1;\n  SYNTAX_ERROR\n")
	_, err := g.Generate(context.Background())
	var gerr *regen.GenerateError
	if !errors.As(err, &gerr) {
		t.Fatalf("Generate: %v, want a *GenerateError", err)
	}
	if !strings.Contains(err.Error(), "b/v1/b.proto:3:3: syntax error") {
		t.Errorf("error lacks file:line:col:\n%v", err)
	}
	if diff := cmp.Diff(good, readTree(t, dir, "gen")); diff != "" {
		t.Errorf("output changed (-want +got):\n%s", diff)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, ".registration/staging-*")); len(entries) != 0 {
		t.Errorf("staging left behind: %v", entries)
	}
}

// TestHungGenerationTimesOut: the command and its children are killed at
// the timeout and the error says so.
func TestHungGenerationTimesOut(t *testing.T) {
	dir, _ := fakeProject(t)
	regentest.WriteFile(t, filepath.Join(dir, "protos/hang.proto"), "HANG\n")
	// sh starts the fake generator as a child: the whole group must go.
	g, err := regen.New(regen.Config{Dir: dir, Command: regentest.Command("protos", "{out}/gen") + "; true", Outputs: []string{"gen"}, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = g.Generate(context.Background())
	if err == nil || !strings.Contains(err.Error(), "timed out after 500ms") {
		t.Fatalf("Generate: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Generate returned after %v", d)
	}
}

// TestCancelStopsGeneration: a cancelled context stops the run.
func TestCancelStopsGeneration(t *testing.T) {
	dir, g := fakeProject(t)
	regentest.WriteFile(t, filepath.Join(dir, "protos/hang.proto"), "HANG\n")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := g.Generate(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate: %v, want context.Canceled", err)
	}
}

// TestBadInput: each problem has a clear message.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	regentest.WriteFile(t, filepath.Join(dir, "buf.gen.yaml"), "version: v2\nplugins:\n  - local: protoc-gen-registration\n    out: gen/registration\n  - local: x\n    out: gen/registration/nested\ninputs:\n  - directory: protos\n")
	tests := []struct {
		name string
		cfg  regen.Config
		want string
	}{
		{"no working directory", regen.Config{Dir: filepath.Join(dir, "missing")}, "working directory: stat "},
		{"no template", regen.Config{Dir: dir, Template: "other.yaml"}, "buf template other.yaml does not exist in "},
		{"command without outputs", regen.Config{Dir: dir, Template: "other.yaml", Command: "true"}, "no output directories: name them with --output"},
		{"absolute output", regen.Config{Dir: dir, Command: "true", Outputs: []string{"/tmp/x"}}, `output directory "/tmp/x": want a relative path inside the working directory`},
		{"output outside", regen.Config{Dir: dir, Command: "true", Outputs: []string{"../x"}}, `output directory "../x": want a relative path`},
		{"output is the directory", regen.Config{Dir: dir, Command: "true", Outputs: []string{"."}}, `output directory ".": want a relative path`},
		{"input inside output", regen.Config{Dir: dir, Outputs: []string{"protos"}}, "input directory protos is inside output directory protos"},
		{"state inside output", regen.Config{Dir: dir, Command: "true", Outputs: []string{"gen"}, StateDir: "gen/.state"}, "overlap"},
	}
	for _, tt := range tests {
		_, err := regen.New(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New: %v, want %q", tt.name, err, tt.want)
		}
	}
	// Nested outputs collapse into the outer one.
	g, err := regen.New(regen.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"gen/registration"}, g.Outputs()); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	// buf missing from PATH.
	g, err = regen.New(regen.Config{Dir: dir, Buf: "buf-that-is-not-installed"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Generate(context.Background()); err == nil || !strings.Contains(err.Error(), "buf-that-is-not-installed not found on PATH") {
		t.Errorf("Generate without buf: %v", err)
	}
	// A command that does not exist: the shell's exit status 127.
	g, err = regen.New(regen.Config{Dir: dir, Command: "protoc-that-is-not-installed --registration_out={out}", Outputs: []string{"gen"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Generate(context.Background())
	var gerr *regen.GenerateError
	if !errors.As(err, &gerr) || !gerr.NotFound || !strings.Contains(err.Error(), "command not found") {
		t.Errorf("Generate with a missing command: %v", err)
	}
}

// TestApplyFailureRollsBack: when the second of two output directories
// cannot be replaced, the first is put back and the error names the
// directory.
func TestApplyFailureRollsBack(t *testing.T) {
	dir := t.TempDir()
	regentest.WriteFile(t, filepath.Join(dir, "a/old.txt"), "old a")
	regentest.WriteFile(t, filepath.Join(dir, "b"), "b is a file, not a directory")
	g, err := regen.New(regen.Config{Dir: dir, Command: `mkdir -p "$REGISTRATION_OUT/a" "$REGISTRATION_OUT/b" && echo new > "$REGISTRATION_OUT/a/new.txt"`, Outputs: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := g.Generate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = gen.Apply()
	if err == nil || !strings.Contains(err.Error(), "output b exists and is not a directory") {
		t.Fatalf("Apply: %v", err)
	}
	if diff := cmp.Diff(regen.Tree{"a/old.txt": []byte("old a")}, readTree(t, dir, "a")); diff != "" {
		t.Errorf("a after the failed Apply (-want +got):\n%s", diff)
	}
}

// TestApplyPermissionError: an output whose directory cannot be changed
// keeps its content, and the error says why.
func TestApplyPermissionError(t *testing.T) {
	dir, g := fakeProject(t)
	generate(t, g)
	good := readTree(t, dir, "gen")
	regentest.WriteFile(t, filepath.Join(dir, "protos/c.proto"), regentest.ServiceProto("c", "Gamma", "Do"))
	gen, err := g.Generate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Make dir (which holds gen) unchangeable: as root with the immutable
	// attribute, which permission bits do not stop.
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
			t.Fatalf("chattr +i: %v: %s", err, out)
		}
		defer exec.Command("chattr", "-i", dir).Run()
	} else {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o755)
	}
	err = gen.Apply()
	if err == nil || !strings.Contains(err.Error(), "replace output gen") || !strings.Contains(err.Error(), "operation not permitted") && !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("Apply: %v", err)
	}
	if diff := cmp.Diff(good, readTree(t, dir, "gen")); diff != "" {
		t.Errorf("output after the failed Apply (-want +got):\n%s", diff)
	}
}

// TestUnifiedDiff covers each kind of file change.
func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		c    regen.FileChange
		want string
	}{
		{regen.FileChange{Path: "g/x", Status: regen.Changed, Old: []byte("a\nb\n"), New: []byte("a\nc\n")},
			"--- a/g/x\n+++ b/g/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"},
		{regen.FileChange{Path: "g/x", Status: regen.Missing, New: []byte("n\n")},
			"--- /dev/null\n+++ b/g/x\n@@ -0,0 +1 @@\n+n\n"},
		{regen.FileChange{Path: "g/x", Status: regen.Stale, Old: []byte("o\n")},
			"--- a/g/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-o\n"},
		{regen.FileChange{Path: "g/x", Status: regen.Changed, Old: []byte("\x00"), New: []byte("x")},
			"Binary files a/g/x and b/g/x differ\n"},
		{regen.FileChange{Path: "g/x", Status: regen.Untracked, Old: []byte("x"), New: []byte("x")}, ""},
	}
	for _, tt := range tests {
		if got := regen.UnifiedDiff(tt.c); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.c.Status, got, tt.want)
		}
	}
}

// TestReadTemplate reads outputs, inputs and option files of this
// repository's template.
func TestReadTemplate(t *testing.T) {
	tmpl, err := regen.ReadTemplate("../../buf.gen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Outputs) == 0 || len(tmpl.Inputs) != 1 || tmpl.Inputs[0] != "example" {
		t.Errorf("template: %+v", tmpl)
	}
	for _, o := range tmpl.Outputs {
		if !strings.HasPrefix(o, "example/gen/") {
			t.Errorf("output %s not under example/gen", o)
		}
	}
	if diff := cmp.Diff([]string{"example/capability_rules.yaml"}, tmpl.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	dirs, err := regen.WorkspaceDirs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"example", "proto", "third_party/googleapis"}, dirs); diff != "" {
		t.Errorf("workspace (-want +got):\n%s", diff)
	}
}
