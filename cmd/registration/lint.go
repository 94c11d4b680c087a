package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	linter "github.com/ovasabi/protoc-gen-registration/registration/lint"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

const lintDescription = `Suggest improvements to the services of registration files, each with a rule
ID, the element it concerns and where it is in its proto file (see
--list-rules). By default the rules run that raise nothing AIP would not
raise.

--config FILE chooses the rules and the files they apply to, as buf.yaml's
lint section does (use, except, ignore, ignore_only); no file is read
unless named. --disable RULE turns a rule off on top of it; --disable
RULE=ELEMENT only for one element, or for every element that starts with a
prefix when ELEMENT ends in "*". A leading comment line
"registration:lint:ignore RULE" on a service or method in the proto turns
the rule off there.

--error-format writes each suggestion as a located finding for CI instead
of the report: text (file:line:col:RULE:message, as buf prints them), json
(an object per line with buf's keys), github-actions (error annotations on
the proto lines) or junit. --path-prefix joins a directory before the proto
paths, so that CI finds the files: the directory of the proto root in the
repository.

` + stdinHelp

const lintExit = `
Exit status:
  0  no suggestion (or --list-rules)
  1  bad arguments, a bad configuration file, or a file that cannot be read
     or that the reader refuses
  2  suggestions remain after --config and --disable
`

// lintOptions are the flags of lint.
type lintOptions struct {
	format, config      string
	errorFormat, prefix string
	disable             cli.List
	listRules           bool
}

func lintCommand() *cobra.Command {
	var o lintOptions
	cmd := &cobra.Command{
		Use:   "lint [flags] FILE...",
		Short: "Suggestions with rule IDs; exit 2 when there are some",
		Long:  lintDescription,
		Example: `  registration lint gen/aggregate/registry.registration.json
  registration lint --config registration.yaml gen/registration/*/v1/*.registration.json
  registration lint --error-format github-actions --path-prefix proto gen/aggregate/registry.registration.json
  registration lint --disable METHOD_WITHOUT_BINDING=library.v1.* gen/aggregate/registry.registration.json
  registration lint --list-rules`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: lintExit},
		RunE: func(cmd *cobra.Command, files []string) error {
			return lintFiles(cmd.OutOrStdout(), o, files)
		},
	}
	cmd.Flags().SortFlags = false
	cli.FormatFlag(cmd, &o.format)
	cmd.Flags().StringVar(&o.config, "config", "", "read the rules to run and the files to ignore from YAML `FILE` (use, except, ignore, ignore_only)")
	cmd.Flags().Var(&o.disable, "disable", "turn off a rule (`RULE`), or a rule for one element (RULE=ELEMENT, ELEMENT may end in *); repeatable or comma-separated")
	cmd.Flags().StringVar(&o.errorFormat, "error-format", "", "write located findings for CI instead of the report: `FORMAT` text, json, github-actions or junit")
	cmd.Flags().StringVar(&o.prefix, "path-prefix", "", "with --error-format, join `DIR` (the proto root in the repository) before proto paths")
	cmd.Flags().BoolVar(&o.listRules, "list-rules", false, "print every rule ID, whether it is on by default and what it checks, and exit")
	ids := make([]string, len(linter.Rules))
	for i, r := range linter.Rules {
		ids[i] = r.ID
	}
	completeValues(cmd, "disable", ids)
	completeValues(cmd, "error-format", report.ErrorFormats)
	return cmd
}

// lintRuleRow is one line of lint --list-rules.
type lintRuleRow struct {
	Rule        string `json:"rule" yaml:"rule"`
	Default     bool   `json:"default" yaml:"default"`
	Description string `json:"description" yaml:"description"`
}

// lintFiles prints the lint findings on the services of files, or the
// rules.
func lintFiles(stdout io.Writer, o lintOptions, files []string) error {
	format, err := cli.Format(o.format, stdout)
	if err != nil {
		return err
	}
	if o.listRules {
		return writeLintRules(stdout, format)
	}
	off, err := linter.ParseDisable(o.disable)
	if err != nil {
		return fmt.Errorf("flag --disable: %v (see --list-rules)", err)
	}
	if o.errorFormat != "" && !slices.Contains(report.ErrorFormats, o.errorFormat) {
		return fmt.Errorf("flag --error-format %q: want %s", o.errorFormat, strings.Join(report.ErrorFormats, ", "))
	}
	if o.prefix != "" && o.errorFormat == "" {
		return errors.New("flag --path-prefix needs --error-format")
	}
	config := &linter.Config{}
	if o.config != "" {
		if config, err = linter.ReadConfig(o.config); err != nil {
			return fmt.Errorf("flag --config: %w", err)
		}
	}
	set, err := readFiles(files)
	if err != nil {
		return err
	}
	findings := off.Apply(config.Apply(linter.Check(set.Services)))
	if o.errorFormat != "" {
		located := make([]report.Finding, len(findings))
		for i, f := range findings {
			located[i] = report.Finding{File: f.File, Line: f.Line, Column: f.Column, Rule: f.Rule, Error: true, Element: f.Element, Message: f.Message}
		}
		err = report.WriteFindings(stdout, o.errorFormat, "registration lint", o.prefix, located)
	} else {
		err = report.Write(stdout, format, findings, func(w io.Writer) error {
			tw := report.NewTable(w)
			if len(findings) > 0 {
				fmt.Fprintln(tw, "RULE\tLOCATION\tELEMENT\tSUGGESTION")
			}
			for _, f := range findings {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Rule, f.Location(), f.Element, f.Message)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			_, err := fmt.Fprintln(w, report.Plural(len(findings), "suggestion"))
			return err
		})
	}
	if err != nil {
		return err
	}
	if len(findings) > 0 {
		return &cli.Findings{}
	}
	return nil
}

// writeLintRules prints the rules, with whether each is on by default.
func writeLintRules(stdout io.Writer, format string) error {
	rows := make([]lintRuleRow, len(linter.Rules))
	for i, r := range linter.Rules {
		rows[i] = lintRuleRow{Rule: r.ID, Default: r.Default, Description: r.Description}
	}
	return report.Write(stdout, format, rows, func(w io.Writer) error {
		tw := report.NewTable(w)
		fmt.Fprintln(tw, "RULE\tDEFAULT\tCHECKS")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Rule, report.YesNo(r.Default), r.Description)
		}
		return tw.Flush()
	})
}
