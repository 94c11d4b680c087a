package etcd

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"golang.org/x/sync/semaphore"

	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// DefaultPrefix is the key prefix of a Store made without WithPrefix.
const DefaultPrefix = "/registration/v1"

// DefaultTTL is the lease TTL of a Store made without WithTTL.
const DefaultTTL = 10 * time.Second

// ErrConflict is returned, wrapped, by Publish when another publish of the
// same source committed between this one's read and its write. Nothing was
// changed; publishing again is safe.
var ErrConflict = errors.New("concurrent publish of the same source")

// ErrTooLarge is returned, wrapped, by Publish when etcd refuses the
// transaction for its number of operations or its size. Nothing was
// changed.
var ErrTooLarge = errors.New("publish exceeds the etcd server's transaction limits")

// ErrClosed is returned by the calls of a closed Store that need its lease.
var ErrClosed = errors.New("etcd store is closed")

// Option configures a Store.
type Option func(*options)

type options struct {
	prefix  string
	ttl     time.Duration
	onError func(error)
}

// WithPrefix sets the key prefix, DefaultPrefix by default. A trailing "/"
// is dropped.
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// WithTTL sets the TTL of the lease that instances and health records are
// put on, DefaultTTL by default. etcd counts whole seconds: d is rounded up
// to one, and the server may raise it to its own minimum.
func WithTTL(d time.Duration) Option { return func(o *options) { o.ttl = d } }

// WithErrorFunc sets a function that is told of the errors of the Store's
// background work: a lost lease, a failed attempt to grant a new one or to
// put the instances and health records again. It is called from the
// Store's goroutine and must not block. By default they are dropped.
func WithErrorFunc(f func(error)) Option { return func(o *options) { o.onError = f } }

// maxCallSendMsgSize lets the server's --max-request-bytes, not the
// client's 2 MiB default, decide how large a publish may be.
const maxCallSendMsgSize = 256 << 20

// Connect returns a client of the cluster at endpoints once one of them has
// answered, or an error naming the endpoints when none answers within
// dialTimeout or before ctx is done. clientv3.New alone does not fail on an
// unreachable cluster: it retries every call.
func Connect(ctx context.Context, endpoints []string, dialTimeout time.Duration) (*clientv3.Client, error) {
	if len(endpoints) == 0 {
		return nil, errors.New("etcd: no endpoints")
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:          endpoints,
		DialTimeout:        dialTimeout,
		Context:            context.WithoutCancel(ctx),
		MaxCallSendMsgSize: maxCallSendMsgSize,
		// The client's own logger writes JSON lines to stderr; programs
		// report errors themselves.
		Logger: zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("etcd at %s: %w", strings.Join(endpoints, ","), err)
	}
	cctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	// A serializable read is answered by any member, even one without a
	// leader: the question is only whether something answers.
	if _, err := cli.Get(cctx, "health-probe", clientv3.WithSerializable(), clientv3.WithCountOnly()); err != nil {
		cli.Close()
		if cctx.Err() != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("etcd at %s: no endpoint answered within %v", strings.Join(endpoints, ","), dialTimeout)
		}
		return nil, fmt.Errorf("etcd at %s: %w", strings.Join(endpoints, ","), err)
	}
	return cli, nil
}

// Store reads and writes registrations, instances and health records in
// etcd through one client. It is safe for concurrent use. The instances
// and health records it puts live on one lease of the Store's, which it
// keeps alive, and replaces when it is lost, until Close.
type Store struct {
	cli  *clientv3.Client
	opts options

	// bg is the context of the background work; cancelled by Close.
	bg     context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// writes orders the writes of leased keys against putting them all
	// again on a new lease: Register, Deregister, PutHealth and
	// DeleteHealth take one unit, the re-put takes all, so that a key
	// deregistered meanwhile is not brought back.
	writes *semaphore.Weighted

	mu      sync.Mutex
	closed  bool
	started bool
	lease   clientv3.LeaseID // 0 while there is none
	ready   chan struct{}    // closed once lease is set
	leased  map[string]string
	lost    chan clientv3.LeaseID // a write found the lease gone

	// beforeCommit, when set by a test, runs between Publish's read and
	// its transaction.
	beforeCommit func()
}

const allWrites = 1 << 30

var (
	_ registry.Registrar = (*Store)(nil)
	_ registry.Discovery = (*Store)(nil)
)

