package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

// writeOutput writes v as JSON or YAML, or calls table for the table
// format, as registration/report writes the read verbs' output.
func writeOutput(w io.Writer, format string, v any, table func(io.Writer) error) error {
	return report.Write(w, format, v, table)
}

// newTable returns a tabwriter laid out like every table of the command.
func newTable(w io.Writer) *tabwriter.Writer {
	return report.NewTable(w)
}

// plural returns "1 service" or "2 services".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
