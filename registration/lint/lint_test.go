package lint

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// TestCollection checks the collection path each kind of binding names.
func TestCollection(t *testing.T) {
	tests := []struct {
		kind, path string
		want       string // "" for none
	}{
		// A name variable ending the path: its collection is the pattern
		// less the last segment.
		{"get", "/v1/{name=shelves/*/books/*}", "/v1/shelves/*/books"},
		{"get", "/v1/{book.name=shelves/*/books/*}", "/v1/shelves/*/books"},
		// The verb suffix is no part of the collection.
		{"custom", "/v1/{name=shelves/*/books/*}:archive", "/v1/shelves/*/books"},
		{"get", "/v1/books/{name}", "/v1/books"},
		// A parent variable: the whole path, variables expanded.
		{"list", "/v1/{parent=shelves/*}/books", "/v1/shelves/*/books"},
		{"create", "/v1/{parent=publishers/*/shelves/*}/books:batchCreate", "/v1/publishers/*/shelves/*/books"},
		// No variable: only list and create name a collection.
		{"list", "/v1/books", "/v1/books"},
		{"create", "/v1/books", "/v1/books"},
		{"custom", "/v1/books:search", ""},
		// A name that does not end in a single-segment wildcard.
		{"get", "/v1/{name=shelves/*/books/**}", ""},
		{"get", "/v1/{name=shelves/*}/info", ""},
		{"get", "/{name}", ""},
		// Another variable, and paths that do not parse.
		{"get", "/v1/books/{id}", ""},
		{"list", "/v1/{parent=shelves/*/books", ""},
		{"list", "v1/books", ""},
	}
	for _, tt := range tests {
		got, ok := collection(tt.kind, tt.path)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("collection(%s, %q) = %q, %v; want %q", tt.kind, tt.path, got, ok, tt.want)
		}
	}
}

func binding(method, path string, params ...string) *registration.Binding {
	b := &registration.Binding{Method: method, Path: path, Source: registration.SourceAnnotation}
	for _, p := range params {
		b.PathParams = append(b.PathParams, &registration.PathParam{Field: p})
	}
	return b
}

// TestCheck runs every rule once over a small service, with nil elements
// that must be skipped.
func TestCheck(t *testing.T) {
	book := &registration.Resource{Type: "library.example.com/Book"}
	svc := &registration.Service{
		Name: "library.v1.Library",
		Methods: []*registration.Method{
			{Name: "GetBook", FullName: "library.v1.Library.GetBook", Kind: registration.KindGet, Resource: book, Idempotency: "no_side_effects",
				RequiredFields: []string{"name", "filter.tags"},
				Bindings:       []*registration.Binding{binding("GET", "/v1/{name=shelves/*/books/*}", "name"), nil}},
			{Name: "ListBooks", FullName: "library.v1.Library.ListBooks", Kind: registration.KindList, Resource: book,
				Bindings: []*registration.Binding{binding("GET", "/v1/books")}},
			nil,
			{Name: "FindBook", FullName: "library.v1.Library.FindBook", Kind: registration.KindCustom, Idempotency: "no_side_effects",
				Bindings: []*registration.Binding{binding("GET", "/v1/{name=shelves/*/books/*}", "name")}},
			{Name: "Ping", FullName: "library.v1.Library.Ping", Kind: registration.KindCustom,
				Bindings: []*registration.Binding{{Method: "POST", Path: "/library.v1.Library/Ping", Body: "*", Source: registration.SourceInferred}}},
			{Name: "Hidden", FullName: "library.v1.Library.Hidden", Kind: registration.KindCustom},
		},
	}
	want := []Finding{
		{GetRequiredFieldUnbound, "library.v1.Library.GetBook GET /v1/{name=shelves/*/books/*}",
			"method library.v1.Library.GetBook: binding GET /v1/{name=shelves/*/books/*} cannot carry the required field filter.tags: bind it in the path or make it a scalar field"},
		{ReadWithoutNoSideEffects, "library.v1.Library.ListBooks",
			"method library.v1.Library.ListBooks is a list method: mark it option idempotency_level = NO_SIDE_EFFECTS"},
		{MethodWithoutBinding, "library.v1.Library.Ping",
			"method library.v1.Library.Ping is reached over REST only through the inferred POST /library.v1.Library/Ping: add a google.api.http option"},
		{MethodWithoutBinding, "library.v1.Library.Hidden", "method library.v1.Library.Hidden has no REST binding: add a google.api.http option"},
		{ResourceNamingInconsistent, "library.v1.Library library.example.com/Book",
			"service library.v1.Library: methods on resource library.example.com/Book name its collection differently: /v1/shelves/*/books (GetBook), /v1/books (ListBooks); use one resource name pattern"},
		{DuplicateRoute, "library.v1.Library.FindBook GET /v1/{name=shelves/*/books/*}",
			"method library.v1.Library.FindBook: route GET /v1/{name=shelves/*/books/*} matches the same requests as GET /v1/{name=shelves/*/books/*} of library.v1.Library.GetBook; make the templates distinct"},
	}
	got := Check([]*registration.Service{nil, svc})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
}

func TestDisable(t *testing.T) {
	findings := []Finding{
		{Rule: MethodWithoutBinding, Element: "a.v1.A.Get"},
		{Rule: MethodWithoutBinding, Element: "b.v1.B.Get"},
		{Rule: ReadWithoutNoSideEffects, Element: "a.v1.A.Get"},
		{Rule: ReadWithoutNoSideEffects, Element: "a.v1.A.List"},
		{Rule: DuplicateRoute, Element: "a.v1.A.List GET /v1/a"},
	}
	tests := []struct {
		disable []string
		want    []Finding
	}{
		{nil, findings},
		{[]string{MethodWithoutBinding}, findings[2:]},
		{[]string{MethodWithoutBinding + "=b.v1.B.Get", ReadWithoutNoSideEffects + "=a.v1.*"}, []Finding{findings[0], findings[4]}},
		// An element is matched whole unless it ends in *.
		{[]string{DuplicateRoute + "=a.v1.A.List"}, findings},
		{[]string{MethodWithoutBinding, ReadWithoutNoSideEffects, DuplicateRoute}, []Finding{}},
	}
	for _, tt := range tests {
		d, err := ParseDisable(tt.disable)
		if err != nil {
			t.Fatalf("ParseDisable(%q): %v", tt.disable, err)
		}
		if diff := cmp.Diff(tt.want, d.Apply(findings)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.disable, diff)
		}
	}
	_, err := ParseDisable([]string{MethodWithoutBinding, "NOPE=x.v1.X"})
	var unknown *UnknownRuleError
	if !errors.As(err, &unknown) || unknown.ID != "NOPE" || err.Error() != `unknown rule "NOPE"` {
		t.Errorf("ParseDisable of an unknown rule: %v", err)
	}
}
