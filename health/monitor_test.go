package health

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/stats"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// backgroundMonitor is a monitor running in the background of a test, as the
// command runs it.
type backgroundMonitor struct {
	stdout, stderr healthtest.SyncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// startMonitor plans c in monitor mode and runs it in the background.
func startMonitor(t *testing.T, c Config) *backgroundMonitor {
	t.Helper()
	c.Monitor = true
	p, err := c.Plan()
	if err != nil {
		t.Fatal(err)
	}
	m := &backgroundMonitor{done: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go func() { m.done <- Run(ctx, p, &m.stdout, &m.stderr) }()
	t.Cleanup(func() { m.stop(t) })
	return m
}

// stop ends the monitor as SIGINT would and checks that it stops at once
// and cleanly.
func (m *backgroundMonitor) stop(t *testing.T) {
	t.Helper()
	if m.cancel == nil {
		return
	}
	m.cancel()
	m.cancel = nil
	select {
	case code := <-m.done:
		if code != 0 {
			t.Errorf("monitor exit code %d, want 0\n%s", code, m.stderr.String())
		}
	case <-time.After(2 * time.Second):
		t.Fatal("monitor did not stop within 2s")
	}
	if !strings.Contains(m.stderr.String(), "registration-health: stopped") {
		t.Errorf("stderr does not say the monitor stopped:\n%s", m.stderr.String())
	}
}

// events decodes the JSON events printed so far.
func (m *backgroundMonitor) events(t *testing.T) []eventRecord {
	t.Helper()
	var events []eventRecord
	for _, line := range strings.Split(strings.TrimSpace(m.stdout.String()), "\n") {
		if line == "" {
			continue
		}
		var e eventRecord
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("event %q: %v", line, err)
		}
		events = append(events, e)
	}
	return events
}

// waitEvents waits for n events and returns them.
func (m *backgroundMonitor) waitEvents(t *testing.T, n int) []eventRecord {
	t.Helper()
	healthtest.WaitFor(t, 5*time.Second, fmt.Sprintf("%d events; have:\n%s", n, m.stdout.String()),
		func() bool { return len(m.events(t)) >= n })
	return m.events(t)
}

func checkEvent(t *testing.T, e eventRecord, previous, status Status, consecutive int) {
	t.Helper()
	if e.Previous != previous || e.Status != status || e.Consecutive != consecutive {
		t.Errorf("event %s -> %s after %d, want %s -> %s after %d: %+v",
			e.Previous, e.Status, e.Consecutive, previous, status, consecutive, e)
	}
}

// TestMonitorThresholds flips an HTTP server between healthy and failing
// and checks that one bad check does not flap the status, that a change
// is reported after exactly the threshold, and that the monitor stops
// cleanly with no goroutine left.
func TestMonitorThresholds(t *testing.T) {
	var requests atomic.Int64
	var failOnce, failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if failing.Load() || failOnce.Swap(false) {
			http.Error(w, "flipped", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("flip.v1.Service")))
	c.Check, c.Addr = "http", srv.Listener.Addr().String()
	c.Interval, c.Jitter, c.FailureThreshold, c.SuccessThreshold = 20*time.Millisecond, 0, 3, 2
	leaked := goroutines(t)
	m := startMonitor(t, c)

	// Unknown until the second good check in a row.
	checkEvent(t, m.waitEvents(t, 1)[0], StatusUnknown, StatusHealthy, 2)

	// One failed check among good ones: no change.
	failOnce.Store(true)
	after := requests.Load()
	healthtest.WaitFor(t, 5*time.Second, "the failure and three more checks", func() bool { return !failOnce.Load() && requests.Load() >= after+4 })
	if n := len(m.events(t)); n != 1 {
		t.Fatalf("one failed check changed the status: %d events\n%s", n, m.stdout.String())
	}

	failing.Store(true)
	e := m.waitEvents(t, 2)[1]
	checkEvent(t, e, StatusHealthy, StatusUnhealthy, 3)
	if e.Detail != "HTTP 503" || !strings.Contains(e.Error, "flipped") || e.Check != KindHTTP || e.Service != "flip.v1.Service" {
		t.Errorf("failing event: %+v", e)
	}

	failing.Store(false)
	checkEvent(t, m.waitEvents(t, 3)[2], StatusUnhealthy, StatusHealthy, 2)

	m.stop(t)
	srv.CloseClientConnections()
	leaked()
}

// TestMonitorWatch checks that a gRPC status change pushed by the server
// over Watch is reported at once, long before the next periodic check,
// and that the metrics endpoint serves per-service status and latency
// until the monitor stops.
func TestMonitorWatch(t *testing.T) {
	const name = "watch.v1.Service"
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, name)
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service(name)))
	c.Addr = s.Addr
	c.Interval, c.Jitter, c.FailureThreshold, c.Listen = time.Minute, 0, 1, "127.0.0.1:0"
	leaked := goroutines(t)
	m := startMonitor(t, c)

	first := m.waitEvents(t, 1)[0]
	checkEvent(t, first, StatusUnknown, StatusHealthy, 1)
	if first.Detail != "SERVING" || first.Latency <= 0 {
		t.Errorf("first event: %+v", first)
	}

	start := time.Now()
	s.Set(healthpb.HealthCheckResponse_NOT_SERVING, name)
	e := m.waitEvents(t, 2)[1]
	checkEvent(t, e, StatusHealthy, StatusUnhealthy, 1)
	if e.Detail != "NOT_SERVING (watch)" || time.Since(start) > 2*time.Second {
		t.Errorf("pushed change after %v: %+v", time.Since(start), e)
	}
	s.Set(healthpb.HealthCheckResponse_SERVING, name)
	checkEvent(t, m.waitEvents(t, 3)[2], StatusUnhealthy, StatusHealthy, 1)

	addr := regexp.MustCompile(`serving metrics at (http://\S+/metrics)`).FindStringSubmatch(m.stderr.String())
	if addr == nil {
		t.Fatalf("no metrics address in stderr:\n%s", m.stderr.String())
	}
	body := get(t, addr[1])
	labels := fmt.Sprintf(`check="grpc",grpc_service=%q,target=%q`, name, s.Addr)
	for _, want := range []string{
		"registration_health_healthy{" + labels + "} 1",
		`registration_health_check_duration_seconds_count{check="grpc"} 1`,
		fmt.Sprintf(`registration_health_checks_total{check="grpc",grpc_service=%q,status="healthy",target=%q} 2`, name, s.Addr),
		fmt.Sprintf(`registration_health_checks_total{check="grpc",grpc_service=%q,status="unhealthy",target=%q} 1`, name, s.Addr),
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics do not have %q:\n%s", want, body)
		}
	}

	m.stop(t)
	if _, err := http.Get(addr[1]); err == nil {
		t.Error("metrics are still served after the monitor stopped")
	}
	leaked()
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMonitorServerDown stops a gRPC server under a monitor and checks
// the change to connection_failed after the failure threshold, in table
// format, then a clean stop while the Watch stream waits to reconnect.
func TestMonitorServerDown(t *testing.T) {
	const name = "down.v1.Service"
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, name)
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service(name)))
	c.Addr, c.Output, c.Timeout = s.Addr, FormatTable, 300*time.Millisecond
	c.Interval, c.Jitter, c.FailureThreshold = 30*time.Millisecond, 0.5, 2
	leaked := goroutines(t)
	m := startMonitor(t, c)
	healthtest.WaitFor(t, 5*time.Second, "the first status", func() bool { return strings.Contains(m.stdout.String(), "unknown -> healthy") })
	s.Server.Stop()
	healthtest.WaitFor(t, 5*time.Second, "the server to be reported down", func() bool {
		return strings.Contains(m.stdout.String(), "healthy -> connection_failed")
	})
	lines := strings.Split(strings.TrimSpace(m.stdout.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], name+"  grpc  "+s.Addr+"  healthy -> connection_failed") ||
		!strings.Contains(lines[1], "connection refused") {
		t.Errorf("table:\n%s", m.stdout.String())
	}
	m.stop(t)
	leaked()
}

