package graph

import (
	"encoding/json"
	"fmt"
	"io"

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
