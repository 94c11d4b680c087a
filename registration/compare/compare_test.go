package compare

import (
	"testing"

	"github.com/google/go-cmp/cmp"

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
	}
}

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
			[]Change{{ServiceRemoved, true, svc, "service library.v1.LibraryService removed"}}},
		{"service added", func(old, new *registration.Registration) {
			new.Services = append(new.Services, &registration.Service{Name: "library.v1.Admin"})
		}, []Change{{ServiceAdded, false, "library.v1.Admin", "service library.v1.Admin added"}}},
		{"service deprecated", func(old, new *registration.Registration) { new.Services[0].Deprecated = true },
			[]Change{{ServiceDeprecated, false, svc, "service library.v1.LibraryService deprecated"}}},
		{"service undeprecated", func(old, new *registration.Registration) { old.Services[0].Deprecated = true },
			[]Change{{ServiceUndeprecated, false, svc, "service library.v1.LibraryService no longer deprecated"}}},
		{"owner changed", func(old, new *registration.Registration) { new.Services[0].Owner = "" },
			[]Change{{ServiceOwnerChanged, false, svc, "service library.v1.LibraryService: owner changed from team-library to (none)"}}},
		{"health path changed", func(old, new *registration.Registration) { new.Services[0].Health.HTTPPath = "/livez" },
			[]Change{{HealthHTTPPathChange, true, svc, "service library.v1.LibraryService: HTTP health path changed from /healthz to /livez"}}},
		{"method removed", func(old, new *registration.Registration) { new.Services[0].Methods = new.Services[0].Methods[1:] },
			[]Change{{MethodRemoved, true, getRPC, "method library.v1.LibraryService.GetBook removed"}}},
		{"method added", func(old, new *registration.Registration) { old.Services[0].Methods = old.Services[0].Methods[1:] },
			[]Change{{MethodAdded, false, getRPC, "method library.v1.LibraryService.GetBook added"}}},
		{"input type changed", func(old, new *registration.Registration) { get(new).InputType = "library.v1.FetchBookRequest" },
			[]Change{{MethodInputTypeChanged, true, getRPC, "method library.v1.LibraryService.GetBook: request type changed from library.v1.GetBookRequest to library.v1.FetchBookRequest"}}},
		{"output type changed", func(old, new *registration.Registration) { get(new).OutputType = "library.v1.BookView" },
			[]Change{{MethodOutputTypeChanged, true, getRPC, "method library.v1.LibraryService.GetBook: response type changed from library.v1.Book to library.v1.BookView"}}},
		{"streaming changed", func(old, new *registration.Registration) { get(new).Streaming = registration.StreamingServer },
			[]Change{{MethodStreamingChanged, true, getRPC, "method library.v1.LibraryService.GetBook: streaming changed from unary to server"}}},
		{"idempotency changed", func(old, new *registration.Registration) { get(new).Idempotency = "" },
			[]Change{{MethodIdempotencyChanged, true, getRPC, "method library.v1.LibraryService.GetBook: idempotency changed from no_side_effects to (none)"}}},
		{"long-running result changed", func(old, new *registration.Registration) {
			export(new).LongRunning = &registration.LongRunning{ResponseType: "library.v1.ExportResult", MetadataType: "library.v1.ExportMetadata"}
		}, []Change{{MethodLongRunningChanged, true, "library.v1.LibraryService.ExportBooks",
			"method library.v1.LibraryService.ExportBooks: long-running result changed from library.v1.ExportBooksResponse to library.v1.ExportResult (metadata library.v1.ExportMetadata)"}}},
		{"no longer long-running", func(old, new *registration.Registration) { export(new).LongRunning = nil },
			[]Change{{MethodLongRunningChanged, true, "library.v1.LibraryService.ExportBooks",
				"method library.v1.LibraryService.ExportBooks: long-running result changed from library.v1.ExportBooksResponse to (not long-running)"}}},
		{"required field added", func(old, new *registration.Registration) { get(new).RequiredFields = []string{"name", "view"} },
			[]Change{{MethodRequiredFieldAdded, true, getRPC, "method library.v1.LibraryService.GetBook: request field view became required"}}},
		{"required field removed", func(old, new *registration.Registration) { get(new).RequiredFields = nil },
			[]Change{{MethodRequiredFieldRemoved, false, getRPC, "method library.v1.LibraryService.GetBook: request field name no longer required"}}},
		{"method deprecated", func(old, new *registration.Registration) { get(new).Deprecated = true },
			[]Change{{MethodDeprecated, false, getRPC, "method library.v1.LibraryService.GetBook deprecated"}}},
		{"method undeprecated", func(old, new *registration.Registration) { get(old).Deprecated = true },
			[]Change{{MethodUndeprecated, false, getRPC, "method library.v1.LibraryService.GetBook no longer deprecated"}}},
		{"kind changed", func(old, new *registration.Registration) { get(new).Kind = registration.KindCustom },
			[]Change{{MethodKindChanged, false, getRPC, "method library.v1.LibraryService.GetBook: kind changed from get to custom"}}},
		{"resource changed", func(old, new *registration.Registration) { get(new).Resource = nil },
			[]Change{{MethodResourceChanged, false, getRPC, "method library.v1.LibraryService.GetBook: resource changed from library.example.com/Book to (none)"}}},
		{"binding removed", func(old, new *registration.Registration) { get(new).Bindings = nil },
			[]Change{{BindingRemoved, true, getRoute, "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*} removed"}}},
		{"binding added", func(old, new *registration.Registration) {
			get(new).Bindings = append(get(new).Bindings, &registration.Binding{Method: "GET", Path: "/v1/{name=books/*}"})
		}, []Change{{BindingAdded, false, getRPC + " GET /v1/{name=books/*}", "method library.v1.LibraryService.GetBook: binding GET /v1/{name=books/*} added"}}},
		{"verb changed", func(old, new *registration.Registration) { get(new).Bindings[0].Method = "POST" },
			[]Change{{BindingVerbChanged, true, getRoute, "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: HTTP method changed to POST"}}},
		{"single binding's path changed", func(old, new *registration.Registration) { get(new).Bindings[0].Path = "/v2/{name=shelves/*/books/*}" },
			[]Change{{BindingPathChanged, true, getRoute, "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: path changed to /v2/{name=shelves/*/books/*}"}}},
		{"single binding's verb and path changed", func(old, new *registration.Registration) {
			get(new).Bindings[0].Method, get(new).Bindings[0].Path = "POST", "/v1/books:get"
		}, []Change{
			{BindingVerbChanged, true, getRoute, "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: HTTP method changed to POST"},
			{BindingPathChanged, true, getRoute, "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: path changed to /v1/books:get"},
		}},
		{"second of two bindings' path changed", func(old, new *registration.Registration) { export(new).Bindings[1].Path = "/v1/library:export" },
			[]Change{{BindingPathChanged, true, "library.v1.LibraryService.ExportBooks POST /v1/books:export",
				"method library.v1.LibraryService.ExportBooks: binding POST /v1/books:export: path changed to /v1/library:export"}}},
		{"bindings reordered", func(old, new *registration.Registration) {
			b := export(new).Bindings
			b[0], b[1] = b[1], b[0]
		}, nil},
		{"one of two bindings removed, the other kept", func(old, new *registration.Registration) { export(new).Bindings = export(new).Bindings[1:] },
			[]Change{{BindingRemoved, true, "library.v1.LibraryService.ExportBooks POST /v1/{parent=shelves/*}/books:export",
				"method library.v1.LibraryService.ExportBooks: binding POST /v1/{parent=shelves/*}/books:export removed"}}},
		{"body changed", func(old, new *registration.Registration) { export(new).Bindings[0].Body = "request" },
			[]Change{{BindingBodyChanged, true, "library.v1.LibraryService.ExportBooks POST /v1/{parent=shelves/*}/books:export",
				`method library.v1.LibraryService.ExportBooks: binding POST /v1/{parent=shelves/*}/books:export: body changed from "*" to "request"`}}},
		{"body changed hides query parameter changes", func(old, new *registration.Registration) {
			get(new).Bindings[0].Body, get(new).Bindings[0].QueryParams = "*", nil
		}, []Change{{BindingBodyChanged, true, getRoute, `method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: body changed from (none) to "*"`}}},
		{"response body changed", func(old, new *registration.Registration) { get(new).Bindings[0].ResponseBody = "book" },
			[]Change{{BindingResponseBodyChanged, true, getRoute, `method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: response body changed from (none) to "book"`}}},
		{"query parameter removed", func(old, new *registration.Registration) { get(new).Bindings[0].QueryParams = nil },
			[]Change{{BindingQueryParamRemoved, true, getRoute, "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: query parameter view removed"}}},
		{"query parameter added", func(old, new *registration.Registration) {
			get(new).Bindings[0].QueryParams = []string{"view", "read_mask"}
		},
			[]Change{{BindingQueryParamAdded, false, getRoute, "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*}: query parameter read_mask added"}}},
		{"capability removed", func(old, new *registration.Registration) { new.Services[0].Capabilities = nil },
			[]Change{{CapabilityRemoved, true, svc, "service library.v1.LibraryService: capability export removed"}}},
		{"capability added", func(old, new *registration.Registration) {
			new.Services[0].Capabilities = append(new.Services[0].Capabilities, &registration.Capability{Name: "lending", Source: "declared"})
		}, []Change{{CapabilityAdded, false, svc, "service library.v1.LibraryService: capability lending added"}}},
		{"dependency kind changed", func(old, new *registration.Registration) { new.Services[0].Dependencies[0].Kind = "schema" },
			[]Change{
				{DependencyRemoved, false, svc, "service library.v1.LibraryService: resource dependency on identity.v1.UserService removed"},
				{DependencyAdded, false, svc, "service library.v1.LibraryService: schema dependency on identity.v1.UserService added"},
			}},
		{"dependency evidence changed", func(old, new *registration.Registration) {
			new.Services[0].Dependencies[0].Evidence = []string{"library.v1.Loan.member"}
		}, nil},
		{"event removed and added", func(old, new *registration.Registration) { new.Services[0].Events[0].Name = "library.v1.Book.archived" },
			[]Change{
				{EventRemoved, false, svc, "service library.v1.LibraryService: event library.v1.Book.exported removed"},
				{EventAdded, false, svc, "service library.v1.LibraryService: event library.v1.Book.archived added"},
			}},
		{"order: service changes, methods, then capabilities", func(old, new *registration.Registration) {
			new.Services[0].Capabilities = nil
			new.Services[0].Owner = "team-books"
			get(new).OutputType = "library.v1.BookView"
			get(new).Bindings = nil
		}, []Change{
			{ServiceOwnerChanged, false, svc, "service library.v1.LibraryService: owner changed from team-library to team-books"},
			{MethodOutputTypeChanged, true, getRPC, "method library.v1.LibraryService.GetBook: response type changed from library.v1.Book to library.v1.BookView"},
			{BindingRemoved, true, getRoute, "method library.v1.LibraryService.GetBook: binding GET /v1/{name=shelves/*/books/*} removed"},
			{CapabilityRemoved, true, svc, "service library.v1.LibraryService: capability export removed"},
		}},
	}
	covered := make(map[string]bool)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, new := base(), base()
			tt.change(old, new)
			got := Registrations(old, new)
			if diff := cmp.Diff(tt.want, got); diff != "" {
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
	want := []Change{{ServiceAdded, false, svc, "service library.v1.LibraryService added"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if s := Summary(got); s != "1 change, 0 breaking" {
		t.Errorf("Summary = %q", s)
	}
}
