package compare

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

const (
	svc    = "library.v1.LibraryService"
	getRPC = "library.v1.LibraryService.GetBook"
)

// base returns a small registration; each case changes a copy of it.
func base() *registration.Registration {
	return &registration.Registration{
		Format: registration.Format,
		Files:  []string{"library/v1/library.proto"},
		Services: []*registration.Service{{
			Name:    svc,
			Package: "library.v1",
			File:    "library/v1/library.proto",
			Owner:   "team-library",
			Methods: []*registration.Method{
				{
					Name: "GetBook", FullName: getRPC,
					InputType: "library.v1.GetBookRequest", OutputType: "library.v1.Book",
					Streaming: registration.StreamingUnary, Kind: registration.KindGet,
					Resource:       &registration.Resource{Type: "library.example.com/Book", Source: "annotation", Evidence: "library.v1.Book"},
					Idempotency:    "no_side_effects",
					ReadOnly:       true,
					RequiredFields: []string{"name"},
					Bindings: []*registration.Binding{{
						Method: "GET", Path: "/v1/{name=shelves/*/books/*}",
						PathParams:  []*registration.PathParam{{Field: "name", Pattern: "shelves/*/books/*"}},
						QueryParams: []string{"view"},
						Source:      "annotation",
					}},
				},
				{
					Name: "ExportBooks", FullName: "library.v1.LibraryService.ExportBooks",
					InputType: "library.v1.ExportBooksRequest", OutputType: "google.longrunning.Operation",
					Streaming: registration.StreamingUnary, Kind: registration.KindExport,
					LongRunning: &registration.LongRunning{ResponseType: "library.v1.ExportBooksResponse"},
					Bindings: []*registration.Binding{
						{Method: "POST", Path: "/v1/{parent=shelves/*}/books:export", Body: "*", Source: "annotation"},
						{Method: "POST", Path: "/v1/books:export", Body: "*", Source: "annotation"},
					},
				},
			},
			Capabilities: []*registration.Capability{{Name: "export", Source: "inferred", Methods: []string{"ExportBooks"}}},
			Dependencies: []*registration.Dependency{{Service: "identity.v1.UserService", Kind: "resource", Evidence: []string{"library.v1.Book.borrower"}}},
			Events:       []*registration.Event{{Name: "library.v1.Book.exported", Method: "library.v1.LibraryService.ExportBooks", Source: "declared"}},
			Health:       &registration.Health{GRPCService: svc, HTTPPath: "/healthz", Source: "inferred"},
		}},
		Messages: []*registration.Message{{
			Name: "library.v1.Book", File: "library/v1/library.proto", Line: 60, Column: 1,
			Fields: []*registration.Field{
				{Name: "name", Number: 1, JSONName: "name", Type: "string", Line: 61, Column: 3},
				{Name: "updates", Number: 2, JSONName: "updates", Type: "string", Cardinality: registration.CardinalityRepeated, Line: 62, Column: 3},
				{Name: "view", Number: 3, JSONName: "view", Type: "enum", TypeName: "library.v1.BookView", Oneof: "shown", Line: 63, Column: 3},
			},
		}},
		Enums: []*registration.Enum{{Name: "library.v1.BookView", File: "library/v1/library.proto", Line: 70, Column: 1,
			Values: []string{"BOOK_VIEW_UNSPECIFIED", "BASIC", "FULL"}}},
	}
}

func book(r *registration.Registration) *registration.Message { return r.Messages[0] }

func get(r *registration.Registration) *registration.Method    { return r.Services[0].Methods[0] }
func export(r *registration.Registration) *registration.Method { return r.Services[0].Methods[1] }

