package main

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/graph"
)

// parseArgs reads the command line as the program does and returns the
// options and files it would draw, without reading or drawing anything.
func parseArgs(t *testing.T, args ...string) (options, []string) {
	t.Helper()
	var got options
	var files []string
	ran := false
	root := newRoot(func(_ *cobra.Command, o options, f []string) error {
		got, files, ran = o, f, true
		return nil
	})
	var stderr strings.Builder
	if status := cli.Run(root, cli.DoubleDash(root.Flags(), args), io.Discard, &stderr); status != cli.ExitOK || !ran {
		t.Fatalf("%q: exit status %d, ran %v; stderr:\n%s", args, status, ran, stderr.String())
	}
	return got, files
}

// TestCommandLine checks how the command line is read: the defaults of
// before the shared grammar, -o, flags anywhere, lists that repeat or take
// commas, the single-dash long flags of the standard flag package, "-" and
// "--".
func TestCommandLine(t *testing.T) {
	defaults := options{format: "json", filter: graph.Filter{Depth: 1, Direction: "both"}, maxCycles: 100, mermaidLimits: "error"}
	with := func(change func(*options)) options {
		o := defaults
		change(&o)
		return o
	}
	for _, tc := range []struct {
		name  string
		args  []string
		want  options
		files []string
	}{
		{name: "defaults", args: []string{"r.json"}, want: defaults, files: []string{"r.json"}},
		{name: "-o", args: []string{"-o", "dot", "r.json"}, want: with(func(o *options) { o.format = "dot" }), files: []string{"r.json"}},
		{name: "-o=", args: []string{"-o=mermaid", "r.json"}, want: with(func(o *options) { o.format = "mermaid" }), files: []string{"r.json"}},
		{name: "flags between and after files", args: []string{"a.json", "--format", "dot", "-", "b.yaml", "--fail-on-cycle"},
			want: with(func(o *options) { o.format, o.failOnCycle = "dot", true }), files: []string{"a.json", "-", "b.yaml"}},
		{name: "lists repeat and take commas",
			args: []string{"--kind", "schema", "--kind", "resource, declared", "--package", "a.*,b.v1", "--service", "a.v1.A", "--service", "b.v1.*", "r.json"},
			want: with(func(o *options) {
				o.filter.Kinds = []string{"schema", "resource", "declared"}
				o.filter.Packages = []string{"a.*", "b.v1"}
				o.filter.Services = []string{"a.v1.A", "b.v1.*"}
			}), files: []string{"r.json"}},
		{name: "a negative value is a value", args: []string{"--depth", "-1", "r.json"},
			want: with(func(o *options) { o.filter.Depth = -1 }), files: []string{"r.json"}},
		{name: "single-dash long flags",
			args: []string{"-format", "dot", "-service=a.v1.A", "-depth", "-1", "-direction", "dependents", "-package", "a.v1", "-kind=schema", "-fail-on-cycle", "-max-cycles", "5", "r.json"},
			want: with(func(o *options) {
				o.format, o.failOnCycle, o.maxCycles = "dot", true, 5
				o.filter = graph.Filter{Kinds: []string{"schema"}, Packages: []string{"a.v1"}, Services: []string{"a.v1.A"}, Depth: -1, Direction: "dependents"}
			}), files: []string{"r.json"}},
		{name: "mermaid limits", args: []string{"-o", "mermaid", "--mermaid-limits", "warn", "r.json"},
			want: with(func(o *options) { o.format, o.mermaidLimits = "mermaid", "warn" }), files: []string{"r.json"}},
		{name: "a flag's value is never rewritten", args: []string{"--service", "-format", "r.json"},
			want: with(func(o *options) { o.filter.Services = []string{"-format"} }), files: []string{"r.json"}},
		{name: "nothing after -- is a flag or a command", args: []string{"-fail-on-cycle", "--", "-format", "version"},
			want: with(func(o *options) { o.failOnCycle = true }), files: []string{"-format", "version"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, files := parseArgs(t, tc.args...)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(options{})); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.files, files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}
