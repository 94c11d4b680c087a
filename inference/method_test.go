package inference

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/ovasabi/protoc-gen-registration/internal/compile"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// linkCase compiles a plugin test case and returns its linked files.
func linkCase(t *testing.T, dir string, files ...string) *protoregistry.Files {
	t.Helper()
	req, err := compile.Request(context.Background(), []string{dir, "../third_party/googleapis", "../proto"}, files, "")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := protodesc.NewFiles(&descriptorpb.FileDescriptorSet{File: req.GetProtoFile()})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestMethodKind checks the classification of every method of the kinds
// case, and in particular that names which only look like standard methods
// stay custom.
func TestMethodKind(t *testing.T) {
	files := linkCase(t, "../plugin/testdata/cases/kinds", "kinds/v1/kinds.proto")
	d, err := files.FindDescriptorByName("kinds.v1.Books")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"GetBook":           registration.KindGet,
		"ListBooks":         registration.KindList,
		"CreateBook":        registration.KindCreate, // long-running
		"UpdateBook":        registration.KindUpdate,
		"DeleteBook":        registration.KindDelete,
		"DeleteBookEntries": registration.KindCustom, // POST ...:purge
		"DeleteBookCover":   registration.KindCustom, // deletes no BookCover: name refers to a Book
		"ListAnythings":     registration.KindList,
		"BatchGetBooks":     registration.KindBatchGet,
		"BatchCreateBooks":  registration.KindBatchCreate,
		"BatchDeleteBooks":  registration.KindBatchDelete,
		"SearchBooks":       registration.KindSearch,
		"WatchBooks":        registration.KindWatch,
		"ImportBooks":       registration.KindImport,
		"ExportBooks":       registration.KindExport,
		"ArchiveBook":       registration.KindCustom,
		"GetIamPolicy":      registration.KindCustom, // returns Policy, not IamPolicy
		"ListenForEvents":   registration.KindCustom, // "List" is not a whole word
		"Getaway":           registration.KindCustom, // nor is "Get"
		"WatchOnce":         registration.KindCustom, // a watch streams
		"CreateBookmark":    registration.KindCustom, // returns Book, not Bookmark
		"Search":            registration.KindCustom, // searches nothing in particular
	}
	got := make(map[string]string)
	methods := d.(protoreflect.ServiceDescriptor).Methods()
	for i := range methods.Len() {
		got[string(methods.Get(i).Name())] = MethodKind(methods.Get(i))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}

// TestDescribeMethod checks the facts beyond the kind for a few methods.
func TestDescribeMethod(t *testing.T) {
	files := linkCase(t, "../plugin/testdata/cases/kinds", "kinds/v1/kinds.proto")
	method := func(name string) protoreflect.MethodDescriptor {
		d, err := files.FindDescriptorByName(protoreflect.FullName("kinds.v1.Books." + name))
		if err != nil {
			t.Fatal(err)
		}
		return d.(protoreflect.MethodDescriptor)
	}
	book := &registration.Resource{Type: "kinds.example.com/Book", Source: registration.SourceAnnotation}
	tests := []struct {
		method string
		want   MethodFacts
	}{
		{"GetBook", MethodFacts{Kind: "get", Resource: withEvidence(book, "kinds.v1.Book"), Idempotency: "no_side_effects", ReadOnly: true, RequiredFields: []string{"name"}}},
		{"CreateBook", MethodFacts{Kind: "create", Resource: withEvidence(book, "book"),
			LongRunning:    &registration.LongRunning{ResponseType: "kinds.v1.Book", MetadataType: "kinds.v1.OperationMetadata"},
			RequiredFields: []string{"parent", "book", "book.title", "book.author", "book.author.display_name", "book.author.mentor"}}},
		{"UpdateBook", MethodFacts{Kind: "update", Resource: withEvidence(book, "kinds.v1.Book"), Idempotency: "idempotent",
			RequiredFields: []string{"book", "book.title", "book.author", "book.author.display_name", "book.author.mentor"}}},
		{"BatchGetBooks", MethodFacts{Kind: "batch_get", ReadOnly: true,
			Resource: &registration.Resource{Type: "kinds.example.com/Book", Source: registration.SourceInferred, Evidence: "BatchGetBooks"}}},
		{"GetIamPolicy", MethodFacts{Kind: "custom"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, DescribeMethod(method(tt.method), files)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.method, diff)
		}
	}
}

func withEvidence(r *registration.Resource, evidence string) *registration.Resource {
	c := *r
	c.Evidence = evidence
	return &c
}
