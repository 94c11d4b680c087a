package main

import (
	"cmp"
	"fmt"
	"path"
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
	// is implied), sorted by length and then by names. At most --max-cycles
	// are listed; CyclesTruncated says there are more.
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
	Kind string `json:"kind"`
	// Resolution says how the target of a resource edge was found (a
	// registration.Resolution constant); AcrossFiles that it took reading
	// several files, which the plugin's per-file output cannot.
	Resolution  string   `json:"resolution,omitempty"`
	AcrossFiles bool     `json:"across_files,omitempty"`
	Evidence    []string `json:"evidence,omitempty"`
}

// kinds are the edge kinds, in the order of their documentation.
var kinds = []string{registration.DependencyResource, registration.DependencySchema, registration.DependencyDeclared}

// build makes the graph of services: an edge per dependency, resolved by
// the target's full name against every service given. A resource
// dependency that each file alone left unresolved is resolved across all
// of them first, with the plugin's rules (registration.ResolveDependencies);
// a dependency the plugin marked external is resolved too when another file
// declares its target; one whose target is not given becomes an external
// node.
func build(services []*registration.Service) *Graph {
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

// mergeSorted returns the union of two evidence lists, sorted.
func mergeSorted(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// filter says which part of the graph to keep.
type filter struct {
	kinds     []string // edge kinds to keep; all when empty
	packages  []string // package names or globs; all when empty
	services  []string // full names or globs of the services to centre on
	depth     int      // how many edges away from services to go; < 0: no limit
	direction string   // "both", "dependencies" or "dependents"
}

// apply returns the filtered graph. Edge kinds go first, then packages
// (services of other packages go, external nodes stay when a kept service
// depends on them), then the neighbourhood of --service over what is left.
// Only edges between kept nodes remain, and external nodes that no kept
// edge reaches go.
func (g *Graph) apply(f filter) (*Graph, error) {
	keepEdge := make([]bool, len(g.Edges))
	for i, e := range g.Edges {
		keepEdge[i] = len(f.kinds) == 0 || slices.Contains(f.kinds, e.Kind)
	}
	keepNode := make([]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		keepNode[i] = n.External || len(f.packages) == 0 || matchesAny(f.packages, n.Package)
	}
	if len(f.services) > 0 {
		var seeds []int
		for _, pattern := range f.services {
			found := false
			for i, n := range g.Nodes {
				if keepNode[i] && !n.External && match(pattern, n.Name) {
					seeds = append(seeds, i)
					found = true
				}
			}
			if !found {
				return nil, fmt.Errorf("flag --service: no service matches %q", pattern)
			}
		}
		reached := g.neighbourhood(seeds, f, keepNode, keepEdge)
		for i := range keepNode {
			keepNode[i] = keepNode[i] && reached[i]
		}
	}

	out := &Graph{index: make(map[string]int)}
	used := make([]bool, len(g.Nodes))
	for i, e := range g.Edges {
		from, to := g.index[e.From], g.index[e.To]
		if keepEdge[i] && keepNode[from] && keepNode[to] {
			out.Edges = append(out.Edges, e)
			used[from], used[to] = true, true
		}
	}
	for i, n := range g.Nodes {
		if keepNode[i] && (!n.External || used[i]) {
			out.addNode(n)
		}
	}
	return out, nil
}

// neighbourhood returns the nodes within f.depth edges of seeds, following
// edges forwards (dependencies), backwards (dependents) or both.
func (g *Graph) neighbourhood(seeds []int, f filter, keepNode, keepEdge []bool) []bool {
	out := make([][]int, len(g.Nodes))
	in := make([][]int, len(g.Nodes))
	for i, e := range g.Edges {
		if !keepEdge[i] {
			continue
		}
		from, to := g.index[e.From], g.index[e.To]
		out[from] = append(out[from], to)
		in[to] = append(in[to], from)
	}
	reached := make([]bool, len(g.Nodes))
	// Each direction is walked on its own, so that with "both" a
	// dependency's other dependents are not taken for the seed's.
	walk := func(next [][]int) {
		frontier := slices.Clone(seeds)
		seen := make([]bool, len(g.Nodes))
		for _, s := range seeds {
			seen[s], reached[s] = true, true
		}
		for depth := 0; len(frontier) > 0 && (f.depth < 0 || depth < f.depth); depth++ {
			var following []int
			for _, n := range frontier {
				for _, m := range next[n] {
					if !seen[m] && keepNode[m] {
						seen[m], reached[m] = true, true
						following = append(following, m)
					}
				}
			}
			frontier = following
		}
	}
	if f.direction != "dependents" {
		walk(out)
	}
	if f.direction != "dependencies" {
		walk(in)
	}
	return reached
}

// match reports whether a name matches a pattern: the name itself, or a
// glob in which * stands for any run of characters.
func match(pattern, name string) bool {
	if pattern == name {
		return true
	}
	ok, _ := path.Match(pattern, name)
	return ok
}

func matchesAny(patterns []string, name string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, name) })
}