// TestRegistrations covers every rule, each case a change to base(); want
// is every change the case must report, in order.
func TestRegistrations(t *testing.T) {
	const getRoute = getRPC + " GET /v1/{name=shelves/*/books/*}"
	tests := []struct {
		name   string
		change func(old, new *registration.Registration)
		want   []Change
	}{
		{"identical", func(old, new *registration.Registration) {}, nil},
		{"service removed", func(old, new *registration.Registration) { new.Services = nil },
			[]Change{{Rule: ServiceRemoved, Breaking: true, Element: svc, Message: "service library.v1.LibraryService removed"}}},
		{"service added", func(old, new *registration.Registration) {
			new.Services = append(new.Services, &registration.Service{Name: "library.v1.Admin"})
		}, []Change{{Rule: ServiceAdded, Breaking: false, Element: "library.v1.Admin", Message: "service library.v1.Admin added"}}},
		{"service deprecated", func(old, new *registration.Registration) { new.Services[0].Deprecated = true },
			[]Change{{Rule: ServiceDeprecated, Breaking: false, Element: svc, Message: "service library.v1.LibraryService deprecated"}}},
		{"service undeprecated", func(old, new *registration.Registration) { old.Services[0].Deprecated = true },
			[]Change{{Rule: ServiceUndeprecated, Breaking: false, Element: svc, Message: "service library.v1.LibraryService no longer deprecated"}}},
		{"owner changed", func(old, new *registration.Registration) { new.Services[0].Owner = "" },
			[]Change{{Rule: ServiceOwnerChanged, Breaking: false, Element: svc, Message: "service library.v1.LibraryService: owner changed from team-library to (none)"}}},
		{"health path changed", func(old, new *registration.Registration) { new.Services[0].Health.HTTPPath = "/livez" },
			[]Change{{Rule: HealthHTTPPathChange, Breaking: true, Element: svc, Message: "service library.v1.LibraryService: HTTP health path changed from /healthz to /livez"}}},
		{"method removed", func(old, new *registration.Registration) { new.Services[0].Methods = new.Services[0].Methods[1:] },
			[]Change{{Rule: MethodRemoved, Breaking: true, Element: getRPC, Message: "method library.v1.LibraryService.GetBook removed"}}},
		{"method added", func(old, new *registration.Registration) { old.Services[0].Methods = old.Services[0].Methods[1:] },
			[]Change{{Rule: MethodAdded, Breaking: false, Element: getRPC, Message: "method library.v1.LibraryService.GetBook added"}}},
		{"input type changed", func(old, new *registration.Registration) { get(new).InputType = "library.v1.FetchBookRequest" },
			[]Change{{Rule: MethodInputTypeChanged, Breaking: true, Element: getRPC, Message: "method library.v1.LibraryService.GetBook: request type changed from library.v1.GetBookRequest to library.v1.FetchBookRequest"}}},
		{"output type changed", func(old, new *registration.Registration) { get(new).OutputType = "library.v1.BookView" },
			[]Change{{Rule: MethodOutputTypeChanged, Breaking: true, Element: getRPC, Message: "method library.v1.LibraryService.GetBook: response type changed from library.v1.Book to library.v1.BookView"}}},
		{"streaming changed", func(old, new *registration.Registration) { get(new).Streaming = registration.StreamingServer },
			[]Change{{Rule: MethodStreamingChanged, Breaking: true, Element: getRPC, Message: "method library.v1.LibraryService.GetBook: streaming changed from unary to server"}}},
		{"idempotency changed", func(old, new *registration.Registration) { get(new).Idempotency = "" },
			[]Change{{Rule: MethodIdempotencyChanged, Breaking: true, Element: getRPC, Message: "method library.v1.LibraryService.GetBook: idempotency changed from no_side_effects to (none)"}}},
		{"long-running result changed", func(old, new *registration.Registration) {
			export(new).LongRunning = &registration.LongRunning{ResponseType: "library.v1.ExportResult", MetadataType: "library.v1.ExportMetadata"}
		}, []Change{{Rule: MethodLongRunningChanged, Breaking: true, Element: "library.v1.LibraryService.ExportBooks", Message: "method library.v1.LibraryService.ExportBooks: long-running result changed from library.v1.ExportBooksResponse to library.v1.ExportResult (metadata library.v1.ExportMetadata)"}}},
		{"no longer long-running", func(old, new *registration.Registration) { export(new).LongRunning = nil },
			[]Change{{Rule: MethodLongRunningChanged, Breaking: true, Element: "library.v1.LibraryService.ExportBooks", Message: "method library.v1.LibraryService.ExportBooks: long-running result changed from library.v1.ExportBooksResponse to (not long-running)"}}},
		{"required field added", func(old, new *registration.Registration) { get(new).RequiredFields = []string{"name", "view"} },
			[]Change{{Rule: MethodRequiredFieldAdded, Breaking: true, Element: getRPC, Message: "method library.v1.LibraryService.GetBook: request field view became required"}}},
		{"required field removed", func(old, new *registration.Registration) { get(new).RequiredFields = nil },
			[]Change{{Rule: MethodRequiredFieldRemoved, Breaking: false, Element: getRPC, Message: "method library.v1.LibraryService.GetBook: request field name no longer required"}}},
		{"method deprecated", func(old, new *registration.Registration) { get(new).Deprecated = true },
			[]Change{{Rule: MethodDeprecated, Breaking: false, Element: getRPC, Message: "method library.v1.LibraryService.GetBook deprecated"}}},
		{"method undeprecated", func(old, new *registration.Registration) { get(old).Deprecated = true },
			[]Change{{Rule: MethodUndeprecated, Breaking: false, Element: getRPC, Message: "method library.v1.LibraryService.GetBook no longer deprecated"}}},
		{"kind changed", func(old, new *registration.Registration) { get(new).Kind = registration.KindCustom },
			[]Change{{Rule: MethodKindChanged, Breaking: false, Element: getRPC, Message: "method library.v1.LibraryService.GetBook: kind changed from get to custom"}}},
		{"resource changed", func(old, new *registration.Registration) { get(new).Resource = nil },
			[]Change{{Rule: MethodResourceChanged, Breaking: false, Element: getRPC, Message: "method library.v1.LibraryService.GetBook: resource changed from library.example.com/Book to (none)"}}},
		{"binding removed", func(old, new *registration.Registration) { get(new).Bindings = nil },
			[]Change{{Rule: BindingRemoved, Breaking: true, Element: getRoute, Message: "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*} removed"}}},
		{"binding added", func(old, new *registration.Registration) {
			get(new).Bindings = append(get(new).Bindings, &registration.Binding{Method: "GET", Path: "/v1/{name=books/*}"})
		}, []Change{{Rule: BindingAdded, Breaking: false, Element: getRPC + " GET /v1/{name=books/*}", Message: "method library.v1.LibraryService.GetBook: binding GET /v1/{name=books/*} added"}}},
		{"verb changed", func(old, new *registration.Registration) { get(new).Bindings[0].Method = "POST" },
			[]Change{{Rule: BindingVerbChanged, Breaking: true, Element: getRoute, Message: "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: HTTP method changed to POST"}}},
		{"single binding's path changed", func(old, new *registration.Registration) { get(new).Bindings[0].Path = "/v2/{name=shelves/*/books/*}" },
			[]Change{{Rule: BindingPathChanged, Breaking: true, Element: getRoute, Message: "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: path changed to /v2/{name=shelves/*/books/*}"}}},
		{"single binding's verb and path changed", func(old, new *registration.Registration) {
			get(new).Bindings[0].Method, get(new).Bindings[0].Path = "POST", "/v1/books:get"
		}, []Change{
			{Rule: BindingVerbChanged, Breaking: true, Element: getRoute, Message: "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: HTTP method changed to POST"},
			{Rule: BindingPathChanged, Breaking: true, Element: getRoute, Message: "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: path changed to /v1/books:get"},
		}},
		{"second of two bindings' path changed", func(old, new *registration.Registration) { export(new).Bindings[1].Path = "/v1/library:export" },
			[]Change{{Rule: BindingPathChanged, Breaking: true, Element: "library.v1.LibraryService.ExportBooks POST /v1/books:export", Message: "method library.v1.LibraryService.ExportBooks: binding POST /v1/books:export: path changed to /v1/library:export"}}},
		{"bindings reordered", func(old, new *registration.Registration) {
			b := export(new).Bindings
			b[0], b[1] = b[1], b[0]
		}, nil},
		{"one of two bindings removed, the other kept", func(old, new *registration.Registration) { export(new).Bindings = export(new).Bindings[1:] },
			[]Change{{Rule: BindingRemoved, Breaking: true, Element: "library.v1.LibraryService.ExportBooks POST /v1/{parent=shelves/*}/books:export", Message: "method library.v1.LibraryService.ExportBooks: binding POST /v1/{parent=shelves/*}/books:export removed"}}},
		{"body changed", func(old, new *registration.Registration) { export(new).Bindings[0].Body = "request" },
			[]Change{{Rule: BindingBodyChanged, Breaking: true, Element: "library.v1.LibraryService.ExportBooks POST /v1/{parent=shelves/*}/books:export", Message: `method library.v1.LibraryService.ExportBooks: binding POST /v1/{parent=shelves/*}/books:export: body changed from "*" to "request"`}}},
		{"body changed hides query parameter changes", func(old, new *registration.Registration) {
			get(new).Bindings[0].Body, get(new).Bindings[0].QueryParams = "*", nil
		}, []Change{{Rule: BindingBodyChanged, Breaking: true, Element: getRoute, Message: `method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: body changed from (none) to "*"`}}},
		{"response body changed", func(old, new *registration.Registration) { get(new).Bindings[0].ResponseBody = "book" },
			[]Change{{Rule: BindingResponseBodyChanged, Breaking: true, Element: getRoute, Message: `method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: response body changed from (none) to "book"`}}},
		{"query parameter removed", func(old, new *registration.Registration) { get(new).Bindings[0].QueryParams = nil },
			[]Change{{Rule: BindingQueryParamRemoved, Breaking: true, Element: getRoute, Message: "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: query parameter view removed"}}},
		{"query parameter added", func(old, new *registration.Registration) {
			get(new).Bindings[0].QueryParams = []string{"view", "read_mask"}
		},
			[]Change{{Rule: BindingQueryParamAdded, Breaking: false, Element: getRoute, Message: "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: query parameter read_mask added"}}},
		{"capability removed", func(old, new *registration.Registration) { new.Services[0].Capabilities = nil },
			[]Change{{Rule: CapabilityRemoved, Breaking: false, Element: svc, Message: "service library.v1.LibraryService: capability export removed"}}},
		{"capability added", func(old, new *registration.Registration) {
			new.Services[0].Capabilities = append(new.Services[0].Capabilities, &registration.Capability{Name: "lending", Source: "declared"})
		}, []Change{{Rule: CapabilityAdded, Breaking: false, Element: svc, Message: "service library.v1.LibraryService: capability lending added"}}},
		{"field removed", func(old, new *registration.Registration) { book(new).Fields = book(new).Fields[:2] },
			[]Change{{Rule: FieldNoDelete, Breaking: true, Element: "library.v1.Book.view", Message: "message library.v1.Book: field 3 view removed"}}},
		{"field renamed", func(old, new *registration.Registration) {
			book(new).Fields[1].Name, book(new).Fields[1].JSONName = "edits", "edits"
		},
			[]Change{
				{Rule: FieldSameName, Breaking: true, Element: "library.v1.Book.updates", Message: "message library.v1.Book: field 2 renamed from updates to edits"},
				{Rule: FieldSameJSONName, Breaking: true, Element: "library.v1.Book.updates", Message: "message library.v1.Book: field updates: JSON name changed from updates to edits"},
			}},
		{"JSON name changed", func(old, new *registration.Registration) { book(new).Fields[1].JSONName = "httpBody" },
			[]Change{{Rule: FieldSameJSONName, Breaking: true, Element: "library.v1.Book.updates", Message: "message library.v1.Book: field updates: JSON name changed from updates to httpBody"}}},
		{"field type changed", func(old, new *registration.Registration) { book(new).Fields[0].Type = "bool" },
			[]Change{{Rule: FieldSameType, Breaking: true, Element: "library.v1.Book.name", Message: "message library.v1.Book: field name: type changed from string to bool"}}},
		{"field cardinality changed", func(old, new *registration.Registration) { book(new).Fields[1].Cardinality = "" },
			[]Change{{Rule: FieldSameCardinality, Breaking: true, Element: "library.v1.Book.updates", Message: "message library.v1.Book: field updates: cardinality changed from repeated to singular"}}},
		{"field oneof changed", func(old, new *registration.Registration) { book(new).Fields[2].Oneof = "" },
			[]Change{{Rule: FieldSameOneof, Breaking: true, Element: "library.v1.Book.view", Message: "message library.v1.Book: field view: oneof changed from shown to (none)"}}},
		{"field added", func(old, new *registration.Registration) {
			book(new).Fields = append(book(new).Fields, &registration.Field{Name: "isbn", Number: 4, JSONName: "isbn", Type: "string"})
		}, []Change{{Rule: FieldAdded, Breaking: false, Element: "library.v1.Book.isbn", Message: "message library.v1.Book: field 4 isbn added"}}},
		{"enum value removed and added", func(old, new *registration.Registration) {
			new.Enums[0].Values = []string{"BOOK_VIEW_UNSPECIFIED", "BASIC", "COMPLETE"}
		}, []Change{
			{Rule: EnumValueNoDelete, Breaking: true, Element: "library.v1.BookView.FULL", Message: "enum library.v1.BookView: value FULL removed"},
			{Rule: EnumValueAdded, Breaking: false, Element: "library.v1.BookView.COMPLETE", Message: "enum library.v1.BookView: value COMPLETE added"},
		}},
		{"dependency kind changed", func(old, new *registration.Registration) { new.Services[0].Dependencies[0].Kind = "schema" },
			[]Change{
				{Rule: DependencyRemoved, Breaking: false, Element: svc, Message: "service library.v1.LibraryService: resource dependency on identity.v1.UserService removed"},
				{Rule: DependencyAdded, Breaking: false, Element: svc, Message: "service library.v1.LibraryService: schema dependency on identity.v1.UserService added"},
			}},
		{"dependency evidence changed", func(old, new *registration.Registration) {
			new.Services[0].Dependencies[0].Evidence = []string{"library.v1.Loan.member"}
		}, nil},
		{"event removed and added", func(old, new *registration.Registration) { new.Services[0].Events[0].Name = "library.v1.Book.archived" },
			[]Change{
				{Rule: EventRemoved, Breaking: false, Element: svc, Message: "service library.v1.LibraryService: event library.v1.Book.exported removed"},
				{Rule: EventAdded, Breaking: false, Element: svc, Message: "service library.v1.LibraryService: event library.v1.Book.archived added"},
			}},
		{"order: service changes, methods, then capabilities", func(old, new *registration.Registration) {
			new.Services[0].Capabilities = nil
			new.Services[0].Owner = "team-books"
			get(new).OutputType = "library.v1.BookView"
			get(new).Bindings = nil
		}, []Change{
			{Rule: ServiceOwnerChanged, Breaking: false, Element: svc, Message: "service library.v1.LibraryService: owner changed from team-library to team-books"},
			{Rule: MethodOutputTypeChanged, Breaking: true, Element: getRPC, Message: "method library.v1.LibraryService.GetBook: response type changed from library.v1.Book to library.v1.BookView"},
			{Rule: BindingRemoved, Breaking: true, Element: getRoute, Message: "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*} removed"},
			{Rule: CapabilityRemoved, Breaking: false, Element: svc, Message: "service library.v1.LibraryService: capability export removed"},
		}},
	}
	covered := make(map[string]bool)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, new := base(), base()
			tt.change(old, new)
			got := Registrations(old, new)
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Change{}, "File", "Line", "Column")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if HasBreaking(got) != HasBreaking(tt.want) {
				t.Errorf("HasBreaking = %v", HasBreaking(got))
			}
			for _, c := range got {
				covered[c.Rule] = true
			}
		})
	}
	for _, r := range Rules {
		if !covered[r.ID] {
			t.Errorf("rule %s has no test case", r.ID)
		}
	}
}

