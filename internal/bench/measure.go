package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"
)

// program is one plugin binary under test.
type program struct {
	Name  string // row label in the tables
	Path  string // absolute path of the binary
	Param string // CodeGeneratorRequest.parameter it is run with
}

// sample is one timed run of one program.
type sample struct {
	Wall time.Duration
	// CPU is user+system time. On a shared, busy machine it is less
	// disturbed than wall time by waiting for a core, so it is reported next
	// to it as a cross-check.
	CPU       time.Duration
	MaxRSSKiB int64
	// RunnerHWMKiB is the runner's own peak RSS when it started the program;
	// MaxRSSKiB can never be reported below it (see internal/bench/runner).
	RunnerHWMKiB int64
}

// outcome collects the timed samples of one program at one N.
type outcome struct {
	Prog     program
	Samples  []sample
	Files    int // files in the last response
	OutBytes int // total content bytes of those files: the output bytes
	// Err is the program's first failure on this row (a non-zero exit, a
	// death, a response that does not parse or carries an error); the
	// program is not run again on the row, and its figures are absent.
	Err error
}

// ok reports whether the program ran every time without failing.
func (o *outcome) ok() bool { return o != nil && o.Err == nil && len(o.Samples) > 0 }

// median returns the median wall time of the samples, 0 if there are none.
func (o *outcome) median() time.Duration {
	return medianOf(o.Samples, func(s sample) time.Duration { return s.Wall })
}

// medianCPU returns the median CPU time of the samples, 0 if there are none.
func (o *outcome) medianCPU() time.Duration {
	return medianOf(o.Samples, func(s sample) time.Duration { return s.CPU })
}

// minWall returns the fastest wall time: the run least disturbed by noise.
func (o *outcome) minWall() time.Duration {
	if len(o.Samples) == 0 {
		return 0
	}
	return slices.MinFunc(o.Samples, func(a, b sample) int { return cmp.Compare(a.Wall, b.Wall) }).Wall
}

// medianOf returns the median of one duration field over the samples, 0 if
// there are none.
func medianOf(samples []sample, field func(sample) time.Duration) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	d := make([]time.Duration, len(samples))
	for i, s := range samples {
		d[i] = field(s)
	}
	slices.Sort(d)
	mid := len(d) / 2
	if len(d)%2 == 1 {
		return d[mid]
	}
	return (d[mid-1] + d[mid]) / 2
}

// peakKiB returns the median peak RSS over the samples. A Go program's peak
// depends on when its garbage collector happens to run, which varies from
// run to run by as much as a fifth on large requests; the median is the
// stable figure to compare, and peakRangeKiB shows the spread.
func (o *outcome) peakKiB() int64 {
	peaks := o.peaks()
	if len(peaks) == 0 {
		return 0
	}
	return peaks[len(peaks)/2]
}

// peakRangeKiB returns the smallest and largest peak RSS over the samples.
func (o *outcome) peakRangeKiB() (lo, hi int64) {
	peaks := o.peaks()
	if len(peaks) == 0 {
		return 0, 0
	}
	return peaks[0], peaks[len(peaks)-1]
}

func (o *outcome) peaks() []int64 {
	peaks := make([]int64, 0, len(o.Samples))
	for _, s := range o.Samples {
		peaks = append(peaks, s.MaxRSSKiB)
	}
	slices.Sort(peaks)
	return peaks
}

// runnerHWMKiB returns the highest runner floor seen over the samples.
func (o *outcome) runnerHWMKiB() int64 {
	var m int64
	for _, s := range o.Samples {
		m = max(m, s.RunnerHWMKiB)
	}
	return m
}

// buildBinaries builds the given main packages of the module at root into
// binDir with one `go build -o binDir/` and returns binDir. Each binary is
// named after the last element of its package path.
func buildBinaries(root, binDir string, pkgs ...string) error {
	args := append([]string{"build", "-o", binDir + string(filepath.Separator)}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", strings.Join(pkgs, " "), err)
	}
	return nil
}

