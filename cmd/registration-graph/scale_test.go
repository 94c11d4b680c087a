package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/ovasabi/protoc-gen-registration/internal/corpus"
	"github.com/ovasabi/protoc-gen-registration/plugin"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
	"github.com/ovasabi/protoc-gen-registration/registration/graph"
)

// mediumServices are 40 APIs in two versions of four services each (320
// services): each service has a resource edge to the same service of the
// next API's same version (the last API's to the first's: a cycle through
// all 40), each v1beta1 service a schema edge to its v1, and each API's
// first service, in both versions, a resource edge to a resource type of
// its own that no file declares (40 external nodes). 360 nodes and 560
// edges: a graph of the size of a large organisation's, past Mermaid's
// limits.
func mediumServices() []*registration.Service {
	const apis, perVersion = 40, 4
	var out []*registration.Service
	for a := range apis {
		for _, version := range []string{"v1", "v1beta1"} {
			pkg := fmt.Sprintf("org.api%02d.%s", a, version)
			for s := range perVersion {
				svc := &registration.Service{
					Name: fmt.Sprintf("%s.Service%d", pkg, s), Package: pkg, File: fmt.Sprintf("org/api%02d/%s/api.proto", a, version),
					Methods: []*registration.Method{},
				}
				next := fmt.Sprintf("org.api%02d.%s.Service%d", (a+1)%apis, version, s)
				svc.Dependencies = append(svc.Dependencies, &registration.Dependency{Service: next, Kind: registration.DependencyResource})
				if version == "v1beta1" {
					svc.Dependencies = append(svc.Dependencies, &registration.Dependency{Service: fmt.Sprintf("org.api%02d.v1.Service%d", a, s), Kind: registration.DependencySchema})
				}
				if s == 0 {
					svc.Dependencies = append(svc.Dependencies, &registration.Dependency{Service: fmt.Sprintf("api%02d.example.com/Thing", a), Kind: registration.DependencyResource, External: true})
				}
				out = append(out, svc)
			}
		}
	}
	return out
}

// writeRegistration writes services as a registration file in a test
// directory and returns its name.
func writeRegistration(t *testing.T, services []*registration.Service) string {
	t.Helper()
	data, err := codec.Marshal(&registration.Registration{Format: registration.Format, Files: []string{}, Services: services}, codec.JSON)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "medium.registration.json")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestMermaidLimits checks --mermaid-limits on a graph past both of
// Mermaid's default limits: by default the command refuses with exit 1,
// names each limit with the graph's figure and advises filters; warn
// writes the diagram and the warning; off writes it alone; a filtered
// graph within the limits passes.
func TestMermaidLimits(t *testing.T) {
	file := writeRegistration(t, mediumServices())
	status, diagram, stderr := runGraph("-o", "mermaid", "--mermaid-limits", "off", file)
	if status != 0 || stderr != "" {
		t.Fatalf("off: status %d, stderr %s", status, stderr)
	}
	size := len(utf16.Encode([]rune(diagram)))
	if edges := strings.Count(diagram, "|\"resource\"|") + strings.Count(diagram, "|\"schema\"|"); edges != 560 || size <= graph.MermaidMaxTextSize {
		t.Fatalf("the graph has %d edges and %d characters: not past both limits", edges, size)
	}
	figures := fmt.Sprintf("the Mermaid flowchart has 560 edges, past Mermaid's default maxEdges of 500, and %s characters, past Mermaid's default maxTextSize of 50,000: Mermaid will not render it",
		thousands(size))

	status, stdout, stderr := runGraph("-o", "mermaid", file)
	want := "registration-graph: " + figures + ". Draw part of the graph with --service (and --depth, --direction), --package or --kind, " +
		"or use --format dot; --mermaid-limits=warn writes it all the same, for a renderer set up with higher limits\n"
	if status != 1 || stdout != "" || stderr != want {
		t.Errorf("default: status %d, stdout %d bytes, stderr\n got: %q\nwant: %q", status, len(stdout), stderr, want)
	}

	status, stdout, stderr = runGraph("-o", "mermaid", "--mermaid-limits=warn", file)
	if want := "registration-graph: warning: " + figures + "\n"; status != 0 || stdout != diagram || stderr != want {
		t.Errorf("warn: status %d, same diagram %v, stderr\n got: %q\nwant: %q", status, stdout == diagram, stderr, want)
	}

	// One service and its neighbours are well within the limits.
	status, stdout, stderr = runGraph("-o", "mermaid", "--service", "org.api07.v1.Service2", file)
	if status != 0 || stderr != "" || !strings.Contains(stdout, "org_api07_v1_Service2 -->|\"resource\"| org_api08_v1_Service2") {
		t.Errorf("filtered: status %d, stderr %q, stdout:\n%s", status, stderr, stdout)
	}
	// Other formats have no such limit.
	if status, _, stderr := runGraph("-o", "dot", file); status != 0 || stderr != "" {
		t.Errorf("dot: status %d, stderr %q", status, stderr)
	}
}

