package etcd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// Register puts inst under <prefix>/instances/<service>/<id> on the Store's
// lease, replacing an instance of the same service and ID, and keeps it
// there until Deregister or Close, putting it again when the lease is
// lost. It returns once etcd has it.
func (s *Store) Register(ctx context.Context, inst registry.Instance) error {
	if err := inst.Check(); err != nil {
		return err
	}
	value, err := json.Marshal(inst)
	if err != nil {
		return err
	}
	if err := s.putLeased(ctx, s.instancesPrefix(inst.Service)+inst.ID, string(value)); err != nil {
		return fmt.Errorf("etcd: registering %s/%s: %w", inst.Service, inst.ID, err)
	}
	return nil
}

// Deregister deletes inst's key (by service and ID) and stops putting it
// again. Deregistering an instance that is not registered is not an error.
func (s *Store) Deregister(ctx context.Context, inst registry.Instance) error {
	if inst.Service == "" || inst.ID == "" || strings.Contains(inst.Service, "/") || strings.Contains(inst.ID, "/") {
		return fmt.Errorf("etcd: deregistering %q/%q: not an instance key", inst.Service, inst.ID)
	}
	if err := s.deleteLeased(ctx, s.instancesPrefix(inst.Service)+inst.ID); err != nil {
		return fmt.Errorf("etcd: deregistering %s/%s: %w", inst.Service, inst.ID, err)
	}
	return nil
}

// Instances returns the service's instances, sorted by ID.
func (s *Store) Instances(ctx context.Context, service string) ([]registry.Instance, error) {
	set, _, err := s.readInstances(ctx, service)
	if err != nil {
		return nil, err
	}
	return set.sorted(), nil
}

// instanceSet is a service's instances by key.
type instanceSet map[string]registry.Instance

func (set instanceSet) sorted() []registry.Instance {
	out := make([]registry.Instance, 0, len(set))
	for _, inst := range set {
		out = append(out, inst)
	}
	slices.SortFunc(out, func(a, b registry.Instance) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (s *Store) readInstances(ctx context.Context, service string) (instanceSet, int64, error) {
	resp, err := s.cli.Get(ctx, s.instancesPrefix(service), clientv3.WithPrefix())
	if err != nil {
		return nil, 0, fmt.Errorf("etcd: instances of %s: %w", service, err)
	}
	set := instanceSet{}
	for _, kv := range resp.Kvs {
		inst, err := decodeInstance(kv)
		if err != nil {
			return nil, 0, err
		}
		set[string(kv.Key)] = inst
	}
	return set, resp.Header.Revision, nil
}

func decodeInstance(kv *mvccpb.KeyValue) (registry.Instance, error) {
	var inst registry.Instance
	if err := json.Unmarshal(kv.Value, &inst); err != nil {
		return inst, fmt.Errorf("etcd: %s: %v", kv.Key, err)
	}
	return inst, nil
}

// Watch follows the service's instance set until ctx is done or Stop is
// called. The watcher reads the current set at once; Next returns it
// first, then the set after each committed change.
func (s *Store) Watch(ctx context.Context, service string) (registry.Watcher, error) {
	if service == "" || strings.Contains(service, "/") {
		return nil, fmt.Errorf("etcd: watching %q: not a service name", service)
	}
	set, rev, err := s.readInstances(ctx, service)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	w := &watcher{
		s:       s,
		service: service,
		ctx:     wctx,
		cancel:  cancel,
		set:     set,
		rev:     rev,
		pending: true,
	}
	w.start()
	return w, nil
}

// watcher implements registry.Watcher. Next does all the work in the
// caller's goroutine, so a watcher owns no goroutine but etcd's own.
type watcher struct {
	s       *Store
	service string
	ctx     context.Context
	cancel  context.CancelFunc

	mu      sync.Mutex // one Next at a time
	wch     clientv3.WatchChan
	set     instanceSet
	rev     int64 // the revision set is at
	pending bool  // set has not been delivered
	last    []registry.Instance
}

func (w *watcher) start() {
	// WithRequireLeader ends the watch when the member loses its leader,
	// rather than leaving it silent; Next then reads the set again.
	ctx := clientv3.WithRequireLeader(w.ctx)
	w.wch = w.s.cli.Watch(ctx, w.s.instancesPrefix(w.service), clientv3.WithPrefix(), clientv3.WithRev(w.rev+1))
}

// Next returns the set after the next change, the first time the current
// set.
func (w *watcher) Next() ([]registry.Instance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		if err := w.ctx.Err(); err != nil {
			return nil, fmt.Errorf("etcd: watch of %s ended: %w", w.service, err)
		}
		if w.pending {
			w.pending = false
			out := w.set.sorted()
			if !w.changed(out) {
				continue
			}
			w.last = out
			return out, nil
		}
		select {
		case resp, ok := <-w.wch:
			if !ok || resp.Canceled || resp.Err() != nil {
				if err := w.resync(); err != nil {
					return nil, err
				}
				continue
			}
			for _, ev := range resp.Events {
				if ev.Type == clientv3.EventTypeDelete {
					delete(w.set, string(ev.Kv.Key))
					continue
				}
				inst, err := decodeInstance(ev.Kv)
				if err != nil {
					// A value other programs wrote wrongly is not an
					// instance: leave it out rather than end the watch.
					delete(w.set, string(ev.Kv.Key))
					continue
				}
				w.set[string(ev.Kv.Key)] = inst
			}
			if resp.Header.Revision > w.rev {
				w.rev = resp.Header.Revision
			}
			if len(resp.Events) > 0 {
				w.pending = true
			}
		case <-w.ctx.Done():
		}
	}
}

// changed reports whether out differs from the set delivered last; the
// first set is always delivered.
func (w *watcher) changed(out []registry.Instance) bool {
	if w.last == nil {
		return true
	}
	return !slices.EqualFunc(out, w.last, equalInstance)
}

func equalInstance(a, b registry.Instance) bool {
	if a.Service != b.Service || a.ID != b.ID || a.Address != b.Address || a.Health != b.Health || len(a.Metadata) != len(b.Metadata) {
		return false
	}
	for k, v := range a.Metadata {
		if bv, ok := b.Metadata[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// resync reads the whole set again after etcd ended the watch (a
// compaction, a lost leader), retrying with backoff until it succeeds or
// the watch ends, and watches from there.
func (w *watcher) resync() error {
	b := newBackoff(w.s.opts.ttl)
	for {
		if err := w.ctx.Err(); err != nil {
			return fmt.Errorf("etcd: watch of %s ended: %w", w.service, err)
		}
		ctx, cancel := context.WithTimeout(w.ctx, w.s.attemptTimeout())
		set, rev, err := w.s.readInstances(ctx, w.service)
		cancel()
		if err == nil {
			w.set, w.rev, w.pending = set, rev, true
			w.start()
			return nil
		}
		if errors.Is(err, context.Canceled) && w.ctx.Err() != nil {
			continue
		}
		b.wait(w.ctx)
	}
}

// Stop ends the watch.
func (w *watcher) Stop() error {
	w.cancel()
	return nil
}
