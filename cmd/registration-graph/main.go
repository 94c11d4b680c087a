// Command registration-graph draws the dependency graph of the services in
// registration files written by protoc-gen-registration.
//
// Usage:
//
//	registration-graph [--format json|dot|mermaid] [--service NAME [--depth N] [--direction D]]
//	                   [--package PKG] [--kind KIND] [--fail-on-cycle] FILE...
//
// It reads one or more registration files (- for standard input) with
// package registration/load and hands their services to package
// registration/graph, which builds, filters and writes the graph; see
// there for what the graph holds.
//
// Exit status: 0 ok; 1 bad arguments or unreadable, malformed or
// wrong-version input; 2 with --fail-on-cycle when the graph has a cycle
// (each cycle is printed on stderr).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration/graph"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usageText = `usage: registration-graph [flags] FILE...

Draw the dependency graph of the services in registration files (per file or
aggregate, JSON or YAML; - reads standard input). Dependencies are resolved by service full name
across every file; targets that no file declares are external nodes.

Filters apply in this order: --kind keeps edges of those kinds; --package
keeps the services of those packages (and the external targets they depend
on); --service keeps the named services and the services within --depth
edges of them, following dependencies, dependents or both (--direction).
Names and packages may be globs with *. Cycles are found in what remains.

Flags:
`

const exitText = `
Exit status: 0 ok; 1 bad arguments or unreadable, malformed or wrong-version
input; 2 with --fail-on-cycle when there is a cycle (each printed on stderr).
`

// run executes the command and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("registration-graph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "json", "output format: json, dot (Graphviz) or mermaid")
	var services, packages, kindFlags listFlag
	fs.Var(&services, "service", "keep this service and its neighbourhood (full name or glob); repeatable or comma-separated")
	depth := fs.Int("depth", 1, "with --service: how many edges away to go; -1 for no limit")
	direction := fs.String("direction", "both", "with --service: follow dependencies, dependents or both")
	fs.Var(&packages, "package", "keep only the services of this package (name or glob); repeatable or comma-separated")
	fs.Var(&kindFlags, "kind", "keep only edges of this kind: resource, schema or declared; repeatable or comma-separated")
	failOnCycle := fs.Bool("fail-on-cycle", false, "exit 2 and print each cycle on stderr when the graph has one")
	maxCycles := fs.Int("max-cycles", 100, "list at most this many cycles")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
		fmt.Fprint(stderr, exitText)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "registration-graph: "+format+"\n", args...)
		return 1
	}
	if !slices.Contains(graph.Formats, graph.Format(*format)) {
		return fail("flag --format=%q: want json, dot or mermaid", *format)
	}
	for _, k := range kindFlags {
		if !slices.Contains(graph.Kinds, k) {
			return fail("flag --kind=%q: want resource, schema or declared", k)
		}
	}
	for _, p := range append(slices.Clone(services), packages...) {
		if err := graph.CheckPattern(p); err != nil {
			return fail("bad pattern %q: %v", p, err)
		}
	}
	if !slices.Contains(graph.Directions, *direction) {
		return fail("flag --direction=%q: want dependencies, dependents or both", *direction)
	}
	if *maxCycles < 1 {
		return fail("flag --max-cycles=%d: want at least 1", *maxCycles)
	}
	if fs.NArg() == 0 {
		return fail("name at least one registration file")
	}

	set, err := load.Files(fs.Args())
	if err != nil {
		return fail("%v", err)
	}
	g, err := graph.Build(set.Services).Filter(graph.Filter{Kinds: kindFlags, Packages: packages, Services: services, Depth: *depth, Direction: *direction})
	if nm := (*graph.NoMatchError)(nil); errors.As(err, &nm) {
		return fail("flag --service: %v", err)
	} else if err != nil {
		return fail("%v", err)
	}
	g.Cycles, g.CyclesTruncated = g.FindCycles(*maxCycles)
	if err := g.Write(stdout, graph.Format(*format)); err != nil {
		return fail("%v", err)
	}
	if *failOnCycle && len(g.Cycles) > 0 {
		for _, c := range g.DescribeCycles(g.Cycles) {
			fmt.Fprintf(stderr, "registration-graph: cycle: %s\n", c)
		}
		if g.CyclesTruncated {
			fmt.Fprintf(stderr, "registration-graph: more than %d cycles; raise --max-cycles to list them\n", *maxCycles)
		}
		return 2
	}
	return 0
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return fmt.Sprint([]string(*l)) }

func (l *listFlag) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}
