package plugin

// Tests on real googleapis protos. The slice vendored in testdata/real
// (see its README.md) always runs; the whole corpus runs in
// TestGoogleapisCorpus when its tarball is at hand.

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ovasabi/protoc-gen-registration/internal/corpus"
	"github.com/ovasabi/protoc-gen-registration/internal/parallel"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// realSlice is the import root of the vendored googleapis slice: Cloud
// Scheduler v1 and v1beta1 (two versions owning the same resource type, and
// referring to pubsub.googleapis.com/Topic), Pub/Sub v1 (the owner of that
// type, on that default host) and Remote Workers v1test2 (a "**" followed by
// more segments), with exactly the files they import.
const realSlice = "testdata/real"

// The slice's bindings with "**" before the end of the path, in file
// order: the method, its HTTP method and the path as written.
type deepWildcard struct {
	method, verb, path string
}

var deepWildcards = []deepWildcard{
	{"google.devtools.remoteworkers.v1test2.Bots.CreateBotSession", "POST", "/v1test2/{parent=**}/botSessions"},
	{"google.devtools.remoteworkers.v1test2.Bots.UpdateBotSession", "PATCH", "/v1test2/{name=**/botSessions/*}"},
}

const (
	deepWildcardFile = "google/devtools/remoteworkers/v1test2/bots.proto"
	deepWildcardRule = "HTTP_DEEP_WILDCARD_NOT_LAST"
)

// realRequest compiles every file of the slice into one request.
func realRequest(t testing.TB, parameter string) *pluginpb.CodeGeneratorRequest {
	t.Helper()
	req, err := corpus.Request(context.Background(), realSlice, parameter)
	if err != nil {
		t.Fatalf("compiling %s: %v", realSlice, err)
	}
	return req
}

// withoutStderr drops the warnings entry of outputs' result.
func withoutStderr(files map[string]string) map[string]string {
	delete(files, "stderr")
	return files
}

// linkRequest links a request's files as the plugin sees them.
func linkRequest(t testing.TB, req *pluginpb.CodeGeneratorRequest) *protoregistry.Files {
	t.Helper()
	files, err := protodesc.NewFiles(&descriptorpb.FileDescriptorSet{File: req.GetProtoFile()})
	if err != nil {
		t.Fatalf("linking the request: %v", err)
	}
	return files
}

// realView runs the plugin on the whole slice and parses its output.
func realView(t *testing.T, parameter string) (*pluginpb.CodeGeneratorRequest, *corpus.Output) {
	t.Helper()
	req := realRequest(t, parameter)
	v, err := corpus.Parse(linkRequest(t, req), outputs(t, req))
	if err != nil {
		t.Fatal(err)
	}
	return req, v
}

