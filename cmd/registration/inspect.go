package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

func inspect(args []string, stdout, stderr io.Writer) int {
	const name = "inspect"
	fs, formatFlag := commandFlags(name, stderr)
	fs.Usage = usageFunc(fs, "inspect [--format table|json|yaml] SERVICE FILE...",
		"Print everything about one service: its methods and their bindings,\ncapabilities, dependencies, events and health. SERVICE is a full name, or a\nshort name that only one service has. JSON and YAML print the service as\nthe registration.v1 format has it.")
	if done, status := parseFlags(fs, args); done {
		return status
	}
	format, err := outputFormat(*formatFlag, stdout)
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if fs.NArg() == 0 {
		return failf(stderr, name, "name a service and at least one registration file")
	}
	l, status := readFiles(name, fs.Args()[1:], stderr)
	if l == nil {
		return status
	}
	s, err := l.findService(fs.Arg(0))
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if err := writeOutput(stdout, format, s, func(w io.Writer) error { return inspectTable(w, s) }); err != nil {
		return failf(stderr, name, "%v", err)
	}
	return 0
}

// inspectTable writes a service as a few aligned sections.
func inspectTable(w io.Writer, s *registration.Service) error {
	tw := newTable(w)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	field("service", s.Name)
	pkg := s.Package
	if s.Version != "" {
		pkg += " (version " + s.Version + ")"
	}
	field("package", pkg)
	field("file", s.File)
	field("description", oneLine(s.Description))
	if s.Deprecated {
		field("deprecated", "yes")
	}
	field("owner", s.Owner)
	field("tags", strings.Join(s.Tags, ", "))
	if h := s.Health; h != nil {
		field("health", fmt.Sprintf("grpc.health.v1 %q, HTTP %s (%s)", h.GRPCService, h.HTTPPath, h.Source))
	}
	field("message types", fmt.Sprint(len(s.MessageTypes)))

	fmt.Fprintf(tw, "\nMETHOD\tKIND\tSTREAMING\tINPUT\tOUTPUT\tRESOURCE\tTRAITS\n")
	for _, m := range s.Methods {
		resource := "-"
		if m.Resource != nil {
			resource = m.Resource.Type
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, m.Kind, m.Streaming, m.InputType, m.OutputType, resource, orDash(traits(m)))
	}

	// Sections with nothing to list are left out.
	if slices.ContainsFunc(s.Methods, func(m *registration.Method) bool { return len(m.Bindings) > 0 }) {
		fmt.Fprintf(tw, "\nMETHOD\tHTTP\tPATH\tBODY\tRESPONSE BODY\tQUERY\tSOURCE\n")
		for _, m := range s.Methods {
			for _, b := range m.Bindings {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, b.Method, b.Path, orDash(b.Body), orDash(b.ResponseBody),
					orDash(strings.Join(b.QueryParams, ",")), b.Source)
			}
		}
	}
	if len(s.Capabilities) > 0 {
		fmt.Fprintf(tw, "\nCAPABILITY\tSOURCE\tMETHODS\n")
		for _, c := range s.Capabilities {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Source, orDash(strings.Join(c.Methods, ",")))
		}
	}
	if len(s.Dependencies) > 0 {
		fmt.Fprintf(tw, "\nDEPENDENCY\tKIND\tEXTERNAL\tEVIDENCE\n")
		for _, d := range s.Dependencies {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Service, d.Kind, yesNo(d.External), orDash(strings.Join(d.Evidence, ",")))
		}
	}
	if len(s.Events) > 0 {
		fmt.Fprintf(tw, "\nEVENT\tMETHOD\tSOURCE\n")
		for _, e := range s.Events {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, orDash(e.Method), e.Source)
		}
	}
	return tw.Flush()
}

// traits lists what else is known about a method, comma-separated.
func traits(m *registration.Method) string {
	var t []string
	if m.Idempotency != "" {
		t = append(t, m.Idempotency)
	}
	if m.ReadOnly {
		t = append(t, "read_only")
	}
	if m.LongRunning != nil {
		t = append(t, "long_running:"+m.LongRunning.ResponseType)
	}
	if m.Deprecated {
		t = append(t, "deprecated")
	}
	if len(m.RequiredFields) > 0 {
		t = append(t, "required:"+strings.Join(m.RequiredFields, "+"))
	}
	return strings.Join(t, ",")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// oneLine folds a comment into one line for a table cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
