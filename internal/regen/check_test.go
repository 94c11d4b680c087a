package regen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/internal/regen"
	"github.com/ovasabi/protoc-gen-registration/internal/regen/regentest"
)

// gitRepo makes dir a git repository with a local identity.
func gitRepo(t *testing.T, dir string) {
	t.Helper()
	git(t, dir, "init", "-q")
	git(t, dir, "config", "user.name", "Test")
	git(t, dir, "config", "user.email", "test@example.com")
	git(t, dir, "config", "commit.gpgsign", "false")
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func commitAll(t *testing.T, dir string) {
	t.Helper()
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "generated")
}

// checkProject returns regentest.Project's directory and a CheckConfig
// that generates it into gen/ with the command's defaults: diffs, git, a
// table.
func checkProject(t *testing.T) (string, regen.CheckConfig) {
	t.Helper()
	dir, command := regentest.Project(t)
	return dir, regen.CheckConfig{
		Config: regen.Config{Dir: dir, Command: command, Outputs: []string{"gen"}},
		Diff:   true, Git: true, Format: "table",
	}
}

// check runs regen.Check.
func check(t *testing.T, cfg regen.CheckConfig) (stdout, stderr string, drift bool, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	drift, err = regen.Check(context.Background(), cfg, &out, &errOut)
	return out.String(), errOut.String(), drift, err
}

// with returns cfg changed by edit.
func with(cfg regen.CheckConfig, edit func(*regen.CheckConfig)) regen.CheckConfig {
	edit(&cfg)
	return cfg
}

var (
	fixing    = func(c *regen.CheckConfig) { c.Fix = true }
	restoring = func(c *regen.CheckConfig) { c.Restore = true }
	noDiffs   = func(c *regen.CheckConfig) { c.Diff = false }
	noGit     = func(c *regen.CheckConfig) { c.Git = false }
)

// statusLines returns the "status path" lines of a table report.
func statusLines(stdout string) []string {
	var out []string
	for line := range strings.SplitSeq(stdout, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && strings.Contains("changed missing stale untracked uncommitted", f[0]) {
			out = append(out, f[0]+" "+f[1])
		}
	}
	return out
}