// TestMonitorListenInUse checks that a metrics address that cannot be
// listened on is an error before any check.
func TestMonitorListenInUse(t *testing.T) {
	taken := healthtest.Listen(t)
	target := healthtest.NewCountingListener(t)
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("a.v1.Service")))
	c.Monitor, c.Addr, c.Listen = true, target.Addr(), taken.Addr().String()
	code, stdout, stderr := run(context.Background(), t, c)
	if code != ExitInvalidArguments || stdout != "" || !strings.Contains(stderr, "--listen: listen tcp "+taken.Addr().String()) {
		t.Errorf("exit code %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if n := target.Accepted(); n != 0 {
		t.Errorf("%d connections made", n)
	}
}

// TestTracker checks the threshold logic on its own: unknown until a
// threshold is met, then no flapping.
func TestTracker(t *testing.T) {
	const (
		ok      = StatusHealthy
		bad     = StatusUnhealthy
		down    = StatusConnectionFailed
		unknown = StatusUnknown
	)
	for _, tc := range []struct {
		name  string
		steps []struct {
			in       Status
			reported Status
			changed  bool
		}
	}{
		{"healthy start", []struct {
			in       Status
			reported Status
			changed  bool
		}{
			{ok, unknown, false}, // one good check is not two
			{ok, ok, true},       // second success in a row
			{bad, ok, false},
			{ok, ok, false},
			{bad, ok, false},
			{down, ok, false},
			{bad, bad, true},   // third failure in a row
			{down, down, true}, // still failing, another reason
			{down, down, false},
			{ok, down, false},
			{bad, bad, true},
			{ok, bad, false},
			{ok, ok, true}, // second success in a row
		}},
		{"failing start", []struct {
			in       Status
			reported Status
			changed  bool
		}{
			{bad, unknown, false}, // a slow start raises no alarm
			{ok, unknown, false},
			{bad, unknown, false},
			{down, unknown, false},
			{bad, bad, true}, // third failure in a row, whatever the reasons
		}},
	} {
		tr := &tracker{failureThreshold: 3, successThreshold: 2}
		for i, step := range tc.steps {
			changed, _, _ := tr.observe(step.in)
			if changed != step.changed || tr.reported != step.reported {
				t.Errorf("%s: step %d: %s: reported %s (changed %v), want %s (%v)", tc.name, i, step.in, tr.reported, changed, step.reported, step.changed)
			}
		}
	}
}

