package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

func servicesCommand() *cobra.Command {
	var format string
	var source etcdFlags
	var watch bool
	cmd := &cobra.Command{
		Use:   "services [flags] FILE... | --etcd URLS",
		Short: "List the services of registration files, one line each",
		Long: `List the services of registration files, one line each: package, methods,
REST bindings, capabilities, dependencies and proto file. With --etcd and
--watch, print instead every change of the registrations in etcd as it
happens (revision, put or delete, service, proto file), a put for each
stored service first, until SIGINT or SIGTERM: a table line, a JSON object
per line or a YAML document each.

` + stdinHelp + `

` + etcdReadHelp,
		Example: `  registration services gen/aggregate/registry.registration.json
  registration services gen/*/v1/*.registration.json --format json
  git show main:gen/aggregate/registry.registration.json | registration services -
  registration services --etcd http://127.0.0.1:2379
  registration services --etcd http://127.0.0.1:2379 --watch -o json`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: readExit},
		RunE: func(cmd *cobra.Command, files []string) error {
			if err := source.check(cmd); err != nil {
				return err
			}
			if watch {
				return watchServices(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), format, &source, files)
			}
			return listServices(cmd.Context(), cmd.OutOrStdout(), format, &source, files)
		},
	}
	cli.FormatFlag(cmd, &format)
	addEtcdFlags(cmd, &source, "read the registrations from", false)
	cmd.Flags().BoolVar(&watch, "watch", false, "(with --etcd) print every change of the registrations in etcd, a put for each stored service first, until SIGINT or SIGTERM")
	return cmd
}

// listServices prints a line per service of files, or of etcd.
func listServices(ctx context.Context, stdout io.Writer, format string, source *etcdFlags, files []string) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	set, err := readSource(ctx, source, files)
	if err != nil {
		return err
	}
	return report.WriteServices(stdout, format, report.Services(set.Services))
}
