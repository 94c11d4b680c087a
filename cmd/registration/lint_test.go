package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/internal/compile"
	"github.com/ovasabi/protoc-gen-registration/plugin"
	linter "github.com/ovasabi/protoc-gen-registration/registration/lint"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// allRules is a configuration file that turns every rule on.
const allRules = "testdata/lint/all.yaml"

// TestLintErrorFormats writes the example's findings, every rule on, in
// each error format, with a path prefix, and compares with the golden
// files testdata/golden/lint-error-format.FORMAT.
func TestLintErrorFormats(t *testing.T) {
	example := fixture("example/registry.registration.json")
	for _, format := range []string{"text", "json", "github-actions", "junit"} {
		t.Run(format, func(t *testing.T) {
			status, stdout, stderr := runCommand(t, "lint", "--config", allRules, "--error-format", format, "--path-prefix", "proto", example)
			if status != 2 || stderr != "" {
				t.Errorf("status %d, want 2; stderr %q", status, stderr)
			}
			checkGolden(t, "lint-error-format."+format, stdout)
		})
	}
	// With no finding, text, json and github-actions write nothing and
	// exit 0; junit writes a passing suite.
	for _, format := range []string{"text", "json", "github-actions"} {
		status, stdout, stderr := runCommand(t, "lint", "--error-format", format, fixture("options/opts/v1/opts.registration.json"))
		if status != 0 || stdout != "" || stderr != "" {
			t.Errorf("%s without findings: status %d, stdout %q, stderr %q", format, status, stdout, stderr)
		}
	}
	status, stdout, _ := runCommand(t, "lint", "--error-format", "junit", fixture("options/opts/v1/opts.registration.json"))
	if status != 0 || !strings.Contains(stdout, `<testcase name="no findings" classname="registration lint">`) {
		t.Errorf("junit without findings: status %d, stdout\n%s", status, stdout)
	}
}

