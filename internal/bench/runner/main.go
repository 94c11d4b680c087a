// Command runner runs one program once for internal/bench and reports its
// wall time, CPU time and peak resident memory as one JSON line on stdout.
//
// Why a separate process: on Linux a child's ru_maxrss is at least the
// high-water RSS of the process it was forked from (Go forks with
// CLONE_VM|CLONE_VFORK, and exec records the old address space's peak into
// the child's maxrss). The benchmark compiles thousands of protos in-process
// and grows to hundreds of MiB, so every program it spawned directly would
// report that instead of its own peak. This runner is freshly exec'd, stays
// at a few MiB, and reports its own high-water mark (runner_hwm_kib) so the
// bench can tell how low a measurement can meaningfully go.
//
// The runner also guards the machine, which is shared: with -max-rss-kib it
// kills the program once its RSS exceeds that many KiB, rather than letting a
// runaway plugin reach the kernel's OOM killer, which may pick another victim.
//
// Usage: runner -in FILE -out FILE -err FILE [-max-rss-kib N] PROGRAM
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// result is the JSON line written to stdout.
type result struct {
	WallNS       int64  `json:"wall_ns"`
	CPUNS        int64  `json:"cpu_ns"` // user+system time of the child
	MaxRSSKiB    int64  `json:"maxrss_kib"`
	ExitCode     int    `json:"exit_code"`        // -1 if killed by a signal
	Signal       string `json:"signal,omitempty"` // e.g. "signal 9 (killed)"
	OverLimit    bool   `json:"over_limit,omitempty"`
	RunnerHWMKiB int64  `json:"runner_hwm_kib"`
}

// pollInterval is how often the memory guard samples the child's RSS. Coarse
// on purpose: it is a safety net, not a measurement, and must not compete
// with the child for CPU.
const pollInterval = 50 * time.Millisecond

func main() {
	in := flag.String("in", "", "file to connect to the program's stdin")
	out := flag.String("out", "", "file to receive the program's stdout")
	errPath := flag.String("err", "", "file to receive the program's stderr")
	limit := flag.Int64("max-rss-kib", 0, "kill the program when its RSS exceeds this many KiB (0: no limit)")
	flag.Parse()
	if flag.NArg() != 1 || *in == "" || *out == "" || *errPath == "" {
		fmt.Fprintln(os.Stderr, "usage: runner -in FILE -out FILE -err FILE [-max-rss-kib N] PROGRAM")
		os.Exit(2)
	}
	res, err := runOnce(flag.Arg(0), *in, *out, *errPath, *limit)
	if err != nil {
		fmt.Fprintf(os.Stderr, "runner: %v\n", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		os.Exit(1)
	}
}

// runOnce runs program with stdin, stdout and stderr attached directly to
// files: no pipes and no copying goroutines, so the timed region is the
// program's own start, work and exit and nothing of ours.
func runOnce(program, inPath, outPath, errPath string, limitKiB int64) (result, error) {
	stdin, err := os.Open(inPath)
	if err != nil {
		return result{}, err
	}
	defer stdin.Close()
	stdout, err := os.Create(outPath)
	if err != nil {
		return result{}, err
	}
	defer stdout.Close()
	stderr, err := os.Create(errPath)
	if err != nil {
		return result{}, err
	}
	defer stderr.Close()

	cmd := exec.Command(program)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	hwm := selfHWM() // our peak so far: the floor under the child's maxrss
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	var overLimit atomic.Bool
	done := make(chan struct{})
	if limitKiB > 0 {
		go guard(cmd.Process, limitKiB, &overLimit, done)
	}
	waitErr := cmd.Wait()
	wall := time.Since(start)
	close(done)

	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return result{}, waitErr
	}
	rusage, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if rusage == nil {
		return result{}, errors.New("no rusage for child (not Linux?)")
	}
	res := result{
		WallNS:       wall.Nanoseconds(),
		CPUNS:        rusage.Utime.Nano() + rusage.Stime.Nano(),
		MaxRSSKiB:    rusage.Maxrss, // KiB on Linux
		ExitCode:     cmd.ProcessState.ExitCode(),
		OverLimit:    overLimit.Load(),
		RunnerHWMKiB: hwm,
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.Signal = fmt.Sprintf("signal %d (%v)", int(ws.Signal()), ws.Signal())
	}
	return res, nil
}

// guard kills p once its RSS exceeds limitKiB, until done is closed.
func guard(p *os.Process, limitKiB int64, overLimit *atomic.Bool, done <-chan struct{}) {
	path := fmt.Sprintf("/proc/%d/status", p.Pid)
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if statusKiB(path, "VmRSS:") > limitKiB {
				overLimit.Store(true)
				p.Kill()
				return
			}
		}
	}
}

// selfHWM returns this process's peak RSS (VmHWM) in KiB, or 0 if unknown.
func selfHWM() int64 { return statusKiB("/proc/self/status", "VmHWM:") }

// statusKiB returns the "NAME:   123 kB" field of a /proc status file in KiB,
// or 0 if the file or the field cannot be read.
func statusKiB(path, field string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
