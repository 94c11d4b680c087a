// Command registration-graph draws the dependency graph of the services in
// registration files written by protoc-gen-registration.
//
//	registration-graph [flags] FILE...
//
// It only wires: flags.go binds the command line, in the grammar the
// project's binaries share (package internal/cli), to a graph.Filter and
// the output options; the files (- for standard input) are read with
// package registration/load and handed to package registration/graph,
// which builds, filters and writes the graph; see there for what the graph
// holds. Run registration-graph --help for the flags, and see docs/graph.md
// for the manual.
//
// Exit status (internal/cli's table): 0 ok; 1 bad arguments,
// unreadable, malformed or invalid input, or a Mermaid flowchart past
// Mermaid's default limits (--mermaid-limits); 2 with --fail-on-cycle when
// the graph has a cycle (each cycle is printed on stderr).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/graph"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// programName is the name in messages and usage; a constant, so that it
// does not depend on how the binary was started.
const programName = "registration-graph"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(draw)
	return cli.Run(root, args, stdout, stderr)
}

// options are the command line's flags.
type options struct {
	format        string
	filter        graph.Filter
	failOnCycle   bool
	maxCycles     int
	mermaidLimits string
}

// What --mermaid-limits does with a Mermaid flowchart past Mermaid's
// default limits.
const (
	limitsError = "error"
	limitsWarn  = "warn"
	limitsOff   = "off"
)

// newRoot returns the command: its own run hands the files and flags it is
// given to draws (draw, or a test's), and cli.New adds help, version and
// completion.
func newRoot(draws func(cmd *cobra.Command, o options, files []string) error) *cobra.Command {
	root := cli.New(programName, "Draw the dependency graph of the services in registration files", description)
	root.Use = programName + " [flags] FILE..."
	root.Example = examples
	// Any argument that is not a command is a file; "--" ends the flags,
	// so that "-- version" is a file named version.
	root.Args = cobra.ArbitraryArgs
	var o options
	addFlags(root, &o)
	root.RunE = func(cmd *cobra.Command, files []string) error {
		return draws(cmd, o, files)
	}
	cli.HelpTopics(root, topics)
	return root
}

// draw checks the options, reads the files, and writes the filtered graph
// with its cycles. With --fail-on-cycle, a cycle ends the program with
// cli.ExitFindings once the graph is written and each cycle printed.
func draw(cmd *cobra.Command, o options, files []string) error {
	if err := o.check(cmd.Flags().Changed); err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("name at least one registration file")
	}
	// The graph is made of services: messages are stepped over, most of
	// a large aggregate's bytes.
	set, err := load.Reader{ServicesOnly: true}.Files(files)
	if err != nil {
		return err
	}
	g, err := graph.Build(set.Services).Filter(o.filter)
	if nm := (*graph.NoMatchError)(nil); errors.As(err, &nm) {
		return fmt.Errorf("flag --%s: %v", nm.Filter, err)
	} else if err != nil {
		return err
	}
	g.Cycles, g.CyclesTruncated = g.FindCycles(o.maxCycles)
	if graph.Format(o.format) == graph.Mermaid && o.mermaidLimits != limitsOff {
		if err := g.CheckMermaid(); err != nil {
			if o.mermaidLimits == limitsError {
				return fmt.Errorf("%v. %s", err, mermaidAdvice)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: warning: %v\n", programName, err)
		}
	}
	if err := g.Write(cmd.OutOrStdout(), graph.Format(o.format)); err != nil {
		return err
	}
	if o.failOnCycle && len(g.Cycles) > 0 {
		stderr := cmd.ErrOrStderr()
		for _, c := range g.DescribeCycles(g.Cycles) {
			fmt.Fprintf(stderr, "%s: cycle: %s\n", programName, c)
		}
		if g.CyclesTruncated {
			fmt.Fprintf(stderr, "%s: more than %d cycles; raise --max-cycles to list them\n", programName, o.maxCycles)
		}
		return &cli.Findings{}
	}
	return nil
}

// mermaidAdvice follows the error of a flowchart past Mermaid's limits.
const mermaidAdvice = "Draw part of the graph with --service (and --depth, --direction), --package or --kind, " +
	"or use --format dot; --mermaid-limits=warn writes it all the same, for a renderer set up with higher limits"

// check reports the first flag with a value the command cannot use, with
// the value quoted, or that was given where it has no effect; changed
// tells whether a flag was given.
func (o options) check(changed func(flag string) bool) error {
	if !slices.Contains(graph.Formats, graph.Format(o.format)) {
		return fmt.Errorf("flag --format=%q: want json, dot or mermaid", o.format)
	}
	// A list flag given only empty values would silently filter nothing.
	for _, l := range []struct {
		flag   string
		values []string
		want   string
	}{
		{"kind", o.filter.Kinds, "resource, schema or declared"},
		{"package", o.filter.Packages, "a package name or glob"},
		{"service", o.filter.Services, "a service full name or glob"},
	} {
		if changed(l.flag) && len(l.values) == 0 {
			return fmt.Errorf("flag --%s: empty value: want %s", l.flag, l.want)
		}
	}
	for _, k := range o.filter.Kinds {
		if !slices.Contains(graph.Kinds, k) {
			return fmt.Errorf("flag --kind=%q: want resource, schema or declared", k)
		}
	}
	for _, l := range []struct {
		flag     string
		patterns []string
	}{{"package", o.filter.Packages}, {"service", o.filter.Services}} {
		for _, p := range l.patterns {
			if err := graph.CheckPattern(p); err != nil {
				return fmt.Errorf("flag --%s=%q: bad pattern: %v", l.flag, p, err)
			}
		}
	}
	if o.filter.Depth < -1 {
		return fmt.Errorf("flag --depth=%d: want 0 or more, or -1 for no limit", o.filter.Depth)
	}
	if !slices.Contains(graph.Directions, o.filter.Direction) {
		return fmt.Errorf("flag --direction=%q: want dependencies, dependents or both", o.filter.Direction)
	}
	if len(o.filter.Services) == 0 {
		if changed("depth") {
			return fmt.Errorf("flag --depth=%d: applies only with --service", o.filter.Depth)
		}
		if changed("direction") {
			return fmt.Errorf("flag --direction=%q: applies only with --service", o.filter.Direction)
		}
	}
	if o.maxCycles < 1 {
		return fmt.Errorf("flag --max-cycles=%d: want at least 1", o.maxCycles)
	}
	if !slices.Contains([]string{limitsError, limitsWarn, limitsOff}, o.mermaidLimits) {
		return fmt.Errorf("flag --mermaid-limits=%q: want error, warn or off", o.mermaidLimits)
	}
	if changed("mermaid-limits") && graph.Format(o.format) != graph.Mermaid {
		return fmt.Errorf("flag --mermaid-limits=%q: applies only with --format mermaid", o.mermaidLimits)
	}
	return nil
}
