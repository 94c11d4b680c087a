package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// shape is the form of a synthetic tree; see newSynthTree and the package
// comment.
type shape string

// The shapes -shape accepts.
const (
	shapeFlat     shape = "flat"
	shapeChained  shape = "chained"
	shapeVersions shape = "versions"
)

// shapes lists the valid shapes in the order -help shows them.
var shapes = []shape{shapeFlat, shapeChained, shapeVersions}

// goPackageBase is the Go import path under which synthetic packages claim
// to live; protogen insists on a go_package, nothing is ever written there.
const goPackageBase = "github.com/ovasabi/protoc-gen-registration/internal/bench/synth/"

// synthService describes one generated service file. Every name that must be
// unique within a proto package (messages, services) carries Idx, and every
// HTTP route carries Version and Route, so the tree never has symbol
// collisions or route conflicts, whatever N and the shape are.
type synthService struct {
	// Idx names the service and its messages (Service0003, Book0003). In
	// the flat and chained shapes it is the global service number; in the
	// versions shape it is the service's slot within its API, so that every
	// version of an API declares the same names.
	Idx       string
	Pkg       string // proto package, e.g. "synth.p0001.v1"
	Dir       string // directory of the file, e.g. "synth/p0001/v1"
	File      string // path relative to the import root
	GoPackage string // go_package option value; protogen insists on one
	// Version is the first segment of every HTTP path ("v1", "v1beta1"), as
	// in real APIs, where it keeps the versions apart on one host.
	Version string
	// Route is a literal route prefix that, with Version, makes the
	// service's paths unique in the request, e.g. "p0001/s0003".
	Route string
	// ResourceType is the google.api.resource type of Book: unique per
	// service in the flat and chained shapes, shared by the versions of an
	// API in the versions shape.
	ResourceType string
	// Host is the service's google.api.default_host; empty for none.
	Host       string
	CreateBody string // "book" or "*": both body styles get exercised
	// ExtraBindings adds additional_bindings to Get and Create on some
	// services, so the plugin's handling of them is part of the cost.
	ExtraBindings bool
	// Prev is the service whose file this one imports for cross-package
	// message and resource references: the same slot of the previous
	// package (flat, chained) or of the previous API's first version
	// (versions). Nil in the first package or API.
	Prev *synthService
	// PrevType is the full name of the message from Prev's file that this
	// file's messages hold as a field: Prev's BookRef (a leaf) in the flat
	// and versions shapes, Prev's Book in the chained shape.
	PrevType string
}

// synthTree is the list of generated services in generation order, which is
// also the order used for files_to_generate.
type synthTree []*synthService

// newSynthTree lays out n services of the given shape, perPackage per proto
// package.
//
// flat and chained: service k (0-based) lives in package synth.pP.v1 with
// P = k/perPackage+1; its Prev is service k-perPackage, which is always in
// the previous package because every package but the last is full. In the
// flat shape cross-package message fields point at the previous package's
// BookRef, a leaf message, so the depth of message nesting stays constant
// and per-service work can be compared across N. In the chained shape they
// point at the previous package's Book, which points at the one before it,
// and so on: the nesting depth then grows with the number of packages
// (N/perPackage), which stresses anything that expands message fields
// recursively (query parameters of message type, schema dependencies) and
// makes time per service grow with N by construction.
//
// versions: see newVersionsTree.
func newSynthTree(n, perPackage int, sh shape) synthTree {
	if sh == shapeVersions {
		return newVersionsTree(n, perPackage)
	}
	tree := make(synthTree, n)
	for k := range n {
		p := fmt.Sprintf("p%04d", k/perPackage+1)
		idx := fmt.Sprintf("%04d", k+1)
		s := &synthService{
			Idx:           idx,
			Pkg:           "synth." + p + ".v1",
			Dir:           "synth/" + p + "/v1",
			GoPackage:     goPackageBase + p + "/v1;" + p + "v1",
			Version:       "v1",
			Route:         p + "/s" + idx,
			ResourceType:  "synth.example.com/Book" + idx,
			CreateBody:    createBody(k),
			ExtraBindings: k%3 == 0,
		}
		s.File = s.Dir + "/service_" + idx + ".proto"
		if k >= perPackage {
			s.Prev = tree[k-perPackage]
			s.PrevType = s.Prev.Pkg + ".BookRef" + s.Prev.Idx
			if sh == shapeChained {
				s.PrevType = s.Prev.Pkg + ".Book" + s.Prev.Idx
			}
		}
		tree[k] = s
	}
	return tree
}