// TestRules checks that rule IDs are unique and that breaking rules come
// first.
func TestRules(t *testing.T) {
	seen := make(map[string]bool)
	nonBreaking := false
	for _, r := range Rules {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Breaking && nonBreaking {
			t.Errorf("breaking rule %s listed after a non-breaking one", r.ID)
		}
		nonBreaking = nonBreaking || !r.Breaking
		if r.Description == "" {
			t.Errorf("rule %s has no description", r.ID)
		}
	}
}

// TestNil checks that a missing registration counts as one without
// services.
func TestNil(t *testing.T) {
	if got := Registrations(nil, nil); len(got) != 0 {
		t.Errorf("Registrations(nil, nil) = %v", got)
	}
	got := Registrations(nil, base())
	want := []Change{{Rule: ServiceAdded, Breaking: false, Element: svc, Message: "service library.v1.LibraryService added", File: "library/v1/library.proto"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if s := Summary(got); s != "1 change, 0 breaking" {
		t.Errorf("Summary = %q", s)
	}
}

// TestNoFalseAlarms pairs the breaking rules with changes that must not
// fire them: each case changes base() in a way that breaks no client, and
// wants no breaking change at all.
func TestNoFalseAlarms(t *testing.T) {
	readOnly := func(r *registration.Registration) {
		r.Services[0].Methods = r.Services[0].Methods[:1]
		r.Services[0].Capabilities = []*registration.Capability{{Name: "read_only", Source: "inferred"}, {Name: "read", Source: "inferred", Methods: []string{"GetBook"}}}
	}
	tests := []struct {
		name   string
		change func(old, new *registration.Registration)
	}{
		{"a read-only service gains create, update and delete", func(old, new *registration.Registration) {
			readOnly(old)
			readOnly(new)
			s := new.Services[0]
			for _, m := range []string{"CreateBook", "UpdateBook", "DeleteBook"} {
				s.Methods = append(s.Methods, &registration.Method{Name: m, FullName: svc + "." + m, Streaming: registration.StreamingUnary})
			}
			s.Capabilities = []*registration.Capability{{Name: "read", Source: "inferred", Methods: []string{"GetBook"}},
				{Name: "write", Source: "inferred", Methods: []string{"CreateBook", "UpdateBook", "DeleteBook"}}}
		}},
		{"a service moves to another file", func(old, new *registration.Registration) {
			new.Services[0].File, new.Services[0].Line = "library/v1/service.proto", 40
		}},
		{"methods reordered", func(old, new *registration.Registration) {
			m := new.Services[0].Methods
			m[0], m[1] = m[1], m[0]
		}},
		{"descriptions and kinds change", func(old, new *registration.Registration) {
			get(new).Description, get(new).Kind = "Gets a book.", registration.KindCustom
		}},
		{"additional bindings reordered", func(old, new *registration.Registration) {
			b := export(new).Bindings
			b[0], b[1] = b[1], b[0]
		}},
		{"query parameters reordered, one added", func(old, new *registration.Registration) {
			get(old).Bindings[0].QueryParams = []string{"view", "read_mask"}
			get(new).Bindings[0].QueryParams = []string{"read_mask", "page_size", "view"}
		}},
		{"required fields reordered", func(old, new *registration.Registration) {
			get(old).RequiredFields = []string{"name", "view"}
			get(new).RequiredFields = []string{"view", "name"}
		}},
		{"a required field relaxed", func(old, new *registration.Registration) { get(new).RequiredFields = nil }},
		{"dependencies and events change", func(old, new *registration.Registration) {
			new.Services[0].Dependencies = nil
			new.Services[0].Events = append(new.Services[0].Events, &registration.Event{Name: "library.v1.Book.created", Source: "inferred"})
		}},
		{"the health service name is spelled out", func(old, new *registration.Registration) {
			new.Services[0].Health.Source = "declared"
		}},
		{"fields reordered and moved in the file", func(old, new *registration.Registration) {
			f := book(new).Fields
			f[0], f[2] = f[2], f[0]
			f[0].Line, book(new).Line = 90, 88
		}},
		{"a message and an enum only one side describes", func(old, new *registration.Registration) {
			old.Messages = append(old.Messages, &registration.Message{Name: "library.v1.Gone", File: "library/v1/library.proto",
				Fields: []*registration.Field{{Name: "x", Number: 1, JSONName: "x", Type: "string"}}})
			new.Enums = nil
		}},
		{"enum values reordered", func(old, new *registration.Registration) {
			new.Enums[0].Values = []string{"BOOK_VIEW_UNSPECIFIED", "FULL", "BASIC"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, new := base(), base()
			tt.change(old, new)
			for _, c := range Registrations(old, new) {
				if c.Breaking {
					t.Errorf("false alarm: %s", c)
				}
			}
		})
	}
}

// TestLocations checks that changes are located at the element in the new
// registration, a removed method at its service, and a removed service at
// the old one.
func TestLocations(t *testing.T) {
	locate := func(r *registration.Registration) {
		s := r.Services[0]
		s.Line, s.Column = 30, 1
		get(r).Line, get(r).Column = 32, 3
		export(r).Line, export(r).Column = 40, 3
	}
	at := func(c Change) string { return fmt.Sprintf("%s:%d:%d", c.File, c.Line, c.Column) }
	old, new := base(), base()
	locate(old)
	locate(new)
	new.Services[0].Line = 31 // the new file's lines win
	get(new).Line = 33
	get(new).OutputType = "library.v1.BookView"
	new.Services[0].Methods = new.Services[0].Methods[:1]
	want := map[string]string{
		MethodOutputTypeChanged: "library/v1/library.proto:33:3",
		MethodRemoved:           "library/v1/library.proto:31:1",
	}
	for _, c := range Registrations(old, new) {
		if w, ok := want[c.Rule]; !ok || at(c) != w {
			t.Errorf("%s at %s, want %q", c.Rule, at(c), w)
		}
		delete(want, c.Rule)
	}
	if len(want) > 0 {
		t.Errorf("missing changes: %v", want)
	}
	if got := Registrations(old, nil); len(got) != 1 || at(got[0]) != "library/v1/library.proto:30:1" {
		t.Errorf("removed service: %v", got)
	}
}
