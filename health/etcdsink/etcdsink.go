// Package etcdsink publishes the statuses that a health monitor reports
// into etcd, so that discovery can keep to healthy instances: each change
// of a target's status becomes the record
//
//	<prefix>/health/<service>/<address>
//
// (package registration/registry/etcd's HealthRecord, on its Store's
// lease), whose Status is spelled as grpc.health.v1 spells a serving
// status: SERVING for a healthy target, NOT_SERVING for any failure
// (its Detail says which), UNKNOWN before a threshold is met.
//
// A Sink takes each change at once and writes in a goroutine of its own,
// so that a slow or unreachable etcd never holds the monitor up: while
// etcd is away, the Sink keeps the last status of each record, retries
// with backoff, and writes only the newest. The Store re-puts every
// record after a lost lease; closing the Store revokes its lease, and
// the records go with it.
//
//	sink := etcdsink.New(store, 5*time.Second, log.Print)
//	plan.OnChange = sink.Observe
//	health.Run(ctx, plan, os.Stdout, os.Stderr)
//	sink.Close(context.Background())
//	store.Close()
package etcdsink

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
)

// Store is where a Sink writes: *etcd.Store.
type Store interface {
	PutHealth(ctx context.Context, h etcd.HealthRecord) error
}

// Backoff bounds between two attempts to write while etcd fails.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// key is one record: a service at an address.
type key struct{ service, address string }

// Sink publishes a monitor's status changes to a Store. Observe may be
// called from any goroutine; Close ends it.
type Sink struct {
	store   Store
	timeout time.Duration
	logf    func(format string, args ...any)

	mu sync.Mutex
	// states is the last event of each check kind of each record: a
	// record is as healthy as the worst of its kinds (a gRPC and a TCP
	// check of one address are one record).
	states  map[key]map[health.Kind]health.Event
	pending []key // records to write, oldest change first, each once
	queued  map[key]bool
	closed  bool

	wake chan struct{}
	stop chan struct{} // closed by Close: write what is pending and end
	done chan struct{}
	// flush is Close's bound on what is left to write.
	flush context.Context
}

