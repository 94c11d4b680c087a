package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

func inspectCommand() *cobra.Command {
	var format string
	var source etcdFlags
	cmd := &cobra.Command{
		Use:   "inspect [flags] SERVICE FILE... | SERVICE --etcd URLS",
		Short: "Everything about one service: methods, bindings, capabilities, dependencies, events",
		Long: `Print everything about one service: its methods and their bindings,
capabilities, dependencies, events and health. SERVICE is a full name, or a
short name that only one service has. JSON and YAML print the service as
the registration.v1 format has it.

` + stdinHelp + `

` + etcdReadHelp,
		Example: `  registration inspect library.v1.LibraryService gen/aggregate/registry.registration.json
  registration inspect LibraryService gen/*/v1/*.registration.json -o json
  registration inspect LibraryService --etcd http://127.0.0.1:2379`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: readExit},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := source.check(cmd); err != nil {
				return err
			}
			return inspectService(cmd.Context(), cmd.OutOrStdout(), format, &source, args)
		},
	}
	cli.FormatFlag(cmd, &format)
	addEtcdFlags(cmd, &source, "read the registrations from", false)
	return cmd
}

// inspectService prints the service args[0] of the files args[1:], or of
// etcd.
func inspectService(ctx context.Context, stdout io.Writer, format string, source *etcdFlags, args []string) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		if source.given() {
			return cli.Usagef("name a service")
		}
		return cli.Usagef("name a service and at least one registration file")
	}
	set, err := readSource(ctx, source, args[1:])
	if err != nil {
		return err
	}
	s, err := findService(set, args[0])
	if err != nil {
		return err
	}
	return report.WriteService(stdout, format, s)
}
