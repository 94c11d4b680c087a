package main

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ovasabi/protoc-gen-registration/internal/cli/clitest"
)

// verbs are the registration verbs, each with the document of the manual
// that describes it.
var verbs = []struct{ name, doc string }{
	{"services", "../../docs/registration.md"},
	{"inspect", "../../docs/registration.md"},
	{"events", "../../docs/registration.md"},
	{"validate", "../../docs/registration.md"},
	{"compare", "../../docs/registration.md"},
	{"lint", "../../docs/registration.md"},
	{"watch", "../../docs/watch-and-check.md"},
	{"check", "../../docs/watch-and-check.md"},
	{"export", "../../docs/export.md"},
	{"publish", "../../docs/etcd.md"},
	{"instances", "../../docs/etcd.md"},
}

// helpGolden is the golden file of a verb's help, or of the top-level help
// for "".
func helpGolden(verb string) string {
	if verb == "" {
		return "help.txt"
	}
	return "help-" + verb + ".txt"
}

// TestHelpGolden compares the top-level help and each verb's with their
// golden files (go test -update rewrites them), and checks that every way
// of asking for help prints the same text on stdout and exits 0, and that
// every verb's help has examples.
func TestHelpGolden(t *testing.T) {
	askings := map[string][][]string{"": {{"--help"}, {"-h"}, {"help"}, {"-help"}}}
	for _, v := range verbs {
		askings[v.name] = [][]string{{v.name, "--help"}, {"help", v.name}, {v.name, "-h"}, {v.name, "-help"}, {v.name, "x", "--help"}}
	}
	for verb, ways := range askings {
		t.Run("help "+verb, func(t *testing.T) {
			status, help, stderr := runCommand(t, ways[0]...)
			if status != 0 || stderr != "" {
				t.Fatalf("%q: status %d, stderr %q", ways[0], status, stderr)
			}
			checkGolden(t, helpGolden(verb), help)
			if verb != "" && !strings.Contains(help, "\nExamples:\n  registration "+verb) {
				t.Errorf("%s's help has no examples", verb)
			}
			for _, args := range ways[1:] {
				if status, out, stderr := runCommand(t, args...); status != 0 || out != help || stderr != "" {
					t.Errorf("%q: status %d, stderr %q, and not the help of %q:\n%s", args, status, stderr, ways[0], out)
				}
			}
		})
	}
}

// helpFlags returns the flags the golden help of a verb lists.
func helpFlags(t *testing.T, verb string) []clitest.Flag {
	t.Helper()
	flags, err := clitest.HelpFlags(readGolden(t, helpGolden(verb)))
	if err != nil {
		t.Fatalf("%s: %v", helpGolden(verb), err)
	}
	return flags
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/golden/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// docSection returns what a document says about a verb: its "## VERB"
// section, and everything before the first verb's section, which covers
// what every verb shares (the command line, bad input, the generation).
func docSection(t *testing.T, doc, verb string) string {
	t.Helper()
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	shared := text
	for _, v := range verbs {
		if i := strings.Index(text, "\n## "+v.name+"\n"); i >= 0 && i < len(shared) {
			shared = text[:i]
		}
	}
	_, section, ok := strings.Cut(text, "\n## "+verb+"\n")
	if !ok {
		t.Fatalf("%s has no section ## %s", doc, verb)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	return shared + section
}

// TestHelpDocumented holds the help and the manual together: every flag a
// verb's help lists, and its shorthand, is in the verb's section of the
// manual or in what the manual says of every verb, so that a flag cannot
// be added without documenting it; and the manual's exit-status table has
// the statuses of the top-level help.
func TestHelpDocumented(t *testing.T) {
	for _, v := range verbs {
		text := docSection(t, v.doc, v.name)
		for _, f := range helpFlags(t, v.name) {
			if !strings.Contains(text, "`--"+f.Long) {
				t.Errorf("%s does not document %s's flag --%s", v.doc, v.name, f.Long)
			}
			if f.Short != "" && !strings.Contains(text, "`-"+f.Short+"`") {
				t.Errorf("%s does not document %s's flag -%s (--%s)", v.doc, v.name, f.Short, f.Long)
			}
		}
		if want := "registration " + v.name; !strings.Contains(text, want) {
			t.Errorf("%s does not show %q", v.doc, want)
		}
	}
	intro := docSection(t, "../../docs/registration.md", "services")
	for _, want := range []string{"registration help", "registration version", "registration completion bash|zsh|fish", "`-`"} {
		if !strings.Contains(intro, want) {
			t.Errorf("docs/registration.md does not say %q", want)
		}
	}
	if got, want := documentedStatuses(t), helpStatuses(t, ""); !slices.Equal(got, want) {
		t.Errorf("docs/registration.md's exit statuses %v, the top-level help's %v", got, want)
	}
}

// helpStatuses returns the exit statuses a golden help lists.
func helpStatuses(t *testing.T, verb string) []int {
	t.Helper()
	_, section, ok := strings.Cut(readGolden(t, helpGolden(verb)), "\nExit status")
	if !ok {
		t.Fatalf("%s has no exit statuses", helpGolden(verb))
	}
	var statuses []int
	for _, m := range regexp.MustCompile(`(?m)^  (\d)  `).FindAllStringSubmatch(section, -1) {
		n, _ := strconv.Atoi(m[1])
		statuses = append(statuses, n)
	}
	return statuses
}

// documentedStatuses returns the statuses of docs/registration.md's
// exit-status table.
func documentedStatuses(t *testing.T) []int {
	t.Helper()
	data, err := os.ReadFile("../../docs/registration.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n| status | meaning |\n")
	if !ok {
		t.Fatal("docs/registration.md has no exit-status table")
	}
	section, _, _ = strings.Cut(section, "\n\n")
	var statuses []int
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(section, -1) {
		n, _ := strconv.Atoi(m[1])
		statuses = append(statuses, n)
	}
	return statuses
}