// eventLog collects the events of a Monitor run in a test.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}

// rpcLog records, per health service name, when the server first saw a
// Check and a Watch for it.
type rpcLog struct {
	mu          sync.Mutex
	firstCheck  map[string]time.Time
	firstWatch  map[string]time.Time
	watchOpened atomic.Int64
}

func newRPCLog() *rpcLog {
	return &rpcLog{firstCheck: map[string]time.Time{}, firstWatch: map[string]time.Time{}}
}

func (l *rpcLog) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if r, ok := req.(*healthpb.HealthCheckRequest); ok {
		l.mu.Lock()
		if _, seen := l.firstCheck[r.GetService()]; !seen {
			l.firstCheck[r.GetService()] = time.Now()
		}
		l.mu.Unlock()
	}
	return handler(ctx, req)
}

func (l *rpcLog) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return handler(srv, &watchRecorder{ServerStream: ss, log: l})
}

// watchRecorder records the name of a Watch when its request arrives.
type watchRecorder struct {
	grpc.ServerStream
	log *rpcLog
}

func (w *watchRecorder) RecvMsg(m any) error {
	err := w.ServerStream.RecvMsg(m)
	if r, ok := m.(*healthpb.HealthCheckRequest); ok && err == nil {
		w.log.mu.Lock()
		if _, seen := w.log.firstWatch[r.GetService()]; !seen {
			w.log.firstWatch[r.GetService()] = time.Now()
		}
		w.log.mu.Unlock()
		w.log.watchOpened.Add(1)
	}
	return err
}