// TestCheckGit walks a project in a real git repository through every kind
// of drift, Fix, Restore and commits.
func TestCheckGit(t *testing.T) {
	dir, cfg := checkProject(t)
	gitRepo(t, dir)
	commitAll(t, dir)

	// Nothing generated yet: every file is missing.
	stdout, stderr, drift, err := check(t, cfg)
	if !drift || err != nil {
		t.Fatalf("drift %v, %v\n%s%s", drift, err, stdout, stderr)
	}
	if diff := cmp.Diff([]string{"missing gen/a/v1/a.registration.json", "missing gen/b/v1/b.registration.json"}, statusLines(stdout)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.Contains(stdout, "--- /dev/null\n+++ b/gen/a/v1/a.registration.json\n") {
		t.Errorf("no diff for a missing file:\n%s", stdout)
	}

	// Fix writes them; they are right but untracked.
	stdout, stderr, drift, err = check(t, with(cfg, fixing))
	if drift || err != nil || !strings.Contains(stdout, "added        gen/a/v1/a.registration.json\n") || !strings.Contains(stdout, "updated 2 files;") {
		t.Fatalf("Fix: drift %v, %v\n%s%s", drift, err, stdout, stderr)
	}
	stdout, stderr, drift, err = check(t, cfg)
	if !drift || err != nil || !strings.Contains(stderr, "their content is right: commit them") {
		t.Errorf("untracked: drift %v, %v\n%s%s", drift, err, stdout, stderr)
	}
	if diff := cmp.Diff([]string{"untracked gen/a/v1/a.registration.json", "untracked gen/b/v1/b.registration.json"}, statusLines(stdout)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	commitAll(t, dir)
	stdout, stderr, drift, err = check(t, cfg)
	if drift || err != nil || stdout != "gen: up to date\n" {
		t.Fatalf("after commit: drift %v, %v\n%s%s", drift, err, stdout, stderr)
	}

	// Changed, missing and stale at once, and a hand-written stale file.
	regentest.WriteFile(t, filepath.Join(dir, "protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "Get", "List"))
	regentest.WriteFile(t, filepath.Join(dir, "protos/c/v1/c.proto"), regentest.ServiceProto("c.v1", "Gamma", "Do"))
	if err := os.Remove(filepath.Join(dir, "protos/b/v1/b.proto")); err != nil {
		t.Fatal(err)
	}
	regentest.WriteFile(t, filepath.Join(dir, "gen/notes.txt"), "hand-written\n")
	drifted := []string{
		"changed gen/a/v1/a.registration.json",
		"stale gen/b/v1/b.registration.json",
		"missing gen/c/v1/c.registration.json",
		"stale gen/notes.txt",
	}
	stdout, stderr, drift, err = check(t, cfg)
	if !drift || err != nil || !strings.Contains(stderr, `4 generated files out of date: 1 file in the output do not look generated (gen/notes.txt): move them out of it, then run "registration check --fix" and commit the result`) {
		t.Errorf("drift: drift %v, %v\n%s%s", drift, err, stdout, stderr)
	}
	if diff := cmp.Diff(drifted, statusLines(stdout)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, want := range []string{
		"--- a/gen/a/v1/a.registration.json\n+++ b/gen/a/v1/a.registration.json\n",
		`+          "full_name": "a.v1.Alpha.List",`,
		"--- a/gen/b/v1/b.registration.json\n+++ /dev/null\n",
		"--- a/gen/notes.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-hand-written\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}

	// The same as JSON, without diffs.
	stdout, _, drift, _ = check(t, with(cfg, func(c *regen.CheckConfig) { c.Format, c.Diff = "json", false }))
	var report regen.Report
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || !drift {
		t.Fatalf("json: drift %v, %v\n%s", drift, err, stdout)
	}
	var got []string
	for _, f := range report.Files {
		got = append(got, f.Status+" "+f.Path)
		if f.Diff != "" {
			t.Errorf("%s: a diff without Diff", f.Path)
		}
	}
	if diff := cmp.Diff(drifted, got); diff != "" || report.UpToDate {
		t.Errorf("json (-want +got):\n%s", diff)
	}

	// Fix refuses to take the hand-written file away; without it, it
	// replaces the output, and then the files are right but not committed.
	before := regentest.OutputTree(t, dir, "gen")
	stdout, stderr, drift, err = check(t, with(cfg, fixing))
	if want := "refusing to replace gen: it holds 1 file that the generation does not write and that do not look generated: gen/notes.txt. "; err == nil || drift || stdout != "" || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Fix with a hand-written file: drift %v, stdout %q, stderr %q, %v; want %q", drift, stdout, stderr, err, want)
	}
	if diff := cmp.Diff(before, regentest.OutputTree(t, dir, "gen")); diff != "" {
		t.Errorf("a refused Fix changed the output (-want +got):\n%s", diff)
	}
	if err := os.Remove(filepath.Join(dir, "gen/notes.txt")); err != nil {
		t.Fatal(err)
	}
	committed := regentest.OutputTree(t, dir, "gen")
	if stdout, stderr, _, err := check(t, with(cfg, fixing)); err != nil {
		t.Fatalf("Fix: %v\n%s%s", err, stdout, stderr)
	}
	fixed := regentest.OutputTree(t, dir, "gen")
	stdout, _, drift, _ = check(t, with(cfg, noDiffs))
	if diff := cmp.Diff([]string{
		"uncommitted gen/a/v1/a.registration.json",
		"uncommitted gen/b/v1/b.registration.json",
		"untracked gen/c/v1/c.registration.json",
	}, statusLines(stdout)); diff != "" || !drift {
		t.Errorf("after Fix: drift %v (-want +got):\n%s", drift, diff)
	}
	if _, _, drift, err := check(t, with(cfg, noGit)); drift || err != nil {
		t.Errorf("without Git after Fix: drift %v, %v", drift, err)
	}

	// Restore brings the committed generation back; again, the fixed one.
	if stdout, stderr, _, err := check(t, with(cfg, restoring)); err != nil || stdout != "restored the previous generation of gen; the replaced one is now the previous (--restore again swaps back)\n" {
		t.Fatalf("Restore: %v\n%s%s", err, stdout, stderr)
	}
	if diff := cmp.Diff(committed, regentest.OutputTree(t, dir, "gen")); diff != "" {
		t.Errorf("after Restore (-want +got):\n%s", diff)
	}
	if _, _, _, err := check(t, with(cfg, restoring)); err != nil {
		t.Fatalf("second Restore: %v", err)
	}
	if diff := cmp.Diff(fixed, regentest.OutputTree(t, dir, "gen")); diff != "" {
		t.Errorf("after the second Restore (-want +got):\n%s", diff)
	}
	commitAll(t, dir)
	if stdout, stderr, drift, err := check(t, cfg); drift || err != nil {
		t.Errorf("after commit: drift %v, %v\n%s%s", drift, err, stdout, stderr)
	}
	// The state directory stays out of git.
	if out, err := exec.Command("git", "-C", dir, "status", "--porcelain").Output(); err != nil || len(out) != 0 {
		t.Errorf("git status after commit: %q %v", out, err)
	}
}

// TestCheckReport writes one report in each format.
func TestCheckReport(t *testing.T) {
	changes := []regen.FileChange{
		{Path: "gen/a.json", Status: regen.Changed, Old: []byte("a\n"), New: []byte("b\n")},
		{Path: "gen/b.json", Status: regen.Untracked, Old: []byte("b\n"), New: []byte("b\n")},
	}
	tests := []struct {
		format  string
		changes []regen.FileChange
		want    string
	}{
		{"table", changes, "changed      gen/a.json\nuntracked    gen/b.json\n\n--- a/gen/a.json\n+++ b/gen/a.json\n@@ -1 +1 @@\n-a\n+b\n"},
		{"", nil, "gen: up to date\n"},
		{"json", changes, `{
  "up_to_date": false,
  "outputs": [
    "gen"
  ],
  "files": [
    {
      "path": "gen/a.json",
      "status": "changed",
      "diff": "--- a/gen/a.json\n+++ b/gen/a.json\n@@ -1 +1 @@\n-a\n+b\n"
    },
    {
      "path": "gen/b.json",
      "status": "untracked"
    }
  ]
}
`},
		{"yaml", nil, "up_to_date: true\noutputs:\n  - gen\nfiles: []\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		if err := regen.NewReport([]string{"gen"}, tt.changes, true).Write(&b, tt.format); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, b.String()); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.format, diff)
		}
	}
}

// TestCheckBadInput: bad configuration, a failing or missing command, a
// missing tree: an error that says so, the output untouched.
func TestCheckBadInput(t *testing.T) {
	dir, cfg := checkProject(t)
	if _, _, _, err := check(t, with(cfg, fixing)); err != nil {
		t.Fatalf("Fix: %v", err)
	}
	good := regentest.OutputTree(t, dir, "gen")
	regentest.WriteFile(t, filepath.Join(dir, "protos/b/v1/b.proto"), "syntax = \"proto3\";\n\n  SYNTAX_ERROR\n")
	command := func(command string) func(*regen.CheckConfig) {
		return func(c *regen.CheckConfig) { c.Command = command }
	}
	tests := []struct {
		name string
		edit func(*regen.CheckConfig)
		want string
	}{
		{"failing generation", fixing, "generation failed; the output was not touched:\n" +
			cfg.Command + ": exit status 1\nb/v1/b.proto:3:3: syntax error: unexpected identifier SYNTAX_ERROR"},
		{"missing command", command("protoc-not-installed -I protos --registration_out={out}/gen x.proto"),
			"generation failed; the output was not touched:\nprotoc-not-installed -I protos --registration_out={out}/gen x.proto: command not found (exit status 127)\n/bin/sh: 1: protoc-not-installed: not found"},
		{"missing tree", command(strings.Replace(cfg.Command, "'protos'", "'nothing'", 1)), "no such file or directory"},
		{"fix and restore", func(c *regen.CheckConfig) { c.Fix, c.Restore = true, true }, "--fix and --restore exclude each other"},
		{"format", func(c *regen.CheckConfig) { c.Format = "xml" }, `format "xml": want table, json or yaml`},
		{"no outputs", func(c *regen.CheckConfig) { c.Command, c.Outputs = "true", nil }, "no output directories: name them with --output (there is no buf template to read them from)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, drift, err := check(t, with(cfg, tt.edit))
			if err == nil || drift {
				t.Fatalf("drift %v, error %v; want an error", drift, err)
			}
			if tt.want != err.Error() && !(len(tt.want) < 40 && strings.Contains(err.Error(), tt.want)) {
				t.Errorf("error\n got %q\nwant %q", err, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if diff := cmp.Diff(good, regentest.OutputTree(t, dir, "gen")); diff != "" {
				t.Errorf("output changed (-want +got):\n%s", diff)
			}
		})
	}
}

// fileLine matches an error that names lib.proto's line and column.
var fileLine = regexp.MustCompile(`lib/v1/lib\.proto:\d+:\d+`)

// TestCheckBuf checks drift with real buf and the plugin built from this
// checkout.
func TestCheckBuf(t *testing.T) {
	dir := regentest.BufProject(t)
	gitRepo(t, dir)
	cfg := regen.CheckConfig{Config: regen.Config{Dir: dir}, Diff: true, Git: true}
	if stdout, stderr, _, err := check(t, with(cfg, fixing)); err != nil {
		t.Fatalf("Fix: %v\n%s%s", err, stdout, stderr)
	}
	commitAll(t, dir)
	if stdout, stderr, drift, err := check(t, cfg); drift || err != nil || stdout != "gen/aggregate, gen/registration: up to date\n" {
		t.Fatalf("drift %v, %v\n%s%s", drift, err, stdout, stderr)
	}
	regentest.WriteFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), regentest.ServiceProto("lib.v1", "Library", "GetBook", "ListBooks"))
	regentest.WriteFile(t, filepath.Join(dir, "protos/shop/v1/shop.proto"), regentest.ServiceProto("shop.v1", "Shop", "Buy"))
	stdout, stderr, drift, _ := check(t, with(cfg, noDiffs))
	if diff := cmp.Diff([]string{
		"changed gen/aggregate/registry.registration.json",
		"changed gen/registration/lib/v1/lib.registration.json",
		"missing gen/registration/shop/v1/shop.registration.json",
	}, statusLines(stdout)); diff != "" || !drift {
		t.Errorf("drift %v (-want +got):\n%s\n%s", drift, diff, stderr)
	}
}

// TestCheckProtoc checks drift with a protoc command line and the plugin
// built from this checkout, the output directory given by {out}.
func TestCheckProtoc(t *testing.T) {
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		t.Fatalf("protoc is not on PATH (make tools installs it): %v", err)
	}
	plugin := regentest.BuildPlugin(t)
	dir := t.TempDir()
	gitRepo(t, dir)
	regentest.WriteFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), regentest.ServiceProto("lib.v1", "Library", "GetBook"))
	command := fmt.Sprintf("%s -I protos --plugin=protoc-gen-registration=%s --registration_out={out}/gen lib/v1/lib.proto", protoc, plugin)
	cfg := regen.CheckConfig{Config: regen.Config{Dir: dir, Command: command, Outputs: []string{"gen"}}, Diff: true, Git: true}
	if stdout, stderr, _, err := check(t, with(cfg, fixing)); err != nil {
		t.Fatalf("Fix: %v\n%s%s", err, stdout, stderr)
	}
	commitAll(t, dir)
	if stdout, stderr, drift, err := check(t, cfg); drift || err != nil {
		t.Fatalf("drift %v, %v\n%s%s", drift, err, stdout, stderr)
	}
	regentest.WriteFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), regentest.ServiceProto("lib.v1", "Library", "GetBook", "ListBooks"))
	stdout, stderr, drift, err := check(t, cfg)
	if !drift || err != nil || !strings.Contains(stdout, "changed      gen/lib/v1/lib.registration.json\n") || !strings.Contains(stdout, `+          "full_name": "lib.v1.Library.ListBooks",`) {
		t.Errorf("drift %v, %v\n%s%s", drift, err, stdout, stderr)
	}
	// protoc's error names file and line; the output stays.
	regentest.WriteFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), "syntax = \"proto3\";\npackage lib.v1;\nservice Library {\n")
	if _, _, _, err := check(t, cfg); err == nil || !fileLine.MatchString(err.Error()) {
		t.Errorf("error %v, want one that names lib.proto's line", err)
	}
}

