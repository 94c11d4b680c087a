package main

import (
	"fmt"
	"io"
	"strings"
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

func events(args []string, stdout, stderr io.Writer) int {
	const name = "events"
	fs, formatFlag := commandFlags(name, stderr)
	fs.Usage = usageFunc(fs, "events [--format table|json|yaml] FILE...",
		"List every event with the service and the method that emits it, services in\nfile order and each service's events by name.")
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
	rows := []eventRow{}
	for _, s := range l.Services {
		for _, e := range s.Events {
			rows = append(rows, eventRow{Event: e.Name, Service: s.Name, Method: e.Method, Source: e.Source})
		}
	}
	err = writeOutput(stdout, format, rows, func(w io.Writer) error {
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
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	return 0
}
