package health

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Monitor checks targets again and again and reports each change of
// their status, as kubelet and Consul do. A target is StatusUnknown until
// its checks meet a threshold: it is reported healthy after
// SuccessThreshold good checks in a row and failing after
// FailureThreshold failed ones, so that a monitor that starts raises no
// alarm over one slow check, and one bad check does not flap the status
// later either. While failing, a new kind of failure (from
// connection_failed to unhealthy) is reported at once.
//
// The first checks of the targets are spread evenly over their interval,
// in order, so that a thousand targets do not all start at once; then
// each target is checked every interval, spread by the jitter. At most
// Concurrency checks are started at once, as in Checker.Batch.
//
// Once its first check is done, each gRPC target also holds a
// grpc.health.v1 Watch stream, on the connection that every check of its
// address shares, so that a status the server pushes is seen at once; it
// counts as one check. A server without Watch is left to the periodic
// checks.
type Monitor struct {
	// Interval is the time between two checks of a target, unless its
	// Check has an interval of its own; zero means DefaultInterval.
	Interval time.Duration
	// Jitter spreads each interval at random by up to this fraction
	// either way, from 0 (none) to 1.
	Jitter float64
	// FailureThreshold is how many failed checks in a row make a target
	// failing, unless its Check says otherwise; zero means
	// DefaultFailureThreshold.
	FailureThreshold int
	// SuccessThreshold is how many good checks in a row make a target
	// healthy, unless its Check says otherwise; zero means
	// DefaultSuccessThreshold.
	SuccessThreshold int
	// Concurrency bounds the checks started at once; zero means
	// MachineConcurrency.
	Concurrency int
	// Metrics, when not nil, records every check and reported status.
	Metrics *Metrics
	// OnChange, when not nil, is called with each change of reported
	// status as it happens, one call at a time.
	OnChange func(Event)
	// OnReady, when not nil, is called once every check that Run was
	// given has run once (at once when there is none).
	OnReady func()
	// Reload, when not nil, replaces the checks while the monitor runs.
	// A target that stays (same service, kind, address and target: see
	// Result) keeps its status, its counts and its Watch stream, and runs
	// with the new Check's settings from its next check; a target that is
	// gone stops, and its metrics and connection go with it; a new one
	// starts, the new ones spread over their interval.
	Reload <-chan []Check
	// OnReload, when not nil, is called after each reload with how many
	// targets were added, removed and kept.
	OnReload func(added, removed, kept int)
}

// Event is a change of the status a Monitor reports for a target.
type Event struct {
	// Result is the check that made the change. A status pushed by a
	// Watch stream has no latency, and its Detail ends in " (watch)".
	Result
	// Previous is the status reported before: StatusUnknown for the
	// first change.
	Previous Status
	// Consecutive is how many checks in a row had the health of this one.
	Consecutive int
}

// checkID is what a target is, whatever its settings: two checks with
// the same ID are one target, and a reload keeps it.
type checkID struct {
	service string
	kind    Kind
	address string
	target  string
}

// idOf returns the identity of a check: a Check of no kind is a gRPC
// check, as Probe runs it.
func idOf(ch Check) checkID {
	if ch.Kind == "" {
		ch.Kind = KindGRPC
	}
	r := newResult(ch)
	return checkID{service: r.Service, kind: r.Kind, address: r.Address, target: r.Target}
}

// monitorRun is a Monitor running, with its defaults filled in.
type monitorRun struct {
	Monitor
	checker *Checker
	slots   *slots
	ctx     context.Context
	targets map[checkID]*target // only Run's goroutine touches it
	mu      sync.Mutex          // one OnChange call at a time

	// pending counts the checks given to Run that have not run yet.
	readyMu sync.Mutex
	pending int
}

