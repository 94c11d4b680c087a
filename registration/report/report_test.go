package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

// shelf is a small model: one service with two methods, a binding, a
// capability, a dependency listed twice and one external, and two events.
func shelf() *registration.Service {
	return &registration.Service{
		Name: "shop.v1.Shelf", Package: "shop.v1", Version: "v1", File: "shop/v1/shelf.proto",
		Description: "Shelves\n  hold   books.",
		Methods: []*registration.Method{
			{Name: "GetShelf", Kind: "get", Streaming: registration.StreamingUnary, InputType: "shop.v1.GetShelfRequest", OutputType: "shop.v1.Shelf",
				ReadOnly: true, Resource: &registration.Resource{Type: "shop.example.com/Shelf"},
				Bindings: []*registration.Binding{{Method: "GET", Path: "/v1/{name=shelves/*}", Source: registration.SourceAnnotation}}},
			{Name: "Watch", Kind: "custom", Streaming: registration.StreamingServer, InputType: "shop.v1.WatchRequest", OutputType: "shop.v1.Event"},
		},
		Capabilities: []*registration.Capability{{Name: "streaming", Source: registration.SourceInferred, Methods: []string{"Watch"}}},
		Dependencies: []*registration.Dependency{
			{Service: "shop.v1.Stock", Kind: registration.DependencyResource},
			{Service: "shop.v1.Stock", Kind: registration.DependencySchema},
			{Service: "billing.v1", Kind: registration.DependencySchema, External: true, Evidence: []string{"shop.v1.Shelf.price"}},
		},
		Events: []*registration.Event{
			{Name: "shop.v1.Shelf.created", Method: "shop.v1.Shelf.GetShelf", Source: registration.SourceDeclared},
			{Name: "shop.v1.Shelf.moved", Source: registration.SourceInferred},
		},
	}
}

func write(t *testing.T, f func(*bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// wantLines checks that each line of want is a whole line of got.
func wantLines(t *testing.T, got string, want ...string) {
	t.Helper()
	lines := strings.Split(got, "\n")
	for _, w := range want {
		found := false
		for _, l := range lines {
			if l == w {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no line %q in\n%s", w, got)
		}
	}
}

func TestServices(t *testing.T) {
	rows := report.Services([]*registration.Service{shelf(), {Name: "shop.v1.Empty", Package: "shop.v1", File: "shop/v1/empty.proto"}})
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(rows))
	}
	r := rows[0]
	if r.Methods != 2 || r.Bindings != 1 || strings.Join(r.Dependencies, "|") != "shop.v1.Stock|billing.v1 (external)" {
		t.Errorf("row %+v: want 2 methods, 1 binding, the dependency on Stock once and billing.v1 external", r)
	}

	table := write(t, func(b *bytes.Buffer) error { return report.WriteServices(b, report.FormatTable, rows) })
	wantLines(t, table,
		"SERVICE        PACKAGE  METHODS  BINDINGS  CAPABILITIES  DEPENDENCIES                         FILE",
		"shop.v1.Shelf  shop.v1  2        1         streaming     shop.v1.Stock,billing.v1 (external)  shop/v1/shelf.proto",
		"shop.v1.Empty  shop.v1  0        0         -             -                                    shop/v1/empty.proto",
		"2 services, 2 methods, 1 REST binding")

	// An empty capability list is [] in JSON, not null.
	js := write(t, func(b *bytes.Buffer) error { return report.WriteServices(b, report.FormatJSON, rows[1:]) })
	if !strings.Contains(js, `"capabilities": [],`) || !strings.HasPrefix(js, "[\n  {\n    \"name\": \"shop.v1.Empty\",") {
		t.Errorf("JSON:\n%s", js)
	}
	yml := write(t, func(b *bytes.Buffer) error { return report.WriteServices(b, report.FormatYAML, rows[:1]) })
	wantLines(t, yml, "- name: shop.v1.Shelf", "  bindings: 1", "    - billing.v1 (external)")
}

func TestEvents(t *testing.T) {
	rows := report.Events([]*registration.Service{shelf()})
	table := write(t, func(b *bytes.Buffer) error { return report.WriteEvents(b, report.FormatTable, rows) })
	wantLines(t, table,
		"EVENT                  SERVICE        METHOD    SOURCE",
		// The method's short name, and "-" for none.
		"shop.v1.Shelf.created  shop.v1.Shelf  GetShelf  declared",
		"shop.v1.Shelf.moved    shop.v1.Shelf  -         inferred",
		"2 events")

	var got []map[string]string
	js := write(t, func(b *bytes.Buffer) error { return report.WriteEvents(b, report.FormatJSON, rows) })
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0]["method"] != "shop.v1.Shelf.GetShelf" {
		t.Errorf("JSON: the full method name of the first event, got\n%s", js)
	}
	if _, ok := got[1]["method"]; ok {
		t.Errorf("JSON: an event without a method has no method field, got\n%s", js)
	}

	// No events: an empty list, and the count says so.
	if js := write(t, func(b *bytes.Buffer) error { return report.WriteEvents(b, report.FormatJSON, nil) }); js != "[]\n" {
		t.Errorf("JSON of no events = %q, want %q", js, "[]\n")
	}
	if yml := write(t, func(b *bytes.Buffer) error { return report.WriteEvents(b, report.FormatYAML, report.Events(nil)) }); yml != "[]\n" {
		t.Errorf("YAML of no events = %q, want %q", yml, "[]\n")
	}
}

