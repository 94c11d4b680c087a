package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
)

// eventRow is one line of the events command.
type eventRow struct {
	Event   string `json:"event" yaml:"event"`
	Service string `json:"service" yaml:"service"`
	// Method is the full name of the method that emits the event, empty
	// for an event a service declares without a method.
	Method string `json:"method,omitempty" yaml:"method,omitempty"`
	Source string `json:"source" yaml:"source"`
}

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
	rows := []eventRow{}
	for _, s := range set.Services {
		for _, e := range s.Events {
			rows = append(rows, eventRow{Event: e.Name, Service: s.Name, Method: e.Method, Source: e.Source})
		}
	}
	return writeOutput(stdout, format, rows, func(w io.Writer) error {
		tw := newTable(w)
		fmt.Fprintln(tw, "EVENT\tSERVICE\tMETHOD\tSOURCE")
		for _, r := range rows {
			// The method's full name repeats the service; its short name is enough.
			method := strings.TrimPrefix(r.Method, r.Service+".")
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Event, r.Service, orDash(method), r.Source)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, plural(len(rows), "event"))
		return err
	})
}