// TestMonitorFleet monitors 200 SERVING services behind one gRPC server
// at two addresses with a short interval. It wants no event but unknown
// -> healthy, every service healthy, first checks spread over the
// interval, each Watch opened after its service's first Check, one
// connection per address for every check and stream, and a status that
// the server pushes reported at once, long before the next periodic
// check.
func TestMonitorFleet(t *testing.T) {
	const (
		n        = 200
		interval = 300 * time.Millisecond
		flipped  = "fleet.v1.Service000"
	)
	rpcs := newRPCLog()
	hs := grpchealth.NewServer()
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(rpcs.unary), grpc.ChainStreamInterceptor(rpcs.stream))
	healthpb.RegisterHealthServer(srv, hs)
	defer srv.Stop()
	var lns []*countingListener
	for range 2 {
		ln := &countingListener{Listener: healthtest.Listen(t)}
		go srv.Serve(ln)
		lns = append(lns, ln)
	}
	var checks []Check
	for i := range n {
		name := fmt.Sprintf("fleet.v1.Service%03d", i)
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
		ch := Check{Service: name, Kind: KindGRPC, Address: lns[i%2].Addr().String(), GRPCService: name}
		if name == flipped {
			// Checked first, then not again within the test: its change
			// can only come from its Watch stream, which counts as one
			// check.
			ch.Interval, ch.FailureThreshold = time.Hour, 1
		}
		checks = append(checks, ch)
	}

	leaked := goroutines(t)
	c := NewChecker(Options{Timeout: 5 * time.Second})
	var log eventLog
	m := &Monitor{Interval: interval, Jitter: 0.1, OnChange: log.add}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		m.Run(ctx, c, checks)
	}()
	defer func() {
		cancel()
		<-done
		c.Close()
		srv.Stop()
		leaked()
	}()

	healthtest.WaitFor(t, 30*time.Second, "every service healthy", func() bool { return len(log.all()) >= n })
	healthtest.WaitFor(t, 30*time.Second, "every Watch stream", func() bool { return rpcs.watchOpened.Load() >= n })
	healthy := map[string]bool{}
	for _, e := range log.all() {
		if e.Previous != StatusUnknown || e.Status != StatusHealthy {
			t.Errorf("%s: %s -> %s (%s), want only unknown -> healthy", e.Service, e.Previous, e.Status, e.Error)
		}
		healthy[e.Service] = true
	}
	if len(healthy) != n {
		t.Errorf("%d services healthy, want %d", len(healthy), n)
	}

	rpcs.mu.Lock()
	var first, last time.Time
	for _, ch := range checks {
		check, watch := rpcs.firstCheck[ch.GRPCService], rpcs.firstWatch[ch.GRPCService]
		if check.IsZero() || watch.IsZero() || !watch.After(check) {
			t.Errorf("%s: first Check at %v, first Watch at %v: want the Watch after the Check",
				ch.Service, check.Sub(start), watch.Sub(start))
		}
		if first.IsZero() || check.Before(first) {
			first = check
		}
		if check.After(last) {
			last = check
		}
	}
	rpcs.mu.Unlock()
	// Evenly over the interval: about 300ms from the first to the last.
	if spread := last.Sub(first); spread < interval/2 {
		t.Errorf("first checks spread over %v, want most of the interval (%v)", spread, interval)
	}
	for i, ln := range lns {
		if got := ln.accepted.Load(); got != 1 {
			t.Errorf("address %d: %d connections, want 1 for %d checks and Watch streams", i, got, n/2)
		}
	}

	flip := time.Now()
	hs.SetServingStatus(flipped, healthpb.HealthCheckResponse_NOT_SERVING)
	healthtest.WaitFor(t, 10*time.Second, "the pushed change", func() bool { return len(log.all()) > n })
	e := log.all()[n]
	if e.Service != flipped || e.Previous != StatusHealthy || e.Status != StatusUnhealthy || e.Detail != "NOT_SERVING (watch)" {
		t.Errorf("event after the flip: %+v", e)
	}
	t.Logf("200 services healthy, then a pushed change reported after %v", time.Since(flip))
}

