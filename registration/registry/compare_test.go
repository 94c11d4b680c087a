package registry

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// TestCompare compares registrations with a server described by plain
// values, as the registration command does with what server reflection
// reports.
func TestCompare(t *testing.T) {
	method := func(name, streaming, in, out string) *registration.Method {
		return &registration.Method{Name: name, Streaming: streaming, InputType: in, OutputType: out}
	}
	library := &registration.Service{Name: "library.v1.Library", Methods: []*registration.Method{
		method("GetBook", "unary", "library.v1.GetBookRequest", "library.v1.Book"),
		nil,
		method("MoveBook", "unary", "library.v1.MoveBookRequest", "library.v1.Book"),
		method("DeleteBook", "unary", "library.v1.DeleteBookRequest", "google.protobuf.Empty"),
		method("ListBooks", "unary", "library.v1.ListBooksRequest", "library.v1.ListBooksResponse"),
	}}
	shelves := &registration.Service{Name: "library.v1.Shelves", Methods: []*registration.Method{method("GetShelf", "unary", "library.v1.GetShelfRequest", "library.v1.Shelf")}}
	notify := &registration.Service{Name: "notify.v1.Notify"}
	served := []ServedService{
		{Name: "library.v1.Library", Methods: []ServedMethod{
			{Name: "ListBooks", Streaming: "unary", InputType: "library.v1.ListBooksRequest", OutputType: "library.v1.ListBooksPage"},
			{Name: "GetBook", Streaming: "unary", InputType: "library.v1.FetchBookRequest", OutputType: "library.v1.Book"},
			{Name: "MoveBook", Streaming: "server"}, // types unknown: not compared
			{Name: "Debug", Streaming: "unary"},
			{Name: "ArchiveBook", Streaming: "unary"},
		}},
		{Name: "library.v1.Shelves", Methods: []ServedMethod{{Name: "GetShelf", Streaming: "unary"}, {Name: "PurgeShelves", Streaming: "unary"}, {Name: "AuditShelves", Streaming: "unary"}}},
		{Name: "z.v1.Z"},
		{Name: "grpc.health.v1.Health"},
		{Name: "a.v1.A"},
	}
	got := Compare([]Expected{
		// The library's definition declares ArchiveBook, not Debug.
		{Service: library, Declared: []string{"GetBook", "MoveBook", "DeleteBook", "ListBooks", "ArchiveBook"}},
		{Service: nil},
		{Service: notify},
		// Nothing known of the shelves' definition: extra methods are only
		// unregistered.
		{Service: shelves},
	}, served)
	want := Comparison{
		Problems: []Problem{
			{Kind: InputTypeMismatch, Service: "library.v1.Library", Method: "GetBook", Want: "library.v1.GetBookRequest", Got: "library.v1.FetchBookRequest"},
			{Kind: StreamingMismatch, Service: "library.v1.Library", Method: "MoveBook", Want: "unary", Got: "server"},
			{Kind: MissingMethod, Service: "library.v1.Library", Method: "DeleteBook"},
			{Kind: OutputTypeMismatch, Service: "library.v1.Library", Method: "ListBooks", Want: "library.v1.ListBooksResponse", Got: "library.v1.ListBooksPage"},
			{Kind: ExtraMethod, Service: "library.v1.Library", Method: "Debug"},
			{Kind: MissingService, Service: "notify.v1.Notify"},
		},
		Unregistered: []string{"library.v1.Library.ArchiveBook", "library.v1.Shelves.AuditShelves", "library.v1.Shelves.PurgeShelves", "a.v1.A", "z.v1.Z"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
	var messages []string
	for _, p := range got.Problems {
		messages = append(messages, string(p.Kind)+" "+p.Element()+": "+p.String())
	}
	wantMessages := []string{
		"INPUT_TYPE_MISMATCH library.v1.Library.GetBook: method library.v1.Library.GetBook is registered with request type library.v1.GetBookRequest but served with library.v1.FetchBookRequest",
		"STREAMING_MISMATCH library.v1.Library.MoveBook: method library.v1.Library.MoveBook is registered as unary but served as server",
		"MISSING_METHOD library.v1.Library.DeleteBook: method library.v1.Library.DeleteBook is registered but not served",
		"OUTPUT_TYPE_MISMATCH library.v1.Library.ListBooks: method library.v1.Library.ListBooks is registered with response type library.v1.ListBooksResponse but served with library.v1.ListBooksPage",
		"EXTRA_METHOD library.v1.Library.Debug: method library.v1.Library.Debug is served but not in the registration",
		"MISSING_SERVICE notify.v1.Notify: service notify.v1.Notify is registered but not served",
	}
	if diff := cmp.Diff(wantMessages, messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
