package inference

import (
	"slices"

	"github.com/ovasabi/protoc-gen-registration/inference/pathtemplate"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Conflict is a pair of routes, by index, that match a common request.
// First < Second.
type Conflict struct{ First, Second int }

// Model returns the conflict as the model describes it.
func (c Conflict) Model(routes []Route) *registration.Conflict {
	a, b := routes[c.First], routes[c.Second]
	return &registration.Conflict{
		Method: a.Binding.Method,
		First:  registration.ConflictSide{RPC: string(a.Method.FullName()), Path: a.Binding.Path},
		Second: registration.ConflictSide{RPC: string(b.Method.FullName()), Path: b.Binding.Path},
	}
}

// Conflicts returns every pair of routes that match a common request: the
// same HTTP method, the same verb suffix and path templates that match at
// least one common path. Pairs come in the order of their second route, then
// of their first, both in the order of routes.
//
// Routes are indexed in a trie of path segments per method and verb, so that
// finding the partners of a route costs the length of its template plus the
// routes it could meet, not the number of routes: literal segments, the
// common case, follow a single branch.
func Conflicts(routes []Route) []Conflict {
	type key struct{ method, verb string }
	tries := make(map[key]*trieNode)
	var conflicts []Conflict
	var found []int
	for i, r := range routes {
		k := key{r.Binding.Method, r.Template.Verb}
		root := tries[k]
		if root == nil {
			root = &trieNode{}
			tries[k] = root
		}
		found = root.overlapping(r.Template.Segments, found[:0])
		slices.Sort(found)
		for _, j := range slices.Compact(found) {
			conflicts = append(conflicts, Conflict{First: j, Second: i})
		}
		root.insert(r.Template.Segments, i)
	}
	return conflicts
}

// trieNode indexes routes by their segments. A "**" segment is always the
// last one of a template, so routes with one end at the node where it starts.
type trieNode struct {
	literal map[string]*trieNode
	star    *trieNode
	ends    []int // routes whose template ends here
	deep    []int // routes whose template ends here with "**"
}

func (n *trieNode) insert(segs []pathtemplate.Segment, id int) {
	for _, s := range segs {
		switch s.Kind {
		case pathtemplate.DeepWildcard:
			n.deep = append(n.deep, id)
			return
		case pathtemplate.Wildcard:
			if n.star == nil {
				n.star = &trieNode{}
			}
			n = n.star
		default:
			if n.literal == nil {
				n.literal = make(map[string]*trieNode)
			}
			next := n.literal[s.Value]
			if next == nil {
				next = &trieNode{}
				n.literal[s.Value] = next
			}
			n = next
		}
	}
	n.ends = append(n.ends, id)
}

// overlapping appends to found the routes below n that match some path that
// segs also matches.
func (n *trieNode) overlapping(segs []pathtemplate.Segment, found []int) []int {
	if n == nil {
		return found
	}
	// A "**" here matches whatever remains of segs, including nothing.
	found = append(found, n.deep...)
	if len(segs) == 0 {
		return append(found, n.ends...)
	}
	switch s := segs[0]; s.Kind {
	case pathtemplate.DeepWildcard:
		return n.all(found)
	case pathtemplate.Wildcard:
		// Map order does not matter: the caller sorts what is found.
		for _, child := range n.literal {
			found = child.overlapping(segs[1:], found)
		}
		return n.star.overlapping(segs[1:], found)
	default:
		found = n.literal[s.Value].overlapping(segs[1:], found)
		return n.star.overlapping(segs[1:], found)
	}
}

// all appends every route at or below n: a trailing "**" meets them all.
func (n *trieNode) all(found []int) []int {
	if n == nil {
		return found
	}
	found = append(found, n.ends...)
	found = append(found, n.deep...)
	for _, child := range n.literal {
		found = child.all(found)
	}
	return n.star.all(found)
}
