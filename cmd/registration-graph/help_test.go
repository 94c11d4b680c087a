package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/internal/cli/clitest"
)

// helpGolden is the --help text, as users read it.
const helpGolden = "testdata/golden/help.txt"

// manual is the page of the manual that documents the command.
const manual = "../../docs/graph.md"

// TestHelpGolden compares --help with its golden file (go test
// ./cmd/registration-graph -update rewrites it), and checks that every way
// of asking for help prints the same text on stdout.
func TestHelpGolden(t *testing.T) {
	status, got, stderr := runGraph("--help")
	if status != 0 || stderr != "" {
		t.Fatalf("--help: exit status %d, stderr:\n%s", status, stderr)
	}
	checkGolden(t, "help.txt", got)
	for _, args := range [][]string{{"-h"}, {"help"}, {"-help"}, {"--format", "dot", "x.json", "--help"}} {
		if status, out, _ := runGraph(args...); status != 0 || out != got {
			t.Errorf("%q: exit status %d and not the --help text:\n%s", args, status, out)
		}
	}
}

// manualSection returns the section of the manual under a "## " heading.
func manualSection(t *testing.T, heading string) string {
	t.Helper()
	doc, err := os.ReadFile(manual)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("%s has no %q section", manual, heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	return section
}

// TestHelpDocumented holds the help and docs/graph.md together: every flag
// the help lists has a row in the manual's flag table, with its shorthand
// and its default, and every row is a flag of the help; the manual shows
// every command, and the exit statuses of the help and of the manual are
// the same. Adding, renaming or changing the default of a flag without
// documenting it fails here.
func TestHelpDocumented(t *testing.T) {
	long := regexp.MustCompile("^\\| [^|]*`--([\\w-]+)")
	rows := map[string]string{}
	for _, l := range strings.Split(manualSection(t, "Flags"), "\n") {
		if m := long.FindStringSubmatch(l); m != nil {
			rows[m[1]] = l
		}
	}
	for _, f := range clitest.FileFlags(t, helpGolden) {
		row, ok := rows[f.Long]
		if !ok {
			t.Errorf("%s's flag table has no row for --%s", manual, f.Long)
			continue
		}
		delete(rows, f.Long)
		if f.Short != "" && !strings.Contains(row, "`-"+f.Short+"`") {
			t.Errorf("%s's row for --%s does not give its shorthand -%s: %s", manual, f.Long, f.Short, row)
		}
		if f.Default != "" && !strings.Contains(row, "| `"+f.Default+"` |") {
			t.Errorf("%s's row for --%s does not give its default `%s`: %s", manual, f.Long, f.Default, row)
		}
	}
	for name, row := range rows {
		t.Errorf("%s documents --%s, which the help does not list: %s", manual, name, row)
	}

	usage := manualSection(t, "Usage")
	for _, cmd := range newRoot(draw).Commands() {
		if want := programName + " " + cmd.Name(); !strings.Contains(usage, want) {
			t.Errorf("%s's Usage does not show %q", manual, want)
		}
	}

	help, err := os.ReadFile(helpGolden)
	if err != nil {
		t.Fatal(err)
	}
	_, exits, ok := strings.Cut(string(help), "\nExit status:\n")
	if !ok {
		t.Fatalf("%s has no Exit status section", helpGolden)
	}
	var inHelp []int
	for _, m := range regexp.MustCompile(`(?m)^  (\d)  `).FindAllStringSubmatch(exits, -1) {
		n, _ := strconv.Atoi(m[1])
		inHelp = append(inHelp, n)
	}
	if diff := cmp.Diff(documentedExitStatuses(t), inHelp); diff != "" {
		t.Errorf("exit statuses of %s and of the help differ (-manual +help):\n%s", manual, diff)
	}
}

// documentedExitStatuses returns the statuses of the manual's exit status
// table.
func documentedExitStatuses(t *testing.T) []int {
	t.Helper()
	var statuses []int
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(manualSection(t, "Exit status"), -1) {
		n, _ := strconv.Atoi(m[1])
		statuses = append(statuses, n)
	}
	if len(statuses) == 0 {
		t.Fatalf("%s's Exit status section has no table", manual)
	}
	return statuses
}
