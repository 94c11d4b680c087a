package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

func eventsCommand() *cobra.Command {
	var format string
	var source etcdFlags
	cmd := &cobra.Command{
		Use:   "events [flags] FILE... | --etcd URLS",
		Short: "List every event with the service and method that emit it",
		Long: `List every event with the service and the method that emits it, services in
file order and each service's events by name.

` + stdinHelp + `

` + etcdReadHelp,
		Example: `  registration events gen/aggregate/registry.registration.json
  registration events gen/*/v1/*.registration.json -o yaml
  registration events --etcd http://127.0.0.1:2379 --prefix /staging/registration/v1`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: readExit},
		RunE: func(cmd *cobra.Command, files []string) error {
			if err := source.check(cmd); err != nil {
				return err
			}
			return listEvents(cmd.Context(), cmd.OutOrStdout(), format, &source, files)
		},
	}
	cli.FormatFlag(cmd, &format)
	addEtcdFlags(cmd, &source, "read the registrations from", false)
	return cmd
}

// listEvents prints a line per event of the services of files, or of
// etcd.
func listEvents(ctx context.Context, stdout io.Writer, format string, source *etcdFlags, files []string) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	set, err := readSource(ctx, source, files)
	if err != nil {
		return err
	}
	return report.WriteEvents(stdout, format, report.Events(set.Services))
}