// TestRealGolden runs the plugin on the whole slice, validates every file
// against the JSON Schema and compares it with testdata/real/golden; with
// aggregate=slice, testdata/real/golden-aggregate. go test ./plugin -update
// rewrites both.
func TestRealGolden(t *testing.T) {
	for _, c := range []struct{ param, golden string }{
		{"", "golden"},
		{"aggregate=slice", "golden-aggregate"},
	} {
		t.Run(c.golden, func(t *testing.T) {
			got := outputs(t, realRequest(t, c.param))
			for name, content := range got {
				if name == "stderr" {
					continue
				}
				if err := schema.Validate([]byte(content)); err != nil {
					t.Errorf("%s does not match the schema: %v", name, err)
				}
			}
			golden := filepath.Join(realSlice, c.golden)
			if *update {
				writeGolden(t, golden, got)
				return
			}
			if diff := gocmp.Diff(readGolden(t, golden), got); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestRealBindings checks that every method with a google.api.http option
// is registered with exactly the rule's bindings, paths as written.
func TestRealBindings(t *testing.T) {
	req, v := realView(t, "")
	f := v.Bindings(req.GetFileToGenerate())
	if f.Methods == 0 {
		t.Fatal("no annotated methods in the slice")
	}
	if len(f.Problems) > 0 {
		t.Errorf("%d of %d bindings of %d annotated methods registered as written; differences:\n\t%s",
			f.Exact, f.Bindings, f.Methods, corpus.Examples(f.Problems, 20))
	}
}

// TestRealDependencies checks that no service depends on a service of
// another version of its API: not for a resource type that its own version
// owns (Cloud Scheduler v1 and v1beta1 both own
// cloudscheduler.googleapis.com/Job), and not through its messages (neither
// version imports the other). It checks the per-file output
// and the aggregate, where Cloud Scheduler's references to
// pubsub.googleapis.com/Topic must resolve to Pub/Sub's Publisher through
// its default host.
func TestRealDependencies(t *testing.T) {
	for _, param := range []string{"", "aggregate=slice"} {
		_, v := realView(t, param)
		f := v.Edges()
		if len(f.OwnedAtHome) > 0 {
			t.Errorf("parameter %q: edges to another version of the same API, which owns the resource type too:\n\t%s", param, corpus.Examples(f.OwnedAtHome, 20))
		}
		if n := f.Crossing[registration.DependencySchema]; n > 0 {
			t.Errorf("parameter %q: %d schema edges to another version of the same API; the versions do not import each other:\n\t%s", param, n, corpus.Examples(f.All, 20))
		}
		if f.Resolved[registration.DependencyResource] == 0 {
			t.Errorf("parameter %q: no resolved resource edge; Pub/Sub's Subscriber refers to the Publisher's topics", param)
		}
	}

	_, v := realView(t, "aggregate=slice")
	for _, name := range []string{"google.cloud.scheduler.v1.CloudScheduler", "google.cloud.scheduler.v1beta1.CloudScheduler"} {
		svc := v.Services[name]
		if svc == nil {
			t.Errorf("aggregate: no service %s", name)
			continue
		}
		want := &registration.Dependency{
			Service: "google.pubsub.v1.Publisher", Kind: registration.DependencyResource,
			ResourceType: "pubsub.googleapis.com/Topic", Resolution: registration.ResolutionDefaultHost, AcrossFiles: true,
		}
		var got *registration.Dependency
		for _, d := range svc.Dependencies {
			if d.Kind == registration.DependencyResource && (d.ResourceType == want.ResourceType || d.Service == want.Service || d.Service == want.ResourceType) {
				got = d
			}
		}
		if got == nil {
			t.Errorf("aggregate: %s has no resource dependency for %s; has %s", name, want.ResourceType, depsString(svc.Dependencies))
			continue
		}
		got = &registration.Dependency{Service: got.Service, Kind: got.Kind, External: got.External,
			ResourceType: got.ResourceType, Resolution: got.Resolution, AcrossFiles: got.AcrossFiles}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("aggregate: %s's dependency for %s, evidence aside (-want +got):\n%s", name, want.ResourceType, diff)
		}
	}
}

func depsString(deps []*registration.Dependency) string {
	var parts []string
	for _, d := range deps {
		parts = append(parts, fmt.Sprintf("%s (%s, external=%t, resource_type %q)", d.Service, d.Kind, d.External, d.ResourceType))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// TestRealEvents checks that every inferred event names a message of the
// service's own API and version.
func TestRealEvents(t *testing.T) {
	for _, param := range []string{"", "aggregate=slice"} {
		_, v := realView(t, param)
		f := v.Events()
		if f.Inferred == 0 {
			t.Errorf("parameter %q: no inferred events; Cloud Scheduler creates, updates and deletes jobs", param)
		}
		if bad := append(f.Foreign, f.Missing...); len(bad) > 0 {
			t.Errorf("parameter %q: %d of %d inferred events do not name a message of the service's API version:\n\t%s",
				param, len(bad), f.Inferred, corpus.Examples(bad, 20))
		}
	}
}

// TestRealBatching checks that each file's output is the same however the
// files are batched: all in one request, each alone with its imports, the
// files in another order with proto_file in another dependency order, and
// with proto_file in no dependency order at all.
func TestRealBatching(t *testing.T) {
	whole := realRequest(t, "")
	want := withoutStderr(outputs(t, whole))
	if len(want) == 0 {
		t.Fatal("the slice gives no output")
	}
	set, err := corpus.NewSet(whole)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("alone", func(t *testing.T) {
		for _, name := range whole.GetFileToGenerate() {
			alone, err := set.Alone(name)
			if err != nil {
				t.Fatal(err)
			}
			got := withoutStderr(outputs(t, alone))
			wantAlone := make(map[string]string)
			if out := registrationJSONName(name); want[out] != "" {
				wantAlone[out] = want[out]
			}
			if diff := gocmp.Diff(wantAlone, got); diff != "" {
				t.Errorf("%s alone differs from the whole request (-whole +alone):\n%s", name, diff)
			}
		}
	})
	rnd := rand.New(rand.NewPCG(20260801, 1))
	t.Run("shuffled", func(t *testing.T) {
		if diff := gocmp.Diff(want, withoutStderr(outputs(t, set.Shuffled(rnd)))); diff != "" {
			t.Errorf("files in another order give other output (-whole +shuffled):\n%s", diff)
		}
	})
	t.Run("unordered", func(t *testing.T) {
		req, err := set.Unordered(rnd)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(want, withoutStderr(outputs(t, req))); diff != "" {
			t.Errorf("proto_file in no dependency order gives other output (-whole +unordered):\n%s", diff)
		}
	})
}

// registrationJSONName is the name of the JSON registration of a proto file.
func registrationJSONName(protoFile string) string {
	return strings.TrimSuffix(protoFile, ".proto") + ".registration.json"
}

// TestRealDeepWildcard checks the slice's "**" followed by more segments,
// which google/api/http.proto's grammar does not allow but Google serves:
// registered as written with a located warning each, an error naming the
// place under strict=true.
func TestRealDeepWildcard(t *testing.T) {
	req, v := realView(t, "")
	// Field numbers of FileDescriptorProto.service and
	// ServiceDescriptorProto.method.
	const serviceField, methodField = 6, 2
	// places[i] are where the warning for deepWildcards[i] may point: the
	// method, where protoc and buf agree (they start the span of an option
	// at different columns).
	places := make([][]string, len(deepWildcards))
	for i, w := range deepWildcards {
		if m := v.Methods[w.method]; m == nil {
			t.Errorf("%s is not registered", w.method)
		} else if len(m.Bindings) == 0 || m.Bindings[0].Path != w.path || m.Bindings[0].Method != w.verb {
			t.Errorf("%s: bindings %s, want %s %s first", w.method, bindingsString(m.Bindings), w.verb, w.path)
		}
		d, err := v.Files.FindDescriptorByName(protoreflect.FullName(w.method))
		if err != nil {
			t.Fatal(err)
		}
		md := d.(protoreflect.MethodDescriptor)
		for _, p := range [][]int32{{serviceField, int32(md.Parent().Index()), methodField, int32(md.Index())}} {
			if loc := md.ParentFile().SourceLocations().ByPath(p); loc.Path != nil {
				places[i] = append(places[i], fmt.Sprintf("%s:%d:%d", deepWildcardFile, loc.StartLine+1, loc.StartColumn+1))
			}
		}
		if len(places[i]) == 0 {
			t.Fatalf("the request has no source info for %s's http option", w.method)
		}
	}

	found := make([][]*registration.Diagnostic, len(deepWildcards))
	for _, name := range v.Names {
		for _, diag := range v.Regs[name].Diagnostics {
			if diag.Rule != deepWildcardRule {
				continue
			}
			i := slices.IndexFunc(deepWildcards, func(w deepWildcard) bool { return w.method == diag.Element })
			if i < 0 || name != registrationJSONName(deepWildcardFile) || diag.File != deepWildcardFile {
				t.Errorf("%s: unexpected diagnostic %+v: the slice's are on %s", name, *diag, deepWildcardFile)
				continue
			}
			found[i] = append(found[i], diag)
		}
	}
	for i, w := range deepWildcards {
		if len(found[i]) != 1 {
			t.Errorf("%s lists %d %s diagnostics for %s, want 1", registrationJSONName(deepWildcardFile), len(found[i]), deepWildcardRule, w.method)
		} else if at := fmt.Sprintf("%s:%d:%d", found[i][0].File, found[i][0].Line, found[i][0].Column); !slices.Contains(places[i], at) {
			t.Errorf("%s diagnostic for %s at %s, want one of %v", deepWildcardRule, w.method, at, places[i])
		}
	}

	req.Parameter = proto.String("strict=true")
	resp, err := Generate(req, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	first := deepWildcards[0]
	if resp.Error == nil {
		t.Fatalf("strict=true: no error; want one for %s at %s", first.method, places[0][0])
	}
	if len(resp.GetFile()) > 0 {
		t.Errorf("strict=true: %d files written with the error, want none", len(resp.GetFile()))
	}
	if !slices.ContainsFunc(places[0], func(p string) bool { return strings.Contains(resp.GetError(), p+":") }) ||
		!strings.Contains(resp.GetError(), first.method) {
		t.Errorf("strict=true: error %q, want it to name %s and one of %v", resp.GetError(), first.method, places[0])
	}
}

func bindingsString(bs []*registration.Binding) string {
	var parts []string
	for _, b := range bs {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", b.Method, b.Path, b.Source))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// corpusDefault is where the googleapis corpus lies in the workspace,
// relative to this package.
const corpusDefault = "../../shared/corpora/googleapis-part.tgz"

// TestGoogleapisCorpus is the acceptance test on the whole googleapis
// corpus: it compiles every file into one request, runs the plugin on it
// for per-file output and with aggregate=all, and logs a markdown table of
// figures (go test ./plugin -run GoogleapisCorpus -v), failing when a goal
// is missed. REGISTRATION_CORPUS names the tarball.
func TestGoogleapisCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the googleapis corpus takes a minute or more; skipped under -short")
	}
	tgz := cmp.Or(os.Getenv("REGISTRATION_CORPUS"), corpusDefault)
	if _, err := os.Stat(tgz); err != nil {
		t.Skipf("no googleapis corpus (set REGISTRATION_CORPUS to its .tgz): %v", err)
	}
	var times []string
	lap := func(what string, start time.Time) {
		times = append(times, fmt.Sprintf("%s %.1fs", what, time.Since(start).Seconds()))
	}

	start := time.Now()
	dir := t.TempDir()
	if err := corpus.Unpack(tgz, dir); err != nil {
		t.Fatal(err)
	}
	req, err := corpus.Request(context.Background(), dir, "")
	if err != nil {
		t.Fatalf("compiling the corpus: %v", err)
	}
	lap("compile", start)
	files := linkRequest(t, req)

	// generate runs the plugin on req with parameter and reads the output.
	generate := func(what, parameter string) (map[string]string, *corpus.Output) {
		t.Helper()
		start := time.Now()
		// A shallow copy: the plugin only reads the request.
		r := &pluginpb.CodeGeneratorRequest{FileToGenerate: req.GetFileToGenerate(), Parameter: proto.String(parameter),
			ProtoFile: req.GetProtoFile(), CompilerVersion: req.GetCompilerVersion()}
		resp, err := Generate(r, &bytes.Buffer{})
		if err != nil {
			t.Fatalf("%s: internal error: %v", what, err)
		}
		if resp.Error != nil {
			t.Fatalf("%s: response error on the whole corpus: %s", what, resp.GetError())
		}
		lap(what, start)
		out := make(map[string]string, len(resp.GetFile()))
		for _, f := range resp.GetFile() {
			out[f.GetName()] = f.GetContent()
		}
		v, err := corpus.Parse(files, out)
		if err != nil {
			t.Fatal(err)
		}
		return out, v
	}
	whole, perFile := generate("generate", "")
	const aggregateName = "all.registration.json"
	aggregateFiles, aggregate := generate("aggregate", "aggregate=all")

	// Every file with services alone, on every processor; each run links
	// only the file's imports.
	start = time.Now()
	set, err := corpus.NewSet(req)
	if err != nil {
		t.Fatal(err)
	}
	var withServices []string
	for _, name := range req.GetFileToGenerate() {
		if len(set.File(name).GetService()) > 0 {
			withServices = append(withServices, name)
		}
	}
	aloneProblems := make([]string, len(withServices))
	parallel.For(len(withServices), func(i int) {
		aloneProblems[i] = aloneDiff(set, withServices[i], whole)
	})
	aloneProblems = slices.DeleteFunc(aloneProblems, func(s string) bool { return s == "" })
	lap(fmt.Sprintf("%d alone", len(withServices)), start)

	start = time.Now()
	shuffledProblems := shuffledDiff(set.Shuffled(rand.New(rand.NewPCG(20260801, 2))), whole)
	lap("shuffled", start)

	start = time.Now()
	schemaProblems := validateAll(whole)
	schemaProblems = append(schemaProblems, validateAll(aggregateFiles)...)
	lap("schema", start)

	// Each row has a value for the per-file output and, where it applies,
	// for the aggregate.
	type row struct {
		figure             string
		perFile, aggregate string
		goal               string
		met                bool
		examples           []string
	}
	var rows []row
	add := func(figure, perFile, aggregate, goal string, met bool, examples []string) {
		rows = append(rows, row{figure, perFile, aggregate, goal, met, examples})
	}
	c, ca := perFile.Count(), aggregate.Count()
	add("response error", "none", "none", "none", true, nil)
	add("files / with services", fmt.Sprintf("%d / %d", len(req.GetFileToGenerate()), len(withServices)), "", "", true, nil)
	add("services / methods / bindings", fmt.Sprintf("%d / %d / %d", c.Services, c.Methods, c.Bindings),
		fmt.Sprintf("%d / %d / %d", ca.Services, ca.Methods, ca.Bindings), "", true, nil)
	add("output files / bytes", fmt.Sprintf("%d / %d", len(whole), totalBytes(whole)),
		fmt.Sprintf("%d / %d", len(aggregateFiles), totalBytes(aggregateFiles)), "", true, nil)

	add("output files not valid against the JSON Schema", fmt.Sprint(len(schemaProblems)-countPrefix(schemaProblems, aggregateName)),
		fmt.Sprint(countPrefix(schemaProblems, aggregateName)), "0", len(schemaProblems) == 0, schemaProblems)

	bf, bfa := perFile.Bindings(req.GetFileToGenerate()), aggregate.Bindings(req.GetFileToGenerate())
	exact := func(f corpus.BindingFigures) string {
		return fmt.Sprintf("%d / %d (%d methods)", f.Exact, f.Bindings, f.Methods)
	}
	add("annotated bindings registered as written", exact(bf), exact(bfa), "all",
		bf.Exact == bf.Bindings && len(bf.Problems) == 0 && bfa.Exact == bfa.Bindings && len(bfa.Problems) == 0,
		append(bf.Problems, bfa.Problems...))

	ef, efa := perFile.Edges(), aggregate.Edges()
	kinds := func(m map[string]int) string {
		return fmt.Sprintf("%d / %d", m[registration.DependencyResource], m[registration.DependencySchema])
	}
	crossing := func(f corpus.EdgeFigures) (int, int) {
		return f.Crossing[registration.DependencyResource] + f.Crossing[registration.DependencySchema],
			f.Resolved[registration.DependencyResource] + f.Resolved[registration.DependencySchema]
	}
	share := func(f corpus.EdgeFigures) string {
		n, of := crossing(f)
		return fmt.Sprintf("%d of %d (%s)", n, of, corpus.Percent(n, of))
	}
	n, of := crossing(ef)
	add("resolved edges: resource / schema", kinds(ef.Resolved), kinds(efa.Resolved), "", true, nil)
	add("edges to another version of the API: resource / schema", kinds(ef.Crossing), kinds(efa.Crossing), "", true, nil)
	// The share's goal is on the per-file output; the aggregate, which
	// resolves across files, is shown beside it, and the edges that are
	// wrong whatever their share, those that pass over an owner in the
	// service's own version, are counted in both.
	add("edges to another version of the API", share(ef), share(efa), "≤ 1% per file", n*100 <= of, ef.All)
	add("… of which the own version owns the type", fmt.Sprint(len(ef.OwnedAtHome)), fmt.Sprint(len(efa.OwnedAtHome)), "0",
		len(ef.OwnedAtHome)+len(efa.OwnedAtHome) == 0, append(ef.OwnedAtHome, efa.OwnedAtHome...))
	add("unresolved resource dependencies", fmt.Sprint(ef.Unresolved), fmt.Sprint(efa.Unresolved), "", true, nil)

	evf, evfa := perFile.Events(), aggregate.Events()
	foreign := func(f corpus.EventFigures) string {
		return fmt.Sprintf("%d of %d (%s)", len(f.Foreign), f.Inferred, corpus.Percent(len(f.Foreign), f.Inferred))
	}
	add("inferred events naming another API or version", foreign(evf), foreign(evfa), "≤ 1%",
		len(evf.Foreign)*100 <= evf.Inferred && len(evfa.Foreign)*100 <= evfa.Inferred, append(evf.Foreign, evfa.Foreign...))
	add("inferred events naming no message", fmt.Sprint(len(evf.Missing)), fmt.Sprint(len(evfa.Missing)), "", true, nil)

	cf, cfa := perFile.Conflicts(), aggregate.Conflicts()
	add("conflicts listed", fmt.Sprint(cf.Unique), fmt.Sprint(cfa.Unique), "", true, nil)
	add("conflicts across default hosts", fmt.Sprint(len(cf.AcrossHosts)), fmt.Sprint(len(cfa.AcrossHosts)), "0",
		len(cf.AcrossHosts)+len(cfa.AcrossHosts) == 0, append(cf.AcrossHosts, cfa.AcrossHosts...))
	add("conflicts with one side without default host", fmt.Sprint(len(cf.Hostless)), fmt.Sprint(len(cfa.Hostless)), "", true, nil)
	add("diagnostics", fmt.Sprint(c.Diagnostics), fmt.Sprint(ca.Diagnostics), "", true, nil)
	add("files with services: alone = whole", fmt.Sprintf("%d / %d", len(withServices)-len(aloneProblems), len(withServices)), "", "all",
		len(aloneProblems) == 0, aloneProblems)
	add("shuffled request = whole", fmt.Sprintf("%d files differ", len(shuffledProblems)), "", "none", len(shuffledProblems) == 0, shuffledProblems)

	var table strings.Builder
	table.WriteString("googleapis corpus (" + filepath.Base(tgz) + "): " + strings.Join(times, ", ") + "\n\n")
	table.WriteString("| Figure | Per file | Aggregate | Goal |\n|---|---:|---:|---|\n")
	for _, r := range rows {
		goal := r.goal
		if goal != "" && !r.met {
			goal += " **missed**"
		}
		fmt.Fprintf(&table, "| %s | %s | %s | %s |\n", r.figure, r.perFile, cmp.Or(r.aggregate, "-"), goal)
	}
	t.Log("\n" + table.String())
	for _, r := range rows {
		if !r.met {
			t.Errorf("goal missed: %s: %s per file, %s aggregate, want %s; for example:\n\t%s",
				r.figure, r.perFile, cmp.Or(r.aggregate, "-"), r.goal, corpus.Examples(r.examples, 10))
		}
	}
}

// validateAll validates every file against the JSON Schema, on every
// processor, and describes those that do not match, sorted.
func validateAll(files map[string]string) []string {
	names := slices.Sorted(maps.Keys(files))
	problems := make([]string, len(names))
	parallel.For(len(names), func(i int) {
		if err := schema.Validate([]byte(files[names[i]])); err != nil {
			problems[i] = fmt.Sprintf("%s: %v", names[i], strings.ReplaceAll(err.Error(), "\n", " "))
		}
	})
	return slices.DeleteFunc(problems, func(s string) bool { return s == "" })
}

// countPrefix counts the lines that start with prefix.
func countPrefix(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// totalBytes is the size of a response's files.
func totalBytes(files map[string]string) int {
	n := 0
	for _, content := range files {
		n += len(content)
	}
	return n
}

// aloneDiff runs the plugin on one file with its imports and says how its
// output differs from the whole request's, or "".
func aloneDiff(set *corpus.Set, name string, whole map[string]string) string {
	req, err := set.Alone(name)
	if err != nil {
		return fmt.Sprintf("%s: %v", name, err)
	}
	resp, err := Generate(req, &bytes.Buffer{})
	switch {
	case err != nil:
		return fmt.Sprintf("%s alone: internal error: %v", name, err)
	case resp.Error != nil:
		return fmt.Sprintf("%s alone: response error: %s", name, resp.GetError())
	}
	out := registrationJSONName(name)
	if len(resp.GetFile()) != 1 || resp.GetFile()[0].GetName() != out {
		var names []string
		for _, f := range resp.GetFile() {
			names = append(names, f.GetName())
		}
		return fmt.Sprintf("%s alone: wrote %q, want %s", name, names, out)
	}
	if got, want := resp.GetFile()[0].GetContent(), whole[out]; got != want {
		return fmt.Sprintf("%s alone differs from the whole request at %s", name, firstDifferentLine(want, got))
	}
	return ""
}

// shuffledDiff runs the plugin on a reordered whole request and lists the
// files whose output differs.
func shuffledDiff(req *pluginpb.CodeGeneratorRequest, whole map[string]string) []string {
	resp, err := Generate(req, &bytes.Buffer{})
	switch {
	case err != nil:
		return []string{fmt.Sprintf("internal error: %v", err)}
	case resp.Error != nil:
		return []string{fmt.Sprintf("response error: %s", resp.GetError())}
	}
	var problems []string
	got := make(map[string]bool)
	for _, f := range resp.GetFile() {
		got[f.GetName()] = true
		if want, ok := whole[f.GetName()]; !ok {
			problems = append(problems, f.GetName()+": not in the whole request's output")
		} else if f.GetContent() != want {
			problems = append(problems, fmt.Sprintf("%s differs at %s", f.GetName(), firstDifferentLine(want, f.GetContent())))
		}
	}
	for name := range whole {
		if !got[name] {
			problems = append(problems, name+": missing")
		}
	}
	slices.Sort(problems)
	return problems
}

// firstDifferentLine locates the first line where got differs from want and
// shows both.
func firstDifferentLine(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d: whole %q, alone or shuffled %q", i+1, strings.TrimSpace(wl), strings.TrimSpace(gl))
		}
	}
	return "no line (same lines)"
}
