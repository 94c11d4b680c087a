package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// InstanceRow is one running instance of a service, as registration
// instances prints it: what the instance says of itself, and what a
// health checker last found at its address.
type InstanceRow struct {
	ID      string `json:"id" yaml:"id"`
	Address string `json:"address" yaml:"address"`
	// Health is the instance's own status (SERVING, NOT_SERVING, ...),
	// empty when it says none.
	Health string `json:"health,omitempty" yaml:"health,omitempty"`
	// Checked is the status a health checker last found at Address
	// (registration-health --publish-etcd), empty when none is recorded;
	// CheckedAt is when.
	Checked   string     `json:"checked,omitempty" yaml:"checked,omitempty"`
	CheckedAt *time.Time `json:"checked_at,omitempty" yaml:"checked_at,omitempty"`
	// Metadata is the instance's free-form metadata.
	Metadata map[string]string `json:"metadata,omitempty" yaml:"metadata,omitempty"`
}

// Instances is a service's instances at one moment, as instances --watch
// prints it after each change.
type Instances struct {
	Service   string        `json:"service" yaml:"service"`
	Instances []InstanceRow `json:"instances" yaml:"instances"`
}

// WriteInstances writes rows in format: a table with a line per instance
// (ID, address, own health, checked health; "-" for none), or a JSON or
// YAML list, empty rather than null.
func WriteInstances(w io.Writer, format string, rows []InstanceRow) error {
	if rows == nil {
		rows = []InstanceRow{}
	}
	return Write(w, format, rows, func(w io.Writer) error { return instancesTable(w, rows) })
}

func instancesTable(w io.Writer, rows []InstanceRow) error {
	tw := NewTable(w)
	fmt.Fprintln(tw, "ID\tADDRESS\tHEALTH\tCHECKED")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Address, orDash(r.Health), orDash(r.Checked))
	}
	return tw.Flush()
}

// WriteInstancesChange writes a service's instance set after a change, as
// it happens, in format: a line that names the service and counts its
// instances followed by the table and an empty line, one JSON object on
// a line of its own, or a YAML document that starts with "---".
func WriteInstancesChange(w io.Writer, format string, set Instances) error {
	if set.Instances == nil {
		set.Instances = []InstanceRow{}
	}
	switch format {
	case FormatJSON:
		data, err := json.Marshal(set)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	case FormatYAML:
		if _, err := io.WriteString(w, "---\n"); err != nil {
			return err
		}
		return Write(w, format, set, nil)
	case FormatTable:
		if _, err := fmt.Fprintf(w, "%s: %s\n", set.Service, Plural(len(set.Instances), "instance")); err != nil {
			return err
		}
		if err := instancesTable(w, set.Instances); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
	return fmt.Errorf("report: unknown format %q: want table, json or yaml", format)
}
