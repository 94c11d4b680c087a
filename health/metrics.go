package health

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics of a Monitor. Per target, they are
// labelled grpc_service (the service's full name; empty for a check of a
// whole server), check (the kind: grpc, http or tcp) and target (the
// address):
//
//	registration_health_healthy                        gauge: 1 when reported healthy, 0 when failing; absent while unknown
//	registration_health_checks_total                   counter: checks by outcome (label status)
//	registration_health_check_duration_seconds         histogram of check latencies, by check only
//	registration_health_target_check_duration_seconds  histogram per target, with TargetHistogram only
//
// A histogram per target is a dozen series per target: a fleet of a
// thousand would make every scrape large, so it is asked for.
//
// Metrics is a prometheus.Collector: register it with a registry of your
// own, or serve it with Handler.
type Metrics struct {
	healthy        *prometheus.GaugeVec
	checks         *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	targetDuration *prometheus.HistogramVec // nil without TargetHistogram
}

// MetricsOptions are the choices of NewMetrics.
type MetricsOptions struct {
	// TargetHistogram adds a histogram of check latencies per target.
	TargetHistogram bool
}

// The labels of the per-target metrics.
var targetLabels = []string{"grpc_service", "check", "target"}

// latencyBuckets are the buckets of the latency histograms, in seconds:
// from a check on loopback to one that times out.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// NewMetrics returns metrics with no check recorded yet.
func NewMetrics(o MetricsOptions) *Metrics {
	m := &Metrics{
		healthy: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "registration_health_healthy",
			Help: "1 when the target is reported healthy, 0 when failing, after the failure and success thresholds; absent while unknown.",
		}, targetLabels),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "registration_health_checks_total",
			Help: "Checks run, by outcome; a status pushed by a gRPC Watch stream counts as one.",
		}, append(append([]string(nil), targetLabels...), "status")),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "registration_health_check_duration_seconds",
			Help:    "Latency of checks, connection included, by kind of check.",
			Buckets: latencyBuckets,
		}, []string{"check"}),
	}
	if o.TargetHistogram {
		m.targetDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "registration_health_target_check_duration_seconds",
			Help:    "Latency of checks, connection included, by target.",
			Buckets: latencyBuckets,
		}, targetLabels)
	}
	return m
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.healthy.Describe(ch)
	m.checks.Describe(ch)
	m.duration.Describe(ch)
	if m.targetDuration != nil {
		m.targetDuration.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.healthy.Collect(ch)
	m.checks.Collect(ch)
	m.duration.Collect(ch)
	if m.targetDuration != nil {
		m.targetDuration.Collect(ch)
	}
}

// Handler serves the metrics in the Prometheus format, with the Go
// runtime and process metrics, from a registry of their own.
func (m *Metrics) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(m, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// targetMetrics are the metrics of one target, looked up once so that a
// check records itself without a map or a lookup.
type targetMetrics struct {
	m        *Metrics
	labels   []string
	healthy  prometheus.Gauge
	duration prometheus.Observer
	target   prometheus.Observer // nil without TargetHistogram
	checks   map[Status]prometheus.Counter
}

// target returns the metrics of a check's target. Its healthy gauge
// appears with its first reported status.
func (m *Metrics) target(ch Check) *targetMetrics {
	r := newResult(ch)
	if r.Kind == "" {
		r.Kind = KindGRPC
	}
	labels := []string{r.Service, string(r.Kind), r.Address}
	t := &targetMetrics{
		m:        m,
		labels:   labels,
		duration: m.duration.WithLabelValues(string(r.Kind)),
		checks:   map[Status]prometheus.Counter{},
	}
	if m.targetDuration != nil {
		t.target = m.targetDuration.WithLabelValues(labels...)
	}
	return t
}

// record updates the metrics with a result and the status reported after
// it. measured is false when the result has no latency. The monitor
// records the results of a target one at a time.
func (t *targetMetrics) record(r Result, reported Status, measured bool) {
	switch reported {
	case StatusUnknown:
	case StatusHealthy:
		t.healthyGauge().Set(1)
	default:
		t.healthyGauge().Set(0)
	}
	if measured {
		s := r.Latency.Seconds()
		t.duration.Observe(s)
		if t.target != nil {
			t.target.Observe(s)
		}
	}
	c, ok := t.checks[r.Status]
	if !ok {
		c = t.m.checks.WithLabelValues(append(t.labels[:len(t.labels):len(t.labels)], string(r.Status))...)
		t.checks[r.Status] = c
	}
	c.Inc()
}

func (t *targetMetrics) healthyGauge() prometheus.Gauge {
	if t.healthy == nil {
		t.healthy = t.m.healthy.WithLabelValues(t.labels...)
	}
	return t.healthy
}

// delete removes every series of the target: it is no longer checked.
func (t *targetMetrics) delete() {
	t.m.healthy.DeleteLabelValues(t.labels...)
	t.m.checks.DeletePartialMatch(prometheus.Labels{"grpc_service": t.labels[0], "check": t.labels[1], "target": t.labels[2]})
	if t.m.targetDuration != nil {
		t.m.targetDuration.DeleteLabelValues(t.labels...)
	}
}

// serveMetrics serves, on ln until the returned function is called:
//
//	/metrics  the metrics, when m is not nil
//	/healthz  200 "ok" while the process serves
//	/readyz   200 "ready" while ready says so, 503 before and after
//
// The returned function stops the server and waits for it.
func serveMetrics(ln net.Listener, m *Metrics, ready func() bool) (stop func()) {
	mux := http.NewServeMux()
	if m != nil {
		mux.Handle("/metrics", m.Handler())
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "not ready\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
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