// TestMonitorConcurrency checks that a monitor starts no more than
// Concurrency checks at once, and that they do run side by side.
func TestMonitorConcurrency(t *testing.T) {
	var inFlight, most, requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		time.Sleep(30 * time.Millisecond)
	}))
	defer srv.Close()
	var checks []Check
	for i := range 20 {
		checks = append(checks, Check{Service: fmt.Sprintf("busy.v1.Service%02d", i), Kind: KindHTTP, Address: srv.URL, URL: srv.URL + "/healthz"})
	}
	// A long timeout gives long slot leases: a check that waits for the
	// busy server keeps its slot.
	c := NewChecker(Options{Timeout: 20 * time.Second})
	defer c.Close()
	m := &Monitor{Interval: 50 * time.Millisecond, Concurrency: 3}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Run(ctx, c, checks)
	}()
	healthtest.WaitFor(t, 20*time.Second, "three rounds of checks", func() bool { return requests.Load() >= 60 })
	cancel()
	<-done
	if m := most.Load(); m > 3 || m < 2 {
		t.Errorf("at most %d checks in flight, want 2 to 3", m)
	}
}

// TestMonitorReload replaces a monitor's checks while it runs, as SIGHUP
// does: a target that stays keeps its status, with no new event; a new
// one starts unknown; one that is gone stops and its connection closes;
// a reload that fails keeps the checks.
func TestMonitorReload(t *testing.T) {
	var conns connCounter
	main, other := healthtest.NewGRPCServer(t), healthtest.NewGRPCServer(t, grpc.StatsHandler(&conns))
	names := []string{"reload.v1.A", "reload.v1.B", "reload.v1.C"}
	main.Set(healthpb.HealthCheckResponse_SERVING, names...)
	other.Set(healthpb.HealthCheckResponse_SERVING, names...)
	dir := t.TempDir()
	var services []*registration.Service
	for _, name := range names {
		services = append(services, healthtest.Service(name))
	}
	c := testConfig(healthtest.WriteRegistration(t, dir, "reg.json", services...))
	write := func(content string) { healthtest.WriteFile(t, dir, "targets.yaml", content) }
	write(fmt.Sprintf("default:\n  address: %s\nservices:\n  reload.v1.A:\n    address: %s\n", main.Addr, other.Addr))
	c.TargetsFile = filepath.Join(dir, "targets.yaml")
	c.Interval, c.Jitter = 100*time.Millisecond, 0
	reload := make(chan struct{}, 1)
	c.Reload = reload
	m := startMonitor(t, c)
	m.waitEvents(t, 3)

	// Every service on the main server: A moves.
	write(fmt.Sprintf("default:\n  address: %s\n", main.Addr))
	reload <- struct{}{}
	healthtest.WaitFor(t, 10*time.Second, "the reload", func() bool {
		return strings.Contains(m.stderr.String(), "registration-health: reload: 1 added, 1 removed, 2 kept; monitoring 3 checks\n")
	})
	if e := m.waitEvents(t, 4)[3]; e.Service != "reload.v1.A" || e.Address != main.Addr || e.Previous != StatusUnknown || e.Status != StatusHealthy {
		t.Errorf("event of the new target: %+v", e)
	}
	// The connection to the removed target's server is closed.
	healthtest.WaitFor(t, 5*time.Second, "the connection of the removed target to close", func() bool {
		return conns.opened.Load() == 1 && conns.closed.Load() == 1
	})

	write("services: [\n")
	reload <- struct{}{}
	healthtest.WaitFor(t, 10*time.Second, "the failed reload", func() bool {
		return strings.Contains(m.stderr.String(), "; keeping 3 checks\n")
	})
	for _, line := range strings.Split(strings.TrimSpace(m.stderr.String()), "\n") {
		if !strings.HasPrefix(line, "registration-health: ") {
			t.Errorf("stderr line without the program's name: %q", line)
		}
	}
	if !strings.Contains(m.stderr.String(), "registration-health: reload: "+c.TargetsFile) {
		t.Errorf("the failed reload does not name the file:\n%s", m.stderr.String())
	}
	// Still monitoring: a change is still reported.
	main.Set(healthpb.HealthCheckResponse_NOT_SERVING, "reload.v1.B")
	e := m.waitEvents(t, 5)[4]
	if e.Service != "reload.v1.B" || e.Status != StatusUnhealthy {
		t.Errorf("event after the failed reload: %+v", e)
	}
	if n := len(m.events(t)); n != 5 {
		t.Errorf("%d events, want 5:\n%s", n, m.stdout.String())
	}
}

