package main

import (
	"github.com/spf13/cobra"
)

// completeValues offers values for flag in shell completion.
func completeValues(cmd *cobra.Command, flag string, values []string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}
