package main

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

// defaultSource is the source of a publish without --source. A name that
// depends on the machine (a path, a host) would make the same deploy step
// a different source on each runner; a fixed one is the same everywhere.
// --prune needs a --source of its own, so that no publish prunes what
// someone else published without one.
const defaultSource = "default"

func publishCommand() *cobra.Command {
	var format, source string
	var prune bool
	var store etcdFlags
	cmd := &cobra.Command{
		Use:   "publish --etcd URLS [flags] FILE|DIR...",
		Short: "Publish registration files into etcd in one transaction",
		Long: `Publish the services of registration files into etcd, in one transaction:
each service's registration under PREFIX/services/SERVICE, as the files have
it, so that registration services, inspect and events with --etcd, and every
process of a deployment, read the same registrations. A deploy step runs it.

Arguments are read as every verb reads them, and a directory is every
*.registration.json, .yaml and .yml file under it (per-file output), as
compare reads directories.

Each publish records the services it published as those of its source
(--source, "` + defaultSource + `" when not given). With --prune, the services
that the previous publish of the same source had and this one has not are
deleted; other sources' services are never touched. --prune needs --source. The report lists each service as put (new or changed), unchanged
or pruned. docs/etcd.md is the manual.`,
		Example: `  registration publish --etcd http://127.0.0.1:2379 gen/aggregate/registry.registration.json
  registration publish --etcd http://10.0.0.1:2379,http://10.0.0.2:2379 --source library --prune gen/registration
  registration publish --etcd http://127.0.0.1:2379 --prefix /staging/registration/v1 -o table gen/registration`,
		GroupID:     etcdGroup,
		Annotations: map[string]string{topicsKey: publishExit},
		RunE: func(cmd *cobra.Command, paths []string) error {
			if !store.given() {
				return cli.Usagef("name the etcd cluster to publish to with --etcd")
			}
			if err := store.check(cmd); err != nil {
				return err
			}
			if err := checkSource(source, cmd.Flags().Changed("source"), prune); err != nil {
				return err
			}
			return publish(cmd.Context(), cmd.OutOrStdout(), format, &store, source, prune, paths)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&source, "source", defaultSource, "`NAME` the services are published under, such as the repository or the deploy step; --prune needs it")
	fs.BoolVar(&prune, "prune", false, "delete the services that the previous publish of the same --source had and this one has not")
	cli.FormatFlag(cmd, &format)
	addEtcdFlags(cmd, &store, "publish to", true)
	return cmd
}

// checkSource refuses a source that cannot be a key segment, and --prune
// without --source.
func checkSource(source string, given, prune bool) error {
	switch {
	case prune && !given:
		return cli.Usagef("--prune needs --source: the name of what publishes (such as the repository), the same on every run")
	case source == "" || source == "." || source == ".." || strings.Contains(source, "/"):
		return cli.Usagef("--source %q: want a name with no \"/\"", source)
	}
	return nil
}

// publish reads paths and publishes their services into etcd, then prints
// what it did.
func publish(ctx context.Context, stdout io.Writer, format string, store *etcdFlags, source string, prune bool, paths []string) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return cli.Usagef("name at least one registration file or directory")
	}
	doc, err := readSide(paths)
	if err != nil {
		return err
	}
	var res *etcd.PublishResult
	err = store.withStore(ctx, func(ctx context.Context, s *etcd.Store) error {
		var err error
		res, err = s.Publish(ctx, source, doc, prune)
		return err
	})
	if err != nil {
		return err
	}
	return report.WritePublish(stdout, format, report.Publish{
		Source:    source,
		Prefix:    strings.TrimSuffix(store.prefix, "/"),
		Put:       res.Put,
		Unchanged: res.Unchanged,
		Pruned:    res.Pruned,
	})
}

// publishExit is the exit statuses of publish.
const publishExit = `
Exit status:
  0  ok: published
  1  bad arguments, a file that cannot be read or that the reader refuses, or
     etcd unreachable within --etcd-timeout or refusing the transaction;
     nothing was published
`
