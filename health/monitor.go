package health

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Monitor checks targets again and again and reports each change of
// their status. A healthy target is reported failing only after
// FailureThreshold failed checks in a row, and a failing one healthy only
// after SuccessThreshold good checks in a row, as Kubernetes probes count
// them: one bad check does not flap the status. The first result of a
// target is reported as it is; while failing, a new kind of failure (from
// connection_failed to unhealthy) is reported at once.
//
// Each gRPC target also holds a grpc.health.v1 Watch stream on a
// connection of its own, so that a status the server pushes is seen at
// once; it counts as one check. A server without Watch is left to the
// periodic checks.
type Monitor struct {
	// Interval is the time between two checks of a target; zero means
	// DefaultInterval.
	Interval time.Duration
	// Jitter spreads each interval at random by up to this fraction
	// either way, from 0 (none) to 1, and the first checks of all targets
	// over this fraction of one interval.
	Jitter float64
	// FailureThreshold is how many failed checks in a row make a healthy
	// target failing; zero means DefaultFailureThreshold.
	FailureThreshold int
	// SuccessThreshold is how many good checks in a row make a failing
	// target healthy; zero means DefaultSuccessThreshold.
	SuccessThreshold int
	// Metrics, when not nil, records every check and reported status.
	Metrics *Metrics
	// OnChange, when not nil, is called with each change of reported
	// status as it happens, one call at a time.
	OnChange func(Event)
}

// Event is a change of the status a Monitor reports for a target.
type Event struct {
	// Result is the check that made the change. A status pushed by a
	// Watch stream has no latency, and its Detail ends in " (watch)".
	Result
	// Previous is the status reported before; empty for the first result.
	Previous Status
	// Consecutive is how many checks in a row had the health of this one.
	Consecutive int
}

// monitorRun is a Monitor running, with its defaults filled in.
type monitorRun struct {
	Monitor
	checker *Checker
	mu      sync.Mutex // one OnChange call at a time
}

// Run checks every target with c until ctx ends, then stops every check
// and closes every connection it made before it returns.
func (m *Monitor) Run(ctx context.Context, c *Checker, checks []Check) {
	r := &monitorRun{Monitor: *m, checker: c}
	if r.Interval <= 0 {
		r.Interval = DefaultInterval
	}
	if r.FailureThreshold < 1 {
		r.FailureThreshold = DefaultFailureThreshold
	}
	if r.SuccessThreshold < 1 {
		r.SuccessThreshold = DefaultSuccessThreshold
	}
	r.Jitter = min(max(r.Jitter, 0), 1)
	var wg sync.WaitGroup
	for _, ch := range checks {
		wg.Go(func() { r.runTarget(ctx, ch) })
	}
	<-ctx.Done()
	wg.Wait()
}

// runTarget checks one target until ctx ends. A gRPC target also holds a
// Watch stream: a serving status pushed by the server that differs from
// the last one seen counts as a check at once.
func (m *monitorRun) runTarget(ctx context.Context, ch Check) {
	t := &tracker{failureThreshold: m.FailureThreshold, successThreshold: m.SuccessThreshold}
	var pushed chan healthpb.HealthCheckResponse_ServingStatus
	if ch.Kind == KindGRPC {
		pushed = make(chan healthpb.HealthCheckResponse_ServingStatus, 1)
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { m.checker.watchGRPC(wctx, ch, m.Interval, pushed) })
		defer func() {
			cancel()
			wg.Wait()
		}()
	}

	timer := time.NewTimer(m.firstDelay())
	defer timer.Stop()
	last := "" // last serving status seen, to tell a pushed change
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			r := m.checker.Probe(ctx, ch)
			if ctx.Err() != nil {
				return // stopping: a canceled check is no result
			}
			last = r.Detail
			m.observe(t, r, true)
		case s := <-pushed:
			if t.reported == "" || s.String() == last {
				continue // the first status comes from a Check; no change
			}
			last = s.String()
			r := Result{Service: ch.Service, Kind: KindGRPC, Address: ch.Address, Target: ch.GRPCService,
				Status: StatusHealthy, Detail: s.String() + " (watch)", Time: time.Now()}
			if s != healthpb.HealthCheckResponse_SERVING {
				r.Status, r.Error = StatusUnhealthy, "serving status "+s.String()
			}
			m.observe(t, r, false)
		}
		timer.Reset(m.nextDelay())
	}
}

// observe records a result and reports the change it makes, if any.
// measured is false for a status pushed by Watch, which has no latency.
func (m *monitorRun) observe(t *tracker, r Result, measured bool) {
	changed, previous, run := t.observe(r.Status)
	if m.Metrics != nil {
		m.Metrics.record(r, t.reported, measured)
	}
	if !changed || m.OnChange == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.OnChange(Event{Result: r, Previous: previous, Consecutive: run})
}

// firstDelay spreads the first checks of all targets over the jitter
// part of one interval, so that they do not all start at once.
func (m *monitorRun) firstDelay() time.Duration {
	return time.Duration(float64(m.Interval) * m.Jitter * rand.Float64())
}

// nextDelay is the interval, spread by up to jitter either way.
func (m *monitorRun) nextDelay() time.Duration {
	f := 1 + m.Jitter*(2*rand.Float64()-1)
	return time.Duration(float64(m.Interval) * f)
}

// tracker turns a series of check results into a reported status that
// does not flap: a healthy service is reported failing only after
// failureThreshold failures in a row, and a failing one healthy only after
// successThreshold successes in a row, as Kubernetes probes do. The first
// result is reported as it is. While failing, a new kind of failure
// (connection_failed, then unhealthy) is reported at once: the service is
// failing either way.
type tracker struct {
	failureThreshold int
	successThreshold int

	reported Status // empty before the first result
	run      int    // results in a row with the same health as the last
	lastOK   bool
}

// observe records one result. It reports whether the reported status
// changed, the status before, and how many results in a row have had the
// health of this one.
func (t *tracker) observe(s Status) (changed bool, previous Status, run int) {
	ok := s == StatusHealthy
	if t.reported != "" && ok == t.lastOK {
		t.run++
	} else {
		t.run = 1
	}
	t.lastOK = ok
	previous = t.reported
	switch {
	case t.reported == "":
		t.reported = s
	case t.reported == StatusHealthy && !ok && t.run >= t.failureThreshold:
		t.reported = s
	case t.reported != StatusHealthy && ok && t.run >= t.successThreshold:
		t.reported = s
	case t.reported != StatusHealthy && !ok:
		t.reported = s
	}
	return t.reported != previous, previous, t.run
}
