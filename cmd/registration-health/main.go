// Command registration-health checks that the services listed in
// registration files are alive, over grpc.health.v1 and HTTP, for a whole
// fleet at once: the checks Kubernetes, Consul and grpc-health-probe users
// know, in one run.
//
//	registration-health [flags] REGISTRATION_FILE...
//
// Registration files are those protoc-gen-registration writes (format
// registration.v1, JSON or YAML, per proto file or aggregate). A service
// found in several files is checked once, as its first file describes it.
// A service whose registration has no health section is checked under its
// full name and at --http-path.
//
// # Checks
//
// --check says which checks run per service: grpc (the default), http or
// both.
//
//   - grpc: grpc.health.v1.Health/Check with the service's health name (its
//     full name) over a fresh connection, as grpc-health-probe does. SERVING
//     passes. UNIMPLEMENTED is reported as no_health_service. --server-check
//     adds one Check with the empty name (the whole server) per address.
//   - http: GET of the service's health path. 2xx and 3xx pass, as in
//     Kubernetes. Redirects are followed on the same host and port only, at
//     most 10; a redirect elsewhere is not followed and its 3xx passes. At
//     most 10 KiB of the body is read. No proxy, no keep-alive.
//
// --header values go to both: HTTP headers, and gRPC metadata (but Host).
// --tls and the --tls-* flags (CA file, client certificate and key, server
// name, --tls-no-verify, off by default) serve both too. Each check is
// bounded by --timeout, its connection by --connect-timeout.
//
// # Where services run
//
// Addresses are not in registrations. For each service and check kind, the
// first of these wins:
//
//  1. --target SERVICE=ADDRESS
//  2. the targets file's entry for the service: grpc_address or
//     http_address, then address
//  3. --http-addr (HTTP checks), then --addr
//  4. the targets file's default entry, the same way
//
// An address is host:port; an HTTP address may also be http://host:port or
// https://host:port. With --tls, host:port addresses use TLS. The targets
// file (--targets) is YAML with unknown keys rejected; see
// testdata/targets.yaml:
//
//	default:
//	  address: 127.0.0.1:9090
//	services:
//	  library.v1.LibraryService:
//	    grpc_address: library.internal:9090
//	    http_address: https://library.internal:8443
//
// # Selection
//
// --service and --exclude take globs in path.Match syntax, matched against
// full service names: 'library.v1.*', '*.LibraryService'. Without --service
// every service is checked.
//
// # Bad input
//
// Every flag, registration file, targets file and TLS file is read and
// checked before any check starts. A missing or malformed file, a target
// for a service in no registration file, a --service glob that matches
// nothing, a service with no address, or an invalid address or TLS file
// is reported with its name, all problems at once, and the exit code is 1.
//
// # Batch and monitor
//
// By default every check runs once, at most --concurrency (1024) at a time,
// and the results are printed: a table on a terminal, JSON otherwise, or as
// --output says (table, json, yaml). Hung targets cost one --timeout per
// --concurrency of them, so a fleet of up to 1024 hung targets is done in
// about one timeout.
//
// With --monitor each check repeats every --interval, spread by --jitter,
// until SIGINT or SIGTERM. A healthy service is reported failing after
// --failure-threshold failures in a row, a failing one healthy after
// --success-threshold successes in a row; the first result is reported as
// it is. Each gRPC target also holds a grpc.health.v1 Watch stream: a
// status the server pushes counts as a check at once. Every change is
// printed as it happens (a table line, a JSON object per line, or a YAML
// document). --listen serves Prometheus metrics at /metrics:
// registration_health_healthy, registration_health_latency_seconds,
// registration_health_check_duration_seconds and
// registration_health_checks_total, by service, check and address.
//
// # Exit codes
//
// As grpc-health-probe documents them: 0 every check healthy, 1 bad
// arguments or input, 2 connection failure, 3 RPC failure (the request
// failed or timed out, or no health service), 4 unhealthy. When several
// checks fail, the most severe wins: 2, then 3, then 4. Monitor mode exits
// 0 after a clean stop.
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
)

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
		return exitHealthy
	case errors.Is(err, errVersion):
		fmt.Fprintf(stdout, "%s %s\n", programName, version())
		return exitHealthy
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", programName, err, programName)
		return exitInvalidArguments
	}
	plan, err := cfg.resolve()
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "%s: %s\n", programName, line)
		}
		return exitInvalidArguments
	}
	for _, w := range plan.warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", programName, w)
	}

	c := newChecker(plan)
	defer c.close()
	format := chooseFormat(plan.output, stdout)
	if plan.monitor != nil {
		return runMonitor(ctx, c, plan, format, stdout, stderr)
	}
	results := runBatch(ctx, c, plan.checks, plan.concurrency)
	sortResults(results)
	if err := writeResults(stdout, format, results); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", programName, err)
	}
	return exitCodeOf(results)
}
