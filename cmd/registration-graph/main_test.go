package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/internal/compile"
	"github.com/ovasabi/protoc-gen-registration/internal/golden"
	"github.com/ovasabi/protoc-gen-registration/plugin"
	"github.com/ovasabi/protoc-gen-registration/registration/graph"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// gen holds the registrations the tests read, generated in process by the
// plugin from the project's protos; goldens show it as $GEN.
var gen string

// billingProto declares the service that the dependencies case and the
// example name as an external dependency, so that a registration of it
// resolves their edges.
const billingProto = `syntax = "proto3";
package billing.v1;
service Payments {
  rpc Charge(ChargeRequest) returns (ChargeResponse);
}
message ChargeRequest {}
message ChargeResponse {}
`

// versionsProtos are an API in two versions (shop.v1 and shop.v1beta1),
// which DOT draws as one cluster holding one per version, beside a
// package without a version and a package whose name has underscores,
// which Mermaid ids double. Their dependencies are declared.
var versionsProtos = map[string]string{
	"shop/v1/shop.proto": `syntax = "proto3";
package shop.v1;
import "registration/v1/options.proto";
service Orders {
  option (registration.v1.service) = {dependencies: {service: "stock.Inventory"}};
  rpc GetOrder(GetOrderRequest) returns (Order);
}
message GetOrderRequest {}
message Order {}
`,
	"shop/v1beta1/shop.proto": `syntax = "proto3";
package shop.v1beta1;
import "registration/v1/options.proto";
service Orders {
  option (registration.v1.service) = {
    dependencies: {service: "shop.v1.Orders"}
    dependencies: {service: "stock.Inventory"}
  };
  rpc GetOrder(GetOrderRequest) returns (Order);
}
message GetOrderRequest {}
message Order {}
`,
	"stock/stock.proto": `syntax = "proto3";
package stock;
service Inventory {
  rpc Count(CountRequest) returns (CountResponse);
}
message CountRequest {}
message CountResponse {}
`,
	"my_company/audit/audit.proto": `syntax = "proto3";
package my_company.audit;
import "registration/v1/options.proto";
service Audit_Log {
  option (registration.v1.service) = {dependencies: {service: "shop.v1beta1.Orders"}};
  rpc Append(AppendRequest) returns (AppendResponse);
}
message AppendRequest {}
message AppendResponse {}
`,
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "registration-graph-test-")
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

func fixture(name string) string { return filepath.Join(gen, filepath.FromSlash(name)) }

