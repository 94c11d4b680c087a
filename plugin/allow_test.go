package plugin

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConflictAllow(t *testing.T) {
	const file = `# Routes of these method pairs may conflict.
allow:
  - [library.v1.LibraryService.GetBook, library.v1.LibraryService.GetShelfBook]
  - [a.v1.S.*, b.v1.T.Get]
  -
    - c.v1.U.List
    - c.v1.U.Search
  - [d.v1.*, d.v1.*]
`
	a, err := parseConflictAllow("allow.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		first, second string
		want          bool
	}{
		{"library.v1.LibraryService.GetBook", "library.v1.LibraryService.GetShelfBook", true},
		// Order within a pair does not matter.
		{"library.v1.LibraryService.GetShelfBook", "library.v1.LibraryService.GetBook", true},
		{"library.v1.LibraryService.GetBook", "library.v1.LibraryService.ListBooks", false},
		{"a.v1.S.Get", "b.v1.T.Get", true},
		{"b.v1.T.Get", "a.v1.S.Anything", true},
		{"a.v1.S.Get", "b.v1.T.List", false},
		// "*" matches any run of characters but "/", dots included
		// (d.v1.* below matches d.v1.A.Get), yet the rest of a glob is
		// literal: a.v1.S.* does not match a.v1.Sx.Get.
		{"a.v1.Sx.Get", "b.v1.T.Get", false},
		{"x.v1.A.Get", "x.v1.B.Get", false},
	}
	for _, tt := range tests {
		if got := a.allows(tt.first, tt.second); got != tt.want {
			t.Errorf("allows(%s, %s) = %v, want %v", tt.first, tt.second, got, tt.want)
		}
	}
	// The block-style pair and the d.v1 pair matched nothing.
	want := []string{
		"allow.yaml:6:5: warning: allow[2]: [c.v1.U.List, c.v1.U.Search] matches no conflicting routes",
		"allow.yaml:8:5: warning: allow[3]: [d.v1.*, d.v1.*] matches no conflicting routes",
	}
	if diff := cmp.Diff(want, a.unused()); diff != "" {
		t.Errorf("unused (-want +got):\n%s", diff)
	}
	a.allows("d.v1.A.Get", "d.v1.B.Get")
	if diff := cmp.Diff(want[:1], a.unused()); diff != "" {
		t.Errorf("unused after a d.v1 conflict (-want +got):\n%s", diff)
	}
}

func TestConflictAllowNil(t *testing.T) {
	var a *conflictAllow
	if a.allows("a.v1.S.Get", "a.v1.S.List") {
		t.Error("a nil allowlist allows a conflict")
	}
	if u := a.unused(); u != nil {
		t.Errorf("a nil allowlist has unused entries %q", u)
	}
}

func TestConflictAllowEmptyList(t *testing.T) {
	a, err := parseConflictAllow("allow.yaml", []byte("allow: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a.allows("a.v1.S.Get", "a.v1.S.List") || a.unused() != nil {
		t.Error("an empty list allows a conflict or has unused entries")
	}
}

func TestConflictAllowErrors(t *testing.T) {
	long := strings.Repeat("x", 80)
	tests := []struct{ name, data, want string }{
		{"empty", "", "allow.yaml: empty allowlist: want an allow list of method pairs"},
		{"comments_only", "# nothing\n", "allow.yaml: empty allowlist: want an allow list of method pairs"},
		{"not_mapping", "- [a.v1.S.Get, a.v1.S.List]\n", "allow.yaml:1:1: want a mapping with an allow list, got a list"},
		{"no_allow", "{}\n", "allow.yaml:1:1: no allow list: want allow: [[METHOD, METHOD], ...]"},
		{"unknown_field", "allow: []\nallowed: []\n", `allow.yaml:2:1: unknown field "allowed"`},
		{"unknown_long_field", long + ": []\n", `allow.yaml:1:1: unknown field "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (80 bytes)`},
		{"not_list", "allow: {a: b}\n", "allow.yaml:1:8: allow: want a list of method pairs, got a mapping"},
		{"entry_scalar", "allow:\n  - a.v1.S.Get\n", `allow.yaml:2:5: allow[0]: want a pair of method names such as [pkg.Service.Get, pkg.Service.List], got "a.v1.S.Get"`},
		{"entry_mapping", "allow:\n  - {first: a.v1.S.Get}\n", `allow.yaml:2:5: allow[0]: want a pair of method names such as [pkg.Service.Get, pkg.Service.List], got a mapping`},
		{"one", "allow:\n  - [a.v1.S.Get]\n", "allow.yaml:2:5: allow[0]: want a pair of method names, got a list of 1"},
		{"three", "allow:\n  - [a, b, c]\n", "allow.yaml:2:5: allow[0]: want a pair of method names, got a list of 3"},
		{"nested", "allow:\n  - [a.v1.S.Get, [a.v1.S.List]]\n", "allow.yaml:2:18: allow[0][1]: want a string, got a list"},
		{"empty_name", "allow:\n  - [a.v1.S.Get, '']\n", "allow.yaml:2:18: allow[0][1]: empty method name"},
		{"bad_glob", "allow:\n  - ['a.v1.S.[Get', a.v1.S.List]\n", `allow.yaml:2:6: allow[0][0]: invalid pattern "a.v1.S.[Get": syntax error in pattern`},
		{"long_bad_glob", "allow:\n  - ['[" + long + "', a.v1.S.List]\n", `allow.yaml:2:6: allow[0][0]: invalid pattern "[xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (81 bytes): syntax error in pattern`},
		{"grpc_path", "allow:\n  - [/a.v1.S/Get, a.v1.S.List]\n", `allow.yaml:2:6: allow[0][0]: "/a.v1.S/Get": want a full method name such as pkg.Service.Method, or a glob over them`},
		{"several_documents", "allow: []\n---\nallow: []\n", "allow.yaml:2:1: several YAML documents; want one"},
		{"syntax", "allow: [\n", "allow.yaml:1: did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseConflictAllow("allow.yaml", []byte(tt.data))
			if err == nil || err.Error() != tt.want || a != nil {
				t.Errorf("got %v, error %v\nwant error %s", a, err, tt.want)
			}
		})
	}
}
