// Package etcd keeps registrations, running instances and their health in
// etcd, so that every process and tool of a deployment reads and watches
// the same state. It is the etcd backend of package registry: *Store
// implements registry.Registrar and registry.Discovery.
//
//	cli, err := etcd.Connect(ctx, []string{"http://127.0.0.1:2379"}, 5*time.Second)
//	if err != nil {
//		log.Fatal(err) // names the endpoints
//	}
//	defer cli.Close()
//	store := etcd.New(cli) // prefix /registration/v1, lease TTL 10s
//	defer store.Close()    // revokes the lease: this process's instances go at once
//	err = store.Register(ctx, registry.Instance{
//		Service: "library.v1.LibraryService", ID: host + ":8080", Address: host + ":8080",
//		Health: registry.HealthServing,
//	})
//
// # Key layout
//
// Every key is under a prefix, "/registration/v1" unless WithPrefix says
// otherwise. <service> is a full name such as library.v1.LibraryService.
//
//	<prefix>/services/<service>            the service's registration document (JSON)
//	<prefix>/sources/<source>              the services a source last published (JSON)
//	<prefix>/instances/<service>/<id>      a registry.Instance (JSON), on a lease
//	<prefix>/health/<service>/<address>    a HealthRecord (JSON), on a lease
//
// The value of a services key is a registration document in the format of
// the files the plugin writes (registration.Format, the same JSON
// encoding, byte for byte deterministic) holding that one service: its
// "files" is the service's proto file, and its "messages" and "enums" are
// those of the published document that the service uses (the messages its
// message_types name, and the enums their fields name). Any registration
// reader can read it. Registration puts the stored services back into one
// document, the shape of an aggregate file: files sorted, services by file
// and position, messages and enums once each by full name. What is not
// kept: a document's "conflicts" and "diagnostics", which are facts about
// one plugin request rather than about a service (compare or lint the
// files for them), and the order of files in the original request.
//
// A sources key holds {"source": NAME, "services": [...]}: what Publish
// with that source last wrote, for pruning.
//
// # Publishing
//
// Publish writes a document in one etcd transaction: the services whose
// stored bytes differ, the deletions of pruned services and the source's
// index, under a compare on the index's revision. A concurrent publish of
// the same source makes one of them fail with ErrConflict, changing
// nothing. Pruning deletes only services that the same source published
// before and that no other source's index lists. etcd bounds a
// transaction (its --max-txn-ops, 128 by default, and --max-request-bytes,
// 1.5 MiB by default): a publish larger than the server allows fails,
// wrapping ErrTooLarge, with nothing written. Raise the server's limits
// for large aggregates: the whole of googleapis, 1,052 services whose
// documents total 50 MB (each carries the messages its service uses),
// needs --max-txn-ops 2048 and --max-request-bytes 67108864 on its first
// publish. Later publishes write only what changed.
//
// # Instances, health and the lease
//
// A Store puts every instance it registers and every health record it
// writes on one lease of its own, granted on first use with the TTL of
// WithTTL (10 seconds by default; etcd counts in whole seconds). The Store
// keeps the lease alive while the process runs; when the process dies,
// even by SIGKILL, its keys disappear within the TTL. The Store remembers
// what it put. When the lease is lost — revoked by someone else, expired
// while etcd was unreachable for longer than the TTL, or gone with an etcd
// whose data was lost — it grants a new lease and puts everything again
// by itself, retrying with exponential backoff (100ms doubling, with
// jitter, to at most half the TTL; each attempt bounded by the TTL or 2s,
// whichever is longer) until it succeeds or the Store is closed. Errors of this background work go to
// the function given by WithErrorFunc. Close revokes the lease, so that a
// clean shutdown removes the instances at once.
//
// Health records are what a health checker found at an address
// (registration-health --monitor --publish-etcd writes them); an
// instance's own Health is what its process says. Serving combines both:
// the instances that neither say they are not serving nor were last found
// not serving.
//
// Calls never hang: each honours its context, also while etcd is
// unreachable (the etcd client itself retries until the context is done).
// After Close the background goroutines have ended.
//
// # Watching
//
// Watch and WatchServices start from a read of the current state and then
// follow etcd's watch from the next revision, so no change is lost or
// reordered; a watcher sees each committed revision's state, in revision
// order. When etcd cannot continue the watch (the revision was compacted,
// or the member lost its leader), the watcher reads the full state again
// and delivers it (Watch: the new set, when it differs from the last one
// delivered; WatchServices: a put or delete event per difference), then
// continues from there. An etcd restart is invisible to watchers: the
// client resumes the watch where it stopped.
//
// # Kratos
//
// registry.Instance, Registrar, Discovery and Watcher have the shape of
// Kratos' registry package (github.com/go-kratos/kratos/v2/registry,
// imported as kregistry below), so that an adapter is a few lines. A
// Kratos ServiceInstance names an application and lists endpoints as URLs;
// the adapter keeps its version and endpoints in the metadata, and the
// first endpoint's host:port as the address:
//
//	import (
//		"context"
//		"maps"
//		"net/url"
//		"strings"
//
//		kregistry "github.com/go-kratos/kratos/v2/registry"
//
//		"github.com/ovasabi/protoc-gen-registration/registration/registry"
//	)
//
//	var (
//		_ kregistry.Registrar = Kratos{}
//		_ kregistry.Discovery = Kratos{}
//	)
//
//	// Kratos adapts a Registrar and Discovery, such as an *etcd.Store, to
//	// Kratos' registry.Registrar and registry.Discovery.
//	type Kratos struct {
//		R registry.Registrar
//		D registry.Discovery
//	}
//
//	func (k Kratos) Register(ctx context.Context, si *kregistry.ServiceInstance) error {
//		return k.R.Register(ctx, toInstance(si))
//	}
//
//	func (k Kratos) Deregister(ctx context.Context, si *kregistry.ServiceInstance) error {
//		return k.R.Deregister(ctx, toInstance(si))
//	}
//
//	func (k Kratos) GetService(ctx context.Context, name string) ([]*kregistry.ServiceInstance, error) {
//		insts, err := k.D.Instances(ctx, name)
//		return fromInstances(insts), err
//	}
//
//	func (k Kratos) Watch(ctx context.Context, name string) (kregistry.Watcher, error) {
//		w, err := k.D.Watch(ctx, name)
//		if err != nil {
//			return nil, err
//		}
//		return kratosWatcher{w}, nil
//	}
//
//	type kratosWatcher struct{ registry.Watcher }
//
//	func (w kratosWatcher) Next() ([]*kregistry.ServiceInstance, error) {
//		insts, err := w.Watcher.Next()
//		return fromInstances(insts), err
//	}
//
//	// toInstance keeps Kratos' endpoints (grpc://host:port, http://...) and
//	// version in the metadata; the address is the first endpoint's host:port.
//	func toInstance(si *kregistry.ServiceInstance) registry.Instance {
//		md := maps.Clone(si.Metadata)
//		if md == nil {
//			md = map[string]string{}
//		}
//		md["kratos.version"] = si.Version
//		md["kratos.endpoints"] = strings.Join(si.Endpoints, ",")
//		inst := registry.Instance{Service: si.Name, ID: si.ID, Metadata: md}
//		if len(si.Endpoints) > 0 {
//			if u, err := url.Parse(si.Endpoints[0]); err == nil {
//				inst.Address = u.Host
//			}
//		}
//		return inst
//	}
//
//	func fromInstances(insts []registry.Instance) []*kregistry.ServiceInstance {
//		out := make([]*kregistry.ServiceInstance, 0, len(insts))
//		for _, inst := range insts {
//			md := maps.Clone(inst.Metadata)
//			si := &kregistry.ServiceInstance{ID: inst.ID, Name: inst.Service, Version: md["kratos.version"], Metadata: md}
//			if eps := md["kratos.endpoints"]; eps != "" {
//				si.Endpoints = strings.Split(eps, ",")
//			}
//			delete(md, "kratos.version")
//			delete(md, "kratos.endpoints")
//			out = append(out, si)
//		}
//		return out
//	}
//
// and, in the application:
//
//	store := etcd.New(cli)
//	defer store.Close()
//	app := kratos.New(kratos.Name("library.v1.LibraryService"), kratos.Server(grpcSrv),
//		kratos.Registrar(Kratos{R: store, D: store}))
//
// Kratos registers an application under its name: naming it after the
// gRPC service it serves keeps the key layout's <service> a full name, so
// that registration's tools and Kratos see the same instances. A Kratos
// client discovers through the same value,
// grpc.WithDiscovery(Kratos{R: store, D: store}), with the endpoint
// "discovery:///library.v1.LibraryService".
package etcd
