package inference

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/ovasabi/protoc-gen-registration/inference/pathtemplate"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// testRPCs returns the methods M0 to M(n-1) of a service conflict.v1.S.
func testRPCs(t testing.TB, n int) []protoreflect.MethodDescriptor {
	t.Helper()
	svc := &descriptorpb.ServiceDescriptorProto{Name: proto.String("S")}
	for i := range n {
		svc.Method = append(svc.Method, &descriptorpb.MethodDescriptorProto{
			Name:       proto.String(fmt.Sprintf("M%d", i)),
			InputType:  proto.String(".conflict.v1.Empty"),
			OutputType: proto.String(".conflict.v1.Empty"),
		})
	}
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:        proto.String("conflict/v1/conflict.proto"),
		Package:     proto.String("conflict.v1"),
		Syntax:      proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("Empty")}},
		Service:     []*descriptorpb.ServiceDescriptorProto{svc},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	methods := fd.Services().Get(0).Methods()
	rpcs := make([]protoreflect.MethodDescriptor, methods.Len())
	for i := range rpcs {
		rpcs[i] = methods.Get(i)
	}
	return rpcs
}

// testRoute is a route to build: the RPC by index in testRPCs, the host,
// the HTTP method and the path template.
type testRoute struct {
	rpc                int
	host, method, path string
}

func buildRoutes(t testing.TB, specs []testRoute) []Route {
	t.Helper()
	n := 0
	for _, s := range specs {
		n = max(n, s.rpc+1)
	}
	rpcs := testRPCs(t, n)
	routes := make([]Route, 0, len(specs))
	for _, s := range specs {
		tmpl, err := pathtemplate.Parse(s.path)
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, Route{
			Binding:  &registration.Binding{Method: s.method, Path: s.path},
			Template: tmpl,
			Method:   rpcs[s.rpc],
			Host:     s.host,
		})
	}
	return routes
}

