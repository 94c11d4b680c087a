package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

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

// config returns the generation's configuration.
func (o *regenOptions) config() regen.Config {
	return regen.Config{
		Dir:      o.dir,
		Template: o.template,
		Command:  o.command,
		Outputs:  o.outputs,
		StateDir: o.state,
		Timeout:  o.timeout,
	}
}

func checkCommand() *cobra.Command {
	var regenOpts *regenOptions
	var fix, restore, showDiff, git bool
	var format string
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
			if len(args) != 0 {
				return fmt.Errorf("unexpected arguments %q (check takes flags only)", args)
			}
			reportFormat, err := cli.Format(format, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			drift, err := regen.Check(ctx, regen.CheckConfig{
				Config: regenOpts.config(),
				Fix:    fix, Restore: restore, Diff: showDiff, Git: git,
				Format: reportFormat,
			}, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if err == nil && drift {
				err = &cli.Findings{}
			}
			return err
		},
	}
	regenOpts = addRegenFlags(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&fix, "fix", false, "replace the output directories with the new generation (atomically) instead of failing")
	fs.BoolVar(&restore, "restore", false, "swap the previous generation back into the output directories, and do nothing else")
	fs.BoolVar(&showDiff, "diff", true, "print a unified diff of each changed, missing and stale file")
	fs.BoolVar(&git, "git", true, "also report generated files that git does not track or that differ from HEAD")
	// check's report is read in CI logs: a table by default wherever it
	// goes, unlike the inspection verbs' (cli.FormatFlag).
	fs.StringVarP(&format, "format", "o", "table", "output format: table (a list and diffs), json or yaml")
	completeValues(cmd, "format", []string{"table", "json", "yaml"})
	return cmd
}