// apiVersions returns the versions of the API with 0-based index api: three
// for even indexes, two for odd ones, so that the tree has both.
func apiVersions(api int) []string {
	if api%2 == 0 {
		return []string{"v1", "v1beta1", "v2alpha"}
	}
	return []string{"v1", "v1beta1"}
}

// newVersionsTree lays out n services as APIs that exist in two or three
// versions, like most published APIs: API P has the packages synth.pP.v1,
// synth.pP.v1beta1 and (every other API) synth.pP.v2alpha, each with the
// same perPackage services Service0001, Service0002, ... (the last API may
// be cut short to make n). Every version of an API declares the same
// resource types (synth-pP.example.com/Book0001, ...) with the same
// patterns, and its services carry the API's default_host
// synth-pP.example.com; the versions' HTTP paths differ by their first
// segment (/v1/..., /v1beta1/...), so routes never conflict on a host.
// Between APIs, every service imports the same slot of the previous API's
// v1, holds its BookRef as a field and refers to its resource type, which
// that API declares once per version.
func newVersionsTree(n, perPackage int) synthTree {
	tree := make(synthTree, 0, n)
	var prevV1 []*synthService // the previous API's v1 services, by slot
	for api := 0; len(tree) < n; api++ {
		p := fmt.Sprintf("p%04d", api+1)
		var v1 []*synthService
		for _, version := range apiVersions(api) {
			for slot := 0; slot < perPackage && len(tree) < n; slot++ {
				k := len(tree)
				idx := fmt.Sprintf("%04d", slot+1)
				s := &synthService{
					Idx:           idx,
					Pkg:           "synth." + p + "." + version,
					Dir:           "synth/" + p + "/" + version,
					GoPackage:     goPackageBase + p + "/" + version + ";" + p + version,
					Version:       version,
					Route:         p + "/s" + idx,
					ResourceType:  "synth-" + p + ".example.com/Book" + idx,
					Host:          "synth-" + p + ".example.com",
					CreateBody:    createBody(k),
					ExtraBindings: k%3 == 0,
				}
				s.File = s.Dir + "/service_" + idx + ".proto"
				if slot < len(prevV1) {
					s.Prev = prevV1[slot]
					s.PrevType = s.Prev.Pkg + ".BookRef" + s.Prev.Idx
				}
				if version == "v1" {
					v1 = append(v1, s)
				}
				tree = append(tree, s)
			}
		}
		prevV1 = v1
	}
	return tree
}

// createBody alternates the two body styles of Create between services.
func createBody(k int) string {
	if k%2 == 1 {
		return "*"
	}
	return "book"
}

// files returns the import-relative paths of all service files, in order.
func (t synthTree) files() []string {
	out := make([]string, len(t))
	for i, s := range t {
		out[i] = s.File
	}
	return out
}

// packages counts the distinct proto packages in the tree.
func (t synthTree) packages() int {
	seen := map[string]bool{}
	for _, s := range t {
		seen[s.Pkg] = true
	}
	return len(seen)
}