func TestConflicts(t *testing.T) {
	const a, b = "a.googleapis.com", "b.googleapis.com"
	tests := []struct {
		name   string
		routes []testRoute
		want   []Conflict
	}{
		{"identical", []testRoute{{0, "", "GET", "/v1/a"}, {1, "", "GET", "/v1/a"}}, []Conflict{{0, 1}}},
		{"other method", []testRoute{{0, "", "GET", "/v1/a"}, {1, "", "POST", "/v1/a"}}, nil},
		{"other verb", []testRoute{{0, "", "GET", "/v1/{a}"}, {1, "", "GET", "/v1/{a}:x"}}, nil},
		{"literal under wildcard", []testRoute{{0, "", "GET", "/v1/{a}"}, {1, "", "GET", "/v1/special"}}, []Conflict{{0, 1}}},
		{"different lengths", []testRoute{{0, "", "GET", "/v1/{a}"}, {1, "", "GET", "/v1/{a}/b"}}, nil},
		{"deep wildcard meets all below", []testRoute{{0, "", "GET", "/v1/x/y"}, {1, "", "GET", "/v2"}, {2, "", "GET", "/v1/{rest=**}"}}, []Conflict{{0, 2}}},
		{"deep wildcard matches nothing more", []testRoute{{0, "", "GET", "/v1"}, {1, "", "GET", "/v1/{rest=**}"}}, []Conflict{{0, 1}}},
		{"ordered by second, then first", []testRoute{{0, "", "GET", "/a/b"}, {1, "", "GET", "/a/c"}, {2, "", "GET", "/a/*"}, {3, "", "GET", "/a/b"}},
			[]Conflict{{0, 2}, {1, 2}, {0, 3}, {2, 3}}},
		// Services on different hosts are served apart.
		{"different hosts", []testRoute{{0, a, "GET", "/v1/a"}, {1, b, "GET", "/v1/a"}, {2, "", "GET", "/v1/a"}}, nil},
		{"same host", []testRoute{{0, a, "GET", "/v1/{name}"}, {1, b, "GET", "/v1/a"}, {2, a, "GET", "/v1/a"}}, []Conflict{{0, 2}}},
		// Two bindings of one RPC are not a conflict, even identical ones,
		// but each still conflicts with another RPC.
		{"same RPC", []testRoute{{0, "", "GET", "/v1/{name}"}, {0, "", "GET", "/v1/a"}, {0, "", "GET", "/v1/{name}"}}, nil},
		{"same RPC and another", []testRoute{{0, "", "GET", "/v1/{name}"}, {0, "", "GET", "/v1/a"}, {1, "", "GET", "/v1/a"}},
			[]Conflict{{0, 2}, {1, 2}}},
		// Firestore's ListDocuments has a "**" in mid-path: it meets a
		// literal route that the "**" can stretch to, before or after it.
		{"mid-path deep wildcard after a literal route",
			[]testRoute{{0, "", "GET", "/v1/projects/p/databases/d/documents/a/b/users"}, {1, "", "GET", "/v1/{parent=projects/*/databases/*/documents/**}/{collection_id}"}},
			[]Conflict{{0, 1}}},
		{"mid-path deep wildcard before a literal route",
			[]testRoute{{0, "", "GET", "/v1/{parent=projects/*/databases/*/documents/**}/{collection_id}"}, {1, "", "GET", "/v1/projects/p/databases/d/documents/users"}},
			[]Conflict{{0, 1}}},
		// The trie would take the "**" as matching everything below it; the
		// segment after it has to match too.
		{"mid-path deep wildcard needs its tail",
			[]testRoute{{0, "", "POST", "/v1/{parent=projects/*/dataStores/**}/entries:purge"}, {1, "", "POST", "/v1/projects/p/dataStores/d/other:purge"}, {2, "", "POST", "/v1/projects/p/dataStores/d/entries:import"}},
			nil},
		// Irregular routes meet each other and trailing "**" routes, in the
		// documented order.
		{"mid-path deep wildcards in order",
			[]testRoute{{0, "", "GET", "/a/**/b"}, {1, "", "GET", "/a/c"}, {2, "", "GET", "/**/c/b"}, {3, "", "GET", "/a/**"}, {4, "", "GET", "/a/x/y/b"}},
			[]Conflict{{0, 2}, {0, 3}, {1, 3}, {2, 3}, {0, 4}, {3, 4}}},
		// The same RPC's irregular binding is skipped as well.
		{"mid-path deep wildcard of the same RPC",
			[]testRoute{{0, "", "GET", "/v1/{name=x/**}/y"}, {0, "", "GET", "/v1/x/y"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			routes := buildRoutes(t, tt.routes)
			if diff := cmp.Diff(tt.want, Conflicts(routes)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestConflictModel(t *testing.T) {
	routes := buildRoutes(t, []testRoute{{0, "x.googleapis.com", "GET", "/v1/{name=**}/a"}, {1, "x.googleapis.com", "GET", "/v1/b/a"}})
	got := Conflict{First: 0, Second: 1}.Model(routes)
	want := &registration.Conflict{
		Host:   "x.googleapis.com",
		Method: "GET",
		First:  registration.ConflictSide{RPC: "conflict.v1.S.M0", Path: "/v1/{name=**}/a"},
		Second: registration.ConflictSide{RPC: "conflict.v1.S.M1", Path: "/v1/b/a"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// conflictsPairwise is the definition Conflicts implements, pair by pair.
func conflictsPairwise(routes []Route) []Conflict {
	var want []Conflict
	for j := range routes {
		for i := range j {
			a, b := routes[i], routes[j]
			if a.Host == b.Host && a.Binding.Method == b.Binding.Method &&
				a.Method.FullName() != b.Method.FullName() &&
				pathtemplate.Overlaps(a.Template, b.Template) {
				want = append(want, Conflict{i, j})
			}
		}
	}
	return want
}

// TestConflictsMatchOverlaps checks Conflicts, its trie and the Overlaps
// check of templates with a "**" in mid-path, against the pairwise
// definition on random sets of routes over a few hosts and RPCs.
func TestConflictsMatchOverlaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	segments := []string{"a", "b", "*", "{x}", "{y=a/*}"}
	deep := []string{"**", "{z=**}", "{z=a/**}"}
	hosts := []string{"", "a.googleapis.com", "b.googleapis.com"}
	var irregular, sameRPC, crossHost int
	for round := range 1000 {
		var specs []testRoute
		for range 2 + rng.IntN(12) {
			var parts []string
			for range 1 + rng.IntN(4) {
				parts = append(parts, segments[rng.IntN(len(segments))])
			}
			switch rng.IntN(6) {
			case 0, 1: // a trailing "**"
				parts = append(parts, deep[rng.IntN(len(deep))])
			case 2: // a "**" anywhere, mostly in mid-path
				parts = slices.Insert(parts, rng.IntN(len(parts)+1), deep[rng.IntN(len(deep))])
			}
			// Variables may be bound once per template: number them.
			path := "/" + strings.Join(parts, "/")
			for i := 0; strings.Contains(path, "{x}") || strings.Contains(path, "{y="); i++ {
				path = strings.Replace(path, "{x}", fmt.Sprintf("{v%d}", i), 1)
				path = strings.Replace(path, "{y=", fmt.Sprintf("{w%d=", i), 1)
			}
			if rng.IntN(5) == 0 {
				path += ":do"
			}
			specs = append(specs, testRoute{
				rpc:    rng.IntN(3),
				host:   hosts[rng.IntN(len(hosts))],
				method: []string{"GET", "POST"}[rng.IntN(2)],
				path:   path,
			})
		}
		routes := buildRoutes(t, specs)
		for i, r := range routes {
			if len(r.Template.Deviations) > 0 {
				irregular++
			}
			for _, s := range routes[:i] {
				if pathtemplate.Overlaps(r.Template, s.Template) && r.Binding.Method == s.Binding.Method {
					switch {
					case r.Host != s.Host:
						crossHost++
					case r.Method == s.Method:
						sameRPC++
					}
				}
			}
		}
		if diff := cmp.Diff(conflictsPairwise(routes), Conflicts(routes)); diff != "" {
			var paths []string
			for _, r := range routes {
				paths = append(paths, fmt.Sprintf("%s %s %s %s", r.Method.Name(), r.Host, r.Binding.Method, r.Binding.Path))
			}
			t.Fatalf("round %d, routes %q (-pairwise +Conflicts):\n%s", round, paths, diff)
		}
	}
	// The generator must exercise every rule, or the comparison proves
	// little.
	if irregular < 500 || sameRPC < 500 || crossHost < 500 {
		t.Errorf("generator made %d mid-path \"**\" routes, %d overlapping pairs of one RPC and %d across hosts; want at least 500 each",
			irregular, sameRPC, crossHost)
	}
}

// BenchmarkConflicts runs Conflicts on a googleapis-sized set of routes:
// about 14,300 bindings over a few dozen hosts, 16 of them with a "**" in
// mid-path.
func BenchmarkConflicts(b *testing.B) {
	var specs []testRoute
	methods := []string{"GET", "POST", "PATCH", "DELETE"}
	for i := range 14300 {
		host := fmt.Sprintf("svc%d.googleapis.com", i%40)
		path := fmt.Sprintf("/v1/{name=projects/*/locations/*/things%d/*}", i/40)
		if i%3 == 0 {
			path = fmt.Sprintf("/v1/{parent=projects/*/locations/*}/things%d:do%d", i/40, i%7)
		}
		if i%900 == 0 {
			path = fmt.Sprintf("/v1/{parent=projects/*/locations/*/things%d/**}/{id}", i/40)
		}
		specs = append(specs, testRoute{rpc: i % 50, host: host, method: methods[i%len(methods)], path: path})
	}
	routes := buildRoutes(b, specs)
	b.ResetTimer()
	for b.Loop() {
		Conflicts(routes)
	}
}
