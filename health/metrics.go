package health

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics of a Monitor, by service (empty for
// a whole-server check), check kind and address:
//
//	registration_health_healthy                 gauge: 1 when reported healthy, 0 when failing
//	registration_health_latency_seconds         gauge: latency of the last check
//	registration_health_check_duration_seconds  histogram: latency of checks
//	registration_health_checks_total            counter: checks by outcome (label status)
//
// Metrics is a prometheus.Collector: register it with a registry of your
// own, or serve it with Handler.
type Metrics struct {
	healthy  *prometheus.GaugeVec
	latency  *prometheus.GaugeVec
	duration *prometheus.HistogramVec
	checks   *prometheus.CounterVec
}

// The labels of every per-check metric. service is empty for a
// whole-server check.
var checkLabels = []string{"service", "check", "address"}

// NewMetrics returns metrics with no check recorded yet.
func NewMetrics() *Metrics {
	return &Metrics{
		healthy: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "registration_health_healthy",
			Help: "1 when the service is reported healthy, 0 when failing, after the failure and success thresholds.",
		}, checkLabels),
		latency: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "registration_health_latency_seconds",
			Help: "Latency of the last check, connection included.",
		}, checkLabels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "registration_health_check_duration_seconds",
			Help:    "Latency of checks, connection included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, checkLabels),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "registration_health_checks_total",
			Help: "Checks run, by outcome; a status pushed by a gRPC Watch stream counts as one.",
		}, append(append([]string(nil), checkLabels...), "status")),
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.healthy.Describe(ch)
	m.latency.Describe(ch)
	m.duration.Describe(ch)
	m.checks.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.healthy.Collect(ch)
	m.latency.Collect(ch)
	m.duration.Collect(ch)
	m.checks.Collect(ch)
}

// Handler serves the metrics in the Prometheus format, with the Go
// runtime and process metrics, from a registry of their own.
func (m *Metrics) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(m, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// record updates the metrics with a result and the status reported after
// it. measured is false when the result has no latency.
func (m *Metrics) record(r Result, reported Status, measured bool) {
	labels := prometheus.Labels{"service": r.Service, "check": string(r.Kind), "address": r.Address}
	healthy := 0.0
	if reported == StatusHealthy {
		healthy = 1
	}
	m.healthy.With(labels).Set(healthy)
	if measured {
		m.latency.With(labels).Set(r.Latency.Seconds())
		m.duration.With(labels).Observe(r.Latency.Seconds())
	}
	labels["status"] = string(r.Status)
	m.checks.With(labels).Inc()
}

// serve serves the metrics at /metrics on ln until the returned function
// is called; that function stops the server and waits for it.
func (m *Metrics) serve(ln net.Listener) (stop func()) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	var wg sync.WaitGroup
	// Serve returns http.ErrServerClosed once stop shuts the server down.
	wg.Go(func() { _ = srv.Serve(ln) })
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		wg.Wait()
	}
}
