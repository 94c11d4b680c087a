package main

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

// metrics are the Prometheus metrics of monitor mode, in a registry of
// their own.
type metrics struct {
	registry *prometheus.Registry
	healthy  *prometheus.GaugeVec
	latency  *prometheus.GaugeVec
	duration *prometheus.HistogramVec
	checks   *prometheus.CounterVec
}

// The labels of every per-check metric. service is empty for a
// whole-server check.
var checkLabels = []string{"service", "check", "address"}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
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
	m.registry.MustRegister(m.healthy, m.latency, m.duration, m.checks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// record updates the metrics with a result and the status reported after
// it. measured is false when the result has no latency.
func (m *metrics) record(r Result, reported Status, measured bool) {
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

// serve serves /metrics on ln until the returned function is called; that
// function stops the server and waits for it.
func (m *metrics) serve(ln net.Listener) (stop func()) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry}))
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
