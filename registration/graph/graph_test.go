package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// services are a.v1.A -> b.v1.B (schema, twice with different evidence),
// b.v1.B -> a.v1.A (declared), b.v1.B -> c.v1.C (resource) and
// c.v1.C -> x.v1.Ext, a target no service declares.
func services() []*registration.Service {
	dep := func(to, kind string, evidence ...string) *registration.Dependency {
		return &registration.Dependency{Service: to, Kind: kind, Evidence: evidence}
	}
	return []*registration.Service{
		{Name: "b.v1.B", Package: "b.v1", File: "b/v1/b.proto", Dependencies: []*registration.Dependency{
			dep("c.v1.C", registration.DependencyResource, "b.v1.Req.c"), dep("a.v1.A", registration.DependencyDeclared, "option"),
		}},
		{Name: "a.v1.A", Package: "a.v1", File: "a/v1/a.proto", Dependencies: []*registration.Dependency{
			dep("b.v1.B", registration.DependencySchema, "a.v1.Req.z"), nil, dep("b.v1.B", registration.DependencySchema, "a.v1.Req.b", "a.v1.Req.z"),
		}},
		{Name: "c.v1.C", Package: "c.v1", File: "c/v1/c.proto", Dependencies: []*registration.Dependency{
			{Service: "x.v1.Ext", Kind: registration.DependencySchema, External: true},
		}},
	}
}

func names(g *Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		out = append(out, n.Name)
	}
	return out
}

func edges(g *Graph) []string {
	var out []string
	for _, e := range g.Edges {
		out = append(out, e.From+" -"+e.Kind+"-> "+e.To)
	}
	return out
}

func TestBuild(t *testing.T) {
	g := Build(services())
	want := &Graph{
		Nodes: []*Node{
			{Name: "a.v1.A", Package: "a.v1", File: "a/v1/a.proto"},
			{Name: "b.v1.B", Package: "b.v1", File: "b/v1/b.proto"},
			{Name: "c.v1.C", Package: "c.v1", File: "c/v1/c.proto"},
			{Name: "x.v1.Ext", External: true},
		},
		Edges: []*Edge{
			// One edge per kind between two services, with the union of
			// their evidence.
			{From: "a.v1.A", To: "b.v1.B", Kind: "schema", Evidence: []string{"a.v1.Req.b", "a.v1.Req.z"}},
			{From: "b.v1.B", To: "a.v1.A", Kind: "declared", Evidence: []string{"option"}},
			{From: "b.v1.B", To: "c.v1.C", Kind: "resource", Evidence: []string{"b.v1.Req.c"}},
			{From: "c.v1.C", To: "x.v1.Ext", Kind: "schema"},
		},
	}
	if diff := cmp.Diff(want.Nodes, g.Nodes); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Edges, g.Edges); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		name         string
		f            Filter
		nodes, edges []string
	}{
		{"everything", Filter{}, []string{"a.v1.A", "b.v1.B", "c.v1.C", "x.v1.Ext"},
			[]string{"a.v1.A -schema-> b.v1.B", "b.v1.B -declared-> a.v1.A", "b.v1.B -resource-> c.v1.C", "c.v1.C -schema-> x.v1.Ext"}},
		// The external target goes with the only edge that reaches it.
		{"kinds", Filter{Kinds: []string{"resource", "declared"}}, []string{"a.v1.A", "b.v1.B", "c.v1.C"},
			[]string{"b.v1.B -declared-> a.v1.A", "b.v1.B -resource-> c.v1.C"}},
		{"packages", Filter{Packages: []string{"a.*", "b.v1"}}, []string{"a.v1.A", "b.v1.B"},
			[]string{"a.v1.A -schema-> b.v1.B", "b.v1.B -declared-> a.v1.A"}},
		{"depth 0", Filter{Services: []string{"b.v1.B"}}, []string{"b.v1.B"}, nil},
		{"dependencies", Filter{Services: []string{"b.v1.B"}, Depth: 1, Direction: Dependencies}, []string{"a.v1.A", "b.v1.B", "c.v1.C"},
			[]string{"a.v1.A -schema-> b.v1.B", "b.v1.B -declared-> a.v1.A", "b.v1.B -resource-> c.v1.C"}},
		{"dependents", Filter{Services: []string{"c.v1.C"}, Depth: 1, Direction: Dependents}, []string{"b.v1.B", "c.v1.C"},
			[]string{"b.v1.B -resource-> c.v1.C"}},
		{"no limit", Filter{Services: []string{"a.v1.*"}, Depth: -1, Direction: Dependencies}, []string{"a.v1.A", "b.v1.B", "c.v1.C", "x.v1.Ext"},
			[]string{"a.v1.A -schema-> b.v1.B", "b.v1.B -declared-> a.v1.A", "b.v1.B -resource-> c.v1.C", "c.v1.C -schema-> x.v1.Ext"}},
	}
	for _, tt := range tests {
		g := Build(services())
		got, err := g.Filter(tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.nodes, names(got)); diff != "" {
			t.Errorf("%s: nodes (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.edges, edges(got)); diff != "" {
			t.Errorf("%s: edges (-want +got):\n%s", tt.name, diff)
		}
		if len(g.Nodes) != 4 || len(g.Edges) != 4 {
			t.Errorf("%s: Filter changed the graph it filters", tt.name)
		}
	}
	// The external target is no service to centre on.
	_, err := Build(services()).Filter(Filter{Services: []string{"x.v1.Ext"}})
	var nm *NoMatchError
	if !errors.As(err, &nm) || nm.Pattern != "x.v1.Ext" || err.Error() != `no service matches "x.v1.Ext"` {
		t.Errorf("Filter of an external node: %v, want a *NoMatchError", err)
	}
	if err := CheckPattern("["); err == nil {
		t.Errorf("CheckPattern([) = nil, want an error")
	}
}

