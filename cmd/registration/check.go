package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/internal/regen"
)

const checkDescription = `check regenerates into a staging directory and compares the result with the
output directories of the working tree. It reports changed files, missing
files (generated but absent), stale files (present but no longer generated),
generated files that git does not track (untracked) and generated files that
differ from the last commit (uncommitted), with a unified diff of each
content change. The report is a table unless --format says otherwise.

--fix replaces the output directories with the new generation, each one
atomically, and keeps the generation it replaced in STATE/previous. It
refuses, touching nothing, when an output directory holds stale files that
do not look generated (no "DO NOT EDIT" or "@generated" near their start,
not a registration document): they would leave the working tree with it.
--restore swaps the previous generation back in (running it again undoes
it), for example when "registration compare" finds a breaking change:

  registration check --fix
  registration compare .registration/previous/gen/registry.registration.json \
      gen/registry.registration.json || registration check --restore

` + regenHelp

const checkExit = `
Exit status:
  0  the output is up to date (or --fix or --restore did their work)
  1  bad arguments, a failed generation, an output --fix refuses to replace
  2  drift: changed, missing, stale, untracked or uncommitted files
`

// regenHelp documents the generation flags that check and watch share.
const regenHelp = `Generation: by default "buf generate --template TEMPLATE -o STAGING", run in
--dir; buf writes each plugin's out: directory under STAGING. With --cmd, a
shell command of your own (a protoc line, "make generate", a script) runs in
--dir and must write under the staging directory, which it gets as the
environment variable REGISTRATION_OUT and as the placeholder {out}, replaced
by the quoted path; it mirrors --dir, so the output directory gen/api is
generated as {out}/gen/api:

  registration check --output gen --cmd 'protoc -I proto --registration_out={out}/gen proto/api/v1/api.proto'

The output directories (--output, repeatable; by default every out:
directory of the template) belong wholly to the generation, as with buf's
"clean: true". Staging directories and the previous generation live in the
state directory (--state, default .registration in --dir, which ignores
itself in git), on the output's file system so that replacing is a rename.`

// regenOptions are the flags that check and watch share.
type regenOptions struct {
	dir, template, command, state string
	outputs                       outputDirs
	timeout                       time.Duration
}

// outputDirs collects repeated --output flags.
type outputDirs []string

func (o *outputDirs) String() string { return strings.Join(*o, ",") }

func (o *outputDirs) Set(v string) error {
	if v == "" {
		return errors.New("empty directory")
	}
	*o = append(*o, v)
	return nil
}

// Type names the value in the help.
func (o *outputDirs) Type() string { return "DIR" }

func addRegenFlags(cmd *cobra.Command) *regenOptions {
	o := &regenOptions{}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&o.dir, "dir", ".", "working directory `DIR`: the generation runs there and every other path is relative to it")
	fs.StringVar(&o.template, "template", regen.DefaultTemplate, "buf generation template `FILE`")
	fs.StringVar(&o.command, "cmd", "", "shell `COMMAND` that generates into $REGISTRATION_OUT or {out}, instead of buf generate")
	fs.Var(&o.outputs, "output", "output directory managed by the generation; repeatable (default: the template's out: directories)")
	fs.StringVar(&o.state, "state", regen.DefaultStateDir, "state `DIR`: staging and the previous generation")
	fs.DurationVar(&o.timeout, "timeout", regen.DefaultTimeout, "stop a generation that runs longer than this")
	_ = cmd.MarkFlagDirname("dir")
	_ = cmd.MarkFlagDirname("output")
	_ = cmd.MarkFlagDirname("state")
	_ = cmd.MarkFlagFilename("template", "yaml", "yml")
	return o
}

func (o *regenOptions) generator() (*regen.Generator, error) {
	return regen.New(regen.Config{
		Dir:      o.dir,
		Template: o.template,
		Command:  o.command,
		Outputs:  o.outputs,
		StateDir: o.state,
		Timeout:  o.timeout,
	})
}

// checkFile is one drifted file in check's JSON and YAML output.
type checkFile struct {
	Path   string `json:"path" yaml:"path"`
	Status string `json:"status" yaml:"status"`
	Diff   string `json:"diff,omitempty" yaml:"diff,omitempty"`
}