// measure runs every program warmup+runs times in interleaved order
// (A B C A B C ...), so that drift in machine load, CPU frequency or page
// cache affects all programs alike instead of whichever ran last. Warm-up
// rounds are checked but not recorded. A program that fails keeps its first
// error in its outcome and is not run again, while the others go on, so
// that one failing program still leaves the floors measured; the caller
// decides what a failure means. A program whose RSS passes limitMiB (0: no
// limit) is killed and fails.
func measure(runnerPath, workDir string, programs []program, requests map[string]string, warmup, runs int, limitMiB int64) []*outcome {
	outcomes := make([]*outcome, len(programs))
	for i, p := range programs {
		outcomes[i] = &outcome{Prog: p}
	}
	for round := range warmup + runs {
		for i, p := range programs {
			o := outcomes[i]
			if o.Err != nil {
				continue
			}
			outPath := filepath.Join(workDir, fmt.Sprintf("out-%d.pb", i))
			errPath := filepath.Join(workDir, fmt.Sprintf("err-%d.txt", i))
			s, err := runViaRunner(runnerPath, p, requests[p.Param], outPath, errPath, limitMiB)
			if err != nil {
				o.Err = err
				continue
			}
			files, outBytes, err := checkResponse(outPath)
			if err != nil {
				o.Err = err
				continue
			}
			if round >= warmup {
				o.Samples = append(o.Samples, s)
				o.Files, o.OutBytes = files, outBytes
			}
		}
	}
	return outcomes
}

// runViaRunner runs p once under the runner helper with the request file on
// stdin and returns what the runner measured. A non-zero exit or a death by
// signal is an error carrying the start of p's stderr.
func runViaRunner(runnerPath string, p program, reqPath, outPath, errPath string, limitMiB int64) (sample, error) {
	cmd := exec.Command(runnerPath, "-in", reqPath, "-out", outPath, "-err", errPath,
		"-max-rss-kib", strconv.FormatInt(limitMiB*1024, 10), p.Path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("runner failed: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var res struct {
		WallNS       int64  `json:"wall_ns"`
		CPUNS        int64  `json:"cpu_ns"`
		MaxRSSKiB    int64  `json:"maxrss_kib"`
		ExitCode     int    `json:"exit_code"`
		Signal       string `json:"signal"`
		OverLimit    bool   `json:"over_limit"`
		RunnerHWMKiB int64  `json:"runner_hwm_kib"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return sample{}, fmt.Errorf("runner output %q: %w", stdout.String(), err)
	}
	switch {
	case res.OverLimit:
		return sample{}, fmt.Errorf("killed after %.1fs: RSS exceeded -max-rss-mib %d (raise it to let it finish)",
			time.Duration(res.WallNS).Seconds(), limitMiB)
	case res.Signal != "":
		hint := ""
		if strings.HasPrefix(res.Signal, "signal 9 ") {
			hint = "; an unexplained SIGKILL is usually the kernel's OOM killer (see dmesg)"
		}
		return sample{}, fmt.Errorf("killed by %s after %.1fs at %.1f MiB peak RSS%s; stderr:\n%s",
			res.Signal, time.Duration(res.WallNS).Seconds(), mib(res.MaxRSSKiB), hint, head(errPath, 4096))
	case res.ExitCode != 0:
		return sample{}, fmt.Errorf("exited with status %d; stderr:\n%s", res.ExitCode, head(errPath, 4096))
	}
	return sample{
		Wall:         time.Duration(res.WallNS),
		CPU:          time.Duration(res.CPUNS),
		MaxRSSKiB:    res.MaxRSSKiB,
		RunnerHWMKiB: res.RunnerHWMKiB,
	}, nil
}

// checkResponse parses a program's stdout as a CodeGeneratorResponse and
// fails if it does not parse or if the plugin reported an error in it (a
// plugin signals bad input through the error field, with exit status 0).
func checkResponse(path string) (files, contentBytes int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	resp := &pluginpb.CodeGeneratorResponse{}
	if err := proto.Unmarshal(data, resp); err != nil {
		return 0, 0, fmt.Errorf("response does not parse (%d bytes): %w", len(data), err)
	}
	if resp.Error != nil {
		return 0, 0, fmt.Errorf("plugin returned an error: %s", resp.GetError())
	}
	for _, f := range resp.GetFile() {
		contentBytes += len(f.GetContent())
	}
	return len(resp.GetFile()), contentBytes, nil
}

// head returns up to n bytes of the file at path, for error messages.
func head(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if len(data) > n {
		data = append(data[:n], "..."...)
	}
	return string(data)
}
