package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

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

func services(args []string, stdout, stderr io.Writer) int {
	const name = "services"
	fs, formatFlag := commandFlags(name, stderr)
	fs.Usage = usageFunc(fs, "services [--format table|json|yaml] FILE...",
		"List the services of registration files, one line each: package, methods,\nREST bindings, capabilities, dependencies and proto file.")
	if done, status := parseFlags(fs, args); done {
		return status
	}
	format, err := outputFormat(*formatFlag, stdout)
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	l, status := readFiles(name, fs.Args(), stderr)
	if l == nil {
		return status
	}
	rows := make([]serviceRow, 0, len(l.Services))
	for _, s := range l.Services {
		rows = append(rows, newServiceRow(s))
	}
	if err := writeOutput(stdout, format, rows, func(w io.Writer) error { return serviceTable(w, rows) }); err != nil {
		return failf(stderr, name, "%v", err)
	}
	return 0
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
