package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
)

// copyRegistrations copies the per-file registrations of a generated tree
// (not its aggregate) into dir, as a user commits them.
func copyRegistrations(t *testing.T, tree, dir string) {
	t.Helper()
	for _, name := range []string{"identity/v1/identity.registration.json", "library/v1/library.registration.json", "notify/v1/notify.registration.json"} {
		data, err := os.ReadFile(fixture(tree + "/" + name))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// rulesOf lists the rule of each change in a text error-format report.
func rulesOf(t *testing.T, text string) []string {
	t.Helper()
	var rules []string
	line := regexp.MustCompile(`^[^:]+\.proto:\d+:\d+:([A-Z_]+):`)
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("not a located text finding: %q", l)
		}
		rules = append(rules, m[1])
	}
	return rules
}

// TestCompareTrees compares what users commit, directories of per-file
// output, side by side and against a git revision, and wants the changes
// that comparing the two aggregates finds, located for CI.
func TestCompareTrees(t *testing.T) {
	status, want, stderr := runCommand(t, "compare", "--error-format", "text",
		fixture("example/registry.registration.json"), fixture("example-v2/registry.registration.json"))
	if status != cli.ExitFindings {
		t.Fatalf("aggregates: status %d\n%s", status, stderr)
	}
	wantRules := rulesOf(t, want)

	oldDir, newDir := t.TempDir(), t.TempDir()
	copyRegistrations(t, "example", oldDir)
	copyRegistrations(t, "example-v2", newDir)
	status, got, stderr := runCommand(t, "compare", "--error-format", "text", oldDir, newDir)
	if status != cli.ExitFindings || !slices.Equal(rulesOf(t, got), wantRules) {
		t.Errorf("directories: status %d, rules %v, want %v\n%s", status, rulesOf(t, got), wantRules, stderr)
	}

	repo := t.TempDir()
	tree := filepath.Join(repo, "gen", "registration")
	copyRegistrations(t, "example", tree)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=test", "-c", "user.email=test@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "v1")
	if status, out, stderr := runCommand(t, "compare", "--against", "HEAD", "-o", "table", tree); status != cli.ExitOK || !strings.Contains(out, "0 changes") {
		t.Errorf("--against HEAD, unchanged tree: status %d\n%s%s", status, out, stderr)
	}
	copyRegistrations(t, "example-v2", tree)
	status, got, stderr = runCommand(t, "compare", "--against", "HEAD", "--error-format", "text", tree)
	if status != cli.ExitFindings || !slices.Equal(rulesOf(t, got), wantRules) {
		t.Errorf("--against HEAD on a tree: status %d, rules %v, want %v\n%s", status, rulesOf(t, got), wantRules, stderr)
	}

	status, got, _ = runCommand(t, "compare", "--against", "HEAD", "--error-format", "github-actions", "--path-prefix", "proto", tree)
	if status != cli.ExitFindings || !strings.Contains(got, "::error file=proto/library/v1/library.proto,line=") ||
		!strings.Contains(got, "::notice file=proto/library/v1/library.proto,line=") {
		t.Errorf("github-actions: status %d\n%s", status, got)
	}

	newTree := filepath.Join(repo, "gen", "v2")
	copyRegistrations(t, "example-v2", newTree)
	if status, out, stderr := runCommand(t, "compare", "--against", "HEAD", "-o", "json", newTree); status != cli.ExitOK || !strings.Contains(out, `"rule": "SERVICE_ADDED"`) {
		t.Errorf("--against HEAD, a tree git does not have: status %d\n%s%s", status, out, stderr)
	}

	empty := t.TempDir()
	if status, _, stderr := runCommand(t, "compare", empty, newDir); status != cli.ExitError || !strings.Contains(stderr, "no *.registration.json") {
		t.Errorf("empty directory: status %d, stderr %q", status, stderr)
	}
	if status, _, stderr := runCommand(t, "compare", "--error-format", "msvs", oldDir, newDir); status != cli.ExitError || !strings.Contains(stderr, "github-actions") {
		t.Errorf("unknown error format: status %d, stderr %q", status, stderr)
	}
}