func TestWriteService(t *testing.T) {
	s := shelf()
	table := write(t, func(b *bytes.Buffer) error { return report.WriteService(b, report.FormatTable, s) })
	wantLines(t, table,
		"service        shop.v1.Shelf",
		"package        shop.v1 (version v1)",
		"description    Shelves hold books.",
		"message types  0",
		"METHOD    KIND    STREAMING  INPUT                    OUTPUT         RESOURCE                TRAITS",
		"GetShelf  get     unary      shop.v1.GetShelfRequest  shop.v1.Shelf  shop.example.com/Shelf  read_only",
		"Watch     custom  server     shop.v1.WatchRequest     shop.v1.Event  -                       -",
		"GetShelf  GET   /v1/{name=shelves/*}  -     -              -      annotation",
		"billing.v1     schema    yes       shop.v1.Shelf.price",
		"shop.v1.Shelf.moved    -                       inferred")
	for _, absent := range []string{"owner", "deprecated", "health"} {
		if strings.Contains(table, absent) {
			t.Errorf("table has %q, which the service leaves empty:\n%s", absent, table)
		}
	}

	// JSON is the service as the format has it.
	js := write(t, func(b *bytes.Buffer) error { return report.WriteService(b, report.FormatJSON, s) })
	var back registration.Service
	if err := json.Unmarshal([]byte(js), &back); err != nil {
		t.Fatal(err)
	}
	if back.Methods[0].Bindings[0].Path != "/v1/{name=shelves/*}" || !strings.Contains(js, `"/v1/{name=shelves/*}"`) {
		t.Errorf("JSON does not keep the path template as written:\n%s", js)
	}
	yml := write(t, func(b *bytes.Buffer) error { return report.WriteService(b, report.FormatYAML, s) })
	wantLines(t, yml, "name: shop.v1.Shelf", "version: v1")

	// Sections with nothing to list are left out.
	bare := &registration.Service{Name: "a.B", Package: "a", File: "a.proto"}
	table = write(t, func(b *bytes.Buffer) error { return report.WriteService(b, report.FormatTable, bare) })
	for _, h := range []string{"HTTP", "CAPABILITY", "DEPENDENCY", "EVENT"} {
		if strings.Contains(table, h) {
			t.Errorf("table of a bare service has a %s section:\n%s", h, table)
		}
	}
}

// TestNil covers null elements, which registration/load refuses but a
// caller building the model by hand may leave: they are skipped.
func TestNil(t *testing.T) {
	s := &registration.Service{
		Name: "a.B", Package: "a", File: "a.proto",
		Methods:      []*registration.Method{nil, {Name: "M", Bindings: []*registration.Binding{nil}}},
		Capabilities: []*registration.Capability{nil},
		Dependencies: []*registration.Dependency{nil},
		Events:       []*registration.Event{nil},
	}
	services := []*registration.Service{nil, s}

	rows := report.Services(services)
	if len(rows) != 1 || rows[0].Methods != 1 || rows[0].Bindings != 0 || len(rows[0].Capabilities) != 0 || len(rows[0].Dependencies) != 0 {
		t.Errorf("Services = %+v, want one row with 1 method and nothing else", rows)
	}
	if ev := report.Events(services); len(ev) != 0 {
		t.Errorf("Events = %+v, want none", ev)
	}
	for _, format := range []string{report.FormatTable, report.FormatJSON, report.FormatYAML} {
		list := write(t, func(b *bytes.Buffer) error { return report.WriteServices(b, format, rows) })
		list += write(t, func(b *bytes.Buffer) error { return report.WriteEvents(b, format, nil) })
		inspect := write(t, func(b *bytes.Buffer) error { return report.WriteService(b, format, s) })
		if format != report.FormatTable {
			continue
		}
		wantLines(t, list, "1 service, 1 method, 0 REST bindings", "0 events")
		wantLines(t, inspect, "M                                       -         -")
		for _, h := range []string{"HTTP", "CAPABILITY", "DEPENDENCY", "EVENT"} {
			if strings.Contains(inspect, h) {
				t.Errorf("inspect table has a %s section for nil elements only:\n%s", h, inspect)
			}
		}
	}
	if err := report.WriteService(&bytes.Buffer{}, report.FormatTable, nil); err == nil {
		t.Error("WriteService of a nil service: no error")
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := report.WriteServices(&buf, "xml", nil)
	if err == nil || !strings.Contains(err.Error(), `"xml"`) || buf.Len() != 0 {
		t.Errorf("WriteServices(xml) = %v, wrote %q; want an error naming the format and nothing written", err, buf.String())
	}
}
