package graph

import (
	"slices"
	"strings"
)

// adjacency returns, per node, the nodes its edges lead to, each once and
// in name order (nodes are sorted by name, so by index).
func (g *Graph) adjacency() [][]int {
	adj := make([][]int, len(g.Nodes))
	for _, e := range g.Edges {
		from, to := g.pos(e.From), g.pos(e.To)
		adj[from] = append(adj[from], to)
	}
	for i := range adj {
		slices.Sort(adj[i])
		adj[i] = slices.Compact(adj[i])
	}
	return adj
}

// components returns the strongly connected component of every node, as
// the number of its component. An edge lies on a cycle exactly when both
// its ends are in one component.
func components(adj [][]int, member func(int) bool) []int {
	t := &tarjan{adj: adj, member: member, index: make([]int, len(adj)), low: make([]int, len(adj)),
		onStack: make([]bool, len(adj)), comp: make([]int, len(adj))}
	for i := range t.index {
		t.index[i] = -1
		t.comp[i] = -1
	}
	for v := range adj {
		if member(v) && t.index[v] < 0 {
			t.visit(v)
		}
	}
	return t.comp
}

// tarjan is Tarjan's strongly connected components algorithm.
type tarjan struct {
	adj     [][]int
	member  func(int) bool
	index   []int
	low     []int
	onStack []bool
	stack   []int
	next    int
	comp    []int
	comps   int
}

func (t *tarjan) visit(v int) {
	t.index[v], t.low[v] = t.next, t.next
	t.next++
	t.stack = append(t.stack, v)
	t.onStack[v] = true
	for _, w := range t.adj[v] {
		if !t.member(w) {
			continue
		}
		if t.index[w] < 0 {
			t.visit(w)
			t.low[v] = min(t.low[v], t.low[w])
		} else if t.onStack[w] {
			t.low[v] = min(t.low[v], t.index[w])
		}
	}
	if t.low[v] != t.index[v] {
		return
	}
	for {
		w := t.stack[len(t.stack)-1]
		t.stack = t.stack[:len(t.stack)-1]
		t.onStack[w] = false
		t.comp[w] = t.comps
		if w == v {
			break
		}
	}
	t.comps++
}

// FindCycles lists the graph's elementary cycles with Johnson's algorithm,
// at most limit of them (limit must be at least 1); truncated reports that
// there are more. Each cycle is a list of service names starting with its
// smallest (the edge back to the first is implied), and they are sorted by
// length and then by names: the order of Graph.Cycles.
// Johnson's algorithm spends time linear in the graph per cycle found, so a
// large acyclic graph costs one pass.
func (g *Graph) FindCycles(limit int) (cycles [][]string, truncated bool) {
	adj := g.adjacency()
	j := &johnson{adj: adj, inSub: make([]bool, len(adj)), blocked: make([]bool, len(adj)), b: make([][]int, len(adj)), limit: limit}
	// Work list of node sets to search: the non-trivial components, and
	// what remains of one once its smallest node has been searched from.
	all := make([]int, len(adj))
	for i := range all {
		all[i] = i
	}
	work := j.nontrivial(all)
	for len(work) > 0 && !j.done {
		set := work[0]
		work = work[1:]
		for _, v := range set {
			j.inSub[v], j.blocked[v] = true, false
			j.b[v] = j.b[v][:0]
		}
		j.start = set[0] // sets are sorted: the smallest node
		j.circuit(j.start)
		for _, v := range set {
			j.inSub[v] = false
		}
		work = append(work, j.nontrivial(set[1:])...)
	}
	for _, c := range j.found {
		names := make([]string, len(c))
		for i, v := range c {
			names[i] = g.Nodes[v].Name
		}
		cycles = append(cycles, names)
	}
	slices.SortFunc(cycles, func(a, b []string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return slices.Compare(a, b)
	})
	if len(cycles) > limit {
		return cycles[:limit], true
	}
	return cycles, false
}

// johnson holds the state of Johnson's elementary circuit search.
type johnson struct {
	adj     [][]int
	inSub   []bool // the node set being searched
	blocked []bool
	b       [][]int
	stack   []int
	start   int
	found   [][]int
	limit   int
	done    bool
}

// nontrivial returns the strongly connected components of the subgraph of
// nodes that have a cycle (more than one node, or a node with an edge to
// itself), each sorted.
func (j *johnson) nontrivial(nodes []int) [][]int {
	member := make([]bool, len(j.adj))
	for _, v := range nodes {
		member[v] = true
	}
	comp := components(j.adj, func(v int) bool { return member[v] })
	byComp := make(map[int][]int)
	var order []int
	for _, v := range nodes {
		c := comp[v]
		if _, ok := byComp[c]; !ok {
			order = append(order, c)
		}
		byComp[c] = append(byComp[c], v)
	}
	var out [][]int
	for _, c := range order {
		set := byComp[c]
		if len(set) > 1 || slices.Contains(j.adj[set[0]], set[0]) {
			slices.Sort(set)
			out = append(out, set)
		}
	}
	return out
}

func (j *johnson) circuit(v int) bool {
	found := false
	j.stack = append(j.stack, v)
	j.blocked[v] = true
	for _, w := range j.adj[v] {
		if j.done {
			break
		}
		if !j.inSub[w] {
			continue
		}
		if w == j.start {
			j.found = append(j.found, slices.Clone(j.stack))
			found = true
			// One more than the limit, to know that there are more.
			j.done = len(j.found) > j.limit
		} else if !j.blocked[w] && j.circuit(w) {
			found = true
		}
	}
	if found {
		j.unblock(v)
	} else {
		for _, w := range j.adj[v] {
			if j.inSub[w] && !slices.Contains(j.b[w], v) {
				j.b[w] = append(j.b[w], v)
			}
		}
	}
	j.stack = j.stack[:len(j.stack)-1]
	return found
}

func (j *johnson) unblock(v int) {
	j.blocked[v] = false
	for len(j.b[v]) > 0 {
		w := j.b[v][len(j.b[v])-1]
		j.b[v] = j.b[v][:len(j.b[v])-1]
		if j.blocked[w] {
			j.unblock(w)
		}
	}
}

// DescribeCycles writes each cycle with the kinds of its edges:
// "a.v1.Orders -[schema]-> c.v1.Ledger -[resource]-> a.v1.Orders".
func (g *Graph) DescribeCycles(cycles [][]string) []string {
	kinds := make(map[[2]string][]string)
	for _, e := range g.Edges {
		k := [2]string{e.From, e.To}
		kinds[k] = append(kinds[k], e.Kind)
	}
	out := make([]string, len(cycles))
	for n, cycle := range cycles {
		var sb strings.Builder
		for i, from := range cycle {
			to := cycle[(i+1)%len(cycle)]
			sb.WriteString(from)
			sb.WriteString(" -[" + strings.Join(kinds[[2]string{from, to}], ",") + "]-> ")
		}
		sb.WriteString(cycle[0])
		out[n] = sb.String()
	}
	return out
}
