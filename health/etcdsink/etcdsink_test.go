package etcdsink_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/health/etcdsink"
	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/internal/etcdtest"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
)

// newStore returns a Store of a real etcd's, closed when the test ends.
func newStore(t *testing.T, endpoints []string) *etcd.Store {
	t.Helper()
	client, err := etcd.Connect(context.Background(), endpoints, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	store := etcd.New(client, etcd.WithTTL(2*time.Second))
	t.Cleanup(func() {
		store.Close()
		client.Close()
	})
	return store
}

// event is a change of a target to status.
func event(service string, kind health.Kind, status health.Status, detail string) health.Event {
	return health.Event{Result: health.Result{Service: service, Kind: kind, Address: "10.0.0.1:9090", Status: status, Detail: detail, Time: time.Now()}}
}

// record returns the record etcd holds for service at 10.0.0.1:9090.
func record(t *testing.T, store *etcd.Store, service string) etcd.HealthRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	records, err := store.Health(ctx, service)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if r.Address == "10.0.0.1:9090" {
			return r
		}
	}
	return etcd.HealthRecord{}
}

// logs collects what a Sink logs.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.TrimSpace(strings.ReplaceAll(format, "%v", "ERR")))
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// TestSink writes changes into a real etcd: statuses spelled as
// grpc.health.v1 spells them, the worst kind of an address deciding, no
// record for a whole-server check.
func TestSink(t *testing.T) {
	srv := etcdtest.Start(t)
	store := newStore(t, srv.Endpoints())
	sink := etcdsink.New(store, 5*time.Second, nil)
	defer sink.Close(context.Background())

	sink.Observe(event("a.v1.A", health.KindGRPC, health.StatusHealthy, "SERVING"))
	sink.Observe(event("", health.KindGRPC, health.StatusHealthy, "SERVING"))
	healthtest.WaitFor(t, 5*time.Second, "SERVING", func() bool { return record(t, store, "a.v1.A").Status == "SERVING" })
	if r := record(t, store, "a.v1.A"); r.Detail != "grpc healthy (SERVING)" || r.CheckedAt.IsZero() {
		t.Errorf("record %+v", r)
	}

	// A failing TCP check of the same address makes the record failing,
	// however healthy the gRPC check is.
	sink.Observe(event("a.v1.A", health.KindTCP, health.StatusConnectionFailed, ""))
	healthtest.WaitFor(t, 5*time.Second, "NOT_SERVING", func() bool { return record(t, store, "a.v1.A").Status == "NOT_SERVING" })
	if r := record(t, store, "a.v1.A"); r.Detail != "tcp connection_failed" {
		t.Errorf("record %+v", r)
	}
	sink.Observe(event("a.v1.A", health.KindTCP, health.StatusHealthy, ""))
	healthtest.WaitFor(t, 5*time.Second, "SERVING again", func() bool { return record(t, store, "a.v1.A").Status == "SERVING" })
}

// TestSinkOutage pauses etcd while changes come: Observe never blocks,
// the failure is logged once, and when etcd answers again the newest
// status is written.
func TestSinkOutage(t *testing.T) {
	srv := etcdtest.Start(t)
	store := newStore(t, srv.Endpoints())
	var log logs
	sink := etcdsink.New(store, 500*time.Millisecond, log.logf)
	defer sink.Close(context.Background())

	sink.Observe(event("a.v1.A", health.KindGRPC, health.StatusHealthy, "SERVING"))
	healthtest.WaitFor(t, 5*time.Second, "SERVING", func() bool { return record(t, store, "a.v1.A").Status == "SERVING" })

	srv.Pause(t)
	start := time.Now()
	for _, st := range []health.Status{health.StatusUnhealthy, health.StatusHealthy, health.StatusUnhealthy} {
		sink.Observe(event("a.v1.A", health.KindGRPC, st, ""))
		time.Sleep(400 * time.Millisecond)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Observe blocked while etcd was paused: %v", took)
	}
	srv.Resume(t)
	healthtest.WaitFor(t, 15*time.Second, "NOT_SERVING after the outage", func() bool { return record(t, store, "a.v1.A").Status == "NOT_SERVING" })
	healthtest.WaitFor(t, 10*time.Second, "the log of the outage", func() bool {
		return log.String() == "publishing health to etcd: ERR; retrying\npublishing health to etcd again"
	})
}

// TestSinkClose checks that Close writes what is pending, and that a
// Close whose context ends with records unwritten says so.
func TestSinkClose(t *testing.T) {
	srv := etcdtest.Start(t)
	store := newStore(t, srv.Endpoints())
	sink := etcdsink.New(store, 5*time.Second, nil)
	sink.Observe(event("a.v1.A", health.KindGRPC, health.StatusHealthy, "SERVING"))
	if err := sink.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := record(t, store, "a.v1.A"); r.Status != "SERVING" {
		t.Errorf("after Close, record %+v", r)
	}
	sink.Observe(event("a.v1.B", health.KindGRPC, health.StatusHealthy, "SERVING")) // after Close: nothing

	srv.Stop(t)
	sink = etcdsink.New(store, 200*time.Millisecond, nil)
	sink.Observe(event("a.v1.C", health.KindGRPC, health.StatusHealthy, "SERVING"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	if err := sink.Close(ctx); err == nil || !strings.Contains(err.Error(), "etcd: 1 health record(s) left unwritten") {
		t.Errorf("Close with etcd stopped: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close with etcd stopped took %v, past its context's 1s", took)
	}
}
