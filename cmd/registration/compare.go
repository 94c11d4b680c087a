package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
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
the spirit of buf breaking. OLD and NEW are each a registration file, "-"
(standard input), or a directory: every *.registration.json, .yaml and .yml
file under it, as protoc-gen-registration writes per-file output, read
together.

With --against REV, only the new side is given, as one or more files or
directories, and the old side is the same paths as git has them at revision
REV (git show REV:./NAME and git ls-tree, run in each path's directory). A
directory that did not exist at REV is an old side without services. A
revision that starts with "-" is refused: git would read it as an option.

--error-format writes each change as a located finding for CI instead of
the report: text (file:line:col:RULE:message, as buf prints them), json (an
object per line with buf's keys), github-actions (annotations on the proto
lines; breaking changes as errors, the others as notices) or junit.
--path-prefix joins a directory before the proto paths, so that CI finds
the files: the directory of the proto root in the repository.`

const compareExit = `
Exit status:
  0  no breaking change after --except (or --list-rules)
  1  bad arguments, a file that cannot be read or that the reader refuses,
     a revision git cannot show
  2  breaking changes remain after --except
`

type compareOptions struct {
	format, against     string
	errorFormat, prefix string
	except              cli.List
	listRules           bool
}

func compareCommand() *cobra.Command {
	var o compareOptions
	cmd := &cobra.Command{
		Use:   "compare [flags] OLD NEW | --against REV NEW...",
		Short: "Classify the changes between two registrations; exit 2 on breaking ones",
		Long:  compareDescription,
		Example: `  registration compare old/registry.registration.json gen/aggregate/registry.registration.json
  registration compare old-gen/registration gen/registration
  registration compare --against origin/main gen/registration
  registration compare --against origin/main --error-format github-actions --path-prefix proto gen/registration
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
	cmd.Flags().StringVar(&o.against, "against", "", "read the old side from git revision `REV` of the new side's paths: a branch, tag or commit, not starting with \"-\"")
	cmd.Flags().Var(&o.except, "except", "leave out the changes of rule `RULE`; repeatable or comma-separated")
	cmd.Flags().StringVar(&o.errorFormat, "error-format", "", "write located findings for CI instead of the report: `FORMAT` text, json, github-actions or junit")
	cmd.Flags().StringVar(&o.prefix, "path-prefix", "", "with --error-format, join `DIR` (the proto root in the repository) before proto paths")
	cmd.Flags().BoolVar(&o.listRules, "list-rules", false, "print every rule ID, whether it is breaking and what it means, and exit")
	ids := make([]string, len(compare.Rules))
	for i, r := range compare.Rules {
		ids[i] = r.ID
	}
	completeValues(cmd, "except", ids)
	completeValues(cmd, "error-format", report.ErrorFormats)
	return cmd
}

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
	if o.errorFormat != "" && !slices.Contains(report.ErrorFormats, o.errorFormat) {
		return fmt.Errorf("flag --error-format %q: want %s", o.errorFormat, strings.Join(report.ErrorFormats, ", "))
	}
	if o.prefix != "" && o.errorFormat == "" {
		return errors.New("flag --path-prefix needs --error-format")
	}

	var old, cur *registration.Registration
	var oldName, newName string
	switch {
	case o.against != "" && len(args) > 0:
		if slices.Contains(args, load.Stdin) {
			return errors.New("with --against, name files or directories in a git work tree, not standard input")
		}
		newName = strings.Join(args, " ")
		oldName = o.against + ":" + newName
		if old, err = readSideAt(o.against, args); err != nil {
			return err
		}
		if cur, err = readSide(args); err != nil {
			return err
		}
	case o.against == "" && len(args) == 2:
		oldName, newName = args[0], args[1]
		if oldName == load.Stdin && newName == load.Stdin {
			return errors.New(`standard input ("-") can be OLD or NEW, not both`)
		}
		if old, err = readSide(args[:1]); err != nil {
			return err
		}
		if cur, err = readSide(args[1:]); err != nil {
			return err
		}
	case o.against != "":
		return cli.Usagef("with --against, name the new side's files or directories")
	default:
		return cli.Usagef("name two registrations, OLD and NEW (files or directories), or use --against REV NEW...")
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
	if o.errorFormat != "" {
		findings := make([]report.Finding, len(changes))
		for i, c := range changes {
			findings[i] = report.Finding{File: c.File, Line: c.Line, Column: c.Column, Rule: c.Rule, Error: c.Breaking, Element: c.Element, Message: c.Message}
		}
		err = report.WriteFindings(stdout, o.errorFormat, "registration compare", o.prefix, findings)
	} else {
		err = report.Write(stdout, format, res, func(w io.Writer) error {
			tw := report.NewTable(w)
			if len(changes) > 0 {
				fmt.Fprintln(tw, "BREAKING\tRULE\tLOCATION\tCHANGE")
			}
			for _, c := range changes {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", report.YesNo(c.Breaking), c.Rule, changeLocation(c), c.Message)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			_, err := fmt.Fprintln(w, compare.Summary(changes))
			return err
		})
	}
	if err != nil {
		return err
	}
	if res.Breaking > 0 {
		return &cli.Findings{}
	}
	return nil
}

// changeLocation is "file:line:col" of a change, as far as it is known.
func changeLocation(c compare.Change) string {
	switch {
	case c.File == "":
		return "-"
	case c.Line == 0:
		return c.File
	}
	return fmt.Sprintf("%s:%d:%d", c.File, c.Line, c.Column)
}

// readSide reads one side of a comparison: files, "-", and directories of
// registration files, merged as load.Files merges them.
func readSide(paths []string) (*registration.Registration, error) {
	var files []string
	for _, p := range paths {
		if p == load.Stdin {
			files = append(files, p)
			continue
		}
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			files = append(files, p) // the reader says why it cannot be read
			continue
		}
		found, err := registrationFilesIn(p)
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	set, err := load.Files(files)
	if err != nil {
		return nil, err
	}
	return set.Registration(), nil
}

// isRegistrationFile says whether a file name is one protoc-gen-registration
// writes.
func isRegistrationFile(name string) bool {
	for _, ext := range []string{".registration.json", ".registration.yaml", ".registration.yml"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// registrationFilesIn lists the registration files under dir, in lexical
// order.
func registrationFilesIn(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isRegistrationFile(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *.registration.json, .yaml or .yml file in the directory", dir)
	}
	return files, nil
}

// readSideAt reads paths as git has them at revision rev: a file with git
// show, a directory with git ls-tree and git show of each registration
// file in it. A directory that git does not have at rev holds no
// services.
func readSideAt(rev string, paths []string) (*registration.Registration, error) {
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("flag --against: revision %q starts with \"-\": want a branch, tag or commit", rev)
	}
	var regs []*registration.Registration
	for _, p := range paths {
		files := []string{p}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if files, err = gitFilesAt(rev, p); err != nil {
				return nil, err
			}
		}
		for _, f := range files {
			data, err := gitShow(rev, f)
			if err != nil {
				return nil, err
			}
			reg, err := load.Bytes(rev+":"+f, data)
			if err != nil {
				return nil, err
			}
			regs = append(regs, reg)
		}
	}
	set := load.Merge(regs...)
	return set.Registration(), nil
}

// gitFilesAt lists the registration files under dir at revision rev, as
// paths under dir.
func gitFilesAt(rev, dir string) ([]string, error) {
	cmd := exec.Command("git", "-C", dir, "ls-tree", "-r", "--name-only", "--end-of-options", rev, "--", ".")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git ls-tree %s %s: %s", rev, dir, msg)
	}
	var files []string
	for _, name := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if name != "" && isRegistrationFile(name) {
			files = append(files, filepath.Join(dir, name))
		}
	}
	sort.Strings(files)
	return files, nil
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
