package healthtest

import (
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"google.golang.org/grpc"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Fleet is n services, each SERVING on a loopback port of its own, all
// served by one gRPC server with the real health service: what a checker
// of a whole fleet sees, without starting n processes.
type Fleet struct {
	// Services are the registered services, bench.v1.Service0000 on.
	Services []*registration.Service
	// Addrs are their addresses, in the order of Services.
	Addrs []string
	// Health is the health service of every port.
	Health *grpchealth.Server
	// Registration is a registration file of the services.
	Registration string
	// Targets is a targets file that gives each service its address.
	Targets string
}

// NewFleet starts a fleet of n services and writes its registration and
// targets files to dir. Everything stops when the test ends.
func NewFleet(t testing.TB, dir string, n int) *Fleet {
	t.Helper()
	f := &Fleet{Health: grpchealth.NewServer()}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, f.Health)
	t.Cleanup(srv.Stop)
	var targets strings.Builder
	targets.WriteString("services:\n")
	for i := range n {
		ln := Listen(t)
		go srv.Serve(ln)
		s := Service(fmt.Sprintf("bench.v1.Service%04d", i))
		f.Services = append(f.Services, s)
		f.Addrs = append(f.Addrs, ln.Addr().String())
		f.Health.SetServingStatus(s.Name, healthpb.HealthCheckResponse_SERVING)
		fmt.Fprintf(&targets, "  %s:\n    address: %s\n", s.Name, ln.Addr())
	}
	f.Registration = WriteRegistration(t, dir, "fleet.registration.json", f.Services...)
	f.Targets = WriteFile(t, dir, "fleet-targets.yaml", targets.String())
	return f
}

// NewHungTargets writes a targets file that sends every service of f to a
// listener of its own that accepts connections and never answers.
func (f *Fleet) NewHungTargets(t testing.TB, dir string) string {
	t.Helper()
	var targets strings.Builder
	targets.WriteString("services:\n")
	for _, s := range f.Services {
		fmt.Fprintf(&targets, "  %s:\n    address: %s\n", s.Name, NewHungListener(t).Addr())
	}
	return WriteFile(t, dir, "hung-targets.yaml", targets.String())
}

// BusyCPUs keeps every processor busy until the returned function is
// called or the test ends, with perCPU shell loops per processor in
// processes of their own: the neighbours of a CronJob on a busy node, which the
// kernel shares the processors with, not goroutines that the Go scheduler
// of the test would put first or last.
func BusyCPUs(t testing.TB, perCPU int) (stop func()) {
	t.Helper()
	var cmds []*exec.Cmd
	for range perCPU * runtime.NumCPU() {
		cmd := exec.Command("sh", "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting a busy loop: %v", err)
		}
		cmds = append(cmds, cmd)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		for _, cmd := range cmds {
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	return stop
}
