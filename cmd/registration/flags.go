package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// listFlag is a repeatable flag whose values may also be comma-separated,
// as --except and --disable were before the shared grammar.
type listFlag []string

// String is empty for no values, so that the help shows no default.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// Type names the value in the help when the usage does not.
func (l *listFlag) Type() string { return "strings" }

// completeValues offers values for flag in shell completion.
func completeValues(cmd *cobra.Command, flag string, values []string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}