// New returns a Store over cli. The Store does not own cli: Close leaves it
// open, and cli must stay open until the Store is closed.
func New(cli *clientv3.Client, opts ...Option) *Store {
	o := options{prefix: DefaultPrefix, ttl: DefaultTTL}
	for _, opt := range opts {
		opt(&o)
	}
	o.prefix = strings.TrimRight(o.prefix, "/")
	if o.ttl <= 0 {
		o.ttl = DefaultTTL
	}
	bg, cancel := context.WithCancel(context.Background())
	return &Store{
		cli:    cli,
		opts:   o,
		bg:     bg,
		cancel: cancel,
		writes: semaphore.NewWeighted(allWrites),
		ready:  make(chan struct{}),
		leased: map[string]string{},
		lost:   make(chan clientv3.LeaseID, 1),
	}
}

// Prefix returns the Store's key prefix, without a trailing "/".
func (s *Store) Prefix() string { return s.opts.prefix }

func (s *Store) servicesPrefix() string { return s.opts.prefix + "/services/" }
func (s *Store) sourcesPrefix() string  { return s.opts.prefix + "/sources/" }
func (s *Store) instancesPrefix(service string) string {
	return s.opts.prefix + "/instances/" + service + "/"
}
func (s *Store) healthPrefix(service string) string {
	return s.opts.prefix + "/health/" + service + "/"
}

// Close stops the keep-alives and revokes the Store's lease, so that its
// instances and health records disappear at once rather than after the
// TTL. It waits for the Store's goroutines to end, and for the revocation
// at most the TTL.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.mu.Lock()
	id := s.lease
	s.lease = 0
	s.mu.Unlock()
	if id == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.ttl)
	defer cancel()
	if _, err := s.cli.Revoke(ctx, id); err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) {
		return fmt.Errorf("etcd: revoking lease %x: %w", int64(id), err)
	}
	return nil
}

func (s *Store) report(err error) {
	if s.opts.onError != nil && err != nil {
		s.opts.onError(err)
	}
}

// currentLease returns the Store's lease, starting the work that grants
// and keeps it on first use, and waiting for a new one while it is being
// replaced.
func (s *Store) currentLease(ctx context.Context) (clientv3.LeaseID, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return 0, ErrClosed
		}
		if !s.started {
			s.started = true
			s.wg.Add(1)
			go s.keepLease()
		}
		if s.lease != 0 {
			id := s.lease
			s.mu.Unlock()
			return id, nil
		}
		ready := s.ready
		s.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			return 0, fmt.Errorf("etcd: waiting for a lease: %w", ctx.Err())
		case <-s.bg.Done():
			return 0, ErrClosed
		}
	}
}

// leaseLost is told by a write that etcd no longer knows lease id.
func (s *Store) leaseLost(id clientv3.LeaseID) {
	s.mu.Lock()
	if s.lease == id {
		s.lease = 0
		s.ready = make(chan struct{})
	}
	s.mu.Unlock()
	select {
	case s.lost <- id:
	default:
	}
}

// keepLease grants the Store's lease, keeps it alive and, whenever it is
// lost, grants another and puts every leased key again, until Close.
func (s *Store) keepLease() {
	defer s.wg.Done()
	b := newBackoff(s.opts.ttl)
	ttl := int64((s.opts.ttl + time.Second - 1) / time.Second)
	for s.bg.Err() == nil {
		actx, cancel := context.WithTimeout(s.bg, s.attemptTimeout())
		grant, err := s.cli.Grant(actx, ttl)
		cancel()
		if err != nil {
			if s.bg.Err() != nil {
				return
			}
			s.report(fmt.Errorf("etcd: granting a lease: %w", err))
			b.wait(s.bg)
			continue
		}
		id := grant.ID
		kactx, kacancel := context.WithCancel(s.bg)
		ka, err := s.cli.KeepAlive(kactx, id)
		if err != nil {
			kacancel()
			s.report(fmt.Errorf("etcd: keeping lease %x alive: %w", int64(id), err))
			b.wait(s.bg)
			continue
		}
		if !s.reputAll(id, b) {
			kacancel()
			continue
		}
		b.reset()
		s.watchLease(id, ka)
		kacancel()
	}
}

