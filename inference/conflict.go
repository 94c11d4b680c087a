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
		Host:   a.Host,
		Method: a.Binding.Method,
		First:  registration.ConflictSide{RPC: a.RPC(), Path: a.Binding.Path},
		Second: registration.ConflictSide{RPC: b.RPC(), Path: b.Binding.Path},
	}
}

// Conflicts returns every pair of routes of different RPCs that match a
// common request: the same host, the same HTTP method, the same verb
// suffix and path templates that match at least one common path. Two
// bindings of one RPC (the same method full name) are not a conflict: the
// gateway serves that RPC either way. Pairs come in the order of their
// second route, then of their first, both in the order of routes.
//
// Routes are indexed in a trie of path segments per host, method and verb,
// so that finding the partners of a route costs the length of its template
// plus the routes it could meet, not the number of routes: literal
// segments, the common case, follow a single branch.
//
// The trie is exact for templates whose "**", if any, is the last segment.
// It takes a template with a "**" in mid-path, such as Firestore's
// "/v1/{parent=projects/*/databases/*/documents/**}/{collection_id}", for
// its prefix up to the "**" followed by a trailing "**", which matches a
// superset of its paths; so what it finds for such a template, or finds
// of one, is a superset of its partners among the routes of its key, and
// each of those rare pairs (about 16 templates in all of googleapis) is checked
// with pathtemplate.Overlaps.
func Conflicts(routes []Route) []Conflict {
	type key struct{ host, method, verb string }
	tries := make(map[key]*trieNode)
	irregular := make([]bool, len(routes)) // a "**" in mid-path
	var conflicts []Conflict
	var found []int
	for i, r := range routes {
		k := key{r.Host, r.Binding.Method, r.Template.Verb}
		root := tries[k]
		if root == nil {
			root = &trieNode{}
			tries[k] = root
		}
		irregular[i] = deepNotLast(r.Template)
		found = root.overlapping(r.Template.Segments, found[:0])
		slices.Sort(found)
		for _, j := range slices.Compact(found) {
			if sameRPC(routes[j], r) {
				continue
			}
			if (irregular[i] || irregular[j]) && !pathtemplate.Overlaps(routes[j].Template, r.Template) {
				continue
			}
			conflicts = append(conflicts, Conflict{First: j, Second: i})
		}
		root.insert(r.Template.Segments, i)
	}
	return conflicts
}

// deepNotLast reports whether t has a "**" segment that is not its last.
func deepNotLast(t *pathtemplate.Template) bool {
	for i, s := range t.Segments {
		if s.Kind == pathtemplate.DeepWildcard {
			return i < len(t.Segments)-1
		}
	}
	return false
}

// sameRPC reports whether a and b are bindings of the same RPC. Routes
// without a method name are taken to be of different RPCs.
func sameRPC(a, b Route) bool {
	return a.RPC() != "" && a.RPC() == b.RPC()
}

// trieNode indexes routes by their segments. A template ends at its first
// "**": routes with one end at the node where it starts, as if it were the
// last segment.
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