// target is one check that a monitor repeats. It has no goroutine of its
// own while it waits: its timer starts each check in a goroutine of the
// timer's, so that a thousand idle targets cost a thousand timers, not
// a thousand stacks.
type target struct {
	id      checkID
	ctx     context.Context
	cancel  context.CancelFunc
	timer   *time.Timer
	metrics *targetMetrics

	// mu guards what follows: a check, a pushed status, a reload and the
	// stop of the target each hold it in turn.
	mu       sync.Mutex
	check    Check
	key      connKey // the connection reserved for the target's lifetime
	tracker  tracker
	last     string // the last serving status seen, to tell a pushed change
	stopped  bool
	checked  bool // the first check is done
	initial  bool // one of the checks Run was given, not yet checked
	watch    context.CancelFunc
	inFlight sync.WaitGroup // the check running and the Watch stream
}

// Run checks every target with c until ctx ends, then stops every check
// and closes every connection it made before it returns. Checks with the
// same service, kind, address and target are one target: the first one
// given is kept.
func (m *Monitor) Run(ctx context.Context, c *Checker, checks []Check) {
	r := &monitorRun{Monitor: *m, checker: c, ctx: ctx, targets: map[checkID]*target{}}
	if r.Interval <= 0 {
		r.Interval = DefaultInterval
	}
	if r.FailureThreshold < 1 {
		r.FailureThreshold = DefaultFailureThreshold
	}
	if r.SuccessThreshold < 1 {
		r.SuccessThreshold = DefaultSuccessThreshold
	}
	if r.Concurrency < 1 {
		r.Concurrency = MachineConcurrency()
	}
	r.Jitter = min(max(r.Jitter, 0), 1)
	r.slots = newSlots(r.Concurrency)

	r.start(dedupe(checks), true)
	r.checkReady()
	reload := r.Reload
	for {
		select {
		case <-ctx.Done():
			for _, t := range r.targets {
				r.stop(t, false)
			}
			return
		case next, ok := <-reload:
			if !ok {
				reload = nil
				continue
			}
			added, removed, kept := r.replace(dedupe(next))
			if r.OnReload != nil {
				r.OnReload(added, removed, kept)
			}
		}
	}
}

// dedupe returns checks without the later ones of a target already
// listed.
func dedupe(checks []Check) []Check {
	seen := make(map[checkID]bool, len(checks))
	out := make([]Check, 0, len(checks))
	for _, ch := range checks {
		if id := idOf(ch); !seen[id] {
			seen[id] = true
			out = append(out, ch)
		}
	}
	return out
}

// start starts targets, the first check of the i-th of n targets i/n of
// its interval from now: evenly, so that neither the checker nor the
// servers see every check at once, and a fleet is known after one
// interval.
func (m *monitorRun) start(checks []Check, initial bool) {
	if initial {
		m.readyMu.Lock()
		m.pending += len(checks)
		m.readyMu.Unlock()
	}
	for i, ch := range checks {
		t := &target{id: idOf(ch), check: ch, initial: initial}
		t.ctx, t.cancel = context.WithCancel(m.ctx)
		t.tracker = tracker{failureThreshold: m.failureThreshold(ch), successThreshold: m.successThreshold(ch), reported: StatusUnknown}
		t.key = m.checker.conns.keyOf(ch)
		// The connection of a gRPC target stays up while the target runs,
		// between its checks too: one connection per address, however
		// many targets it has.
		m.checker.conns.reserve(t.key, 1)
		if m.Metrics != nil {
			t.metrics = m.Metrics.target(ch)
		}
		m.targets[t.id] = t
		delay := time.Duration(float64(m.interval(ch)) * float64(i) / float64(len(checks)))
		t.mu.Lock()
		t.timer = time.AfterFunc(delay, func() { m.run(t) })
		t.mu.Unlock()
	}
}

// replace makes checks the monitor's targets and returns how many were
// added, removed and kept.
func (m *monitorRun) replace(checks []Check) (added, removed, kept int) {
	want := make(map[checkID]bool, len(checks))
	var fresh []Check
	for _, ch := range checks {
		id := idOf(ch)
		want[id] = true
		if t, ok := m.targets[id]; ok {
			m.update(t, ch)
			kept++
			continue
		}
		fresh = append(fresh, ch)
	}
	var gone []*target
	for id, t := range m.targets {
		if !want[id] {
			gone = append(gone, t)
			delete(m.targets, id)
		}
	}
	// New targets first: one that takes the place of a target that is
	// gone at the same address keeps its connection up.
	m.start(fresh, false)
	for _, t := range gone {
		m.stop(t, true)
	}
	m.checkReady()
	return len(fresh), len(gone), kept
}