// TestCheckForeignFiles: Fix with a command whose output directory is the
// proto tree itself refuses to replace it, naming a few of the sources and
// how many more there are, and leaves it as it was; a check without Fix
// says why Fix would refuse. Stale files that look generated are still
// removed.
func TestCheckForeignFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		regentest.WriteFile(t, filepath.Join(dir, "protos", name, "v1", name+".proto"), regentest.ServiceProto(name+".v1", "S"+name, "Get"))
	}
	cfg := regen.CheckConfig{Config: regen.Config{Dir: dir, Outputs: []string{"protos"}, Command: regentest.Command("protos", "{out}/protos")}}
	before := regentest.OutputTree(t, dir, "protos")
	stdout, _, drift, err := check(t, with(cfg, fixing))
	want := "refusing to replace protos: it holds 7 files that the generation does not write and that do not look generated: " +
		"protos/a/v1/a.proto, protos/b/v1/b.proto, protos/c/v1/c.proto, protos/d/v1/d.proto, protos/e/v1/e.proto and 2 more. " +
		"--fix replaces an output directory whole, so they would leave the working tree: move them out of it " +
		"(or delete them, if an earlier generation wrote them), or name a directory that holds generated files only with --output"
	if err == nil || drift || stdout != "" || err.Error() != want {
		t.Errorf("Fix: drift %v, stdout %q, error\n got %v\nwant %q", drift, stdout, err, want)
	}
	if diff := cmp.Diff(before, regentest.OutputTree(t, dir, "protos")); diff != "" {
		t.Errorf("the refused Fix changed the sources (-want +got):\n%s", diff)
	}
	_, stderr, drift, _ := check(t, cfg)
	if want := "protos/a/v1/a.proto, protos/b/v1/b.proto, protos/c/v1/c.proto, protos/d/v1/d.proto, protos/e/v1/e.proto and 2 more): move them out of it"; !drift || !strings.Contains(stderr, want) {
		t.Errorf("check: drift %v, stderr %q; want drift and %q", drift, stderr, want)
	}

	// A stale file that says it was generated goes, as before.
	dir, cfg = checkProject(t)
	if _, _, _, err := check(t, with(cfg, fixing)); err != nil {
		t.Fatalf("Fix: %v", err)
	}
	regentest.WriteFile(t, filepath.Join(dir, "gen/old.pb.go"), "// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage old\n")
	regentest.WriteFile(t, filepath.Join(dir, "gen/old.registration.yaml"), "format: registration.v1\nfiles: []\nservices: []\n")
	stdout, stderr, _, err = check(t, with(cfg, fixing))
	if err != nil || !strings.Contains(stdout, "removed      gen/old.pb.go\n") || !strings.Contains(stdout, "removed      gen/old.registration.yaml\n") {
		t.Errorf("Fix with generated stale files: %v\n%s%s", err, stdout, stderr)
	}
}

func TestLooksGenerated(t *testing.T) {
	tests := []struct {
		content string
		want    bool
	}{
		{"// Code generated by protoc-gen-registration. DO NOT EDIT.\n", true},
		{"# Generated by the protocol buffer compiler.  DO NOT EDIT!\n", true},
		{"/* @generated by some tool */\n", true},
		{"{\n  \"format\": \"registration.v1\",\n  \"files\": []\n}\n", true},
		{"format: registration.v1\nfiles: []\n", true},
		{"{\n  \"format\": \"registration.v2\",\n  \"files\": []\n}\n", true},
		{"syntax = \"proto3\";\npackage a.v1;\n", false},
		{"hand-written notes about registration.v1\n", false},
		{"symlink to ../protos", false},
		{strings.Repeat("x", 2000) + "DO NOT EDIT", false}, // too far down to be a header
	}
	for _, tt := range tests {
		if got := regen.LooksGenerated([]byte(tt.content)); got != tt.want {
			t.Errorf("LooksGenerated(%.40q) = %v, want %v", tt.content, got, tt.want)
		}
	}
}
