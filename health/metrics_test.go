package health

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// recordSome records a few results of three targets, one of them still
// unknown, as a monitor would.
func recordSome(m *Metrics) {
	up := m.target(Check{Service: "lint.v1.Up", Kind: KindGRPC, Address: "10.0.0.1:9090", GRPCService: "lint.v1.Up"})
	up.record(Result{Kind: KindGRPC, Status: StatusHealthy, Latency: 3 * time.Millisecond}, StatusHealthy, true)
	up.record(Result{Kind: KindGRPC, Status: StatusUnhealthy}, StatusUnhealthy, false)
	web := m.target(Check{Service: "lint.v1.Up", Kind: KindHTTP, Address: "10.0.0.1:8080", URL: "http://10.0.0.1:8080/healthz"})
	web.record(Result{Kind: KindHTTP, Status: StatusHealthy, Latency: 2 * time.Millisecond}, StatusHealthy, true)
	server := m.target(Check{Kind: KindGRPC, Address: "10.0.0.2:9090"})
	server.record(Result{Kind: KindGRPC, Status: StatusConnectionFailed, Latency: time.Second}, StatusUnknown, true)
}

// scrape serves m's handler and returns what a scrape gets.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	code, body := getStatus(t, srv.URL)
	if code != http.StatusOK {
		t.Fatalf("scrape: HTTP %d\n%s", code, body)
	}
	return body
}

// TestMetricsLint scrapes the metrics handler, with and without the
// per-target histogram, and wants promlint to find no problem in what
// it serves, the Go and process metrics included.
func TestMetricsLint(t *testing.T) {
	for _, targetHistogram := range []bool{false, true} {
		m := NewMetrics(MetricsOptions{TargetHistogram: targetHistogram})
		recordSome(m)
		body := scrape(t, m)
		problems, err := promlint.New(strings.NewReader(body)).Lint()
		if err != nil {
			t.Fatalf("target histogram %v: promlint: %v", targetHistogram, err)
		}
		for _, p := range problems {
			t.Errorf("target histogram %v: %s: %s", targetHistogram, p.Metric, p.Text)
		}
		if got := strings.Contains(body, "registration_health_target_check_duration_seconds_bucket{"); got != targetHistogram {
			t.Errorf("target histogram %v: served: %v", targetHistogram, got)
		}
	}
}

// TestMetricsLabels checks the series of targets: the healthy gauge only
// once a target's status is known, a histogram by kind of check, checks
// by outcome, and no series of a target that a reload removed.
func TestMetricsLabels(t *testing.T) {
	m := NewMetrics(MetricsOptions{})
	recordSome(m)
	body := scrape(t, m)
	for _, want := range []string{
		`registration_health_healthy{check="grpc",grpc_service="lint.v1.Up",target="10.0.0.1:9090"} 0`,
		`registration_health_healthy{check="http",grpc_service="lint.v1.Up",target="10.0.0.1:8080"} 1`,
		`registration_health_checks_total{check="grpc",grpc_service="lint.v1.Up",status="healthy",target="10.0.0.1:9090"} 1`,
		`registration_health_checks_total{check="grpc",grpc_service="lint.v1.Up",status="unhealthy",target="10.0.0.1:9090"} 1`,
		`registration_health_checks_total{check="grpc",grpc_service="",status="connection_failed",target="10.0.0.2:9090"} 1`,
		`registration_health_check_duration_seconds_count{check="grpc"} 2`,
		`registration_health_check_duration_seconds_count{check="http"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics do not have %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `registration_health_healthy{check="grpc",grpc_service="",target="10.0.0.2:9090"}`) {
		t.Error("a target still unknown has a healthy gauge")
	}

	m.target(Check{Service: "lint.v1.Up", Kind: KindGRPC, Address: "10.0.0.1:9090"}).delete()
	if body := scrape(t, m); strings.Contains(body, `target="10.0.0.1:9090"`) {
		t.Errorf("a removed target still has series:\n%s", body)
	}
}
