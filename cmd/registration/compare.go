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

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/compare"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// compareResult is the JSON and YAML output of the compare command.
type compareResult struct {
	Old      string           `json:"old" yaml:"old"`
	New      string           `json:"new" yaml:"new"`
	Breaking int              `json:"breaking" yaml:"breaking"`
	Changes  []compare.Change `json:"changes" yaml:"changes"`
}

const compareDescription = `Compare two versions of a registration and print every difference, each
classified as breaking or not with a stable rule ID (see --list-rules).
Exits 2 when a breaking change remains after --except, so CI can gate on it.

With --against REV, only NEW is given and OLD is the same file as git has it
at revision REV (git show REV:./NEW, run in NEW's directory).`

func compareCmd(args []string, stdout, stderr io.Writer) int {
	const name = "compare"
	fs, formatFlag := commandFlags(name, stderr)
	against := fs.String("against", "", "read OLD from this git revision of NEW (a branch, tag or commit)")
	var except listFlag
	fs.Var(&except, "except", "leave out changes of this rule ID; repeatable or comma-separated")
	listRules := fs.Bool("list-rules", false, "print every rule ID, whether it is breaking and what it means, and exit")
	fs.Usage = usageFunc(fs, "compare [--format table|json|yaml] [--except RULE] OLD NEW\n       registration compare [flags] --against REV NEW", compareDescription)
	if done, status := parseFlags(fs, args); done {
		return status
	}
	format, err := outputFormat(*formatFlag, stdout)
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if *listRules {
		return writeCompareRules(stdout, stderr, format)
	}
	for _, id := range except {
		if !slices.ContainsFunc(compare.Rules, func(r compare.Rule) bool { return r.ID == id }) {
			return failf(stderr, name, "flag --except: unknown rule %q (see --list-rules)", id)
		}
	}

	var oldName, newName string
	var oldData []byte
	switch {
	case *against != "" && fs.NArg() == 1:
		newName = fs.Arg(0)
		if newName == load.Stdin {
			return failf(stderr, name, "with --against, name a file in a git work tree, not standard input")
		}
		oldName = *against + ":" + newName
		if oldData, err = gitShow(*against, newName); err != nil {
			return failf(stderr, name, "%v", err)
		}
	case *against == "" && fs.NArg() == 2:
		oldName, newName = fs.Arg(0), fs.Arg(1)
		if oldName == load.Stdin && newName == load.Stdin {
			return failf(stderr, name, `standard input ("-") can be OLD or NEW, not both`)
		}
	case *against != "":
		return failf(stderr, name, "with --against, name exactly one registration file")
	default:
		return failf(stderr, name, "name two registration files, OLD and NEW, or use --against REV NEW")
	}
	var old *registration.Registration
	if oldData != nil {
		old, err = load.Bytes(oldName, oldData)
	} else {
		old, err = load.File(oldName)
	}
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	cur, err := load.File(newName)
	if err != nil {
		return failf(stderr, name, "%v", err)
	}

	changes := slices.DeleteFunc(compare.Registrations(old, cur), func(c compare.Change) bool { return slices.Contains(except, c.Rule) })
	res := compareResult{Old: oldName, New: newName, Changes: changes}
	for _, c := range changes {
		if c.Breaking {
			res.Breaking++
		}
	}
	if res.Changes == nil {
		res.Changes = []compare.Change{}
	}
	err = writeOutput(stdout, format, res, func(w io.Writer) error {
		tw := newTable(w)
		if len(changes) > 0 {
			fmt.Fprintln(tw, "BREAKING\tRULE\tCHANGE")
		}
		for _, c := range changes {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", yesNo(c.Breaking), c.Rule, c.Message)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, compare.Summary(changes))
		return err
	})
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if res.Breaking > 0 {
		return 2
	}
	return 0
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

func writeCompareRules(stdout, stderr io.Writer, format string) int {
	rows := make([]ruleRow, len(compare.Rules))
	for i, r := range compare.Rules {
		rows[i] = ruleRow{r.ID, r.Breaking, r.Description}
	}
	err := writeOutput(stdout, format, rows, func(w io.Writer) error {
		tw := newTable(w)
		fmt.Fprintln(tw, "RULE\tBREAKING\tMEANING")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Rule, yesNo(r.Breaking), r.Description)
		}
		return tw.Flush()
	})
	if err != nil {
		return failf(stderr, "compare", "%v", err)
	}
	return 0
}
