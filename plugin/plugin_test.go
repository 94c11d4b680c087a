package plugin

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/internal/compile"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const googleapis = "../third_party/googleapis"

// caseRequest compiles every .proto file below dir into a request, with the
// parameter read from dir/params if there is one.
func caseRequest(t testing.TB, dir string) *pluginpb.CodeGeneratorRequest {
	t.Helper()
	files, err := compile.ProtoFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	param, err := os.ReadFile(filepath.Join(dir, "params"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	req, err := compile.Request(context.Background(), []string{dir, googleapis, "../proto"}, files, strings.TrimSpace(string(param)))
	if err != nil {
		t.Fatalf("compiling %s: %v", dir, err)
	}
	return req
}

// outputs runs the plugin and returns its files by name, plus "stderr" for
// any warnings. It fails the test on an error.
func outputs(t *testing.T, req *pluginpb.CodeGeneratorRequest) map[string]string {
	t.Helper()
	var warnings bytes.Buffer
	resp, err := Generate(req, &warnings)
	if err != nil {
		t.Fatalf("internal error: %v", err)
	}
	if resp.Error != nil {
		t.Fatalf("response error: %s", resp.GetError())
	}
	got := make(map[string]string)
	for _, f := range resp.GetFile() {
		if _, dup := got[f.GetName()]; dup {
			t.Errorf("file %s written twice", f.GetName())
		}
		got[f.GetName()] = f.GetContent()
	}
	if warnings.Len() > 0 {
		got["stderr"] = warnings.String()
	}
	return got
}

// TestGolden runs every case in testdata/cases and compares the files it
// writes with testdata/golden/CASE. go test ./plugin -update rewrites them.
func TestGolden(t *testing.T) {
	cases, err := os.ReadDir("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name(), func(t *testing.T) {
			got := outputs(t, caseRequest(t, filepath.Join("testdata/cases", c.Name())))
			for name, content := range got {
				if name == "stderr" {
					continue
				}
				if err := schema.Validate([]byte(content)); err != nil {
					t.Errorf("%s does not match the schema: %v", name, err)
				}
			}
			golden := filepath.Join("testdata/golden", c.Name())
			if *update {
				writeGolden(t, golden, got)
				return
			}
			if diff := cmp.Diff(readGolden(t, golden), got); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func readGolden(t *testing.T, dir string) map[string]string {
	t.Helper()
	want := make(map[string]string)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		want[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatalf("reading golden files (run go test ./plugin -update to write them): %v", err)
	}
	return want
}

func writeGolden(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeterministic generates every case twice from separately compiled
// requests and compares the bytes.
func TestDeterministic(t *testing.T) {
	cases, err := os.ReadDir("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		dir := filepath.Join("testdata/cases", c.Name())
		first := outputs(t, caseRequest(t, dir))
		for range 3 {
			if diff := cmp.Diff(first, outputs(t, caseRequest(t, dir))); diff != "" {
				t.Fatalf("%s: a second run differs (-first +again):\n%s", c.Name(), diff)
			}
		}
	}
}

// TestFeatures checks what the plugin declares to protoc and buf, also on
// an error response.
func TestFeatures(t *testing.T) {
	for _, param := range []string{"", "nonsense"} {
		req := caseRequest(t, "testdata/cases/editions")
		req.Parameter = proto.String(param)
		resp, err := Generate(req, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		want := uint64(pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL | pluginpb.CodeGeneratorResponse_FEATURE_SUPPORTS_EDITIONS)
		if resp.GetSupportedFeatures() != want {
			t.Errorf("parameter %q: supported_features = %b, want %b", param, resp.GetSupportedFeatures(), want)
		}
		if got := descriptorpb.Edition(resp.GetMinimumEdition()); got != descriptorpb.Edition_EDITION_2023 {
			t.Errorf("parameter %q: minimum_edition = %v, want EDITION_2023", param, got)
		}
		if got := descriptorpb.Edition(resp.GetMaximumEdition()); got != descriptorpb.Edition_EDITION_2024 {
			t.Errorf("parameter %q: maximum_edition = %v, want EDITION_2024", param, got)
		}
	}
}
