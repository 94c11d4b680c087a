package main

import (
	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/graph"
)

// addFlags binds every flag of cmd to a field of o, with today's defaults.
// Flags are listed in the help in the order given here: the output, the
// filters in the order they apply, the cycles.
func addFlags(cmd *cobra.Command, o *options) {
	fs := cmd.Flags()
	fs.SortFlags = false

	// The same -o/--format shape as the other binaries, with the graph's
	// own formats: cli.FormatFlag's are table, json and yaml.
	fs.StringVarP(&o.format, "format", "o", string(graph.JSON), "output format: json, dot (Graphviz) or mermaid")
	fs.StringVar(&o.mermaidLimits, "mermaid-limits", limitsError, "with --format mermaid: `WHAT` to do past Mermaid's default limits (500 edges, 50,000 characters): error (exit 1), warn or off")

	// Filters, in the order graph.Filter applies them.
	fs.Var((*cli.List)(&o.filter.Kinds), "kind", "keep only edges of this `KIND`: resource, schema or declared (repeatable or comma-separated)")
	fs.Var((*cli.List)(&o.filter.Packages), "package", "keep only the services of this package, a name or `GLOB` (repeatable or comma-separated)")
	fs.Var((*cli.List)(&o.filter.Services), "service", "keep this service and its neighbourhood, a full name or `GLOB` (repeatable or comma-separated)")
	fs.IntVar(&o.filter.Depth, "depth", 1, "with --service: go at most `N` edges away; -1 for no limit")
	fs.StringVar(&o.filter.Direction, "direction", graph.Both, "with --service: the `DIRECTION` to follow: dependencies, dependents or both")

	// Cycles.
	fs.BoolVar(&o.failOnCycle, "fail-on-cycle", false, "exit 2 and print each cycle on stderr when the graph has one")
	fs.IntVar(&o.maxCycles, "max-cycles", 100, "list at most `N` cycles")

	// Shell completion of values; file names are completed by default.
	complete := func(name string, values ...string) {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	complete("format", string(graph.JSON), string(graph.DOT), string(graph.Mermaid))
	complete("kind", graph.Kinds...)
	complete("direction", graph.Directions...)
	complete("mermaid-limits", limitsError, limitsWarn, limitsOff)
}