// update gives a target that a reload keeps its new settings. A target
// whose connection changes (a TLS configuration of its own) opens its
// Watch stream again on the new one.
func (m *monitorRun) update(t *target, ch Check) {
	t.mu.Lock()
	t.check = ch
	t.tracker.failureThreshold = m.failureThreshold(ch)
	t.tracker.successThreshold = m.successThreshold(ch)
	old, key := t.key, m.checker.conns.keyOf(ch)
	if key != old {
		m.checker.conns.reserve(key, 1)
		t.key = key
		if t.watch != nil {
			t.watch()
			t.watch = nil
			m.startWatch(t)
		}
	}
	t.mu.Unlock()
	if key != old {
		m.checker.conns.unreserve(old)
	}
}

// stop stops a target and waits for its check and Watch stream to end;
// then its connection is released. removed says that a reload took the
// target away: its metrics go too.
func (m *monitorRun) stop(t *target, removed bool) {
	t.mu.Lock()
	t.stopped = true
	t.timer.Stop()
	initial := t.initial
	t.initial = false
	t.mu.Unlock()
	t.cancel()
	t.inFlight.Wait()
	m.checker.conns.unreserve(t.key)
	if removed && t.metrics != nil {
		t.metrics.delete()
	}
	if initial && removed {
		m.checked()
	}
}

// run runs one check of a target, in its timer's goroutine, and sets the
// timer for the next one.
func (m *monitorRun) run(t *target) {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	t.inFlight.Add(1)
	ch := t.check
	t.mu.Unlock()
	defer t.inFlight.Done()

	r, ok := m.probe(t.ctx, ch)
	if !ok {
		return // stopping: a canceled check is no result
	}
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	t.last = r.Detail
	m.observe(t, r, true)
	first := t.initial
	if !t.checked {
		t.checked, t.initial = true, false
		if ch.Kind == KindGRPC || ch.Kind == "" {
			m.startWatch(t)
		}
	}
	t.timer.Reset(m.nextDelay(t.check))
	t.mu.Unlock()
	if first {
		m.checked()
	}
}

// probe runs a check once a slot is free; ok is false when ctx ended
// first.
func (m *monitorRun) probe(ctx context.Context, ch Check) (r Result, ok bool) {
	tk, ok := m.slots.enter(ctx, m.slots.lease(m.checker.timeout(ch)))
	if !ok {
		return Result{}, false
	}
	r = m.checker.Probe(context.WithValue(ctx, ticketKey{}, tk), ch)
	tk.leave()
	if ctx.Err() != nil {
		return Result{}, false
	}
	if r.answered() {
		m.slots.answered(r.Latency)
	}
	return r, true
}

// startWatch opens the Watch stream of a gRPC target; t.mu is held.
func (m *monitorRun) startWatch(t *target) {
	if t.stopped {
		return
	}
	ctx, cancel := context.WithCancel(t.ctx)
	t.watch = cancel
	// A stream that broke is opened again after an interval, but no
	// more than DefaultInterval after: a target checked hourly still
	// hears of a change soon after its server's return.
	ch, retry := t.check, min(m.interval(t.check), DefaultInterval)
	t.inFlight.Go(func() {
		defer cancel()
		m.checker.watchGRPC(ctx, ch, retry, func(s healthpb.HealthCheckResponse_ServingStatus) {
			m.pushed(ctx, t, s)
		})
	})
}

