package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
)

// The grpc-health-probe release the benchmark compares with.
const (
	probeModule  = "github.com/grpc-ecosystem/grpc-health-probe"
	probeVersion = "v0.4.62"
)

// TestFleetBenchmark measures a fleet check. It runs only when
// REGISTRATION_BENCH=1 is set, as `make bench` does:
//
//	REGISTRATION_BENCH=1 go test -run '^TestFleetBenchmark$' -count=1 -v -timeout 30m ./cmd/registration-health/
//
// It needs grpc-health-probe on PATH or in $(go env GOPATH)/bin:
//
//	go install github.com/grpc-ecosystem/grpc-health-probe@v0.4.62
//
// One gRPC server with the real health service listens on 1,000 loopback
// ports, one per registered service. The benchmark alternates, in pairs,
// one process of the built registration-health checking all 1,000
// services with its defaults and 1,000 grpc-health-probe processes, one
// per service, one after the other as a shell loop runs them; it reports
// the median of the pairs' ratios and wants at least 20, on an idle
// machine and with every processor held by another process. Then 1,000
// targets that accept connections and never answer must be done in less
// than twice the timeout (median of three runs), and a monitor of the
// 1,000 services must stay under 128 MiB of resident memory.
func TestFleetBenchmark(t *testing.T) {
	if os.Getenv("REGISTRATION_BENCH") != "1" {
		t.Skip("set REGISTRATION_BENCH=1 to run the fleet benchmark (make bench)")
	}
	const n = 1000
	probe := findProbe(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	fleet := healthtest.NewFleet(t, dir, n)

	compare := func(label string, pairs int) {
		var ours, theirs []time.Duration
		var ratios []float64
		for range pairs {
			took, rep := runFleet(t, bin, n, health.ExitHealthy, "--targets", fleet.Targets, fleet.Registration)
			if rep.Summary.Healthy != n {
				t.Fatalf("%s: %d of %d healthy", label, rep.Summary.Healthy, n)
			}
			start := time.Now()
			for i, s := range fleet.Services {
				out, err := exec.Command(probe, "-addr="+fleet.Addrs[i], "-service="+s.Name).CombinedOutput()
				if err != nil {
					t.Fatalf("%s: grpc-health-probe for %s: %v\n%s", label, s.Name, err, out)
				}
			}
			probes := time.Since(start)
			ours, theirs = append(ours, took), append(theirs, probes)
			ratios = append(ratios, float64(probes)/float64(took))
		}
		ratio := median(ratios)
		t.Logf("%s, %d services, %d alternated pairs:", label, n, pairs)
		t.Logf("  registration-health, one process:               median %v (runs %v)", median(ours).Round(time.Millisecond), roundAll(ours))
		t.Logf("  grpc-health-probe %s, one process per service: median %v (runs %v)", probeVersion, median(theirs).Round(time.Millisecond), roundAll(theirs))
		t.Logf("  ratio: median %.1fx (pairs %s; target: at least 20x)", ratio, formatRatios(ratios))
		if ratio < 20 {
			t.Errorf("%s: registration-health is %.1fx faster than grpc-health-probe, want at least 20x", label, ratio)
		}
	}
	compare("idle machine", 3)
	stop := healthtest.BusyCPUs(t, 1)
	compare("every processor held by another process", 3)
	stop()

	// 1,000 hung targets.
	const timeout = time.Second
	hung := fleet.NewHungTargets(t, dir)
	var hungRuns []time.Duration
	for range 3 {
		took, rep := runFleet(t, bin, n, health.ExitConnectionFailure, "--targets", hung, "--timeout", timeout.String(), fleet.Registration)
		if rep.Summary.Failing != n {
			t.Errorf("%d of %d hung targets failing", rep.Summary.Failing, n)
		}
		hungRuns = append(hungRuns, took)
	}
	took := median(hungRuns)
	t.Logf("%d hung targets, --timeout %v: median %v, %.2fx the timeout (runs %v; target: under 2x)",
		n, timeout, took.Round(time.Millisecond), float64(took)/float64(timeout), roundAll(hungRuns))
	if took >= 2*timeout {
		t.Errorf("%d hung targets took %v, want less than %v", n, took, 2*timeout)
	}

	// A monitor of the 1,000 services.
	rss := monitorPeakRSS(t, bin, n, fleet)
	t.Logf("monitor of %d services: peak RSS %.1f MiB (target: under 128 MiB)", n, float64(rss)/(1<<20))
	if rss >= 128<<20 {
		t.Errorf("monitor of %d services: peak RSS %.1f MiB, want under 128 MiB", n, float64(rss)/(1<<20))
	}
}

// monitorPeakRSS runs a monitor of the fleet with a 2s interval until every
// service has been reported healthy and three more intervals have passed,
// and returns the peak resident memory of the process (VmHWM).
func monitorPeakRSS(t *testing.T, bin string, n int, fleet *healthtest.Fleet) int64 {
	t.Helper()
	const interval = 2 * time.Second
	cmd := exec.Command(bin, "--monitor", "--interval", interval.String(), "-o", "json", "--targets", fleet.Targets, fleet.Registration)
	var stdout, stderr healthtest.SyncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	healthtest.WaitFor(t, 60*time.Second, "every service healthy", func() bool {
		return strings.Count(stdout.String(), `"status":"healthy"`) >= n
	})
	if failing := strings.Count(stdout.String(), `"status":"connection_failed"`) + strings.Count(stdout.String(), `"status":"request_failed"`); failing > 0 {
		t.Errorf("monitor: %d failing events for a healthy fleet:\n%s", failing, stderr.String())
	}
	time.Sleep(3 * interval)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc to read the monitor's memory from: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", cmd.Process.Pid)
	return 0
}

// median is the middle value of a sample, the mean of the two middle ones
// for an even count.
func median[T time.Duration | float64](sample []T) T {
	s := append([]T(nil), sample...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func roundAll(d []time.Duration) []time.Duration {
	r := make([]time.Duration, len(d))
	for i := range d {
		r[i] = d[i].Round(time.Millisecond)
	}
	return r
}

func formatRatios(r []float64) string {
	s := make([]string, len(r))
	for i, x := range r {
		s[i] = fmt.Sprintf("%.1fx", x)
	}
	return strings.Join(s, " ")
}

// fleetReport is the part of a JSON report that the benchmark reads.
type fleetReport struct {
	Summary struct {
		Total   int `json:"total"`
		Healthy int `json:"healthy"`
		Failing int `json:"failing"`
	} `json:"summary"`
}

// runFleet runs the binary once and returns how long it took and its
// report.
func runFleet(t *testing.T, bin string, n, wantCode int, args ...string) (time.Duration, fleetReport) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-o", "json"}, args...)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	_ = cmd.Run()
	took := time.Since(start)
	if code := cmd.ProcessState.ExitCode(); code != wantCode {
		t.Fatalf("exit code %d after %v, want %d\n%s%s", code, took, wantCode, stderr.String(), errorCounts(stdout.String()))
	}
	var rep fleetReport
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil || rep.Summary.Total != n {
		t.Fatalf("report of %d checks, want %d: %v\n%s", rep.Summary.Total, n, err, stderr.String())
	}
	return took, rep
}

// errorCounts summarizes the errors of a JSON report, most frequent first,
// to say why a run failed.
func errorCounts(out string) string {
	var rep struct {
		Results []struct {
			Status    string  `json:"status"`
			Error     string  `json:"error"`
			LatencyMS float64 `json:"latency_ms"`
		} `json:"results"`
	}
	if json.Unmarshal([]byte(out), &rep) != nil {
		return ""
	}
	counts := map[string]int{}
	var slowest float64
	for _, r := range rep.Results {
		if r.Error != "" {
			counts[r.Status+": "+r.Error]++
		}
		slowest = max(slowest, r.LatencyMS)
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
	var b strings.Builder
	fmt.Fprintf(&b, "slowest check: %.0f ms\n", slowest)
	for _, k := range keys {
		fmt.Fprintf(&b, "%5d  %s\n", counts[k], k)
	}
	return b.String()
}

// findProbe finds the pinned grpc-health-probe on PATH or in
// $(go env GOPATH)/bin.
func findProbe(t *testing.T) string {
	t.Helper()
	install := fmt.Sprintf("go install %s@%s", probeModule, probeVersion)
	path, err := exec.LookPath("grpc-health-probe")
	if err != nil {
		gopath, gerr := exec.Command("go", "env", "GOPATH").Output()
		if gerr != nil {
			t.Fatalf("go env GOPATH: %v", gerr)
		}
		path = filepath.Join(strings.TrimSpace(strings.Split(string(gopath), string(os.PathListSeparator))[0]), "bin", "grpc-health-probe")
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("grpc-health-probe is neither on PATH nor in $(go env GOPATH)/bin; install it with:\n\t%s", install)
		}
	}
	out, err := exec.Command("go", "version", "-m", path).Output()
	if err != nil || !strings.Contains(string(out), probeModule+"\t"+probeVersion) {
		t.Fatalf("%s is not grpc-health-probe %s (go version -m: %v):\n%s\ninstall it with:\n\t%s", path, probeVersion, err, out, install)
	}
	return path
}
