package graph

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// writeDOT writes the graph in Graphviz's DOT language: a cluster per API
// (the package without its version: google.cloud.kms for
// google.cloud.kms.v1) holding a cluster per package when the API has
// several, external targets dashed and grey, edges styled by kind
// (resource solid, schema dashed, declared bold) and red when they lie on
// a cycle.
//
// Edges name their kind in an xlabel, which dot places once the layout is
// done, not in a label: dot makes every edge label a node of the layout
// of its own, and on the googleapis corpus (1,877 edges) labels took the
// layout from 0.5 s to 2.7 s, on 5,000 synthetic services (9,980 edges)
// from 4 s to 52 s.
func writeDOT(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph registrations {")
	fmt.Fprintln(bw, "  rankdir=LR;")
	fmt.Fprintln(bw, `  node [shape=box, style=rounded, fontname="Helvetica"];`)
	fmt.Fprintln(bw, `  edge [fontname="Helvetica", fontsize=10];`)
	order, byPkg := g.packages()
	apis, byAPI := groupByAPI(order)
	for _, api := range apis {
		pkgs := byAPI[api]
		indent := "  "
		if len(pkgs) > 1 {
			fmt.Fprintf(bw, "  subgraph %s {\n", dotID("cluster_api:"+api))
			fmt.Fprintf(bw, "    label=%s;\n", dotID(api))
			indent = "    "
		}
		for _, pkg := range pkgs {
			label := pkg
			if len(pkgs) > 1 && pkg != api {
				label = strings.TrimPrefix(pkg, api+".")
			}
			fmt.Fprintf(bw, "%ssubgraph %s {\n", indent, dotID("cluster_"+pkg))
			fmt.Fprintf(bw, "%s  label=%s;\n", indent, dotID(label))
			for _, n := range byPkg[pkg] {
				fmt.Fprintf(bw, "%s  %s [label=%s, tooltip=%s];\n", indent, dotID(n.Name), dotID(strings.TrimPrefix(n.Name, pkg+".")), dotID(n.File))
			}
			fmt.Fprintf(bw, "%s}\n", indent)
		}
		if len(pkgs) > 1 {
			fmt.Fprintln(bw, "  }")
		}
	}
	for _, n := range g.Nodes {
		switch {
		case n.External:
			fmt.Fprintf(bw, "  %s [label=%s, style=\"rounded,dashed\", color=gray50, fontcolor=gray30];\n", dotID(n.Name), dotID(n.Name+"\n(external)"))
		case n.Package == "":
			fmt.Fprintf(bw, "  %s [tooltip=%s];\n", dotID(n.Name), dotID(n.File))
		}
	}
	cyclic := g.onCycle()
	for i, e := range g.Edges {
		attrs := fmt.Sprintf("xlabel=%s, style=%s", dotID(e.Kind), cmp.Or(dotStyle[e.Kind], "solid"))
		if len(e.Evidence) > 0 {
			attrs += ", tooltip=" + dotID(strings.Join(e.Evidence, "\n"))
		}
		if cyclic[i] {
			attrs += ", color=red, fontcolor=red"
		}
		fmt.Fprintf(bw, "  %s -> %s [%s];\n", dotID(e.From), dotID(e.To), attrs)
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

// groupByAPI groups packages by API (registration.APIBase, or the package
// itself when it has no version), the APIs in order of their first
// package.
func groupByAPI(pkgs []string) ([]string, map[string][]string) {
	var order []string
	byAPI := make(map[string][]string)
	for _, pkg := range pkgs {
		api := cmp.Or(registration.APIBase(pkg), pkg)
		if _, ok := byAPI[api]; !ok {
			order = append(order, api)
		}
		byAPI[api] = append(byAPI[api], pkg)
	}
	return order, byAPI
}

// dotID quotes a DOT identifier. A newline becomes DOT's centred line break.
func dotID(s string) string {
	return `"` + dotEscaper.Replace(s) + `"`
}

var dotEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