// checkReport is check's JSON and YAML output.
type checkReport struct {
	UpToDate bool        `json:"up_to_date" yaml:"up_to_date"`
	Outputs  []string    `json:"outputs" yaml:"outputs"`
	Files    []checkFile `json:"files" yaml:"files"`
}

// checkOptions are the flags of check besides the generation's.
type checkOptions struct {
	regen                       *regenOptions
	fix, restore, showDiff, git bool
	format                      string
}

func checkCommand() *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [flags]",
		Short: "Report generated output that is out of date (exit 2); --fix replaces it, --restore rolls back",
		Long:  checkDescription,
		Example: `  registration check
  registration check --fix
  registration check --restore
  registration check --output gen --cmd 'protoc -I proto --registration_out={out}/gen proto/api/v1/api.proto' -o json`,
		GroupID:     genGroup,
		Annotations: map[string]string{topicsKey: checkExit},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return checkOutput(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
	}
	o.regen = addRegenFlags(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&o.fix, "fix", false, "replace the output directories with the new generation (atomically) instead of failing")
	fs.BoolVar(&o.restore, "restore", false, "swap the previous generation back into the output directories, and do nothing else")
	fs.BoolVar(&o.showDiff, "diff", true, "print a unified diff of each changed, missing and stale file")
	fs.BoolVar(&o.git, "git", true, "also report generated files that git does not track or that differ from HEAD")
	// check's report is read in CI logs: a table by default wherever it
	// goes, unlike the inspection verbs' (cli.FormatFlag).
	fs.StringVarP(&o.format, "format", "o", "table", "output format: table (a list and diffs), json or yaml")
	completeValues(cmd, "format", []string{"table", "json", "yaml"})
	return cmd
}

// checkOutput regenerates and reports drift, or fixes or restores the
// output.
func checkOutput(ctx context.Context, stdout, stderr io.Writer, o checkOptions, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("unexpected arguments %q (check takes flags only)", args)
	}
	format, err := cli.Format(o.format, stdout)
	if err != nil {
		return err
	}
	if o.fix && o.restore {
		return errors.New("--fix and --restore exclude each other")
	}
	g, err := o.regen.generator()
	if err != nil {
		return err
	}
	if o.restore {
		dirs, err := g.Restore()
		if err != nil {
			return fmt.Errorf("restore: %v", err)
		}
		fmt.Fprintf(stdout, "restored the previous generation of %s; the replaced one is now the previous (--restore again swaps back)\n", strings.Join(dirs, ", "))
		return nil
	}

	gen, err := g.Generate(ctx)
	if err != nil {
		return fmt.Errorf("generation failed; the output was not touched:\n%v", err)
	}
	defer gen.Discard()
	if len(gen.Log) > 0 {
		stderr.Write(gen.Log)
	}
	current, err := regen.ReadTree(g.Dir(), g.Outputs())
	if err != nil {
		return fmt.Errorf("read the output: %v", err)
	}
	generated, err := gen.Tree()
	if err != nil {
		return fmt.Errorf("read the generation: %v", err)
	}
	changes := regen.Diff(current, generated)

	foreign := foreignFiles(changes)
	if o.fix {
		if len(changes) == 0 {
			fmt.Fprintf(stdout, "%s: up to date, nothing to fix\n", strings.Join(g.Outputs(), ", "))
			return nil
		}
		if len(foreign) > 0 {
			return fmt.Errorf("refusing to replace %s: it holds %s that the generation does not write and that do not look generated: %s. "+
				"--fix replaces an output directory whole, so they would leave the working tree: move them out of it "+
				"(or delete them, if an earlier generation wrote them), or name a directory that holds generated files only with --output",
				strings.Join(g.Outputs(), ", "), plural(len(foreign), "file"), fewOf(foreign))
		}
		if err := gen.Apply(); err != nil {
			return fmt.Errorf("the output keeps its last generation: %v", err)
		}
		for _, c := range changes {
			fmt.Fprintf(stdout, "%-12s %s\n", fixedVerb(c.Status), c.Path)
		}
		fmt.Fprintf(stdout, "updated %s; the previous generation is in %s (registration check --restore brings it back)\n",
			plural(len(changes), "file"), displayPath(g.Dir(), g.PreviousDir()))
		return nil
	}

	if o.git {
		gitChanges, err := g.GitDrift(current, generated, changes)
		switch {
		case errors.Is(err, regen.ErrNoGit):
			fmt.Fprintf(stderr, "registration check: %v; untracked and uncommitted files are not checked\n", err)
		case err != nil:
			return err
		}
		changes = append(changes, gitChanges...)
		slices.SortStableFunc(changes, func(a, b regen.FileChange) int { return strings.Compare(a.Path, b.Path) })
	}
	if err := writeCheckReport(stdout, format, o.showDiff, g.Outputs(), changes); err != nil {
		return err
	}
	if len(changes) > 0 {
		remedy := `run "registration check --fix" and commit the result`
		switch {
		case len(foreign) > 0:
			remedy = fmt.Sprintf("%s in the output do not look generated (%s): move them out of it, then run \"registration check --fix\" and commit the result",
				plural(len(foreign), "file"), fewOf(foreign))
		case !slices.ContainsFunc(changes, func(c regen.FileChange) bool { return regen.UnifiedDiff(c) != "" }):
			remedy = "their content is right: commit them"
		}
		fmt.Fprintf(stderr, "registration check: %s out of date: %s\n", plural(len(changes), "generated file"), remedy)
		return &cli.Findings{}
	}
	return nil
}

