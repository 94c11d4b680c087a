package graph

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

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
	if !errors.As(err, &nm) || nm.Filter != "service" || nm.Pattern != "x.v1.Ext" || err.Error() != `no service matches "x.v1.Ext"` {
		t.Errorf("Filter of an external node: %v, want a *NoMatchError", err)
	}
	// A package pattern that matches no service's package is as much a
	// mistake, and is reported first: packages are filtered first.
	_, err = Build(services()).Filter(Filter{Packages: []string{"a.v1", "z.*"}, Services: []string{"nothing"}})
	if !errors.As(err, &nm) || nm.Filter != "package" || nm.Pattern != "z.*" || err.Error() != `no package matches "z.*"` {
		t.Errorf("Filter of a package that matches nothing: %v, want a *NoMatchError", err)
	}
	// A service pattern is looked for among the packages kept.
	_, err = Build(services()).Filter(Filter{Packages: []string{"a.v1"}, Services: []string{"b.v1.B"}})
	if !errors.As(err, &nm) || nm.Filter != "service" || nm.Pattern != "b.v1.B" {
		t.Errorf("Filter of a service outside the packages: %v, want a *NoMatchError", err)
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

// TestMermaidIDs checks the rules of Mermaid node ids: one per name,
// derived from the name alone.
func TestMermaidIDs(t *testing.T) {
	tests := []struct{ name, id string }{
		// Dots become underscores: every googleapis service name.
		{"google.cloud.scheduler.v1.CloudScheduler", "google_cloud_scheduler_v1_CloudScheduler"},
		// Underscores inside words are doubled, so that these two differ.
		{"my_company.orders.v1.Orders", "my__company_orders_v1_Orders"},
		{"my.company_orders.v1.Orders", "my_company__orders_v1_Orders"},
		{"Orders", "Orders"},
		// Anything else: other characters become underscores, then three
		// underscores and 8 hexadecimal digits of the name's SHA-256.
		{"library.example.com/Book", "library_example_com_Book___" + sha("library.example.com/Book")[:8]},
		{"a._b.C", "a__b_C___" + sha("a._b.C")[:8]},
		{"a__b.C", "a__b_C___" + sha("a__b.C")[:8]},
		{"a.b_", "a_b____" + sha("a.b_")[:8]},
		{"ünicode.v1.S", "_nicode_v1_S___" + sha("ünicode.v1.S")[:8]},
		// Words that Mermaid's grammar keeps for itself.
		{"end", "end___" + sha("end")[:8]},
		{"style", "style___" + sha("style")[:8]},
	}
	var nodes []*Node
	for _, tt := range tests {
		nodes = append(nodes, &Node{Name: tt.name})
	}
	ids := mermaidIDs(nodes)
	seen := map[string]string{}
	for _, tt := range tests {
		if got := ids[tt.name]; got != tt.id {
			t.Errorf("id of %q = %q, want %q", tt.name, got, tt.id)
		}
		if other, ok := seen[ids[tt.name]]; ok {
			t.Errorf("%q and %q share the id %q", tt.name, other, ids[tt.name])
		}
		seen[ids[tt.name]] = tt.name
		if sub := mermaidSubgraphID(tt.name); seen[sub] != "" || !strings.HasSuffix(sub, "___pkg") {
			t.Errorf("subgraph id %q of %q is a node's id or lacks ___pkg", sub, tt.name)
		}
	}
	// Two names that agree in their letters and digits and in the first 8
	// digits of their hashes take the whole hash: forced here by giving
	// one name twice under another spelling of the rule.
	full := mermaidID("library.example.com/Book", 64)
	if len(full) != len("library_example_com_Book___")+64 || !strings.HasPrefix(full, ids["library.example.com/Book"]) {
		t.Errorf("full-hash id %q", full)
	}
	twice := mermaidIDs([]*Node{{Name: "x/y"}, {Name: "x/y"}})
	if twice["x/y"] != "x_y___"+sha("x/y") {
		t.Errorf("colliding ids = %q, want the whole hash", twice["x/y"])
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// chain returns services p00.v1.S -> p01.v1.S -> ... of n packages, each
// with a resource edge to the next and a schema edge back to the first
// (a cycle through them all), and the last depending on an external
// resource type.
func chain(n int) []*registration.Service {
	var out []*registration.Service
	for i := range n {
		s := &registration.Service{Name: fmt.Sprintf("p%02d.v1.S", i), Package: fmt.Sprintf("p%02d.v1", i), File: fmt.Sprintf("p%02d/v1/s.proto", i)}
		if i+1 < n {
			s.Dependencies = append(s.Dependencies, &registration.Dependency{Service: fmt.Sprintf("p%02d.v1.S", i+1), Kind: registration.DependencyResource})
		} else {
			s.Dependencies = append(s.Dependencies,
				&registration.Dependency{Service: "p00.v1.S", Kind: registration.DependencySchema},
				&registration.Dependency{Service: "ext.example.com/Thing", Kind: registration.DependencyResource, External: true})
		}
		out = append(out, s)
	}
	return out
}

// TestMermaidStable adds a service that sorts before every other, with
// edges to two of them, to a committed diagram: every line of the old
// diagram is still there, unchanged, and the new lines are the new
// service's, its subgraph's and its edges'.
func TestMermaidStable(t *testing.T) {
	write := func(services []*registration.Service) []string {
		var b bytes.Buffer
		if err := Build(services).Write(&b, Mermaid); err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	}
	old := write(chain(12))
	added := &registration.Service{Name: "a.v1.First", Package: "a.v1", File: "a/v1/first.proto", Dependencies: []*registration.Dependency{
		{Service: "p03.v1.S", Kind: registration.DependencyResource},
		{Service: "p07.v1.S", Kind: registration.DependencyDeclared},
	}}
	updated := write(append(chain(12), added))
	present := map[string]bool{}
	for _, l := range updated {
		present[l] = true
	}
	for _, l := range old {
		if !present[l] {
			t.Errorf("line %q of the old diagram is gone", l)
		}
	}
	var newLines []string
	oldLines := map[string]bool{}
	for _, l := range old {
		oldLines[l] = true
	}
	for _, l := range updated {
		if !oldLines[l] {
			newLines = append(newLines, l)
		}
	}
	want := []string{
		`  subgraph a_v1___pkg ["a.v1"]`,
		`    a_v1_First["First"]`,
		`  end`, // every subgraph's end is the same line
		`  a_v1_First -->|"resource"| p03_v1_S`,
		`  a_v1_First ==>|"declared"| p07_v1_S`,
	}
	want = slices.DeleteFunc(want, func(l string) bool { return oldLines[l] })
	if diff := cmp.Diff(want, newLines); diff != "" {
		t.Errorf("new lines (-want +got):\n%s", diff)
	}
	// The cycle through every package is red, first among the edges.
	if l := old[len(old)-1]; l != "  linkStyle 0,1,2,3,4,5,6,7,8,9,10,11 stroke:red,color:red" {
		t.Errorf("last line %q, want the cycle's linkStyle", l)
	}
}

// TestCheckMermaid checks the limits at their edges: 500 edges pass and
// 501 do not; 50,000 UTF-16 code units pass and one more does not.
func TestCheckMermaid(t *testing.T) {
	star := func(n int, name string) *Graph {
		s := &registration.Service{Name: name, Package: "hub.v1"}
		svcs := []*registration.Service{s}
		for i := range n {
			to := fmt.Sprintf("leaf.v1.L%04d", i)
			s.Dependencies = append(s.Dependencies, &registration.Dependency{Service: to, Kind: registration.DependencySchema})
			svcs = append(svcs, &registration.Service{Name: to, Package: "leaf.v1"})
		}
		return Build(svcs)
	}
	if err := star(500, "hub.v1.Hub").CheckMermaid(); err != nil {
		t.Errorf("500 edges: %v", err)
	}
	err := star(501, "hub.v1.Hub").CheckMermaid()
	var le *MermaidLimitError
	if !errors.As(err, &le) || !le.OverEdges() || le.OverTextSize() || le.Edges != 501 {
		t.Fatalf("501 edges: %v", err)
	}
	if want := "the Mermaid flowchart has 501 edges, past Mermaid's default maxEdges of 500: Mermaid will not render it"; err.Error() != want {
		t.Errorf("error\n got: %s\nwant: %s", err, want)
	}

	// Text size is counted in UTF-16 code units, as JavaScript's
	// String.length. A service without a package is one line, its name
	// in its id and in its label: each "x" adds 2 units, each "😀" 3
	// (one "_" in the id, a surrogate pair in the label).
	lone := func(x, smileys int) *Graph {
		return Build([]*registration.Service{{Name: "n" + strings.Repeat("x", x) + strings.Repeat("😀", smileys)}})
	}
	size := func(g *Graph) int {
		var b bytes.Buffer
		if err := g.Write(&b, Mermaid); err != nil {
			t.Fatal(err)
		}
		return len(utf16.Encode([]rune(b.String())))
	}
	rest := MermaidMaxTextSize - size(lone(0, 1))
	x, smileys := rest/2, 1
	if rest%2 == 1 {
		x, smileys = (rest-3)/2, 2
	}
	at := lone(x, smileys)
	if size(at) != MermaidMaxTextSize {
		t.Fatalf("size %d, want %d", size(at), MermaidMaxTextSize)
	}
	if err := at.CheckMermaid(); err != nil {
		t.Errorf("%d units: %v", size(at), err)
	}
	over := lone(x-1, smileys+1)
	err = over.CheckMermaid()
	if !errors.As(err, &le) || le.OverEdges() || !le.OverTextSize() || le.TextSize != MermaidMaxTextSize+1 {
		t.Fatalf("%d units: %v", size(over), err)
	}
	if want := "the Mermaid flowchart has 50,001 characters, past Mermaid's default maxTextSize of 50,000: Mermaid will not render it"; err.Error() != want {
		t.Errorf("error\n got: %s\nwant: %s", err, want)
	}
	both := &MermaidLimitError{Edges: 1877, TextSize: 347242}
	if want := "the Mermaid flowchart has 1,877 edges, past Mermaid's default maxEdges of 500, and 347,242 characters, past Mermaid's default maxTextSize of 50,000: Mermaid will not render it"; both.Error() != want {
		t.Errorf("error\n got: %s\nwant: %s", both, want)
	}
}
