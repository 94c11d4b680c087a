package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// ServiceChange is one change of a registration stored in etcd, as
// registration services --etcd --watch prints it.
type ServiceChange struct {
	// Revision is etcd's revision of the change.
	Revision int64 `json:"revision" yaml:"revision"`
	// Change is "put" (new or changed) or "delete".
	Change string `json:"change" yaml:"change"`
	// Service is the service's full name.
	Service string `json:"service" yaml:"service"`
	// File is the service's proto file; empty for a delete.
	File string `json:"file,omitempty" yaml:"file,omitempty"`
}

// ChangeHeader is the first line of a table of changes.
const ChangeHeader = "REVISION  CHANGE  SERVICE  FILE\n"

// WriteServiceChange writes one change as it happens, in format: a table
// line (after ChangeHeader, which the caller writes once), one JSON object
// on a line of its own, or a YAML document that starts with "---".
func WriteServiceChange(w io.Writer, format string, c ServiceChange) error {
	switch format {
	case FormatJSON:
		data, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	case FormatYAML:
		if _, err := io.WriteString(w, "---\n"); err != nil {
			return err
		}
		return Write(w, format, c, nil)
	case FormatTable:
		// A line as it happens: the first two columns padded to the
		// header's width, the rest as wide as they are.
		_, err := fmt.Fprintf(w, "%-8d  %-6s  %s  %s\n", c.Revision, c.Change, c.Service, orDash(c.File))
		return err
	}
	return fmt.Errorf("report: unknown format %q: want table, json or yaml", format)
}
