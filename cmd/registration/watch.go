package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/regen"
)

const watchDescription = `watch regenerates whenever a proto changes. It watches each PROTO_DIR
recursively, directories created later included (default: the template's
inputs and the modules of buf.yaml or buf.work.yaml, else --dir), for
changes to .proto, .yaml and .yml files, and the buf template, buf.yaml,
buf.work.yaml, buf.lock and the files that plugin options name. After
--debounce without a change it generates into a staging directory; only a
fully successful run replaces the output directories, each atomically, so
a failed run keeps the last good output, prints the error (file:line from
protoc or buf) and the next good run recovers. After each run it prints the
files that changed and what changed in the registrations (services,
methods, bindings...), as "registration compare" does. It runs once at the
start, never runs twice at once (changes during a run start one more run
after it), and stops on SIGINT or SIGTERM, cancelling the run in flight.
Its output is a log of runs, with no --format.

The generation it replaced is kept: "registration check --restore" swaps
it back.

` + regenHelp

const watchExit = `
Exit status:
  0  stopped by SIGINT or SIGTERM
  1  bad arguments, or what watching needs is missing: buf, a proto tree,
     the working directory; a proto tree inside an output directory
`

func watchCommand() *cobra.Command {
	var regenOpts *regenOptions
	var debounce time.Duration
	cmd := &cobra.Command{
		Use:   "watch [flags] [PROTO_DIR...]",
		Short: "Regenerate whenever a proto changes; replace the output only after a good run",
		Long:  watchDescription,
		Example: `  registration watch
  registration watch proto --debounce 1s
  registration watch --cmd 'make generate OUT="$REGISTRATION_OUT"' --output gen`,
		GroupID:     genGroup,
		Annotations: map[string]string{topicsKey: watchExit},
		RunE: func(cmd *cobra.Command, dirs []string) error {
			if debounce <= 0 {
				return fmt.Errorf("flag --debounce=%v: want a positive duration", debounce)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return regen.Follow(ctx, regen.FollowConfig{Config: regenOpts.config(), Roots: dirs, Debounce: debounce},
				cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	regenOpts = addRegenFlags(cmd)
	cmd.Flags().DurationVar(&debounce, "debounce", regen.DefaultDebounce, "wait this long after the last change before generating")
	return cmd
}
