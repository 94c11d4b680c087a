package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/internal/regen"
)

// runCheck runs the check command in process.
func runCheck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(append([]string{"check"}, args...), &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

// TestCheckCommand: check's flags reach regen.Check (whose own tests cover
// what it does), and its result the exit status: drift 2, fixed, restored
// or up to date 0, an error 1 with the message after the command's name.
func TestCheckCommand(t *testing.T) {
	dir, args := fakeProject(t)
	// Outside a git work tree whatever holds the temporary directory.
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	missing := "missing      gen/a/v1/a.registration.json\nmissing      gen/b/v1/b.registration.json\n"
	noGit := "registration check: not a git work tree: "
	outOfDate := "registration check: 2 generated files out of date: run \"registration check --fix\" and commit the result\n"

	tests := []struct {
		name   string
		args   []string
		status int
		// stdout and stderr are prefixes of the output.
		stdout, stderr string
	}{
		{"drift", nil, cli.ExitFindings, missing + "\n--- /dev/null\n+++ b/gen/a/v1/a.registration.json\n", noGit},
		{"--diff=false --git=false", []string{"--diff=false", "--git=false"}, cli.ExitFindings, missing, outOfDate},
		{"-o json", []string{"-o", "json", "--git=false"}, cli.ExitFindings, "{\n  \"up_to_date\": false,\n", outOfDate},
		{"--format yaml", []string{"--format", "yaml", "--git=false", "--diff=false"}, cli.ExitFindings, "up_to_date: false\n", outOfDate},
		{"--restore before any --fix", []string{"--restore"}, cli.ExitError, "", "registration check: restore: no previous generation in "},
		{"--fix", []string{"--fix"}, cli.ExitOK, "added        gen/a/v1/a.registration.json\n", ""},
		{"up to date", []string{"--git=false"}, cli.ExitOK, "gen: up to date\n", ""},
		{"--fix when up to date", []string{"--fix"}, cli.ExitOK, "gen: up to date, nothing to fix\n", ""},
		{"--restore", []string{"--restore"}, cli.ExitOK, "restored the previous generation of gen;", ""},
		{"--fix --restore", []string{"--fix", "--restore"}, cli.ExitError, "", "registration check: --fix and --restore exclude each other\n"},
		{"an argument", []string{"extra"}, cli.ExitError, "", "registration check: unexpected arguments [\"extra\"] (check takes flags only)\n"},
		{"a bad --format", []string{"--format", "xml"}, cli.ExitError, "", "registration check: flag --format=\"xml\": want table, json or yaml\n"},
		{"no --output", []string{"--output", ""}, cli.ExitError, "", "registration check: invalid argument \"\" for \"--output\" flag: empty directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := runCheck(t, append(args, tt.args...)...)
			if status != tt.status || !strings.HasPrefix(stdout, tt.stdout) || !strings.HasPrefix(stderr, tt.stderr) || tt.stdout == "" && stdout != "" {
				t.Errorf("status %d, want %d\nstdout:\n%s\nwant a prefix:\n%s\nstderr:\n%s\nwant a prefix:\n%s", status, tt.status, stdout, tt.stdout, stderr, tt.stderr)
			}
		})
	}

	// --restore took the output back to before the first --fix: nothing.
	status, stdout, _ := runCheck(t, append(args, "-o", "json", "--git=false", "--diff=false")...)
	var report regen.Report
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || status != cli.ExitFindings || report.UpToDate || len(report.Files) != 2 {
		t.Errorf("after --restore: status %d, %v\n%s", status, err, stdout)
	}
}
