package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
)

// TestBinaryExitStatus runs the built binary as a process, as users and CI
// run it, and checks each exit status that docs/graph.md documents, the
// help, version and completion commands, and the command-line grammar:
// flags after the files, single-dash long flags, "-" for standard input.
func TestBinaryExitStatus(t *testing.T) {
	bin := filepath.Join(t.TempDir(), programName)
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	deps := fixture("dependencies/deps.registration.json")
	example := fixture("example/registry.registration.json")
	depsData, err := os.ReadFile(deps)
	if err != nil {
		t.Fatal(err)
	}
	medium := writeRegistration(t, mediumServices())
	// The same message as in process (TestMermaidLimits checks it).
	_, _, pastLimits := runGraph("-o", "mermaid", medium)
	const cycle = "registration-graph: cycle: a.v1.Orders -[schema]-> c.v1.Ledger -[resource]-> a.v1.Orders\n"

	cases := []struct {
		name   string
		args   []string
		stdin  string
		status int
		stdout string // a substring of stdout
		stderr string // stderr, exactly
	}{
		{name: "help", args: []string{"--help"}, status: cli.ExitOK, stdout: "  2  --fail-on-cycle, and the graph has a cycle"},
		{name: "help command", args: []string{"help"}, status: cli.ExitOK, stdout: "Examples:\n  registration-graph "},
		{name: "version", args: []string{"--version"}, status: cli.ExitOK, stdout: "registration-graph "},
		{name: "version command", args: []string{"version"}, status: cli.ExitOK, stdout: "registration-graph "},
		{name: "completion bash", args: []string{"completion", "bash"}, status: cli.ExitOK, stdout: "bash completion V2 for registration-graph"},
		{name: "completion zsh", args: []string{"completion", "zsh"}, status: cli.ExitOK, stdout: "#compdef registration-graph"},
		{name: "completion fish", args: []string{"completion", "fish"}, status: cli.ExitOK, stdout: "fish completion for registration-graph"},
		{name: "a graph", args: []string{example}, status: cli.ExitOK, stdout: `"nodes": [`},
		{name: "flags after the file", args: []string{deps, "-o", "mermaid", "--kind", "schema"}, status: cli.ExitOK, stdout: "flowchart LR"},
		{name: "single-dash long flags", args: []string{"-format", "dot", "-service=a.v1.Orders", "-depth", "-1", deps}, status: cli.ExitOK, stdout: "digraph registrations {"},
		{name: "standard input", args: []string{"--format", "dot", "-"}, stdin: string(depsData), status: cli.ExitOK, stdout: `"a.v1.Orders" -> "c.v1.Ledger"`},
		{name: "standard input, flags after", args: []string{"-", "--format", "json"}, stdin: string(depsData), status: cli.ExitOK, stdout: `"from": "a.v1.Orders"`},
		{name: "no cycle to fail on", args: []string{"--fail-on-cycle", example}, status: cli.ExitOK, stdout: `"cycles": []`},
		{name: "a cycle", args: []string{"--fail-on-cycle", deps}, status: cli.ExitFindings, stdout: `"cycles": [`, stderr: cycle},
		{name: "a cycle, single dash", args: []string{deps, "-fail-on-cycle", "-o", "dot"}, status: cli.ExitFindings, stdout: "color=red", stderr: cycle},
		{name: "no file", status: cli.ExitError, stderr: "registration-graph: name at least one registration file\n"},
		{name: "missing file", args: []string{"nope.json"}, status: cli.ExitError, stderr: "registration-graph: open nope.json: no such file or directory\n"},
		{name: "unknown flag", args: []string{"--colour", deps}, status: cli.ExitError,
			stderr: "registration-graph: unknown flag: --colour\nRun 'registration-graph --help' for usage.\n"},
		{name: "bad format", args: []string{deps, "-o", "table"}, status: cli.ExitError, stderr: "registration-graph: flag --format=\"table\": want json, dot or mermaid\n"},
		{name: "negative depth", args: []string{"--service", "a.v1.Orders", "--depth", "-5", deps}, status: cli.ExitError,
			stderr: "registration-graph: flag --depth=-5: want 0 or more, or -1 for no limit\n"},
		{name: "a package that matches nothing", args: []string{"--package", "z.v1", deps}, status: cli.ExitError,
			stderr: "registration-graph: flag --package: no package matches \"z.v1\"\n"},
		{name: "a service that matches nothing", args: []string{"--service", "z.v1.Nope", deps}, status: cli.ExitError,
			stderr: "registration-graph: flag --service: no service matches \"z.v1.Nope\"\n"},
		{name: "depth without a service", args: []string{"--depth", "2", deps}, status: cli.ExitError,
			stderr: "registration-graph: flag --depth=2: applies only with --service\n"},
		{name: "a Mermaid flowchart past Mermaid's limits", args: []string{"-o", "mermaid", medium}, status: cli.ExitError, stderr: pastLimits},
		{name: "Mermaid's limits off", args: []string{"-o", "mermaid", "--mermaid-limits=off", medium}, status: cli.ExitOK, stdout: "flowchart LR"},
		{name: "a file named like a command", args: []string{"--", "version"}, status: cli.ExitError,
			stderr: "registration-graph: open version: no such file or directory\n"},
	}
	tested := map[int]bool{}
	for _, tc := range cases {
		tested[tc.status] = true
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Dir = t.TempDir()
			cmd.Stdin = strings.NewReader(tc.stdin)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			status := 0
			if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
				status = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tc.status || !strings.Contains(stdout.String(), tc.stdout) || stderr.String() != tc.stderr {
				t.Errorf("%q: exit status %d, want %d\nstdout (want %q):\n%s\nstderr:\n got: %q\nwant: %q",
					tc.args, status, tc.status, tc.stdout, stdout.String(), stderr.String(), tc.stderr)
			}
			if tc.status == cli.ExitError && stdout.Len() > 0 {
				t.Errorf("%q: output on stdout after an error:\n%s", tc.args, stdout.String())
			}
		})
	}
	for _, status := range documentedExitStatuses(t) {
		if !tested[status] {
			t.Errorf("docs/graph.md documents exit status %d, which no case tests", status)
		}
		delete(tested, status)
	}
	for status := range tested {
		t.Errorf("exit status %d is tested but not in docs/graph.md's table", status)
	}
}
