package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/ovasabi/protoc-gen-registration/internal/syncio"
)

// Exit codes of a run that a signal ended, as a shell reports a process
// that the signal ended: 128 plus the signal's number.
const (
	// ExitHangup: SIGHUP ended a batch run (a monitor reloads instead).
	ExitHangup = 128 + 1
	// ExitInterrupted: SIGINT (Ctrl-C) ended a batch run or a monitor.
	ExitInterrupted = 128 + 2
	// ExitTerminated: SIGTERM ended a batch run. A monitor that SIGTERM
	// stops, as a supervisor stops it, exits ExitHealthy.
	ExitTerminated = 128 + 15
)

// StopSignal is the cause of the end of a run's context when a signal
// ended it: cancel Run's context with context.WithCancelCause and a
// StopSignal, and Run returns the signal's exit code.
type StopSignal struct {
	Signal os.Signal
}

func (s StopSignal) Error() string { return "stopped by " + s.Signal.String() }

// ExitCode is 128 plus the number of the signal, as a shell reports a
// process that the signal ended: 130 for SIGINT, 143 for SIGTERM; 128
// for a signal with no number.
func (s StopSignal) ExitCode() int {
	if n, ok := s.Signal.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 128
}

// stopSignal returns the signal that ended ctx, if one did.
func stopSignal(ctx context.Context) (StopSignal, bool) {
	var s StopSignal
	if ctx.Err() == nil || !errors.As(context.Cause(ctx), &s) {
		return StopSignal{}, false
	}
	return s, true
}

// Run runs a plan as the registration-health command does and returns its
// exit code. It first writes the plan's warnings to stderr.
//
// Without Monitor, Run runs every check once, at most Concurrency at a
// time, writes the results sorted to stdout, and returns their ExitCode.
// When ctx ends, checks still running end at once and report that they
// were canceled; when a StopSignal ended it (see context.Cause), Run
// returns the signal's exit code (ExitInterrupted, ExitTerminated,
// ExitHangup) after writing the results.
//
// With Monitor, Run checks until ctx ends and writes each change of
// status to stdout as it happens, with metrics, /healthz and /readyz
// served at Listen; then it stops every check, closes every connection
// and the metrics server, and returns ExitHealthy, or the exit code of
// the StopSignal that ended ctx unless it is SIGTERM: a supervisor stops
// a monitor with SIGTERM, and a person with Ctrl-C (ExitInterrupted). It
// returns ExitInvalidArguments, having checked nothing, when Listen
// cannot be listened on. Each receive on Reload plans the Config again
// (Replan) and hands the new checks to the monitor; a plan that fails is
// reported and the monitor keeps its checks.
//
// Output is in the plan's format; what goes to stderr is one line at a
// time, each starting with Name.
func Run(ctx context.Context, p *Plan, stdout, stderr io.Writer) int {
	for _, w := range p.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", Name, printable(w))
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
	if s, ok := stopSignal(ctx); ok {
		return s.ExitCode()
	}
	return ExitCode(results)
}

// runMonitor is Run in monitor mode.
func runMonitor(ctx context.Context, c *Checker, p *Plan, format string, stdout, stderr io.Writer) int {
	// The monitor, its reloads and the metrics server write from
	// goroutines of their own.
	stderr = syncio.NewWriter(stderr)
	m := *p.Monitor
	m.Concurrency = p.Concurrency
	m.OnChange = func(e Event) {
		if err := WriteEvent(stdout, format, e); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		}
		if p.OnChange != nil {
			p.OnChange(e)
		}
	}
	var ready atomic.Bool
	m.OnReady = func() { ready.Store(true) }
	var stopMetrics func()
	if p.Listen != "" {
		ln, err := net.Listen("tcp", p.Listen)
		if err != nil {
			fmt.Fprintf(stderr, "%s: --listen: %v\n", Name, err)
			return ExitInvalidArguments
		}
		m.Metrics = NewMetrics(MetricsOptions{TargetHistogram: p.TargetHistogram})
		stopMetrics = serveMetrics(ln, m.Metrics, func() bool { return ready.Load() && ctx.Err() == nil })
		fmt.Fprintf(stderr, "%s: serving metrics at http://%s/metrics\n", Name, ln.Addr())
	}

	var reloader sync.WaitGroup
	how := "stop with SIGINT or SIGTERM"
	n := len(dedupe(p.Checks))
	if p.Reload != nil && p.Replan != nil {
		how += ", reload with SIGHUP"
		reloads := make(chan []Check)
		m.Reload = reloads
		var count atomic.Int64
		count.Store(int64(n))
		m.OnReload = func(added, removed, kept int) {
			count.Store(int64(added + kept))
			fmt.Fprintf(stderr, "%s: reload: %d added, %d removed, %d kept; monitoring %d checks\n", Name, added, removed, kept, added+kept)
		}
		reloader.Go(func() { reload(ctx, p, reloads, &count, stderr) })
	}
	fmt.Fprintf(stderr, "%s: monitoring %d checks every %v; %s\n", Name, n, m.Interval, how)
	m.Run(ctx, c, p.Checks)
	reloader.Wait()
	if stopMetrics != nil {
		stopMetrics()
	}
	fmt.Fprintf(stderr, "%s: stopped\n", Name)
	if s, ok := stopSignal(ctx); ok && s.Signal != syscall.SIGTERM {
		return s.ExitCode()
	}
	return ExitHealthy
}

// reload plans the Config again on each receive on p.Reload until ctx
// ends, and hands the checks of each plan that succeeds to the monitor.
func reload(ctx context.Context, p *Plan, reloads chan<- []Check, count *atomic.Int64, stderr io.Writer) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.Reload:
		}
		next, err := p.Replan()
		if err != nil {
			lines := strings.Split(err.Error(), "\n")
			for i, line := range lines {
				if i == len(lines)-1 {
					line += fmt.Sprintf("; keeping %d checks", count.Load())
				}
				fmt.Fprintf(stderr, "%s: reload: %s\n", Name, printable(line))
			}
			continue
		}
		for _, w := range next.Warnings {
			fmt.Fprintf(stderr, "%s: reload: warning: %s\n", Name, printable(w))
		}
		select {
		case reloads <- next.Checks:
		case <-ctx.Done():
			return
		}
	}
}
