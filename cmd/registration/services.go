package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// serviceRow is one line of the services command.
type serviceRow struct {
	Name     string `json:"name" yaml:"name"`
	Package  string `json:"package" yaml:"package"`
	Methods  int    `json:"methods" yaml:"methods"`
	Bindings int    `json:"bindings" yaml:"bindings"`
	File     string `json:"file" yaml:"file"`
}

func services(args []string, stdout, stderr io.Writer) int {
	fs, formatFlag := commandFlags("services", stderr)
	if done, status := parseFlags(fs, args); done {
		return status
	}
	format, err := outputFormat(*formatFlag, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "registration services: %v\n", err)
		return 1
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "registration services: name at least one registration file")
		return 1
	}
	svcs, err := readServices(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "registration services: %v\n", err)
		return 1
	}
	rows := make([]serviceRow, 0, len(svcs))
	for _, s := range svcs {
		row := serviceRow{Name: s.Name, Package: s.Package, Methods: len(s.Methods), File: s.File}
		for _, m := range s.Methods {
			row.Bindings += len(m.Bindings)
		}
		rows = append(rows, row)
	}
	if err := writeRows(stdout, format, rows); err != nil {
		fmt.Fprintf(stderr, "registration services: %v\n", err)
		return 1
	}
	return 0
}

// readServices reads registration files and returns their services in file
// order, each service once: per-file and aggregate output may both be given.
func readServices(files []string) ([]*registration.Service, error) {
	seen := make(map[string]bool)
	var svcs []*registration.Service
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		reg, err := registration.Unmarshal(name, data)
		if err != nil {
			return nil, err
		}
		for _, s := range reg.Services {
			if !seen[s.Name] {
				seen[s.Name] = true
				svcs = append(svcs, s)
			}
		}
	}
	return svcs, nil
}

func writeRows(w io.Writer, format string, rows []serviceRow) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "yaml":
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(rows); err != nil {
			return err
		}
		return enc.Close()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tPACKAGE\tMETHODS\tBINDINGS\tFILE")
	methods, bindings := 0, 0
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", r.Name, r.Package, r.Methods, r.Bindings, r.File)
		methods += r.Methods
		bindings += r.Bindings
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d services, %d methods, %d REST bindings\n", len(rows), methods, bindings)
	return err
}
