// Command registration-health checks that the services listed in
// registration files are alive, over grpc.health.v1 and HTTP, for a whole
// fleet at once: the checks Kubernetes, Consul and grpc-health-probe users
// know, in one run, once or continuously.
//
//	registration-health [flags] FILE...
//
// It only wires: flags.go binds the command line, in the grammar the
// project's binaries share (package internal/cli), to a health.Config,
// and package health (github.com/ovasabi/protoc-gen-registration/health)
// checks it and runs it. That package documents the checks, where
// services run and the exit codes, which are grpc-health-probe's: 0
// healthy, 1 bad input, 2 connection failure, 3 RPC failure, 4 unhealthy;
// and for a run that a signal ended, 128 plus its number (130 for SIGINT),
// except that SIGTERM stops a monitor with 0 and SIGHUP reloads it. With
// --publish-etcd (etcd.go), package health/etcdsink also writes each
// status change of the monitor into etcd.
// Run registration-health --help for the flags, and see README.md beside
// this file for the manual.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/internal/syncio"
)

// programName is the name in messages and usage; a constant, so that it
// does not depend on how the binary was started.
const programName = health.Name

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := handleSignals(cancel)
	code := run(context.WithValue(ctx, signalsKey{}, sigs), os.Args[1:], os.Stdout, os.Stderr)
	sigs.stop()
	os.Exit(code)
}

// signals turns the signals the program gets into the end of its context,
// with the signal as the cause, from which package health takes the exit
// code: SIGINT 130, and SIGTERM 143 in a batch run and 0 in monitor mode.
// In monitor mode SIGHUP reloads the files; in a batch run it ends the run
// (129), as it would end a program that does not catch it. After the
// first signal that ends the run, a second one ends the program at once.
type signals struct {
	ch     chan os.Signal
	cancel context.CancelCauseFunc
	// reload is Config.Reload in monitor mode; reloading says that
	// SIGHUP sends on it.
	reload    chan struct{}
	reloading atomic.Bool
}

// signalsKey is the context key of the program's signals, for check.
type signalsKey struct{}

func handleSignals(cancel context.CancelCauseFunc) *signals {
	s := &signals{ch: make(chan os.Signal, 4), cancel: cancel, reload: make(chan struct{}, 1)}
	signal.Notify(s.ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		stopping := false
		for sig := range s.ch {
			if sig == syscall.SIGHUP && s.reloading.Load() {
				// Reloads that come while one is waiting are one.
				select {
				case s.reload <- struct{}{}:
				default:
				}
				continue
			}
			if stopping {
				os.Exit(health.StopSignal{Signal: sig}.ExitCode())
			}
			stopping = true
			s.cancel(health.StopSignal{Signal: sig})
		}
	}()
	return s
}

// stop stops listening for signals.
func (s *signals) stop() { signal.Stop(s.ch) }

// run is the whole program and returns its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(check)
	root.SetContext(ctx)
	return cli.Run(root, args, stdout, stderr)
}

// newRoot returns the command: its own run hands the files and flags it is
// given to checks (check, or a test's), and cli.New adds help, version and
// completion.
func newRoot(checks func(cmd *cobra.Command, cfg health.Config, format string) error) *cobra.Command {
	root := cli.New(programName, "Check the services of registration files over grpc.health.v1 and HTTP", description)
	root.Use = programName + " [flags] FILE..."
	root.Example = examples
	// Any argument that is not a command is a file; "--" ends the flags,
	// so that "-- version" is a file named version.
	root.Args = cobra.ArbitraryArgs
	var cfg health.Config
	var format string
	addFlags(root, &cfg, &format)
	root.RunE = func(cmd *cobra.Command, files []string) error {
		cfg.Files = files
		cfg.Given = givenFlags(cmd.Flags())
		return checks(cmd, cfg, format)
	}
	cli.HelpTopics(root, topics)
	return root
}

// check plans the run, reporting every problem of the input at once, one a
// line, and runs it. Check results end the program with their
// grpc-health-probe exit status.
func check(cmd *cobra.Command, cfg health.Config, format string) error {
	if s, ok := cmd.Context().Value(signalsKey{}).(*signals); ok && cfg.Monitor {
		cfg.Reload = s.reload
		s.reloading.Store(true)
	}
	var errs []error
	var err error
	if cfg.Output, err = cli.Format(format, cmd.OutOrStdout()); err != nil {
		errs = append(errs, err)
	}
	etcdFlags, etcdErrs := etcdFlagsOf(cmd, cfg)
	errs = append(errs, etcdErrs...)
	plan, err := cfg.Plan()
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		for _, line := range strings.Split(errors.Join(errs...).Error(), "\n") {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", programName, line)
		}
		return &cli.Exit{Status: health.ExitInvalidArguments}
	}
	stderr := cmd.ErrOrStderr()
	if len(etcdFlags.endpoints) > 0 {
		// The sink writes to stderr from a goroutine of its own.
		stderr = syncio.NewWriter(stderr)
		stop, err := etcdFlags.publish(cmd.Context(), plan, func(format string, args ...any) {
			fmt.Fprintf(stderr, "%s: %s\n", programName, fmt.Sprintf(format, args...))
		})
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", programName, err)
			return &cli.Exit{Status: health.ExitInvalidArguments}
		}
		defer stop()
	}
	if code := health.Run(cmd.Context(), plan, cmd.OutOrStdout(), stderr); code != health.ExitHealthy {
		return &cli.Exit{Status: code}
	}
	return nil
}
