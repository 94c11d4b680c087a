package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// serviceRow is one line of the services command.
type serviceRow struct {
	Name     string `json:"name" yaml:"name"`
	Package  string `json:"package" yaml:"package"`
	Methods  int    `json:"methods" yaml:"methods"`
	Bindings int    `json:"bindings" yaml:"bindings"`
	// Capabilities are the capability names, sorted as in the registration.
	Capabilities []string `json:"capabilities" yaml:"capabilities"`
	// Dependencies are the services depended on, each once, with
	// " (external)" after a target outside the registrations' request.
	Dependencies []string `json:"dependencies" yaml:"dependencies"`
	File         string   `json:"file" yaml:"file"`
}

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
	rows := make([]serviceRow, 0, len(set.Services))
	for _, s := range set.Services {
		rows = append(rows, newServiceRow(s))
	}
	return writeOutput(stdout, format, rows, func(w io.Writer) error { return serviceTable(w, rows) })
}

func newServiceRow(s *registration.Service) serviceRow {
	row := serviceRow{Name: s.Name, Package: s.Package, Methods: len(s.Methods), File: s.File,
		Capabilities: []string{}, Dependencies: []string{}}
	for _, m := range s.Methods {
		row.Bindings += len(m.Bindings)
	}
	for _, c := range s.Capabilities {
		row.Capabilities = append(row.Capabilities, c.Name)
	}
	for _, d := range s.Dependencies {
		target := d.Service
		if d.External {
			target += " (external)"
		}
		if !slices.Contains(row.Dependencies, target) {
			row.Dependencies = append(row.Dependencies, target)
		}
	}
	return row
}

func serviceTable(w io.Writer, rows []serviceRow) error {
	tw := newTable(w)
	fmt.Fprintln(tw, "SERVICE\tPACKAGE\tMETHODS\tBINDINGS\tCAPABILITIES\tDEPENDENCIES\tFILE")
	methods, bindings := 0, 0
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.Name, r.Package, r.Methods, r.Bindings,
			orDash(strings.Join(r.Capabilities, ",")), orDash(strings.Join(r.Dependencies, ",")), r.File)
		methods += r.Methods
		bindings += r.Bindings
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s, %s, %s\n", plural(len(rows), "service"), plural(methods, "method"), plural(bindings, "REST binding"))
	return err
}
