package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/compare"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

// compareResult is the JSON and YAML output of the compare command.
type compareResult struct {
	Old      string           `json:"old" yaml:"old"`
	New      string           `json:"new" yaml:"new"`
	Breaking int              `json:"breaking" yaml:"breaking"`
	Changes  []compare.Change `json:"changes" yaml:"changes"`
}

const compareDescription = `Compare two versions of a registration and print every difference, each
classified as breaking or not with a stable rule ID (see --list-rules), in
the spirit of buf breaking. OLD or NEW may be "-", standard input.

With --against REV, only NEW is given and OLD is the same file as git has it
at revision REV (git show REV:./NEW, run in NEW's directory). A revision
that starts with "-" is refused: git would read it as an option.`

const compareExit = `
Exit status:
  0  no breaking change after --except (or --list-rules)
  1  bad arguments, a file that cannot be read or that the reader refuses,
     a revision git cannot show
  2  breaking changes remain after --except
`

// compareOptions are the flags of compare.
type compareOptions struct {
	format, against string
	except          cli.List
	listRules       bool
}

func compareCommand() *cobra.Command {
	var o compareOptions
	cmd := &cobra.Command{
		Use:   "compare [flags] OLD NEW | --against REV NEW",
		Short: "Classify the changes between two registrations; exit 2 on breaking ones",
		Long:  compareDescription,
		Example: `  registration compare old/registry.registration.json gen/aggregate/registry.registration.json
  registration compare --against origin/main gen/aggregate/registry.registration.json
  registration compare --except METHOD_REMOVED,BINDING_REMOVED --against v1.2.0 gen/aggregate/registry.registration.json -o json
  registration compare --list-rules`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: compareExit},
		RunE: func(cmd *cobra.Command, args []string) error {
			return compareFiles(cmd.OutOrStdout(), o, args)
		},
	}
	cmd.Flags().SortFlags = false
	cli.FormatFlag(cmd, &o.format)
	cmd.Flags().StringVar(&o.against, "against", "", "read OLD from git revision `REV` of NEW: a branch, tag or commit, not starting with \"-\"")
	cmd.Flags().Var(&o.except, "except", "leave out the changes of rule `RULE`; repeatable or comma-separated")
	cmd.Flags().BoolVar(&o.listRules, "list-rules", false, "print every rule ID, whether it is breaking and what it means, and exit")
	ids := make([]string, len(compare.Rules))
	for i, r := range compare.Rules {
		ids[i] = r.ID
	}
	completeValues(cmd, "except", ids)
	return cmd
}

// compareFiles prints the changes from OLD to NEW, args or --against.
func compareFiles(stdout io.Writer, o compareOptions, args []string) error {
	format, err := cli.Format(o.format, stdout)
	if err != nil {
		return err
	}
	if o.listRules {
		return writeCompareRules(stdout, format)
	}
	for _, id := range o.except {
		if !slices.ContainsFunc(compare.Rules, func(r compare.Rule) bool { return r.ID == id }) {
			return fmt.Errorf("flag --except: unknown rule %q (see --list-rules)", id)
		}
	}

	var oldName, newName string
	var oldData []byte
	switch {
	case o.against != "" && len(args) == 1:
		newName = args[0]
		if newName == load.Stdin {
			return errors.New("with --against, name a file in a git work tree, not standard input")
		}
		oldName = o.against + ":" + newName
		if oldData, err = gitShow(o.against, newName); err != nil {
			return err
		}
	case o.against == "" && len(args) == 2:
		oldName, newName = args[0], args[1]
		if oldName == load.Stdin && newName == load.Stdin {
			return errors.New(`standard input ("-") can be OLD or NEW, not both`)
		}
	case o.against != "":
		return errors.New("with --against, name exactly one registration file")
	default:
		return cli.Usagef("name two registration files, OLD and NEW, or use --against REV NEW")
	}
	var old *registration.Registration
	if oldData != nil {
		old, err = load.Bytes(oldName, oldData)
	} else {
		old, err = load.File(oldName)
	}
	if err != nil {
		return err
	}
	cur, err := load.File(newName)
	if err != nil {
		return err
	}

	changes := slices.DeleteFunc(compare.Registrations(old, cur), func(c compare.Change) bool { return slices.Contains(o.except, c.Rule) })
	res := compareResult{Old: oldName, New: newName, Changes: changes}
	for _, c := range changes {
		if c.Breaking {
			res.Breaking++
		}
	}
	if res.Changes == nil {
		res.Changes = []compare.Change{}
	}
	err = report.Write(stdout, format, res, func(w io.Writer) error {
		tw := report.NewTable(w)
		if len(changes) > 0 {
			fmt.Fprintln(tw, "BREAKING\tRULE\tCHANGE")
		}
		for _, c := range changes {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", report.YesNo(c.Breaking), c.Rule, c.Message)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, compare.Summary(changes))
		return err
	})
	if err != nil {
		return err
	}
	if res.Breaking > 0 {
		return &cli.Findings{}
	}
	return nil
}

// gitShow returns file as git has it at revision rev. The path is given to
// git relative to the file's directory ("REV:./name"), so it works from
// anywhere inside or outside the repository. A revision that starts with
// "-" is refused, and --end-of-options keeps git from reading the argument
// as an option in any case: "--output=PATH" would have git write a file.
func gitShow(rev, file string) ([]byte, error) {
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("flag --against: revision %q starts with \"-\": want a branch, tag or commit", rev)
	}
	dir, base := filepath.Split(file)
	if dir == "" {
		dir = "."
	}
	cmd := exec.Command("git", "-C", dir, "show", "--end-of-options", rev+":./"+base)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		var exitErr *exec.ExitError
		if msg == "" || !errors.As(err, &exitErr) {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git show %s:%s: %s", rev, file, msg)
	}
	return out, nil
}

// ruleRow is one line of --list-rules.
type ruleRow struct {
	Rule        string `json:"rule" yaml:"rule"`
	Breaking    bool   `json:"breaking" yaml:"breaking"`
	Description string `json:"description" yaml:"description"`
}

func writeCompareRules(stdout io.Writer, format string) error {
	rows := make([]ruleRow, len(compare.Rules))
	for i, r := range compare.Rules {
		rows[i] = ruleRow{r.ID, r.Breaking, r.Description}
	}
	return report.Write(stdout, format, rows, func(w io.Writer) error {
		tw := report.NewTable(w)
		fmt.Fprintln(tw, "RULE\tBREAKING\tMEANING")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Rule, report.YesNo(r.Breaking), r.Description)
		}
		return tw.Flush()
	})
}
