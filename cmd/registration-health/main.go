// Command registration-health checks that the services listed in
// registration files are alive, over grpc.health.v1 and HTTP, for a whole
// fleet at once: the checks Kubernetes, Consul and grpc-health-probe users
// know, in one run, once or continuously.
//
//	registration-health [flags] REGISTRATION_FILE...
//
// It only wires: flags.go turns the command line into a health.Config,
// and package health (github.com/ovasabi/protoc-gen-registration/health)
// checks it and runs it. That package documents the checks, where
// services run and the exit codes, which are grpc-health-probe's: 0
// healthy, 1 bad input, 2 connection failure, 3 RPC failure, 4 unhealthy.
// Run registration-health --help for the flags, and see README.md beside
// this file for the manual.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/ovasabi/protoc-gen-registration/health"
)

// programName is the name in messages and usage; a constant, so that it
// does not depend on how the binary was started.
const programName = health.Name

func main() {
	if os.Getenv("GOGC") == "" {
		// A run holds up to --concurrency connections at once, each with
		// its buffers, and allocates fast: collecting less often saves a
		// fifth of the CPU time of a fleet check for no more memory.
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one ends the program at once.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program: flags, then a checked plan, then the checks.
// It returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		writeUsage(stdout)
		return health.ExitHealthy
	case errors.Is(err, errVersion):
		fmt.Fprintf(stdout, "%s %s\n", programName, health.Version())
		return health.ExitHealthy
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", programName, err, programName)
		return health.ExitInvalidArguments
	}
	plan, err := cfg.Plan()
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "%s: %s\n", programName, line)
		}
		return health.ExitInvalidArguments
	}
	return health.Run(ctx, plan, stdout, stderr)
}
