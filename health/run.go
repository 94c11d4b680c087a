package health

import (
	"context"
	"fmt"
	"io"
	"net"
)

// Run runs a plan as the registration-health command does and returns its
// exit code. It first writes the plan's warnings to stderr.
//
// Without Monitor, Run runs every check once, at most Concurrency at a
// time, writes the results sorted to stdout, and returns their ExitCode.
// When ctx ends, checks still running end at once and report that they
// were canceled.
//
// With Monitor, Run checks until ctx ends and writes each change of
// status to stdout as it happens, with metrics served at Listen; then it
// stops every check, closes every connection and the metrics server, and
// returns ExitHealthy. It returns ExitInvalidArguments, having checked
// nothing, when Listen cannot be listened on.
//
// Output is in the plan's format; what goes to stderr is one line at a
// time, each starting with Name.
func Run(ctx context.Context, p *Plan, stdout, stderr io.Writer) int {
	for _, w := range p.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", Name, w)
	}
	c := NewChecker(p.Options)
	defer c.Close()
	format := chooseFormat(p.Output, stdout)
	if p.Monitor != nil {
		return runMonitor(ctx, c, p, format, stdout, stderr)
	}
	results := c.Batch(ctx, p.Checks, p.Concurrency)
	SortResults(results)
	if err := WriteResults(stdout, format, results); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
	}
	return ExitCode(results)
}

// runMonitor is Run in monitor mode.
func runMonitor(ctx context.Context, c *Checker, p *Plan, format string, stdout, stderr io.Writer) int {
	m := *p.Monitor
	m.OnChange = func(e Event) {
		if err := WriteEvent(stdout, format, e); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		}
	}
	var stopMetrics func()
	if p.Listen != "" {
		ln, err := net.Listen("tcp", p.Listen)
		if err != nil {
			fmt.Fprintf(stderr, "%s: --listen: %v\n", Name, err)
			return ExitInvalidArguments
		}
		m.Metrics = NewMetrics()
		stopMetrics = m.Metrics.serve(ln)
		fmt.Fprintf(stderr, "%s: serving metrics at http://%s/metrics\n", Name, ln.Addr())
	}
	fmt.Fprintf(stderr, "%s: monitoring %d checks every %v; stop with SIGINT or SIGTERM\n", Name, len(p.Checks), m.Interval)
	m.Run(ctx, c, p.Checks)
	if stopMetrics != nil {
		stopMetrics()
	}
	fmt.Fprintf(stderr, "%s: stopped\n", Name)
	return ExitHealthy
}
