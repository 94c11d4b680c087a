// Package cli is the command-line grammar the project's three binaries
// share, on cobra: flags anywhere among the arguments, --format (-o) the
// same everywhere, help on standard output, "help VERB", a version command,
// shell completion, and one table of exit statuses.
//
// A binary builds its root with New, adds its verbs as cobra commands whose
// RunE return nil, an error (exit 1) or Findings (exit 2), and calls Run.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Exit statuses of registration and registration-graph. registration-health
// keeps grpc-health-probe's (its package documents them).
const (
	// ExitOK: the command did what was asked and found nothing to report.
	ExitOK = 0
	// ExitError: bad arguments, unreadable or invalid input, or a failure.
	ExitError = 1
	// ExitFindings: the command ran and found what it looks for: breaking
	// changes (compare), suggestions (lint), invalid files or server
	// mismatches (validate), drift (check), cycles (registration-graph
	// --fail-on-cycle).
	ExitFindings = 2
)

// Findings is the error a command returns when it ran and found something:
// Run exits with ExitFindings (or Status when it is set) and prints
// nothing more, the command having written its report.
type Findings struct {
	// Status is the exit status, ExitFindings when zero.
	Status int
}

func (f *Findings) Error() string { return "findings" }

// Exit is the error a command returns to end with a status of its own and
// no message, such as registration-health's grpc-health-probe statuses.
type Exit struct{ Status int }

func (e *Exit) Error() string { return fmt.Sprintf("exit status %d", e.Status) }

// New returns a root command named name. Usage errors and help go where
// they belong (help to standard output, errors to standard error with the
// hint to run help), and the version and completion commands are added.
func New(name, short, long string) *cobra.Command {
	root := &cobra.Command{
		Use:           name,
		Short:         short,
		Long:          long,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version(),
		// Completion is a command of its own: completion bash|zsh|fish.
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	root.SetVersionTemplate(name + " {{.Version}}\n")
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), name, Version())
			return nil
		},
	})
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{cmd: cmd, err: err}
	})
	// cobra's own help command prints an unknown topic's complaint on
	// standard output and succeeds; a script asking for help on a verb
	// that does not exist should learn so from the status.
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return Usagef("unknown help topic %q", strings.Join(args, " "))
			}
			// As cobra's own help command does, so that the help lists
			// the flags that cobra adds when a command runs.
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	})
	return root
}

// Usagef returns an error for a mistake on the command line, such as a
// missing argument: Run prints it with the hint to ask for help.
func Usagef(format string, args ...any) error {
	return usageError{err: fmt.Errorf(format, args...)}
}

// usageError is a mistake on the command line: Run prints it with the
// command's name and the hint to ask for help.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (e usageError) Error() string { return e.err.Error() }

// Run executes root with args, writing to stdout and stderr, and returns
// the exit status: ExitOK, ExitError with the error on stderr, or a
// command's Findings or Exit status.
//
// Long flags spelled with one dash, as the standard flag package accepted
// them, are rewritten first (DoubleDash), with the flags of the verb that
// args name.
func Run(root *cobra.Command, args []string, stdout, stderr io.Writer) int {
	flags := root.Flags()
	if cmd, _, err := root.Find(args); err == nil {
		flags = cmd.Flags()
	}
	root.SetArgs(DoubleDash(flags, args))
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return ExitOK
	}
	var findings *Findings
	var exit *Exit
	switch {
	case errors.As(err, &findings):
		if findings.Status != 0 {
			return findings.Status
		}
		return ExitFindings
	case errors.As(err, &exit):
		return exit.Status
	}
	name := root.Name()
	if cmd != nil {
		name = cmd.CommandPath()
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	var ue usageError
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") || strings.Contains(err.Error(), "arg(s)") {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", name)
	}
	return ExitError
}

// Version is the module version the binary was built from, as go install
// records it, or "(devel)".
func Version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// FormatFlag adds --format (-o) to cmd: table, json or yaml, by default a
// table on a terminal and JSON otherwise.
func FormatFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVarP(p, "format", "o", "", "output format: table, json or yaml (default: table on a terminal, json otherwise)")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"table", "json", "yaml"}, cobra.ShellCompDirectiveNoFileComp
	})
}

// Format resolves a --format value for output to w.
func Format(value string, w io.Writer) (string, error) {
	switch value {
	case "table", "json", "yaml":
		return value, nil
	case "":
		if f, ok := w.(*os.File); ok {
			if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
				return "table", nil
			}
		}
		return "json", nil
	}
	return "", fmt.Errorf("flag --format=%q: want table, json or yaml", value)
}
