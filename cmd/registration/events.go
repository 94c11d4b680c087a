package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

func eventsCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "events [flags] FILE...",
		Short: "List every event with the service and method that emit it",
		Long: `List every event with the service and the method that emits it, services in
file order and each service's events by name.

` + stdinHelp,
		Example: `  registration events gen/aggregate/registry.registration.json
  registration events gen/*/v1/*.registration.json -o yaml`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: readExit},
		RunE: func(cmd *cobra.Command, files []string) error {
			return listEvents(cmd.OutOrStdout(), format, files)
		},
	}
	cli.FormatFlag(cmd, &format)
	return cmd
}

// listEvents prints a line per event of the services of files.
func listEvents(stdout io.Writer, format string, files []string) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	set, err := readFiles(files)
	if err != nil {
		return err
	}
	return report.WriteEvents(stdout, format, report.Events(set.Services))
}
