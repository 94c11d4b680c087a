package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
)

// defaultEtcdTimeout bounds every exchange with etcd: connecting, and each
// read or transaction after.
const defaultEtcdTimeout = 5 * time.Second

// etcdFlags are the flags of a verb that reads registrations from etcd, or
// (publish) writes them there.
type etcdFlags struct {
	endpoints []string
	prefix    string
	timeout   time.Duration
}

// addEtcdFlags adds --etcd, --prefix and --etcd-timeout to cmd. what says
// what the verb does with etcd, for the help of --etcd; required says that
// the verb always uses etcd.
func addEtcdFlags(cmd *cobra.Command, f *etcdFlags, what string, required bool) {
	with := "(with --etcd) "
	if required {
		with = ""
	}
	fs := cmd.Flags()
	fs.StringSliceVar(&f.endpoints, "etcd", nil, what+" the etcd cluster at `URLS` (comma-separated or repeated, such as http://127.0.0.1:2379)")
	fs.StringVar(&f.prefix, "prefix", etcd.DefaultPrefix, with+"key `PREFIX` of the registrations in etcd")
	fs.DurationVar(&f.timeout, "etcd-timeout", defaultEtcdTimeout, with+"time allowed to connect to etcd, and for each request after")
}

// given says whether the verb is to use etcd.
func (f *etcdFlags) given() bool { return len(f.endpoints) > 0 }

// check refuses etcd flags that would do nothing or could not work.
func (f *etcdFlags) check(cmd *cobra.Command) error {
	if !f.given() {
		for _, name := range []string{"prefix", "etcd-timeout"} {
			if cmd.Flags().Changed(name) {
				return cli.Usagef("--%s needs --etcd", name)
			}
		}
		return nil
	}
	for _, e := range f.endpoints {
		if strings.TrimSpace(e) == "" {
			return cli.Usagef("--etcd %q: an empty endpoint", strings.Join(f.endpoints, ","))
		}
	}
	if f.timeout <= 0 {
		return cli.Usagef("--etcd-timeout %v: must be positive", f.timeout)
	}
	return nil
}

// open connects to etcd within the timeout. close closes the store and
// its client.
func (f *etcdFlags) open(ctx context.Context) (s *etcd.Store, close func(), err error) {
	client, err := etcd.Connect(ctx, f.endpoints, f.timeout)
	if err != nil {
		return nil, nil, err // it names the endpoints
	}
	s = etcd.New(client, etcd.WithPrefix(f.prefix))
	return s, func() {
		s.Close()
		client.Close()
	}, nil
}

// unreachable says which endpoints did not answer in time, and why.
func (f *etcdFlags) unreachable(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("etcd at %s: no answer within %v (--etcd-timeout)", strings.Join(f.endpoints, ","), f.timeout)
	}
	return fmt.Errorf("etcd at %s: %w", strings.Join(f.endpoints, ","), err)
}

// withStore opens the store, runs do with a context bounded by the
// timeout, and closes the store.
func (f *etcdFlags) withStore(ctx context.Context, do func(ctx context.Context, s *etcd.Store) error) error {
	s, close, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer close()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	if err := do(ctx, s); err != nil {
		return f.unreachable(err)
	}
	return nil
}

// readEtcd reads every registration under the prefix, merged as
// registration/load merges files.
func (f *etcdFlags) readEtcd(ctx context.Context) (*load.Set, error) {
	var reg *registration.Registration
	err := f.withStore(ctx, func(ctx context.Context, s *etcd.Store) error {
		var err error
		reg, err = s.Registration(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return load.Merge(reg), nil
}

// readSource reads the registrations of a read verb: from etcd with
// --etcd, otherwise from files, never both.
func readSource(ctx context.Context, f *etcdFlags, files []string) (*load.Set, error) {
	if !f.given() {
		return readFiles(files)
	}
	if len(files) > 0 {
		return nil, cli.Usagef("give registration files or --etcd, not both (files: %s)", strings.Join(files, " "))
	}
	return f.readEtcd(ctx)
}

// etcdReadHelp says what a read verb does with --etcd.
const etcdReadHelp = `With --etcd, the registrations are read from etcd, as registration publish
wrote them there, instead of from files: name no FILE. docs/etcd.md is the
manual.`
