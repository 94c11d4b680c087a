package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/internal/compile"
	"github.com/ovasabi/protoc-gen-registration/internal/golden"
	"github.com/ovasabi/protoc-gen-registration/plugin"
)

// The registrations the tests read are generated in process, by the
// plugin, from the project's own protos: the example API and cases of
// plugin/testdata. gen is the directory they are written to, one
// subdirectory per tree; goldens show it as $GEN.
var gen string

// requests keeps the compiled request of each tree, for tests that need the
// descriptors themselves (a gRPC server with reflection).
var requests = map[string]*pluginpb.CodeGeneratorRequest{}

const (
	googleapis   = "../../third_party/googleapis"
	optionsProto = "../../proto"
	exampleRules = "capability_rules=../../example/capability_rules.yaml"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "registration-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gen = dir
	if err := generateFixtures(); err != nil {
		fmt.Fprintln(os.Stderr, "generating registrations:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	status := m.Run()
	os.RemoveAll(dir)
	os.Exit(status)
}

// fixture returns the path of a generated registration file.
func fixture(name string) string { return filepath.Join(gen, filepath.FromSlash(name)) }

// exampleV2Edits turn the example's library.proto into a second version
// with one change of most kinds that compare and validate --server report.
var exampleV2Edits = []struct{ old, new string }{
	// GetShelf deprecated.
	{`option (google.api.http) = {get: "/v1/{name=shelves/*}"};`, `option (google.api.http) = {get: "/v1/{name=shelves/*}"};
    option deprecated = true;`},
	// ListShelves marked NO_SIDE_EFFECTS.
	{`option (google.api.http) = {get: "/v1/shelves"};`, `option (google.api.http) = {get: "/v1/shelves"};
    option idempotency_level = NO_SIDE_EFFECTS;`},
	// GetBook's only binding moves to /v2.
	{`{get: "/v1/{name=shelves/*/books/*}"}`, `{get: "/v2/{name=shelves/*/books/*}"}`},
	// CreateBook takes the whole request as its body.
	{"post: \"/v1/{parent=shelves/*}/books\"\n      body: \"book\"", "post: \"/v1/{parent=shelves/*}/books\"\n      body: \"*\""},
	// DeleteBook is gone, and with it the Book.deleted event and CRUD.
	{"  // DeleteBook removes a book.\n  rpc DeleteBook(DeleteBookRequest) returns (DeleteBookResponse) {\n    option (google.api.http) = {delete: \"/v1/{name=shelves/*/books/*}\"};\n  }\n", ""},
	// MoveBook streams its response.
	{`rpc MoveBook(MoveBookRequest) returns (Book)`, `rpc MoveBook(MoveBookRequest) returns (stream Book)`},
	// BorrowBook returns the whole response.
	{"      response_body: \"loan\"\n", ""},
	// ListBooks requires a repeated message, which its GET binding cannot carry.
	{"  string filter = 4;\n}", "  string filter = 4;\n  repeated Shelf shelves = 5 [(google.api.field_behavior) = REQUIRED];\n}"},
	// Book.title becomes bytes, a break of the REST contract's fields.
	{"  string title = 2 [(google.api.field_behavior) = REQUIRED];", "  bytes title = 2 [(google.api.field_behavior) = REQUIRED];"},
	// ArchiveBook is new.
	{"  // DebugDumpShelves", "  // ArchiveBook puts a book away.\n  rpc ArchiveBook(GetBookRequest) returns (Book) {\n    option (google.api.http) = {post: \"/v1/{name=shelves/*/books/*}:archive\" body: \"*\"};\n  }\n\n  // DebugDumpShelves"},
}

// generateFixtures writes every tree's registrations below gen.
func generateFixtures() error {
	example := []string{"identity/v1/identity.proto", "library/v1/library.proto", "notify/v1/notify.proto"}
	exampleV2, err := editedTree("../../example", "example-v2-protos", "library/v1/library.proto", exampleV2Edits)
	if err != nil {
		return err
	}
	runs := []struct {
		tree, dir string
		files     []string
		param     string
	}{
		{"example", "../../example", example, exampleRules},
		{"example", "../../example", example, exampleRules + ",aggregate=registry"},
		{"example-yaml", "../../example", example, exampleRules + ",aggregate=registry,format=yaml"},
		{"example-v2", exampleV2, example, exampleRules},
		{"example-v2", exampleV2, example, exampleRules + ",aggregate=registry"},
		{"dependencies", "../../plugin/testdata/cases/dependencies", nil, "aggregate=deps"},
		{"kinds", "../../plugin/testdata/cases/kinds", nil, ""},
		{"nofallback", "../../plugin/testdata/cases/nofallback", nil, "rest_fallback=false"},
		{"options", "../../plugin/testdata/cases/options", nil, ""},
		{"conflicts", "../../plugin/testdata/cases/conflicts", nil, ""},
		{"rules", "../../plugin/testdata/cases/rules", nil, "capability_rules=../../plugin/testdata/cases/rules/rules.yaml"},
	}
	for _, r := range runs {
		files := r.files
		if files == nil {
			if files, err = compile.ProtoFiles(r.dir); err != nil {
				return err
			}
		}
		req, err := compile.Request(context.Background(), []string{r.dir, googleapis, optionsProto}, files, r.param)
		if err != nil {
			return fmt.Errorf("%s: %v", r.tree, err)
		}
		requests[r.tree] = req
		var warnings bytes.Buffer
		resp, err := plugin.Generate(req, &warnings)
		if err != nil {
			return fmt.Errorf("%s: %v", r.tree, err)
		}
		if resp.Error != nil {
			return fmt.Errorf("%s: %s", r.tree, resp.GetError())
		}
		for _, f := range resp.GetFile() {
			path := filepath.Join(gen, r.tree, filepath.FromSlash(f.GetName()))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, []byte(f.GetContent()), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// editedTree copies the .proto files below src to gen/name, with edits
// applied to one file; every edit must apply exactly once.
func editedTree(src, name, file string, edits []struct{ old, new string }) (string, error) {
	files, err := compile.ProtoFiles(src)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(gen, name)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return "", err
		}
		text := string(data)
		if f == file {
			for _, e := range edits {
				if n := strings.Count(text, e.old); n != 1 {
					return "", fmt.Errorf("edit of %s: %q occurs %d times", f, e.old, n)
				}
				text = strings.Replace(text, e.old, e.new, 1)
			}
		}
		path := filepath.Join(dst, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return "", err
		}
	}
	return dst, nil
}

// runCommand runs the command and returns its exit status, stdout and
// stderr, with the generated directory shown as $GEN.
func runCommand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(args, &stdout, &stderr)
	return status, strings.ReplaceAll(stdout.String(), gen, "$GEN"), strings.ReplaceAll(stderr.String(), gen, "$GEN")
}

// checkGolden compares got with testdata/golden/name, or rewrites the file
// with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata/golden", name), got, *update)
}
