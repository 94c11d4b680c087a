package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/health/etcdsink"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
)

// etcdTimeout bounds the connection to etcd and each write of a status.
const etcdTimeout = 5 * time.Second

// addEtcdFlags adds the flags that publish a monitor's statuses into etcd.
func addEtcdFlags(fs *pflag.FlagSet) {
	fs.StringSlice("publish-etcd", nil, "(monitor) write each target's status into the etcd cluster at `URLS` (comma-separated), under PREFIX/health/SERVICE/ADDRESS, on a lease")
	fs.String("etcd-prefix", etcd.DefaultPrefix, "(with --publish-etcd) key `PREFIX` in etcd")
	fs.Duration("etcd-ttl", etcd.DefaultTTL, "(with --publish-etcd) TTL of the lease the statuses are on: how long they outlive a monitor that dies")
}

// etcdFlags are the values of those flags.
type etcdFlags struct {
	endpoints []string
	prefix    string
	ttl       time.Duration
}

// etcdFlagsOf reads the etcd flags of cmd and checks them against cfg:
// they need --monitor, and --publish-etcd.
func etcdFlagsOf(cmd *cobra.Command, cfg health.Config) (etcdFlags, []error) {
	fs := cmd.Flags()
	var f etcdFlags
	f.endpoints, _ = fs.GetStringSlice("publish-etcd")
	f.prefix, _ = fs.GetString("etcd-prefix")
	f.ttl, _ = fs.GetDuration("etcd-ttl")
	var errs []error
	switch {
	case len(f.endpoints) > 0 && !cfg.Monitor:
		errs = append(errs, fmt.Errorf("--publish-etcd needs --monitor"))
	case len(f.endpoints) == 0:
		for _, name := range []string{"etcd-prefix", "etcd-ttl"} {
			if fs.Changed(name) {
				errs = append(errs, fmt.Errorf("--%s needs --publish-etcd", name))
			}
		}
	}
	for _, e := range f.endpoints {
		if strings.TrimSpace(e) == "" {
			errs = append(errs, fmt.Errorf("--publish-etcd %q: an empty endpoint", strings.Join(f.endpoints, ",")))
			break
		}
	}
	if f.ttl <= 0 {
		errs = append(errs, fmt.Errorf("--etcd-ttl %v: must be positive", f.ttl))
	}
	return f, errs
}

// publish connects to etcd and hooks a sink of the plan's status changes
// into it. stop writes what is pending and revokes the lease, so that the
// statuses disappear when the monitor stops.
func (f etcdFlags) publish(ctx context.Context, p *health.Plan, logf func(format string, args ...any)) (stop func(), err error) {
	client, err := etcd.Connect(ctx, f.endpoints, etcdTimeout)
	if err != nil {
		return nil, fmt.Errorf("--publish-etcd: %w", err) // it names the endpoints
	}
	// The Store renews its lease, and puts the statuses again after a
	// lost one, in the background: its errors are reported as the
	// sink's are.
	store := etcd.New(client, etcd.WithPrefix(f.prefix), etcd.WithTTL(f.ttl),
		etcd.WithErrorFunc(func(err error) { logf("%v", err) }))
	sink := etcdsink.New(store, etcdTimeout, logf)
	p.OnChange = sink.Observe
	return func() {
		flush, cancel := context.WithTimeout(context.Background(), etcdTimeout)
		defer cancel()
		if err := sink.Close(flush); err != nil {
			logf("%v", err)
		}
		store.Close()
		client.Close()
	}, nil
}