// TestDOTRendersMedium runs Graphviz's dot on the DOT of the medium graph
// (360 nodes, 560 edges, 40 API clusters of two versions each), which must
// lay it out well within a generous bound: about half a second on a
// two-core machine.
func TestDOTRendersMedium(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Fatalf("Graphviz's dot is needed (Debian package graphviz; make tools installs it): %v", err)
	}
	file := writeRegistration(t, mediumServices())
	status, stdout, stderr := runGraph("-o", "dot", file)
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %s", status, stderr)
	}
	if n := strings.Count(stdout, "subgraph \"cluster_api:"); n != 40 {
		t.Errorf("%d API clusters, want 40", n)
	}
	elapsed, err := renderDOT(t, dot, stdout, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dot -Tsvg: %v", elapsed)
}

// renderDOT runs dot -Tsvg on src within limit, and returns how long it
// took. Anything dot prints is an error.
func renderDOT(t *testing.T, dot, src string, limit time.Duration) (time.Duration, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, dot, "-Tsvg", "-o", os.DevNull)
	cmd.Stdin = strings.NewReader(src)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return elapsed, fmt.Errorf("dot did not finish within %v", limit)
	}
	if err != nil || len(out) > 0 {
		return elapsed, fmt.Errorf("dot: %v\n%s", err, out)
	}
	return elapsed, nil
}

// corpusDefault is where the googleapis corpus lies in the workspace,
// relative to this package.
const corpusDefault = "../../../shared/corpora/googleapis-part.tgz"

// TestGoogleapisCorpus draws the graph of the aggregate registration of
// the whole googleapis corpus: Mermaid refuses it with the figures, and
// dot renders its DOT within a generous bound (under a second of dot's
// time on a two-core machine; docs/graph.md has the figures). Run with
// -v for them.
func TestGoogleapisCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the googleapis corpus takes a minute; skipped under -short")
	}
	tgz := cmp.Or(os.Getenv("REGISTRATION_CORPUS"), corpusDefault)
	if _, err := os.Stat(tgz); err != nil {
		t.Skipf("no googleapis corpus (set REGISTRATION_CORPUS to its .tgz): %v", err)
	}
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Fatalf("Graphviz's dot is needed (Debian package graphviz; make tools installs it): %v", err)
	}
	dir := t.TempDir()
	if err := corpus.Unpack(tgz, dir); err != nil {
		t.Fatal(err)
	}
	req, err := corpus.Request(context.Background(), dir, "aggregate=all")
	if err != nil {
		t.Fatalf("compiling the corpus: %v", err)
	}
	resp, err := plugin.Generate(req, &bytes.Buffer{})
	if err != nil || resp.Error != nil {
		t.Fatalf("plugin: %v %s", err, resp.GetError())
	}
	if len(resp.GetFile()) != 1 {
		t.Fatalf("%d files, want the aggregate alone", len(resp.GetFile()))
	}
	file := filepath.Join(dir, "all.registration.json")
	if err := os.WriteFile(file, []byte(resp.GetFile()[0].GetContent()), 0o644); err != nil {
		t.Fatal(err)
	}

	status, stdout, stderr := runGraph(file)
	if status != 0 || stderr != "" {
		t.Fatalf("json: status %d, stderr %s", status, stderr)
	}
	var g graph.Graph
	if err := json.Unmarshal([]byte(stdout), &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Edges) <= graph.MermaidMaxEdges {
		t.Fatalf("%d edges: the corpus is expected past Mermaid's limit", len(g.Edges))
	}

	status, _, stderr = runGraph("-o", "mermaid", file)
	if want := fmt.Sprintf("the Mermaid flowchart has %s edges, past Mermaid's default maxEdges of 500, and ", thousands(len(g.Edges))); status != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "past Mermaid's default maxTextSize of 50,000") {
		t.Errorf("mermaid: status %d, stderr %q, want %q and maxTextSize", status, stderr, want)
	}
	status, mermaid, _ := runGraph("-o", "mermaid", "--mermaid-limits=off", file)
	if status != 0 {
		t.Fatalf("mermaid, limits off: status %d", status)
	}

	status, stdout, stderr = runGraph("-o", "dot", file)
	if status != 0 || stderr != "" {
		t.Fatalf("dot: status %d, stderr %s", status, stderr)
	}
	elapsed, err := renderDOT(t, dot, stdout, 120*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("googleapis: %d nodes, %d edges; Mermaid %d characters; DOT %d bytes, dot -Tsvg %v",
		len(g.Nodes), len(g.Edges), len(utf16.Encode([]rune(mermaid))), len(stdout), elapsed)
}

// thousands writes n with commas, as the limit messages do.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
