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
// Exit status (internal/cli's table): 0 ok; 1 bad arguments or
// unreadable, malformed or invalid input; 2 with --fail-on-cycle when the
// graph has a cycle (each cycle is printed on stderr).
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
	format      string
	filter      graph.Filter
	failOnCycle bool
	maxCycles   int
}

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
	if err := o.check(); err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("name at least one registration file")
	}
	set, err := load.Files(files)
	if err != nil {
		return err
	}
	whole := graph.Build(set.Services)
	// graph.Filter reports a --service that matches no service; a
	// --package that matches none is as much a mistake, so it ends the
	// same way rather than with an empty graph and exit 0. Packages are
	// checked first, as they are filtered first: a wrong --package would
	// otherwise be reported as a --service matching nothing.
	for _, p := range o.filter.Packages {
		in, err := whole.Filter(graph.Filter{Packages: []string{p}})
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(in.Nodes, func(n *graph.Node) bool { return !n.External }) {
			return fmt.Errorf("flag --package: no package matches %q", p)
		}
	}
	g, err := whole.Filter(o.filter)
	if nm := (*graph.NoMatchError)(nil); errors.As(err, &nm) {
		return fmt.Errorf("flag --service: %v", err)
	} else if err != nil {
		return err
	}
	g.Cycles, g.CyclesTruncated = g.FindCycles(o.maxCycles)
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

// check reports the first flag with a value the command cannot use, with
// the value quoted.
func (o options) check() error {
	if !slices.Contains(graph.Formats, graph.Format(o.format)) {
		return fmt.Errorf("flag --format=%q: want json, dot or mermaid", o.format)
	}
	for _, k := range o.filter.Kinds {
		if !slices.Contains(graph.Kinds, k) {
			return fmt.Errorf("flag --kind=%q: want resource, schema or declared", k)
		}
	}
	for _, p := range append(slices.Clone(o.filter.Services), o.filter.Packages...) {
		if err := graph.CheckPattern(p); err != nil {
			return fmt.Errorf("bad pattern %q: %v", p, err)
		}
	}
	if o.filter.Depth < -1 {
		return fmt.Errorf("flag --depth=%d: want 0 or more, or -1 for no limit", o.filter.Depth)
	}
	if !slices.Contains(graph.Directions, o.filter.Direction) {
		return fmt.Errorf("flag --direction=%q: want dependencies, dependents or both", o.filter.Direction)
	}
	if o.maxCycles < 1 {
		return fmt.Errorf("flag --max-cycles=%d: want at least 1", o.maxCycles)
	}
	return nil
}
