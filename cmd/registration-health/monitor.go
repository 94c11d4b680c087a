package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// monitor checks every target again and again until its context ends,
// and prints each change of reported status as it happens.
type monitor struct {
	checker *checker
	opts    monitorOptions
	format  string
	metrics *metrics // nil without --listen

	mu     sync.Mutex // one event at a time on out
	out    io.Writer
	errOut io.Writer
}

// runMonitor runs monitor mode until ctx ends, then stops every check,
// closes every connection and the metrics server, and returns 0. It
// returns 1 without checking anything when the metrics address cannot be
// listened on.
func runMonitor(ctx context.Context, c *checker, p *runPlan, format string, stdout, stderr io.Writer) int {
	m := &monitor{checker: c, opts: *p.monitor, format: format, out: stdout, errOut: stderr}
	var stopMetrics func()
	if p.monitor.listen != "" {
		ln, err := net.Listen("tcp", p.monitor.listen)
		if err != nil {
			fmt.Fprintf(stderr, "%s: --listen: %v\n", programName, err)
			return exitInvalidArguments
		}
		m.metrics = newMetrics()
		stopMetrics = m.metrics.serve(ln)
		fmt.Fprintf(stderr, "%s: serving metrics at http://%s/metrics\n", programName, ln.Addr())
	}
	fmt.Fprintf(stderr, "%s: monitoring %d checks every %v; stop with SIGINT or SIGTERM\n", programName, len(p.checks), p.monitor.interval)

	var wg sync.WaitGroup
	for _, ch := range p.checks {
		wg.Go(func() { m.runTarget(ctx, ch) })
	}
	<-ctx.Done()
	wg.Wait()
	if stopMetrics != nil {
		stopMetrics()
	}
	fmt.Fprintf(stderr, "%s: stopped\n", programName)
	return exitHealthy
}

// runTarget checks one target until ctx ends. A gRPC target also holds a
// Watch stream: a serving status pushed by the server that differs from
// the last one seen counts as a check at once.
func (m *monitor) runTarget(ctx context.Context, ch check) {
	t := &tracker{failureThreshold: m.opts.failureThreshold, successThreshold: m.opts.successThreshold}
	var pushed chan healthpb.HealthCheckResponse_ServingStatus
	if ch.kind == KindGRPC {
		pushed = make(chan healthpb.HealthCheckResponse_ServingStatus, 1)
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { m.checker.watchGRPC(wctx, ch, m.opts.interval, pushed) })
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
			r := m.checker.probe(ctx, ch)
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
			r := Result{Service: ch.service, Kind: KindGRPC, Address: ch.address, Target: ch.grpcName,
				Status: StatusHealthy, Detail: s.String() + " (watch)", Time: time.Now()}
			if s != healthpb.HealthCheckResponse_SERVING {
				r.Status, r.Err = StatusUnhealthy, "serving status "+s.String()
			}
			m.observe(t, r, false)
		}
		timer.Reset(m.nextDelay())
	}
}

// observe records a result and prints the change it makes, if any.
// measured is false for a status pushed by Watch, which has no latency.
func (m *monitor) observe(t *tracker, r Result, measured bool) {
	changed, previous, run := t.observe(r.Status)
	if m.metrics != nil {
		m.metrics.record(r, t.reported, measured)
	}
	if !changed {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := writeEvent(m.out, m.format, newEvent(r, previous, run)); err != nil {
		fmt.Fprintf(m.errOut, "%s: %v\n", programName, err)
	}
}

// firstDelay spreads the first checks of all targets over the jitter
// part of one interval, so that they do not all start at once.
func (m *monitor) firstDelay() time.Duration {
	return time.Duration(float64(m.opts.interval) * m.opts.jitter * rand.Float64())
}

// nextDelay is the interval, spread by up to jitter either way.
func (m *monitor) nextDelay() time.Duration {
	f := 1 + m.opts.jitter*(2*rand.Float64()-1)
	return time.Duration(float64(m.opts.interval) * f)
}

// watchGRPC holds a grpc.health.v1 Watch stream to a target on its own
// connection and passes on every serving status the server sends, until
// ctx ends. A broken stream is opened again after interval; a server
// without Watch (UNIMPLEMENTED) is left to the periodic checks.
func (c *checker) watchGRPC(ctx context.Context, ch check, interval time.Duration, pushed chan healthpb.HealthCheckResponse_ServingStatus) {
	conn, err := c.dial(ch)
	if err != nil {
		return
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	ctx = metadata.NewOutgoingContext(ctx, c.plan.md)
	for {
		err := watchOnce(ctx, client, ch.grpcName, pushed)
		if ctx.Err() != nil || status.Code(err) == codes.Unimplemented {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// watchOnce opens one Watch stream, once the connection is up, and
// passes on what it receives until the stream breaks. Only the newest
// status waits in pushed: an older one that was not taken yet is dropped.
func watchOnce(ctx context.Context, client healthpb.HealthClient, name string, pushed chan healthpb.HealthCheckResponse_ServingStatus) error {
	stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: name}, grpc.WaitForReady(true))
	if err != nil {
		return err
	}
	for {
		resp, err := stream.Recv()
		if err != nil {
			return err
		}
		select {
		case pushed <- resp.GetStatus():
		default:
			select {
			case <-pushed:
			default:
			}
			pushed <- resp.GetStatus()
		}
	}
}
