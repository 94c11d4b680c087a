package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/internal/cli/clitest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// helpGolden is the --help text, as users read it.
const helpGolden = "testdata/golden/help.txt"

// TestHelpGolden compares --help with its golden file (go test
// ./cmd/registration-health -update rewrites it), and checks that every
// way of asking for help prints the same text on stdout.
func TestHelpGolden(t *testing.T) {
	code, got, stderr := runCLI(t, "--help")
	if code != 0 || stderr != "" {
		t.Fatalf("--help: exit status %d, stderr:\n%s", code, stderr)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(helpGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(helpGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(helpGolden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("--help differs from %s (-want +got; go test -update rewrites it):\n%s", helpGolden, diff)
	}
	for _, args := range [][]string{{"-h"}, {"help"}, {"-help"}, {"--addr", "h:1", "x.json", "--help"}} {
		if code, out, _ := runCLI(t, args...); code != 0 || out != got {
			t.Errorf("%q: exit status %d and not the --help text:\n%s", args, code, out)
		}
	}
}

// readmeFlags returns the rows of README.md's flag table by their long flag.
func readmeFlags(t *testing.T) map[string]string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Flags\n")
	if !ok {
		t.Fatal("README.md has no Flags section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	long := regexp.MustCompile("^\\| [^|]*`--([\\w-]+)")
	rows := map[string]string{}
	for _, l := range strings.Split(section, "\n") {
		if m := long.FindStringSubmatch(l); m != nil {
			rows[m[1]] = l
		}
	}
	return rows
}

// TestHelpDocumented holds the help and README.md together: every flag
// the help lists has a row in README.md's flag table, with its shorthand
// and its default, and every row is a flag of the help. Adding, renaming
// or changing the default of a flag without documenting it fails here.
func TestHelpDocumented(t *testing.T) {
	rows := readmeFlags(t)
	for _, f := range clitest.FileFlags(t, helpGolden) {
		row, ok := rows[f.Long]
		if !ok {
			t.Errorf("README.md's flag table has no row for --%s", f.Long)
			continue
		}
		delete(rows, f.Long)
		if f.Short != "" && !strings.Contains(row, "`-"+f.Short+"`") {
			t.Errorf("README.md's row for --%s does not give its shorthand -%s: %s", f.Long, f.Short, row)
		}
		if f.Default != "" && !strings.Contains(row, "`"+f.Default+"`") {
			t.Errorf("README.md's row for --%s does not give its default `%s`: %s", f.Long, f.Default, row)
		}
	}
	for name, row := range rows {
		t.Errorf("README.md documents --%s, which the help does not list: %s", name, row)
	}

	// The commands and the exit codes are documented too.
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	root := newRoot(check)
	for _, cmd := range root.Commands() {
		if want := programName + " " + cmd.Name(); !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not show %q", want)
		}
	}
	help, err := os.ReadFile(helpGolden)
	if err != nil {
		t.Fatal(err)
	}
	_, exits, _ := strings.Cut(string(help), "\nExit codes")
	var inHelp []int
	for _, m := range regexp.MustCompile(`(?m)^  (\d+)  `).FindAllStringSubmatch(exits, -1) {
		n, _ := strconv.Atoi(m[1])
		inHelp = append(inHelp, n)
	}
	if diff := cmp.Diff(documentedExitCodes(t), inHelp); diff != "" {
		t.Errorf("exit codes of README.md and of the help differ (-README +help):\n%s", diff)
	}
}

// documentedExitCodes returns the codes of README.md's exit code table.
func documentedExitCodes(t *testing.T) []int {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Exit codes\n")
	if !ok {
		t.Fatal("README.md has no Exit codes section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var codes []int
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(section, -1) {
		n, _ := strconv.Atoi(m[1])
		codes = append(codes, n)
	}
	if len(codes) == 0 {
		t.Fatal("README.md's Exit codes section has no table")
	}
	return codes
}
