package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"
)

// registration-graph is built once per run, by the first benchGraph.
var (
	graphOnce sync.Once
	graphPath string
	graphErr  error
)

// graphBinary builds cmd/registration-graph into binDir the first time it
// is called and returns its path.
func graphBinary(binDir string) (string, error) {
	graphOnce.Do(func() {
		root, err := moduleRoot()
		if err == nil {
			err = buildBinaries(root, binDir, "./cmd/registration-graph")
		}
		graphPath, graphErr = filepath.Join(binDir, "registration-graph"), err
	})
	return graphPath, graphErr
}

// benchGraph measures registration-graph on the aggregate registration of
// the tree: it runs the plugin with aggregate=all on the request, writes
// the one file it returns, and times registration-graph on it in every
// output format (wall time of the whole process, median of runs after one
// warm-up run). It prints one line.
func benchGraph(dir, pluginPath string, req *pluginpb.CodeGeneratorRequest, n, runs int) error {
	// benchN's directory is WORK/nN; the other binaries are in WORK/bin.
	graph, err := graphBinary(filepath.Join(filepath.Dir(dir), "bin"))
	if err != nil {
		return err
	}

	agg := proto.CloneOf(req)
	agg.Parameter = proto.String("aggregate=all")
	in, err := proto.Marshal(agg)
	if err != nil {
		return err
	}
	cmd := exec.Command(pluginPath)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("plugin with aggregate=all: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	resp := &pluginpb.CodeGeneratorResponse{}
	if err := proto.Unmarshal(out, resp); err != nil {
		return fmt.Errorf("plugin with aggregate=all: %v", err)
	}
	if resp.Error != nil || len(resp.GetFile()) != 1 {
		return fmt.Errorf("plugin with aggregate=all: want one file, got %d (error %q)", len(resp.GetFile()), resp.GetError())
	}
	file := filepath.Join(dir, resp.GetFile()[0].GetName())
	content := resp.GetFile()[0].GetContent()
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		return err
	}

	var parts []string
	for _, format := range []string{"json", "dot", "mermaid"} {
		var times []time.Duration
		for i := range runs + 1 {
			args := []string{"--format", format, file}
			if format == "mermaid" {
				// The whole corpus is past Mermaid's default limits, which
				// registration-graph enforces: time the writing all the same.
				args = append(args, "--mermaid-limits=off")
			}
			cmd := exec.Command(graph, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			start := time.Now()
			err := cmd.Run() // stdout goes to the null device
			took := time.Since(start)
			if err != nil {
				return fmt.Errorf("registration-graph --format %s: %v: %s", format, err, strings.TrimSpace(stderr.String()))
			}
			if i > 0 { // the first run warms the page cache
				times = append(times, took)
			}
		}
		slices.Sort(times)
		parts = append(parts, fmt.Sprintf("%s %v", format, times[len(times)/2].Round(time.Millisecond)))
	}
	fmt.Printf("registration-graph on the aggregate registration of %d services (%.1f MiB): %s (median wall time of %d runs)\n",
		n, float64(len(content))/(1<<20), strings.Join(parts, ", "), runs)
	return nil
}