func generateFixtures() error {
	billing := filepath.Join(gen, "billing-protos")
	if err := os.MkdirAll(filepath.Join(billing, "billing/v1"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(billing, "billing/v1/billing.proto"), []byte(billingProto), 0o644); err != nil {
		return err
	}
	versions := filepath.Join(gen, "versions-protos")
	for name, content := range versionsProtos {
		path := filepath.Join(versions, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	example := []string{"identity/v1/identity.proto", "library/v1/library.proto", "notify/v1/notify.proto"}
	const rules = "capability_rules=../../example/capability_rules.yaml"
	runs := []struct {
		tree, dir string
		files     []string
		param     string
	}{
		{"example", "../../example", example, rules},
		{"example", "../../example", example, rules + ",aggregate=registry"},
		{"dependencies", "../../plugin/testdata/cases/dependencies", nil, "aggregate=deps"},
		{"dependencies", "../../plugin/testdata/cases/dependencies", nil, ""},
		{"dependencies-yaml", "../../plugin/testdata/cases/dependencies", nil, "aggregate=deps,format=yaml"},
		{"billing", billing, nil, ""},
		{"versions", versions, nil, "aggregate=versions"},
	}
	for _, r := range runs {
		files := r.files
		if files == nil {
			var err error
			if files, err = compile.ProtoFiles(r.dir); err != nil {
				return err
			}
		}
		req, err := compile.Request(context.Background(), []string{r.dir, "../../third_party/googleapis", "../../proto"}, files, r.param)
		if err != nil {
			return fmt.Errorf("%s: %v", r.tree, err)
		}
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

// runGraph runs the command and returns its exit status, stdout and
// stderr, with the generated directory shown as $GEN.
func runGraph(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	status := run(args, &stdout, &stderr)
	return status, strings.ReplaceAll(stdout.String(), gen, "$GEN"), strings.ReplaceAll(stderr.String(), gen, "$GEN")
}

// exampleFiles are the example's per-file registrations.
func exampleFiles() []string {
	return []string{
		fixture("example/identity/v1/identity.registration.json"),
		fixture("example/library/v1/library.registration.json"),
		fixture("example/notify/v1/notify.registration.json"),
	}
}

func reversed(s []string) []string {
	slices.Reverse(s)
	return s
}

// goldenCases are the graphs that have golden files in every format.
func goldenCases() []goldenCase {
	return []goldenCase{
		// A cycle between a.v1 and c.v1, and two external targets.
		{"dependencies", []string{fixture("dependencies/deps.registration.json")}},
		{"example", []string{fixture("example/registry.registration.json")}},
		// The dependencies case with a registration of billing.v1.Payments: the
		// external target is resolved.
		{"dependencies-billing", []string{fixture("dependencies/deps.registration.json"), fixture("billing/billing/v1/billing.registration.json")}},
		{"service-dependencies", []string{"--service", "a.v1.Orders", "--direction", "dependencies", fixture("dependencies/deps.registration.json")}},
		{"service-dependents", []string{"--service", "identity.v1.UserService", "--direction", "dependents", "--depth", "1", fixture("example/registry.registration.json")}},
		{"service-depth", []string{"--service", "notify.v1.*", "--depth", "-1", "--direction", "dependencies", fixture("example/registry.registration.json")}},
		{"package", []string{"--package", "a.*,c.v1", fixture("dependencies/deps.registration.json")}},
		{"kind", []string{"--kind", "declared", "--kind", "schema", fixture("dependencies/deps.registration.json")}},
		// Two versions of one API, a package without a version and one
		// with underscores.
		{"versions", []string{fixture("versions/versions.registration.json")}},
	}
}

type goldenCase struct {
	name string
	args []string
}

// TestGolden writes every case in every format and compares with the
// golden files testdata/golden/CASE.{json,dot,mmd}.
func TestGolden(t *testing.T) {
	for _, tt := range goldenCases() {
		for format, ext := range map[string]string{"json": "json", "dot": "dot", "mermaid": "mmd"} {
			t.Run(tt.name+"."+format, func(t *testing.T) {
				status, stdout, stderr := runGraph(append([]string{"--format", format}, tt.args...)...)
				if status != 0 || stderr != "" {
					t.Fatalf("status %d, stderr %s", status, stderr)
				}
				checkGolden(t, tt.name+"."+ext, stdout)
			})
		}
	}
}

// TestDOTAcceptedByGraphviz runs Debian's dot on the DOT output of every
// golden case. dot must be installed (make tools installs it).
func TestDOTAcceptedByGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Fatalf("Graphviz's dot is needed (Debian package graphviz; make tools installs it): %v", err)
	}
	for _, tt := range goldenCases() {
		status, stdout, stderr := runGraph(append([]string{"--format", "dot"}, tt.args...)...)
		if status != 0 {
			t.Fatalf("%s: status %d, stderr %s", tt.name, status, stderr)
		}
		cmd := exec.Command(dot, "-Tsvg", "-o", os.DevNull)
		cmd.Stdin = strings.NewReader(stdout)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("%s: dot rejects the output (%v):\n%s\n%s", tt.name, err, out, stdout)
		}
	}
}

// TestSameGraph checks that the graph does not depend on how the services
// are given: aggregate or per file, JSON or YAML, in any order, or twice.
func TestSameGraph(t *testing.T) {
	same := [][][]string{
		{
			{fixture("example/registry.registration.json")},
			exampleFiles(),
			append(reversed(exampleFiles()), fixture("example/registry.registration.json")),
		},
		{
			{fixture("dependencies/deps.registration.json")},
			{fixture("dependencies-yaml/deps.registration.yaml")},
			{fixture("dependencies/c/v1/c.registration.json"), fixture("dependencies/a/v1/a.registration.json"), fixture("dependencies/b/v1/b.registration.json")},
		},
	}
	for _, group := range same {
		_, want, _ := runGraph(group[0]...)
		for _, args := range group[1:] {
			for _, format := range []string{"json", "dot", "mermaid"} {
				_, want, _ := runGraph(append([]string{"--format", format}, group[0]...)...)
				status, got, stderr := runGraph(append([]string{"--format", format}, args...)...)
				if status != 0 {
					t.Fatalf("%v: status %d, stderr %s", args, status, stderr)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s of %v differs from %v (-want +got):\n%s", format, args, group[0], diff)
				}
			}
		}
		if _, again, _ := runGraph(group[0]...); again != want {
			t.Errorf("%v: a second run differs", group[0])
		}
	}
}

// TestFailOnCycle checks --fail-on-cycle: status 2 and each cycle on
// stderr when there is one, the graph written all the same.
func TestFailOnCycle(t *testing.T) {
	deps := fixture("dependencies/deps.registration.json")
	status, stdout, stderr := runGraph("--fail-on-cycle", "--format", "dot", deps)
	if status != 2 {
		t.Errorf("status %d, want 2", status)
	}
	if want := "registration-graph: cycle: a.v1.Orders -[schema]-> c.v1.Ledger -[resource]-> a.v1.Orders\n"; stderr != want {
		t.Errorf("stderr\n got: %q\nwant: %q", stderr, want)
	}
	if !strings.HasPrefix(stdout, "digraph registrations {") {
		t.Errorf("no graph on stdout: %q", stdout)
	}
	// Without the resource edge back, or in the example, there is none.
	for _, args := range [][]string{{"--kind", "schema,declared", deps}, {fixture("example/registry.registration.json")}} {
		if status, _, stderr := runGraph(append([]string{"--fail-on-cycle"}, args...)...); status != 0 || stderr != "" {
			t.Errorf("%v: status %d, stderr %q", args, status, stderr)
		}
	}
}

// TestBadInput checks errors: each names the file and where in it, or the
// flag with its value, and exits 1 with nothing on stdout.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	deps := fixture("dependencies/deps.registration.json")
	tests := []struct {
		args []string
		want string // stderr after "registration-graph: "
	}{
		{[]string{}, "name at least one registration file\n"},
		{[]string{"missing.json"}, "open missing.json: no such file or directory\n"},
		{[]string{write("wrong_version.json", `{"format": "registration.v3", "files": [], "services": []}`)}, "$DIR/wrong_version.json:1:12: at /format: value must be one of \"registration.v2\", \"registration.v1\"; got \"registration.v3\"\n"},
		{[]string{write("malformed.json", "{\n  \"format\": \"registration.v1\",\n  \"services\": [}\n")}, "$DIR/malformed.json:3:16: invalid character '}' looking for beginning of value\n"},
		{[]string{write("unknown.yaml", "format: registration.v1\nfiles: []\nservices: []\ncolour: blue\n")}, "$DIR/unknown.yaml:4:1: at /colour: unknown field \"colour\"\n"},
		{[]string{write("bad_service.json", `{"format": "registration.v1", "files": [], "services": [{"name": "a.B", "package": "a", "file": "a.proto", "methods": [], "dependencies": [{"service": 7, "kind": "schema"}]}]}`)},
			"$DIR/bad_service.json:1:152: at /services/0/dependencies/0/service: value must be a string; got 7\n"},
		{[]string{"-", "-", deps}, "standard input (\"-\") named twice\n"},
		{[]string{"--format", "svg", deps}, "flag --format=\"svg\": want json, dot or mermaid\n"},
		{[]string{"-o", "table", deps}, "flag --format=\"table\": want json, dot or mermaid\n"},
		{[]string{"--kind", "friendship", deps}, "flag --kind=\"friendship\": want resource, schema or declared\n"},
		{[]string{"--direction", "up", deps}, "flag --direction=\"up\": want dependencies, dependents or both\n"},
		{[]string{"--depth", "-5", deps}, "flag --depth=-5: want 0 or more, or -1 for no limit\n"},
		{[]string{"--depth", "two", deps}, "invalid argument \"two\" for \"--depth\" flag: strconv.ParseInt: parsing \"two\": invalid syntax\nRun 'registration-graph --help' for usage.\n"},
		{[]string{"--service", "z.v1.Nope", deps}, "flag --service: no service matches \"z.v1.Nope\"\n"},
		{[]string{"--package", "z.*", deps}, "flag --package: no package matches \"z.*\"\n"},
		// Packages are filtered first: the wrong one is named, not the
		// --service that then matches nothing.
		{[]string{"--package", "a.v1,z.v1", "--service", "c.v1.Ledger", deps}, "flag --package: no package matches \"z.v1\"\n"},
		{[]string{"--package", "[", deps}, "flag --package=\"[\": bad pattern: syntax error in pattern\n"},
		{[]string{"--service", "a.v1.[", deps}, "flag --service=\"a.v1.[\": bad pattern: syntax error in pattern\n"},
		// A list flag given nothing but empty values would filter nothing.
		{[]string{"--service", "", deps}, "flag --service: empty value: want a service full name or glob\n"},
		{[]string{"--package=", deps}, "flag --package: empty value: want a package name or glob\n"},
		{[]string{"--kind", " , ", deps}, "flag --kind: empty value: want resource, schema or declared\n"},
		// Flags that only shape --service's neighbourhood, without it.
		{[]string{"--depth", "2", deps}, "flag --depth=2: applies only with --service\n"},
		{[]string{"--depth=-1", "--package", "a.v1", deps}, "flag --depth=-1: applies only with --service\n"},
		{[]string{"--direction", "dependents", deps}, "flag --direction=\"dependents\": applies only with --service\n"},
		{[]string{"--service", "a.v1.Orders", "--depth", "-2", deps}, "flag --depth=-2: want 0 or more, or -1 for no limit\n"},
		{[]string{"--max-cycles", "-3", deps}, "flag --max-cycles=-3: want at least 1\n"},
		{[]string{"-o", "mermaid", "--mermaid-limits", "ignore", deps}, "flag --mermaid-limits=\"ignore\": want error, warn or off\n"},
		{[]string{"--mermaid-limits", "warn", deps}, "flag --mermaid-limits=\"warn\": applies only with --format mermaid\n"},
		{[]string{"--max-cycles", "0", deps}, "flag --max-cycles=0: want at least 1\n"},
		{[]string{"--colour", deps}, "unknown flag: --colour\nRun 'registration-graph --help' for usage.\n"},
		{[]string{"-colour", deps}, "unknown shorthand flag: 'c' in -colour\nRun 'registration-graph --help' for usage.\n"},
	}
	for _, tt := range tests {
		status, stdout, stderr := runGraph(tt.args...)
		stderr = strings.ReplaceAll(stderr, dir, "$DIR")
		if want := "registration-graph: " + tt.want; status != 1 || stdout != "" || stderr != want {
			t.Errorf("%q: status %d, stdout %q, stderr\n got: %q\nwant: %q", tt.args, status, stdout, stderr, want)
		}
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata/golden", name), got, *update)
}

// TestResolvesAcrossFiles reads the per-file registrations of a real
// googleapis slice, where each Cloud Scheduler version refers to Pub/Sub's
// Topic without importing Pub/Sub: every file leaves the reference
// unresolved, and the graph resolves it by the default host, says so, and
// credits neither Scheduler version with the other's Job.
func TestResolvesAcrossFiles(t *testing.T) {
	files, err := filepath.Glob("../../plugin/testdata/real/golden/google/*/*/*.registration.json")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../plugin/testdata/real/golden/google/*/*/*/*.registration.json")
	files = append(files, more...)
	if len(files) < 4 {
		t.Fatalf("want the real slice's per-file registrations, found %q", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), `"across_files"`) {
			t.Fatalf("%s already resolves across files: the test would prove nothing", f)
		}
	}
	status, stdout, stderr := runGraph(append([]string{"--format", "json"}, files...)...)
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %s", status, stderr)
	}
	var g graph.Graph
	if err := json.Unmarshal([]byte(stdout), &g); err != nil {
		t.Fatal(err)
	}
	var topic []string
	for _, e := range g.Edges {
		if e.To == "google.pubsub.v1.Publisher" && e.Kind == "resource" && strings.Contains(e.From, "scheduler") {
			if e.Resolution != "default_host" || !e.AcrossFiles {
				t.Errorf("edge %s -> %s: resolution %q, across_files %v; want default_host, true", e.From, e.To, e.Resolution, e.AcrossFiles)
			}
			topic = append(topic, e.From)
		}
		if strings.Contains(e.From, "scheduler.v1.") && strings.Contains(e.To, "scheduler.v1beta1.") ||
			strings.Contains(e.From, "scheduler.v1beta1.") && strings.Contains(e.To, "scheduler.v1.") {
			t.Errorf("edge %s -> %s crosses versions of Cloud Scheduler", e.From, e.To)
		}
	}
	want := []string{"google.cloud.scheduler.v1.CloudScheduler", "google.cloud.scheduler.v1beta1.CloudScheduler"}
	if diff := cmp.Diff(want, topic); diff != "" {
		t.Errorf("services resolved to Pub/Sub's Publisher (-want +got):\n%s", diff)
	}
}

// TestStdin reads a registration from standard input, named -.
func TestStdin(t *testing.T) {
	deps := fixture("dependencies/deps.registration.json")
	f, err := os.Open(deps)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = stdin }()
	status, got, stderr := runGraph("--format", "dot", "-")
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %s", status, stderr)
	}
	_, want, _ := runGraph("--format", "dot", deps)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("graph of standard input differs from the file's (-want +got):\n%s", diff)
	}
}
