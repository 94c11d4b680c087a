// Package etcd keeps registrations, running instances and their health in
// etcd, so that every process and tool of a deployment reads and watches
// the same state. It is the etcd backend of package registry: *Store
// implements registry.Registrar and registry.Discovery.
//
// # Key layout
//
// Every key is under a prefix, "/registration/v1" unless WithPrefix says
// otherwise:
//
//	<prefix>/services/<service>            the service's registration (JSON, below)
//	<prefix>/sources/<source>              JSON list of the services a source last published
//	<prefix>/instances/<service>/<id>      a registry.Instance as JSON, on a lease
//	<prefix>/health/<service>/<address>    a HealthRecord as JSON, on a lease
//
// <service> is a full name such as library.v1.LibraryService.
//
// (The full description of values, leases, retries and guarantees is
// written with the implementation.)
package etcd

import (
	"context"
	"errors"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// DefaultPrefix is the key prefix of a Store made without WithPrefix.
const DefaultPrefix = "/registration/v1"

// DefaultTTL is the lease TTL of a Store made without WithTTL.
const DefaultTTL = 10 * time.Second

var errNotImplemented = errors.New("etcd: not implemented")

// ErrConflict is returned, wrapped, by Publish when another publish of the
// same source committed between this one's read and its write. Nothing was
// changed; publishing again is safe.
var ErrConflict = errors.New("concurrent publish of the same source")

// Option configures a Store.
type Option func(*options)

type options struct {
	prefix string
	ttl    time.Duration
}

// WithPrefix sets the key prefix, DefaultPrefix by default. A trailing "/"
// is dropped.
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// WithTTL sets the TTL of the lease that instances and health records are
// put on, DefaultTTL by default. etcd rounds it up to whole seconds, with a
// minimum of its own (5s in etcd 3.4 and later) for leases it grants to a
// cluster whose leader just changed.
func WithTTL(d time.Duration) Option { return func(o *options) { o.ttl = d } }

// Connect returns a client of the cluster at endpoints once one of them has
// answered, or an error naming the endpoints when none answers within
// dialTimeout or before ctx is done. clientv3.New alone does not fail on an
// unreachable cluster: it retries every call.
func Connect(ctx context.Context, endpoints []string, dialTimeout time.Duration) (*clientv3.Client, error) {
	return nil, errNotImplemented
}

// Store reads and writes registrations, instances and health records in
// etcd through one client. It is safe for concurrent use. Instances and
// health records it puts live on one lease of the Store's, which it keeps
// alive, and replaces when it is lost, until Close.
type Store struct {
	cli  *clientv3.Client
	opts options
}

var (
	_ registry.Registrar = (*Store)(nil)
	_ registry.Discovery = (*Store)(nil)
)

// New returns a Store over cli. The Store does not own cli: Close leaves it
// open.
func New(cli *clientv3.Client, opts ...Option) *Store {
	o := options{prefix: DefaultPrefix, ttl: DefaultTTL}
	for _, opt := range opts {
		opt(&o)
	}
	return &Store{cli: cli, opts: o}
}

// Close stops the keep-alives and revokes the Store's lease, so that its
// instances and health records disappear at once rather than after the
// TTL. It waits for the Store's goroutines to end.
func (s *Store) Close() error { return nil }

// PublishResult says what a Publish did, by service full name, each list
// sorted.
type PublishResult struct {
	// Put are the services written, new or changed.
	Put []string `json:"put"`
	// Unchanged are the services whose stored registration was already
	// the same bytes.
	Unchanged []string `json:"unchanged"`
	// Pruned are the services deleted because the previous publish of the
	// same source had them and this one has not (with prune only).
	Pruned []string `json:"pruned"`
}

// Publish writes every service of doc under <prefix>/services/ in one
// transaction, and records them as source's services. With prune, it also
// deletes the services that source published last time and doc no longer
// has; never another source's.
func (s *Store) Publish(ctx context.Context, source string, doc *registration.Registration, prune bool) (*PublishResult, error) {
	return nil, errNotImplemented
}

// Registration returns every stored service as one document.
func (s *Store) Registration(ctx context.Context) (*registration.Registration, error) {
	return nil, errNotImplemented
}

// ServiceEvent is a change of one stored registration.
type ServiceEvent struct {
	// Type is "put" or "delete".
	Type string
	// Name is the service's full name.
	Name string
	// Service is the new registration (nil for a delete).
	Service *registration.Service
	// Revision is the etcd revision of the change.
	Revision int64
	// Err, when set, is the only field set: the watch failed (the channel
	// is then closed) or a value could not be decoded.
	Err error
}

// Event types of a ServiceEvent.
const (
	EventPut    = "put"
	EventDelete = "delete"
)

// WatchServices delivers every change of the stored registrations, in
// order, until ctx is done; then the channel is closed.
func (s *Store) WatchServices(ctx context.Context) <-chan ServiceEvent {
	ch := make(chan ServiceEvent, 1)
	ch <- ServiceEvent{Err: errNotImplemented}
	close(ch)
	return ch
}

// Register puts inst under <prefix>/instances/<service>/<id> on the Store's
// lease and keeps it there until Deregister or Close, re-putting it when
// the lease is lost.
func (s *Store) Register(ctx context.Context, inst registry.Instance) error {
	return errNotImplemented
}

// Deregister deletes inst's key and stops re-putting it.
func (s *Store) Deregister(ctx context.Context, inst registry.Instance) error {
	return errNotImplemented
}

// Instances returns the service's instances, sorted by ID.
func (s *Store) Instances(ctx context.Context, service string) ([]registry.Instance, error) {
	return nil, errNotImplemented
}

// Watch follows the service's instances.
func (s *Store) Watch(ctx context.Context, service string) (registry.Watcher, error) {
	return nil, errNotImplemented
}

// HealthRecord is the last status of a health check of one address of a
// service, as registration-health writes it.
type HealthRecord struct {
	Service   string    `json:"service"`
	Address   string    `json:"address"`
	Status    string    `json:"status"`
	CheckedAt time.Time `json:"checked_at"`
	Detail    string    `json:"detail,omitempty"`
}

// PutHealth puts h under <prefix>/health/<service>/<address> on the
// Store's lease, and re-puts it when the lease is lost, until a later
// PutHealth of the same service and address replaces it, DeleteHealth or
// Close.
func (s *Store) PutHealth(ctx context.Context, h HealthRecord) error {
	return errNotImplemented
}

// DeleteHealth deletes the record of service at address and stops
// re-putting it.
func (s *Store) DeleteHealth(ctx context.Context, service, address string) error {
	return errNotImplemented
}

// Health returns the service's health records, sorted by address.
func (s *Store) Health(ctx context.Context, service string) ([]HealthRecord, error) {
	return nil, errNotImplemented
}
