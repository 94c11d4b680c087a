package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	linter "github.com/ovasabi/protoc-gen-registration/registration/lint"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

const lintDescription = `Suggest improvements to the services of registration files, each with a rule
ID and the element it concerns (see --list-rules). --disable RULE turns a
rule off; --disable RULE=ELEMENT only for one element, or for every element
that starts with a prefix when ELEMENT ends in "*".

` + stdinHelp

const lintExit = `
Exit status:
  0  no suggestion (or --list-rules)
  1  bad arguments, or a file that cannot be read or that the reader refuses
  2  suggestions remain after --disable
`

// lintOptions are the flags of lint.
type lintOptions struct {
	format    string
	disable   cli.List
	listRules bool
}

func lintCommand() *cobra.Command {
	var o lintOptions
	cmd := &cobra.Command{
		Use:   "lint [flags] FILE...",
		Short: "Suggestions with rule IDs; exit 2 when there are some",
		Long:  lintDescription,
		Example: `  registration lint gen/aggregate/registry.registration.json
  registration lint --disable READ_METHOD_WITHOUT_NO_SIDE_EFFECTS=library.v1.* gen/aggregate/registry.registration.json
  registration lint --list-rules`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: lintExit},
		RunE: func(cmd *cobra.Command, files []string) error {
			return lintFiles(cmd.OutOrStdout(), o, files)
		},
	}
	cmd.Flags().SortFlags = false
	cli.FormatFlag(cmd, &o.format)
	cmd.Flags().Var(&o.disable, "disable", "turn off a rule (`RULE`), or a rule for one element (RULE=ELEMENT, ELEMENT may end in *); repeatable or comma-separated")
	cmd.Flags().BoolVar(&o.listRules, "list-rules", false, "print every rule ID and what it checks, and exit")
	ids := make([]string, len(linter.Rules))
	for i, r := range linter.Rules {
		ids[i] = r.ID
	}
	completeValues(cmd, "disable", ids)
	return cmd
}

// lintFiles prints the lint findings on the services of files, or the
// rules.
func lintFiles(stdout io.Writer, o lintOptions, files []string) error {
	format, err := cli.Format(o.format, stdout)
	if err != nil {
		return err
	}
	if o.listRules {
		rows := make([]ruleRow, len(linter.Rules))
		for i, r := range linter.Rules {
			rows[i] = ruleRow{Rule: r.ID, Description: r.Description}
		}
		return report.Write(stdout, format, rows, func(w io.Writer) error {
			tw := report.NewTable(w)
			fmt.Fprintln(tw, "RULE\tCHECKS")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\n", r.Rule, r.Description)
			}
			return tw.Flush()
		})
	}
	off, err := linter.ParseDisable(o.disable)
	if err != nil {
		return fmt.Errorf("flag --disable: %v (see --list-rules)", err)
	}
	set, err := readFiles(files)
	if err != nil {
		return err
	}
	findings := off.Apply(linter.Check(set.Services))
	err = report.Write(stdout, format, findings, func(w io.Writer) error {
		tw := report.NewTable(w)
		if len(findings) > 0 {
			fmt.Fprintln(tw, "RULE\tELEMENT\tSUGGESTION")
		}
		for _, f := range findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Rule, f.Element, f.Message)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, report.Plural(len(findings), "suggestion"))
		return err
	})
	if err != nil {
		return err
	}
	if len(findings) > 0 {
		return &cli.Findings{}
	}
	return nil
}
