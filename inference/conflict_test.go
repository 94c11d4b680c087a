package inference

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/inference/pathtemplate"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

func route(t *testing.T, method, path string) Route {
	t.Helper()
	tmpl, err := pathtemplate.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	return Route{Binding: &registration.Binding{Method: method, Path: path}, Template: tmpl}
}

func TestConflicts(t *testing.T) {
	tests := []struct {
		name   string
		routes [][2]string // method, path
		want   []Conflict
	}{
		{"identical", [][2]string{{"GET", "/v1/a"}, {"GET", "/v1/a"}}, []Conflict{{0, 1}}},
		{"other method", [][2]string{{"GET", "/v1/a"}, {"POST", "/v1/a"}}, nil},
		{"other verb", [][2]string{{"GET", "/v1/{a}"}, {"GET", "/v1/{a}:x"}}, nil},
		{"literal under wildcard", [][2]string{{"GET", "/v1/{a}"}, {"GET", "/v1/special"}}, []Conflict{{0, 1}}},
		{"different lengths", [][2]string{{"GET", "/v1/{a}"}, {"GET", "/v1/{a}/b"}}, nil},
		{"deep wildcard meets all below", [][2]string{{"GET", "/v1/x/y"}, {"GET", "/v2"}, {"GET", "/v1/{rest=**}"}}, []Conflict{{0, 2}}},
		{"deep wildcard matches nothing more", [][2]string{{"GET", "/v1"}, {"GET", "/v1/{rest=**}"}}, []Conflict{{0, 1}}},
		{"ordered by second, then first", [][2]string{{"GET", "/a/b"}, {"GET", "/a/c"}, {"GET", "/a/*"}, {"GET", "/a/b"}},
			[]Conflict{{0, 2}, {1, 2}, {0, 3}, {2, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var routes []Route
			for _, r := range tt.routes {
				routes = append(routes, route(t, r[0], r[1]))
			}
			if diff := cmp.Diff(tt.want, Conflicts(routes)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestConflictsMatchOverlaps checks the trie against the pairwise
// definition, pathtemplate.Overlaps, on random sets of templates.
func TestConflictsMatchOverlaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	segments := []string{"a", "b", "*", "{x}", "{y=a/*}"}
	for round := range 300 {
		var routes []Route
		for range 2 + rng.IntN(12) {
			var parts []string
			for range 1 + rng.IntN(4) {
				parts = append(parts, segments[rng.IntN(len(segments))])
			}
			// Variables may be bound once per template: number them.
			path := "/" + strings.Join(parts, "/")
			for i := 0; strings.Contains(path, "{x}") || strings.Contains(path, "{y="); i++ {
				path = strings.Replace(path, "{x}", fmt.Sprintf("{v%d}", i), 1)
				path = strings.Replace(path, "{y=", fmt.Sprintf("{w%d=", i), 1)
			}
			if rng.IntN(4) == 0 {
				path += "/**"
			}
			if rng.IntN(5) == 0 {
				path += ":do"
			}
			method := []string{"GET", "POST"}[rng.IntN(2)]
			routes = append(routes, route(t, method, path))
		}
		var want []Conflict
		for j := range routes {
			for i := range j {
				a, b := routes[i], routes[j]
				if a.Binding.Method == b.Binding.Method && pathtemplate.Overlaps(a.Template, b.Template) {
					want = append(want, Conflict{i, j})
				}
			}
		}
		if diff := cmp.Diff(want, Conflicts(routes)); diff != "" {
			var paths []string
			for _, r := range routes {
				paths = append(paths, r.Binding.Method+" "+r.Binding.Path)
			}
			t.Fatalf("round %d, routes %q (-pairwise +trie):\n%s", round, paths, diff)
		}
	}
}
