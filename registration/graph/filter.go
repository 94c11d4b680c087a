package graph

import (
	"fmt"
	"path"
	"slices"
)

// Directions in which Filter follows edges from the services it centres
// on.
const (
	// Both follows dependencies and dependents, each on its own.
	Both = "both"
	// Dependencies follows edges forwards, to what a service depends on.
	Dependencies = "dependencies"
	// Dependents follows edges backwards, to the services that depend on
	// it.
	Dependents = "dependents"
)

// Directions lists the directions Filter accepts.
var Directions = []string{Dependencies, Dependents, Both}

// Filter says which part of a graph to keep. Names and packages are full
// names or globs in which * stands for any run of characters (path.Match's
// syntax; CheckPattern tells whether one is valid).
type Filter struct {
	// Kinds are the edge kinds to keep; all when empty.
	Kinds []string
	// Packages are the packages whose services to keep; all when empty.
	Packages []string
	// Services are the services to centre on; every service when empty.
	Services []string
	// Depth is how many edges away from Services to go: 0 keeps only the
	// services themselves, a negative depth has no limit.
	Depth int
	// Direction is the way to follow edges from Services: Dependencies,
	// Dependents or Both; empty is Both.
	Direction string
}

// NoMatchError is the error of Filter when a pattern of Filter.Packages
// matches the package of no service, or one of Filter.Services matches no
// service that the package filter kept.
type NoMatchError struct {
	// Filter is "package" or "service": the Filter field that holds the
	// pattern.
	Filter  string
	Pattern string
}

func (e *NoMatchError) Error() string { return fmt.Sprintf("no %s matches %q", e.Filter, e.Pattern) }

// CheckPattern reports a pattern that is not a valid glob.
func CheckPattern(pattern string) error {
	_, err := path.Match(pattern, "")
	return err
}

// Filter returns the part of the graph that f keeps; g does not change.
// Edge kinds go first, then packages (services of other packages go,
// external nodes stay when a kept service depends on them), then the
// neighbourhood of f.Services over what is left. Only edges between kept
// nodes remain, and external nodes that no kept edge reaches go. A pattern
// that matches nothing is a mistake rather than a wish for an empty graph:
// the error is a *NoMatchError for the first package pattern that matches
// the package of no service, or else the first service pattern that
// matches no service the packages kept.
func (g *Graph) Filter(f Filter) (*Graph, error) {
	keepEdge := make([]bool, len(g.Edges))
	for i, e := range g.Edges {
		keepEdge[i] = len(f.Kinds) == 0 || slices.Contains(f.Kinds, e.Kind)
	}
	for _, pattern := range f.Packages {
		if !slices.ContainsFunc(g.Nodes, func(n *Node) bool { return !n.External && match(pattern, n.Package) }) {
			return nil, &NoMatchError{Filter: "package", Pattern: pattern}
		}
	}
	keepNode := make([]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		keepNode[i] = n.External || len(f.Packages) == 0 || matchesAny(f.Packages, n.Package)
	}
	if len(f.Services) > 0 {
		var seeds []int
		for _, pattern := range f.Services {
			found := false
			for i, n := range g.Nodes {
				if keepNode[i] && !n.External && match(pattern, n.Name) {
					seeds = append(seeds, i)
					found = true
				}
			}
			if !found {
				return nil, &NoMatchError{Filter: "service", Pattern: pattern}
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
		from, to := g.pos(e.From), g.pos(e.To)
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

// neighbourhood returns the nodes within f.Depth edges of seeds, following
// edges forwards (dependencies), backwards (dependents) or both.
func (g *Graph) neighbourhood(seeds []int, f Filter, keepNode, keepEdge []bool) []bool {
	out := make([][]int, len(g.Nodes))
	in := make([][]int, len(g.Nodes))
	for i, e := range g.Edges {
		if !keepEdge[i] {
			continue
		}
		from, to := g.pos(e.From), g.pos(e.To)
		out[from] = append(out[from], to)
		in[to] = append(in[to], from)
	}
	reached := make([]bool, len(g.Nodes))
	// Each direction is walked on its own, so that with Both a
	// dependency's other dependents are not taken for the seed's.
	walk := func(next [][]int) {
		frontier := slices.Clone(seeds)
		seen := make([]bool, len(g.Nodes))
		for _, s := range seeds {
			seen[s], reached[s] = true, true
		}
		for depth := 0; len(frontier) > 0 && (f.Depth < 0 || depth < f.Depth); depth++ {
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
	if f.Direction != Dependents {
		walk(out)
	}
	if f.Direction != Dependencies {
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
