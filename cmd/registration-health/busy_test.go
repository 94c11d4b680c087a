package main

import (
	"testing"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
)

// TestBusyMachineFleet checks 1,000 SERVING services with the defaults
// while every processor is held by two other processes (the checker gets
// about a third of the machine, as in a CronJob with a CPU limit), three
// runs in a row,
// and wants every one of them healthy: the checker's own load must not
// turn a healthy fleet into timeouts, as it did when every check started
// at once and each took as long as the whole batch.
func TestBusyMachineFleet(t *testing.T) {
	const n = 1000
	bin := buildBinary(t)
	fleet := healthtest.NewFleet(t, t.TempDir(), n)
	healthtest.BusyCPUs(t, 2)
	for run := range 3 {
		took, rep := runFleet(t, bin, n, health.ExitHealthy, "--targets", fleet.Targets, fleet.Registration)
		if rep.Summary.Healthy != n {
			t.Fatalf("run %d: %d of %d healthy", run+1, rep.Summary.Healthy, n)
		}
		t.Logf("run %d: %d healthy in %v", run+1, n, took)
	}
}