func writeCheckReport(w io.Writer, format string, showDiff bool, outputs []string, changes []regen.FileChange) error {
	if format == "table" {
		if len(changes) == 0 {
			_, err := fmt.Fprintf(w, "%s: up to date\n", strings.Join(outputs, ", "))
			return err
		}
		for _, c := range changes {
			fmt.Fprintf(w, "%-12s %s\n", c.Status, c.Path)
		}
		if showDiff {
			for _, c := range changes {
				if d := regen.UnifiedDiff(c); d != "" {
					fmt.Fprintf(w, "\n%s", d)
				}
			}
		}
		return nil
	}
	report := checkReport{UpToDate: len(changes) == 0, Outputs: outputs, Files: []checkFile{}}
	for _, c := range changes {
		f := checkFile{Path: c.Path, Status: string(c.Status)}
		if showDiff {
			f.Diff = regen.UnifiedDiff(c)
		}
		report.Files = append(report.Files, f)
	}
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(report); err != nil {
		return err
	}
	return enc.Close()
}

// fixedVerb says what --fix did to a file.
func fixedVerb(s regen.Status) string {
	switch s {
	case regen.Missing:
		return "added"
	case regen.Stale:
		return "removed"
	}
	return "updated"
}

// foreignFiles returns the files that replacing the output directories
// would take away although no generation seems to have written them: stale
// files (in the output, not in the new generation) that do not look
// generated. The output directories belong to the generation, but an
// --output or a --cmd that points at a directory of sources must not move
// the sources away (it once took the .proto files).
func foreignFiles(changes []regen.FileChange) []string {
	var out []string
	for _, c := range changes {
		if c.Status == regen.Stale && !looksGenerated(c.Old) {
			out = append(out, c.Path)
		}
	}
	return out
}

// registrationHead matches the start of a registration file, JSON or YAML,
// which carries no "DO NOT EDIT" line.
var registrationHead = regexp.MustCompile(`^\{?\s*"?format"?\s*:\s*"?registration\.v1\b`)

// looksGenerated reports whether a file says that a generator wrote it: a
// "DO NOT EDIT" (Go's "// Code generated ... DO NOT EDIT.", protoc's "#
// Generated by the protocol buffer compiler.  DO NOT EDIT!") or
// "@generated" near its start, or a registration document. A symbolic link
// (which regen reads as "symlink to TARGET") does not.
func looksGenerated(content []byte) bool {
	head := content[:min(len(content), 1024)]
	return bytes.Contains(head, []byte("DO NOT EDIT")) || bytes.Contains(head, []byte("@generated")) ||
		registrationHead.Match(bytes.TrimLeft(head, " \t\r\n"))
}

// fewOf lists the first few paths, and how many more there are.
func fewOf(paths []string) string {
	const few = 5
	if len(paths) <= few {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:few], ", "), len(paths)-few)
}