// write renders every service file under root.
func (t synthTree) write(root string) error {
	for _, s := range t {
		path := filepath.Join(root, filepath.FromSlash(s.File))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		var b strings.Builder
		if err := serviceTemplate.Execute(&b, s); err != nil {
			return fmt.Errorf("rendering %s: %w", s.File, err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// serviceTemplate is one synthetic service file: a resource, five REST-mapped
// methods with their request/response messages, leading comments everywhere a
// real API has them, a default_host when the shape gives one, and (outside
// the first package or API) references into Prev's file both as a message
// field and as a resource_reference.
var serviceTemplate = template.Must(template.New("service").Parse(`// Code generated by internal/bench. DO NOT EDIT.

syntax = "proto3";

package {{.Pkg}};

import "google/api/annotations.proto";
{{- if .Host}}
import "google/api/client.proto";
{{- end}}
import "google/api/field_behavior.proto";
import "google/api/resource.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/timestamp.proto";
{{- if .Prev}}
import "{{.Prev.File}}";
{{- end}}

option go_package = "{{.GoPackage}}";

// Service{{.Idx}} manages Book{{.Idx}} resources on shelves.
//
// It is synthetic: one of N services generated by the benchmark so that the
// plugin sees realistic HTTP rules, resources and comments at scale.
service Service{{.Idx}} {
{{- if .Host}}
  option (google.api.default_host) = "{{.Host}}";
{{end}}
  // GetBook returns a single Book{{.Idx}} by resource name.
  rpc GetBook(GetBook{{.Idx}}Request) returns (Book{{.Idx}}) {
    option (google.api.http) = {
      get: "/{{.Version}}/{name={{.Route}}/shelves/*/books/*}"
{{- if .ExtraBindings}}
      additional_bindings {
        get: "/{{.Version}}/{name={{.Route}}/libraries/*/shelves/*/books/*}"
      }
{{- end}}
    };
  }

  // ListBooks lists the Book{{.Idx}} resources on a shelf, one page at a time.
  // Paging, filtering and ordering travel as query parameters.
  rpc ListBooks(ListBooks{{.Idx}}Request) returns (ListBooks{{.Idx}}Response) {
    option (google.api.http) = {
      get: "/{{.Version}}/{parent={{.Route}}/shelves/*}/books"
    };
  }

  // CreateBook adds a new Book{{.Idx}} to a shelf.
  rpc CreateBook(CreateBook{{.Idx}}Request) returns (Book{{.Idx}}) {
    option (google.api.http) = {
      post: "/{{.Version}}/{parent={{.Route}}/shelves/*}/books"
      body: "{{.CreateBody}}"
{{- if .ExtraBindings}}
      additional_bindings {
        post: "/{{.Version}}/{parent={{.Route}}/libraries/*/shelves/*}/books"
        body: "{{.CreateBody}}"
      }
{{- end}}
    };
  }

  // UpdateBook changes the fields of a Book{{.Idx}} listed in update_mask.
  rpc UpdateBook(UpdateBook{{.Idx}}Request) returns (Book{{.Idx}}) {
    option (google.api.http) = {
      patch: "/{{.Version}}/{book.name={{.Route}}/shelves/*/books/*}"
      body: "book"
    };
  }

  // DeleteBook removes a Book{{.Idx}}.
  rpc DeleteBook(DeleteBook{{.Idx}}Request) returns (google.protobuf.Empty) {
    option (google.api.http) = {
      delete: "/{{.Version}}/{name={{.Route}}/shelves/*/books/*}"
    };
  }
}

// Book{{.Idx}} is the resource served by Service{{.Idx}}.
message Book{{.Idx}} {
  option (google.api.resource) = {
    type: "{{.ResourceType}}"
    pattern: "{{.Route}}/shelves/{shelf}/books/{book}"
  };

  // State is the lifecycle state of the book.
  enum State {
    // Not set.
    STATE_UNSPECIFIED = 0;
    // Being written.
    DRAFT = 1;
    // Available to readers.
    PUBLISHED = 2;
  }

  // Resource name, e.g. "{{.Route}}/shelves/s1/books/b1".
  string name = 1 [(google.api.field_behavior) = IDENTIFIER];
  // Human-readable title.
  string title = 2 [(google.api.field_behavior) = REQUIRED];
  // Author's display name.
  string author = 3;
  // Number of pages.
  int32 page_count = 4;
  // Free-form tags.
  repeated string tags = 5;
  // Arbitrary labels.
  map<string, string> labels = 6;
  // Lifecycle state.
  State state = 7 [(google.api.field_behavior) = OUTPUT_ONLY];
  // When the book was created.
  google.protobuf.Timestamp create_time = 8 [(google.api.field_behavior) = OUTPUT_ONLY];
{{- if .Prev}}
  // The book from the previous package that this one follows.
  {{.PrevType}} sequel_of = 9;
  // Resource name of sequel_of.
  string sequel_of_name = 10 [(google.api.resource_reference).type = "{{.Prev.ResourceType}}"];
{{- end}}
}

// BookRef{{.Idx}} is a compact, flat reference to a Book{{.Idx}}: the message
// the next package's files hold as a field.
message BookRef{{.Idx}} {
  // Resource name of the book.
  string name = 1 [(google.api.resource_reference).type = "{{.ResourceType}}"];
  // Title at the time the reference was taken.
  string title = 2;
}

// GetBook{{.Idx}}Request is the request for Service{{.Idx}}.GetBook.
message GetBook{{.Idx}}Request {
  // Name of the book to return.
  string name = 1 [
    (google.api.field_behavior) = REQUIRED,
    (google.api.resource_reference).type = "{{.ResourceType}}"
  ];
}

// ListBooks{{.Idx}}Request is the request for Service{{.Idx}}.ListBooks.
message ListBooks{{.Idx}}Request {
  // Shelf whose books to list.
  string parent = 1 [
    (google.api.field_behavior) = REQUIRED,
    (google.api.resource_reference).child_type = "{{.ResourceType}}"
  ];
  // Maximum number of books to return.
  int32 page_size = 2;
  // Token from a previous ListBooks call.
  string page_token = 3;
  // Filter expression.
  string filter = 4;
  // Sort order.
  string order_by = 5;
{{- if .Prev}}
  // Only list books that follow this book from the previous package.
  string sequel_of = 6 [(google.api.resource_reference).type = "{{.Prev.ResourceType}}"];
{{- end}}
}

// ListBooks{{.Idx}}Response is the response of Service{{.Idx}}.ListBooks.
message ListBooks{{.Idx}}Response {
  // The page of books.
  repeated Book{{.Idx}} books = 1;
  // Token for the next page; empty on the last page.
  string next_page_token = 2;
}

// CreateBook{{.Idx}}Request is the request for Service{{.Idx}}.CreateBook.
message CreateBook{{.Idx}}Request {
  // Shelf to add the book to.
  string parent = 1 [
    (google.api.field_behavior) = REQUIRED,
    (google.api.resource_reference).child_type = "{{.ResourceType}}"
  ];
  // Client-chosen ID of the new book.
  string book_id = 2;
  // The book to create.
  Book{{.Idx}} book = 3 [(google.api.field_behavior) = REQUIRED];
{{- if .Prev}}
  // Optional book from the previous package to copy from.
  {{.PrevType}} copy_from = 4;
{{- end}}
}

// UpdateBook{{.Idx}}Request is the request for Service{{.Idx}}.UpdateBook.
message UpdateBook{{.Idx}}Request {
  // The book, with name set, holding the new values.
  Book{{.Idx}} book = 1 [(google.api.field_behavior) = REQUIRED];
  // Fields of book to overwrite.
  google.protobuf.FieldMask update_mask = 2;
}

// DeleteBook{{.Idx}}Request is the request for Service{{.Idx}}.DeleteBook.
message DeleteBook{{.Idx}}Request {
  // Name of the book to delete.
  string name = 1 [
    (google.api.field_behavior) = REQUIRED,
    (google.api.resource_reference).type = "{{.ResourceType}}"
  ];
  // Optional etag for optimistic concurrency.
  string etag = 2;
}
`))
