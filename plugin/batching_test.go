package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"
)

// generateOK runs the plugin and returns its files by name and its
// warnings, failing the test on an error.
func generateOK(t *testing.T, req *pluginpb.CodeGeneratorRequest) (map[string]string, string) {
	t.Helper()
	files := outputs(t, req)
	warnings := files["stderr"]
	delete(files, "stderr")
	return files, warnings
}

// TestConflictsOff: conflicts=off finds no conflicts, lists none and warns
// about none.
func TestConflictsOff(t *testing.T) {
	req := caseRequest(t, "testdata/cases/hosts")
	req.Parameter = proto.String("conflicts=off")
	files, warnings := generateOK(t, req)
	if warnings != "" {
		t.Errorf("warnings with conflicts=off:\n%s", warnings)
	}
	for name, content := range files {
		if strings.Contains(content, `"conflicts"`) {
			t.Errorf("%s lists conflicts with conflicts=off", name)
		}
	}
	// Without the parameter the same request has conflicts: the test
	// would pass for nothing otherwise.
	req = caseRequest(t, "testdata/cases/hosts")
	if _, warnings := generateOK(t, req); warnings == "" {
		t.Fatal("testdata/cases/hosts has no conflicts to switch off")
	}
}

// TestConflictsAllow: an allowlisted pair of methods is neither listed nor
// warned about, whichever side comes first, and an entry that allows
// nothing is reported with its position.
func TestConflictsAllow(t *testing.T) {
	allow := filepath.Join(t.TempDir(), "allow.yaml")
	err := os.WriteFile(allow, []byte("allow:\n  - [hosts.v1.Alpha.GetSpecialThing, hosts.v1.Alpha.GetThing]\n  - [hosts.v1.Beta.*, hosts.v1.Alpha.GetThing]\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	req := caseRequest(t, "testdata/cases/hosts")
	req.Parameter = proto.String("conflicts_allow=" + allow)
	files, warnings := generateOK(t, req)
	for name, content := range files {
		if strings.Contains(content, `"conflicts"`) {
			t.Errorf("%s lists an allowed conflict", name)
		}
	}
	// Beta is on another host: its entry allows nothing and is stale.
	want := allow + ":3:5: warning: allow[1]: [hosts.v1.Beta.*, hosts.v1.Alpha.GetThing] matches no conflicting routes\n"
	if warnings != want {
		t.Errorf("warnings:\n got: %q\nwant: %q", warnings, want)
	}
}

// TestErrorsWhateverTheOrder: the errors of a run are the same, in the
// same order, however the request lists its files.
func TestErrorsWhateverTheOrder(t *testing.T) {
	req := caseRequest(t, "testdata/errors/many")
	first := errorOf(t, req)
	if strings.Count(first, "\n") < 3 {
		t.Fatalf("want the four errors of testdata/errors/many, got:\n%s", first)
	}
	req = caseRequest(t, "testdata/errors/many")
	slices.Reverse(req.FileToGenerate)
	slices.Reverse(req.ProtoFile) // not topological: linked whole
	if got := errorOf(t, req); got != first {
		t.Errorf("reversed request:\n got: %s\nwant: %s", got, first)
	}
}

func errorOf(t *testing.T, req *pluginpb.CodeGeneratorRequest) string {
	t.Helper()
	resp, err := Generate(req, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetError()
}

// TestAggregateStrategy: under buf's default strategy, a request for one
// directory that imports another directory's services cannot make a whole
// aggregate; the plugin says so rather than write a partial file. protoc
// (which sets compiler_version) and buf's strategy: all are fine.
func TestAggregateStrategy(t *testing.T) {
	whole := caseRequest(t, "testdata/cases/aggregate") // a/v1/a.proto imports b/v1/b.proto
	oneDir := func(compiler bool) *pluginpb.CodeGeneratorRequest {
		req := proto.Clone(whole).(*pluginpb.CodeGeneratorRequest)
		req.FileToGenerate = []string{"a/v1/a.proto"}
		if !compiler {
			req.CompilerVersion = nil
		}
		return req
	}
	req := oneDir(false)
	want := "parameter aggregate=registry: this request holds only the files of directory a/v1, but they import b/v1/b.proto, whose services would be missing: " +
		"buf's default strategy (directory) runs the plugin once per directory and each run would overwrite the aggregate; set `strategy: all` on this plugin in buf.gen.yaml"
	if got := errorOf(t, req); got != want {
		t.Errorf("buf, one directory:\n got: %s\nwant: %s", got, want)
	}
	generateOK(t, oneDir(true)) // protoc on one file: what the user asked for
	req = proto.Clone(whole).(*pluginpb.CodeGeneratorRequest)
	req.CompilerVersion = nil
	generateOK(t, req) // buf, strategy: all
}
