package lint

import (
	"errors"
	"slices"
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
		{"batch_get", "/v1/{parent=shelves/*}/books:batchGet", "/v1/shelves/*/books"},
		// A parent that ends the path names no collection, and other
		// kinds with a parent name none: they often act on another
		// collection below the parent than their resource's.
		{"list", "/v1/{parent=shelves/*}", ""},
		{"custom", "/v1/{parent=shelves/*}:searchBooks", ""},
		{"search", "/v1/{parent=shelves/*}/books:search", ""},
		{"import", "/v1/{parent=workspaces/*}/mappingRules:import", ""},
		// No variable: only list and create name a collection.
		{"list", "/v1/books", "/v1/books"},
		{"create", "/v1/books", "/v1/books"},
		{"custom", "/v1/books:search", ""},
		// A name that does not end in a single-segment wildcard, or whose
		// collection ends in a wildcard.
		{"get", "/v1/{name=shelves/*/books/**}", ""},
		{"get", "/v1/{name=shelves/*/*}", ""},
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

func inferred(name string) *registration.Binding {
	return &registration.Binding{Method: "POST", Path: "/" + name, Body: "*", Source: registration.SourceInferred}
}

// TestCheck runs every rule once over a small service, with nil elements
// that must be skipped, and checks where each finding is located.
func TestCheck(t *testing.T) {
	book := &registration.Resource{Type: "library.example.com/Book"}
	svc := &registration.Service{
		Name: "library.v1.Library", File: "library/v1/library.proto", Line: 10, Column: 1,
		Methods: []*registration.Method{
			{Name: "GetBook", FullName: "library.v1.Library.GetBook", Line: 11, Column: 3, Kind: registration.KindGet, Resource: book, Idempotency: "no_side_effects",
				RequiredFields: []string{"name", "filter.tags"},
				Bindings:       []*registration.Binding{binding("GET", "/v1/{name=shelves/*/books/*}", "name"), nil}},
			{Name: "ListBooks", FullName: "library.v1.Library.ListBooks", Line: 14, Column: 3, Kind: registration.KindList, Resource: book,
				Bindings: []*registration.Binding{binding("GET", "/v1/{parent=shelves/*}/book", "parent")}},
			nil,
			{Name: "FindBook", FullName: "library.v1.Library.FindBook", Line: 17, Column: 3, Kind: registration.KindCustom, Idempotency: "no_side_effects",
				Bindings: []*registration.Binding{binding("GET", "/v1/{name=shelves/*/books/*}", "name")}},
			{Name: "Ping", FullName: "library.v1.Library.Ping", Line: 20, Column: 3, Kind: registration.KindCustom,
				Bindings: []*registration.Binding{inferred("library.v1.Library/Ping")}},
			{Name: "Hidden", FullName: "library.v1.Library.Hidden", Line: 23, Column: 3, Kind: registration.KindCustom},
		},
	}
	const file = "library/v1/library.proto"
	want := []Finding{
		{GetRequiredFieldUnbound, "library.v1.Library.GetBook GET /v1/{name=shelves/*/books/*}", file, 11, 3,
			"method library.v1.Library.GetBook: binding GET /v1/{name=shelves/*/books/*} cannot carry the required field filter.tags: bind it in the path or make it a scalar field"},
		{ReadWithoutNoSideEffects, "library.v1.Library.ListBooks", file, 14, 3,
			"method library.v1.Library.ListBooks is a list method: mark it option idempotency_level = NO_SIDE_EFFECTS"},
		{MethodWithoutBinding, "library.v1.Library.Ping", file, 20, 3,
			"method library.v1.Library.Ping is reached over REST only through the inferred POST /library.v1.Library/Ping: add a google.api.http option"},
		{MethodWithoutBinding, "library.v1.Library.Hidden", file, 23, 3, "method library.v1.Library.Hidden has no REST binding: add a google.api.http option"},
		{ResourceNamingInconsistent, "library.v1.Library library.example.com/Book", file, 10, 1,
			`service library.v1.Library: methods on resource library.example.com/Book name its collection "books" and "book": /v1/shelves/*/books (GetBook), /v1/shelves/*/book (ListBooks); end every binding in one collection ID, the resource's plural`},
		{DuplicateRoute, "library.v1.Library.FindBook GET /v1/{name=shelves/*/books/*}", file, 17, 3,
			"method library.v1.Library.FindBook: route GET /v1/{name=shelves/*/books/*} matches the same requests as GET /v1/{name=shelves/*/books/*} of library.v1.Library.GetBook; make the templates distinct"},
	}
	got := Check([]*registration.Service{nil, svc})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
	if got := (Finding{File: file, Line: 3, Column: 5}).Location(); got != file+":3:5" {
		t.Errorf("Location = %q", got)
	}
	if got := (Finding{File: file}).Location(); got != file {
		t.Errorf("Location without a line = %q", got)
	}
	if got := (Finding{}).Location(); got != "-" {
		t.Errorf("Location without a file = %q", got)
	}
}

// method builds a method of service "s.v1.S" named name.
func method(name string, streaming string, bindings ...*registration.Binding) *registration.Method {
	return &registration.Method{Name: name, FullName: "s.v1.S." + name, Streaming: streaming, Kind: registration.KindCustom, Bindings: bindings}
}

// service builds service "s.v1.S" (or another name) with methods.
func service(name, host string, methods ...*registration.Method) *registration.Service {
	for _, m := range methods {
		m.FullName = name + "." + m.Name
	}
	return &registration.Service{Name: name, File: "s/v1/s.proto", DefaultHost: host, Methods: methods}
}

// on returns m acting on a resource type, of a kind.
func on(m *registration.Method, kind, resource string) *registration.Method {
	m.Kind = kind
	m.Resource = &registration.Resource{Type: resource}
	return m
}

// TestRules gives each rule the cases that must fire it and the cases
// that must not, closest to each other, and checks the elements of the
// rule's findings.
func TestRules(t *testing.T) {
	const book = "library.example.com/Book"
	tests := []struct {
		name     string
		rule     string
		services []*registration.Service
		want     []string // elements of the rule's findings
	}{
		// METHOD_WITHOUT_BINDING.
		{"unary without binding", MethodWithoutBinding,
			[]*registration.Service{service("s.v1.S", "", method("A", registration.StreamingUnary))}, []string{"s.v1.S.A"}},
		{"unary with only the inferred binding", MethodWithoutBinding,
			[]*registration.Service{service("s.v1.S", "", method("A", registration.StreamingUnary, inferred("s.v1.S/A")))}, []string{"s.v1.S.A"}},
		{"unary with a declared binding", MethodWithoutBinding,
			[]*registration.Service{service("s.v1.S", "", method("A", registration.StreamingUnary, binding("POST", "/v1/a:do")))}, nil},
		// AIP-127 exempts bidirectional streaming only: a method that
		// streams in one direction still needs a binding, as api-linter
		// checks.
		{"client and server streaming without binding", MethodWithoutBinding,
			[]*registration.Service{service("s.v1.S", "", method("Up", registration.StreamingClient), method("Down", registration.StreamingServer, inferred("s.v1.S/Down")))},
			[]string{"s.v1.S.Up", "s.v1.S.Down"}},
		{"bidi streaming without binding", MethodWithoutBinding,
			[]*registration.Service{service("s.v1.S", "", method("Chat", registration.StreamingBidi), method("Talk", registration.StreamingBidi, inferred("s.v1.S/Talk")))}, nil},

		// READ_METHOD_WITHOUT_NO_SIDE_EFFECTS (off by default; Check runs it).
		{"get without idempotency", ReadWithoutNoSideEffects,
			[]*registration.Service{service("s.v1.S", "", on(method("GetBook", ""), registration.KindGet, book))}, []string{"s.v1.S.GetBook"}},
		{"get with no side effects, create without", ReadWithoutNoSideEffects,
			[]*registration.Service{service("s.v1.S", "",
				func() *registration.Method {
					m := on(method("GetBook", ""), registration.KindGet, book)
					m.Idempotency = "no_side_effects"
					return m
				}(),
				on(method("CreateBook", ""), registration.KindCreate, book))}, nil},

		// GET_REQUIRED_FIELD_UNBOUND.
		{"required field neither in path nor query", GetRequiredFieldUnbound,
			[]*registration.Service{service("s.v1.S", "", func() *registration.Method {
				m := method("GetBook", "", binding("GET", "/v1/{name=books/*}", "name"))
				m.RequiredFields = []string{"name", "shelves"}
				return m
			}())}, []string{"s.v1.S.GetBook GET /v1/{name=books/*}"}},
		{"required fields in path, query and a POST body", GetRequiredFieldUnbound,
			[]*registration.Service{service("s.v1.S", "", func() *registration.Method {
				get := binding("GET", "/v1/{name=books/*}", "name")
				get.QueryParams = []string{"view"}
				post := binding("POST", "/v1/{name=books/*}:get", "name")
				post.Body = "*"
				m := method("GetBook", "", get, post)
				m.RequiredFields = []string{"name", "view"}
				return m
			}())}, nil},

		// RESOURCE_NAMING_INCONSISTENT.
		{"collection IDs differ in the first bindings", ResourceNamingInconsistent,
			[]*registration.Service{service("s.v1.S", "",
				on(method("GetBook", "", binding("GET", "/v1/{name=shelves/*/books/*}", "name")), registration.KindGet, book),
				on(method("ListBooks", "", binding("GET", "/v1/{parent=shelves/*}/book", "parent")), registration.KindList, book))},
			[]string{"s.v1.S " + book}},
		{"collection IDs differ only in an additional binding", ResourceNamingInconsistent,
			[]*registration.Service{service("s.v1.S", "",
				on(method("GetBook", "", binding("GET", "/v1/{name=shelves/*/books/*}", "name"), binding("GET", "/v1/{name=shelves/*/book/*}", "name")), registration.KindGet, book),
				on(method("ListBooks", "", binding("GET", "/v1/{parent=shelves/*}/books", "parent")), registration.KindList, book))},
			[]string{"s.v1.S " + book}},
		// A resource with several patterns (AIP-123) is reached through
		// several parents, not always by every method.
		{"one collection ID under several parents", ResourceNamingInconsistent,
			[]*registration.Service{service("s.v1.S", "",
				on(method("GetBook", "", binding("GET", "/v1/{name=shelves/*/books/*}", "name"), binding("GET", "/v1/{name=books/*}", "name")), registration.KindGet, book),
				on(method("ListBooks", "", binding("GET", "/v1/{parent=shelves/*}/books", "parent"), binding("GET", "/v1/{parent=publishers/*}/books", "parent")), registration.KindList, book),
				on(method("CreateBook", "", binding("POST", "/v1/books")), registration.KindCreate, book))},
			nil},
		{"other IDs only in inferred bindings and methods on a parent", ResourceNamingInconsistent,
			[]*registration.Service{service("s.v1.S", "",
				on(method("GetBook", "", binding("GET", "/v1/{name=shelves/*/books/*}", "name")), registration.KindGet, book),
				on(method("ListBooks", "", inferred("s.v1.S/ListBooks")), registration.KindList, book),
				on(method("ImportBooks", "", binding("POST", "/v1/{parent=shelves/*}/imports:run", "parent")), registration.KindImport, book),
				on(method("SearchBooks", "", binding("GET", "/v1/{parent=shelves/*}:searchBooks", "parent")), registration.KindSearch, book))},
			nil},

		// DUPLICATE_ROUTE.
		{"one route on one host", DuplicateRoute,
			[]*registration.Service{
				service("a.v1.A", "library.example.com", method("Get", "", binding("GET", "/v1/{name=books/*}", "name"))),
				service("b.v1.B", "library.example.com", method("Get", "", binding("GET", "/v1/{name=books/*}", "name")))},
			[]string{"b.v1.B.Get GET /v1/{name=books/*}"}},
		{"one route, both without a host", DuplicateRoute,
			[]*registration.Service{
				service("a.v1.A", "", method("Get", "", binding("GET", "/v1/{name=books/*}", "name"))),
				service("b.v1.B", "", method("Get", "", binding("GET", "/v1/books/{id}", "id")))},
			[]string{"b.v1.B.Get GET /v1/books/{id}"}},
		// Services on different default hosts are different servers; one
		// without a host is not taken to share another's.
		{"one route on two hosts", DuplicateRoute,
			[]*registration.Service{
				service("a.v1.A", "a.example.com", method("Get", "", binding("GET", "/v1/{name=books/*}", "name"))),
				service("b.v1.B", "b.example.com", method("Get", "", binding("GET", "/v1/{name=books/*}", "name"))),
				service("c.v1.C", "", method("Get", "", binding("GET", "/v1/{name=books/*}", "name")))},
			nil},
		{"two bindings of one method, other verbs", DuplicateRoute,
			[]*registration.Service{service("a.v1.A", "", method("Get", "", binding("GET", "/v1/{name=books/*}", "name"), binding("GET", "/v1/books/{name}", "name")),
				method("Put", "", binding("PUT", "/v1/{name=books/*}", "name")))},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Check(tt.services) {
				if f.Rule == tt.rule {
					got = append(got, f.Element)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s findings (-want +got):\n%s", tt.rule, diff)
			}
		})
	}
}

// TestDuplicateRouteMessage checks that a duplicate route names its host.
func TestDuplicateRouteMessage(t *testing.T) {
	a := service("a.v1.A", "library.example.com", method("Get", "", binding("GET", "/v1/{name=books/*}", "name")))
	b := service("b.v1.B", "library.example.com", method("Get", "", binding("GET", "/v1/{name=books/*}", "name")))
	b.File, b.Methods[0].Line, b.Methods[0].Column = "b/v1/b.proto", 7, 3
	want := []Finding{{DuplicateRoute, "b.v1.B.Get GET /v1/{name=books/*}", "b/v1/b.proto", 7, 3,
		"method b.v1.B.Get: route GET /v1/{name=books/*} on library.example.com matches the same requests as GET /v1/{name=books/*} of a.v1.A.Get; make the templates distinct"}}
	if diff := cmp.Diff(want, Check([]*registration.Service{a, b})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestIgnoreComment checks that a line "registration:lint:ignore RULE" in
// a method's or service's description turns the rule off there, and
// nothing else does.
func TestIgnoreComment(t *testing.T) {
	tests := []struct {
		service, method string // descriptions
		ignored         bool
	}{
		{"", "", false},
		{"", "registration:lint:ignore METHOD_WITHOUT_BINDING", true},
		{"", "Does things.\n\nregistration:lint:ignore METHOD_WITHOUT_BINDING\nMore.", true},
		// Indentation and trailing spaces around the line are allowed.
		{"", "  registration:lint:ignore METHOD_WITHOUT_BINDING  ", true},
		{"", "registration:lint:ignore  METHOD_WITHOUT_BINDING", true},
		// A service's comment covers its methods.
		{"registration:lint:ignore METHOD_WITHOUT_BINDING", "", true},
		// Another rule, a partial ID, more text on the line, the line
		// inside a sentence, another spelling: no.
		{"", "registration:lint:ignore DUPLICATE_ROUTE", false},
		{"", "registration:lint:ignore METHOD_WITHOUT", false},
		{"", "registration:lint:ignore METHOD_WITHOUT_BINDING because it is internal", false},
		{"", "See registration:lint:ignore METHOD_WITHOUT_BINDING", false},
		{"", "buf:lint:ignore METHOD_WITHOUT_BINDING", false},
		{"", "registration:lint:ignore", false},
	}
	for _, tt := range tests {
		m := method("Hidden", registration.StreamingUnary)
		m.Description = tt.method
		s := service("s.v1.S", "", m)
		s.Description = tt.service
		got := len(Check([]*registration.Service{s})) == 0
		if got != tt.ignored {
			t.Errorf("service %q, method %q: ignored %v, want %v", tt.service, tt.method, got, tt.ignored)
		}
	}
	// A service-level finding is turned off on its service.
	book := "library.example.com/Book"
	s := service("s.v1.S", "",
		on(method("GetBook", "", binding("GET", "/v1/{name=shelves/*/books/*}", "name")), registration.KindGet, book),
		on(method("ListBooks", "", binding("GET", "/v1/{parent=shelves/*}/book", "parent")), registration.KindList, book))
	s.Description = "Books.\nregistration:lint:ignore RESOURCE_NAMING_INCONSISTENT"
	for _, f := range Check([]*registration.Service{s}) {
		if f.Rule == ResourceNamingInconsistent {
			t.Errorf("RESOURCE_NAMING_INCONSISTENT ignored on the service: %v", f)
		}
	}
	s.Description = ""
	if got := Check([]*registration.Service{s}); !slices.ContainsFunc(got, func(f Finding) bool { return f.Rule == ResourceNamingInconsistent }) {
		t.Errorf("RESOURCE_NAMING_INCONSISTENT without the comment: %v", got)
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
