package graph

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Format is an output format of Write.
type Format string

// Output formats.
const (
	// JSON is the graph as indented JSON: nodes, edges and cycles, as the
	// Graph type's fields say.
	JSON Format = "json"
	// DOT is Graphviz's DOT language.
	DOT Format = "dot"
	// Mermaid is a Mermaid flowchart.
	Mermaid Format = "mermaid"
)

// Formats lists the output formats.
var Formats = []Format{JSON, DOT, Mermaid}

// Write writes the graph, with the cycles it holds, in format f. The
// output depends only on the graph: the same graph gives the same bytes.
func (g *Graph) Write(w io.Writer, f Format) error {
	switch f {
	case JSON:
		return writeJSON(w, g)
	case DOT:
		return writeDOT(w, g)
	case Mermaid:
		return writeMermaid(w, g)
	}
	return fmt.Errorf("unknown graph format %q", f)
}

// writeJSON writes the graph as indented JSON.
func writeJSON(w io.Writer, g *Graph) error {
	if g.Nodes == nil {
		g.Nodes = []*Node{}
	}
	if g.Edges == nil {
		g.Edges = []*Edge{}
	}
	if g.Cycles == nil {
		g.Cycles = [][]string{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(g)
}

// onCycle returns, per edge, whether it lies on a cycle: both its ends are
// in one strongly connected component.
func (g *Graph) onCycle() []bool {
	adj := g.adjacency()
	comp := components(adj, func(int) bool { return true })
	out := make([]bool, len(g.Edges))
	for i, e := range g.Edges {
		out[i] = comp[g.pos(e.From)] == comp[g.pos(e.To)]
	}
	return out
}

// Edge styles per kind, in DOT and in Mermaid.
var (
	dotStyle     = map[string]string{registration.DependencyResource: "solid", registration.DependencySchema: "dashed", registration.DependencyDeclared: "bold"}
	mermaidArrow = map[string]string{
		registration.DependencyResource: "-->",
		registration.DependencySchema:   "-.->",
		registration.DependencyDeclared: "==>",
	}
)

// packages returns the packages of the graph's services in order of
// first appearance (nodes are sorted, so that is name order) and, per
// package, its nodes.
func (g *Graph) packages() ([]string, map[string][]*Node) {
	var order []string
	byPkg := make(map[string][]*Node)
	for _, n := range g.Nodes {
		if n.External || n.Package == "" {
			continue
		}
		if _, ok := byPkg[n.Package]; !ok {
			order = append(order, n.Package)
		}
		byPkg[n.Package] = append(byPkg[n.Package], n)
	}
	return order, byPkg
}

// writeDOT writes the graph in Graphviz's DOT language: one cluster per
// package, external targets dashed and grey, edges styled by kind (resource
// solid, schema dashed, declared bold) and red when they lie on a cycle.
func writeDOT(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph registrations {")
	fmt.Fprintln(bw, "  rankdir=LR;")
	fmt.Fprintln(bw, `  node [shape=box, style=rounded, fontname="Helvetica"];`)
	fmt.Fprintln(bw, `  edge [fontname="Helvetica", fontsize=10];`)
	order, byPkg := g.packages()
	for _, pkg := range order {
		fmt.Fprintf(bw, "  subgraph %s {\n", dotID("cluster_"+pkg))
		fmt.Fprintf(bw, "    label=%s;\n", dotID(pkg))
		for _, n := range byPkg[pkg] {
			fmt.Fprintf(bw, "    %s [label=%s, tooltip=%s];\n", dotID(n.Name), dotID(strings.TrimPrefix(n.Name, pkg+".")), dotID(n.File))
		}
		fmt.Fprintln(bw, "  }")
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
		attrs := fmt.Sprintf("label=%s, style=%s", dotID(e.Kind), cmpOr(dotStyle[e.Kind], "solid"))
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

// dotID quotes a DOT identifier. A newline becomes DOT's centred line break.
func dotID(s string) string {
	return `"` + dotEscaper.Replace(s) + `"`
}

var dotEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// writeMermaid writes the graph as a Mermaid flowchart: one subgraph per
// package, external targets dashed, arrows by kind (resource -->, schema
// -.->, declared ==>) and red when they lie on a cycle. Nodes are n0, n1,
// ... in name order, since Mermaid identifiers cannot hold every character
// of a name.
func writeMermaid(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "flowchart LR")
	id := func(name string) string { return fmt.Sprintf("n%d", g.pos(name)) }
	order, byPkg := g.packages()
	for i, pkg := range order {
		fmt.Fprintf(bw, "  subgraph p%d [%s]\n", i, mermaidText(pkg))
		for _, n := range byPkg[pkg] {
			fmt.Fprintf(bw, "    %s[%s]\n", id(n.Name), mermaidText(strings.TrimPrefix(n.Name, pkg+".")))
		}
		fmt.Fprintln(bw, "  end")
	}
	external := false
	for _, n := range g.Nodes {
		switch {
		case n.External:
			fmt.Fprintf(bw, "  %s[%s]:::external\n", id(n.Name), mermaidText(n.Name+" (external)"))
			external = true
		case n.Package == "":
			fmt.Fprintf(bw, "  %s[%s]\n", id(n.Name), mermaidText(n.Name))
		}
	}
	cyclic := g.onCycle()
	var red []string
	for i, e := range g.Edges {
		arrow, ok := mermaidArrow[e.Kind]
		if !ok {
			arrow = mermaidArrow[registration.DependencyResource]
		}
		fmt.Fprintf(bw, "  %s %s|%s| %s\n", id(e.From), arrow, mermaidText(e.Kind), id(e.To))
		if cyclic[i] {
			red = append(red, fmt.Sprint(i))
		}
	}
	if external {
		fmt.Fprintln(bw, "  classDef external stroke-dasharray:5 5,color:#555")
	}
	if len(red) > 0 {
		fmt.Fprintf(bw, "  linkStyle %s stroke:red,color:red\n", strings.Join(red, ","))
	}
	return bw.Flush()
}

// mermaidText quotes a label, with Mermaid's entity for a double quote.
func mermaidText(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}
