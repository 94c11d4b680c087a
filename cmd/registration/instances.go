package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

func instancesCommand() *cobra.Command {
	var format string
	var source etcdFlags
	var serving, watch bool
	cmd := &cobra.Command{
		Use:   "instances --etcd URLS [flags] SERVICE",
		Short: "List the running instances of a service in etcd, or watch them",
		Long: `List the running instances of a service that processes registered in etcd
(package registration/registry/etcd), sorted by ID: ID, address, the health
the instance reports itself, and the health a checker last found at its
address (registration-health --monitor --publish-etcd), "-" for none.
SERVICE is a full name, such as library.v1.LibraryService: instances need
no published registration, so a short name cannot be looked up.

With --serving, only the instances that can take requests: those that do
not say they are not serving and whose address was not last found other
than SERVING. With --watch, print the set again after each change of the
instances, the current set first, until SIGINT or SIGTERM: a table headed
by the service and its count, a JSON object per line or a YAML document
each; the checked health is read at each change. docs/etcd.md is the
manual.`,
		Example: `  registration instances --etcd http://127.0.0.1:2379 library.v1.LibraryService
  registration instances --etcd http://127.0.0.1:2379 --serving -o json library.v1.LibraryService
  registration instances --etcd http://127.0.0.1:2379 --watch library.v1.LibraryService`,
		GroupID:     etcdGroup,
		Annotations: map[string]string{topicsKey: instancesExit},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !source.given() {
				return cli.Usagef("name the etcd cluster to read with --etcd")
			}
			if err := source.check(cmd); err != nil {
				return err
			}
			if len(args) != 1 {
				return cli.Usagef("name one service, by its full name")
			}
			if s := args[0]; s == "" || strings.Contains(s, "/") {
				return cli.Usagef("%q: not a service's full name", s)
			}
			q := instancesQuery{service: args[0], serving: serving}
			if watch {
				return watchInstances(cmd.Context(), cmd.OutOrStdout(), format, &source, q)
			}
			return listInstances(cmd.Context(), cmd.OutOrStdout(), format, &source, q)
		},
	}
	cli.FormatFlag(cmd, &format)
	addEtcdFlags(cmd, &source, "read the instances from", true)
	cmd.Flags().BoolVar(&serving, "serving", false, "only the instances that can take requests, by their own health and the last check of their address")
	cmd.Flags().BoolVar(&watch, "watch", false, "print the instances again after each change, until SIGINT or SIGTERM")
	return cmd
}

// instancesExit is the exit statuses of instances.
const instancesExit = `
Exit status:
  0  ok (with --watch: stopped by SIGINT or SIGTERM)
  1  bad arguments, or etcd unreachable within --etcd-timeout
`

// instancesQuery is what instances asks etcd.
type instancesQuery struct {
	service string
	serving bool
}

// rows reads the service's instances (given, or read when nil) and the
// health records of their addresses.
func (q instancesQuery) rows(ctx context.Context, s *etcd.Store, insts []registry.Instance) ([]report.InstanceRow, error) {
	var err error
	if q.serving {
		insts, err = s.Serving(ctx, q.service)
	} else if insts == nil {
		insts, err = s.Instances(ctx, q.service)
	}
	if err != nil {
		return nil, err
	}
	records, err := s.Health(ctx, q.service)
	if err != nil {
		return nil, err
	}
	checked := make(map[string]etcd.HealthRecord, len(records))
	for _, h := range records {
		checked[h.Address] = h
	}
	rows := make([]report.InstanceRow, 0, len(insts))
	for _, inst := range insts {
		row := report.InstanceRow{ID: inst.ID, Address: inst.Address, Health: inst.Health, Metadata: inst.Metadata}
		if h, ok := checked[inst.Address]; ok {
			row.Checked, row.CheckedAt = h.Status, &h.CheckedAt
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// listInstances prints the service's instances once.
func listInstances(ctx context.Context, stdout io.Writer, format string, source *etcdFlags, q instancesQuery) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	var rows []report.InstanceRow
	err = source.withStore(ctx, func(ctx context.Context, s *etcd.Store) error {
		rows, err = q.rows(ctx, s, nil)
		return err
	})
	if err != nil {
		return err
	}
	return report.WriteInstances(stdout, format, rows)
}

// watchInstances prints the service's instances after each change until
// SIGINT, SIGTERM or the end of ctx. Connecting and each read of the
// health records are bounded by --etcd-timeout; the watch is not.
func watchInstances(ctx context.Context, stdout io.Writer, format string, source *etcdFlags, q instancesQuery) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, closeStore, err := source.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	w, err := s.Watch(ctx, q.service)
	if err != nil {
		return source.unreachable(err)
	}
	defer w.Stop()
	var last []report.InstanceRow
	for {
		insts, err := w.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped
			}
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, source.timeout)
		rows, err := q.rows(rctx, s, insts)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return source.unreachable(err)
		}
		// With --serving, a change of an instance that is left out
		// changes nothing printed.
		if last != nil && reflect.DeepEqual(rows, last) {
			continue
		}
		last = rows
		if err := report.WriteInstancesChange(stdout, format, report.Instances{Service: q.service, Instances: rows}); err != nil {
			return err
		}
	}
}
