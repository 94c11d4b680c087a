package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// testRoot has one verb, "echo", that prints its arguments in the chosen
// format and ends as its first argument says.
func testRoot() *cobra.Command {
	root := New("tool", "A test tool", "")
	var format string
	echo := &cobra.Command{
		Use:     "echo [flags] WORD...",
		Short:   "Print the words",
		Example: "  tool echo a b --format json",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := Format(format, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			switch args[0] {
			case "fail":
				return errors.New("it failed")
			case "find":
				return &Findings{}
			case "three":
				return &Exit{Status: 3}
			case "usage":
				return Usagef("name a word")
			}
			cmd.Printf("%s %s\n", f, strings.Join(args, " "))
			return nil
		},
	}
	FormatFlag(echo, &format)
	root.AddCommand(echo)
	return root
}

func run(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	status := Run(testRoot(), args, &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

func TestRun(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		status         int
		stdout, stderr string // substrings; "" checks emptiness
	}{
		{"flags after arguments", []string{"echo", "a", "--format", "yaml", "b"}, ExitOK, "yaml a b\n", ""},
		{"the short format flag", []string{"echo", "-o", "json", "a"}, ExitOK, "json a\n", ""},
		{"not a terminal: json", []string{"echo", "a"}, ExitOK, "json a\n", ""},
		{"a bad format", []string{"echo", "--format", "xml", "a"}, ExitError, "", `tool echo: flag --format="xml": want table, json or yaml`},
		{"an error", []string{"echo", "fail"}, ExitError, "", "tool echo: it failed\n"},
		{"findings", []string{"echo", "find"}, ExitFindings, "", ""},
		{"a status of its own", []string{"echo", "three"}, 3, "", ""},
		{"an unknown flag", []string{"echo", "--colour", "a"}, ExitError, "", "unknown flag: --colour\nRun 'tool echo --help' for usage."},
		{"an unknown command", []string{"frobnicate"}, ExitError, "", `unknown command "frobnicate"`},
		{"missing arguments", []string{"echo"}, ExitError, "", "requires at least 1 arg(s)"},
		{"help on stdout", []string{"help", "echo"}, ExitOK, "tool echo a b --format json", ""},
		{"help on an unknown topic", []string{"help", "nope"}, ExitError, "", "tool help: unknown help topic \"nope\"\nRun 'tool help --help' for usage."},
		{"a single-dash long flag", []string{"echo", "-format", "yaml", "a"}, ExitOK, "yaml a\n", ""},
		{"a usage error of the verb's own", []string{"echo", "usage"}, ExitError, "", "tool echo: name a word\nRun 'tool echo --help' for usage."},
		{"--help on stdout", []string{"echo", "--help"}, ExitOK, "-o, --format string", ""},
		{"version", []string{"version"}, ExitOK, "tool (devel)\n", ""},
		{"--version", []string{"--version"}, ExitOK, "tool (devel)\n", ""},
		{"completion", []string{"completion", "bash"}, ExitOK, "bash completion", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := run(tt.args...)
			if status != tt.status {
				t.Errorf("status %d, want %d (stdout %q, stderr %q)", status, tt.status, stdout, stderr)
			}
			for _, c := range []struct{ name, got, want string }{{"stdout", stdout, tt.stdout}, {"stderr", stderr, tt.stderr}} {
				if c.want == "" && c.got != "" || !strings.Contains(c.got, c.want) {
					t.Errorf("%s %q, want %q", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestDoubleDash(t *testing.T) {
	root := testRoot()
	echo, _, _ := root.Find([]string{"echo"})
	fs := echo.Flags()
	fs.String("header", "", "a header")
	fs.Bool("all", false, "all")
	tests := []struct{ in, want []string }{
		{[]string{"echo", "-format", "yaml", "a"}, []string{"echo", "--format", "yaml", "a"}},
		{[]string{"echo", "-format=yaml", "a"}, []string{"echo", "--format=yaml", "a"}},
		{[]string{"echo", "-o", "yaml"}, []string{"echo", "-o", "yaml"}},                       // a shorthand stays
		{[]string{"echo", "--header", "-all", "a"}, []string{"echo", "--header", "-all", "a"}}, // a value is never rewritten
		{[]string{"echo", "-all", "a"}, []string{"echo", "--all", "a"}},
		{[]string{"echo", "--", "-format"}, []string{"echo", "--", "-format"}}, // nothing after --
		{[]string{"echo", "-help"}, []string{"echo", "--help"}},
		{[]string{"echo", "-colour"}, []string{"echo", "-colour"}}, // not a flag of ours
	}
	for _, tt := range tests {
		if got := DoubleDash(fs, tt.in); strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("DoubleDash(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
