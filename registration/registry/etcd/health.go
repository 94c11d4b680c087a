package etcd

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// HealthRecord is the last status of a health check of one address of a
// service, as registration-health writes it.
type HealthRecord struct {
	// Service is the service's full name.
	Service string `json:"service"`
	// Address is the address checked: host:port, a URL or unix:PATH.
	Address string `json:"address"`
	// Status is SERVING, NOT_SERVING, UNKNOWN or SERVICE_UNKNOWN, as
	// grpc.health.v1 spells it.
	Status string `json:"status"`
	// CheckedAt is when the check ended.
	CheckedAt time.Time `json:"checked_at"`
	// Detail says why a check failed, when it did.
	Detail string `json:"detail,omitempty"`
}

func (s *Store) healthKey(service, address string) (string, error) {
	if service == "" || strings.Contains(service, "/") || address == "" {
		return "", fmt.Errorf("etcd: health of %q at %q: not a health key", service, address)
	}
	// An address may hold "/" (unix:/run/x.sock, a URL): it is the rest of
	// the key, read back by prefix, never split.
	return s.healthPrefix(service) + address, nil
}

// PutHealth puts h under <prefix>/health/<service>/<address> on the
// Store's lease, and puts it again when the lease is lost, until a later
// PutHealth of the same service and address replaces it, DeleteHealth or
// Close.
func (s *Store) PutHealth(ctx context.Context, h HealthRecord) error {
	key, err := s.healthKey(h.Service, h.Address)
	if err != nil {
		return err
	}
	value, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := s.putLeased(ctx, key, string(value)); err != nil {
		return fmt.Errorf("etcd: health of %s at %s: %w", h.Service, h.Address, err)
	}
	return nil
}

// DeleteHealth deletes the record of service at address and stops putting
// it again.
func (s *Store) DeleteHealth(ctx context.Context, service, address string) error {
	key, err := s.healthKey(service, address)
	if err != nil {
		return err
	}
	if err := s.deleteLeased(ctx, key); err != nil {
		return fmt.Errorf("etcd: deleting health of %s at %s: %w", service, address, err)
	}
	return nil
}

// Health returns the service's health records, sorted by address.
func (s *Store) Health(ctx context.Context, service string) ([]HealthRecord, error) {
	if service == "" || strings.Contains(service, "/") {
		return nil, fmt.Errorf("etcd: health of %q: not a service name", service)
	}
	resp, err := s.cli.Get(ctx, s.healthPrefix(service), clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("etcd: health of %s: %w", service, err)
	}
	out := make([]HealthRecord, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		var h HealthRecord
		if err := json.Unmarshal(kv.Value, &h); err != nil {
			return nil, fmt.Errorf("etcd: %s: %v", kv.Key, err)
		}
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b HealthRecord) int { return strings.Compare(a.Address, b.Address) })
	return out, nil
}

// Serving returns the service's instances that can take requests, sorted
// by ID: those whose own Health is not NOT_SERVING or SERVICE_UNKNOWN and
// whose address, when a health record exists for it (as
// registration-health --publish-etcd writes), was last found SERVING.
// Instances and records are read at one revision.
func (s *Store) Serving(ctx context.Context, service string) ([]registry.Instance, error) {
	if service == "" || strings.Contains(service, "/") {
		return nil, fmt.Errorf("etcd: instances of %q: not a service name", service)
	}
	resp, err := s.cli.Txn(ctx).Then(
		clientv3.OpGet(s.instancesPrefix(service), clientv3.WithPrefix()),
		clientv3.OpGet(s.healthPrefix(service), clientv3.WithPrefix()),
	).Commit()
	if err != nil {
		return nil, fmt.Errorf("etcd: instances of %s: %w", service, err)
	}
	status := map[string]string{}
	for _, kv := range resp.Responses[1].GetResponseRange().Kvs {
		var h HealthRecord
		if err := json.Unmarshal(kv.Value, &h); err != nil {
			return nil, fmt.Errorf("etcd: %s: %v", kv.Key, err)
		}
		status[h.Address] = h.Status
	}
	set := instanceSet{}
	for _, kv := range resp.Responses[0].GetResponseRange().Kvs {
		inst, err := decodeInstance(kv)
		if err != nil {
			return nil, err
		}
		if inst.Health == registry.HealthNotServing || inst.Health == registry.HealthServiceUnknown {
			continue
		}
		if st, ok := status[inst.Address]; ok && st != registry.HealthServing {
			continue
		}
		set[string(kv.Key)] = inst
	}
	return set.sorted(), nil
}
