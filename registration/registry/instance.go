package registry

import (
	"context"
	"fmt"
	"strings"
)

// Health statuses of an instance, spelled as grpc.health.v1's
// HealthCheckResponse.ServingStatus values. An empty Health means the
// registrar does not know.
const (
	HealthUnknown        = "UNKNOWN"
	HealthServing        = "SERVING"
	HealthNotServing     = "NOT_SERVING"
	HealthServiceUnknown = "SERVICE_UNKNOWN"
)

// Instance is one running copy of a service.
//
// Instances are shared between processes (see package
// registry/etcd), so Instance is a plain value encoded as JSON with the tags
// below; a registrar stores it as given.
type Instance struct {
	// Service is the service's full name, e.g. library.v1.LibraryService.
	Service string `json:"service"`
	// ID identifies the instance among its service's instances. It must
	// be unique per service and contain no "/"; a hostname with the port,
	// a pod name or a random ID all do.
	ID string `json:"id"`
	// Address is where the instance is reached: host:port or unix:PATH.
	Address string `json:"address"`
	// Metadata is free-form, such as a version, a zone or a weight.
	Metadata map[string]string `json:"metadata,omitempty"`
	// Health is the instance's status as grpc.health.v1 spells it
	// (SERVING, NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN), or empty.
	Health string `json:"health,omitempty"`
}

// Check reports the first problem that makes inst unfit to register: an
// empty service, ID or address, or a service or ID that cannot be one
// segment of a key (it contains "/" or is "." or "..").
func (inst Instance) Check() error {
	switch {
	case inst.Service == "":
		return fmt.Errorf("instance %q: no service", inst.ID)
	case inst.ID == "":
		return fmt.Errorf("instance of %s: no ID", inst.Service)
	case inst.Address == "":
		return fmt.Errorf("instance %s/%s: no address", inst.Service, inst.ID)
	}
	for _, seg := range [...]struct{ what, v string }{{"service", inst.Service}, {"ID", inst.ID}} {
		if strings.Contains(seg.v, "/") || seg.v == "." || seg.v == ".." {
			return fmt.Errorf("instance %s/%s: %s %q cannot be a key segment", inst.Service, inst.ID, seg.what, seg.v)
		}
	}
	return nil
}

// Registrar registers the instances a process runs.
//
// Register makes inst visible to Discovery until Deregister, or until the
// registering process stops renewing it (with package registry/etcd, when
// its lease expires). Registering an instance again with the same service
// and ID replaces it: that is how a process changes its Health or
// Metadata. Deregister of an instance that is not registered is not an
// error.
type Registrar interface {
	Register(ctx context.Context, inst Instance) error
	Deregister(ctx context.Context, inst Instance) error
}

// Discovery finds the instances of a service.
type Discovery interface {
	// Instances returns the service's instances, sorted by ID; none is an
	// empty result, not an error.
	Instances(ctx context.Context, service string) ([]Instance, error)
	// Watch follows the service's instance set. It ends when ctx is done
	// or Stop is called.
	Watch(ctx context.Context, service string) (Watcher, error)
}

// Watcher delivers a service's instance set after each change, in order.
type Watcher interface {
	// Next blocks until the set changes and returns the whole set, sorted
	// by ID; the first call returns the current set at once. After Stop, or
	// once the Watch's context is done, Next returns an error.
	Next() ([]Instance, error)
	// Stop ends the watch and releases its resources. It may be called more
	// than once, and concurrently with Next.
	Stop() error
}
