package main

import (
	"fmt"
	"io"

	linter "github.com/ovasabi/protoc-gen-registration/registration/lint"
)

const lintDescription = `Suggest improvements to the services of registration files, each with a rule
ID and the element it concerns (see --list-rules). --disable RULE turns a
rule off; --disable RULE=ELEMENT only for one element, or for every element
that starts with a prefix when ELEMENT ends in "*". Exits 2 when a suggestion
remains.`

func lint(args []string, stdout, stderr io.Writer) int {
	const name = "lint"
	fs, formatFlag := commandFlags(name, stderr)
	var disable listFlag
	fs.Var(&disable, "disable", "turn off a rule (RULE), or a rule for one element (RULE=ELEMENT, ELEMENT may end in *); repeatable or comma-separated")
	listRules := fs.Bool("list-rules", false, "print every rule ID and what it checks, and exit")
	fs.Usage = usageFunc(fs, "lint [--format table|json|yaml] [--disable RULE[=ELEMENT]] FILE...", lintDescription)
	if done, status := parseFlags(fs, args); done {
		return status
	}
	format, err := outputFormat(*formatFlag, stdout)
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if *listRules {
		rows := make([]ruleRow, len(linter.Rules))
		for i, r := range linter.Rules {
			rows[i] = ruleRow{Rule: r.ID, Description: r.Description}
		}
		err := writeOutput(stdout, format, rows, func(w io.Writer) error {
			tw := newTable(w)
			fmt.Fprintln(tw, "RULE\tCHECKS")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\n", r.Rule, r.Description)
			}
			return tw.Flush()
		})
		if err != nil {
			return failf(stderr, name, "%v", err)
		}
		return 0
	}
	off, err := linter.ParseDisable(disable)
	if err != nil {
		return failf(stderr, name, "flag --disable: %v (see --list-rules)", err)
	}
	l, status := readFiles(name, fs.Args(), stderr)
	if l == nil {
		return status
	}
	findings := off.Apply(linter.Check(l.services))
	err = writeOutput(stdout, format, findings, func(w io.Writer) error {
		tw := newTable(w)
		if len(findings) > 0 {
			fmt.Fprintln(tw, "RULE\tELEMENT\tSUGGESTION")
		}
		for _, f := range findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Rule, f.Element, f.Message)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, plural(len(findings), "suggestion"))
		return err
	})
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if len(findings) > 0 {
		return 2
	}
	return 0
}
