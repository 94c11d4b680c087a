package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// List is a repeatable flag whose values may also be comma-separated, as
// the binaries' list flags were before the shared grammar: --kind a,b and
// --kind a --kind b are the same.
type List []string

// String is empty for no values, so that the help shows no default.
func (l *List) String() string { return strings.Join(*l, ",") }

// Set adds the comma-separated values of v.
func (l *List) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// Type names the value in the help when the usage does not.
func (l *List) Type() string { return "strings" }

// HelpTopics makes root's help, and only root's, end with topics: text
// about the command as a whole (addresses, exit statuses) that no flag's
// line can hold. The commands New adds keep their plain help.
func HelpTopics(root *cobra.Command, topics string) {
	help := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		help(cmd, args)
		if cmd == root {
			fmt.Fprint(cmd.OutOrStdout(), topics)
		}
	})
}