// TestLintConfig runs lint with configuration files through the command.
func TestLintConfig(t *testing.T) {
	example := fixture("example/registry.registration.json")
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name   string
		config string
		args   []string
		want   []string // "RULE ELEMENT" of the findings
	}{
		{"no configuration: the default rules", "", nil,
			[]string{"METHOD_WITHOUT_BINDING identity.v1.AuthService.RefreshToken"}},
		{"an empty file", "", []string{"--config", write("empty.yaml", "")},
			[]string{"METHOD_WITHOUT_BINDING identity.v1.AuthService.RefreshToken"}},
		{"DEFAULT and an opt-in rule", "", []string{"--config", write("opt-in.yaml", "lint:\n  use: [DEFAULT, READ_METHOD_WITHOUT_NO_SIDE_EFFECTS]\n  except: [METHOD_WITHOUT_BINDING]\n")},
			[]string{
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS identity.v1.UserService.GetUser",
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS identity.v1.UserService.ListUsers",
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS library.v1.LibraryService.GetShelf",
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS library.v1.LibraryService.ListShelves",
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS library.v1.LibraryService.GetBook",
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS library.v1.LibraryService.ListBooks",
			}},
		{"ignore a directory and a file", "", []string{"--config", write("ignore.yaml", "lint:\n  use: [ALL]\n  ignore: [library, identity/v1/identity.proto]\n")}, nil},
		{"ignore one rule in a directory", "", []string{"--config", write("ignore-only.yaml", "lint:\n  use: [ALL]\n  ignore_only:\n    READ_METHOD_WITHOUT_NO_SIDE_EFFECTS: [library/v1]\n")},
			[]string{
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS identity.v1.UserService.GetUser",
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS identity.v1.UserService.ListUsers",
				"METHOD_WITHOUT_BINDING identity.v1.AuthService.RefreshToken",
			}},
		{"--disable on top of the file", "", []string{"--config", allRules, "--disable", "READ_METHOD_WITHOUT_NO_SIDE_EFFECTS=identity.v1.*,READ_METHOD_WITHOUT_NO_SIDE_EFFECTS=library.v1.LibraryService.Get*"},
			[]string{
				"METHOD_WITHOUT_BINDING identity.v1.AuthService.RefreshToken",
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS library.v1.LibraryService.ListShelves",
				"READ_METHOD_WITHOUT_NO_SIDE_EFFECTS library.v1.LibraryService.ListBooks",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"lint", "--format", "json"}, tt.args...), example)
			status, stdout, stderr := runCommand(t, args...)
			if want := map[bool]int{true: 2, false: 0}[len(tt.want) > 0]; status != want {
				t.Errorf("status %d, want %d; stderr %q", status, want, stderr)
			}
			if diff := cmp.Diff(tt.want, findingKeys(t, stdout)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// findingKeys decodes lint's JSON output into "RULE ELEMENT" lines.
func findingKeys(t *testing.T, out string) []string {
	t.Helper()
	var findings []linter.Finding
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	var keys []string
	for _, f := range findings {
		keys = append(keys, f.Rule+" "+f.Element)
	}
	return keys
}

// TestLintErrors checks that bad flags and configuration files name what
// is wrong, where, and exit 1 with nothing on stdout.
func TestLintErrors(t *testing.T) {
	example := fixture("example/registry.registration.json")
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: v1\nlint:\n  use: [DEFAULT, NOPE]\n  ignore_paths: [a]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--error-format", "xml", example}, `registration lint: flag --error-format "xml": want text, json, github-actions, junit` + "\n"},
		{[]string{"--path-prefix", "proto", example}, "registration lint: flag --path-prefix needs --error-format\n"},
		{[]string{"--config", missing, example}, "registration lint: flag --config: open " + missing + ": no such file or directory\n"},
		{[]string{"--config", bad, example}, "registration lint: flag --config: " + bad + `:3:18: lint.use: unknown rule "NOPE"` + "\n" +
			bad + `:4:3: lint: unknown key "ignore_paths"; want one of use, except, ignore, ignore_only` + "\n"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runCommand(t, append([]string{"lint"}, tt.args...)...)
		if status != 1 || stdout != "" || stderr != tt.want {
			t.Errorf("%q: status %d, stdout %q, stderr\n got: %q\nwant: %q", tt.args, status, stdout, stderr, tt.want)
		}
	}
}

// TestLintIgnoreComment compiles a proto whose comments turn rules off,
// runs the plugin on it as protoc would, and lints its registration: the
// comment reaches the registration as a line of the element's
// description, stays there, and turns the rule off for the method, or for
// every method of the service.
func TestLintIgnoreComment(t *testing.T) {
	dir := t.TempDir()
	const proto = `syntax = "proto3";

package jobs.v1;

import "google/api/annotations.proto";

// Jobs runs jobs.
service Jobs {
  // Run starts a job. It is called by the scheduler only.
  // registration:lint:ignore METHOD_WITHOUT_BINDING
  rpc Run(RunRequest) returns (RunResponse);

  // Stop stops a job.
  // registration:lint:ignore DUPLICATE_ROUTE
  rpc Stop(RunRequest) returns (RunResponse);

  // Get returns a job.
  rpc Get(RunRequest) returns (RunResponse) {
    option (google.api.http) = {get: "/v1/jobs/{id}"};
  }
}

// Legacy is kept for old clients.
//
//   registration:lint:ignore METHOD_WITHOUT_BINDING
service Legacy {
  rpc Call(RunRequest) returns (RunResponse);
}

message RunRequest {
  string id = 1;
}

message RunResponse {}
`
	if err := os.MkdirAll(filepath.Join(dir, "jobs/v1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jobs/v1/jobs.proto"), []byte(proto), 0o644); err != nil {
		t.Fatal(err)
	}
	req, err := compile.Request(context.Background(), []string{dir, googleapis}, []string{"jobs/v1/jobs.proto"}, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := plugin.Generate(req, &bytes.Buffer{})
	if err != nil || resp.Error != nil {
		t.Fatalf("plugin: %v %s", err, resp.GetError())
	}
	if len(resp.GetFile()) != 1 {
		t.Fatalf("plugin wrote %d files, want 1", len(resp.GetFile()))
	}
	out := filepath.Join(dir, "jobs.registration.json")
	if err := os.WriteFile(out, []byte(resp.GetFile()[0].GetContent()), 0o644); err != nil {
		t.Fatal(err)
	}

	set, err := load.Files([]string{out})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := set.Services[0].Methods[0].Description, "Run starts a job. It is called by the scheduler only.\nregistration:lint:ignore METHOD_WITHOUT_BINDING"; got != want {
		t.Errorf("Run's description %q, want %q", got, want)
	}

	status, stdout, stderr := runCommand(t, "lint", "--error-format", "text", out)
	// Run's comment turns its finding off, Legacy's turns off Call's;
	// Stop's names another rule.
	want := "jobs/v1/jobs.proto:15:3:METHOD_WITHOUT_BINDING:method jobs.v1.Jobs.Stop is reached over REST only through the inferred POST /jobs.v1.Jobs/Stop: add a google.api.http option\n"
	if status != 2 || stdout != want || stderr != "" {
		t.Errorf("status %d, stderr %q, stdout\n got: %q\nwant: %q", status, stderr, stdout, want)
	}
}

// TestLintRealSlice lints the registrations of the vendored slice of
// googleapis (plugin/testdata/real), which follows AIP: the default rules
// find nothing in it, per file or in the aggregate; Pub/Sub's
// bidirectional StreamingPull has no binding, as AIP-127 allows. The
// opt-in READ_METHOD_WITHOUT_NO_SIDE_EFFECTS finds every get and list,
// since googleapis sets idempotency_level nowhere.
func TestLintRealSlice(t *testing.T) {
	const real = "../../plugin/testdata/real"
	aggregate := real + "/golden-aggregate/slice.registration.json"
	var perFile []string
	err := filepath.WalkDir(real+"/golden", func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".registration.json") {
			perFile = append(perFile, path)
		}
		return err
	})
	if err != nil || len(perFile) == 0 {
		t.Fatalf("per-file registrations of the slice: %v, %d files", err, len(perFile))
	}
	for _, files := range [][]string{{aggregate}, perFile} {
		status, stdout, stderr := runCommand(t, append([]string{"lint", "--format", "json"}, files...)...)
		if status != 0 || strings.TrimSpace(stdout) != "[]" || stderr != "" {
			t.Errorf("%d files: status %d, stderr %q, stdout\n%s", len(files), status, stderr, stdout)
		}
	}

	status, stdout, stderr := runCommand(t, "lint", "--format", "json", "--config", allRules, aggregate)
	if status != 2 || stderr != "" {
		t.Errorf("every rule: status %d, stderr %q", status, stderr)
	}
	var want []string
	for _, m := range []string{
		"cloud.scheduler.v1.CloudScheduler.ListJobs",
		"cloud.scheduler.v1.CloudScheduler.GetJob",
		"cloud.scheduler.v1beta1.CloudScheduler.ListJobs",
		"cloud.scheduler.v1beta1.CloudScheduler.GetJob",
		"pubsub.v1.Publisher.GetTopic",
		"pubsub.v1.Publisher.ListTopics",
		"pubsub.v1.Publisher.ListTopicSubscriptions",
		"pubsub.v1.Publisher.ListTopicSnapshots",
		"pubsub.v1.Subscriber.GetSubscription",
		"pubsub.v1.Subscriber.ListSubscriptions",
		"pubsub.v1.Subscriber.GetSnapshot",
		"pubsub.v1.Subscriber.ListSnapshots",
		"pubsub.v1.SchemaService.GetSchema",
		"pubsub.v1.SchemaService.ListSchemas",
		"pubsub.v1.SchemaService.ListSchemaRevisions",
	} {
		want = append(want, "READ_METHOD_WITHOUT_NO_SIDE_EFFECTS google."+m)
	}
	if diff := cmp.Diff(want, findingKeys(t, stdout)); diff != "" {
		t.Errorf("every rule (-want +got):\n%s", diff)
	}
}

// TestLintListRules checks that --list-rules says which rules are on by
// default: all but READ_METHOD_WITHOUT_NO_SIDE_EFFECTS.
func TestLintListRules(t *testing.T) {
	_, stdout, _ := runCommand(t, "lint", "--list-rules", "--format", "json")
	var rows []lintRuleRow
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatal(err)
	}
	var off []string
	for _, r := range rows {
		if !r.Default {
			off = append(off, r.Rule)
		}
	}
	if want := []string{linter.ReadWithoutNoSideEffects}; !cmp.Equal(off, want) || len(rows) != len(linter.Rules) {
		t.Errorf("rules off by default %v, want %v (%d rows)", off, want, len(rows))
	}
}
