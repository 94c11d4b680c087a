package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// WriteService writes everything about one service in format. JSON and YAML
// write the service as the registration.v2 format has it. The table has a
// few aligned sections: the service's fields (empty ones left out), its
// methods, then its bindings, capabilities, dependencies and events, each
// left out when it has nothing to list. A nil service is an error.
func WriteService(w io.Writer, format string, s *registration.Service) error {
	if s == nil {
		return errors.New("report: no service to write")
	}
	return Write(w, format, s, func(w io.Writer) error { return serviceTable(w, s) })
}

func serviceTable(w io.Writer, s *registration.Service) error {
	tw := NewTable(w)
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

	methods := nonNil(s.Methods)
	fmt.Fprintf(tw, "\nMETHOD\tKIND\tSTREAMING\tINPUT\tOUTPUT\tRESOURCE\tTRAITS\n")
	for _, m := range methods {
		resource := "-"
		if m.Resource != nil {
			resource = m.Resource.Type
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, m.Kind, m.Streaming, m.InputType, m.OutputType, resource, orDash(traits(m)))
	}

	if slices.ContainsFunc(methods, func(m *registration.Method) bool { return len(nonNil(m.Bindings)) > 0 }) {
		fmt.Fprintf(tw, "\nMETHOD\tHTTP\tPATH\tBODY\tRESPONSE BODY\tQUERY\tSOURCE\n")
		for _, m := range methods {
			for _, b := range nonNil(m.Bindings) {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, b.Method, b.Path, orDash(b.Body), orDash(b.ResponseBody),
					orDash(strings.Join(b.QueryParams, ",")), b.Source)
			}
		}
	}
	if caps := nonNil(s.Capabilities); len(caps) > 0 {
		fmt.Fprintf(tw, "\nCAPABILITY\tSOURCE\tMETHODS\n")
		for _, c := range caps {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Source, orDash(strings.Join(c.Methods, ",")))
		}
	}
	if deps := nonNil(s.Dependencies); len(deps) > 0 {
		fmt.Fprintf(tw, "\nDEPENDENCY\tKIND\tEXTERNAL\tEVIDENCE\n")
		for _, d := range deps {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Service, d.Kind, YesNo(d.External), orDash(strings.Join(d.Evidence, ",")))
		}
	}
	if events := nonNil(s.Events); len(events) > 0 {
		fmt.Fprintf(tw, "\nEVENT\tMETHOD\tSOURCE\n")
		for _, e := range events {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, orDash(e.Method), e.Source)
		}
	}
	return tw.Flush()
}

// nonNil returns the elements of list that are not nil: a section whose
// elements are all nil has nothing to list and is left out.
func nonNil[T any](list []*T) []*T {
	if !slices.Contains(list, nil) {
		return list
	}
	out := make([]*T, 0, len(list))
	for _, v := range list {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
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

// oneLine folds a comment into one line for a table cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
