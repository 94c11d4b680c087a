// Package report renders what the registration command's read verbs print:
// the services table, the inspect view of one service and the events list,
// each as an aligned table, JSON or YAML; and what publish did, the
// changes that services --watch follows in etcd, and the instances that
// instances lists and watches there.
//
// The functions take the registration model as registration/load returns it
// and write to an io.Writer, so that a CI tool or a test can produce the
// same bytes as
//
//	registration services|inspect|events --format table|json|yaml
//
// without running the command. They read no files and keep no state. A nil
// element in a list (which registration/load refuses, but a caller building
// the model by hand may leave) is skipped, never a panic.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"
)

// Output formats.
const (
	FormatTable = "table"
	FormatJSON  = "json"
	FormatYAML  = "yaml"
)

// Write writes v in format: JSON (two-space indent, HTML characters left
// as they are so that path templates stay readable) or YAML (two-space
// indent), or for FormatTable calls table with w. Any other format is an
// error and nothing is written.
func Write(w io.Writer, format string, v any, table func(io.Writer) error) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case FormatYAML:
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(v); err != nil {
			return err
		}
		return enc.Close()
	case FormatTable:
		return table(w)
	}
	return fmt.Errorf("report: unknown format %q: want table, json or yaml", format)
}

// NewTable returns a tabwriter laid out like every table of the
// registration command: columns two spaces apart, padded with spaces.
// The caller flushes it.
func NewTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// orDash returns s, or "-" for an empty table cell.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Plural returns "1 service" or "2 services".
func Plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// YesNo returns "yes" or "no", as the tables write booleans.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
