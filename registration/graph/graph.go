// Package graph is the dependency graph of the services in registrations:
// an edge per dependency, with its kind (resource, schema, declared) and
// evidence, resolved by the target's full name against every service given.
// It filters the graph by edge kind, package and neighbourhood, finds its
// cycles, and writes it as JSON, Graphviz DOT or Mermaid, always in the
// same order. The registration-graph command is a thin layer over it:
//
//	set, err := load.Files(names)
//	...
//	g, err := graph.Build(set.Services).Filter(graph.Filter{Services: []string{"library.v1.*"}, Depth: 1})
//	...
//	g.Cycles, g.CyclesTruncated = g.FindCycles(100)
//	err = g.Write(os.Stdout, graph.DOT)
//
// A target that none of the services given declares is kept as an external
// node, marked as such in every format.
//
// DOT groups packages in clusters per API; Mermaid node ids are derived
// from names alone, so that a committed diagram changes only where
// services change, and CheckMermaid tells whether a flowchart fits
// Mermaid's default limits (500 edges, 50,000 characters) before it is
// written.
package graph

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Graph is the dependency graph of a set of services: the JSON output, and
// what the DOT and Mermaid outputs draw.
type Graph struct {
	// Nodes are sorted by name.
	Nodes []*Node `json:"nodes"`
	// Edges are sorted by source, target and kind.
	Edges []*Edge `json:"edges"`
	// Cycles are the elementary cycles of the graph, each a list of
	// services starting with its smallest name (the edge back to the first
	// is implied), sorted by length and then by names, as FindCycles
	// returns them; the caller sets them, with at most as many as it asked
	// for. CyclesTruncated says there are more.
	Cycles          [][]string `json:"cycles"`
	CyclesTruncated bool       `json:"cycles_truncated,omitempty"`

	index map[string]int // node name -> position in Nodes
}

// Node is a service. External nodes are dependency targets that none of
// the registration files declares: a service outside the request, a
// resource type no file declares, or a service of a file that was not given.
type Node struct {
	Name     string `json:"name"`
	Package  string `json:"package,omitempty"`
	File     string `json:"file,omitempty"`
	External bool   `json:"external,omitempty"`
}

// Edge is a dependency of one service on another, of one kind.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Kind is a registration.Dependency* constant, one of Kinds.
	Kind string `json:"kind"`
	// Resolution says how the target of a resource edge was found (a
	// registration.Resolution constant); AcrossFiles that it took reading
	// several files, which the plugin's per-file output cannot.
	Resolution  string   `json:"resolution,omitempty"`
	AcrossFiles bool     `json:"across_files,omitempty"`
	Evidence    []string `json:"evidence,omitempty"`
}

// Kinds are the edge kinds, in the order of their documentation.
var Kinds = []string{registration.DependencyResource, registration.DependencySchema, registration.DependencyDeclared}

// Build makes the graph of services: an edge per dependency, resolved by
// the target's full name against every service given. A resource
// dependency that each file alone left unresolved is resolved across all
// of them first, with the plugin's rules (registration.ResolveDependencies,
// which fills in the services' dependencies); a dependency the plugin
// marked external is resolved too when another file declares its target;
// one whose target is not given becomes an external node. Dependencies of
// one kind between the same two services make one edge with the union of
// their evidence.
func Build(services []*registration.Service) *Graph {
	registration.ResolveDependencies(services)
	g := &Graph{index: make(map[string]int)}
	for _, s := range services {
		g.addNode(&Node{Name: s.Name, Package: s.Package, File: s.File})
	}
	type key struct{ from, to, kind string }
	edges := make(map[key]*Edge)
	for _, s := range services {
		for _, d := range s.Dependencies {
			if d == nil || d.Service == "" {
				continue
			}
			if _, ok := g.index[d.Service]; !ok {
				g.addNode(&Node{Name: d.Service, External: true})
			}
			k := key{s.Name, d.Service, d.Kind}
			if e := edges[k]; e != nil {
				e.Evidence = mergeSorted(e.Evidence, d.Evidence)
				continue
			}
			e := &Edge{From: s.Name, To: d.Service, Kind: d.Kind, Resolution: d.Resolution, AcrossFiles: d.AcrossFiles, Evidence: slices.Clone(d.Evidence)}
			edges[k] = e
			g.Edges = append(g.Edges, e)
		}
	}
	g.sort()
	return g
}

func (g *Graph) addNode(n *Node) {
	g.index[n.Name] = len(g.Nodes)
	g.Nodes = append(g.Nodes, n)
}

// sort puts nodes and edges in their documented order and rebuilds the
// index.
func (g *Graph) sort() {
	slices.SortFunc(g.Nodes, func(a, b *Node) int { return strings.Compare(a.Name, b.Name) })
	for i, n := range g.Nodes {
		g.index[n.Name] = i
	}
	slices.SortFunc(g.Edges, func(a, b *Edge) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To), strings.Compare(a.Kind, b.Kind))
	})
}

// pos returns the position of a node in Nodes. A Graph that was not made
// by Build or Filter (decoded from JSON, or built by hand) gets its index
// on first use.
func (g *Graph) pos(name string) int {
	if len(g.index) != len(g.Nodes) {
		g.index = make(map[string]int, len(g.Nodes))
		for i, n := range g.Nodes {
			g.index[n.Name] = i
		}
	}
	return g.index[name]
}

// mergeSorted returns the union of two evidence lists, sorted.
func mergeSorted(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