// connCounter is a gRPC server's stats handler that counts the
// connections opened and closed.
type connCounter struct {
	opened, closed atomic.Int64
}

func (c *connCounter) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context   { return ctx }
func (c *connCounter) HandleRPC(context.Context, stats.RPCStats)                         {}
func (c *connCounter) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (c *connCounter) HandleConn(_ context.Context, s stats.ConnStats) {
	switch s.(type) {
	case *stats.ConnBegin:
		c.opened.Add(1)
	case *stats.ConnEnd:
		c.closed.Add(1)
	}
}

// TestMonitorReadyz checks /healthz and /readyz on the metrics port: not
// ready while the first check of a target that hangs is running, ready
// once it is done.
func TestMonitorReadyz(t *testing.T) {
	hung := healthtest.NewHungListener(t)
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("hung.v1.Service")))
	c.Addr, c.Listen = hung.Addr(), "127.0.0.1:0"
	c.Timeout, c.ConnectTimeout, c.Given = 3*time.Second, 3*time.Second, map[string]bool{"connect-timeout": true}
	m := startMonitor(t, c)
	var base string
	healthtest.WaitFor(t, 5*time.Second, "the metrics address", func() bool {
		found := regexp.MustCompile(`serving metrics at (http://\S+)/metrics`).FindStringSubmatch(m.stderr.String())
		if found != nil {
			base = found[1]
		}
		return found != nil
	})
	if code, body := getStatus(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, _ := getStatus(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the first check: %d, want 503", code)
	}
	healthtest.WaitFor(t, 10*time.Second, "/readyz 200 once the first check is done", func() bool {
		code, _ := getStatus(t, base+"/readyz")
		return code == http.StatusOK
	})
	if hung.Accepted() == 0 {
		t.Error("ready before the first check")
	}
}

// TestServeMetricsProbes checks the probes of the metrics port on their
// own: /readyz follows ready, 503 before and after, /healthz is 200
// throughout.
func TestServeMetricsProbes(t *testing.T) {
	var ready atomic.Bool
	ln := healthtest.Listen(t)
	stop := serveMetrics(ln, NewMetrics(MetricsOptions{}), ready.Load)
	defer stop()
	base := "http://" + ln.Addr().String()
	for _, step := range []struct {
		ready bool
		code  int
		body  string
	}{
		{false, http.StatusServiceUnavailable, "not ready\n"},
		{true, http.StatusOK, "ready\n"},
		{false, http.StatusServiceUnavailable, "not ready\n"}, // stopping
	} {
		ready.Store(step.ready)
		if code, body := getStatus(t, base+"/readyz"); code != step.code || body != step.body {
			t.Errorf("ready %v: /readyz %d %q, want %d %q", step.ready, code, body, step.code, step.body)
		}
		if code, body := getStatus(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
			t.Errorf("ready %v: /healthz %d %q", step.ready, code, body)
		}
	}
}

func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
