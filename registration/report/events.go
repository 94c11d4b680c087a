package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// EventRow is one line of the events list.
type EventRow struct {
	Event   string `json:"event" yaml:"event"`
	Service string `json:"service" yaml:"service"`
	// Method is the full name of the method that emits the event, empty
	// for an event a service declares without a method.
	Method string `json:"method,omitempty" yaml:"method,omitempty"`
	Source string `json:"source" yaml:"source"`
}

// Events returns a row per event of services: services in the order given,
// each service's events in its order (by name, in a registration). The
// result is never nil.
func Events(services []*registration.Service) []EventRow {
	rows := []EventRow{}
	for _, s := range services {
		if s == nil {
			continue
		}
		for _, e := range s.Events {
			if e != nil {
				rows = append(rows, EventRow{Event: e.Name, Service: s.Name, Method: e.Method, Source: e.Source})
			}
		}
	}
	return rows
}

// WriteEvents writes rows in format. The table gives a method by its short
// name, "-" for none, and a last line that counts the events.
func WriteEvents(w io.Writer, format string, rows []EventRow) error {
	if rows == nil {
		rows = []EventRow{} // an empty list, not null
	}
	return Write(w, format, rows, func(w io.Writer) error {
		tw := NewTable(w)
		fmt.Fprintln(tw, "EVENT\tSERVICE\tMETHOD\tSOURCE")
		for _, r := range rows {
			// The method's full name repeats the service; its short name is enough.
			method := strings.TrimPrefix(r.Method, r.Service+".")
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Event, r.Service, orDash(method), r.Source)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, Plural(len(rows), "event"))
		return err
	})
}
