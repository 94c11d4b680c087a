package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

func servicesCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "services [flags] FILE...",
		Short: "List the services of registration files, one line each",
		Long: `List the services of registration files, one line each: package, methods,
REST bindings, capabilities, dependencies and proto file.

` + stdinHelp,
		Example: `  registration services gen/aggregate/registry.registration.json
  registration services gen/*/v1/*.registration.json --format json
  git show main:gen/aggregate/registry.registration.json | registration services -`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: readExit},
		RunE: func(cmd *cobra.Command, files []string) error {
			return listServices(cmd.OutOrStdout(), format, files)
		},
	}
	cli.FormatFlag(cmd, &format)
	return cmd
}

// listServices prints a line per service of files.
func listServices(stdout io.Writer, format string, files []string) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	set, err := readFiles(files)
	if err != nil {
		return err
	}
	return report.WriteServices(stdout, format, report.Services(set.Services))
}