// New returns a Sink writing to store, each write bounded by timeout.
// logf, when not nil, is told when writing fails (once per outage, then
// when it works again); it is called from the Sink's goroutine.
func New(store Store, timeout time.Duration, logf func(format string, args ...any)) *Sink {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	s := &Sink{
		store:   store,
		timeout: timeout,
		logf:    logf,
		states:  make(map[key]map[health.Kind]health.Event),
		queued:  make(map[key]bool),
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go s.run()
	return s
}

// Observe takes a change of status, as health.Monitor.OnChange and
// health.Plan.OnChange give it, and returns at once. A check of the whole
// server (no service) has no record and is left out.
func (s *Sink) Observe(e health.Event) {
	if e.Service == "" || strings.Contains(e.Service, "/") || e.Address == "" {
		return // no key: a whole-server check
	}
	if e.Kind == "" {
		e.Kind = health.KindGRPC // as a Monitor runs a Check of no kind
	}
	k := key{e.Service, e.Address}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	kinds := s.states[k]
	if kinds == nil {
		kinds = make(map[health.Kind]health.Event)
		s.states[k] = kinds
	}
	kinds[e.Kind] = e
	if !s.queued[k] {
		s.queued[k] = true
		s.pending = append(s.pending, k)
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Close writes what is still pending, until ctx ends, and stops the Sink.
// It returns ctx's error when records were left unwritten. Observe does
// nothing after Close.
func (s *Sink) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return nil
	}
	s.closed = true
	s.flush = ctx
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	s.mu.Lock()
	left := len(s.pending)
	s.mu.Unlock()
	if left > 0 {
		return fmt.Errorf("etcd: %d health record(s) left unwritten: %w", left, context.Cause(ctx))
	}
	return nil
}

// run writes pending records until Close, retrying with backoff while
// etcd fails.
func (s *Sink) run() {
	defer close(s.done)
	var backoff time.Duration
	var retry *time.Timer
	var retryC <-chan time.Time // set while a retry waits
	failing := false
	for {
		select {
		case <-s.stop:
			if retry != nil {
				retry.Stop()
			}
			s.drain(s.flush)
			return
		case <-s.wake:
			if retryC != nil {
				continue // the change stays pending until the retry
			}
		case <-retryC:
			retryC = nil
		}
		if err := s.writePending(context.Background()); err != nil {
			if !failing {
				s.logf("publishing health to etcd: %v; retrying", err)
				failing = true
			}
			backoff = min(max(2*backoff, minBackoff), maxBackoff)
			retry = time.NewTimer(backoff)
			retryC = retry.C
			continue
		}
		if failing {
			s.logf("publishing health to etcd again")
			failing = false
		}
		backoff = 0
	}
}

// drain writes what is pending until ctx ends.
func (s *Sink) drain(ctx context.Context) {
	backoff := minBackoff
	for ctx.Err() == nil {
		if s.writePending(ctx) == nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// writePending writes the pending records in order. On the first failure
// it stops, and moves that record to the back, so that one record that
// cannot be written does not keep the others from being tried.
func (s *Sink) writePending(ctx context.Context) error {
	for {
		s.mu.Lock()
		if len(s.pending) == 0 {
			s.mu.Unlock()
			return nil
		}
		k := s.pending[0]
		rec := record(k, s.states[k])
		s.mu.Unlock()

		wctx, cancel := context.WithTimeout(ctx, s.timeout)
		err := s.store.PutHealth(wctx, rec)
		cancel()
		if err != nil {
			s.mu.Lock()
			if len(s.pending) > 1 {
				s.pending = append(s.pending[1:], k)
			}
			s.mu.Unlock()
			return err
		}
		s.mu.Lock()
		// A change that came during the write made the record pending
		// again, at the back: write it again then.
		s.pending = s.pending[1:]
		delete(s.queued, k)
		if latest := record(k, s.states[k]); latest != rec {
			s.queued[k] = true
			s.pending = append(s.pending, k)
		}
		s.mu.Unlock()
	}
}

// record is the HealthRecord of a service at an address, from the last
// event of each of its check kinds: the first kind (grpc, http, tcp) that
// fails decides, else one that is unknown, else it is SERVING.
func record(k key, kinds map[health.Kind]health.Event) etcd.HealthRecord {
	var worst *health.Event
	rank := func(st health.Status) int {
		switch st {
		case health.StatusHealthy:
			return 0
		case health.StatusUnknown:
			return 1
		}
		return 2
	}
	for _, kind := range []health.Kind{health.KindGRPC, health.KindHTTP, health.KindTCP} {
		e, ok := kinds[kind]
		if !ok {
			continue
		}
		if worst == nil || rank(e.Status) > rank(worst.Status) {
			worst = &e
		}
	}
	if worst == nil {
		return etcd.HealthRecord{Service: k.service, Address: k.address, Status: registry.HealthUnknown}
	}
	return etcd.HealthRecord{
		Service:   k.service,
		Address:   k.address,
		Status:    servingStatus(worst.Status),
		CheckedAt: worst.Time.UTC().Truncate(time.Millisecond),
		Detail:    detail(worst.Result),
	}
}

// servingStatus spells a monitor's status as grpc.health.v1 spells a
// serving status, as registry.Instance.Health does.
func servingStatus(st health.Status) string {
	switch st {
	case health.StatusHealthy:
		return registry.HealthServing
	case health.StatusUnknown:
		return registry.HealthUnknown
	}
	return registry.HealthNotServing
}

// detail says which check gave the status and what it saw:
// "grpc healthy (SERVING)", "tcp connection_failed: dial tcp ...".
func detail(r health.Result) string {
	d := string(r.Kind) + " " + string(r.Status)
	if r.Detail != "" {
		d += " (" + r.Detail + ")"
	}
	if r.Error != "" {
		d += ": " + r.Error
	}
	return d
}
