package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// ServiceRow is one line of the services list.
type ServiceRow struct {
	Name    string `json:"name" yaml:"name"`
	Package string `json:"package" yaml:"package"`
	// Methods is the number of methods, Bindings the number of REST
	// bindings of all of them.
	Methods  int `json:"methods" yaml:"methods"`
	Bindings int `json:"bindings" yaml:"bindings"`
	// Capabilities are the capability names, sorted as in the registration.
	Capabilities []string `json:"capabilities" yaml:"capabilities"`
	// Dependencies are the services depended on, each once, with
	// " (external)" after a target outside the registrations' request.
	Dependencies []string `json:"dependencies" yaml:"dependencies"`
	File         string   `json:"file" yaml:"file"`
}

// Services returns a row per service, in the order given. Capabilities
// and Dependencies are never nil, so that JSON and YAML print empty lists.
func Services(services []*registration.Service) []ServiceRow {
	rows := make([]ServiceRow, 0, len(services))
	for _, s := range services {
		if s != nil {
			rows = append(rows, newServiceRow(s))
		}
	}
	return rows
}

func newServiceRow(s *registration.Service) ServiceRow {
	row := ServiceRow{Name: s.Name, Package: s.Package, File: s.File,
		Capabilities: []string{}, Dependencies: []string{}}
	for _, m := range s.Methods {
		if m == nil {
			continue
		}
		row.Methods++
		for _, b := range m.Bindings {
			if b != nil {
				row.Bindings++
			}
		}
	}
	for _, c := range s.Capabilities {
		if c != nil {
			row.Capabilities = append(row.Capabilities, c.Name)
		}
	}
	for _, d := range s.Dependencies {
		if d == nil {
			continue
		}
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

// WriteServices writes rows in format. The table has a column per field,
// "-" for no capabilities or dependencies, and a last line that counts
// services, methods and REST bindings.
func WriteServices(w io.Writer, format string, rows []ServiceRow) error {
	if rows == nil {
		rows = []ServiceRow{} // an empty list, not null
	}
	return Write(w, format, rows, func(w io.Writer) error { return servicesTable(w, rows) })
}

func servicesTable(w io.Writer, rows []ServiceRow) error {
	tw := NewTable(w)
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
	_, err := fmt.Fprintf(w, "%s, %s, %s\n", Plural(len(rows), "service"), Plural(methods, "method"), Plural(bindings, "REST binding"))
	return err
}
