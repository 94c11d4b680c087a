package health

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
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

	checkEvent(t, m.waitEvents(t, 1)[0], "", StatusHealthy, 1)

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
	checkEvent(t, first, "", StatusHealthy, 1)
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
	labels := fmt.Sprintf(`address=%q,check="grpc",service=%q`, s.Addr, name)
	for _, want := range []string{
		"registration_health_healthy{" + labels + "} 1",
		"registration_health_latency_seconds{" + labels + "} ",
		"registration_health_check_duration_seconds_count{" + labels + "} 1",
		"registration_health_checks_total{" + labels + `,status="healthy"} 2`,
		"registration_health_checks_total{" + labels + `,status="unhealthy"} 1`,
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
	healthtest.WaitFor(t, 5*time.Second, "the first status", func() bool { return strings.Contains(m.stdout.String(), "(start) -> healthy") })
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

// TestTracker checks the threshold logic on its own.
func TestTracker(t *testing.T) {
	const (
		ok   = StatusHealthy
		bad  = StatusUnhealthy
		down = StatusConnectionFailed
	)
	tr := &tracker{failureThreshold: 3, successThreshold: 2}
	for i, step := range []struct {
		in       Status
		reported Status
		changed  bool
	}{
		{ok, ok, true}, // the first result is reported as it is
		{bad, ok, false},
		{ok, ok, false},
		{bad, ok, false},
		{down, ok, false},
		{bad, bad, true},   // third failure in a row
		{down, down, true}, // still failing, another reason
		{ok, down, false},
		{bad, bad, true},
		{ok, bad, false},
		{ok, ok, true}, // second success in a row
	} {
		changed, _, _ := tr.observe(step.in)
		if changed != step.changed || tr.reported != step.reported {
			t.Errorf("step %d: %s: reported %s (changed %v), want %s (%v)", i, step.in, tr.reported, changed, step.reported, step.changed)
		}
	}
}