// reputAll puts every leased key on lease id and makes id the Store's
// lease. It retries with backoff until it succeeds (true), the lease is
// gone (false) or the Store is closed (false).
func (s *Store) reputAll(id clientv3.LeaseID, b *backoff) bool {
	if err := s.writes.Acquire(s.bg, allWrites); err != nil {
		return false
	}
	defer s.writes.Release(allWrites)
	for {
		s.mu.Lock()
		ops := make([]clientv3.Op, 0, len(s.leased))
		for k, v := range s.leased {
			ops = append(ops, clientv3.OpPut(k, v, clientv3.WithLease(id)))
		}
		s.mu.Unlock()
		err := s.putBatches(ops)
		if err == nil {
			s.mu.Lock()
			s.lease = id
			close(s.ready)
			s.mu.Unlock()
			return true
		}
		if s.bg.Err() != nil {
			return false
		}
		s.report(fmt.Errorf("etcd: putting %d instances and health records on lease %x: %w", len(ops), int64(id), err))
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			return false
		}
		b.wait(s.bg)
	}
}

// txnOps is how many operations putBatches sends in one transaction:
// etcd's default --max-txn-ops. Re-putting a Store's keys needs no
// atomicity, since each key is independent.
const txnOps = 128

func (s *Store) putBatches(ops []clientv3.Op) error {
	for len(ops) > 0 {
		n := min(len(ops), txnOps)
		ctx, cancel := context.WithTimeout(s.bg, s.attemptTimeout())
		_, err := s.cli.Txn(ctx).Then(ops[:n]...).Commit()
		cancel()
		if err != nil {
			return err
		}
		ops = ops[n:]
	}
	return nil
}

// watchLease returns when lease id is lost or the Store is closed.
func (s *Store) watchLease(id clientv3.LeaseID, ka <-chan *clientv3.LeaseKeepAliveResponse) {
	for {
		select {
		case _, ok := <-ka:
			if ok {
				continue
			}
			if s.bg.Err() != nil {
				return
			}
			s.report(fmt.Errorf("etcd: lease %x lost (keep-alive ended): registering again", int64(id)))
		case lost := <-s.lost:
			if lost != id {
				continue
			}
			s.report(fmt.Errorf("etcd: lease %x not found: registering again", int64(id)))
		case <-s.bg.Done():
			return
		}
		s.mu.Lock()
		if s.lease == id {
			s.lease = 0
			s.ready = make(chan struct{})
		}
		s.mu.Unlock()
		return
	}
}

// attemptTimeout bounds one background call to etcd.
func (s *Store) attemptTimeout() time.Duration { return max(s.opts.ttl, 2*time.Second) }

// putLeased writes key=value on the Store's lease and remembers it, to put
// it again on a new lease.
func (s *Store) putLeased(ctx context.Context, key, value string) error {
	for {
		id, err := s.currentLease(ctx)
		if err != nil {
			return err
		}
		// The unit is taken after the lease, not before: reputAll holds
		// every unit until it publishes a new lease.
		if err := s.writes.Acquire(ctx, 1); err != nil {
			return err
		}
		s.mu.Lock()
		if s.lease != id {
			s.mu.Unlock()
			s.writes.Release(1)
			continue
		}
		old, had := s.leased[key]
		s.leased[key] = value
		s.mu.Unlock()
		_, err = s.cli.Put(ctx, key, value, clientv3.WithLease(id))
		if err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) {
			s.mu.Lock()
			if had {
				s.leased[key] = old
			} else {
				delete(s.leased, key)
			}
			s.mu.Unlock()
		}
		s.writes.Release(1)
		if errors.Is(err, rpctypes.ErrLeaseNotFound) && ctx.Err() == nil {
			// The new lease's re-put includes the key; wait for it and
			// write again, so that the caller knows it is there.
			s.leaseLost(id)
			continue
		}
		return err
	}
}

// deleteLeased deletes key and forgets it.
func (s *Store) deleteLeased(ctx context.Context, key string) error {
	if err := s.writes.Acquire(ctx, 1); err != nil {
		return err
	}
	defer s.writes.Release(1)
	s.mu.Lock()
	delete(s.leased, key)
	s.mu.Unlock()
	_, err := s.cli.Delete(ctx, key)
	return err
}

// backoff is exponential with full jitter in its upper half.
type backoff struct {
	next, max time.Duration
}

const firstBackoff = 100 * time.Millisecond

func newBackoff(ttl time.Duration) *backoff {
	return &backoff{next: firstBackoff, max: max(ttl/2, firstBackoff)}
}

func (b *backoff) reset() { b.next = firstBackoff }

func (b *backoff) wait(ctx context.Context) {
	d := b.next/2 + rand.N(b.next/2+1)
	b.next = min(2*b.next, b.max)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
