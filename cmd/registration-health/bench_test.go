package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// The grpc-health-probe release the benchmark compares with.
const (
	probeModule  = "github.com/grpc-ecosystem/grpc-health-probe"
	probeVersion = "v0.4.62"
)

// TestFleetBenchmark measures a fleet check. It runs only when
// REGISTRATION_BENCH=1 is set, as `make bench` does:
//
//	REGISTRATION_BENCH=1 go test -run '^TestFleetBenchmark$' -count=1 -v -timeout 10m ./cmd/registration-health/
//
// It needs grpc-health-probe on PATH or in $(go env GOPATH)/bin:
//
//	go install github.com/grpc-ecosystem/grpc-health-probe@v0.4.62
//
// One gRPC server with the real health service listens on 1,000 loopback
// ports, one per registered service. The test times one process of the
// built registration-health checking all 1,000 services (best of three
// runs) and 1,000 grpc-health-probe processes, one per service, one
// after the other as a shell loop runs them, and wants a ratio of at
// least 20. Then 1,000 targets that accept connections and never answer
// must be done in less than twice the timeout.
func TestFleetBenchmark(t *testing.T) {
	if os.Getenv("REGISTRATION_BENCH") != "1" {
		t.Skip("set REGISTRATION_BENCH=1 to run the fleet benchmark (make bench)")
	}
	const n = 1000
	probe := findProbe(t)
	bin := buildBinary(t)
	dir := t.TempDir()

	hs := grpchealth.NewServer()
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	defer srv.Stop()
	services := make([]*registration.Service, n)
	addrs := make([]string, n)
	var targets strings.Builder
	targets.WriteString("services:\n")
	for i := range n {
		ln := healthtest.Listen(t)
		go srv.Serve(ln)
		services[i] = healthtest.Service(fmt.Sprintf("bench.v1.Service%04d", i))
		addrs[i] = ln.Addr().String()
		hs.SetServingStatus(services[i].Name, healthpb.HealthCheckResponse_SERVING)
		fmt.Fprintf(&targets, "  %s:\n    address: %s\n", services[i].Name, addrs[i])
	}
	reg := healthtest.WriteRegistration(t, dir, "bench.registration.json", services...)
	tf := healthtest.WriteFile(t, dir, "targets.yaml", targets.String())

	var runs []time.Duration
	for range 3 {
		took, rep := runFleet(t, bin, n, health.ExitHealthy, "--targets", tf, reg)
		if rep.Summary.Healthy != n {
			t.Fatalf("%d of %d healthy", rep.Summary.Healthy, n)
		}
		runs = append(runs, took)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i] < runs[j] })
	ours := runs[0]

	start := time.Now()
	for i := range n {
		out, err := exec.Command(probe, "-addr="+addrs[i], "-service="+services[i].Name).CombinedOutput()
		if err != nil {
			t.Fatalf("grpc-health-probe for %s: %v\n%s", services[i].Name, err, out)
		}
	}
	theirs := time.Since(start)
	ratio := float64(theirs) / float64(ours)
	t.Logf("%d services: registration-health, one process: %v (runs: %v)", n, ours.Round(time.Millisecond), runs)
	t.Logf("%d services: grpc-health-probe %s, one process each: %v (%v per process)",
		n, probeVersion, theirs.Round(time.Millisecond), (theirs / n).Round(10*time.Microsecond))
	t.Logf("ratio: %.1fx (target: at least 20x)", ratio)
	if ratio < 20 {
		t.Errorf("registration-health is %.1fx faster than grpc-health-probe, want at least 20x", ratio)
	}

	// 1,000 hung targets.
	const timeout = time.Second
	targets.Reset()
	targets.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&targets, "  %s:\n    address: %s\n", services[i].Name, healthtest.NewHungListener(t).Addr())
	}
	hung := healthtest.WriteFile(t, dir, "hung.yaml", targets.String())
	took, rep := runFleet(t, bin, n, health.ExitConnectionFailure, "--targets", hung, "--timeout", timeout.String(), reg)
	t.Logf("%d hung targets, --timeout %v: %v", n, timeout, took.Round(time.Millisecond))
	if took >= 2*timeout {
		t.Errorf("%d hung targets took %v, want less than %v", n, took, 2*timeout)
	}
	if rep.Summary.Failing != n {
		t.Errorf("%d of %d hung targets failing", rep.Summary.Failing, n)
	}
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
		t.Fatalf("exit code %d, want %d\n%s", code, wantCode, stderr.String())
	}
	var rep fleetReport
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil || rep.Summary.Total != n {
		t.Fatalf("report of %d checks, want %d: %v\n%s", rep.Summary.Total, n, err, stderr.String())
	}
	return took, rep
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