// TestDecoded checks that a graph decoded from Write's JSON filters, finds
// cycles and writes as the graph it was written from.
func TestDecoded(t *testing.T) {
	g := Build(services())
	g.Cycles, g.CyclesTruncated = g.FindCycles(10)
	if diff := cmp.Diff([][]string{{"a.v1.A", "b.v1.B"}}, g.Cycles); diff != "" {
		t.Errorf("cycles (-want +got):\n%s", diff)
	}
	if got, want := g.DescribeCycles(g.Cycles), []string{"a.v1.A -[schema]-> b.v1.B -[declared]-> a.v1.A"}; !cmp.Equal(got, want) {
		t.Errorf("DescribeCycles = %q, want %q", got, want)
	}
	var js bytes.Buffer
	if err := g.Write(&js, JSON); err != nil {
		t.Fatal(err)
	}
	var decoded Graph
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		var want, got bytes.Buffer
		if err := g.Write(&want, f); err != nil {
			t.Fatal(err)
		}
		if err := decoded.Write(&got, f); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("%s of the decoded graph (-want +got):\n%s", f, diff)
		}
	}
	if err := g.Write(&js, "svg"); err == nil || err.Error() != `unknown graph format "svg"` {
		t.Errorf("Write(svg) = %v", err)
	}
}

// TestCycles checks the cycle search on small graphs.
func TestCycles(t *testing.T) {
	graph := func(edges ...string) *Graph {
		seen := map[string]bool{}
		var svcs []string
		var es []*Edge
		for _, e := range edges {
			from, to, _ := strings.Cut(e, ">")
			for _, n := range []string{from, to} {
				if !seen[n] {
					seen[n] = true
					svcs = append(svcs, n)
				}
			}
			es = append(es, &Edge{From: from, To: to, Kind: "schema"})
		}
		g := &Graph{index: map[string]int{}, Edges: es}
		for _, n := range svcs {
			g.addNode(&Node{Name: n})
		}
		g.sort()
		return g
	}
	tests := []struct {
		name      string
		g         *Graph
		limit     int
		want      [][]string
		truncated bool
	}{
		{"acyclic", graph("a>b", "b>c", "a>c"), 10, nil, false},
		{"self loop", graph("a>a", "a>b"), 10, [][]string{{"a"}}, false},
		// Every pair and both triangles of a complete graph on three nodes.
		{"complete", graph("a>b", "b>a", "b>c", "c>b", "a>c", "c>a"), 10,
			[][]string{{"a", "b"}, {"a", "c"}, {"b", "c"}, {"a", "b", "c"}, {"a", "c", "b"}}, false},
		{"limit", graph("a>b", "b>a", "b>c", "c>b", "a>c", "c>a"), 2, [][]string{{"a", "b"}, {"a", "c"}}, true},
		{"two components", graph("x>y", "y>x", "a>b", "b>c", "c>a", "c>x"), 10, [][]string{{"x", "y"}, {"a", "b", "c"}}, false},
	}
	for _, tt := range tests {
		got, truncated := tt.g.FindCycles(tt.limit)
		if diff := cmp.Diff(tt.want, got); diff != "" || truncated != tt.truncated {
			t.Errorf("%s: truncated %v, cycles (-want +got):\n%s", tt.name, truncated, diff)
		}
	}
}
