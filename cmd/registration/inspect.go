package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

func inspectCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [flags] SERVICE FILE...",
		Short: "Everything about one service: methods, bindings, capabilities, dependencies, events",
		Long: `Print everything about one service: its methods and their bindings,
capabilities, dependencies, events and health. SERVICE is a full name, or a
short name that only one service has. JSON and YAML print the service as
the registration.v1 format has it.

` + stdinHelp,
		Example: `  registration inspect library.v1.LibraryService gen/aggregate/registry.registration.json
  registration inspect LibraryService gen/*/v1/*.registration.json -o json`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: readExit},
		RunE: func(cmd *cobra.Command, args []string) error {
			return inspectService(cmd.OutOrStdout(), format, args)
		},
	}
	cli.FormatFlag(cmd, &format)
	return cmd
}

// inspectService prints the service args[0] of the files args[1:].
func inspectService(stdout io.Writer, format string, args []string) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return cli.Usagef("name a service and at least one registration file")
	}
	set, err := readFiles(args[1:])
	if err != nil {
		return err
	}
	s, err := findService(set, args[0])
	if err != nil {
		return err
	}
	return writeOutput(stdout, format, s, func(w io.Writer) error { return inspectTable(w, s) })
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