// pushed takes a serving status that a Watch stream received: one that
// differs from the last one seen counts as a check.
func (m *monitorRun) pushed(ctx context.Context, t *target, s healthpb.HealthCheckResponse_ServingStatus) {
	t.mu.Lock()
	defer t.mu.Unlock()
	name := s.String()
	if t.stopped || ctx.Err() != nil || name == t.last {
		return
	}
	t.last = name
	r := newResult(t.check)
	r.Kind = KindGRPC
	r.Status, r.Detail = StatusHealthy, name+" (watch)"
	if s != healthpb.HealthCheckResponse_SERVING {
		r.Status, r.Error = StatusUnhealthy, "serving status "+name
	}
	m.observe(t, r, false)
}

// observe records a result and reports the change it makes, if any;
// t.mu is held, so that the changes of a target are reported in order.
// measured is false for a status pushed by Watch, which has no latency.
func (m *monitorRun) observe(t *target, r Result, measured bool) {
	changed, previous, run := t.tracker.observe(r.Status)
	if t.metrics != nil {
		t.metrics.record(r, t.tracker.reported, measured)
	}
	if !changed || m.OnChange == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.OnChange(Event{Result: r, Previous: previous, Consecutive: run})
}

// checked counts one of the checks Run was given as run, and calls
// OnReady after the last.
func (m *monitorRun) checked() {
	m.readyMu.Lock()
	m.pending--
	m.readyMu.Unlock()
	m.checkReady()
}

// checkReady calls OnReady, once, when no check Run was given is left to
// run.
func (m *monitorRun) checkReady() {
	m.readyMu.Lock()
	ready := m.pending == 0 && m.OnReady != nil
	if ready {
		m.pending = -1 // once
	}
	m.readyMu.Unlock()
	if ready {
		m.OnReady()
	}
}

func (m *monitorRun) interval(ch Check) time.Duration {
	if ch.Interval > 0 {
		return ch.Interval
	}
	return m.Interval
}

func (m *monitorRun) failureThreshold(ch Check) int {
	if ch.FailureThreshold > 0 {
		return ch.FailureThreshold
	}
	return m.FailureThreshold
}

func (m *monitorRun) successThreshold(ch Check) int {
	if ch.SuccessThreshold > 0 {
		return ch.SuccessThreshold
	}
	return m.SuccessThreshold
}

// nextDelay is a check's interval, spread by up to jitter either way.
func (m *monitorRun) nextDelay(ch Check) time.Duration {
	f := 1 + m.Jitter*(2*rand.Float64()-1)
	return time.Duration(float64(m.interval(ch)) * f)
}

// tracker turns a series of check results into a reported status that
// does not flap, as Kubernetes probes count them. It starts at
// StatusUnknown: successThreshold successes in a row make it healthy, and
// failureThreshold failures in a row make it failing, with the status of
// the last failure. A healthy target becomes failing after
// failureThreshold failures in a row, and a failing one healthy after
// successThreshold successes in a row. While failing, a new kind of
// failure (connection_failed, then unhealthy) is reported at once: the
// target is failing either way.
type tracker struct {
	failureThreshold int
	successThreshold int

	reported Status // StatusUnknown until a threshold is met
	run      int    // results in a row with the same health as the last
	lastOK   bool
}

// observe records one result. It reports whether the reported status
// changed, the status before, and how many results in a row have had the
// health of this one.
func (t *tracker) observe(s Status) (changed bool, previous Status, run int) {
	if t.reported == "" {
		t.reported = StatusUnknown
	}
	ok := s == StatusHealthy
	if t.run > 0 && ok == t.lastOK {
		t.run++
	} else {
		t.run = 1
	}
	t.lastOK = ok
	previous = t.reported
	switch {
	case ok && t.reported != StatusHealthy && t.run >= t.successThreshold:
		t.reported = s
	case !ok && t.reported == StatusUnknown && t.run >= t.failureThreshold:
		t.reported = s
	case !ok && t.reported == StatusHealthy && t.run >= t.failureThreshold:
		t.reported = s
	case !ok && t.reported != StatusHealthy && t.reported != StatusUnknown:
		t.reported = s
	}
	return t.reported != previous, previous, t.run
}
